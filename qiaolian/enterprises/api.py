"""API of the 侨企 registry (聚力工程): enterprises, visits with their appeals, exhibitions
(进博会, “一带一路” …), investment leads (以侨引侨) and the yearly figures.

Same rules as the pages: reads go through the selectors (jurisdiction), writes through the
services (permission, one transaction, audit), validation through the pages' forms. The contact
phone leaves only masked; its plain value is a ``POST /enterprises/{id}/reveal``, which the
service writes to the audit log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from qiaolian.core.api import Choice, FederationRef, Page, PageQuery, bound_form, choice_of, page_of, year_field
from qiaolian.core.permissions import require_perm
from qiaolian.enterprises import selectors, services
from qiaolian.enterprises.forms import AppealForm, EnterpriseForm, ExhibitionForm, VisitForm
from qiaolian.enterprises.models import CIIE, Appeal, Enterprise, ExhibitionParticipation, InvestmentLead, Visit
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry.selectors import person_scope

router = Router()


def _country(value) -> dict[str, str]:
    return {"code": getattr(value, "code", None) or "", "label": str(getattr(value, "name", "") or "")}


def _invalid(form) -> ValidationError:
    return ValidationError(form.errors.as_data())


# Schemas ------------------------------------------------------------------------------------


class EnterpriseOut(Schema):
    """An enterprise as lists show it; the contact phone masked."""

    id: int
    name: str
    credit_code: str | None
    investor_type: Choice
    investor_origin: Choice | None
    investor_country: Choice
    industry: Choice
    federation: FederationRef
    address: str
    legal_representative: str
    contact_name: str
    contact_phone_masked: str = Field(description="脱敏；原值须调用 /enterprises/{id}/reveal（记入审计日志）")
    is_active: bool
    updated_at: dt.datetime

    @staticmethod
    def resolve_investor_type(obj: Enterprise) -> dict[str, str]:
        return choice_of(obj, "investor_type")

    @staticmethod
    def resolve_investor_origin(obj: Enterprise) -> dict[str, str] | None:
        return choice_of(obj, "investor_origin") if obj.investor_origin else None

    @staticmethod
    def resolve_investor_country(obj: Enterprise) -> dict[str, str]:
        return _country(obj.investor_country)

    @staticmethod
    def resolve_industry(obj: Enterprise) -> dict[str, str]:
        return choice_of(obj, "industry")

    @staticmethod
    def resolve_contact_phone_masked(obj: Enterprise) -> str:
        return str(obj.contact_phone) if obj.contact_phone else ""


class ExhibitionOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    year: int | None = None
    exhibition: str
    is_ciie: bool
    booth: str
    notes: str

    @staticmethod
    def resolve_enterprise_name(obj: ExhibitionParticipation) -> str:
        return obj.enterprise.name


class EnterpriseDetailOut(EnterpriseOut):
    established_on: dt.date | None
    registered_capital: Decimal | None = Field(description="万元")
    employees: int | None
    person_id: int | None
    notes: str
    exhibitions: list[ExhibitionOut]

    @staticmethod
    def resolve_exhibitions(obj: Enterprise) -> list:
        return getattr(obj, "exhibition_rows", [])


class EnterpriseQuery(PageQuery):
    q: str = Field("", max_length=60, description="企业名称、拼音、拼音首字母或统一社会信用代码")
    investor_type: str = ""
    investor_origin: str = ""
    country: str = Field("", max_length=2, description="投资方国家/地区代码，如 SG")
    industry: str = ""
    federation_id: int | None = Field(None, description="该侨联及其下级")
    ciie_year: int | None = year_field(description="该年参加进博会的企业")
    is_active: bool | None = None


class EnterpriseIn(Schema, extra="forbid"):
    """Fields of an enterprise, checked by the same rules as the page's form. On update send only
    the ones that change; an empty contact phone keeps the stored value."""

    federation: int | None = Field(None, description="所属侨联的 id（必填）")
    name: str | None = Field(None, description="企业名称（必填）")
    credit_code: str | None = Field(None, description="统一社会信用代码，18位，校验位按 GB 32100 检查")
    investor_type: str | None = Field(None, description="企业类型（必填）：overseas, hk_macao, family, new_overseas")
    investor_origin: str | None = None
    investor_country: str | None = Field(None, description="ISO 3166 代码")
    industry: str | None = Field(None, description="行业（必填）")
    address: str | None = None
    established_on: dt.date | None = None
    registered_capital: Decimal | None = Field(None, description="万元")
    employees: int | None = None
    legal_representative: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = Field(None, description="手机或电话；境外号码带国家代码，如 +852")
    person: int | None = Field(None, description="侨情库人员 id")
    notes: str | None = None
    is_active: bool | None = None


class EnterpriseRevealIn(Schema, extra="forbid"):
    field: Literal["contact_phone"]


class EnterpriseRevealOut(Schema):
    field: str
    value: str


class AppealOut(Schema):
    id: int
    topic: Choice
    title: str
    description: str
    raised_on: dt.date
    case_id: int | None
    case_number: str | None
    case_state: Choice | None = Field(description="案件办理状态")

    @staticmethod
    def resolve_topic(obj: Appeal) -> dict[str, str]:
        return choice_of(obj, "topic")

    @staticmethod
    def resolve_case_id(obj: Appeal) -> int | None:
        return obj.case_id

    @staticmethod
    def resolve_case_number(obj: Appeal) -> str | None:
        return obj.case.number if obj.case_id else None

    @staticmethod
    def resolve_case_state(obj: Appeal) -> dict[str, str] | None:
        return choice_of(obj.case, "state") if obj.case_id else None


class VisitorOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class VisitOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    visited_on: dt.date
    visitors: list[VisitorOut]
    visitor_names: str
    received_by: str
    notes: str
    appeals: list[AppealOut]

    @staticmethod
    def resolve_enterprise_name(obj: Visit) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_visitors(obj: Visit) -> list:
        return list(obj.visitors.all())

    @staticmethod
    def resolve_appeals(obj: Visit) -> list:
        return getattr(obj, "appeal_rows", [])


class AppealIn(Schema, extra="forbid"):
    topic: str = Field(description="诉求类别：finance, land, talent, policy, approval, legal, market, other")
    title: str
    description: str


class VisitIn(Schema, extra="forbid"):
    visited_on: dt.date | None = None
    visitors: list[int] = Field(default_factory=list, description="走访人员的用户 id")
    visitor_names: str = ""
    received_by: str = ""
    notes: str | None = None
    appeals: list[AppealIn] = Field(default_factory=list, description="走访中提出的诉求，每条受理为一件“企业诉求”案件")


class VisitQuery(PageQuery):
    q: str = Field("", max_length=60, description="企业名称")
    year: int | None = year_field()
    federation_id: int | None = None
    with_appeals: bool = False


class ExhibitionQuery(PageQuery):
    year: int | None = year_field()
    exhibition: str = Field("", max_length=80, description=f"展会/项目名称，如 {CIIE}")
    federation_id: int | None = None


class ExhibitionIn(Schema, extra="forbid"):
    year: int | None = None
    exhibition: str = CIIE
    booth: str = ""
    notes: str = ""


class LeadOut(Schema):
    id: int
    project: str
    investor: str
    investor_country: Choice
    industry: Choice
    amount: Decimal | None = Field(description="意向投资额，万元")
    introduced_on: dt.date
    introducer_contact_id: int | None
    introducer: str
    stage: Choice
    stage_on: dt.date
    signed_on: dt.date | None
    landed_on: dt.date | None
    dropped_on: dt.date | None
    drop_reason: str
    enterprise_id: int | None
    federation: FederationRef

    @staticmethod
    def resolve_investor_country(obj: InvestmentLead) -> dict[str, str]:
        return _country(obj.investor_country)

    @staticmethod
    def resolve_industry(obj: InvestmentLead) -> dict[str, str]:
        return choice_of(obj, "industry")

    @staticmethod
    def resolve_introducer(obj: InvestmentLead) -> str:
        return obj.introducer_display

    @staticmethod
    def resolve_stage(obj: InvestmentLead) -> dict[str, str]:
        return choice_of(obj, "stage")


class LeadEventOut(Schema):
    occurred_on: dt.date
    from_stage: str
    to_stage: str
    note: str


class LeadDetailOut(LeadOut):
    notes: str
    events: list[LeadEventOut]

    @staticmethod
    def resolve_events(obj: InvestmentLead) -> list:
        return getattr(obj, "event_rows", [])


class LeadQuery(PageQuery):
    q: str = Field("", max_length=60)
    stage: str = ""
    country: str = Field("", max_length=2)
    industry: str = ""
    year: int | None = year_field()
    federation_id: int | None = None


class YearOut(Schema):
    year: int | None = None
    visits: int
    visited_enterprises: int
    appeals: int
    resolved: int = Field(description="对应案件已办结或已回访")
    days_to_close: float | None = Field(description="平均办理用时，工作日")
    ciie_exhibitors: int
    leads: int
    signed: int
    landed: int
    landed_amount: Decimal = Field(description="落地线索的意向投资额合计，万元")


class StatsQuery(Schema):
    federation_id: int | None = None


# Enterprises --------------------------------------------------------------------------------


def _enterprise_detail(user, enterprise: Enterprise) -> Enterprise:
    enterprise.exhibition_rows = list(selectors.enterprise_exhibitions(user=user, enterprise=enterprise))
    return enterprise


@router.get("/enterprises", response=Page[EnterpriseOut], tags=["enterprises"], summary="侨资企业列表（电话脱敏）")
def enterprise_list(request: HttpRequest, params: Query[EnterpriseQuery]) -> dict[str, Any]:
    require_perm(request.user, "enterprises.view_enterprise")
    filters = selectors.EnterpriseFilters(
        query=params.q,
        investor_type=params.investor_type,
        investor_origin=params.investor_origin,
        country=params.country.upper(),
        industry=params.industry,
        federation_id=params.federation_id,
        exhibition_year=params.ciie_year,
        is_active=params.is_active,
    )
    return page_of(selectors.enterprise_list(user=request.user, filters=filters), params, order=("name_pinyin", "id"))


@router.post("/enterprises", response={201: EnterpriseDetailOut}, tags=["enterprises"], summary="登记侨资企业")
def enterprise_create(request: HttpRequest, payload: EnterpriseIn):
    user = request.user
    require_perm(user, "enterprises.change_enterprise")
    form = bound_form(
        EnterpriseForm,
        payload.model_dump(exclude_unset=True),
        federations=federation_choices(user=user),
        persons=person_scope(user=user),
    )
    enterprise = services.enterprise_create(actor=user, data=form.service_data())
    return Status(201, _enterprise_detail(user, enterprise))


@router.get(
    "/enterprises/stats",
    response=list[YearOut],
    tags=["enterprises"],
    summary="侨企工作逐年统计（走访、诉求、参展、引资）",
)
def enterprise_stats(request: HttpRequest, params: Query[StatsQuery]) -> list[dict]:
    require_perm(request.user, "enterprises.view_stats")
    return selectors.yearly_overview(user=request.user, federation_id=params.federation_id)


@router.get(
    "/enterprises/{int:enterprise_id}", response=EnterpriseDetailOut, tags=["enterprises"], summary="侨资企业详情"
)
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> Enterprise:
    require_perm(request.user, "enterprises.view_enterprise")
    return _enterprise_detail(request.user, selectors.enterprise_get(user=request.user, pk=enterprise_id))


@router.patch(
    "/enterprises/{int:enterprise_id}", response=EnterpriseDetailOut, tags=["enterprises"], summary="修改侨资企业"
)
def enterprise_update(request: HttpRequest, enterprise_id: int, payload: EnterpriseIn) -> Enterprise:
    user = request.user
    require_perm(user, "enterprises.change_enterprise")
    enterprise = selectors.enterprise_get(user=user, pk=enterprise_id)
    form = bound_form(
        EnterpriseForm,
        payload.model_dump(exclude_unset=True),
        instance=enterprise,
        federations=federation_choices(user=user),
        persons=person_scope(user=user),
    )
    enterprise = services.enterprise_update(actor=user, enterprise=enterprise, data=form.service_data())
    return _enterprise_detail(user, enterprise)


@router.post(
    "/enterprises/{int:enterprise_id}/reveal",
    response=EnterpriseRevealOut,
    tags=["enterprises"],
    summary="查看联系电话原值（记入审计日志）",
)
def enterprise_reveal(
    request: HttpRequest, response: HttpResponse, enterprise_id: int, payload: EnterpriseRevealIn
) -> dict[str, str]:
    user = request.user
    require_perm(user, "enterprises.reveal_enterprise")
    enterprise = selectors.enterprise_get(user=user, pk=enterprise_id)
    value = services.enterprise_reveal(actor=user, enterprise=enterprise, field=payload.field)
    response["Cache-Control"] = "no-store"
    return {"field": payload.field, "value": value}


# Visits -------------------------------------------------------------------------------------


def _with_appeals(user, visits: list[Visit]) -> list[Visit]:
    for visit in visits:
        visit.appeal_rows = list(selectors.visit_appeals(user=user, visit=visit))
    return visits


@router.get(
    "/enterprises/{int:enterprise_id}/visits",
    response=Page[VisitOut],
    tags=["enterprises"],
    summary="企业的走访记录（含诉求及案件状态）",
)
def enterprise_visits(request: HttpRequest, enterprise_id: int, params: Query[PageQuery]) -> dict[str, Any]:
    user = request.user
    require_perm(user, "enterprises.view_enterprise")
    enterprise = selectors.enterprise_get(user=user, pk=enterprise_id)
    page = page_of(selectors.enterprise_visits(user=user, enterprise=enterprise), params, order=("-visited_on", "-id"))
    page["items"] = _with_appeals(user, page["items"])
    return page


@router.post(
    "/enterprises/{int:enterprise_id}/visits",
    response={201: VisitOut},
    tags=["enterprises"],
    summary="登记走访及诉求（每条诉求受理为“企业诉求”案件）",
)
def visit_create(request: HttpRequest, enterprise_id: int, payload: VisitIn):
    user = request.user
    require_perm(user, "enterprises.change_enterprise")
    enterprise = selectors.enterprise_get(user=user, pk=enterprise_id)
    data = payload.model_dump()
    appeals = data.pop("appeals")
    form = bound_form(VisitForm, data, visitors=selectors.visitor_choices(user=user))
    checked = []
    for number, appeal in enumerate(appeals, start=1):
        appeal_form = AppealForm(data=appeal)
        if not appeal_form.is_valid():
            messages = "；".join(m for errors in appeal_form.errors.values() for m in errors)
            raise ValidationError({"appeals": f"{number}: {messages}"})
        checked.append(appeal_form.cleaned_data)
    visit = services.visit_record(actor=user, enterprise=enterprise, data=form.service_data(), appeals=checked)
    return Status(201, _with_appeals(user, [selectors.visit_get(user=user, pk=visit.pk)])[0])


@router.get("/enterprise-visits", response=Page[VisitOut], tags=["enterprises"], summary="走访调研记录")
def visit_list(request: HttpRequest, params: Query[VisitQuery]) -> dict[str, Any]:
    user = request.user
    require_perm(user, "enterprises.view_enterprise")
    filters = selectors.VisitFilters(
        query=params.q, year=params.year, federation_id=params.federation_id, with_appeals=params.with_appeals
    )
    page = page_of(selectors.visit_list(user=user, filters=filters), params, order=("-visited_on", "-id"))
    page["items"] = _with_appeals(user, page["items"])
    return page


# Exhibitions --------------------------------------------------------------------------------


@router.get(
    "/enterprise-exhibitions",
    response=Page[ExhibitionOut],
    tags=["enterprises"],
    summary="参展记录（进博会、“一带一路”等）",
)
def exhibition_list(request: HttpRequest, params: Query[ExhibitionQuery]) -> dict[str, Any]:
    require_perm(request.user, "enterprises.view_enterprise")
    filters = selectors.ExhibitionFilters(
        year=params.year, exhibition=params.exhibition, federation_id=params.federation_id
    )
    return page_of(selectors.exhibition_list(user=request.user, filters=filters), params, order=("-year", "id"))


@router.post(
    "/enterprises/{int:enterprise_id}/exhibitions",
    response={201: ExhibitionOut},
    tags=["enterprises"],
    summary="登记参展（同一企业、年份、展会只能登记一次）",
)
def exhibition_add(request: HttpRequest, enterprise_id: int, payload: ExhibitionIn):
    user = request.user
    require_perm(user, "enterprises.change_enterprise")
    enterprise = selectors.enterprise_get(user=user, pk=enterprise_id)
    form = ExhibitionForm(data=payload.model_dump())
    if not form.is_valid():
        raise _invalid(form)
    return Status(201, services.exhibition_add(actor=user, enterprise=enterprise, data=form.cleaned_data))


# Investment leads ---------------------------------------------------------------------------


@router.get("/investment-leads", response=Page[LeadOut], tags=["enterprises"], summary="以侨引侨：招商引资线索")
def lead_list(request: HttpRequest, params: Query[LeadQuery]) -> dict[str, Any]:
    require_perm(request.user, "enterprises.view_lead")
    filters = selectors.LeadFilters(
        query=params.q,
        stage=params.stage,
        country=params.country.upper(),
        industry=params.industry,
        year=params.year,
        federation_id=params.federation_id,
    )
    return page_of(selectors.lead_list(user=request.user, filters=filters), params, order=("-introduced_on", "-id"))


@router.get(
    "/investment-leads/{int:lead_id}", response=LeadDetailOut, tags=["enterprises"], summary="线索详情（含进展记录）"
)
def lead_detail(request: HttpRequest, lead_id: int) -> InvestmentLead:
    require_perm(request.user, "enterprises.view_lead")
    lead = selectors.lead_get(user=request.user, pk=lead_id)
    lead.event_rows = list(selectors.lead_events(user=request.user, lead=lead))
    return lead
