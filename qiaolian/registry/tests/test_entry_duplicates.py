"""Duplicates checked at entry time (registry.duplicates): the rule, the person form, the import."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from qiaolian.registry import importing
from qiaolian.registry.duplicates import Rule, candidates_for_rows, entry_keys, person_candidates
from qiaolian.registry.models import ImportStatus, Person
from qiaolian.registry.tests.factories import PersonFactory, resident_id
from qiaolian.registry.tests.test_import import check, commit, person_row, workbook

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1950, 3, 2)


def record(**overrides) -> dict:
    """A record about to be saved, as PersonForm's cleaned data gives it."""
    data = {
        "name": "王志强",
        "birth_date": BIRTH,
        "sex": "M",
        "id_number": resident_id(BIRTH, serial=901),
        "phone": "+8613911112222",
        "phone_alt": "",
    }
    data.update(overrides)
    return data


def rules_found(user, **overrides) -> set[Rule]:
    found = person_candidates(user=user, data=record(**overrides))
    return {rule for candidate in found.visible for rule in candidate.rules}


@pytest.fixture
def existing(jinshan):
    """王志强, born 1950-03-02, male, in 朱泾镇, with his own ID number and phone."""
    return PersonFactory(
        federation=jinshan.zhujing,
        name="王志强",
        sex="M",
        birth_date=BIRTH,
        id_number=resident_id(BIRTH, serial=11),
        phone="+8613800001111",
    )


# The rule --------------------------------------------------------------------------------------


def test_same_id_number_is_a_candidate_and_another_id_number_is_not(jinshan, existing):
    admin = jinshan.user("admin")
    assert rules_found(admin, name="别人", birth_date=None, id_number=existing.id_number.reveal()) == {Rule.ID_NUMBER}
    assert rules_found(admin, name="别人", birth_date=None) == set()


def test_same_name_and_phone_is_a_candidate_on_either_phone_column(jinshan, existing):
    admin = jinshan.user("admin")
    assert rules_found(admin, birth_date=None, phone="+8613800001111") == {Rule.NAME_PHONE}
    assert rules_found(admin, birth_date=None, phone="", phone_alt="+8613800001111") == {Rule.NAME_PHONE}
    other = PersonFactory(
        federation=jinshan.zhujing, name="李秀英", sex="F", birth_date=dt.date(1961, 1, 1), phone_alt="+85291234567"
    )
    found = person_candidates(user=admin, data=record(name="李秀英", sex="F", birth_date=None, phone="+85291234567"))
    assert [(c.person.pk, c.rules) for c in found.visible] == [(other.pk, (Rule.NAME_PHONE,))]


def test_same_phone_with_another_name_is_not_a_candidate(jinshan, existing):
    assert rules_found(jinshan.user("admin"), name="王志刚", birth_date=None, phone="+8613800001111") == set()


def test_same_name_and_birth_date_is_a_candidate_and_a_day_off_is_not(jinshan, existing):
    admin = jinshan.user("admin")
    assert rules_found(admin) == {Rule.NAME_BIRTH_DATE}
    assert rules_found(admin, birth_date=dt.date(1950, 3, 3)) == set()
    assert rules_found(admin, name="王志刚") == set()


def test_month_and_day_swapped_with_the_same_sex_is_a_candidate(jinshan, existing):
    admin = jinshan.user("admin")
    assert rules_found(admin, birth_date=dt.date(1950, 2, 3)) == {Rule.NAME_SEX_SWAPPED_DATE}
    assert rules_found(admin, birth_date=dt.date(1950, 2, 3), sex="F") == set()
    assert rules_found(admin, birth_date=dt.date(1950, 2, 3), sex="U") == set()


def test_several_rules_agreeing_are_all_named(jinshan, existing):
    found = person_candidates(user=jinshan.user("admin"), data=record(phone="+8613800001111"))
    assert [c.rules for c in found.visible] == [(Rule.NAME_PHONE, Rule.NAME_BIRTH_DATE)]
    assert found.visible[0].reason == "姓名与电话相同；姓名与出生日期相同"


def test_traditional_characters_match_the_simplified_name(jinshan):
    PersonFactory(federation=jinshan.zhujing, name="陈国华", sex="M", birth_date=BIRTH)
    assert rules_found(jinshan.user("admin"), name="陳國華") == {Rule.NAME_BIRTH_DATE}
    assert rules_found(jinshan.user("admin"), name="陳 國華") == {Rule.NAME_BIRTH_DATE}


def test_archived_persons_and_the_person_under_edit_are_not_candidates(jinshan, existing):
    admin = jinshan.user("admin")
    assert not person_candidates(user=admin, data=record(), exclude_pk=existing.pk)
    existing.is_archived = True
    existing.save()
    assert not person_candidates(user=admin, data=record())


def test_candidates_outside_the_jurisdiction_are_only_counted(jinshan, existing):
    PersonFactory(federation=jinshan.shihua, name="王志强", sex="M", birth_date=BIRTH)
    found = person_candidates(user=jinshan.user("zhujing"), data=record())
    assert [c.person.pk for c in found.visible] == [existing.pk]
    assert [g.message for g in found.hidden] == ["石化街道已有 1 名疑似同一人（姓名与出生日期相同）"]
    assert found.count == 2 and found.needs_confirmation and not found.has_id_match


def test_candidates_for_rows_takes_one_query_however_many_rows(jinshan, existing, django_assert_max_num_queries):
    PersonFactory(federation=jinshan.shihua, name="李秀英", sex="F", birth_date=dt.date(1961, 5, 6))
    few = [entry_keys(record()), entry_keys(record(name="李秀英", sex="F", birth_date=dt.date(1961, 6, 5)))]
    many = few + [entry_keys(record(name=f"路人{i}", birth_date=BIRTH + dt.timedelta(days=i))) for i in range(998)]
    with django_assert_max_num_queries(1):
        found_few = candidates_for_rows(few)
    with django_assert_max_num_queries(1):
        found_many = candidates_for_rows(many)
    assert found_few == found_many
    assert [m.rules for m in found_many[0]] == [(Rule.NAME_BIRTH_DATE,)]
    assert [m.rules for m in found_many[1]] == [(Rule.NAME_SEX_SWAPPED_DATE,)]
    assert set(found_many) == {0, 1}


# The person form -------------------------------------------------------------------------------


def form_data(jinshan, **overrides) -> dict:
    data = {
        "federation": jinshan.zhujing.pk,
        "name": "王志强",
        "sex": "M",
        "birth_date": "1950-03-02",
        "id_type": "resident_id",
        "id_number": "",
        "category": "relative",
        "nationality": "CN",
        "living_status": "living",
        "verification": "self_reported",
        "source": "staff",
        "employer": "金山石化总厂",
        "notes": "社区走访时登记",
    }
    data.update(overrides)
    return data


@pytest.fixture
def zhujing_client(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    return client


def test_form_with_a_candidate_does_not_save_and_shows_it_with_the_typed_data(zhujing_client, jinshan, existing):
    response = zhujing_client.post(reverse("registry:person_create"), form_data(jinshan))
    assert response.status_code == 200
    assert Person.objects.count() == 1
    body = response.content.decode()
    assert 'id="duplicate-candidates"' in body
    assert reverse("registry:person_detail", args=[existing.pk]) in body
    assert "姓名与出生日期相同" in body and "朱泾镇" in body
    assert existing.id_number.masked in body and existing.phone.masked in body
    assert existing.id_number.reveal() not in body
    assert 'name="confirm_not_duplicate"' in body and "确认不是同一人，仍然保存" in body
    assert 'value="金山石化总厂"' in body and "社区走访时登记" in body and 'value="1950-03-02"' in body
    assert "请修改标红的内容后再保存" not in body


def test_ticking_the_confirmation_saves(zhujing_client, jinshan, existing):
    response = zhujing_client.post(reverse("registry:person_create"), form_data(jinshan, confirm_not_duplicate="on"))
    assert response.status_code == 302
    created = Person.objects.exclude(pk=existing.pk).get()
    assert (created.name, created.employer) == ("王志强", "金山石化总厂")


def test_form_without_a_candidate_saves_at_once(zhujing_client, jinshan, existing):
    response = zhujing_client.post(reverse("registry:person_create"), form_data(jinshan, birth_date="1950-03-03"))
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_town_user_sees_a_candidate_in_another_town_only_as_a_count(zhujing_client, jinshan):
    other = PersonFactory(
        federation=jinshan.shihua,
        name="陳國華",
        sex="M",
        birth_date=BIRTH,
        id_number=resident_id(BIRTH, serial=77),
        phone="+8613766665555",
    )
    response = zhujing_client.post(reverse("registry:person_create"), form_data(jinshan, name="陈国华"))
    assert response.status_code == 200 and Person.objects.count() == 1
    body = response.content.decode()
    assert "石化街道已有 1 名疑似同一人（姓名与出生日期相同）" in body
    assert "陳國華" not in body
    assert reverse("registry:person_detail", args=[other.pk]) not in body
    assert other.id_number.masked not in body and other.phone.masked not in body
    assert 'name="confirm_not_duplicate"' in body


def test_repeated_id_number_is_refused_and_its_candidate_shown(zhujing_client, jinshan, existing):
    number = existing.id_number.reveal()
    response = zhujing_client.post(
        reverse("registry:person_create"),
        form_data(jinshan, name="王志刚", id_number=number, confirm_not_duplicate="on"),
    )
    assert response.status_code == 200 and Person.objects.count() == 1
    body = response.content.decode()
    assert "该证件号码已在侨情库中登记" in body and "证件号码相同" in body
    assert reverse("registry:person_detail", args=[existing.pk]) in body
    assert 'name="confirm_not_duplicate"' not in body  # no confirmation overrides it


def test_edit_checks_too_but_not_against_the_person_itself(zhujing_client, jinshan, existing):
    url = reverse("registry:person_edit", args=[existing.pk])
    assert zhujing_client.post(url, form_data(jinshan, employer="金山区图书馆")).status_code == 302
    other = PersonFactory(federation=jinshan.zhujing, name="王志强", sex="M", birth_date=dt.date(1950, 3, 3))
    response = zhujing_client.post(reverse("registry:person_edit", args=[other.pk]), form_data(jinshan))
    assert response.status_code == 200
    assert reverse("registry:person_detail", args=[existing.pk]) in response.content.decode()
    other.refresh_from_db()
    assert other.birth_date == dt.date(1950, 3, 3)
    confirmed = zhujing_client.post(
        reverse("registry:person_edit", args=[other.pk]), form_data(jinshan, confirm_not_duplicate="on")
    )
    assert confirmed.status_code == 302
    other.refresh_from_db()
    assert other.birth_date == BIRTH


def test_edit_compares_the_stored_phone_when_left_empty(zhujing_client, jinshan, existing):
    other = PersonFactory(
        federation=jinshan.zhujing, name="王志强", sex="M", birth_date=dt.date(1971, 1, 1), phone="+8613800001111"
    )
    data = form_data(jinshan, birth_date="1971-01-01", id_number="")
    response = zhujing_client.post(reverse("registry:person_edit", args=[other.pk]), data)
    assert response.status_code == 200
    assert "姓名与电话相同" in response.content.decode()


# The import ------------------------------------------------------------------------------------


def test_import_row_matching_a_person_is_warned_and_still_imported(client, jinshan, django_capture_on_commit_callbacks):
    zhujing = jinshan.user("zhujing")
    rows = [person_row(i, 所属侨联="朱泾镇侨联") for i in range(4)]
    visible = PersonFactory(
        federation=jinshan.zhujing,
        name=rows[0]["姓名"],
        sex="M",
        birth_date=dt.date(1960, 1, 1),
        phone="+86" + rows[0]["手机"],
    )
    hidden = PersonFactory(
        federation=jinshan.shihua, name=rows[1]["姓名"], sex="F", birth_date=rows[1]["出生日期"], phone="+8613700000001"
    )
    batch = check(zhujing, "名单.xlsx", workbook(rows), django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.CHECKED
    assert (batch.valid_rows, batch.invalid_rows, batch.duplicate_rows, batch.warned_rows) == (4, 0, 0, 2)
    warnings = {issue.row_number: issue for issue in batch.issues.all()}
    assert set(warnings) == {2, 3} and all(i.is_warning and not i.is_duplicate for i in warnings.values())
    assert f"编号 {visible.pk}" in warnings[2].reason and "姓名与电话相同" in warnings[2].reason
    assert warnings[3].reason.startswith("石化街道已有 1 名疑似同一人（姓名与出生日期相同）")
    assert str(hidden.pk) not in warnings[3].reason
    assert list(importing.import_issues(batch=batch, kind="errors")) == []

    client.force_login(zhujing)
    page = client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    assert "疑似重复，仍导入" in page and 'data-warning="true"' in page and "table-warning" in page
    only = client.get(reverse("registry:import_detail", args=[batch.pk]), {"kind": "warnings"}).content.decode()
    assert "疑似重复（仍导入）" in only and only.count('data-warning="true"') == 2

    batch = commit(zhujing, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE, batch.message
    assert batch.imported_rows == 4 and batch.warned_rows == 2
    assert not batch.rejects_file  # warned rows are not rejected
    assert Person.objects.filter(import_batch=batch).count() == 4
    assert batch.issues.filter(is_warning=True).count() == 2


def test_import_row_with_a_known_id_number_is_still_a_duplicate_not_a_warning(
    jinshan, django_capture_on_commit_callbacks
):
    row = person_row(5, 所属侨联="朱泾镇侨联")
    PersonFactory(federation=jinshan.shihua, name=row["姓名"], birth_date=row["出生日期"], id_number=row["证件号码"])
    batch = check(jinshan.user("zhujing"), "名单.xlsx", workbook([row]), django_capture_on_commit_callbacks)
    assert (batch.valid_rows, batch.duplicate_rows, batch.warned_rows) == (0, 1, 0)
    issue = batch.issues.get()
    assert issue.is_duplicate and not issue.is_warning
