"""The search box: what matches what, for whom, on the page and through the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja.testing import TestClient

from qiaolian.casework import services as case_services
from qiaolian.search import selectors
from qiaolian.search.api import router
from qiaolian.search.selectors import parse_query, search

pytestmark = pytest.mark.django_db

KINDS = ("person", "enterprise", "case", "activity")


def ids(results, kind: str) -> set[int]:
    return {hit.id for group in results.groups if group.kind == kind for hit in group.hits}


def found(user, query: str, kind: str) -> set[int]:
    return ids(search(user=user, query=query), kind)


# What matches what -------------------------------------------------------------------------------


def test_simplified_query_finds_a_name_written_in_traditional_and_back(jinshan, towns):
    staff, z = jinshan.user("zhujing"), towns["zhujing"]
    assert found(staff, "陈国华", "person") == {z.chen.pk}
    assert found(staff, "陳國華", "person") == {z.chen.pk}
    assert found(staff, "張偉", "person") == {z.zhang_wei.pk}
    # the enterprise's name was typed in traditional: 機械
    assert found(staff, "精密机械", "enterprise") == {z.enterprise.pk}
    assert found(staff, "精密機械", "enterprise") == {z.enterprise.pk}
    # titles too: 補償 / 諮詢
    assert found(staff, "拆遷補償", "case") == {z.case.pk}
    assert found(staff, "宣傳諮詢", "activity") == {z.activity.pk}


@pytest.mark.parametrize("query", ["国华", "國華", "华", "阳明月", "明月"])
def test_chinese_matches_anywhere_in_the_name_not_only_the_start(jinshan, towns, query):
    staff, z = jinshan.user("zhujing"), towns["zhujing"]
    assert found(staff, query, "person") & {z.chen.pk, z.ouyang.pk}
    assert z.zhang_wei.pk not in found(staff, query, "person")


def test_enterprise_case_and_activity_match_anywhere_in_name_or_title(jinshan, towns):
    staff, z = jinshan.user("zhujing"), towns["zhujing"]
    assert found(staff, "金山精密", "enterprise") == {z.enterprise.pk}
    assert found(staff, "有限公司", "enterprise") == {z.enterprise.pk}
    assert found(staff, "机械", "enterprise") == {z.enterprise.pk}
    assert found(staff, "补偿争议", "case") == {z.case.pk}
    assert found(staff, "老宅", "case") == {z.case.pk}
    assert found(staff, "进社区", "activity") == {z.activity.pk}
    assert found(staff, "咨询", "activity") == {z.activity.pk}
    assert not found(staff, "不存在的企业", "enterprise")


@pytest.mark.parametrize("query", ["zhangwei", "ZhangWei", "zhang wei", "zw", "ZW", "angwe"])
def test_full_pinyin_its_middle_and_initials_find_the_person(jinshan, towns, query):
    staff, z = jinshan.user("zhujing"), towns["zhujing"]
    assert z.zhang_wei.pk in found(staff, query, "person")
    assert z.chen.pk not in found(staff, query, "person")


def test_pinyin_finds_names_titles_and_the_foreign_name(jinshan, towns):
    staff, z = jinshan.user("zhujing"), towns["zhujing"]
    assert found(staff, "ouyang", "person") == {z.ouyang.pk}
    assert found(staff, "mingyue", "person") == {z.ouyang.pk}
    assert found(staff, "oymy", "person") == {z.ouyang.pk}
    assert found(staff, "chenguohua", "person") == {z.chen.pk}  # pinyin of the simplified form
    assert found(staff, "jingmijixie", "enterprise") == {z.enterprise.pk}
    assert found(staff, "shjs", "enterprise") == {z.enterprise.pk}
    assert found(staff, "chaiqian", "case") == {z.case.pk}
    assert found(staff, "gqlz", "case") == {z.case.pk}
    assert found(staff, "qiaofa", "activity") == {z.activity.pk}
    assert found(staff, "qfxc", "activity") == {z.activity.pk}


def test_resident_id_with_a_lower_case_x_is_found_by_its_keyed_hash(jinshan, towns):
    staff, z = jinshan.user("zhujing"), towns["zhujing"]
    number = z.zhang_wei.id_number.reveal()
    assert number.endswith("X")
    assert found(staff, number.lower(), "person") == {z.zhang_wei.pk}
    assert found(staff, f" {number[:6]} {number[6:14]} {number[14:]} ", "person") == {z.zhang_wei.pk}
    assert not found(staff, number[:17] + "1", "person")  # one digit off finds nothing
    parsed = parse_query(number.lower())
    assert parsed.id_hash and not parsed.han and not parsed.latin


@pytest.mark.parametrize("query", ["E12345678", "e1234 5678", "Ｅ１２３４５６７８"])
def test_passport_or_permit_number_is_found_by_its_keyed_hash(jinshan, towns, query):
    from qiaolian.registry.tests.factories import PersonFactory

    z = towns["zhujing"]
    holder = PersonFactory(
        federation=z.zhang_wei.federation,
        name="林美华",
        category="foreign_chinese",
        id_type="passport",
        id_number="E12345678",
    )
    assert found(jinshan.user("zhujing"), query, "person") == {holder.pk}
    assert parse_query(query).id_hash and not parse_query(query).latin
    assert not found(jinshan.user("zhujing"), "E12345679", "person")
    assert not found(jinshan.user("shihua"), query, "person")  # another town's holder stays unseen


@pytest.mark.parametrize(
    "query", ["13912345678", "139 1234 5678", "+86 139 1234 5678", "+86-139-1234-5678", "008613912345678"]
)
def test_phone_in_any_usual_writing_finds_person_enterprise_and_case(jinshan, towns, query):
    staff, z = jinshan.user("zhujing"), towns["zhujing"]
    results = search(user=staff, query=query)
    assert ids(results, "person") == {z.zhang_wei.pk}
    assert ids(results, "enterprise") == {z.enterprise.pk}
    assert ids(results, "case") == {z.case.pk}
    assert not ids(results, "activity")


def test_credit_code_and_case_number_are_exact_lookups(jinshan, towns):
    staff, z = jinshan.user("zhujing"), towns["zhujing"]
    assert found(staff, z.enterprise.credit_code, "enterprise") == {z.enterprise.pk}
    assert found(staff, z.enterprise.credit_code.lower(), "enterprise") == {z.enterprise.pk}
    assert found(staff, z.case.number, "case") == {z.case.pk}
    assert found(staff, z.case.number.lower(), "case") == {z.case.pk}
    assert found(staff, z.case.number.replace("-", ""), "case") == {z.case.pk}
    assert z.case.pk in found(staff, z.case.number.split("-")[0], "case")  # the start of a number


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "请输入要查找的"),
        ("   ", "请输入要查找的"),
        ("z", "关键词太短"),
        ("12345", "请输入完整的证件号码"),
        ("1391234567890123", ""),
    ],
)
def test_empty_or_too_short_queries_say_why_and_search_nothing(jinshan, towns, client, query, message):
    staff = jinshan.user("staff")
    results = search(user=staff, query=query)
    assert results.problem and message in results.problem
    assert not results.total_hits
    client.force_login(staff)
    response = client.get(reverse("search:results"), {"q": query})
    assert response.status_code == 200
    assert results.problem in response.content.decode()


# Who sees what ----------------------------------------------------------------------------------

QUERIES = {
    "person": ["张伟", "zhangwei", "zw", "陈国华", "国华", "阳明月"],
    "enterprise": ["精密机械", "机械", "jingmi"],
    "case": ["拆迁补偿", "老宅", "chaiqian"],
    "activity": ["侨法宣传", "咨询", "qiaofa"],
}


@pytest.mark.parametrize("kind", KINDS)
def test_town_user_never_finds_another_towns_records(jinshan, towns, kind):
    for town, other in (("zhujing", "shihua"), ("shihua", "zhujing")):
        user = jinshan.user(town)
        mine = _record_ids(towns[town], kind)
        theirs = _record_ids(towns[other], kind)
        for query in QUERIES[kind]:
            got = found(user, query, kind)
            assert got and got <= mine, (town, query, got)
            assert not got & theirs
    # exact lookups of the other town's ID number and phone find nothing either
    zhujing = jinshan.user("zhujing")
    shihua_person = towns["shihua"].zhang_wei
    assert not search(user=zhujing, query=shihua_person.id_number.reveal()).total_hits
    assert not search(user=zhujing, query=shihua_person.phone.reveal()).total_hits
    assert not search(user=zhujing, query=towns["shihua"].enterprise.credit_code).total_hits
    assert not search(user=zhujing, query=towns["shihua"].case.number).total_hits


def _record_ids(town, kind: str) -> set[int]:
    if kind == "person":
        return {town.zhang_wei.pk, town.chen.pk, town.ouyang.pk}
    return {getattr(town, kind).pk}


@pytest.mark.parametrize("kind", KINDS)
def test_district_user_finds_both_towns(jinshan, towns, kind):
    staff = jinshan.user("staff")
    query = QUERIES[kind][0]
    got = found(staff, query, kind)
    assert got & _record_ids(towns["zhujing"], kind)
    assert got & _record_ids(towns["shihua"], kind)


def test_town_users_search_page_and_api_show_only_their_town(jinshan, towns, client):
    user = jinshan.user("zhujing")
    client.force_login(user)
    own, other = towns["zhujing"], towns["shihua"]
    api = TestClient(router)
    for kind, queries in QUERIES.items():
        for query in queries[:1]:
            body = client.get(reverse("search:results"), {"q": query, "kind": kind}).content.decode()
            assert _url(own, kind) in body
            assert _url(other, kind) not in body
            data = api.get("/search", query_params={"q": query, "kind": kind}, user=user).json()
            urls = {item["url"] for group in data["groups"] for item in group["items"]}
            assert _url(own, kind) in urls and _url(other, kind) not in urls
            assert {item["kind"] for group in data["groups"] for item in group["items"]} == {kind}


def _url(town, kind: str) -> str:
    record = town.zhang_wei if kind == "person" else getattr(town, kind)
    return record.get_absolute_url()


@pytest.mark.parametrize("role", ["admin", "staff", "zhujing", "station", "leader", "judge", "cppcc", "auditor"])
def test_each_role_finds_only_the_kinds_it_may_view(jinshan, towns, client, role):
    user = jinshan.user(role)
    perms = {
        "person": "registry.view_person",
        "enterprise": "enterprises.view_enterprise",
        "case": "casework.view_case",
        "activity": "activities.view_activity",
    }
    allowed = {kind for kind, perm in perms.items() if user.has_perm(perm)}
    hits_by_query = {
        "person": search(user=user, query="张伟"),
        "enterprise": search(user=user, query="精密机械"),
        "case": search(user=user, query="拆迁补偿"),
        "activity": search(user=user, query="侨法宣传"),
    }
    for kind, results in hits_by_query.items():
        assert {g.kind for g in results.groups} == allowed
        assert bool(ids(results, kind)) == (kind in allowed), (role, kind)
    # the page offers and shows only those kinds; asking for another kind shows nothing of it
    client.force_login(user)
    body = client.get(reverse("search:results"), {"q": "拆迁补偿", "kind": "case"}).content.decode()
    assert (towns["zhujing"].case.get_absolute_url() in body) == ("case" in allowed)
    data = TestClient(router).get("/search", query_params={"q": "拆迁补偿", "kind": "case"}, user=user).json()
    assert bool(data["groups"]) == ("case" in allowed)


def test_a_role_that_cannot_view_cases_exists_and_gets_no_case_group(jinshan, towns):
    roles = [
        r
        for r in ("station", "leader", "judge", "cppcc", "auditor")
        if not jinshan.user(r).has_perm("casework.view_case")
    ]
    assert roles, "the matrix above must cover a role without casework.view_case"
    for role in roles:
        assert "case" not in {g.kind for g in search(user=jinshan.user(role), query="拆迁补偿").groups}


def test_portal_users_and_anonymous_cannot_search(jinshan, towns, client):
    url = reverse("search:results")
    assert client.get(url, {"q": "张伟"}).status_code == 302
    client.force_login(jinshan.user("public"))
    assert client.get(url, {"q": "张伟"}).status_code == 403
    assert client.get(reverse("search:suggest"), {"q": "张伟"}).status_code == 403
    assert not search(user=jinshan.user("public"), query="张伟").groups


# What is shown ------------------------------------------------------------------------------------


def test_results_page_groups_by_kind_with_counts_and_masked_personal_data(jinshan, towns, client):
    client.force_login(jinshan.user("zhujing"))
    z = towns["zhujing"]
    response = client.get(reverse("search:results"), {"q": "13912345678"})
    body = response.content.decode()
    assert response.status_code == 200
    for label in ("侨情人员", "侨企", "诉求案件", "活动"):
        assert label in body
    assert z.zhang_wei.get_absolute_url() in body
    assert z.enterprise.get_absolute_url() in body
    assert z.case.get_absolute_url() in body
    assert "13912345678" not in body.replace('value="13912345678"', "").replace("q=13912345678", "")
    assert str(z.zhang_wei.phone) in body  # the masked form
    assert z.zhang_wei.id_number.reveal() not in body
    # htmx asks for the results only
    partial = client.get(reverse("search:results"), {"q": "张伟"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="results"' in partial and "<html" not in partial


def test_counts_are_capped(jinshan, towns, monkeypatch):
    from qiaolian.registry.tests.factories import PersonFactory

    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    for _ in range(5):
        PersonFactory(federation=jinshan.zhujing, name="张伟")
    results = search(user=jinshan.user("zhujing"), query="张伟", kind="person", limit=2)
    group = results.groups[0]
    assert len(group.hits) == 2
    assert group.count == 3 and group.count_is_capped and group.count_display == "3+"
    exact = search(user=jinshan.user("zhujing"), query="张伟", kind="person", limit=10).groups[0]
    assert exact.count == 6 and not exact.count_is_capped


def test_suggest_dropdown_lists_top_hits_with_links(jinshan, towns, client):
    client.force_login(jinshan.user("zhujing"))
    body = client.get(reverse("search:suggest"), {"q": "张伟"}).content.decode()
    assert towns["zhujing"].zhang_wei.get_absolute_url() in body
    assert towns["shihua"].zhang_wei.get_absolute_url() not in body
    assert "查看全部结果" in body
    assert client.get(reverse("search:suggest"), {"q": ""}).content.decode().strip() == ""


def test_top_bar_has_the_search_box_for_staff(jinshan, client):
    client.force_login(jinshan.user("zhujing"))
    body = client.get(reverse("core:home")).content.decode()
    assert f'action="{reverse("search:results")}"' in body
    assert reverse("search:suggest") in body


# API ------------------------------------------------------------------------------------------------


def test_api_returns_kinds_labels_masked_details_and_urls(jinshan, towns):
    user, z = jinshan.user("zhujing"), towns["zhujing"]
    data = TestClient(router).get("/search", query_params={"q": "+86 139 1234 5678"}, user=user).json()
    assert [g["kind"] for g in data["groups"]] == list(KINDS)
    person = next(g for g in data["groups"] if g["kind"] == "person")
    assert person["count"] == 1 and not person["count_is_capped"]
    item = person["items"][0]
    assert item == {
        "kind": "person",
        "id": z.zhang_wei.pk,
        "label": "张伟",
        "detail": item["detail"],
        "url": z.zhang_wei.get_absolute_url(),
    }
    assert str(z.zhang_wei.phone) in item["detail"] and "13912345678" not in str(data)
    only = TestClient(router).get("/search", query_params={"q": "张伟", "kind": "person"}, user=user).json()
    assert [g["kind"] for g in only["groups"]] == ["person"]


def test_api_rejects_an_empty_query_with_a_message_for_q(jinshan):
    with pytest.raises(ValidationError) as error:
        TestClient(router).get("/search", query_params={"q": " "}, user=jinshan.user("staff"))
    assert "请输入要查找的" in error.value.message_dict["q"][0]


# Keeping the keys in step ------------------------------------------------------------------------


def test_case_title_change_is_found_by_the_new_title_only(jinshan, towns):
    staff, case = jinshan.user("zhujing"), towns["zhujing"].case
    case_services.case_update(actor=staff, case=case, data={"title": "海外亲属遗产继承咨询"})
    assert found(staff, "遗产继承", "case") == {case.pk}
    assert not found(staff, "拆迁补偿", "case")
