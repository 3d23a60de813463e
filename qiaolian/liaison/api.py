"""API of overseas liaison (read-only: the work is done on the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qiaolian.core.api import Choice, FederationRef, Page, PageQuery, choice_of, page_of
from qiaolian.core.permissions import require_perm
from qiaolian.liaison import selectors
from qiaolian.liaison.models import Camp


def _country(obj) -> dict[str, str]:
    return {"code": obj.country.code or "", "label": str(obj.country.name or "")}


class AssociationOut(Schema):
    id: int
    name: str
    type: Choice
    country: Choice
    city: str
    leaders: str
    relationship: Choice
    last_contact_on: dt.date | None
    federation: FederationRef

    @staticmethod
    def resolve_type(obj) -> dict[str, str]:
        return choice_of(obj, "type")

    @staticmethod
    def resolve_country(obj) -> dict[str, str]:
        return _country(obj)

    @staticmethod
    def resolve_relationship(obj) -> dict[str, str]:
        return choice_of(obj, "relationship")


class AssociationQuery(PageQuery):
    q: str = Field("", max_length=60, description="社团名称")
    country: str = Field("", max_length=2, description="国家/地区代码，如 US")
    type: str = ""


class ContactOut(Schema):
    id: int
    name: str
    foreign_name: str
    kind: Choice
    country: Choice
    city: str
    association_id: int | None
    organization: str
    position: str
    phone: str = Field(description="脱敏")
    federation: FederationRef

    @staticmethod
    def resolve_kind(obj) -> dict[str, str]:
        return choice_of(obj, "kind")

    @staticmethod
    def resolve_country(obj) -> dict[str, str]:
        return _country(obj)

    @staticmethod
    def resolve_phone(obj) -> str:
        return str(obj.phone) if obj.phone else ""


class ContactQuery(PageQuery):
    q: str = Field("", max_length=60, description="姓名或外文名")
    country: str = Field("", max_length=2)
    kind: str = ""


class CampOut(Schema):
    id: int
    title: str
    mode: Choice
    organizer: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    min_age: int
    max_age: int
    federation: FederationRef

    @staticmethod
    def resolve_mode(obj) -> dict[str, str]:
        return choice_of(obj, "mode")


class CountryCount(Schema):
    country: str
    country_name: str
    enrolled: int
    admitted: int
    attended: int


class SessionOut(Schema):
    id: int
    date: dt.date
    topic: str


class CampDetailOut(CampOut):
    description: str
    sessions: list[SessionOut]
    by_country: list[CountryCount]

    @staticmethod
    def resolve_sessions(obj) -> list:
        return obj.session_rows

    @staticmethod
    def resolve_by_country(obj) -> list[dict]:
        return obj.country_rows


class EnrolmentOut(Schema):
    id: int
    name: str
    foreign_name: str
    sex: Choice
    birth_date: dt.date
    country: Choice
    city: str
    school: str
    chinese_level: Choice | None
    languages: str
    guardian_consent: bool
    passport_number: str = Field(description="脱敏")
    status: Choice

    @staticmethod
    def resolve_sex(obj) -> dict[str, str]:
        return choice_of(obj, "sex")

    @staticmethod
    def resolve_country(obj) -> dict[str, str]:
        return _country(obj)

    @staticmethod
    def resolve_chinese_level(obj) -> dict[str, str] | None:
        return choice_of(obj, "chinese_level") if obj.chinese_level else None

    @staticmethod
    def resolve_passport_number(obj) -> str:
        return str(obj.passport_number) if obj.passport_number else ""

    @staticmethod
    def resolve_status(obj) -> dict[str, str]:
        return choice_of(obj, "status")


router = Router()


@router.get("/associations", response=Page[AssociationOut], tags=["liaison"], summary="海外社团列表")
def association_list(request: HttpRequest, params: Query[AssociationQuery]) -> dict[str, Any]:
    require_perm(request.user, "liaison.view_association")
    filters = selectors.AssociationFilters(query=params.q, country=params.country.upper(), type=params.type)
    return page_of(selectors.association_list(user=request.user, filters=filters), params, order=("name", "id"))


@router.get("/contacts", response=Page[ContactOut], tags=["liaison"], summary="海外联系人列表（电话脱敏）")
def contact_list(request: HttpRequest, params: Query[ContactQuery]) -> dict[str, Any]:
    require_perm(request.user, "liaison.view_contact")
    filters = selectors.ContactFilters(query=params.q, country=params.country.upper(), kind=params.kind)
    return page_of(selectors.contact_list(user=request.user, filters=filters), params, order=("name", "id"))


@router.get("/camps", response=Page[CampOut], tags=["liaison"], summary="青少年营列表")
def camp_list(request: HttpRequest, params: Query[PageQuery]) -> dict[str, Any]:
    require_perm(request.user, "liaison.view_camp")
    return page_of(selectors.camp_scope(user=request.user), params, order=("-starts_on", "-id"))


@router.get("/camps/{int:camp_id}", response=CampDetailOut, tags=["liaison"], summary="青少年营详情（含营员国别统计）")
def camp_detail(request: HttpRequest, camp_id: int) -> Camp:
    require_perm(request.user, "liaison.view_camp")
    camp = selectors.camp_get(user=request.user, pk=camp_id)
    camp.session_rows = list(selectors.camp_sessions(user=request.user, camp=camp))
    camp.country_rows = selectors.camp_counts_by_country(user=request.user, camp=camp)
    return camp


@router.get(
    "/camps/{int:camp_id}/enrolments", response=Page[EnrolmentOut], tags=["liaison"], summary="营员名单（护照号脱敏）"
)
def camp_enrolments(request: HttpRequest, camp_id: int, params: Query[PageQuery]) -> dict[str, Any]:
    require_perm(request.user, "liaison.view_camp")
    camp = selectors.camp_get(user=request.user, pk=camp_id)
    return page_of(selectors.camp_enrolments(user=request.user, camp=camp), params, order=("name", "id"))
