import pytest

from qiaolian.accounts.models import User
from qiaolian.demo import build_demo
from qiaolian.liaison import selectors
from qiaolian.liaison.models import EnrolmentStatus

pytestmark = pytest.mark.django_db


def test_demo_has_associations_contacts_and_three_camps():
    build_demo(seed=2017, scale=0.05)
    staff = User.objects.get(username="staff")
    associations = selectors.association_list(user=staff)
    assert associations.count() >= 35
    assert {"US", "JP", "HK", "MO", "SG"} <= {a.country.code for a in associations}
    contacts = selectors.contact_list(user=staff)
    assert contacts.count() >= 24  # about 120 at full scale
    years = {i.occurred_on.year for c in contacts for i in selectors.contact_interactions(user=staff, contact=c)}
    assert years <= set(range(2018, 2023)) and len(years) >= 4
    camps = list(selectors.camp_list(user=staff).order_by("starts_on"))
    assert [(c.starts_on.year, c.mode) for c in camps] == [(2018, "offline"), (2019, "offline"), (2022, "online")]
    for camp in camps:
        enrolments = list(selectors.camp_enrolments(user=staff, camp=camp))
        attended = [e for e in enrolments if e.status == EnrolmentStatus.ATTENDED]
        assert len(attended) <= camp.capacity and len(attended) >= camp.capacity * 0.7
        assert len(selectors.camp_counts_by_country(user=staff, camp=camp)) >= 5
        assert selectors.camp_attendance(user=staff, camp=camp)
