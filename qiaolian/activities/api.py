"""API of activities and campaigns: the records, their participants, the counts, and check-in
by code (for a phone at the desk). The same selectors, services and rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qiaolian.activities import selectors, services
from qiaolian.activities.models import Activity, Campaign, Registration
from qiaolian.core.api import YEAR_MAX, YEAR_MIN, Choice, FederationRef, Page, PageQuery, choice_of, page_of, year_field
from qiaolian.core.permissions import require_perm


class Ref(Schema):
    id: int
    name: str


class ActivityOut(Schema):
    id: int
    title: str
    kind: Choice
    project: Choice
    status: Choice
    mode: Choice
    campaign: Ref | None
    brand: Ref | None
    federation: FederationRef
    place: str
    online_platform: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int | None
    audience: int | None
    online_views: int | None
    is_published: bool

    @staticmethod
    def resolve_kind(obj) -> dict[str, str]:
        return choice_of(obj, "kind")

    @staticmethod
    def resolve_project(obj) -> dict[str, str]:
        return choice_of(obj, "project")

    @staticmethod
    def resolve_status(obj) -> dict[str, str]:
        return choice_of(obj, "status")

    @staticmethod
    def resolve_mode(obj) -> dict[str, str]:
        return choice_of(obj, "mode")

    @staticmethod
    def resolve_campaign(obj) -> dict | None:
        return {"id": obj.campaign_id, "name": obj.campaign.title} if obj.campaign_id else None

    @staticmethod
    def resolve_brand(obj) -> dict | None:
        return {"id": obj.brand_id, "name": obj.brand.name} if obj.brand_id else None


class ActivityDetailOut(ActivityOut):
    summary: str
    other_organizers: str
    co_federations: list[FederationRef]
    partners: list[Ref]
    stations: list[Ref]
    registered: int
    checked_in: int

    @staticmethod
    def resolve_co_federations(obj) -> list:
        return list(obj.co_federations.all())

    @staticmethod
    def resolve_partners(obj) -> list:
        return list(obj.partners.all())

    @staticmethod
    def resolve_stations(obj) -> list:
        return list(obj.stations.all())


class ActivityQuery(PageQuery):
    q: str = Field("", max_length=60, description="名称或地点")
    project: str = Field("", description="ningxin / juli / huiqiao / qiangji")
    kind: str = ""
    campaign_id: int | None = None
    brand_id: int | None = None
    federation_id: int | None = Field(None, description="该侨联及其下级")
    mode: str = ""
    status: str = ""
    year: int | None = year_field()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def filters(self) -> selectors.ActivityFilters:
        return selectors.ActivityFilters(
            query=self.q.strip(),
            project=self.project,
            kind=self.kind,
            campaign_id=self.campaign_id,
            brand_id=self.brand_id,
            federation_id=self.federation_id,
            mode=self.mode,
            status=self.status,
            year=self.year,
            date_from=self.date_from,
            date_to=self.date_to,
        )


class ParticipationOut(Schema):
    id: int
    activity_id: int
    person_id: int | None
    name: str
    organization: str
    role: Choice
    checked_in_at: dt.datetime | None

    @staticmethod
    def resolve_role(obj) -> dict[str, str]:
        return choice_of(obj, "role")


class CheckInIn(Schema):
    code: str = Field(max_length=20, description="参与者的签到码（二维码内容中的码亦可）")


class CampaignOut(Schema):
    id: int
    title: str
    project: Choice
    brand: Ref | None
    federation: FederationRef
    starts_on: dt.date
    ends_on: dt.date
    description: str

    @staticmethod
    def resolve_project(obj) -> dict[str, str]:
        return choice_of(obj, "project")

    @staticmethod
    def resolve_brand(obj) -> dict | None:
        return {"id": obj.brand_id, "name": obj.brand.name} if obj.brand_id else None


class TallyOut(Schema):
    key: str | int | None = Field(description="分组的取值：工程/类型代码、专项或侨联编号、年份")
    activities: int
    participants: int = Field(description="登记参与的不同人数")
    registrations: int
    audience: int
    online_views: int
    reach: int


class TallyQuery(Schema):
    by: str = Field("project", pattern="^(project|kind|campaign|federation|year|mode)$")
    year: int | None = year_field()
    project: str = ""
    campaign_id: int | None = None
    federation_id: int | None = None


router = Router()


@router.get("/activities", response=Page[ActivityOut], tags=["activities"], summary="活动列表")
def activity_list(request: HttpRequest, params: Query[ActivityQuery]) -> dict[str, Any]:
    require_perm(request.user, "activities.view_activity")
    qs = selectors.activity_list(user=request.user, filters=params.filters())
    return page_of(qs, params, order=("-starts_at", "-id"))


@router.get(
    "/activities/stats", response=list[TallyOut], tags=["activities"], summary="活动统计（项数、参与人数、覆盖人次）"
)
def activity_stats(request: HttpRequest, params: Query[TallyQuery]) -> list[selectors.Tally]:
    require_perm(request.user, "activities.view_activity")
    filters = selectors.ActivityFilters(
        year=params.year, project=params.project, campaign_id=params.campaign_id, federation_id=params.federation_id
    )
    return selectors.activity_tally(user=request.user, by=params.by, filters=filters)


@router.get("/activities/{int:activity_id}", response=ActivityDetailOut, tags=["activities"], summary="活动详情")
def activity_detail(request: HttpRequest, activity_id: int) -> Activity:
    require_perm(request.user, "activities.view_activity")
    activity = selectors.activity_get(user=request.user, pk=activity_id)
    registrations = selectors.activity_registrations(user=request.user, activity=activity)
    activity.registered = registrations.count()
    activity.checked_in = registrations.filter(checked_in_at__isnull=False).count()
    return activity


@router.get(
    "/activities/{int:activity_id}/participations",
    response=Page[ParticipationOut],
    tags=["activities"],
    summary="活动参与人员",
)
def activity_participations(request: HttpRequest, activity_id: int, params: Query[PageQuery]) -> dict[str, Any]:
    require_perm(request.user, "activities.view_activity")
    activity = selectors.activity_get(user=request.user, pk=activity_id)
    qs = selectors.activity_registrations(user=request.user, activity=activity)
    return page_of(qs, params, order=("name", "id"))


@router.post(
    "/activities/{int:activity_id}/checkin",
    response=ParticipationOut,
    tags=["activities"],
    summary="按签到码签到",
)
def activity_check_in(request: HttpRequest, activity_id: int, payload: CheckInIn) -> Registration:
    require_perm(request.user, "activities.check_in")
    activity = selectors.activity_get(user=request.user, pk=activity_id)
    code = payload.code.rstrip("/").rsplit("/", 1)[-1]
    return services.check_in(actor=request.user, activity=activity, code=code)


@router.get("/campaigns", response=Page[CampaignOut], tags=["activities"], summary="专项活动列表")
def campaign_list(
    request: HttpRequest, params: Query[PageQuery], year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX)
) -> dict[str, Any]:
    require_perm(request.user, "activities.view_campaign")
    return page_of(selectors.campaign_list(user=request.user, year=year), params, order=("-starts_on", "-id"))


@router.get("/campaigns/{int:campaign_id}", response=CampaignOut, tags=["activities"], summary="专项活动详情")
def campaign_detail(request: HttpRequest, campaign_id: int) -> Campaign:
    require_perm(request.user, "activities.view_campaign")
    return selectors.campaign_get(user=request.user, pk=campaign_id)
