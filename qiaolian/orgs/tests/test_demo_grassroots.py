"""The demo's grassroots data: the 2022 elections, station assessments and groups."""

import datetime as dt

import pytest

from qiaolian.demo import build_demo
from qiaolian.orgs.models import Election, Federation, Group, GroupKind, Level, StationAssessment, Term

pytestmark = pytest.mark.django_db


def test_demo_records_the_2022_elections_assessments_and_groups():
    build_demo(seed=2017, scale=0.05)
    for town in Federation.objects.filter(level=Level.TOWN):
        election = Election.objects.get(federation=town, held_on__year=2022)
        term = town.terms.get(starts_on__year=2022)
        assert election.term == term and term.starts_on == election.held_on
        assert election.previous_term.ends_on == election.held_on - dt.timedelta(days=1)
        assert election.delegate_count and election.term.members.exists()
    district = Election.objects.get(federation__parent=None)
    assert district.held_on == dt.date(2022, 11, 22) and district.term.number == 6
    assert Term.objects.get(federation__parent=None, number=5).ends_on == dt.date(2022, 11, 21)

    years = set(StationAssessment.objects.values_list("assessed_on__year", flat=True))
    assert years == {2018, 2019, 2020, 2021, 2022}
    assert all(a.total_score <= a.max_score for a in StationAssessment.objects.all())

    arts = Group.objects.get(name="金侨文艺联盟")
    assert arts.members.filter(person__isnull=False).count() == arts.members.count() >= 25
    assert Group.objects.filter(kind=GroupKind.YOUTH).exists()
    mentoring = Group.objects.get(kind=GroupKind.MENTORING)
    assert (mentoring.partner.name, mentoring.partner.brand) == ("平湖市侨联", "金平果")
    assert mentoring.pairs.count() >= 4  # eight at full scale; fewer candidates in a small demo
    assert set(mentoring.pairs.values_list("partner_side", flat=True)) == {"mentor", "mentee"}
