"""Acceptance flow of the foundation issue: a town user finds a person by pinyin initials, sees
the ID number masked, reveals it, and the auditor finds the reveal in the audit log."""

import datetime as dt

from playwright.sync_api import expect

from qiaolian.registry.tests.factories import PersonFactory, resident_id


def test_zhujing_reveals_an_id_number_and_the_auditor_sees_it(jinshan, login, live_server, results_dir, page):
    number = resident_id(dt.date(1952, 8, 15))
    person = PersonFactory(
        federation=jinshan.zhujing,
        name="陈国华",
        id_number=number,
        birth_date=dt.date(1952, 8, 15),
        category="returnee",
        returned_from="ID",
    )
    PersonFactory(federation=jinshan.shihua, name="陈国辉")  # same initials, another town

    login("zhujing")
    page.get_by_role("link", name="侨情人员").click()
    page.get_by_placeholder("姓名、拼音、拼音首字母、证件号码或手机号").fill("cgh")
    page.get_by_role("button", name="查询").click()
    # the form searches on submit and on change (the typed field loses focus): let both finish
    # before following a result, or the second swap can replace the link being clicked
    page.wait_for_load_state("networkidle")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="陈国华")).to_be_visible()
    expect(results.get_by_text("陈国辉")).to_have_count(0)

    results.get_by_role("link", name="陈国华").click()
    expect(page.get_by_role("heading", name="陈国华")).to_be_visible()
    protected = page.locator('[data-protected="id_number"]')
    expect(protected).to_contain_text(number[:6] + "********" + number[-4:])
    assert number not in page.content()
    page.screenshot(path=str(results_dir / "person-masked.png"), full_page=True)

    protected.get_by_role("button", name="查看").click()
    expect(page.locator('[data-protected="id_number"][data-revealed]')).to_contain_text(number)
    page.screenshot(path=str(results_dir / "person-revealed.png"), full_page=True)

    page.context.clear_cookies()
    login("auditor")
    page.get_by_role("link", name="审计日志").click()
    page.get_by_label("操作", exact=True).select_option("reveal")
    page.get_by_role("button", name="查询").click()
    row = page.locator("tbody tr").filter(has_text="zhujing")
    expect(row).to_contain_text("查看敏感信息")
    expect(row).to_contain_text(person.name)
    assert number not in page.content()
    page.screenshot(path=str(results_dir / "audit-reveal.png"), full_page=True)
