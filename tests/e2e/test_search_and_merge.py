"""Browser flows of the search box and of duplicate review.

- The district admin finds a person from the top bar's search box by name, pinyin initials and
  full ID number and opens the record; a town user finds nothing of another town's person.
- The linkage (run directly, as the background job would) puts a person registered twice in
  the review queue; the admin compares the pair, merges it, sees the merged record's relatives
  and activities on the survivor's page, then undoes the merge and sees everything back.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from qiaolian.activities import services as activity_services
from qiaolian.linkage import services as linkage_services
from qiaolian.linkage.models import CandidatePair, Merge, PairStatus
from qiaolian.registry.models import Person
from qiaolian.registry.tests.factories import OverseasTieFactory, PersonFactory, resident_id
from qiaolian.reports.tests.factories import activity

TOP_SEARCH = "查找人员、侨企、案件、活动"


def _top_search(page):
    return page.get_by_placeholder(TOP_SEARCH)


def _suggestions(page):
    return page.locator(".ql-search-slot .ql-search-suggest")


@pytest.fixture
def zhong(jinshan):
    """A 归侨 of 朱泾镇 with a rare name (initials zyx), and someone of 石化街道 for the control."""
    birth = dt.date(1948, 5, 6)
    number = resident_id(birth, male=False)
    person = PersonFactory(
        federation=jinshan.zhujing,
        name="钟毓秀",
        sex="F",
        birth_date=birth,
        id_number=number,
        category="returnee",
        returned_from="ID",
        returned_year=1960,
    )
    PersonFactory(federation=jinshan.shihua, name="蔡文彬")
    return person, number


def test_admin_finds_a_person_by_name_initials_and_id_number_and_a_town_user_does_not(
    zhong, login, live_server, page, results_dir
):
    person, number = zhong
    login("admin")

    # the name, from the dropdown under the top bar's box, straight to the record
    _top_search(page).fill("钟毓秀")
    suggestions = _suggestions(page)
    expect(suggestions.get_by_role("option", name=re.compile("钟毓秀"))).to_be_visible()
    expect(suggestions).to_contain_text("朱泾镇")
    suggestions.get_by_role("option", name=re.compile("钟毓秀")).click()
    expect(page.get_by_role("heading", name="钟毓秀")).to_be_visible()
    assert page.url.endswith(person.get_absolute_url())

    # pinyin initials, then the results page (Enter)
    _top_search(page).fill("zyx")
    _top_search(page).press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=zyx"))
    results = page.locator("#results")
    expect(results.get_by_role("link", name=re.compile("钟毓秀"))).to_be_visible()
    expect(results.get_by_text("蔡文彬")).to_have_count(0)

    # the full ID number: found by its keyed hash, shown masked
    _top_search(page).fill(number)
    _top_search(page).press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=\d{17}"))
    hit = page.locator("#results").get_by_role("link", name=re.compile("钟毓秀"))
    expect(hit).to_be_visible()
    expect(hit).to_contain_text(number[:6] + "********" + number[-4:])
    expect(hit).not_to_contain_text(number)
    page.screenshot(path=str(results_dir / "search-by-id-number.png"), full_page=True)
    hit.click()
    expect(page.get_by_role("heading", name="钟毓秀")).to_be_visible()

    # 石化街道 finds its own person, never 朱泾镇's: not in the dropdown, not on the results page
    page.context.clear_cookies()
    login("shihua")
    _top_search(page).fill("蔡文彬")
    expect(_suggestions(page).get_by_role("option", name=re.compile("蔡文彬"))).to_be_visible()
    _top_search(page).fill("钟毓秀")
    expect(_suggestions(page)).to_contain_text("没有符合条件的记录")
    expect(_suggestions(page).get_by_role("option", name=re.compile("钟毓秀"))).to_have_count(0)
    _top_search(page).press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    expect(page.locator("#results")).to_contain_text("没有符合条件的记录")
    expect(page.locator("#results").get_by_text("钟毓秀")).to_have_count(0)
    for query in ("zyx", number):
        page.goto(f"{live_server.url}/search/?q={query}")
        expect(page.locator("#results").get_by_text("钟毓秀")).to_have_count(0)


@pytest.fixture
def registered_twice(jinshan):
    """陈国华 of 朱泾镇, registered again by 石化街道 as 陳國華 (no ID number, the same phone), with
    a daughter in Australia and a tea party recorded on the second record only."""
    birth = dt.date(1952, 8, 15)
    first = PersonFactory(
        federation=jinshan.zhujing, name="陈国华", birth_date=birth, phone="+8613916668888", category="returnee"
    )
    OverseasTieFactory(person=first, name="陈志明", relation="son", country="US", city="旧金山")
    second = PersonFactory(
        federation=jinshan.shihua,
        name="陳國華",
        birth_date=birth,
        id_number="",
        phone="+8613916668888",
        category="returnee",
        address="上海市金山区石化街道卫零路100弄1号101室",
    )
    OverseasTieFactory(person=second, name="陈丽华", relation="daughter", country="AU", city="悉尼")
    party = activity(jinshan, jinshan.shihua, "石化街道迎春茶话会", dt.datetime(2026, 1, 20, 9, tzinfo=dt.UTC))
    activity_services.registration_add(actor=jinshan.user("admin"), activity=party, person=second)
    PersonFactory(federation=jinshan.zhujing, name="王芳", birth_date=dt.date(1970, 1, 5), sex="F")
    PersonFactory(federation=jinshan.shihua, name="王芳", birth_date=dt.date(1985, 6, 1), sex="F")
    return first, second


def _tab(page, live_server, person: Person, tab: str):
    page.goto(f"{live_server.url}{person.get_absolute_url()}?tab={tab}")
    return page.locator("#tab-body")


def test_admin_merges_a_pair_from_the_review_queue_and_undoes_it(
    jinshan, registered_twice, login, live_server, page, results_dir
):
    first, second = registered_twice
    run = linkage_services.linkage_run_for_operator(federation=jinshan.district)
    pair = CandidatePair.objects.get(run=run)  # the namesakes 王芳 are not paired
    assert (pair.person_a_id, pair.person_b_id) == (first.pk, second.pk)
    page.on("dialog", lambda dialog: dialog.accept())  # the merge and undo buttons ask first

    login("admin")
    page.get_by_role("link", name="查重合并").click()
    row = page.locator("tbody tr").filter(has_text="陳國華")
    expect(row).to_contain_text("陈国华")
    expect(row).to_contain_text("朱泾镇")
    expect(row).to_contain_text("石化街道")
    for badge in ("姓名相同", "出生日期相同", "电话相同"):
        expect(row).to_contain_text(badge)
    expect(page.locator("tbody tr").filter(has_text="王芳")).to_have_count(0)
    page.screenshot(path=str(results_dir / "linkage-queue.png"), full_page=True)

    row.get_by_role("link", name="比对").click()
    expect(page.get_by_role("heading", name="疑似重复比对")).to_be_visible()
    expect(page.locator("tr.table-success").filter(has_text="出生日期")).to_have_count(1)
    page.get_by_label("保留哪一条记录").select_option("a")  # 陈国华, the first record
    page.get_by_role("button", name="合并").click()

    expect(page.get_by_role("heading", name="陳國華 → 陈国华")).to_be_visible()
    expect(page.get_by_text("已合并：陳國華 的记录已转到 陈国华，原记录已归档。")).to_be_visible()
    moved = page.locator("table").filter(has_text="数据类型")
    expect(moved).to_contain_text("海外亲属")
    expect(moved).to_contain_text("参与登记")
    expect(moved).to_contain_text("国内亲属")  # the field, by its label
    merge_url = page.url
    merge = Merge.objects.get()
    assert (merge.survivor_id, merge.merged_id) == (first.pk, second.pk)

    # the survivor's page shows the second record's relative and activity; the second is archived
    relatives = _tab(page, live_server, first, "relatives")
    expect(relatives).to_contain_text("陈丽华")
    expect(relatives).to_contain_text("陈志明")
    expect(_tab(page, live_server, first, "activities")).to_contain_text("石化街道迎春茶话会")
    page.screenshot(path=str(results_dir / "merged-survivor-activities.png"), full_page=True)
    _tab(page, live_server, second, "relatives")
    expect(page.get_by_text(re.compile("已归档：与 陈国华 合并"))).to_be_visible()
    expect(page.locator("#tab-body")).to_contain_text("没有登记海外亲属")

    # undo: every record back on the second person, which is live again, and the pair pending
    page.goto(merge_url)
    page.get_by_role("button", name="撤销合并").click()
    expect(page.get_by_text("已撤销合并，两人的记录已恢复原状。")).to_be_visible()
    expect(page.get_by_role("button", name="撤销合并")).to_have_count(0)
    relatives = _tab(page, live_server, first, "relatives")
    expect(relatives).to_contain_text("陈志明")
    expect(relatives).not_to_contain_text("陈丽华")
    expect(_tab(page, live_server, first, "activities")).to_contain_text("尚无活动参与记录")
    expect(_tab(page, live_server, second, "relatives")).to_contain_text("陈丽华")
    expect(page.get_by_text(re.compile("已归档"))).to_have_count(0)
    expect(_tab(page, live_server, second, "activities")).to_contain_text("石化街道迎春茶话会")

    page.get_by_role("link", name="查重合并").click()
    expect(page.locator("tbody tr").filter(has_text="陳國華")).to_contain_text("待审核")
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING
    assert not Person.objects.get(pk=second.pk).is_archived
