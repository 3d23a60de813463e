"""Reads of the 侨企 registry, visits, appeals, exhibitions and investment leads, limited to what
the user may see, and the counts the statistics page and the API give."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from qiaolian.accounts.models import Role, User
from qiaolian.core.fields import prefix_q
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.masking import Kind
from qiaolian.core.protected import lookup_hash
from qiaolian.core.text import has_han, initials_key, pinyin_key, search_key
from qiaolian.core.validators import parse_phone
from qiaolian.enterprises.cases import RESOLVED_STATES
from qiaolian.enterprises.models import (
    CIIE,
    Appeal,
    Enterprise,
    ExhibitionParticipation,
    InvestmentLead,
    LeadEvent,
    LeadStage,
    Visit,
)


def _allowed(user, perm: str) -> bool:
    return bool(user and user.has_perm(perm))


# Enterprises --------------------------------------------------------------------------------


def enterprise_scope(*, user) -> QuerySet[Enterprise]:
    """Every enterprise the user may see; the start of every read of enterprises."""
    if not _allowed(user, "enterprises.view_enterprise"):
        return Enterprise.objects.none()
    return Enterprise.objects.visible_to(user).select_related("federation")


_CODE_LIKE = re.compile(r"^[0-9A-Za-z]{8,18}$")
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-()]{7,20}$")


def enterprise_search_filter(query: str) -> Q | None:
    """How the search box matches enterprises: a credit code (or its start) exactly, a phone by
    its keyed hash, Chinese anywhere in the simplified name, Latin letters by pinyin initials
    or full pinyin."""
    q = query.strip()
    if not q:
        return None
    compact = re.sub(r"[\s\-]", "", q).upper()
    if _CODE_LIKE.match(compact) and sum(ch.isdigit() for ch in compact) >= 6:
        if len(compact) == 18 or not compact.isdigit():
            return Q(credit_code__startswith=compact)
        # digits only and shorter than a code: a phone number or the start of a credit code
        cond = Q(credit_code__startswith=compact)
        with contextlib.suppress(ValidationError):
            cond |= Q(contact_phone_hash=lookup_hash(Kind.PHONE, parse_phone(q)))
        return cond
    if _PHONE_LIKE.match(q) and sum(ch.isdigit() for ch in q) >= 7:
        try:
            return Q(contact_phone_hash=lookup_hash(Kind.PHONE, parse_phone(q)))
        except ValidationError:
            return Q(pk__in=[])
    if has_han(q):
        return Q(name_key__contains=search_key(q))
    latin = re.sub(r"[^a-z0-9]", "", q.casefold())
    if not latin:
        return Q(pk__in=[])
    return prefix_q("name_initials", initials_key(latin)) | Q(name_pinyin__contains=pinyin_key(latin))


@dataclass
class EnterpriseFilters:
    query: str = ""
    investor_type: str = ""
    investor_origin: str = ""
    country: str = ""
    industry: str = ""
    federation_id: int | None = None
    exhibition_year: int | None = None  # took part in the CIIE that year
    is_active: bool | None = None


def _subtree(user, federation_id: int, field: str = "federation") -> Q:
    from qiaolian.core.api import subtree_filter

    return subtree_filter(user=user, federation_id=federation_id, field=field)


def enterprise_list(*, user, filters: EnterpriseFilters | None = None) -> QuerySet[Enterprise]:
    f = filters or EnterpriseFilters()
    qs = enterprise_scope(user=user)
    if f.query:
        cond = enterprise_search_filter(f.query)
        if cond is not None:
            qs = qs.filter(cond)
    if f.investor_type:
        qs = qs.filter(investor_type=f.investor_type)
    if f.investor_origin:
        qs = qs.filter(investor_origin=f.investor_origin)
    if f.country:
        qs = qs.filter(investor_country=f.country)
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.federation_id:
        qs = qs.filter(_subtree(user, f.federation_id))
    if f.exhibition_year:
        at_ciie = ExhibitionParticipation.objects.filter(
            enterprise=OuterRef("pk"), year=f.exhibition_year, exhibition=CIIE
        )
        qs = qs.filter(Exists(at_ciie))
    if f.is_active is not None:
        qs = qs.filter(is_active=f.is_active)
    return qs


def with_counts(qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """Adds what the list shows: visits, appeals, the latest visit and the CIIE years."""
    ciie = ExhibitionParticipation.objects.filter(exhibition=CIIE).order_by("year")
    return qs.annotate(
        visit_count=Count("visits", distinct=True),
        appeal_count=Count("appeals", distinct=True),
    ).prefetch_related(Prefetch("exhibitions", queryset=ciie, to_attr="ciie_rows"))


def enterprise_get(*, user, pk: int) -> Enterprise:
    """One enterprise, or ``Enterprise.DoesNotExist`` when absent or outside the jurisdiction."""
    return enterprise_scope(user=user).select_related("person", "created_by").get(pk=pk)


def enterprise_choices(*, user) -> QuerySet[Enterprise]:
    """Enterprises a landed lead may be linked to."""
    return enterprise_scope(user=user).order_by("name_pinyin", "id")


def credit_code_holder(*, code: str, exclude_pk: int | None = None) -> Enterprise | None:
    """The enterprise already registered under ``code`` (any jurisdiction: codes are unique
    district-wide). Services use it to explain a duplicate; pages never list it."""
    qs = Enterprise.objects.filter(credit_code=code)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


# Exhibitions --------------------------------------------------------------------------------


def exhibition_scope(*, user) -> QuerySet[ExhibitionParticipation]:
    if not _allowed(user, "enterprises.view_enterprise"):
        return ExhibitionParticipation.objects.none()
    return ExhibitionParticipation.objects.visible_to(user).select_related("enterprise", "enterprise__federation")


@dataclass
class ExhibitionFilters:
    year: int | None = None
    exhibition: str = ""
    federation_id: int | None = None


def exhibition_list(*, user, filters: ExhibitionFilters | None = None) -> QuerySet[ExhibitionParticipation]:
    f = filters or ExhibitionFilters()
    qs = exhibition_scope(user=user)
    if f.year:
        qs = qs.filter(year=f.year)
    if f.exhibition:
        qs = qs.filter(exhibition=f.exhibition)
    if f.federation_id:
        qs = qs.filter(_subtree(user, f.federation_id, "enterprise__federation"))
    return qs


def enterprise_exhibitions(*, user, enterprise: Enterprise) -> QuerySet[ExhibitionParticipation]:
    return exhibition_scope(user=user).filter(enterprise=enterprise).order_by("-year", "exhibition", "id")


def exhibition_get(*, user, pk: int) -> ExhibitionParticipation:
    return exhibition_scope(user=user).get(pk=pk)


def exhibition_names(*, user) -> list[str]:
    """The exhibitions and programmes recorded so far, the CIIE first."""
    names = set(exhibition_scope(user=user).order_by().values_list("exhibition", flat=True).distinct())
    return sorted(names, key=lambda n: (n != CIIE, n))


# Visits and appeals -------------------------------------------------------------------------


def visit_scope(*, user) -> QuerySet[Visit]:
    if not _allowed(user, "enterprises.view_enterprise"):
        return Visit.objects.none()
    return Visit.objects.visible_to(user).select_related("enterprise", "enterprise__federation")


@dataclass
class VisitFilters:
    query: str = ""  # enterprise name
    year: int | None = None
    federation_id: int | None = None
    with_appeals: bool = False


def visit_list(*, user, filters: VisitFilters | None = None) -> QuerySet[Visit]:
    f = filters or VisitFilters()
    qs = visit_scope(user=user)
    if f.query:
        cond = enterprise_search_filter(f.query)
        if cond is not None:
            qs = qs.filter(enterprise__in=Enterprise.objects.filter(cond).values("pk"))
    if f.year:
        qs = qs.filter(visited_on__gte=dt.date(f.year, 1, 1), visited_on__lte=dt.date(f.year, 12, 31))
    if f.federation_id:
        qs = qs.filter(_subtree(user, f.federation_id, "enterprise__federation"))
    if f.with_appeals:
        qs = qs.filter(Exists(Appeal.objects.filter(visit=OuterRef("pk"))))
    return qs.annotate(appeal_count=Count("appeals", distinct=True)).prefetch_related("visitors")


def visit_get(*, user, pk: int) -> Visit:
    return visit_scope(user=user).select_related("created_by").prefetch_related("visitors").get(pk=pk)


def enterprise_visits(*, user, enterprise: Enterprise) -> QuerySet[Visit]:
    return (
        visit_scope(user=user)
        .filter(enterprise=enterprise)
        .annotate(appeal_count=Count("appeals", distinct=True))
        .prefetch_related("visitors")
        .order_by("-visited_on", "-id")  # a grouped query drops the model's ordering
    )


def appeal_scope(*, user) -> QuerySet[Appeal]:
    if not _allowed(user, "enterprises.view_enterprise"):
        return Appeal.objects.none()
    return Appeal.objects.visible_to(user).select_related("visit", "enterprise", "case")


def visit_appeals(*, user, visit: Visit) -> QuerySet[Appeal]:
    return appeal_scope(user=user).filter(visit=visit).order_by("id")


def enterprise_appeals(*, user, enterprise: Enterprise) -> QuerySet[Appeal]:
    return appeal_scope(user=user).filter(enterprise=enterprise)


def visit_years(*, user) -> list[int]:
    years = visit_scope(user=user).annotate(y=ExtractYear("visited_on")).order_by().values_list("y", flat=True)
    return sorted(set(years), reverse=True)


VISITOR_ROLES = (Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.STATION_MANAGER, Role.LEADER)


def visitor_choices(*, user) -> QuerySet[User]:
    """Staff accounts that may be named as visitors: those of the user's federations and of the
    federations above them (district staff go along on a town's visits)."""
    scope = scope_for(user)
    if scope.is_empty:
        return User.objects.none()
    qs = User.objects.filter(is_active=True, role__in=VISITOR_ROLES).exclude(federation=None)
    if not scope.everything:
        from qiaolian.orgs.models import Federation

        own = Federation.objects.filter(pk=user.federation_id).values_list("path", flat=True).first() or ""
        above = [f.pk for f in Federation.objects.all().only("pk", "path") if own.startswith(f.path)]
        qs = qs.filter(Q(federation_id__in=scope.federation_ids) | Q(federation_id__in=above))
    return qs.select_related("federation").order_by("federation__path", "display_name", "username")


# Investment leads ---------------------------------------------------------------------------


def lead_scope(*, user) -> QuerySet[InvestmentLead]:
    if not _allowed(user, "enterprises.view_lead"):
        return InvestmentLead.objects.none()
    return InvestmentLead.objects.visible_to(user).select_related("federation", "introducer_contact", "enterprise")


@dataclass
class LeadFilters:
    query: str = ""
    stage: str = ""
    country: str = ""
    industry: str = ""
    year: int | None = None
    federation_id: int | None = None


def lead_list(*, user, filters: LeadFilters | None = None) -> QuerySet[InvestmentLead]:
    f = filters or LeadFilters()
    qs = lead_scope(user=user)
    if f.query:
        qs = qs.filter(
            Q(project__contains=f.query)
            | Q(investor__icontains=f.query)
            | Q(introducer_name__contains=f.query)
            | Q(introducer_contact__name__startswith=f.query)
        )
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.country:
        qs = qs.filter(investor_country=f.country)
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.year:
        qs = qs.filter(introduced_on__gte=dt.date(f.year, 1, 1), introduced_on__lte=dt.date(f.year, 12, 31))
    if f.federation_id:
        qs = qs.filter(_subtree(user, f.federation_id))
    return qs


def lead_get(*, user, pk: int) -> InvestmentLead:
    return lead_scope(user=user).select_related("created_by").get(pk=pk)


def lead_events(*, user, lead: InvestmentLead) -> QuerySet[LeadEvent]:
    if not _allowed(user, "enterprises.view_lead"):
        return LeadEvent.objects.none()
    return LeadEvent.objects.visible_to(user).filter(lead=lead).select_related("actor")


def enterprise_leads(*, user, enterprise: Enterprise) -> QuerySet[InvestmentLead]:
    return lead_scope(user=user).filter(enterprise=enterprise)


def lead_years(*, user) -> list[int]:
    years = lead_scope(user=user).annotate(y=ExtractYear("introduced_on")).order_by().values_list("y", flat=True)
    return sorted(set(years), reverse=True)


def introducer_choices(*, user):
    """Overseas contacts a lead may name as its introducer (those the user may see)."""
    from qiaolian.liaison.selectors import contact_scope

    return contact_scope(user=user).order_by("name", "id")


# Statistics ---------------------------------------------------------------------------------


def _years_span(*rows: dict[int, dict]) -> list[int]:
    years: set[int] = set()
    for row in rows:
        years |= set(row)
    return sorted(years)


def exhibitors_by_year(*, user, federation_id: int | None = None) -> list[dict]:
    """Per year and exhibition: enterprises taking part (distinct), the CIIE first."""
    qs = exhibition_list(user=user, filters=ExhibitionFilters(federation_id=federation_id))
    rows = (
        qs.order_by()
        .values("year", "exhibition")
        .annotate(enterprises=Count("enterprise", distinct=True))
        .order_by("year", "exhibition")
    )
    return sorted(rows, key=lambda r: (r["exhibition"] != CIIE, r["exhibition"], r["year"]))


def visits_by_year(*, user, federation_id: int | None = None) -> dict[int, dict]:
    qs = visit_list(user=user, filters=VisitFilters(federation_id=federation_id))
    rows = (
        qs.order_by()
        .annotate(y=ExtractYear("visited_on"))
        .values("y")
        .annotate(visits=Count("id", distinct=True), enterprises=Count("enterprise", distinct=True))
    )
    return {r["y"]: {"visits": r["visits"], "enterprises": r["enterprises"]} for r in rows}


def appeals_by_year(*, user, federation_id: int | None = None) -> dict[int, dict]:
    """Per year raised: appeals, resolved (their case 已办结 or 已回访) and the mean working days
    it took to close them, where the case engine gives them."""
    qs = appeal_scope(user=user)
    if federation_id:
        qs = qs.filter(_subtree(user, federation_id, "enterprise__federation"))
    rows = (
        qs.order_by()
        .annotate(y=ExtractYear("raised_on"))
        .values("y")
        .annotate(
            raised=Count("id"),
            resolved=Count("id", filter=Q(case__state__in=RESOLVED_STATES)),
            days=Avg("case__days_to_close", filter=Q(case__state__in=RESOLVED_STATES)),
        )
    )
    out = {}
    for r in rows:
        days = r["days"]
        out[r["y"]] = {
            "raised": r["raised"],
            "resolved": r["resolved"],
            "days": round(float(days), 1) if days is not None else None,
        }
    return out


def appeals_by_topic(*, user, federation_id: int | None = None) -> list[dict]:
    from qiaolian.enterprises.models import AppealTopic

    qs = appeal_scope(user=user)
    if federation_id:
        qs = qs.filter(_subtree(user, federation_id, "enterprise__federation"))
    counts = dict(qs.order_by().values_list("topic").annotate(n=Count("id")))
    resolved = dict(qs.filter(case__state__in=RESOLVED_STATES).order_by().values_list("topic").annotate(n=Count("id")))
    return [
        {"topic": value, "label": str(label), "raised": counts.get(value, 0), "resolved": resolved.get(value, 0)}
        for value, label in AppealTopic.choices
        if counts.get(value)
    ]


def leads_by_year(*, user, federation_id: int | None = None) -> dict[int, dict]:
    """Per year introduced: leads, and how many of them were signed, landed or dropped so far,
    with the intended amounts (万元) of all and of the landed ones."""
    qs = lead_list(user=user, filters=LeadFilters(federation_id=federation_id))
    reached_signing = Q(signed_on__isnull=False)
    rows = (
        qs.order_by()
        .annotate(y=ExtractYear("introduced_on"))
        .values("y")
        .annotate(
            leads=Count("id"),
            signed=Count("id", filter=reached_signing),
            landed=Count("id", filter=Q(stage=LeadStage.LANDED)),
            dropped=Count("id", filter=Q(stage=LeadStage.DROPPED)),
            total_amount=Sum("amount"),
            landed_amount=Sum("amount", filter=Q(stage=LeadStage.LANDED)),
        )
    )
    return {
        r["y"]: {
            "leads": r["leads"],
            "signed": r["signed"],
            "landed": r["landed"],
            "dropped": r["dropped"],
            "amount": r["total_amount"] or Decimal(0),
            "landed_amount": r["landed_amount"] or Decimal(0),
        }
        for r in rows
    }


def enterprise_counts(*, user, federation_id: int | None = None) -> dict[str, list[dict]]:
    """Enterprises in operation by investor type, by federation and by investor country."""
    from qiaolian.enterprises.models import InvestorType

    qs = enterprise_list(user=user, filters=EnterpriseFilters(federation_id=federation_id, is_active=True))
    by_type = dict(qs.order_by().values_list("investor_type").annotate(n=Count("id")))
    by_federation = list(
        qs.order_by()
        .values("federation__short_name", "federation__path")
        .annotate(n=Count("id"))
        .order_by("federation__path")
    )
    by_country = list(
        qs.exclude(investor_country="").order_by().values("investor_country").annotate(n=Count("id")).order_by("-n")
    )
    from django_countries import countries

    return {
        "by_type": [
            {"code": v, "label": str(label), "n": by_type.get(v, 0)}
            for v, label in InvestorType.choices
            if by_type.get(v)
        ],
        "by_federation": [{"label": r["federation__short_name"], "n": r["n"]} for r in by_federation],
        "by_country": [
            {"code": r["investor_country"], "label": str(countries.name(r["investor_country"])), "n": r["n"]}
            for r in by_country[:12]
        ],
    }


def yearly_overview(*, user, federation_id: int | None = None) -> list[dict]:
    """One row per year: visits, enterprises visited, appeals raised/resolved, CIIE exhibitors,
    leads introduced/landed — the 聚力工程 figures of the annual review."""
    visits = visits_by_year(user=user, federation_id=federation_id)
    appeals = appeals_by_year(user=user, federation_id=federation_id)
    leads = leads_by_year(user=user, federation_id=federation_id)
    ciie = {
        r["year"]: r["enterprises"]
        for r in exhibitors_by_year(user=user, federation_id=federation_id)
        if r["exhibition"] == CIIE
    }
    rows = []
    for year in _years_span(visits, appeals, leads, ciie):
        rows.append(
            {
                "year": year,
                "visits": visits.get(year, {}).get("visits", 0),
                "visited_enterprises": visits.get(year, {}).get("enterprises", 0),
                "appeals": appeals.get(year, {}).get("raised", 0),
                "resolved": appeals.get(year, {}).get("resolved", 0),
                "days_to_close": appeals.get(year, {}).get("days"),
                "ciie_exhibitors": ciie.get(year, 0),
                "leads": leads.get(year, {}).get("leads", 0),
                "signed": leads.get(year, {}).get("signed", 0),
                "landed": leads.get(year, {}).get("landed", 0),
                "landed_amount": leads.get(year, {}).get("landed_amount", Decimal(0)),
            }
        )
    return rows
