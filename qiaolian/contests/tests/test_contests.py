"""Contest management: set-up, the W10 transitions, screening, entries, exports, jurisdiction."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qiaolian.audit.models import AuditEntry
from qiaolian.contests import selectors, services
from qiaolian.contests.models import CategoryKind, Contest, ContestStatus, Criterion, EntryStatus
from qiaolian.contests.tests.factories import contest_make, entry_make, judge_make

pytestmark = pytest.mark.django_db

PHONE = "+8613912345678"


def _data(js, **extra):
    import datetime as dt

    from django.utils import timezone

    opens = timezone.make_aware(dt.datetime(2023, 5, 1, 9))
    return {
        "federation": js.zhujing,
        "title": "2023年“充满阳光”摄影大赛",
        "year": 2023,
        "opens_at": opens,
        "closes_at": opens + dt.timedelta(days=30),
        **extra,
    }


CATEGORIES = [{"name": "摄影（单幅）", "kind": CategoryKind.PHOTO_SINGLE}, {"name": "微视频", "kind": "video"}]


# Set-up and transitions ---------------------------------------------------------------------


def test_criteria_weights_must_total_100(jinshan):
    admin = jinshan.user("admin")
    with pytest.raises(ValidationError) as error:
        services.contest_save(
            actor=admin,
            data=_data(jinshan),
            categories=CATEGORIES,
            criteria=[{"name": "主题", "weight": 50}, {"name": "技术", "weight": 40}],
        )
    assert "评分项权重合计须为 100，目前为 90" in str(error.value)
    assert not Contest.objects.exists()


def test_create_view_saves_categories_criteria_and_judges(client, jinshan):
    judge = jinshan.user("judge")
    client.force_login(jinshan.user("zhujing"))
    post = {
        "federation": jinshan.zhujing.pk,
        "title": "2023年“充满阳光”摄影大赛",
        "year": 2023,
        "project": "ningxin",
        "opens_at": "2023-05-01T09:00",
        "closes_at": "2023-06-30T17:00",
        "max_entries_per_author": 3,
        "judges": [judge.pk],
        "cat-TOTAL_FORMS": 2,
        "cat-INITIAL_FORMS": 0,
        "cat-0-name": "摄影（单幅）",
        "cat-0-kind": "photo_single",
        "cat-0-min_files": 1,
        "cat-0-max_files": 1,
        "cat-0-max_file_mb": 20,
        "cat-0-min_long_side": 1000,
        "crit-TOTAL_FORMS": 3,
        "crit-INITIAL_FORMS": 0,
        "crit-0-name": "主题",
        "crit-0-weight": 60,
        "crit-0-max_score": 10,
        "crit-1-name": "技术",
        "crit-1-weight": 30,
        "crit-1-max_score": 10,
    }
    response = client.post(reverse("contests:contest_create"), post)
    assert response.status_code == 200
    body = response.content.decode()
    assert "评分项权重合计须为 100，目前为 90" in body
    post["crit-1-weight"] = 40
    response = client.post(reverse("contests:contest_create"), post)
    assert response.status_code == 302
    contest = Contest.objects.get()
    assert [c.name for c in contest.categories.all()] == ["摄影（单幅）"]
    assert sum(c.weight for c in contest.criteria.all()) == 100
    assert list(contest.judges.all()) == [judge]
    page = client.get(reverse("contests:contest_edit", args=[contest.pk])).content.decode()
    assert "摄影（单幅）" in page and 'value="60"' in page


def test_only_judge_role_users_can_be_judges(jinshan):
    with pytest.raises(ValidationError, match="不是评委"):
        services.contest_save(
            actor=jinshan.user("admin"),
            data=_data(jinshan),
            categories=CATEGORIES,
            criteria=[{"name": "主题", "weight": 100}],
            judges=[jinshan.user("staff")],
        )


def test_opening_requires_category_weights_and_dates(jinshan):
    admin = jinshan.user("admin")
    contest = contest_make(federation=jinshan.zhujing, categories=(), criteria=(("主题", 70, 10),))
    with pytest.raises(ValidationError) as error:
        services.contest_transition(actor=admin, contest=contest, to=ContestStatus.ANNOUNCED)
    messages = " ".join(error.value.messages)
    assert "请至少设置一个组别" in messages and "目前为 70" in messages
    contest.categories.create(name="摄影（单幅）", kind=CategoryKind.PHOTO_SINGLE)
    Criterion.objects.create(contest=contest, name="技术", weight=30)
    contest.closes_at = contest.opens_at
    contest.save()
    with pytest.raises(ValidationError, match="截止时间须晚于开始时间"):
        services.contest_transition(actor=admin, contest=contest, to=ContestStatus.ANNOUNCED)
    contest.closes_at = contest.opens_at.replace(month=7)
    contest.save()
    services.contest_transition(actor=admin, contest=contest, to=ContestStatus.ANNOUNCED)
    services.contest_transition(actor=admin, contest=contest, to=ContestStatus.OPEN)
    contest.refresh_from_db()
    assert contest.status == ContestStatus.OPEN
    changes = [e.data["changes"]["status"] for e in AuditEntry.objects.filter(target_type="contests.contest")]
    assert {"before": "draft", "after": "announced"} in changes and {"before": "announced", "after": "open"} in changes


def test_illegal_transition_is_refused_with_a_message(client, jinshan):
    contest = contest_make(federation=jinshan.zhujing)
    with pytest.raises(ValidationError, match="“筹备中”的大赛不能改为“评审中”"):
        services.contest_transition(actor=jinshan.user("admin"), contest=contest, to=ContestStatus.JUDGING)
    client.force_login(jinshan.user("zhujing"))
    response = client.post(
        reverse("contests:contest_transition", args=[contest.pk]), {"to": ContestStatus.FINAL}, follow=True
    )
    assert "不能改为" in response.content.decode()
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DRAFT


def test_judging_needs_screened_entries_and_judges(jinshan):
    admin = jinshan.user("admin")
    contest = contest_make(federation=jinshan.zhujing, status=ContestStatus.SCREENING)
    entry = entry_make(contest=contest)
    with pytest.raises(ValidationError) as error:
        services.contest_transition(actor=admin, contest=contest, to=ContestStatus.JUDGING)
    messages = " ".join(error.value.messages)
    assert "1 件作品未完成形式审查" in messages and "请先指定评委" in messages
    services.entry_screen(actor=admin, entry=entry, eligible=True)
    contest.judges.add(judge_make("j2", jinshan.district))
    services.contest_transition(actor=admin, contest=contest, to=ContestStatus.JUDGING)


def test_categories_and_criteria_are_locked_once_judging(jinshan):
    contest = contest_make(federation=jinshan.zhujing, status=ContestStatus.JUDGING)
    criteria = [{"id": c.pk, "name": c.name, "weight": c.weight, "max_score": 20} for c in contest.criteria.all()]
    categories = [{"id": c.pk, "name": c.name, "kind": c.kind} for c in contest.categories.all()]
    with pytest.raises(ValidationError, match="评审开始后不能再修改评分项"):
        services.contest_save(
            actor=jinshan.user("admin"),
            contest=contest,
            data={"title": contest.title},
            categories=categories,
            criteria=criteria,
        )


# Screening ----------------------------------------------------------------------------------


def test_screening_only_while_screening_and_reason_required(client, jinshan):
    admin = jinshan.user("admin")
    contest = contest_make(federation=jinshan.zhujing, status=ContestStatus.OPEN)
    entries = [entry_make(contest=contest) for _ in range(3)]
    with pytest.raises(ValidationError, match="形式审查只能在"):
        services.entry_screen(actor=admin, entry=entries[0], eligible=True)
    contest.status = ContestStatus.SCREENING
    contest.save()
    with pytest.raises(ValidationError, match="请填写不符合要求的原因"):
        services.entries_screen(actor=admin, contest=contest, entries=entries, eligible=False, reason=" ")
    client.force_login(jinshan.user("zhujing"))
    response = client.post(
        reverse("contests:entry_screen_bulk", args=[contest.pk]),
        {"entry": [entries[0].pk, entries[1].pk], "decision": "ineligible", "reason": "图片长边不足 1000 像素"},
    )
    assert response.status_code == 302
    client.post(reverse("contests:entry_screen", args=[entries[2].pk]), {"decision": "eligible"})
    statuses = {e.pk: (e.status, e.ineligible_reason) for e in contest.entries.all()}
    assert statuses[entries[0].pk] == (EntryStatus.INELIGIBLE, "图片长边不足 1000 像素")
    assert statuses[entries[2].pk] == (EntryStatus.ELIGIBLE, "")
    assert contest.entries.get(pk=entries[2].pk).screened_by == jinshan.user("zhujing")


# Entries, files, exports --------------------------------------------------------------------


def test_entry_list_filters_and_search(client, jinshan):
    contest = contest_make(
        federation=jinshan.zhujing, categories=(("摄影（单幅）", "photo_single"), ("微视频", "video"))
    )
    video = contest.categories.get(kind="video")
    a = entry_make(contest=contest, title="枫泾古镇", author_name="王海外", country="US")
    b = entry_make(contest=contest, category=video, title="山阳田园", author_name="李归侨", country="CA")
    client.force_login(jinshan.user("leader"))
    url = reverse("contests:entry_list", args=[contest.pk])
    assert b.code not in client.get(url, {"q": "王海外"}).content.decode()
    assert a.code in client.get(url, {"q": a.code}).content.decode()
    by_category = client.get(url, {"category": video.pk}).content.decode()
    assert b.code in by_category and a.code not in by_category
    by_country = client.get(url, {"country": "US"}).content.decode()
    assert a.code in by_country and b.code not in by_country


def test_entry_page_and_exports_mask_the_phone(client, jinshan):
    contest = contest_make(federation=jinshan.zhujing)
    entry = entry_make(contest=contest, author_phone=PHONE)
    client.force_login(jinshan.user("zhujing"))
    page = client.get(reverse("contests:entry_detail", args=[entry.pk])).content.decode()
    assert PHONE not in page and "13912345678" not in page and entry.author_name in page
    export = client.get(reverse("contests:entry_export", args=[contest.pk]))
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == entry.code and rows[1][3] == entry.author_name
    phone_cell = rows[1][5]
    assert phone_cell and "13912345678" not in phone_cell and "*" in phone_cell
    api = client.get(f"/api/v1/contests/{contest.pk}/entries", HTTP_AUTHORIZATION=_bearer(jinshan.user("zhujing")))
    assert api.status_code == 200 and "13912345678" not in api.content.decode()
    assert AuditEntry.objects.filter(action="export", target_type="contests.contest").exists()


def _bearer(user) -> str:
    from qiaolian.accounts.services import api_token_create

    return f"Bearer {api_token_create(actor=None, user=user, name='t')[1]}"


def test_contest_list_filters_and_export(client, jinshan):
    contest_make(federation=jinshan.zhujing, title="2021年摄影大赛", year=2021)
    contest_make(federation=jinshan.shihua, title="2022年微视频大赛", year=2022)
    client.force_login(jinshan.user("staff"))
    page = client.get(reverse("contests:contest_list"), {"year": 2021}).content.decode()
    assert "2021年摄影大赛" in page and "2022年微视频大赛" not in page
    export = client.get(reverse("contests:contest_export"))
    titles = [
        r[1] for r in openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)
    ]
    assert sorted(titles) == ["2021年摄影大赛", "2022年微视频大赛"]


def test_staff_file_view_headers(client, jinshan):
    contest = contest_make(federation=jinshan.zhujing)
    file = entry_make(contest=contest).files.first()
    client.force_login(jinshan.user("zhujing"))
    web = client.get(reverse("contests:entry_file", args=[file.pk, "web"]))
    assert web["Content-Type"] == "image/png" and web["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in web["Content-Disposition"]
    original = client.get(reverse("contests:entry_file", args=[file.pk, "original"]))
    assert original["Content-Type"] == "image/png" and original["X-Content-Type-Options"] == "nosniff"
    assert original["Content-Disposition"].startswith("attachment")
    file.content_type = "text/html"
    file.save()
    served = client.get(reverse("contests:entry_file", args=[file.pk, "original"]))
    assert served["Content-Type"] == "application/octet-stream"
    assert client.get(reverse("contests:entry_file", args=[file.pk, "source"])).status_code == 404


# Jurisdiction and counts --------------------------------------------------------------------


def test_town_user_cannot_see_another_towns_contest(client, jinshan):
    foreign = contest_make(federation=jinshan.shihua, title="石化街道摄影大赛")
    entry = entry_make(contest=foreign)
    client.force_login(jinshan.user("zhujing"))
    assert client.get(reverse("contests:contest_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("contests:entry_detail", args=[entry.pk])).status_code == 404
    assert client.get(reverse("contests:entry_file", args=[entry.files.first().pk, "web"])).status_code == 404
    assert "石化街道摄影大赛" not in client.get(reverse("contests:contest_list")).content.decode()
    auth = _bearer(jinshan.user("zhujing"))
    assert client.get(f"/api/v1/contests/{foreign.pk}", HTTP_AUTHORIZATION=auth).status_code == 404
    assert client.get(f"/api/v1/contest-entries/{entry.pk}", HTTP_AUTHORIZATION=auth).status_code == 404


def test_entry_counts_by_year_and_kind_respect_jurisdiction(jinshan):
    c21 = contest_make(federation=jinshan.zhujing, year=2021, categories=(("单幅", "photo_single"), ("视频", "video")))
    c22 = contest_make(federation=jinshan.shihua, year=2022)
    video = c21.categories.get(kind="video")
    for _ in range(2):
        entry_make(contest=c21)
    entry_make(contest=c21, category=video)
    entry_make(contest=c21, category=video, status=EntryStatus.WITHDRAWN)
    entry_make(contest=c22)
    everything = selectors.entry_counts(user=jinshan.user("staff"))
    assert everything == [
        {"year": 2021, "kind": "photo_single", "n": 2},
        {"year": 2021, "kind": "video", "n": 1},
        {"year": 2022, "kind": "photo_single", "n": 1},
    ]
    assert selectors.entry_counts(user=jinshan.user("zhujing"), year=2022) == []
    assert selectors.entry_counts(user=jinshan.user("judge")) == []


def test_leader_reads_but_cannot_change(client, jinshan):
    contest = contest_make(federation=jinshan.zhujing)
    client.force_login(jinshan.user("leader"))
    assert client.get(reverse("contests:contest_detail", args=[contest.pk])).status_code == 200
    assert client.get(reverse("contests:contest_edit", args=[contest.pk])).status_code == 403
    response = client.post(reverse("contests:contest_transition", args=[contest.pk]), {"to": "announced"})
    assert response.status_code == 403
