"""Browser flows: Playwright drives Debian's chromium against pytest-django's live server.

Every test under tests/e2e is marked ``e2e`` (``pytest -m e2e`` runs only these, ``-m "not e2e"``
skips them). A failing test leaves a screenshot in test-results/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the main thread; Django would otherwise
# refuse database access from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def results_dir(pytestconfig) -> Path:
    path = pytestconfig.rootpath / "test-results"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does so as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request, results_dir):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(results_dir / f"FAILED-{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def jinshan(transactional_db):
    """The small Jinshan tree with a user of every role (password ``qiaolian.testing.PASSWORD``)."""
    from qiaolian.testing import build_jinshan

    return build_jinshan()


@pytest.fixture
def login(page, live_server):
    """``login("zhujing")`` signs in through the login page and returns the page on the home page."""
    from qiaolian.testing import PASSWORD

    def sign_in(username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator('input[name="username"]').fill(username)
        page.locator('input[name="password"]').fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_load_state()
        return page

    return sign_in
