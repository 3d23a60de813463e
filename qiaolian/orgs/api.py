"""API of organizations: federations (侨联组织) and stations (侨之家、新侨驿站)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from qiaolian.core.api import Choice, FederationRef, Page, PageQuery, bound_form, choice_of, page_of, subtree_filter
from qiaolian.core.permissions import require_perm
from qiaolian.orgs import selectors, services
from qiaolian.orgs.forms import FederationForm, StationForm
from qiaolian.orgs.models import Federation, FederationKind, Level, Station, StationKind

# Schemas -----------------------------------------------------------------------------------------


class FederationOut(Schema):
    id: int
    name: str
    short_name: str
    aliases: str
    level: Choice
    kind: Choice
    code: str
    parent: FederationRef | None
    depth: int
    established_on: dt.date | None
    address: str
    sort_order: int
    is_active: bool
    notes: str

    @staticmethod
    def resolve_level(obj) -> dict[str, str]:
        return choice_of(obj, "level")

    @staticmethod
    def resolve_kind(obj) -> dict[str, str]:
        return choice_of(obj, "kind")


class FederationQuery(PageQuery):
    q: str = Field("", description="名称、简称包含的文字")
    level: Level | None = None
    kind: FederationKind | None = None
    parent: int | None = Field(None, description="只列出该组织的直属下级")
    is_active: bool | None = None


class FederationIn(Schema, extra="forbid"):
    """Fields of a federation; on update send only the ones that change."""

    name: str | None = None
    short_name: str | None = None
    aliases: str | None = None
    level: Level | None = None
    kind: FederationKind | None = None
    code: str | None = None
    parent: int | None = Field(None, description="上级组织的 id")
    established_on: dt.date | None = None
    address: str | None = None
    sort_order: int | None = Field(None, ge=0)
    is_active: bool | None = None
    notes: str | None = None


class StationOut(Schema):
    id: int
    name: str
    kind: Choice
    federation: FederationRef
    host_venue: str
    address: str
    opened_on: dt.date | None
    contact_name: str
    is_active: bool
    notes: str

    @staticmethod
    def resolve_kind(obj) -> dict[str, str]:
        return choice_of(obj, "kind")


class StationQuery(PageQuery):
    q: str = Field("", description="名称包含的文字")
    kind: StationKind | None = None
    federation: int | None = Field(None, description="该侨联及其下级的阵地")
    is_active: bool | None = None


class StationIn(Schema, extra="forbid"):
    """Fields of a station; on update send only the ones that change."""

    name: str | None = None
    kind: StationKind | None = None
    federation: int | None = Field(None, description="所属侨联的 id")
    host_venue: str | None = None
    address: str | None = None
    opened_on: dt.date | None = None
    contact_name: str | None = None
    is_active: bool | None = None
    notes: str | None = None


# Endpoints ---------------------------------------------------------------------------------------

router = Router()


@router.get("/federations", response=Page[FederationOut], tags=["federations"], summary="侨联组织列表")
def federation_list(request: HttpRequest, params: Query[FederationQuery]) -> dict[str, Any]:
    user = request.user
    require_perm(user, "orgs.view_federation")
    qs = selectors.federation_list(user=user)
    if params.q:
        qs = qs.filter(Q(name__contains=params.q) | Q(short_name__contains=params.q))
    if params.level:
        qs = qs.filter(level=params.level)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.parent is not None:
        qs = qs.filter(parent_id=params.parent)
    if params.is_active is not None:
        qs = qs.filter(is_active=params.is_active)
    return page_of(qs, params, order=("path", "id"))


@router.get("/federations/{int:federation_id}", response=FederationOut, tags=["federations"], summary="侨联组织详情")
def federation_detail(request: HttpRequest, federation_id: int) -> Federation:
    require_perm(request.user, "orgs.view_federation")
    return selectors.federation_get(user=request.user, pk=federation_id)


@router.post("/federations", response={201: FederationOut}, tags=["federations"], summary="新建侨联组织")
def federation_create(request: HttpRequest, payload: FederationIn) -> Status[Federation]:
    user = request.user
    require_perm(user, "orgs.change_federation")
    form = bound_form(
        FederationForm, payload.model_dump(exclude_unset=True), parents=selectors.federation_choices(user=user)
    )
    data = form.service_data()
    parent = data.pop("parent", None)
    return Status(201, services.federation_create(actor=user, parent=parent, **data))


@router.patch("/federations/{int:federation_id}", response=FederationOut, tags=["federations"], summary="修改侨联组织")
def federation_update(request: HttpRequest, federation_id: int, payload: FederationIn) -> Federation:
    user = request.user
    require_perm(user, "orgs.change_federation")
    federation = selectors.federation_get(user=user, pk=federation_id)
    parents = selectors.federation_choices(user=user).exclude(path__startswith=federation.path)
    form = bound_form(FederationForm, payload.model_dump(exclude_unset=True), instance=federation, parents=parents)
    return services.federation_update(actor=user, federation=federation, **form.service_data())


@router.get("/stations", response=Page[StationOut], tags=["stations"], summary="阵地列表（侨之家、新侨驿站）")
def station_list(request: HttpRequest, params: Query[StationQuery]) -> dict[str, Any]:
    user = request.user
    require_perm(user, "orgs.view_station")
    qs = selectors.station_list(user=user)
    if params.q:
        qs = qs.filter(name__contains=params.q)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.federation is not None:
        qs = qs.filter(subtree_filter(user=user, federation_id=params.federation))
    if params.is_active is not None:
        qs = qs.filter(is_active=params.is_active)
    return page_of(qs, params, order=("name", "id"))


@router.get("/stations/{int:station_id}", response=StationOut, tags=["stations"], summary="阵地详情")
def station_detail(request: HttpRequest, station_id: int) -> Station:
    require_perm(request.user, "orgs.view_station")
    return selectors.station_list(user=request.user).get(pk=station_id)


@router.post("/stations", response={201: StationOut}, tags=["stations"], summary="新建阵地")
def station_create(request: HttpRequest, payload: StationIn) -> Status[Station]:
    user = request.user
    require_perm(user, "orgs.change_station")
    form = bound_form(
        StationForm, payload.model_dump(exclude_unset=True), federations=selectors.federation_choices(user=user)
    )
    data = form.service_data()
    federation = data.pop("federation")
    return Status(201, services.station_create(actor=user, federation=federation, **data))


@router.patch("/stations/{int:station_id}", response=StationOut, tags=["stations"], summary="修改阵地")
def station_update(request: HttpRequest, station_id: int, payload: StationIn) -> Station:
    user = request.user
    require_perm(user, "orgs.change_station")
    station = selectors.station_list(user=user).get(pk=station_id)
    form = bound_form(
        StationForm,
        payload.model_dump(exclude_unset=True),
        instance=station,
        federations=selectors.federation_choices(user=user),
    )
    return services.station_update(actor=user, station=station, **form.service_data())
