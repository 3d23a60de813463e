import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.core import paging
from qiaolian.core.paging import keyset_page
from qiaolian.registry import selectors
from qiaolian.registry.forms import PersonFilterForm
from qiaolian.registry.models import Person
from qiaolian.registry.tests.factories import OverseasTieFactory, PersonFactory, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhujing_client(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    return client


def names_in(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("query", ["陈国华", "陳國華", "cgh", "CGH", "chenguo", "chenguohua", "陈"])
def test_search_by_characters_pinyin_and_initials(zhujing_client, jinshan, query):
    person = PersonFactory(federation=jinshan.zhujing, name="陈国华")
    PersonFactory(federation=jinshan.zhujing, name="王志强")
    page = names_in(zhujing_client.get(reverse("registry:person_list"), {"q": query}))
    assert reverse("registry:person_detail", args=[person.pk]) in page
    assert "王志强" not in page


def test_search_by_exact_id_number_and_phone(zhujing_client, jinshan):
    number = resident_id(dt.date(1950, 3, 2))
    person = PersonFactory(
        federation=jinshan.zhujing,
        name="李秀英",
        id_number=number,
        birth_date=dt.date(1950, 3, 2),
        phone="+8613912345678",
    )
    url = reverse("registry:person_detail", args=[person.pk])
    assert url in names_in(zhujing_client.get(reverse("registry:person_list"), {"q": number.lower()}))
    assert url in names_in(zhujing_client.get(reverse("registry:person_list"), {"q": "139 1234 5678"}))
    assert url not in names_in(zhujing_client.get(reverse("registry:person_list"), {"q": "13912345679"}))


def test_filters_category_age_hardship_country_and_archived(zhujing_client, jinshan):
    old = PersonFactory(
        federation=jinshan.zhujing,
        name="高龄归侨",
        category="returnee",
        birth_date=dt.date(1930, 1, 1),
        id_number=resident_id(dt.date(1930, 1, 1)),
        is_in_hardship=True,
        hardship_types=["elderly"],
        returned_from="ID",
    )
    young = PersonFactory(
        federation=jinshan.zhujing,
        name="年轻侨眷",
        category="relative",
        birth_date=dt.date(2000, 1, 1),
        id_number=resident_id(dt.date(2000, 1, 1)),
    )
    OverseasTieFactory(person=young, country="CA")
    gone = PersonFactory(federation=jinshan.zhujing, name="归档人员", is_archived=True, archived_reason="迁出")
    url = reverse("registry:person_list")

    def shown(**params):
        page = names_in(zhujing_client.get(url, params))
        return {p.name for p in (old, young, gone) if reverse("registry:person_detail", args=[p.pk]) in page}

    assert shown() == {"高龄归侨", "年轻侨眷"}
    assert shown(category="returnee") == {"高龄归侨"}
    assert shown(age="80-") == {"高龄归侨"}
    assert shown(age="18-34") == {"年轻侨眷"}
    assert shown(hardship="yes") == {"高龄归侨"}
    assert shown(country="CA") == {"年轻侨眷"}
    assert shown(country="ID") == {"高龄归侨"}
    assert shown(archived="on") == {"高龄归侨", "年轻侨眷", "归档人员"}


def test_list_pages_with_keyset_cursor(zhujing_client, jinshan):
    for i in range(30):
        PersonFactory(federation=jinshan.zhujing, name=f"测试{i:02d}")
    first = zhujing_client.get(reverse("registry:person_list"))
    page = first.context["page"]
    assert len(page.rows) == 25 and page.next_cursor and page.total == 30
    second = zhujing_client.get(reverse("registry:person_list"), {"cursor": page.next_cursor})
    rows = second.context["page"].rows
    assert len(rows) == 5
    assert not {p.pk for p in page.rows} & {p.pk for p in rows}
    back = zhujing_client.get(reverse("registry:person_list"), {"cursor": second.context["page"].prev_cursor})
    assert [p.pk for p in back.context["page"].rows] == [p.pk for p in page.rows]


def test_create_person_through_the_form(zhujing_client, jinshan):
    number = resident_id(dt.date(1948, 5, 6))
    response = zhujing_client.post(
        reverse("registry:person_create"),
        {
            "federation": jinshan.zhujing.pk,
            "name": "黄丽娟",
            "sex": "M",
            "id_type": "resident_id",
            "id_number": number,
            "category": "relative",
            "nationality": "CN",
            "living_status": "living",
            "verification": "self_reported",
            "source": "staff",
            "phone": "13812345678",
        },
    )
    person = Person.objects.get(name="黄丽娟")
    assert response.status_code == 302 and response["Location"] == reverse("registry:person_detail", args=[person.pk])
    assert person.birth_date == dt.date(1948, 5, 6)


def test_bad_input_is_shown_inline_and_nothing_is_saved(zhujing_client, jinshan):
    valid = resident_id(dt.date(1950, 3, 2))
    bad_number = valid[:-1] + ("1" if valid[-1] != "1" else "2")
    response = zhujing_client.post(
        reverse("registry:person_create"),
        {
            "federation": jinshan.shihua.pk,
            "name": "",
            "sex": "M",
            "id_type": "resident_id",
            "id_number": bad_number,
            "category": "returnee",
            "nationality": "CN",
            "living_status": "deceased",
            "verification": "self_reported",
            "source": "staff",
            "phone": "123",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"federation", "name", "id_number", "phone", "deceased_on", "returned_from"}
    body = response.content.decode()
    assert "请修改标红的内容后再保存" in body and "请填写姓名" in body
    assert Person.objects.count() == 0


def test_edit_keeps_protected_values_when_left_empty(zhujing_client, jinshan):
    number = resident_id(dt.date(1960, 1, 1))
    person = PersonFactory(
        federation=jinshan.zhujing,
        name="周文博",
        id_number=number,
        birth_date=dt.date(1960, 1, 1),
        phone="+8613800001111",
    )
    form = zhujing_client.get(reverse("registry:person_edit", args=[person.pk]))
    assert number not in form.content.decode() and "已登记：310228" in form.content.decode()
    data = {
        "federation": jinshan.zhujing.pk,
        "name": "周文博",
        "sex": "M",
        "birth_date": "1960-01-01",
        "id_type": "resident_id",
        "id_number": "",
        "category": "relative",
        "nationality": "CN",
        "living_status": "living",
        "verification": "verified",
        "source": "staff",
        "employer": "金山区图书馆",
    }
    response = zhujing_client.post(reverse("registry:person_edit", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.id_number.reveal() == number and person.phone.reveal() == "+8613800001111"
    assert person.employer == "金山区图书馆"


def test_reveal_returns_plain_value_and_audits(zhujing_client, jinshan):
    number = resident_id(dt.date(1960, 1, 1))
    person = PersonFactory(federation=jinshan.zhujing, id_number=number, birth_date=dt.date(1960, 1, 1))
    detail = zhujing_client.get(reverse("registry:person_detail", args=[person.pk]))
    assert number not in detail.content.decode() and "310228********" in detail.content.decode()
    response = zhujing_client.post(reverse("registry:person_reveal", args=[person.pk, "id_number"]))
    assert number in response.content.decode()
    assert AuditEntry.objects.filter(action=Action.REVEAL, target_id=str(person.pk), data__field="id_number").exists()
    assert zhujing_client.post(reverse("registry:person_reveal", args=[person.pk, "notes"])).status_code == 404


def test_archive_with_reason_then_restore(zhujing_client, jinshan):
    person = PersonFactory(federation=jinshan.zhujing)
    empty = zhujing_client.post(reverse("registry:person_archive", args=[person.pk]), {"reason": ""})
    assert empty.status_code == 200 and "reason" in empty.context["form"].errors
    zhujing_client.post(reverse("registry:person_archive", args=[person.pk]), {"reason": "重复登记"})
    person.refresh_from_db()
    assert person.is_archived
    assert zhujing_client.get(reverse("registry:person_detail", args=[person.pk])).status_code == 200
    zhujing_client.post(reverse("registry:person_restore", args=[person.pk]))
    person.refresh_from_db()
    assert not person.is_archived


def test_export_downloads_masked_workbook_and_is_audited(zhujing_client, jinshan):
    PersonFactory(federation=jinshan.zhujing, name="出口测试")
    response = zhujing_client.get(reverse("registry:person_export"), {"category": "relative"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.data["filters"] == {"category": "relative"} and entry.data["rows"] == 1


def test_person_history_tab_lists_changes_with_labels(zhujing_client, jinshan):
    from qiaolian.registry import services

    person = PersonFactory(federation=jinshan.zhujing)
    services.person_update(actor=jinshan.user("zhujing"), person=person, data={"employer": "金山石化"})
    page = zhujing_client.get(reverse("registry:person_detail", args=[person.pk]), {"tab": "history"})
    assert "工作单位" in page.content.decode() and "金山石化" in page.content.decode()


def test_overseas_tie_add_edit_delete(zhujing_client, jinshan):
    person = PersonFactory(federation=jinshan.zhujing)
    response = zhujing_client.post(
        reverse("registry:tie_create", args=[person.pk]),
        {
            "name": "陈明",
            "relation": "son",
            "status": "overseas_chinese",
            "country": "AU",
            "city": "悉尼",
            "state": "active",
        },
    )
    assert response.status_code == 302
    tie = person.overseas_ties.get()
    bad = zhujing_client.post(
        reverse("registry:tie_edit", args=[tie.pk]),
        {
            "name": "陈明",
            "relation": "support",
            "support_years": 2,
            "status": "overseas_chinese",
            "country": "AU",
            "state": "active",
        },
    )
    assert "5年以上" in bad.content.decode()
    zhujing_client.post(reverse("registry:tie_delete", args=[tie.pk]))
    assert person.overseas_ties.count() == 0


# The list page on a large registry: bounded queries, stable keyset order, index-served orders,
# the estimated total (PostgreSQL) and the filter form's selects.


def _list_queries(client, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("registry:person_list"), params or {})
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_list_page_queries_do_not_grow_with_the_persons_shown(zhujing_client, jinshan):
    for i in range(3):
        PersonFactory(federation=jinshan.zhujing, name=f"少量{i}")
    few = _list_queries(zhujing_client)
    for i in range(40):
        PersonFactory(federation=jinshan.zhujing if i % 2 else jinshan.zhujing_village, name=f"大量{i:02d}")
    many = _list_queries(zhujing_client)
    second = zhujing_client.get(reverse("registry:person_list")).context["page"]
    next_page = _list_queries(zhujing_client, {"cursor": second.next_cursor})
    # a full page costs one count more than a page that holds the whole result, and no query per row
    assert len(many) == len(few) + 1
    assert len(next_page) == len(many)
    assert sum("registry_person" in sql for sql in many) == 2
    assert len(many) <= 12


@pytest.mark.parametrize("sort", ["pinyin", "newest", "updated"])
def test_every_order_is_stable_through_next_and_prev_pages(zhujing_client, jinshan, sort):
    persons = [PersonFactory(federation=jinshan.zhujing, name="同名") for _ in range(27)]
    persons += [PersonFactory(federation=jinshan.zhujing, name=f"甲{i:02d}") for i in range(27)]
    same = dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)
    Person.objects.filter(pk__in=[p.pk for p in persons[::2]]).update(created_at=same, updated_at=same)
    url = reverse("registry:person_list")
    pages = [zhujing_client.get(url, {"sort": sort}).context["page"]]
    while pages[-1].next_cursor:
        pages.append(zhujing_client.get(url, {"sort": sort, "cursor": pages[-1].next_cursor}).context["page"])
    seen = [p.pk for page in pages for p in page.rows]
    order = {"pinyin": ("name_pinyin", "id"), "newest": ("-created_at", "-id"), "updated": ("-updated_at", "-id")}
    assert seen == list(Person.objects.order_by(*order[sort]).values_list("pk", flat=True))
    assert len(pages) == 3
    back = zhujing_client.get(url, {"sort": sort, "cursor": pages[-1].prev_cursor}).context["page"]
    assert [p.pk for p in back.rows] == [p.pk for p in pages[-2].rows]
    assert all(page.total == 54 and not page.total_is_estimate for page in pages)


def test_filter_selects_keep_the_choice_and_offer_only_visible_federations(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    html = client.get(reverse("registry:person_list"), {"country": "CA", "sort": "newest"}).content.decode()
    assert '<option value="CA" selected>' in html
    assert '<option value="US">' in html
    assert '<option value="newest" selected>' in html
    assert f'<option value="{jinshan.zhujing.pk}">' in html
    assert f'<option value="{jinshan.shihua.pk}">' not in html  # another town's federation


def test_list_shows_an_exact_total_for_a_small_result(zhujing_client, jinshan):
    for i in range(30):
        PersonFactory(federation=jinshan.zhujing, name=f"测试{i:02d}")
    page = names_in(zhujing_client.get(reverse("registry:person_list")))
    assert "共 30 条" in page and "约 30 条" not in page


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner and statistics")


@pytest.mark.postgres
@postgres_only
def test_a_large_total_is_the_planners_estimate_on_postgresql(client, jinshan, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 10)
    monkeypatch.setattr(paging, "ESTIMATE_FROM", 5)
    for i in range(40):
        PersonFactory(federation=jinshan.zhujing, name=f"测试{i:02d}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_person")
    client.force_login(jinshan.user("admin"))
    response = client.get(reverse("registry:person_list"))
    page = response.context["page"]
    assert page.total_is_estimate and page.total == 40 and len(page.rows) == 25
    assert "约 40 条" in response.content.decode()
    searched = client.get(reverse("registry:person_list"), {"q": "测试01"}).context["page"]
    assert (searched.total, searched.total_is_estimate) == (1, False)


def _plan_nodes(plan: dict) -> list[dict]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += _plan_nodes(child)
    return nodes


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize("sort", ["pinyin", "newest", "updated"])
def test_list_orders_are_read_from_an_index_from_the_cursor_on(jinshan, sort):
    """No Sort of all rows for any order, and a later page starts its index scan at the cursor."""
    for i in range(30):
        PersonFactory(federation=jinshan.zhujing, name=f"测试{i:02d}")
    user = jinshan.user("admin")
    order = PersonFilterForm.SORTS[sort]
    persons = selectors.person_list(user=user)
    cursor = keyset_page(persons, order=order).next_cursor
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SET LOCAL enable_seqscan = off")  # a small test table: plan as for a large one
        c.execute("SET LOCAL enable_bitmapscan = off")
        with CaptureQueriesContext(connection) as queries:
            keyset_page(persons, order=order, cursor=cursor)
        captured = [q["sql"] for q in queries.captured_queries if "LIMIT 26" in q["sql"]]
        assert len(captured) == 1
        c.execute("EXPLAIN (FORMAT JSON) " + captured[0])
        plan = c.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes = _plan_nodes(plan[0]["Plan"])
    assert not [n for n in nodes if n["Node Type"] == "Sort"], nodes
    scans = [n for n in nodes if n.get("Relation Name") == "registry_person"]
    assert scans and scans[0]["Node Type"] in ("Index Scan", "Index Only Scan")
    column = order[0].lstrip("-")
    assert column in scans[0].get("Index Cond", ""), scans[0]
