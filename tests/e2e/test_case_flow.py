"""Acceptance flow of the case engine: a town user receives a rights-protection case for a person
found in the registry, assigns it, works it, refers it to a government department, records the
department's reply and the resolution, and calls the requester back — 受理 to 回访 through the
pages, with the timeline and the time spent in each state on the case page."""

from playwright.sync_api import expect

from qiaolian.casework.models import Case, CaseEvent
from qiaolian.registry.tests.factories import PersonFactory


def confirm_step(page, tab: str, button: str):
    page.locator("#steps").get_by_role("tab", name=tab, exact=True).click()
    page.get_by_role("button", name=button).click()


def test_rights_case_from_received_to_follow_up(jinshan, login, live_server, results_dir, page):
    PersonFactory(federation=jinshan.zhujing, name="陈国华", category="returnee")

    login("zhujing")
    page.get_by_role("link", name="侨益维护", exact=True).click()
    page.get_by_role("link", name="受理侨益维护").click()
    page.get_by_placeholder("姓名、拼音或首字母").fill("cgh")
    page.locator("#person-results").get_by_role("button", name="陈国华").click()
    expect(page.get_by_test_id("picked-person")).to_contain_text("陈国华")
    page.get_by_label("联系电话").fill("138 1234 5678")
    page.get_by_label("来源渠道").select_option(label="来访")
    page.get_by_label("事由").fill("归侨老宅动迁补偿标准争议")
    page.get_by_label("诉求内容").fill("陈国华反映其父遗留老宅动迁时未按侨房政策计算补偿，请求侨联协调。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("侨益维护须填写“维权类别”。").first).to_be_visible()
    expect(page.get_by_label("事由")).to_have_value("归侨老宅动迁补偿标准争议")  # nothing typed is lost
    expect(page.get_by_test_id("picked-person")).to_contain_text("陈国华")
    page.get_by_label("维权类别").select_option(label="房屋/拆迁补偿")
    page.get_by_label("对方当事人/涉及单位").fill("朱泾镇房屋征收事务所")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="归侨老宅动迁补偿标准争议")).to_be_visible()
    expect(page.get_by_text("138****5678")).to_be_visible()
    page.screenshot(path=str(results_dir / "case-received.png"), full_page=True)

    page.locator("#step-assigned").get_by_label("承办人").select_option(label="zhujing（朱泾镇）")
    page.locator("#step-assigned").get_by_label("说明").fill("由本人承办，先约谈征收事务所。")
    page.get_by_role("button", name="确认分派").click()
    expect(page.get_by_text("分派完成，当前状态“已分派”")).to_be_visible()

    page.get_by_role("button", name="确认开始办理").click()
    expect(page.get_by_text("当前状态“办理中”")).to_be_visible()

    confirm_step(page, "转办", "确认转办")
    expect(page.get_by_text("请填写转办单位。").first).to_be_visible()
    page.locator("#step-referred").get_by_label("转办单位").fill("区住房保障房屋管理局")
    page.get_by_role("button", name="确认转办").click()
    expect(page.get_by_text("当前状态“已转办”")).to_be_visible()

    page.locator("#step-in_progress").get_by_label("部门答复").fill("经核查，已按侨房政策重新核定补偿标准。")
    page.get_by_role("button", name="确认收到答复，继续办理").click()
    expect(page.get_by_text("当前状态“办理中”")).to_be_visible()

    confirm_step(page, "办结", "确认办结")
    page.locator("#step-resolved").get_by_label("办理结果").select_option(label="问题解决")
    page.locator("#step-resolved").get_by_label("办结情况").fill("补偿差额已补足，当事人签收。")
    page.get_by_role("button", name="确认办结").click()
    expect(page.get_by_text("当前状态“已办结”")).to_be_visible()

    page.locator("#step-followed_up").get_by_text("满意", exact=True).click()
    page.locator("#step-followed_up").get_by_label("说明").fill("电话回访，当事人表示满意。")
    page.get_by_role("button", name="确认回访").click()
    expect(page.get_by_text("当前状态“已回访”")).to_be_visible()
    expect(page.get_by_text("本案件已结束，不能再变更状态")).to_be_visible()

    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator(".timeline-event")).to_have_count(7)
    expect(timeline).to_contain_text("区住房保障房屋管理局")
    expect(timeline).to_contain_text("电话回访，当事人表示满意。")
    expect(page.get_by_text("各状态用时")).to_be_visible()
    page.screenshot(path=str(results_dir / "case-followed-up.png"), full_page=True)

    case = Case.objects.get()
    assert case.state == "followed_up" and case.satisfaction == "satisfied" and case.person.name == "陈国华"
    assert list(CaseEvent.objects.filter(case=case).values_list("to_state", flat=True)) == [
        "received",
        "assigned",
        "in_progress",
        "referred",
        "in_progress",
        "resolved",
        "followed_up",
    ]
