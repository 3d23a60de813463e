"""API of contests: the staff view (contests, entries with the phone masked, results) and the
judges' view (anonymous entries and their own scores). Same selectors, services and rules as the
pages: a record outside the user's jurisdiction, or a contest the judge is not on, is a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from qiaolian.contests import selectors, services
from qiaolian.contests.models import Contest, ContestStatus, Entry
from qiaolian.core.api import Choice, FederationRef, Page, PageQuery, choice_of, page_of, year_field
from qiaolian.core.permissions import require_perm

router = Router(tags=["contests"])


class Ref(Schema):
    id: int
    name: str


class ContestOut(Schema):
    id: int
    title: str
    title_en: str
    year: int
    status: Choice
    federation: FederationRef
    opens_at: dt.datetime
    closes_at: dt.datetime
    entry_count: int = 0
    award_count: int = 0

    @staticmethod
    def resolve_status(obj) -> dict[str, str]:
        return choice_of(obj, "status")


class CategoryOut(Schema):
    id: int
    name: str
    name_en: str
    kind: Choice
    min_files: int
    max_files: int
    max_file_mb: int
    min_long_side: int
    max_duration_seconds: int | None

    @staticmethod
    def resolve_kind(obj) -> dict[str, str]:
        return choice_of(obj, "kind")


class CriterionOut(Schema):
    id: int
    name: str
    name_en: str
    weight: int
    max_score: int


class ContestDetailOut(ContestOut):
    theme: str
    eligibility: str
    rules: str
    max_entries_per_author: int
    results_published_at: dt.datetime | None
    categories: list[CategoryOut]
    criteria: list[CriterionOut]
    judge_count: int

    @staticmethod
    def resolve_categories(obj) -> list:
        return list(obj.categories.all())

    @staticmethod
    def resolve_criteria(obj) -> list:
        return list(obj.criteria.all())

    @staticmethod
    def resolve_judge_count(obj) -> int:
        return obj.judges.count()


class EntryOut(Schema):
    id: int
    code: str
    contest_id: int
    category: Ref
    title: str
    author_name: str
    author_country: str
    author_phone: str = Field(description="已脱敏")
    status: Choice
    ineligible_reason: str
    score: Decimal | None
    rank: int | None
    award: Choice | None
    submitted_at: dt.datetime

    @staticmethod
    def resolve_category(obj) -> dict:
        return {"id": obj.category_id, "name": obj.category.name}

    @staticmethod
    def resolve_author_country(obj) -> str:
        return obj.author_country.code if obj.author_country else ""

    @staticmethod
    def resolve_author_phone(obj) -> str:
        return obj.author_phone.masked if obj.author_phone else ""

    @staticmethod
    def resolve_status(obj) -> dict[str, str]:
        return choice_of(obj, "status")

    @staticmethod
    def resolve_award(obj) -> dict[str, str] | None:
        return choice_of(obj, "award") if obj.award else None


class FileOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    duration_seconds: Decimal | None
    processing: str


class EntryDetailOut(EntryOut):
    description: str
    taken_on: dt.date | None
    taken_place: str
    author_email: str
    files: list[FileOut]

    @staticmethod
    def resolve_files(obj) -> list:
        return list(obj.files.all())


class ScoreOut(Schema):
    criterion: int
    value: Decimal


class JudgeEntryOut(Schema):
    """What a judge sees of an entry: no author, no account, no contact."""

    id: int
    code: str
    category: Ref
    title: str
    description: str
    own_scores: list[ScoreOut]
    own_total: Decimal | None = Field(description="本人总分（百分制），未评完为 null")


class ScoreIn(Schema):
    criterion: int
    value: Decimal = Field(ge=0, decimal_places=1)


class ScoresIn(Schema):
    scores: list[ScoreIn]
    comment: str = Field("", max_length=200)


class ResultOut(Schema):
    entry_id: int
    code: str
    category: Ref
    title: str
    score: Decimal | None
    rank: int | None
    tied: bool = Field(description="与同组别其他作品得分相同（保留两位小数）")
    award: Choice | None


class ContestQuery(PageQuery):
    q: str = Field("", max_length=60)
    year: int | None = year_field()
    status: str = ""
    federation_id: int | None = None


class EntryQuery(PageQuery):
    q: str = Field("", max_length=60, description="编号、名称或作者")
    category_id: int | None = None
    status: str = ""
    award: str = Field("", description="any / none / first / second / third / excellence")
    country: str = Field("", max_length=2)


@router.get("/contests", response=Page[ContestOut], summary="大赛列表")
def contest_list(request: HttpRequest, params: Query[ContestQuery]) -> dict[str, Any]:
    require_perm(request.user, "contests.view_contest")
    filters = selectors.ContestFilters(
        query=params.q.strip(), year=params.year, status=params.status, federation_id=params.federation_id
    )
    return page_of(selectors.contest_list(user=request.user, filters=filters), params, order=("-year", "-id"))


@router.get("/contests/{int:contest_id}", response=ContestDetailOut, summary="大赛详情")
def contest_detail(request: HttpRequest, contest_id: int) -> Contest:
    require_perm(request.user, "contests.view_contest")
    return selectors.contest_list(user=request.user).get(pk=contest_id)


@router.get("/contests/{int:contest_id}/entries", response=Page[EntryOut], summary="参赛作品（工作人员）")
def contest_entries(request: HttpRequest, contest_id: int, params: Query[EntryQuery]) -> dict[str, Any]:
    require_perm(request.user, "contests.view_contest")
    contest = selectors.contest_get(user=request.user, pk=contest_id)
    filters = selectors.EntryFilters(
        query=params.q.strip(),
        category_id=params.category_id,
        status=params.status,
        award=params.award,
        country=params.country.upper(),
    )
    return page_of(
        selectors.entry_list(user=request.user, contest=contest, filters=filters), params, order=("code", "id")
    )


@router.get("/contest-entries/{int:contest_entry_id}", response=EntryDetailOut, summary="参赛作品详情（工作人员）")
def entry_detail(request: HttpRequest, contest_entry_id: int) -> Entry:
    require_perm(request.user, "contests.view_contest")
    return selectors.entry_get(user=request.user, pk=contest_entry_id)


@router.get("/contests/{int:contest_id}/results", response=list[ResultOut], summary="评审结果（计算结果后）")
def contest_results(request: HttpRequest, contest_id: int) -> list[dict[str, Any]]:
    require_perm(request.user, "contests.view_contest")
    contest = selectors.contest_get(user=request.user, pk=contest_id)
    entries = list(selectors.result_list(user=request.user, contest=contest))
    computed = contest.status in (ContestStatus.NOTICE, ContestStatus.FINAL) or any(e.rank is not None for e in entries)
    if not computed:
        raise ValidationError(_("尚未计算结果。"))
    tied = services.tied_entry_ids(entries)
    return [
        {
            "entry_id": e.pk,
            "code": e.code,
            "category": {"id": e.category_id, "name": e.category.name},
            "title": e.title,
            "score": e.score,
            "rank": e.rank,
            "tied": e.pk in tied,
            "award": choice_of(e, "award") if e.award else None,
        }
        for e in entries
    ]


def _judge_rows(user, contest: Contest, entries) -> list[dict[str, Any]]:
    criteria = selectors.contest_criteria(contest=contest)
    own = selectors.own_scores(user=user, contest=contest)
    rows = []
    for e in entries:
        mine = own.get(e.pk, {})
        complete = bool(criteria) and all(c.pk in mine for c in criteria)
        rows.append(
            {
                "id": e.pk,
                "code": e.code,
                "category": {"id": e.category_id, "name": e.category.name},
                "title": e.title,
                "description": e.description,
                "own_scores": [{"criterion": pk, "value": s.value} for pk, s in sorted(mine.items())],
                "own_total": services.judge_total({k: s.value for k, s in mine.items()}, criteria).quantize(
                    services.TWO_PLACES
                )
                if complete
                else None,
            }
        )
    return rows


@router.get(
    "/judging/contests/{int:contest_id}/entries",
    response=list[JudgeEntryOut],
    tags=["judging"],
    summary="待评作品（评委，匿名）",
)
def judging_entries(request: HttpRequest, contest_id: int) -> list[dict[str, Any]]:
    require_perm(request.user, "contests.judge")
    contest = selectors.judging_contest_get(user=request.user, pk=contest_id)
    return _judge_rows(request.user, contest, selectors.judging_entries(user=request.user, contest=contest))


@router.put(
    "/judging/entries/{int:contest_entry_id}/scores",
    response=JudgeEntryOut,
    tags=["judging"],
    summary="提交本人对一件作品的评分（评委）",
)
def judging_scores_save(request: HttpRequest, contest_entry_id: int, payload: ScoresIn) -> dict[str, Any]:
    require_perm(request.user, "contests.judge")
    entry = selectors.judging_entry_get(user=request.user, pk=contest_entry_id)
    contest = selectors.judging_contest_get(user=request.user, pk=entry.contest_id)
    values: dict[int, Any] = {}
    for item in payload.scores:
        values[item.criterion] = item.value
    services.scores_save(actor=request.user, entry=entry, values=values, comment=payload.comment)
    return _judge_rows(request.user, contest, [entry])[0]
