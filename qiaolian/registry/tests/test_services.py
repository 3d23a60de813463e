import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.registry import services
from qiaolian.registry.forms import PersonForm
from qiaolian.registry.models import Person
from qiaolian.registry.tests.factories import PersonFactory, resident_id

pytestmark = pytest.mark.django_db


def form_data(federation, **overrides):
    data = {
        "federation": federation.pk,
        "name": "陳國華",
        "sex": "M",
        "id_type": "resident_id",
        "id_number": resident_id(dt.date(1948, 5, 6), male=True),
        "category": "returnee",
        "returned_from": "ID",
        "returned_year": 1960,
        "nationality": "CN",
        "living_status": "living",
        "verification": "verified",
        "source": "staff",
        "phone": "13912345678",
    }
    data.update(overrides)
    return data


def valid_form(user, federation, **overrides):
    from qiaolian.orgs.selectors import federation_choices

    form = PersonForm(data=form_data(federation, **overrides), federations=federation_choices(user=user))
    return form


def test_person_create_derives_keys_and_birth_date_and_audits(jinshan):
    user = jinshan.user("zhujing")
    form = valid_form(user, jinshan.zhujing)
    assert form.is_valid(), form.errors
    person = services.person_create(actor=user, data=form.person_data())
    assert person.name_key == "陈国华" and person.name_pinyin == "chenguohua" and person.name_initials == "cgh"
    assert person.birth_date == dt.date(1948, 5, 6)
    entry = AuditEntry.objects.get(action=Action.CREATE, target_type="registry.person", target_id=str(person.pk))
    assert entry.actor_name == "zhujing"
    assert person.id_number.reveal() not in str(entry.data) and "13912345678" not in str(entry.data)


def test_birth_date_and_sex_must_match_the_id_number(jinshan):
    user = jinshan.user("zhujing")
    form = valid_form(user, jinshan.zhujing, birth_date="1950-01-01", sex="F")
    assert not form.is_valid()
    assert "出生日期与身份证号码不一致" in form.errors["birth_date"][0]
    assert "性别与身份证号码不一致" in form.errors["sex"][0]


def test_bad_id_check_digit_names_the_field(jinshan):
    user = jinshan.user("zhujing")
    good = resident_id(dt.date(1948, 5, 6))
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    form = valid_form(user, jinshan.zhujing, id_number=bad)
    assert not form.is_valid()
    assert "校验位" in form.errors["id_number"][0]


def test_same_id_number_cannot_be_registered_twice_even_in_another_town(jinshan):
    number = resident_id(dt.date(1948, 5, 6))
    PersonFactory(federation=jinshan.shihua, id_number=number, birth_date=dt.date(1948, 5, 6))
    form = valid_form(jinshan.user("zhujing"), jinshan.zhujing, id_number=number)
    assert not form.is_valid()
    assert "已在侨情库中登记" in form.errors["id_number"][0]


def test_town_user_cannot_file_a_person_under_another_town(jinshan):
    user = jinshan.user("zhujing")
    form = valid_form(user, jinshan.shihua)
    assert not form.is_valid()
    assert "federation" in form.errors
    data = valid_form(jinshan.user("staff"), jinshan.shihua)
    assert data.is_valid()
    with pytest.raises(Http404):
        services.person_create(actor=user, data=data.person_data())
    assert not Person.objects.filter(name="陳國華").exists()


def test_roles_without_registry_rights_cannot_write(jinshan):
    person = PersonFactory(federation=jinshan.zhujing)
    for key in ("leader", "auditor", "station", "judge"):
        with pytest.raises(PermissionDenied):
            services.person_archive(actor=jinshan.user(key), person=person, reason="x")


def test_update_records_only_changes_with_masked_values(jinshan):
    user = jinshan.user("zhujing")
    person = PersonFactory(federation=jinshan.zhujing, phone="+8613800000001")
    services.person_update(actor=user, person=person, data={"phone": "+8613800000002", "employer": "金山石化"})
    entry = AuditEntry.objects.filter(action=Action.CHANGE, target_id=str(person.pk)).latest("seq")
    assert set(entry.data["changes"]) == {"phone", "employer"}
    assert entry.data["changes"]["phone"] == {"before": "138****0001", "after": "138****0002"}


def test_archive_needs_a_reason_and_restore_brings_back(jinshan):
    user = jinshan.user("zhujing")
    person = PersonFactory(federation=jinshan.zhujing)
    with pytest.raises(ValidationError):
        services.person_archive(actor=user, person=person, reason="  ")
    services.person_archive(actor=user, person=person, reason="已迁出本区")
    person.refresh_from_db()
    assert person.is_archived and person.archived_reason == "已迁出本区"
    services.person_restore(actor=user, person=person)
    person.refresh_from_db()
    assert not person.is_archived
    assert Person.objects.filter(pk=person.pk).exists()


def test_reveal_is_permitted_per_role_and_audited(jinshan):
    person = PersonFactory(
        federation=jinshan.zhujing, id_number=resident_id(dt.date(1960, 1, 1)), birth_date=dt.date(1960, 1, 1)
    )
    plain = services.person_reveal(actor=jinshan.user("zhujing"), person=person, field="id_number")
    assert plain == person.id_number.reveal()
    assert AuditEntry.objects.filter(action=Action.REVEAL, actor_name="zhujing", target_id=str(person.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.person_reveal(actor=jinshan.user("station"), person=person, field="id_number")
    with pytest.raises(Http404):
        services.person_reveal(actor=jinshan.user("shihua"), person=person, field="id_number")


def test_export_is_masked_and_audited(jinshan):
    import io

    import openpyxl

    number = resident_id(dt.date(1960, 1, 1))
    PersonFactory(federation=jinshan.zhujing, id_number=number, birth_date=dt.date(1960, 1, 1), phone="+8613912345678")
    content = services.persons_export_xlsx(
        actor=jinshan.user("zhujing"), persons=Person.objects.all(), filters={"q": "x"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row]
    assert number not in cells and "+8613912345678" not in cells
    assert any(c.startswith(number[:6] + "*") for c in cells)
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.data["rows"] == 1 and entry.data["filters"] == {"q": "x"}


def test_household_membership_keeps_one_head(jinshan):
    user = jinshan.user("zhujing")
    household = services.household_create(
        actor=user, data={"federation": jinshan.zhujing, "label": "陈国华户", "address": "朱泾镇东林街1号"}
    )
    a, b = PersonFactory(federation=jinshan.zhujing), PersonFactory(federation=jinshan.zhujing)
    services.household_set_member(actor=user, household=household, person=a, relation="head")
    with pytest.raises(ValidationError):
        services.household_set_member(actor=user, household=household, person=b, relation="head")
    services.household_set_member(actor=user, household=household, person=b, relation="spouse")
    assert set(household.members.values_list("household_relation", flat=True)) == {"head", "spouse"}
    services.household_remove_member(actor=user, person=b)
    b.refresh_from_db()
    assert b.household_id is None
