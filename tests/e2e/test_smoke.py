"""The shortest real flow: a town user signs in through the browser and lands on the home page."""

from playwright.sync_api import expect


def test_town_user_signs_in_and_sees_home_with_sidebar(jinshan, login, live_server, results_dir):
    page = login("zhujing")

    assert page.url.rstrip("/") == live_server.url
    expect(page.locator("h1, h2").filter(has_text="您好").first).to_be_visible()
    expect(page.get_by_text("基础数据", exact=True).first).to_be_visible()
    page.screenshot(path=str(results_dir / "home.png"), full_page=True)


def test_wrong_password_keeps_user_on_login_page_with_message(jinshan, login):
    page = login("zhujing", "wrong-password")

    assert "/accounts/login/" in page.url
    expect(page.get_by_text("用户名或密码不正确")).to_be_visible()
