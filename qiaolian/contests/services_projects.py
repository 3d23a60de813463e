"""Writes to the entrepreneurship competition's projects: checked, atomic, audited.

The rules of a project live here once (``project_problems``) and are used by the staff form,
the API and the import preview alike:

- an overseas project names its country, and that country is not China, 香港, 澳门 or 台湾;
- a project from 香港, 澳门, 台湾 or 内地 carries no foreign country (its own code or nothing);
- the year is between 2000 and next year;
- the same year + project name + leader is one project (a second one is refused).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.contests import rules_projects  # noqa: F401  (the perms, until contests/rules.py imports them)
from qiaolian.contests.models import CompetitionProject, SourceRegion, TeamMember
from qiaolian.core.changes import diff, snapshot
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.core.text import clean

YEAR_MIN = 2000
# The code a region's own records may carry in the country field (none for overseas).
REGION_CODES = {
    SourceRegion.HONG_KONG: "HK",
    SourceRegion.MACAO: "MO",
    SourceRegion.TAIWAN: "TW",
    SourceRegion.MAINLAND: "CN",
}
NOT_OVERSEAS = frozenset(REGION_CODES.values())
PROJECT_FIELDS = (
    "federation", "year", "name", "source_region", "country", "field", "stage", "referral_channel",
    "outcome", "leader_name", "leader_phone", "summary",
)  # fmt: skip
MEMBER_FIELDS = ("name", "role", "nationality", "is_leader")


def year_max() -> int:
    return dt.date.today().year + 1


def project_problems(*, year: int | None, source_region: str, country: str) -> dict[str, str]:
    """Rules across fields, as {field: message}; empty when the values fit together."""
    problems: dict[str, str] = {}
    if year is not None and not YEAR_MIN <= year <= year_max():
        problems["year"] = _("年度应在 %(low)s 年至 %(high)s 年之间。") % {"low": YEAR_MIN, "high": year_max()}
    country = str(getattr(country, "code", country) or "").upper()
    if source_region == SourceRegion.OVERSEAS:
        if not country:
            problems["country"] = _("海外项目请填写来源国家。")
        elif country in NOT_OVERSEAS:
            problems["country"] = _("海外项目的来源国家不能是中国内地、香港、澳门或台湾，请改选来源地区。")
    elif source_region in REGION_CODES and country and country != REGION_CODES[source_region]:
        problems["country"] = _("来源地区为%(region)s的项目不应填写外国国家；海外项目请把来源地区改为“海外”。") % {
            "region": SourceRegion(source_region).label
        }
    return problems


def projects_recorded(*, years: Iterable[int]) -> list[tuple[int, str, str]]:
    """(year, name, leader) of every project recorded for these years, by any federation: what
    the import compares a file's rows with, a chunk of rows at a time (the rule is district-wide,
    like the database constraint; the caller names only the project its own row names)."""
    return list(
        CompetitionProject.objects.filter(year__in=sorted(set(years))).values_list("year", "name", "leader_name")
    )


def project_duplicate(*, year: int, name: str, leader_name: str, exclude_pk: int | None = None) -> bool:
    """Whether the same year + name + leader is already recorded, by any federation (the rule is
    district-wide, like the database constraint; the caller names no other federation's record)."""
    qs = CompetitionProject.objects.filter(year=year, name__iexact=name, leader_name__iexact=leader_name)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def duplicate_message(*, year: int, name: str, leader_name: str) -> str:
    return _("%(year)s 年已有项目“%(name)s”（负责人 %(leader)s），请勿重复录入。") % {
        "year": year,
        "name": name,
        "leader": leader_name,
    }


def _normalized(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for key in ("name", "leader_name"):
        if key in out:
            out[key] = clean(out[key] or "")
    if "country" in out:
        out["country"] = str(out["country"] or "").upper()
    return out


def _check(project: CompetitionProject) -> None:
    problems = project_problems(year=project.year, source_region=project.source_region, country=project.country)
    if problems:
        raise ValidationError(problems)
    if not (project.year and project.name and project.leader_name):
        return
    if project_duplicate(year=project.year, name=project.name, leader_name=project.leader_name, exclude_pk=project.pk):
        raise ValidationError(
            {"name": duplicate_message(year=project.year, name=project.name, leader_name=project.leader_name)}
        )


def check_members(members: list[dict[str, Any]]) -> None:
    if sum(1 for m in members if m.get("is_leader")) > 1:
        raise ValidationError(_("团队中只能有一位负责人。"))


def _member_snapshot(members: Iterable[TeamMember]) -> list[dict[str, Any]]:
    return [
        {"name": m.name, "role": m.role, "nationality": str(m.nationality.code or ""), "is_leader": m.is_leader}
        for m in members
    ]


def _write_members(project: CompetitionProject, members: list[dict[str, Any]]) -> list[TeamMember]:
    rows = [
        TeamMember(
            project=project,
            name=clean(m["name"]),
            role=clean(m.get("role") or ""),
            nationality=(m.get("nationality") or "").upper(),
            is_leader=bool(m.get("is_leader")),
        )
        for m in members
        if clean(m.get("name") or "")
    ]
    return TeamMember.objects.bulk_create(rows)


def _build(actor, data: dict[str, Any], *, import_ref: str = "") -> CompetitionProject:
    data = _normalized(data)
    federation = data.get("federation") or actor.federation
    require_in_scope(actor, getattr(federation, "pk", None))
    project = CompetitionProject(
        **{k: v for k, v in data.items() if k in PROJECT_FIELDS and k != "federation"},
        federation=federation,
        created_by=actor if getattr(actor, "pk", None) else None,
        import_ref=import_ref,
    )
    _check(project)
    project.full_clean(validate_constraints=False)
    return project


@transaction.atomic
def project_create(*, actor, data: dict[str, Any], members: list[dict[str, Any]] | None = None) -> CompetitionProject:
    require_perm(actor, "contests.change_project")
    members = members or []
    check_members(members)
    project = _build(actor, data)
    project.save()
    saved = _write_members(project, members)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        target=project,
        federation_id=project.federation_id,
        data={"after": snapshot(project), "members": _member_snapshot(saved)},
    )
    return project


@transaction.atomic
def project_update(
    *, actor, project: CompetitionProject, data: dict[str, Any], members: list[dict[str, Any]] | None = None
) -> CompetitionProject:
    """Change a project (an outcome change is such an edit); ``members`` replaces the team when
    given. What changed, team included, goes to the audit log."""
    require_perm(actor, "contests.change_project")
    require_in_scope(actor, project.federation_id)
    data = _normalized({k: v for k, v in data.items() if k in PROJECT_FIELDS})
    if "federation" in data:
        require_in_scope(actor, data["federation"].pk)
    if not data.get("leader_phone"):
        data.pop("leader_phone", None)  # blank on the form: unchanged
    before = snapshot(project)
    before_members = _member_snapshot(project.members.all())
    for key, value in data.items():
        setattr(project, key, value)
    _check(project)
    project.full_clean(validate_constraints=False)
    project.save()
    changes = diff(before, snapshot(project))
    if members is not None:
        check_members(members)
        project.members.all().delete()
        after_members = _member_snapshot(_write_members(project, members))
        if after_members != before_members:
            changes["members"] = {"before": before_members, "after": after_members}
    if changes:
        audit_record(
            actor=actor,
            action=Action.CHANGE,
            target=project,
            federation_id=project.federation_id,
            data={"changes": changes},
        )
    return project


def projects_bulk_create(
    *, actor, rows: list[tuple[dict[str, Any], list[dict[str, Any]], str]], batch=None
) -> list[CompetitionProject]:
    """Insert import rows (data as ``ProjectForm`` cleaned it, members, import_ref) with their
    teams, in the caller's transaction, stamped with their import batch. The rows were checked
    by the import kind (``contests.importing``) with the staff form's rules, against recorded
    projects, just before; the federations are checked against the actor's jurisdiction again
    here, and a project recorded meanwhile makes the database's unique constraint raise an
    ``IntegrityError`` (the caller rolls the whole batch back). No audit entry: the import
    writes one for the batch."""
    require_perm(actor, "contests.import_project")
    projects = []
    for data, _members, ref in rows:
        data = _normalized(data)
        federation = data.get("federation") or actor.federation
        projects.append(
            CompetitionProject(
                **{k: v for k, v in data.items() if k in PROJECT_FIELDS and k != "federation"},
                federation=federation,
                created_by=actor if getattr(actor, "pk", None) else None,
                import_ref=ref,
                import_batch=batch,
            )
        )
    for federation_id in {p.federation_id for p in projects}:
        require_in_scope(actor, federation_id)
    created = CompetitionProject.objects.bulk_create(projects, batch_size=500)
    if created and created[0].pk is None:  # backends that return no ids
        created = [
            CompetitionProject.objects.get(year=p.year, name=p.name, leader_name=p.leader_name) for p in projects
        ]
    member_rows = []
    for project, (_data, members, _ref) in zip(created, rows, strict=True):
        for m in members:
            member_rows.append(
                TeamMember(
                    project=project,
                    name=clean(m["name"]),
                    role=clean(m.get("role") or ""),
                    nationality=(m.get("nationality") or "").upper(),
                    is_leader=bool(m.get("is_leader")),
                )
            )
    TeamMember.objects.bulk_create(member_rows, batch_size=500)
    return created


def projects_in_use(*, ids: list[int], since: dt.datetime) -> set[int]:
    """Which of these projects someone has changed since ``since`` (an edit of the team saves
    the project too) or another record has come to refer to; their own team members do not
    count, they are part of the project. Past the jurisdiction on purpose: a reference from
    anywhere keeps a project."""
    in_use: set[int] = set()
    for i in range(0, len(ids), 1000):
        part = ids[i : i + 1000]
        changed = CompetitionProject._base_manager.filter(pk__in=part, updated_at__gt=since)
        in_use.update(changed.values_list("pk", flat=True))
        for relation in CompetitionProject._meta.related_objects:
            if relation.related_model is TeamMember:
                continue
            name = relation.field.name
            values = relation.related_model._base_manager.filter(**{f"{name}__in": part}).values_list(name, flat=True)
            in_use.update(v for v in values.distinct() if v is not None)
    return in_use


# Export ------------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    ("year", "年度"),
    ("name", "项目名称"),
    ("source_region", "来源地区"),
    ("country", "来源国家"),
    ("field", "领域"),
    ("stage", "阶段"),
    ("referral_channel", "推荐渠道"),
    ("outcome", "参赛结果"),
    ("leader_name", "项目负责人"),
    ("leader_phone", "负责人电话"),
    ("members", "团队成员"),
    ("federation", "推荐侨联"),
    ("import_ref", "导入来源"),
)


def member_text(members: Iterable[TeamMember]) -> str:
    """张三（美国）、李四 — the way the organizer's spreadsheet lists a team."""
    parts = []
    for m in members:
        parts.append(f"{m.name}（{m.nationality.name}）" if m.nationality else m.name)
    return "、".join(parts)


def _export_cell(project: CompetitionProject, name: str) -> Any:
    if name == "year":
        return project.year
    if name in ("source_region", "field", "stage", "referral_channel", "outcome"):
        return str(getattr(project, f"get_{name}_display")())
    if name == "country":
        return str(project.country.name) if project.country else ""
    if name == "leader_phone":
        return project.leader_phone.masked if project.leader_phone else ""
    if name == "members":
        return member_text(project.members.all())
    if name == "federation":
        return project.federation.short_name or project.federation.name
    return getattr(project, name) or ""


def projects_export_xlsx(*, actor, projects: Iterable[CompetitionProject], filters: dict[str, Any]) -> bytes:
    """The filtered list as a workbook with Chinese headers and the leader's phone masked."""

    from qiaolian.core.tabular import export_workbook

    if not actor.has_perm("contests.view_project"):
        raise PermissionDenied("contests.view_project")
    buffer = io.BytesIO()
    book = export_workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(_("创业大赛项目"))
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    for col, (_name, title) in enumerate(EXPORT_COLUMNS):
        sheet.write_string(0, col, _(title), head)
    count = 0
    for row, project in enumerate(projects, start=1):
        for col, (name, _title) in enumerate(EXPORT_COLUMNS):
            value = _export_cell(project, name)
            if isinstance(value, int):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value))
        count += 1
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), len(EXPORT_COLUMNS) - 1)
    sheet.set_column(0, len(EXPORT_COLUMNS) - 1, 14)
    sheet.set_column(1, 1, 30)
    book.close()
    with transaction.atomic():
        audit_record(
            actor=actor, action=Action.EXPORT, data={"kind": "competition_projects", "rows": count, "filters": filters}
        )
    return buffer.getvalue()
