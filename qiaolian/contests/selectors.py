"""Reads of contests, entries and scores, limited to what the user may see.

Staff (contests.view_contest) see the contests of their jurisdiction with everything in them,
the author's phone masked. Judges see only the contests they are on, only while judging, and
only anonymous entry data and their own scores (``judging_*``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from qiaolian.contests.models import (
    Category,
    Contest,
    ContestStatus,
    Criterion,
    Entry,
    EntryFile,
    EntryStatus,
    Objection,
    Score,
)


def _allowed(user, perm: str) -> bool:
    return bool(user and user.has_perm(perm))


# Contests -----------------------------------------------------------------------------------


def contest_scope(*, user) -> QuerySet[Contest]:
    if not _allowed(user, "contests.view_contest"):
        return Contest.objects.none()
    return Contest.objects.visible_to(user).select_related("federation")


@dataclass
class ContestFilters:
    query: str = ""
    year: int | None = None
    status: str = ""
    federation_id: int | None = None


def contest_list(*, user, filters: ContestFilters | None = None) -> QuerySet[Contest]:
    """Contests the user may see, with entry and award counts (``entry_count``, ``award_count``)."""
    filters = filters or ContestFilters()
    qs = contest_scope(user=user)
    if filters.query:
        qs = qs.filter(title__icontains=filters.query)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.federation_id:
        qs = qs.filter(federation_id=filters.federation_id)
    return qs.annotate(
        entry_count=Count("entries", distinct=True),
        award_count=Count("entries", filter=~Q(entries__award=""), distinct=True),
    )


def contest_get(*, user, pk: int) -> Contest:
    return contest_scope(user=user).get(pk=pk)


def contest_years(*, user) -> list[int]:
    return list(contest_scope(user=user).order_by("-year").values_list("year", flat=True).distinct())


def contest_categories(*, contest: Contest) -> list[Category]:
    return list(contest.categories.all())


def contest_criteria(*, contest: Contest) -> list[Criterion]:
    return list(contest.criteria.all())


def entry_overview(*, contest: Contest) -> list[dict]:
    """Entries per category and status: [{category, total, submitted, eligible, ineligible, withdrawn, awarded}]."""
    rows = []
    for category in contest.categories.annotate(
        total=Count("entries"),
        submitted=Count("entries", filter=Q(entries__status=EntryStatus.SUBMITTED)),
        eligible=Count("entries", filter=Q(entries__status=EntryStatus.ELIGIBLE)),
        ineligible=Count("entries", filter=Q(entries__status=EntryStatus.INELIGIBLE)),
        withdrawn=Count("entries", filter=Q(entries__status=EntryStatus.WITHDRAWN)),
        awarded=Count("entries", filter=~Q(entries__award="")),
    ):
        rows.append(
            {
                "category": category,
                **{
                    k: getattr(category, k)
                    for k in ("total", "submitted", "eligible", "ineligible", "withdrawn", "awarded")
                },
            }
        )
    return rows


def judging_progress(*, contest: Contest) -> list[dict]:
    """How many eligible entries each judge has scored completely (no values shown)."""
    eligible = contest.entries.filter(status=EntryStatus.ELIGIBLE).count()
    n_criteria = contest.criteria.count()
    done: dict[int, int] = {}
    rows = (
        Score.objects.filter(entry__contest=contest, entry__status=EntryStatus.ELIGIBLE)
        .values("judge_id", "entry_id")
        .annotate(n=Count("id"))
    )
    for row in rows:
        if n_criteria and row["n"] >= n_criteria:
            done[row["judge_id"]] = done.get(row["judge_id"], 0) + 1
    return [
        {"judge": judge, "scored": done.get(judge.pk, 0), "total": eligible}
        for judge in contest.judges.order_by("display_name", "username")
    ]


def scores_visible(*, contest: Contest) -> bool:
    """Individual judges' scores are shown to staff only after judging has closed."""
    return contest.status in (ContestStatus.NOTICE, ContestStatus.FINAL)


def entry_judge_scores(*, user, contest: Contest) -> dict[int, list[Score]]:
    """{entry id: the scores of every judge} — only once judging has closed, else empty."""
    if not _allowed(user, "contests.view_contest") or not scores_visible(contest=contest):
        return {}
    scores: dict[int, list[Score]] = {}
    for score in Score.objects.filter(entry__contest=contest).select_related("judge", "criterion"):
        scores.setdefault(score.entry_id, []).append(score)
    return scores


# Entries ------------------------------------------------------------------------------------


def entry_scope(*, user) -> QuerySet[Entry]:
    if not _allowed(user, "contests.view_contest"):
        return Entry.objects.none()
    return Entry.objects.visible_to(user).select_related("contest", "contest__federation", "category")


@dataclass
class EntryFilters:
    query: str = ""
    category_id: int | None = None
    status: str = ""
    award: str = ""
    country: str = ""


def entry_list(*, user, contest: Contest, filters: EntryFilters | None = None) -> QuerySet[Entry]:
    """Entries of ``contest`` the user may see; ``query`` matches code, title or author."""
    filters = filters or EntryFilters()
    qs = entry_scope(user=user).filter(contest=contest)
    if filters.query:
        q = filters.query
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(author_name__icontains=q))
    if filters.category_id:
        qs = qs.filter(category_id=filters.category_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.award == "any":
        qs = qs.exclude(award="")
    elif filters.award == "none":
        qs = qs.filter(award="")
    elif filters.award:
        qs = qs.filter(award=filters.award)
    if filters.country:
        qs = qs.filter(author_country=filters.country)
    return qs


def entry_get(*, user, pk: int) -> Entry:
    return entry_scope(user=user).get(pk=pk)


def entry_files(*, entry: Entry) -> list[EntryFile]:
    return list(entry.files.all())


def entry_file_get(*, user, pk: int) -> EntryFile:
    if not _allowed(user, "contests.view_contest"):
        raise EntryFile.DoesNotExist
    return EntryFile.objects.visible_to(user).select_related("entry").get(pk=pk)


def result_list(*, user, contest: Contest) -> QuerySet[Entry]:
    """Eligible entries of ``contest`` in category and rank order (unranked last)."""
    from django.db.models import F

    return (
        entry_scope(user=user)
        .filter(contest=contest, status=EntryStatus.ELIGIBLE)
        .order_by("category__order", "category_id", F("rank").asc(nulls_last=True), "code")
    )


def objection_list(*, user, contest: Contest) -> QuerySet[Objection]:
    if not _allowed(user, "contests.view_contest"):
        return Objection.objects.none()
    return Objection.objects.visible_to(user).filter(entry__contest=contest).select_related("entry", "resolved_by")


def objection_get(*, user, pk: int) -> Objection:
    if not _allowed(user, "contests.view_contest"):
        raise Objection.DoesNotExist
    return Objection.objects.visible_to(user).select_related("entry", "entry__contest").get(pk=pk)


def entry_counts(*, user, year: int | None = None, contest: Contest | None = None) -> list[dict]:
    """Entries per year and category kind in the user's jurisdiction (withdrawn ones not counted):
    [{"year": 2022, "kind": "photo_single", "n": 123}, …] ordered by year and kind."""
    qs = entry_scope(user=user).exclude(status=EntryStatus.WITHDRAWN)
    if year:
        qs = qs.filter(contest__year=year)
    if contest is not None:
        qs = qs.filter(contest=contest)
    rows = (
        qs.order_by()
        .values("contest__year", "category__kind")
        .annotate(n=Count("id"))
        .order_by("contest__year", "category__kind")
    )
    return [{"year": r["contest__year"], "kind": r["category__kind"], "n": r["n"]} for r in rows]


# Judging (judges' view: anonymous) ----------------------------------------------------------


def judging_contests(*, user) -> QuerySet[Contest]:
    """Contests in judging where ``user`` is on the panel."""
    if not _allowed(user, "contests.judge"):
        return Contest.objects.none()
    return Contest.objects.filter(status=ContestStatus.JUDGING, judges=user).order_by("-year", "-id")


def judging_contest_get(*, user, pk: int) -> Contest:
    return judging_contests(user=user).get(pk=pk)


def judging_entries(*, user, contest: Contest) -> QuerySet[Entry]:
    """The eligible entries a judge scores. Only anonymous fields are loaded (``only``)."""
    if not judging_contests(user=user).filter(pk=contest.pk).exists():
        return Entry.objects.none()
    return (
        Entry.objects.filter(contest=contest, status=EntryStatus.ELIGIBLE)
        .select_related("category")
        .only("id", "code", "title", "description", "category__id", "category__name", "category__kind", "contest_id")
        .order_by("category__order", "category_id", "code")
    )


def judging_entry_get(*, user, pk: int) -> Entry:
    """An eligible entry of a contest in judging where ``user`` is a judge (else Entry.DoesNotExist)."""
    contest_id = Entry.objects.filter(pk=pk).values_list("contest_id", flat=True).first()
    contest = judging_contests(user=user).filter(pk=contest_id).first() if contest_id else None
    if contest is None:
        raise Entry.DoesNotExist
    return judging_entries(user=user, contest=contest).get(pk=pk)


def judging_file_get(*, user, pk: int) -> EntryFile:
    file = EntryFile.objects.filter(pk=pk).first()
    if file is None:
        raise EntryFile.DoesNotExist
    try:
        judging_entry_get(user=user, pk=file.entry_id)
    except Entry.DoesNotExist:
        raise EntryFile.DoesNotExist from None
    return file


def judging_files(*, entry: Entry) -> list[EntryFile]:
    """The files of an entry a judge has been given (``judging_entry_get``): web copy and thumbnail only."""
    return list(EntryFile.objects.filter(entry=entry).only("id", "entry_id", "kind", "web", "thumbnail", "order"))


def own_scores(*, user, contest: Contest) -> dict[int, dict[int, Score]]:
    """{entry id: {criterion id: score}} of the judge's own scores in ``contest`` — never anyone else's."""
    result: dict[int, dict[int, Score]] = {}
    for score in Score.objects.filter(entry__contest=contest, judge=user):
        result.setdefault(score.entry_id, {})[score.criterion_id] = score
    return result
