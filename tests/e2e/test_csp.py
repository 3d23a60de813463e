"""The Content-Security-Policy in a real browser: staff and portal pages (charts, lists, a form
that asks for confirmation, htmx search, the portal home) run with no CSP violation and no
script error, and a data-confirm button really asks before it acts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

# Collected by the page itself (an init script is not subject to the page's policy).
VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var where = (e.sourceFile || "") + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every console message about the policy and every script error kept."""
    problems: list[str] = []
    page.add_init_script(VIOLATIONS)

    def on_console(message):
        text = message.text
        if "Refused to" in text or "Content Security Policy" in text or "Content-Security-Policy" in text:
            problems.append(f"console {message.type}: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def check(label: str):
        page.wait_for_load_state("load")
        seen = page.evaluate("window.__csp || []")
        found = problems + [f"violation: {v}" for v in seen]
        problems.clear()
        assert not found, f"{label}:\n" + "\n".join(found)

    page.check_csp = check
    return page


def test_staff_and_portal_pages_run_without_csp_violations(jinshan, login, live_server, watched):
    from qiaolian.activities.tests.matrix import records

    activity = records(jinshan, jinshan.zhujing, "朱泾", jinshan.user("admin"))["activity"]
    page = login("zhujing")
    page.check_csp("home")

    page.goto(f"{live_server.url}{reverse('activities:stats')}?by=project")
    expect(page.locator("[data-chart]").first).to_have_attribute("data-chart-state", re.compile("ready|empty"))
    page.check_csp("activity statistics (ECharts)")

    page.goto(f"{live_server.url}{reverse('reports:dashboard')}")
    page.check_csp("dashboard")

    page.goto(f"{live_server.url}{reverse('registry:person_list')}")
    page.check_csp("person list")

    # htmx: the search box asks for suggestions as one types
    search = page.locator('input[name="q"][hx-get]')
    if search.count():
        with page.expect_response(lambda r: "/search/" in r.url):
            search.fill("朱泾")
        page.check_csp("htmx search suggestions")

    page.goto(f"{live_server.url}{reverse('enterprises:enterprise_list')}")
    page.check_csp("enterprise list")

    page.goto(f"{live_server.url}{reverse('activities:checkin', args=[activity.pk])}")
    page.check_csp("check-in desk")

    page.goto(f"{live_server.url}/zh-hans/")
    page.check_csp("portal home")
    page.goto(f"{live_server.url}/zh-hans/gallery/")
    page.check_csp("portal gallery")

    # the watch itself works: an inline handler smuggled into the page is refused and reported
    page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<img src="/nothing.png" onerror="1">')""")
    page.wait_for_function("window.__csp.length > 0")
    with pytest.raises(AssertionError, match="script-src"):
        page.check_csp("canary")


def test_a_data_confirm_button_asks_and_cancel_keeps_the_record(jinshan, login, live_server, watched):
    from qiaolian.activities.models import Photo
    from qiaolian.activities.tests.matrix import records

    found = records(jinshan, jinshan.zhujing, "朱泾", jinshan.user("admin"))
    activity, photo = found["activity"], found["photo"]
    page = login("zhujing")
    page.goto(f"{live_server.url}{reverse('activities:activity_detail', args=[activity.pk])}?tab=media")
    page.check_csp("activity media tab")

    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    remove = page.locator(f"form[action='{reverse('activities:photo_remove', args=[photo.pk])}'] button")
    remove.click()
    assert asked == ["确定删除这张照片？"]
    assert Photo.objects.filter(pk=photo.pk).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        remove.click()
    assert not Photo.objects.filter(pk=photo.pk).exists()
    page.check_csp("after removing the photo")


def test_formset_rows_are_added_by_the_static_script(jinshan, login, live_server, watched):
    from qiaolian.enterprises.tests.factories import make_enterprise

    enterprise = make_enterprise(jinshan, user="zhujing")
    page = login("zhujing")
    page.goto(f"{live_server.url}{reverse('enterprises:visit_create', args=[enterprise.pk])}")
    rows = page.locator("[data-appeal-row]")
    before = rows.count()
    page.locator("[data-add-appeal]").click()
    expect(rows).to_have_count(before + 1)
    assert page.locator('input[name$="-TOTAL_FORMS"]').first.input_value() == str(before + 1)
    page.check_csp("visit form")
