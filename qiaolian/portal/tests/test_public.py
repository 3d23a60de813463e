"""The portal's public pages: what anyone may see, in each language; and the staff pages that
publish news and privacy notices."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from qiaolian.activities.models import Activity
from qiaolian.contests.models import Category, CategoryKind, Contest, ContestStatus, Entry, EntryFile
from qiaolian.liaison.models import Camp
from qiaolian.portal import services
from qiaolian.portal.models import News, PrivacyNotice
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db
LANGUAGES = ["zh-hans", "zh-hant", "en"]


def url(name: str, *args, language: str = "zh-hans") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def _jpeg(colour=(200, 60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 9), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def _activity(js, title: str, *, published: bool, status: str = "open", days: int = 10) -> Activity:
    start = timezone.now() + dt.timedelta(days=days)
    return Activity.objects.create(
        federation=js.zhujing,
        title=title,
        kind="culture",
        project="ningxin",
        mode="offline",
        place="朱泾镇文化中心",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        status=status,
        is_published=published,
    )


def _entry(contest: Contest, category: Category, code: str, *, award: str, status: str = "eligible") -> Entry:
    entry = Entry.objects.create(
        contest=contest,
        category=category,
        code=code,
        author_name="陈思远",
        author_country="AU",
        author_phone="+8613912345678",
        author_email="siyuan@example.com",
        title=f"渔村清晨{code}",
        status=status,
        award=award,
        submitted_at=timezone.now(),
    )
    EntryFile.objects.create(
        entry=entry,
        kind="image",
        original=ContentFile(_jpeg((1, 2, 3)), name="orig.jpg"),
        original_name="IMG_0001.jpg",
        content_type="image/jpeg",
        size=100,
        sha256=code.ljust(64, "0"),
        web=ContentFile(_jpeg(), name="web.jpg"),
        thumbnail=ContentFile(_jpeg(), name="thumb.jpg"),
        processing="ready",
    )
    return entry


def _contest(js, title: str, status: str) -> tuple[Contest, Category]:
    opens = timezone.now() - dt.timedelta(days=10)
    contest = Contest.objects.create(
        federation=js.district,
        title=title,
        title_en=f"{title} (EN)",
        year=2026,
        rules="作品须为原创。",
        eligibility="归侨侨眷、海外侨胞",
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=60),
        status=status,
    )
    category = Category.objects.create(contest=contest, name="摄影（单幅）", kind=CategoryKind.PHOTO_SINGLE)
    return contest, category


@pytest.fixture
def content(jinshan):
    js = jinshan
    now = timezone.now()
    data = {
        "activity": _activity(js, "中秋联谊会", published=True),
        "activity_hidden": _activity(js, "内部工作会议", published=False),
        "activity_cancelled": _activity(js, "已取消的讲座", published=True, status="cancelled"),
        "news": News.objects.create(
            federation=js.district,
            title="侨联召开新春座谈会",
            title_en="Spring reception",
            body="正文",
            published_at=now,
        ),
        "news_draft": News.objects.create(federation=js.district, title="草稿新闻不公开", body="草稿"),
        "news_future": News.objects.create(
            federation=js.district, title="明天才发布的新闻", body="x", published_at=now + dt.timedelta(days=1)
        ),
        "camp": Camp.objects.create(
            federation=js.district,
            title="海外华裔青少年寻根之旅夏令营",
            starts_on=timezone.localdate() + dt.timedelta(days=30),
            ends_on=timezone.localdate() + dt.timedelta(days=37),
            capacity=40,
        ),
        "camp_past": Camp.objects.create(
            federation=js.district,
            title="往年营期",
            starts_on=timezone.localdate() - dt.timedelta(days=300),
            ends_on=timezone.localdate() - dt.timedelta(days=293),
            capacity=40,
        ),
    }
    data["contest_open"], _cat = _contest(js, "充满阳光摄影大赛", ContestStatus.OPEN)
    data["contest_draft"], _cat = _contest(js, "筹备中的大赛", ContestStatus.DRAFT)
    final, category = _contest(js, "2025年摄影大赛", ContestStatus.FINAL)
    data["contest_final"] = final
    data["awarded"] = _entry(final, category, "F-001", award="first")
    data["not_awarded"] = _entry(final, category, "F-002", award="")
    judging, jcat = _contest(js, "评审中的大赛", ContestStatus.JUDGING)
    data["judging_awarded"] = _entry(judging, jcat, "J-001", award="second")
    return data


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_answer_in_each_language_with_html_lang(client, content, language):
    c = content
    pages = [
        url("portal:home", language=language),
        url("portal:activity_list", language=language),
        url("portal:activity_list", language=language) + "?when=past",
        url("portal:activity_detail", c["activity"].pk, language=language),
        url("portal:news_list", language=language),
        url("portal:news_detail", c["news"].pk, language=language),
        url("portal:camp_list", language=language),
        url("portal:camp_detail", c["camp"].pk, language=language),
        url("portal:contest_list", language=language),
        url("portal:contest_detail", c["contest_open"].pk, language=language),
        url("portal:contest_detail", c["contest_final"].pk, language=language),
        url("portal:gallery", language=language),
        url("portal:gallery_detail", c["awarded"].pk, language=language),
        url("portal:privacy", language=language),
        url("portal:signup", language=language),
        url("portal:login", language=language),
        url("portal:password_reset", language=language),
    ]
    for page in pages:
        assert page.startswith(f"/{language}/")
        response = client.get(page)
        assert response.status_code == 200, page
        assert f'<html lang="{language}">' in response.content.decode(), page


def test_records_are_shown_in_the_readers_language(client, content):
    news = content["news"]
    assert "Spring reception" in client.get(url("portal:news_detail", news.pk, language="en")).content.decode()
    assert "侨联召开新春座谈会" in client.get(url("portal:news_detail", news.pk)).content.decode()
    assert "僑聯召開新春座談會" in client.get(url("portal:news_detail", news.pk, language="zh-hant")).content.decode()


def test_english_privacy_notice_is_the_english_text(client, jinshan):
    body = client.get(url("portal:privacy", language="en")).content.decode()
    assert "Privacy Notice of the Jinshan Overseas Chinese Service Portal" in body
    assert "under 14" in body
    hant = client.get(url("portal:privacy", language="zh-hant")).content.decode()
    assert "隱私政策" in hant


def test_unpublished_activities_and_news_are_not_shown(client, content):
    c = content
    home = client.get(url("portal:home")).content.decode()
    listing = client.get(url("portal:activity_list")).content.decode()
    news = client.get(url("portal:news_list")).content.decode()
    assert "中秋联谊会" in home and "中秋联谊会" in listing
    for hidden in ("内部工作会议", "已取消的讲座"):
        assert hidden not in home and hidden not in listing
    assert "侨联召开新春座谈会" in news
    assert "草稿新闻不公开" not in news and "明天才发布的新闻" not in news
    assert client.get(url("portal:activity_detail", c["activity_hidden"].pk)).status_code == 404
    assert client.get(url("portal:activity_detail", c["activity_cancelled"].pk)).status_code == 404
    assert client.get(url("portal:news_detail", c["news_draft"].pk)).status_code == 404
    assert client.get(url("portal:news_detail", c["news_future"].pk)).status_code == 404


def test_activity_page_shows_no_participants(client, content):
    from qiaolian.activities.models import Registration

    activity = content["activity"]
    Registration.objects.create(activity=activity, name="王参加者", participant_key="x1", code="ABCD2345")
    body = client.get(url("portal:activity_detail", activity.pk)).content.decode()
    assert "朱泾镇文化中心" in body and "王参加者" not in body and "ABCD2345" not in body


def test_only_camps_yet_to_start_and_public_contests_are_listed(client, content):
    c = content
    camps = client.get(url("portal:camp_list")).content.decode()
    assert "海外华裔青少年寻根之旅夏令营" in camps and "往年营期" not in camps
    assert client.get(url("portal:camp_detail", c["camp_past"].pk)).status_code == 404
    contests = client.get(url("portal:contest_list")).content.decode()
    assert "充满阳光摄影大赛" in contests and "筹备中的大赛" not in contests
    assert client.get(url("portal:contest_detail", c["contest_draft"].pk)).status_code == 404
    detail = client.get(url("portal:contest_detail", c["contest_open"].pk)).content.decode()
    assert "作品须为原创" in detail and "摄影（单幅）" in detail


def test_gallery_shows_awarded_entries_of_final_contests_without_contacts(client, content):
    c = content
    body = client.get(url("portal:gallery")).content.decode()
    assert "渔村清晨F-001" in body
    assert "渔村清晨F-002" not in body and "渔村清晨J-001" not in body
    detail = client.get(url("portal:gallery_detail", c["awarded"].pk)).content.decode()
    assert "陈思远" in detail and "siyuan@example.com" not in detail and "13912345678" not in detail
    assert "IMG_0001" not in detail
    assert client.get(url("portal:gallery_detail", c["not_awarded"].pk)).status_code == 404
    assert client.get(url("portal:gallery_detail", c["judging_awarded"].pk)).status_code == 404


def test_gallery_file_serves_published_copies_only(client, content):
    c = content
    file = c["awarded"].files.get()
    for variant in ("web", "thumbnail"):
        response = client.get(url("portal:gallery_file", file.pk, variant))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(url("portal:gallery_file", file.pk, "original")).status_code == 404
    for other in (c["not_awarded"], c["judging_awarded"]):
        other_file = other.files.get()
        assert client.get(url("portal:gallery_file", other_file.pk, "web")).status_code == 404
        assert client.get(url("portal:gallery_file", other_file.pk, "thumbnail")).status_code == 404
    # an awarded entry later found ineligible is no longer shown
    Entry.objects.filter(pk=c["awarded"].pk).update(status="ineligible")
    assert client.get(url("portal:gallery_file", file.pk, "web")).status_code == 404


def test_language_switch_keeps_the_page_and_remembers_a_users_choice(client, content, jinshan):
    news = content["news"]
    page = url("portal:news_detail", news.pk)
    response = client.post(url("portal:set_language"), {"language": "en", "next": page})
    assert response.status_code == 302 and response["Location"] == f"/en/news/{news.pk}/"
    # a signed-in portal user's choice is kept in the profile
    user = _portal_user()
    client.force_login(user)
    response = client.post(url("portal:set_language"), {"language": "zh-hant", "next": page + "?page=2"})
    assert response["Location"] == f"/zh-hant/news/{news.pk}/?page=2"
    user.portal_profile.refresh_from_db()
    assert user.portal_profile.language == "zh-hant"
    # off-site targets are ignored
    response = client.post(url("portal:set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/en/"


def _portal_user(email: str = "reader@example.com"):
    from qiaolian.accounts.models import Role
    from qiaolian.portal.models import PortalProfile
    from qiaolian.testing import make_user

    user = make_user(email.split("@")[0], Role.PUBLIC, None, email=email)
    PortalProfile.objects.create(user=user, contact_verified_at=timezone.now())
    return user


def test_home_page_shows_signed_in_users_name_and_logout(client, jinshan):
    user = _portal_user()
    client.force_login(user)
    body = client.get(url("portal:home")).content.decode()
    assert str(user) in body and reverse("portal:logout") in body


# Staff pages: news and privacy notices ----------------------------------------------------------


def test_town_staff_writes_and_publishes_news_of_their_federation(client, jinshan):
    js = jinshan
    client.force_login(js.user("zhujing"))
    response = client.post(
        reverse("portal_staff:news_create"),
        {"federation": js.zhujing.pk, "title": "朱泾侨联慰问归侨", "body": "慰问了十位老归侨。"},
    )
    assert response.status_code == 302
    news = News.objects.get(title="朱泾侨联慰问归侨")
    assert news.published_at is None and news.created_by == js.user("zhujing")
    link = url("portal:news_detail", news.pk)
    assert link not in client.get(url("portal:news_list")).content.decode()
    assert client.get(link).status_code == 404
    client.post(reverse("portal_staff:news_publish", args=[news.pk]), {"publish": "1"})
    news.refresh_from_db()
    assert news.published_at is not None
    assert link in client.get(url("portal:news_list")).content.decode()
    client.post(reverse("portal_staff:news_publish", args=[news.pk]), {"publish": "0"})
    news.refresh_from_db()
    assert news.published_at is None
    # another town neither sees nor changes it; it cannot file news under zhujing either
    client.force_login(js.user("shihua"))
    assert client.get(reverse("portal_staff:news_edit", args=[news.pk])).status_code == 404
    assert client.post(reverse("portal_staff:news_publish", args=[news.pk])).status_code == 404
    assert (
        reverse("portal_staff:news_edit", args=[news.pk])
        not in client.get(reverse("portal_staff:news_list")).content.decode()
    )
    response = client.post(
        reverse("portal_staff:news_create"), {"federation": js.zhujing.pk, "title": "越权", "body": "x"}
    )
    assert response.status_code == 200 and not News.objects.filter(title="越权").exists()


def test_news_changes_are_audited(client, jinshan):
    from qiaolian.audit.models import AuditEntry

    client.force_login(jinshan.user("staff"))
    client.post(
        reverse("portal_staff:news_create"), {"federation": jinshan.district.pk, "title": "区侨联新闻", "body": "x"}
    )
    news = News.objects.get(title="区侨联新闻")
    client.post(reverse("portal_staff:news_publish", args=[news.pk]), {"publish": "1"})
    entries = AuditEntry.objects.filter(target_type="portal.news", target_id=str(news.pk))
    assert entries.filter(action="create").exists() and entries.filter(action="change").exists()


def test_privacy_notice_versions_are_managed_by_district_staff_only(client, jinshan):
    js = jinshan
    client.force_login(js.user("zhujing"))
    assert client.get(reverse("portal_staff:notice_list")).status_code == 403
    client.force_login(js.user("admin"))
    assert "1.0" in client.get(reverse("portal_staff:notice_list")).content.decode()
    when = timezone.localtime() + dt.timedelta(days=7)
    response = client.post(
        reverse("portal_staff:notice_create"),
        {"version": "1.1", "published_at": when.strftime("%Y-%m-%dT%H:%M"), "text": "新版正文", "text_en": "New text"},
    )
    assert response.status_code == 302
    notice = PrivacyNotice.objects.get(version="1.1")
    # not in force until its time comes
    assert services.current_notice().version == "1.0"
    assert services.current_notice(at=notice.published_at).version == "1.1"
    # a version number is used once
    response = client.post(
        reverse("portal_staff:notice_create"),
        {
            "version": "1.1",
            "published_at": (when + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "text": "x",
            "text_en": "x",
        },
    )
    assert response.status_code == 200 and PrivacyNotice.objects.filter(version="1.1").count() == 1


def test_public_account_cannot_use_staff_content_pages(client, jinshan):
    client.force_login(jinshan.user("public"))
    assert client.get(reverse("portal_staff:news_list")).status_code == 403
    assert client.get(reverse("core:home")).status_code == 403
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": "public", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
