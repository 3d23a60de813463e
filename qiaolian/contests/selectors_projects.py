"""Reads of the entrepreneurship competition's projects, limited to the user's jurisdiction.

A project belongs to the federation that recommended it; every function starts from
``CompetitionProject.objects.visible_to(user)``, so a town sees its own projects only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from qiaolian.contests.models import CompetitionProject, SourceRegion, TeamMember
from qiaolian.core.api import subtree_filter

# 港澳 in the seed's figures is 香港 + 澳门 together; the list filter accepts it as one value.
HK_MACAO = "hk_macao"
HK_MACAO_REGIONS = (SourceRegion.HONG_KONG, SourceRegion.MACAO)


@dataclass(frozen=True)
class ProjectFilters:
    query: str = ""
    year: int | None = None
    source_region: str = ""  # a SourceRegion value or HK_MACAO
    country: str = ""
    field: str = ""
    stage: str = ""
    referral_channel: str = ""
    outcome: str = ""
    federation_id: int | None = None

    def as_audit(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


def project_scope(*, user) -> QuerySet[CompetitionProject]:
    return CompetitionProject.objects.visible_to(user)


def project_list(*, user, filters: ProjectFilters | None = None) -> QuerySet[CompetitionProject]:
    f = filters or ProjectFilters()
    qs = project_scope(user=user).select_related("federation")
    if f.query:
        qs = qs.filter(Q(name__icontains=f.query) | Q(leader_name__icontains=f.query))
    if f.year:
        qs = qs.filter(year=f.year)
    if f.source_region == HK_MACAO:
        qs = qs.filter(source_region__in=HK_MACAO_REGIONS)
    elif f.source_region:
        qs = qs.filter(source_region=f.source_region)
    for name in ("country", "field", "stage", "referral_channel", "outcome"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.federation_id:
        qs = qs.filter(subtree_filter(user=user, federation_id=f.federation_id))
    return qs


def project_get(*, user, pk: int) -> CompetitionProject:
    """One project in the user's jurisdiction (``DoesNotExist`` otherwise: a 404 to the caller)."""
    return project_scope(user=user).select_related("federation", "created_by").get(pk=pk)


def project_members(*, user, project: CompetitionProject) -> QuerySet[TeamMember]:
    return TeamMember.objects.visible_to(user).filter(project=project).order_by("-is_leader", "id")


def project_years(*, user) -> list[int]:
    return list(project_scope(user=user).order_by("-year").values_list("year", flat=True).distinct())


def _year_range(qs: QuerySet, year_from: int | None, year_to: int | None) -> QuerySet:
    if year_from:
        qs = qs.filter(year__gte=year_from)
    if year_to:
        qs = qs.filter(year__lte=year_to)
    return qs


def project_counts(*, user, year_from: int | None = None, year_to: int | None = None) -> dict[int, dict[str, int]]:
    """Projects per year and source region in the user's jurisdiction: {2018: {"overseas": 301, …}}."""
    qs = _year_range(project_scope(user=user), year_from, year_to)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for row in qs.order_by().values("year", "source_region").annotate(n=Count("id")):
        out[row["year"]][row["source_region"]] = row["n"]
    return dict(sorted(out.items()))


def project_counts_by_country(
    *, user, year_from: int | None = None, year_to: int | None = None
) -> dict[int, dict[str, int]]:
    """Overseas projects per year and country (ISO code): {2018: {"US": 52, "GB": 31, …}}."""
    qs = _year_range(project_scope(user=user), year_from, year_to).filter(source_region=SourceRegion.OVERSEAS)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for row in qs.order_by().values("year", "country").annotate(n=Count("id")).order_by("year", "-n", "country"):
        out[row["year"]][row["country"]] = row["n"]
    return dict(sorted(out.items()))


@dataclass
class SummaryRow:
    year: int | None  # None for the total row
    cells: list[int]  # one per SourceRegion, then 港澳, then the total


def project_summary(*, user, filters: ProjectFilters | None = None) -> tuple[list[str], list[SummaryRow]]:
    """The table on top of the list: years × source regions (with 港澳 = 香港 + 澳门) for the
    projects the filters select, and a total row."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    qs = project_list(user=user, filters=filters)
    for row in qs.order_by().values("year", "source_region").annotate(n=Count("id")):
        counts[row["year"]][row["source_region"]] = row["n"]
    regions = [value for value, _label in SourceRegion.choices]
    headers = [str(label) for _value, label in SourceRegion.choices]

    def cells(by_region: dict[str, int]) -> list[int]:
        values = [by_region.get(r, 0) for r in regions]
        hk_macao = sum(by_region.get(r, 0) for r in HK_MACAO_REGIONS)
        return [*values, hk_macao, sum(values)]

    rows = [SummaryRow(year, cells(counts[year])) for year in sorted(counts, reverse=True)]
    if rows:
        total: dict[str, int] = defaultdict(int)
        for by_region in counts.values():
            for region, n in by_region.items():
                total[region] += n
        rows.append(SummaryRow(None, cells(total)))
    return headers, rows
