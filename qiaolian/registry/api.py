"""API of the registry (侨情数据库): persons and households.

Same rules as the pages: reads go through the selectors (jurisdiction), writes through the
services (permission, one transaction, audit), validation through ``PersonForm`` and
``HouseholdForm``. ID numbers, phones and addresses leave only masked; the plain value of one
field is a ``POST /persons/{id}/reveal``, which the service writes to the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_countries import countries
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator, model_validator

from qiaolian.core.api import Choice, FederationRef, Page, PageQuery, bound_form, choice_of, page_of, subtree_filter
from qiaolian.core.fields import prefix_q
from qiaolian.core.permissions import require_perm
from qiaolian.core.text import search_key
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry import choices as c
from qiaolian.registry import selectors, services
from qiaolian.registry.forms import HouseholdForm, PersonForm
from qiaolian.registry.models import Household, Person

PERSON_SORTS: dict[str, tuple[str, ...]] = {
    "pinyin": ("name_pinyin", "id"),
    "newest": ("-created_at", "-id"),
    "updated": ("-updated_at", "-id"),
}


def masked(value: Any) -> str:
    """A protected value as lists show it: ``str()`` of a ProtectedValue is its masked form."""
    return "" if value is None else str(value)


def country_code(value: Any) -> str:
    return getattr(value, "code", None) or ""


# Persons: schemas --------------------------------------------------------------------------------


class PersonOut(Schema):
    """A person as lists show it: ID number, phone and address masked."""

    id: int
    name: str
    name_pinyin: str
    foreign_name: str
    sex: str
    birth_date: dt.date | None
    category: Choice
    federation: FederationRef
    id_type: str
    id_number_masked: str
    phone_masked: str
    address_masked: str
    nationality: str
    returned_from: str
    is_in_hardship: bool
    living_status: str
    is_archived: bool
    updated_at: dt.datetime

    @staticmethod
    def resolve_category(obj: Person) -> dict[str, str]:
        return choice_of(obj, "category")

    @staticmethod
    def resolve_id_number_masked(obj: Person) -> str:
        return masked(obj.id_number)

    @staticmethod
    def resolve_phone_masked(obj: Person) -> str:
        return masked(obj.phone)

    @staticmethod
    def resolve_address_masked(obj: Person) -> str:
        return masked(obj.address)

    @staticmethod
    def resolve_nationality(obj: Person) -> str:
        return country_code(obj.nationality)

    @staticmethod
    def resolve_returned_from(obj: Person) -> str:
        return country_code(obj.returned_from)


class PersonDetailOut(PersonOut):
    """The whole record as the detail page shows it (protected fields still masked)."""

    former_names: str
    ethnicity: str
    residence_country: str
    is_new_overseas: bool
    is_returnee_entrepreneur: bool
    emigration_period: str
    returned_year: int | None
    native_place: str
    birthplace: str
    phone_alt_masked: str
    email: str
    wechat: str
    education: str
    occupation: str
    industry: str
    employer: str
    position: str
    political_status: str
    social_roles: str
    hardship_types: list[str]
    hardship_note: str
    deceased_on: dt.date | None
    verification: str
    source: str
    tags: list[str]
    notes: str
    household_id: int | None
    household_relation: str
    archived_reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_residence_country(obj: Person) -> str:
        return country_code(obj.residence_country)

    @staticmethod
    def resolve_phone_alt_masked(obj: Person) -> str:
        return masked(obj.phone_alt)


class PersonQuery(PageQuery):
    """The list page's search and filters."""

    q: str = Field("", max_length=60, description="姓名、拼音、拼音首字母、证件号码或手机号")
    category: c.Category | None = None
    federation: int | None = Field(None, description="该侨联及其下级的人员")
    country: str = Field("", description="归来、居住或海外亲属所在的国家/地区（ISO 3166 代码，如 US）")
    age_min: int | None = Field(None, ge=0, le=150)
    age_max: int | None = Field(None, ge=0, le=150)
    hardship: bool | None = Field(None, description="true 只列困难归侨侨眷，false 只列非困难")
    living_status: c.LivingStatus | None = None
    archived: bool = Field(False, description="包括已归档")
    sort: Literal["pinyin", "newest", "updated"] = "pinyin"

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.strip().upper()
        if code and code not in dict(countries):
            raise ValueError(_("无法识别的国家/地区代码（应为 ISO 3166 两位字母代码，如 US）。"))
        return code

    @model_validator(mode="after")
    def _age_range(self) -> PersonQuery:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError(_("最小年龄不能大于最大年龄。"))
        return self

    def filters(self) -> selectors.PersonFilters:
        return selectors.PersonFilters(
            query=self.q,
            category=self.category or "",
            federation_id=self.federation,
            country=self.country,
            age_min=self.age_min,
            age_max=self.age_max,
            hardship=self.hardship,
            living_status=self.living_status or "",
            include_archived=self.archived,
        )


class PersonIn(Schema, extra="forbid"):
    """Fields of a person, checked by the same rules as the page's form. On update send only the
    ones that change; an empty ID number, phone or address keeps the stored value."""

    federation: int | None = Field(None, description="所属侨联的 id（必填）")
    name: str | None = Field(None, description="姓名（必填）")
    former_names: str | None = None
    foreign_name: str | None = None
    sex: c.Sex | None = Field(None, description="可由身份证号码推出")
    birth_date: dt.date | None = Field(None, description="可由身份证号码推出")
    ethnicity: str | None = None
    id_type: c.IdType | None = None
    id_number: str | None = None
    nationality: str | None = Field(None, description="ISO 3166 代码，默认 CN")
    residence_country: str | None = None
    category: c.Category | None = Field(None, description="身份类别（必填）")
    is_new_overseas: bool | None = None
    is_returnee_entrepreneur: bool | None = None
    emigration_period: str | None = None
    returned_from: str | None = Field(None, description="ISO 3166 代码；归侨必填")
    returned_year: int | None = None
    native_place: str | None = None
    birthplace: str | None = None
    address: str | None = None
    phone: str | None = Field(None, description="手机或电话；境外号码带国家代码，如 +1")
    phone_alt: str | None = None
    email: str | None = None
    wechat: str | None = None
    education: str | None = None
    occupation: str | None = None
    industry: str | None = None
    employer: str | None = None
    position: str | None = None
    political_status: str | None = None
    social_roles: str | None = None
    is_in_hardship: bool | None = None
    hardship_types: list[c.Hardship] | None = None
    hardship_note: str | None = None
    living_status: c.LivingStatus | None = None
    deceased_on: dt.date | None = None
    verification: c.Verification | None = None
    source: c.Source | None = None
    tags: list[str] | None = None
    notes: str | None = None

    def form_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True)
        if "tags" in data:
            data["tags"] = ",".join(data["tags"] or [])
        return data


class RevealIn(Schema, extra="forbid"):
    field: Literal["id_number", "phone", "phone_alt", "address"]


class RevealOut(Schema):
    field: str
    value: str


# Households: schemas -----------------------------------------------------------------------------


class HouseholdOut(Schema):
    id: int
    federation: FederationRef
    label: str
    address_masked: str
    area: str
    notes: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_address_masked(obj: Household) -> str:
        return masked(obj.address)


class HouseholdMemberOut(Schema):
    id: int
    name: str
    category: Choice
    household_relation: str
    is_archived: bool

    @staticmethod
    def resolve_category(obj: Person) -> dict[str, str]:
        return choice_of(obj, "category")


class HouseholdDetailOut(HouseholdOut):
    members: list[HouseholdMemberOut]

    @staticmethod
    def resolve_members(obj: Household, context: dict[str, Any]) -> list[Person]:
        if obj.pk is None or context is None:
            return []
        return list(selectors.household_members(user=context["request"].user, household=obj))


class HouseholdQuery(PageQuery):
    q: str = Field("", max_length=60, description="户名开头的文字")
    federation: int | None = Field(None, description="该侨联及其下级的家庭户")


class HouseholdIn(Schema, extra="forbid"):
    """Fields of a household; on update send only the ones that change (an empty address keeps
    the stored one)."""

    federation: int | None = Field(None, description="所属侨联的 id（必填）")
    label: str | None = Field(None, description="户名（必填），如 张建国户")
    address: str | None = None
    area: str | None = None
    notes: str | None = None


# Endpoints ---------------------------------------------------------------------------------------

router = Router()


@router.get("/persons", response=Page[PersonOut], tags=["persons"], summary="人员列表")
def person_list(request: HttpRequest, params: Query[PersonQuery]) -> dict[str, Any]:
    user = request.user
    require_perm(user, "registry.view_person")
    persons = selectors.person_list(user=user, filters=params.filters())
    return page_of(persons, params, order=PERSON_SORTS[params.sort])


@router.get("/persons/{int:person_id}", response=PersonDetailOut, tags=["persons"], summary="人员详情")
def person_detail(request: HttpRequest, person_id: int) -> Person:
    require_perm(request.user, "registry.view_person")
    return selectors.person_get(user=request.user, pk=person_id)


@router.post("/persons", response={201: PersonDetailOut}, tags=["persons"], summary="登记人员")
def person_create(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    user = request.user
    require_perm(user, "registry.change_person")
    form = bound_form(PersonForm, payload.form_data(), federations=federation_choices(user=user))
    return Status(201, services.person_create(actor=user, data=form.person_data()))


@router.patch("/persons/{int:person_id}", response=PersonDetailOut, tags=["persons"], summary="修改人员")
def person_update(request: HttpRequest, person_id: int, payload: PersonIn) -> Person:
    user = request.user
    require_perm(user, "registry.change_person")
    person = selectors.person_get(user=user, pk=person_id)
    form = bound_form(PersonForm, payload.form_data(), instance=person, federations=federation_choices(user=user))
    return services.person_update(actor=user, person=person, data=form.person_data())


@router.post(
    "/persons/{int:person_id}/reveal",
    response=RevealOut,
    tags=["persons"],
    summary="查看一项敏感信息的原值（记入审计日志）",
)
def person_reveal(request: HttpRequest, response: HttpResponse, person_id: int, payload: RevealIn) -> dict[str, str]:
    user = request.user
    require_perm(user, "registry.reveal_person")
    person = selectors.person_get(user=user, pk=person_id)
    value = services.person_reveal(actor=user, person=person, field=payload.field)
    response["Cache-Control"] = "no-store"
    return {"field": payload.field, "value": value}


@router.get("/households", response=Page[HouseholdOut], tags=["households"], summary="家庭户列表")
def household_list(request: HttpRequest, params: Query[HouseholdQuery]) -> dict[str, Any]:
    user = request.user
    require_perm(user, "registry.view_household")
    households = selectors.household_scope(user=user)
    query = params.q.strip()
    if query:
        households = households.filter(prefix_q("label", search_key(query)) | prefix_q("label", query))
    if params.federation is not None:
        households = households.filter(subtree_filter(user=user, federation_id=params.federation))
    return page_of(households, params, order=("label", "id"))


@router.get("/households/{int:household_id}", response=HouseholdDetailOut, tags=["households"], summary="家庭户详情")
def household_detail(request: HttpRequest, household_id: int) -> Household:
    user = request.user
    require_perm(user, "registry.view_household")
    return selectors.household_scope(user=user).get(pk=household_id)


@router.post("/households", response={201: HouseholdDetailOut}, tags=["households"], summary="新建家庭户")
def household_create(request: HttpRequest, payload: HouseholdIn) -> Status[Household]:
    user = request.user
    require_perm(user, "registry.change_household")
    form = bound_form(HouseholdForm, payload.model_dump(exclude_unset=True), federations=federation_choices(user=user))
    return Status(201, services.household_create(actor=user, data=form.household_data()))


@router.patch("/households/{int:household_id}", response=HouseholdDetailOut, tags=["households"], summary="修改家庭户")
def household_update(request: HttpRequest, household_id: int, payload: HouseholdIn) -> Household:
    user = request.user
    require_perm(user, "registry.change_household")
    household = selectors.household_scope(user=user).get(pk=household_id)
    form = bound_form(
        HouseholdForm,
        payload.model_dump(exclude_unset=True),
        instance=household,
        federations=federation_choices(user=user),
    )
    return services.household_update(actor=user, household=household, data=form.household_data())
