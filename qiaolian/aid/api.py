"""API of hardship aid: campaigns, nominations (list, create, approve), hand-overs, donations and
the figures. The same selectors, services and rules as the pages: another town's records are
404, and no ID number or phone is returned (a recipient is named, nothing more). Photos and
signature images of hand-overs are uploaded through the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from qiaolian.aid import selectors, services
from qiaolian.aid.forms import AllocationForm, DonationForm
from qiaolian.aid.models import Allocation, Campaign, Donation, HandOver, Nomination
from qiaolian.core.api import (
    YEAR_MAX,
    YEAR_MIN,
    Choice,
    FederationRef,
    Page,
    PageQuery,
    bound_form,
    choice_of,
    page_of,
    year_field,
)
from qiaolian.core.permissions import require_perm
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry import choices as c


class Ref(Schema):
    id: int
    name: str


class StandardOut(Schema):
    id: int
    label: str
    category: str = Field(description="身份类别代码，空为不限")
    hardship_type: str = Field(description="困难类型代码，空为不限")
    amount: Decimal
    goods: str


class AidCampaignOut(Schema):
    id: int
    title: str
    kind: Choice
    status: Choice
    year: int
    federation: FederationRef
    brand: Ref | None
    starts_on: dt.date
    ends_on: dt.date
    budget: Decimal
    max_amount: Decimal | None
    per_household: bool
    requires_hardship: bool
    hardship_types: list[str]
    categories: list[str]
    min_age: int | None
    max_age: int | None

    @staticmethod
    def resolve_kind(obj) -> dict[str, str]:
        return choice_of(obj, "kind")

    @staticmethod
    def resolve_status(obj) -> dict[str, str]:
        return choice_of(obj, "status")

    @staticmethod
    def resolve_brand(obj) -> dict | None:
        return {"id": obj.brand_id, "name": obj.brand.name} if obj.brand_id else None


class CampaignDetailOut(AidCampaignOut):
    description: str
    standards: list[StandardOut]
    budget_used: Decimal = Field(description="全专项已审批金额")
    budget_left: Decimal
    donated: Decimal = Field(description="转入本专项的捐赠资金")

    @staticmethod
    def resolve_standards(obj) -> list:
        return obj.standards_list


class NominationOut(Schema):
    id: int
    campaign: Ref
    person: Ref
    federation: FederationRef
    household_id: int | None
    category: Choice
    hardship_types: list[Choice]
    reason: str
    status: Choice
    amount: Decimal | None
    goods: str
    decision_note: str
    nominated_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_campaign(obj) -> dict:
        return {"id": obj.campaign_id, "name": obj.campaign.title}

    @staticmethod
    def resolve_person(obj) -> dict:
        return {"id": obj.person_id, "name": obj.person.name}

    @staticmethod
    def resolve_category(obj) -> dict[str, str]:
        return {"code": obj.category, "label": str(dict(c.Category.choices).get(obj.category, obj.category))}

    @staticmethod
    def resolve_hardship_types(obj) -> list[dict[str, str]]:
        labels = dict(c.Hardship.choices)
        return [{"code": h, "label": str(labels.get(h, h))} for h in obj.hardship_types]

    @staticmethod
    def resolve_status(obj) -> dict[str, str]:
        return choice_of(obj, "status")


class HandOverOut(Schema):
    id: int
    nomination_id: int
    person: Ref
    visited_on: dt.date
    visitors: str
    cash_amount: Decimal
    goods: str
    received_by: str
    note: str
    has_photo: bool
    has_signature: bool
    recorded_at: dt.datetime

    @staticmethod
    def resolve_person(obj) -> dict:
        person = obj.nomination.person
        return {"id": person.pk, "name": person.name}

    @staticmethod
    def resolve_has_photo(obj) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_has_signature(obj) -> bool:
        return bool(obj.signature)


class NominationDetailOut(NominationOut):
    handover: HandOverOut | None

    @staticmethod
    def resolve_handover(obj) -> HandOver | None:
        return getattr(obj, "handover", None)


class NominationQuery(PageQuery):
    campaign_id: int | None = None
    federation_id: int | None = Field(None, description="该侨联及其下级")
    status: str = Field("", description="nominated / deferred / approved / delivered / rejected / withdrawn")
    q: str = Field("", max_length=60, description="姓名、拼音、首字母或证件号")


class NominationIn(Schema):
    campaign_id: int | None = None
    person_id: int | None = None
    reason: str = Field("", max_length=500)


class ApproveIn(Schema):
    amount: Decimal | None = Field(None, description="不填则按适用标准")
    goods: str | None = Field(None, max_length=150, description="不填则按适用标准")
    note: str = Field("", max_length=200)


class HandOverIn(Schema):
    visited_on: dt.date | None = None
    visitors: str = Field("", max_length=150)
    cash_amount: Decimal | None = None
    goods: str | None = Field(None, max_length=150, description="不填则为审批的慰问品")
    received_by: str = Field("", max_length=60)
    note: str = Field("", max_length=200)


class AllocationOut(Schema):
    id: int
    campaign: Ref | None
    recipient: str
    allocated_on: dt.date
    amount: Decimal
    description: str

    @staticmethod
    def resolve_campaign(obj) -> dict | None:
        return {"id": obj.campaign_id, "name": obj.campaign.title} if obj.campaign_id else None


class DonationOut(Schema):
    id: int
    federation: FederationRef
    donor_name: str
    donor_kind: Choice
    association: Ref | None
    country: str
    received_on: dt.date
    kind: Choice
    amount: Decimal
    goods: str
    purpose: str
    receipt_number: str

    @staticmethod
    def resolve_donor_kind(obj) -> dict[str, str]:
        return choice_of(obj, "donor_kind")

    @staticmethod
    def resolve_kind(obj) -> dict[str, str]:
        return choice_of(obj, "kind")

    @staticmethod
    def resolve_association(obj) -> dict | None:
        return {"id": obj.association_id, "name": obj.association.name} if obj.association_id else None

    @staticmethod
    def resolve_country(obj) -> str:
        return str(obj.country or "")


class DonationDetailOut(DonationOut):
    notes: str
    allocated: Decimal
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(obj) -> list:
        return obj.allocations_list


class DonationIn(Schema):
    federation: int | None = Field(None, description="接收侨联编号，默认为本人所在侨联")
    donor_kind: str | None = Field(
        None, description="association / enterprise / individual / foundation / organization"
    )
    association: int | None = None
    donor_name: str | None = Field(None, max_length=120)
    country: str | None = Field(None, max_length=2)
    received_on: dt.date | None = None
    kind: str | None = Field(None, description="money / goods")
    amount: Decimal | None = None
    goods: str | None = Field(None, max_length=200)
    purpose: str | None = Field(None, max_length=120)
    receipt_number: str | None = Field(None, max_length=40)
    notes: str | None = None


class AllocationIn(Schema):
    campaign: int | None = Field(None, description="转入的帮扶专项编号（与 recipient 二选一）")
    recipient: str | None = Field(None, max_length=120)
    allocated_on: dt.date | None = None
    amount: Decimal | None = None
    description: str | None = Field(None, max_length=200)


class AidTallyOut(Schema):
    key: str | int | None = Field(description="分组取值：专项或侨联编号、身份类别或帮扶类型代码、年份")
    nominated: int
    approved: int = Field(description="获批人数（已审批与已发放）")
    households: int = Field(description="获批户数（每个专项中的不同家庭户）")
    amount: Decimal = Field(description="审批金额（元）")
    delivered: int
    cash: Decimal = Field(description="实发慰问金（元）")
    pending: int
    persons: int = Field(description="不重复的获批人数（同一人在多个专项中只计一次）")


class AidTallyQuery(Schema):
    by: str = Field("campaign", pattern="^(campaign|federation|town|category|year|kind|status)$")
    year: int | None = year_field()
    campaign_id: int | None = None
    federation_id: int | None = None


router = Router()
TAGS = ["aid"]


@router.get("/aid/campaigns", response=Page[AidCampaignOut], tags=TAGS, summary="帮扶专项列表")
def campaign_list(
    request: HttpRequest,
    params: Query[PageQuery],
    year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX),
    kind: str = "",
    status: str = "",
) -> dict[str, Any]:
    require_perm(request.user, "aid.view_campaign")
    qs = selectors.campaign_list(user=request.user, year=year, kind=kind, status=status)
    return page_of(qs, params, order=("-starts_on", "-id"))


@router.get("/aid/campaigns/{int:aid_campaign_id}", response=CampaignDetailOut, tags=TAGS, summary="帮扶专项详情")
def campaign_detail(request: HttpRequest, aid_campaign_id: int) -> Campaign:
    require_perm(request.user, "aid.view_campaign")
    campaign = selectors.campaign_get(user=request.user, pk=aid_campaign_id)
    budget = selectors.campaign_budget(campaign=campaign)
    campaign.standards_list = selectors.campaign_standards(campaign=campaign)
    campaign.budget_used, campaign.budget_left, campaign.donated = budget.used, budget.left, budget.donated
    return campaign


@router.get("/aid/nominations", response=Page[NominationOut], tags=TAGS, summary="帮扶提名列表")
def nomination_list(request: HttpRequest, params: Query[NominationQuery]) -> dict[str, Any]:
    require_perm(request.user, "aid.view_nomination")
    filters = selectors.NominationFilters(
        campaign_id=params.campaign_id,
        federation_id=params.federation_id,
        status=params.status,
        query=params.q.strip(),
    )
    return page_of(
        selectors.nomination_list(user=request.user, filters=filters), params, order=("-nominated_at", "-id")
    )


@router.post("/aid/nominations", response={201: NominationDetailOut}, tags=TAGS, summary="提名帮扶对象")
def nomination_create(request: HttpRequest, payload: NominationIn) -> Status[Nomination]:
    from qiaolian.registry.selectors import person_scope

    user = request.user
    require_perm(user, "aid.nominate")
    errors = {}
    if payload.campaign_id is None:
        errors["campaign_id"] = _("请填写帮扶专项编号。")
    if payload.person_id is None:
        errors["person_id"] = _("请填写帮扶对象（人员编号）。")
    if errors:
        raise ValidationError(errors)
    campaign = selectors.campaign_scope(user=user).filter(pk=payload.campaign_id).first()
    if campaign is None:
        raise ValidationError({"campaign_id": _("所选帮扶专项不存在或不在您的管辖范围内。")})
    person = person_scope(user=user, include_archived=True).select_related("federation").filter(pk=payload.person_id)
    person = person.first()
    if person is None:
        raise ValidationError({"person_id": _("所选侨情库人员不存在或不在您的管辖范围内。")})
    try:
        nomination = services.nomination_create(actor=user, campaign=campaign, person=person, reason=payload.reason)
    except ValidationError as error:
        raise _renamed(error, {"person": "person_id", "campaign": "campaign_id"}) from None
    return Status(201, nomination)


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(k, k): v for k, v in error.error_dict.items()})


@router.get("/aid/nominations/{int:nomination_id}", response=NominationDetailOut, tags=TAGS, summary="帮扶提名详情")
def nomination_detail(request: HttpRequest, nomination_id: int) -> Nomination:
    require_perm(request.user, "aid.view_nomination")
    return selectors.nomination_get(user=request.user, pk=nomination_id)


@router.post(
    "/aid/nominations/{int:nomination_id}/approve",
    response=NominationDetailOut,
    tags=TAGS,
    summary="审批（金额不填则按适用标准；超出预算、单份上限或每户限一份时返回 422）",
)
def nomination_approve(request: HttpRequest, nomination_id: int, payload: ApproveIn) -> Nomination:
    require_perm(request.user, "aid.approve")
    nomination = selectors.nomination_get(user=request.user, pk=nomination_id)
    return services.nomination_approve(
        actor=request.user, nomination=nomination, amount=payload.amount, goods=payload.goods, note=payload.note
    )


@router.post(
    "/aid/nominations/{int:nomination_id}/handover",
    response=HandOverOut,
    tags=TAGS,
    summary="登记走访发放（照片与签名请在页面上传）",
)
def nomination_handover(request: HttpRequest, nomination_id: int, payload: HandOverIn) -> HandOver:
    require_perm(request.user, "aid.hand_over")
    nomination = selectors.nomination_get(user=request.user, pk=nomination_id)
    return services.handover_record(actor=request.user, nomination=nomination, data=payload.model_dump())


@router.get("/aid/handovers", response=Page[HandOverOut], tags=TAGS, summary="走访发放记录")
def handover_list(
    request: HttpRequest, params: Query[PageQuery], campaign_id: int | None = None, federation_id: int | None = None
) -> dict[str, Any]:
    require_perm(request.user, "aid.view_nomination")
    qs = selectors.handover_list(user=request.user, campaign_id=campaign_id, federation_id=federation_id)
    return page_of(qs, params, order=("-visited_on", "-id"))


@router.get("/aid/stats", response=list[AidTallyOut], tags=TAGS, summary="帮扶统计（人数、户数、金额）")
def aid_stats(request: HttpRequest, params: Query[AidTallyQuery]) -> list[selectors.AidTally]:
    require_perm(request.user, "aid.view_campaign")
    return selectors.aid_tally(
        user=request.user,
        by=params.by,
        year=params.year,
        campaign_id=params.campaign_id,
        federation_id=params.federation_id,
    )


def _donation_out(donation: Donation, user) -> Donation:
    donation.allocations_list = list(selectors.donation_allocations(user=user, donation=donation))
    donation.allocated = selectors.allocated_total(donation=donation)
    return donation


@router.get("/aid/donations", response=Page[DonationOut], tags=TAGS, summary="捐赠列表")
def donation_list(
    request: HttpRequest, params: Query[PageQuery], year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX)
) -> dict[str, Any]:
    require_perm(request.user, "aid.view_donation")
    return page_of(selectors.donation_list(user=request.user, year=year), params, order=("-received_on", "-id"))


@router.post("/aid/donations", response={201: DonationDetailOut}, tags=TAGS, summary="登记捐赠")
def donation_create(request: HttpRequest, payload: DonationIn) -> Status[Donation]:
    user = request.user
    require_perm(user, "aid.change_donation")
    form = bound_form(
        DonationForm,
        payload.model_dump(exclude_unset=True),
        federations=federation_choices(user=user),
        associations=selectors.association_choices(user=user),
    )
    donation = services.donation_create(actor=user, data=form.service_data())
    return Status(201, _donation_out(donation, user))


@router.get("/aid/donations/{int:donation_id}", response=DonationDetailOut, tags=TAGS, summary="捐赠详情与去向")
def donation_detail(request: HttpRequest, donation_id: int) -> Donation:
    require_perm(request.user, "aid.view_donation")
    return _donation_out(selectors.donation_get(user=request.user, pk=donation_id), request.user)


@router.post(
    "/aid/donations/{int:donation_id}/allocations",
    response={201: AllocationOut},
    tags=TAGS,
    summary="登记捐赠去向（合计不得超过捐赠金额）",
)
def allocation_create(request: HttpRequest, donation_id: int, payload: AllocationIn) -> Status[Allocation]:
    user = request.user
    require_perm(user, "aid.change_donation")
    donation = selectors.donation_get(user=user, pk=donation_id)
    form = bound_form(
        AllocationForm, payload.model_dump(exclude_unset=True), campaigns=selectors.campaign_choices(user=user)
    )
    return Status(201, services.allocation_add(actor=user, donation=donation, data=form.cleaned_data))
