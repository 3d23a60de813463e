"""API of the entrepreneurship competition's projects: list, one project with its team, counts
by year and source region, and recording a project. The same selectors, form rules and service
as the staff pages; the leader's phone is only ever returned masked."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from qiaolian.contests import (
    rules_projects,  # noqa: F401  (until contests/rules.py imports it)
    selectors_projects,
    services_projects,
)
from qiaolian.contests.forms_projects import MemberForm, ProjectForm
from qiaolian.contests.models import CompetitionProject, SourceRegion
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

router = Router(tags=["competition-projects"])


class CountryOut(Schema):
    code: str
    name: str


class ProjectOut(Schema):
    id: int
    year: int
    name: str
    source_region: Choice
    country: CountryOut | None
    field: Choice
    stage: Choice
    referral_channel: Choice
    outcome: Choice
    leader_name: str
    leader_phone: str = Field(description="脱敏后的电话")
    federation: FederationRef
    import_ref: str

    @staticmethod
    def resolve_source_region(obj) -> dict[str, str]:
        return choice_of(obj, "source_region")

    @staticmethod
    def resolve_field(obj) -> dict[str, str]:
        return choice_of(obj, "field")

    @staticmethod
    def resolve_stage(obj) -> dict[str, str]:
        return choice_of(obj, "stage")

    @staticmethod
    def resolve_referral_channel(obj) -> dict[str, str]:
        return choice_of(obj, "referral_channel")

    @staticmethod
    def resolve_outcome(obj) -> dict[str, str]:
        return choice_of(obj, "outcome")

    @staticmethod
    def resolve_country(obj) -> dict[str, str] | None:
        return {"code": obj.country.code, "name": str(obj.country.name)} if obj.country else None

    @staticmethod
    def resolve_leader_phone(obj) -> str:
        return obj.leader_phone.masked if obj.leader_phone else ""


class MemberOut(Schema):
    name: str
    role: str
    nationality: CountryOut | None
    is_leader: bool

    @staticmethod
    def resolve_nationality(obj) -> dict[str, str] | None:
        return {"code": obj.nationality.code, "name": str(obj.nationality.name)} if obj.nationality else None


class ProjectDetailOut(ProjectOut):
    summary: str
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj) -> list:
        return list(obj.members.all())


class ProjectQuery(PageQuery):
    year: int | None = year_field()
    source_region: str = Field(
        "", description="overseas / hong_kong / macao / taiwan / mainland / hk_macao（香港+澳门）"
    )
    country: str = Field("", max_length=2, description="ISO 3166 两位代码，如 US")
    q: str = Field("", max_length=60, description="项目名称或负责人")

    def filters(self) -> selectors_projects.ProjectFilters:
        return selectors_projects.ProjectFilters(
            query=self.q.strip(), year=self.year, source_region=self.source_region, country=self.country.upper()
        )


class StatsRow(Schema):
    year: int
    counts: dict[str, int] = Field(description="各来源地区的项目数，另有 hk_macao（香港+澳门）与 total")


class ProjectStatsOut(Schema):
    years: list[StatsRow]
    total: dict[str, int]


class MemberIn(Schema):
    name: str = Field(max_length=60)
    role: str = Field("", max_length=40)
    nationality: str = Field("", max_length=2, description="ISO 3166 两位代码")
    is_leader: bool = False


class ProjectIn(Schema):
    federation_id: int | None = Field(None, description="推荐侨联；不填为本人所在侨联")
    year: int | None = None
    name: str = ""
    source_region: str = ""
    country: str = ""
    field: str = ""
    stage: str = ""
    referral_channel: str = ""
    outcome: str = "registered"
    leader_name: str = ""
    leader_phone: str = ""
    summary: str = ""
    members: list[MemberIn] = []

    def form_data(self, user) -> dict[str, Any]:
        data = self.model_dump(exclude={"federation_id", "members"})
        data["federation"] = self.federation_id or user.federation_id
        return data


def _members(payload: ProjectIn) -> list[dict[str, Any]]:
    members, errors = [], []
    for i, member in enumerate(payload.members):
        form = MemberForm(data=member.model_dump())
        if not form.is_valid():
            for name, messages in form.errors.items():
                errors.extend(f"members[{i}].{name}: {m}" for m in messages)
            continue
        members.append({k: form.cleaned_data.get(k) for k in services_projects.MEMBER_FIELDS})
    if errors:
        raise ValidationError({"members": errors})
    if sum(1 for m in members if m["is_leader"]) > 1:
        raise ValidationError({"members": _("团队中只能有一位负责人。")})
    return members


@router.get("/competition-projects", response=Page[ProjectOut], summary="创业大赛项目列表")
def project_list(request: HttpRequest, params: Query[ProjectQuery]) -> dict[str, Any]:
    require_perm(request.user, "contests.view_project")
    qs = selectors_projects.project_list(user=request.user, filters=params.filters())
    return page_of(qs, params, order=("-year", "name", "id"))


@router.get("/competition-projects/stats", response=ProjectStatsOut, summary="按年度、来源地区统计项目数")
def project_stats(
    request: HttpRequest,
    year_from: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX),
    year_to: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX),
) -> dict[str, Any]:
    require_perm(request.user, "contests.view_project")
    counts = selectors_projects.project_counts(user=request.user, year_from=year_from, year_to=year_to)
    regions = [value for value, _label in SourceRegion.choices]

    def row(by_region: dict[str, int]) -> dict[str, int]:
        out = {r: by_region.get(r, 0) for r in regions}
        out["hk_macao"] = out[SourceRegion.HONG_KONG] + out[SourceRegion.MACAO]
        out["total"] = sum(by_region.values())
        return out

    total: dict[str, int] = {}
    for by_region in counts.values():
        for region, n in by_region.items():
            total[region] = total.get(region, 0) + n
    return {"years": [{"year": y, "counts": row(c)} for y, c in counts.items()], "total": row(total)}


@router.get("/competition-projects/{int:competition_project_id}", response=ProjectDetailOut, summary="一个项目及其团队")
def project_detail(request: HttpRequest, competition_project_id: int) -> CompetitionProject:
    require_perm(request.user, "contests.view_project")
    return selectors_projects.project_get(user=request.user, pk=competition_project_id)


@router.post("/competition-projects", response={201: ProjectDetailOut}, summary="录入项目")
def project_create(request: HttpRequest, payload: ProjectIn) -> Status[CompetitionProject]:
    user = request.user
    require_perm(user, "contests.change_project")
    form = bound_form(ProjectForm, payload.form_data(user), federations=federation_choices(user=user))
    members = _members(payload)
    return Status(201, services_projects.project_create(actor=user, data=form.project_data(), members=members))
