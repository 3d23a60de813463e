"""API of 社情民意 and research reports (read-only: the workflow is run on the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qiaolian.advocacy import selectors
from qiaolian.advocacy.models import OpinionReport, ResearchReport
from qiaolian.core.api import Choice, FederationRef, Page, PageQuery, choice_of, page_of
from qiaolian.core.permissions import require_perm


class OpinionOut(Schema):
    id: int
    title: str
    category: Choice
    status: Choice
    author_name: str
    author_kind: Choice
    federation: FederationRef
    submitted_on: dt.date | None
    submitted_to: str
    adopted_on: dt.date | None
    adoption_level: Choice | None
    instruction_on: dt.date | None

    @staticmethod
    def resolve_category(obj) -> dict[str, str]:
        return choice_of(obj, "category")

    @staticmethod
    def resolve_status(obj) -> dict[str, str]:
        return choice_of(obj, "status")

    @staticmethod
    def resolve_author_kind(obj) -> dict[str, str]:
        return choice_of(obj, "author_kind")

    @staticmethod
    def resolve_adoption_level(obj) -> dict[str, str] | None:
        return choice_of(obj, "adoption_level") if obj.adoption_level else None


class OpinionDetailOut(OpinionOut):
    body: str
    adopted_by: str
    instruction_by: str
    instruction: str
    feedback: str


class OpinionQuery(PageQuery):
    year: int | None = Field(None, ge=1990, le=2100, description="报送年份")
    status: str = ""
    category: str = ""
    q: str = Field("", max_length=60)


class ResearchOut(Schema):
    id: int
    title: str
    authors: str
    completed_on: dt.date
    abstract: str
    keywords: str
    federation: FederationRef
    has_file: bool

    @staticmethod
    def resolve_has_file(obj) -> bool:
        return bool(obj.file)


router = Router()


@router.get("/opinions", response=Page[OpinionOut], tags=["advocacy"], summary="社情民意列表")
def opinion_list(request: HttpRequest, params: Query[OpinionQuery]) -> dict[str, Any]:
    require_perm(request.user, "advocacy.view_opinion")
    filters = selectors.OpinionFilters(query=params.q, year=params.year, status=params.status, category=params.category)
    return page_of(selectors.opinion_list(user=request.user, filters=filters), params, order=("-created_at", "-id"))


@router.get("/opinions/{int:opinion_id}", response=OpinionDetailOut, tags=["advocacy"], summary="社情民意详情")
def opinion_detail(request: HttpRequest, opinion_id: int) -> OpinionReport:
    require_perm(request.user, "advocacy.view_opinion")
    return selectors.opinion_get(user=request.user, pk=opinion_id)


@router.get("/research", response=Page[ResearchOut], tags=["advocacy"], summary="调研成果列表")
def research_list(request: HttpRequest, params: Query[PageQuery]) -> dict[str, Any]:
    require_perm(request.user, "advocacy.view_research")
    return page_of(selectors.research_list(user=request.user), params, order=("-completed_on", "-id"))


@router.get("/research/{int:research_id}", response=ResearchOut, tags=["advocacy"], summary="调研成果详情")
def research_detail(request: HttpRequest, research_id: int) -> ResearchReport:
    require_perm(request.user, "advocacy.view_research")
    return selectors.research_get(user=request.user, pk=research_id)
