"""Acceptance flow of the portal and contests issue, once in each of the portal's languages:
someone signs up on the portal (consenting to the privacy notice) and verifies the code sent to
them, submits a photo taken with GPS location to an open contest, a judge scores it on the staff
site without seeing who made it, staff compute the results and give it a prize, and the public
gallery shows it — without the location the camera wrote into the original."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from qiaolian.contests import services
from qiaolian.contests.models import ContestStatus, Entry, EntryFile
from qiaolian.contests.tests.factories import contest_make
from qiaolian.portal import senders
from qiaolian.testing import PASSWORD

GPS_IFD = 0x8825

# language prefix, the portal's "News" menu item and the gallery heading in that language
LANGUAGES = [
    ("zh-hans", "新闻", "获奖作品"),
    ("zh-hant", "新聞", "獲獎作品"),
    ("en", "News", "Winning entries"),
]


def photo_with_location() -> bytes:
    """A real camera-sized JPEG whose EXIF says where it was taken (金山嘴渔村)."""
    image = Image.new("RGB", (1600, 1066), (30, 110, 170))
    for x in range(0, 1600, 40):
        image.paste((240, 190, 60), (x, 700, x + 20, 1066))
    exif = Image.Exif()
    exif[0x010F] = "Qiaolian Test Camera"
    exif[GPS_IFD] = {1: "N", 2: (30.0, 42.0, 36.0), 3: "E", 4: (121.0, 21.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, exif=exif)
    return buffer.getvalue()


@pytest.fixture
def privacy_notice(transactional_db):
    """Notice 1.0 as the data migration makes it (a transactional test flushes it after each run)."""
    from importlib import import_module

    from qiaolian.portal.models import PrivacyNotice

    migration = import_module("qiaolian.portal.migrations.0002_privacy_notice_1_0")
    return PrivacyNotice.objects.get_or_create(
        version="1.0",
        defaults={"text": migration.TEXT, "text_en": migration.TEXT_EN, "published_at": timezone.now()},
    )[0]


@pytest.mark.usefixtures("privacy_notice")
@pytest.mark.parametrize(("lang", "news", "gallery"), LANGUAGES)
def test_signup_entry_judging_award_and_gallery(jinshan, live_server, browser, page, lang, news, gallery):
    judge, admin = jinshan.user("judge"), jinshan.user("admin")
    contest = contest_make(federation=jinshan.district, status=ContestStatus.OPEN, judges=[judge])
    contest.opens_at = timezone.now() - dt.timedelta(days=1)
    contest.closes_at = timezone.now() + dt.timedelta(days=1)
    contest.save()
    author = f"Ada 测试作者 {lang}"
    email = f"ada.{lang}@example.org"
    password = "Sunshine-entry-2026"
    base = f"{live_server.url}/{lang}"

    # Sign up with consent, verify with the code the sender delivered, sign in.
    page.goto(f"{base}/signup/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("header").get_by_role("link", name=news, exact=True)).to_be_visible()
    page.locator('input[name="contact"]').fill(email)
    page.locator('input[name="display_name"]').fill(author)
    page.locator('input[name="password1"]').fill(password)
    page.locator('input[name="password2"]').fill(password)
    consent = page.locator('input[name="accept_privacy"]')
    expect(consent).not_to_be_checked()  # never pre-ticked
    consent.check()
    consent.evaluate("box => box.form.requestSubmit()")
    expect(page).to_have_url(re.compile(rf"/{lang}/signup/verify/"))
    code = next(m["code"] for m in reversed(senders.OUTBOX) if m["to"] == email)
    page.locator('input[name="code"]').fill(code)
    page.locator('input[name="code"]').evaluate("box => box.form.requestSubmit()")
    expect(page).to_have_url(re.compile(rf"/{lang}/login/"))
    page.locator('input[name="contact"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    with page.expect_navigation():
        page.locator('input[name="password"]').evaluate("box => box.form.requestSubmit()")
    expect(page).not_to_have_url(re.compile(r"/login/"))

    # Submit a photo to the contest.
    category = contest.categories.get()
    page.goto(f"{base}/contests/{contest.pk}/submit/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    category_select = page.locator('select[name="category"]')
    if category_select.count():
        category_select.select_option(str(category.pk))
    page.locator('input[name="title"]').fill(f"金山嘴的清晨 {lang}")
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "IMG_0412.JPG", "mimeType": "image/jpeg", "buffer": photo_with_location()}]
    )
    declaration = page.locator('input[name="originality_declared"]')
    expect(declaration).not_to_be_checked()
    declaration.check()
    declaration.evaluate("box => box.form.requestSubmit()")
    expect(page).to_have_url(re.compile(rf"/{lang}/my/entries/\d+/"))
    entry = Entry.objects.get(contest=contest)
    stored = EntryFile.objects.get(entry=entry)
    assert stored.had_location and stored.processing == "ready"

    # Screening and the start of judging are staff steps tested elsewhere; here through services.
    services.contest_transition(actor=admin, contest=contest, to=ContestStatus.SCREENING)
    services.entry_screen(actor=admin, entry=entry, eligible=True)
    services.contest_transition(actor=admin, contest=contest, to=ContestStatus.JUDGING)

    # The judge scores it on the staff site and never sees the author.
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    staff_page = staff.new_page()
    staff_page.set_default_timeout(15_000)
    try:
        staff_page.goto(f"{live_server.url}/accounts/login/")
        staff_page.locator('input[name="username"]').fill(judge.username)
        staff_page.locator('input[name="password"]').fill(PASSWORD)
        staff_page.get_by_role("button", name="登录", exact=True).click()
        staff_page.goto(f"{live_server.url}/contests/judging/{contest.pk}/")
        staff_page.get_by_role("link", name=entry.code).first.click()
        expect(staff_page.get_by_text(entry.title).first).to_be_visible()
        assert "Ada" not in staff_page.content() and email not in staff_page.content()
        for criterion, value in zip(contest.criteria.all(), ("9", "8.5", "9"), strict=True):
            staff_page.locator(f'input[name="criterion_{criterion.pk}"]').fill(value)
        staff_page.locator('button[name="save"]').click()
        expect(staff_page.locator(".alert-success, .alert-info").first).to_be_visible()

        # Staff compute the results and give the prize.
        staff.clear_cookies()
        staff_page.goto(f"{live_server.url}/accounts/login/")
        staff_page.locator('input[name="username"]').fill(admin.username)
        staff_page.locator('input[name="password"]').fill(PASSWORD)
        staff_page.get_by_role("button", name="登录", exact=True).click()
        staff_page.goto(f"{live_server.url}/contests/{contest.pk}/?tab=results")
        staff_page.get_by_role("button", name="计算结果").click()
        staff_page.locator(f'select[name="award_{entry.pk}"]').select_option("first")
        staff_page.get_by_role("button", name="保存奖项").click()
        entry.refresh_from_db()
        assert entry.award == "first" and entry.score is not None
    finally:
        staff.close()
    services.contest_transition(actor=admin, contest=contest, to=ContestStatus.NOTICE)
    services.contest_transition(actor=admin, contest=contest, to=ContestStatus.FINAL)

    # The gallery shows the work, and its picture carries no location.
    page.goto(f"{base}/gallery/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", name=gallery).first).to_be_visible()
    page.get_by_text(entry.title).first.click()
    expect(page.get_by_role("heading", name=entry.title)).to_be_visible()
    src = page.locator("main img").first.get_attribute("src")
    assert "/gallery/files/" in src and "original" not in src
    shown = page.request.get(f"{live_server.url}{src}")
    assert shown.ok and shown.headers["content-type"] == "image/jpeg"
    picture = Image.open(io.BytesIO(shown.body()))
    assert not picture.getexif().get_ifd(GPS_IFD)
    assert picture.size[0] <= 2048
    assert page.request.get(f"{live_server.url}/{lang}/gallery/files/{stored.pk}/original/").status == 404
