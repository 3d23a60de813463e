"""Contests, judges and entries for tests, written with the ORM (the portal's submission path is
tested on its own): an entry has one image file whose original, web copy and thumbnail are small PNGs."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from qiaolian.accounts.models import Role
from qiaolian.contests.models import Category, CategoryKind, Contest, ContestStatus, Criterion, Entry, EntryFile
from qiaolian.testing import make_user

_sequence = itertools.count(1)

DEFAULT_CRITERIA = (("主题表达", 40, 10), ("艺术性", 30, 10), ("技术质量", 30, 10))


def png_bytes(size: tuple[int, int] = (8, 6), colour: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def judge_make(username: str, federation, **extra):
    return make_user(username, Role.JUDGE, federation, display_name=extra.pop("display_name", username), **extra)


def contest_make(
    *,
    federation,
    title: str = "“充满阳光”摄影、微视频大赛",
    year: int = 2022,
    status: str = ContestStatus.DRAFT,
    categories: Sequence[tuple[str, str]] = (("摄影（单幅）", CategoryKind.PHOTO_SINGLE),),
    criteria: Sequence[tuple[str, int, int]] = DEFAULT_CRITERIA,
    judges: Sequence = (),
) -> Contest:
    opens = timezone.make_aware(dt.datetime(year, 5, 1, 9))
    contest = Contest.objects.create(
        federation=federation,
        title=title,
        title_en="Full of Sunshine Photo and Micro-video Contest",
        year=year,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=60),
        status=status,
    )
    for order, (name, kind) in enumerate(categories):
        Category.objects.create(
            contest=contest,
            name=name,
            kind=kind,
            order=order,
            max_files=6 if kind == CategoryKind.PHOTO_SET else 1,
            max_duration_seconds=180 if kind == CategoryKind.VIDEO else None,
        )
    for order, (name, weight, max_score) in enumerate(criteria):
        Criterion.objects.create(contest=contest, name=name, weight=weight, max_score=max_score, order=order)
    if judges:
        contest.judges.set(judges)
    return contest


def entry_make(
    *,
    contest: Contest,
    category: Category | None = None,
    status: str = "submitted",
    title: str = "金山嘴渔村的清晨",
    author_name: str = "陈思远",
    author_phone: str = "+8613912345678",
    author_email: str = "siyuan@example.com",
    country: str = "AU",
    award: str = "",
) -> Entry:
    n = next(_sequence)
    category = category or contest.categories.first()
    entry = Entry.objects.create(
        contest=contest,
        category=category,
        code=f"T{contest.pk}-{n:05d}",
        author_name=author_name,
        author_phone=author_phone,
        author_email=author_email,
        author_country=country,
        title=title,
        description="清晨的渔船与归港的渔民。",
        status=status,
        award=award,
        submitted_at=contest.opens_at + dt.timedelta(days=1, minutes=n),
        originality_declared=True,
    )
    data = png_bytes(colour=(n % 255, 80, 120))
    file = EntryFile(
        entry=entry,
        kind="image",
        original_name="清晨.png",
        content_type="image/png",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=8,
        height=6,
        processing="ready",
    )
    file.original.save("original.png", ContentFile(data), save=False)
    file.web.save("web.png", ContentFile(data), save=False)
    file.thumbnail.save("thumb.png", ContentFile(data), save=False)
    file.save()
    return entry
