"""Writes to work plans (工作规划) and their targets: checked, atomic, audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.orgs.models import Level
from qiaolian.reports.indicators import BY_CODE
from qiaolian.reports.models import PlanTarget, WorkPlan

MAX_PLAN_YEARS = 10
MAX_TARGET = Decimal("999999999999.99")


def _check_plan(plan: WorkPlan) -> None:
    errors: dict[str, list] = {}
    if plan.federation.level not in (Level.DISTRICT, Level.TOWN):
        errors.setdefault("federation", []).append(_("工作规划只能为区侨联或街镇/园区侨联制定。"))
    if plan.start_year and plan.end_year:
        if plan.end_year < plan.start_year:
            errors.setdefault("end_year", []).append(_("截止年份不能早于起始年份。"))
        elif plan.end_year - plan.start_year + 1 > MAX_PLAN_YEARS:
            errors.setdefault("end_year", []).append(_("一个规划最多 %(n)s 年。") % {"n": MAX_PLAN_YEARS})
        for year, name in ((plan.start_year, "start_year"), (plan.end_year, "end_year")):
            if not 2000 <= year <= 2100:
                errors.setdefault(name, []).append(_("年份应在 2000 至 2100 之间。"))
    if errors:
        raise ValidationError(errors)
    overlapping = (
        WorkPlan.objects.filter(
            federation=plan.federation, start_year__lte=plan.end_year, end_year__gte=plan.start_year
        )
        .exclude(pk=plan.pk)
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "start_year": _("与本组织已有的规划“%(title)s”（%(start)s—%(end)s年）年份重叠。")
                % {"title": overlapping.title, "start": overlapping.start_year, "end": overlapping.end_year}
            }
        )
    if plan.pk:
        outside = PlanTarget.objects.filter(plan=plan).exclude(year__gte=plan.start_year, year__lte=plan.end_year)
        if outside.exists():
            years = sorted(set(outside.values_list("year", flat=True)))
            raise ValidationError(
                {
                    "end_year": _("%(years)s年已填有目标，不在新的年份范围内；请先在目标表中清空这些年份的目标。")
                    % {"years": "、".join(str(y) for y in years)}
                }
            )


@transaction.atomic
def plan_create(*, actor, data: dict[str, Any]) -> WorkPlan:
    federation = data.get("federation") or actor.federation
    require_in_scope(actor, getattr(federation, "pk", None))
    plan = WorkPlan(created_by=actor, **{**data, "federation": federation})
    require_perm(actor, "reports.change_plan", plan)
    _check_plan(plan)
    audited_create(actor, plan, federation_id=federation.pk)
    return plan


@transaction.atomic
def plan_update(*, actor, plan: WorkPlan, data: dict[str, Any]) -> WorkPlan:
    require_in_scope(actor, plan.federation_id)
    require_perm(actor, "reports.change_plan", plan)
    data = {k: v for k, v in data.items() if k in ("title", "start_year", "end_year", "summary")}
    audited_update(actor, plan, data, federation_id=plan.federation_id, before_save=_check_plan)
    return plan


def plan_indicators(plan: WorkPlan) -> list:
    """The indicators a plan of this federation may set targets for (those kept at its level)."""
    return [i for i in BY_CODE.values() if i.applies_to(plan.federation)]


@transaction.atomic
def plan_targets_save(*, actor, plan: WorkPlan, targets: dict[tuple[str, int], Decimal | None]) -> dict:
    """Set the targets given as {(indicator code, year): value}; None removes a target. Cells not
    given are left as they are. All or nothing; one audit entry lists what changed."""
    require_in_scope(actor, plan.federation_id)
    require_perm(actor, "reports.change_plan", plan)
    allowed = {i.code for i in plan_indicators(plan)}
    errors = []
    for (code, year), value in targets.items():
        if code not in allowed:
            errors.append(_("指标 %(code)s 不适用于本组织的层级。") % {"code": code})
        if year not in plan.years:
            errors.append(_("%(year)s年不在规划年份内。") % {"year": year})
        if value is not None and not (0 <= value <= MAX_TARGET):
            errors.append(_("目标值应为不小于 0 的数。"))
    if errors:
        raise ValidationError(sorted(set(errors)))
    existing = {(t.indicator, t.year): t for t in PlanTarget.objects.select_for_update().filter(plan=plan)}
    changes = {}
    for (code, year), value in sorted(targets.items()):
        current = existing.get((code, year))
        key = f"{code}/{year}"
        if value is None:
            if current is not None:
                changes[key] = [str(current.value), None]
                current.delete()
            continue
        if current is None:
            PlanTarget.objects.create(plan=plan, indicator=code, year=year, value=value)
            changes[key] = [None, str(value)]
        elif current.value != value:
            changes[key] = [str(current.value), str(value)]
            current.value = value
            current.save(update_fields=["value"])
    if changes:
        plan.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            action=Action.CHANGE,
            target=plan,
            federation_id=plan.federation_id,
            data={"targets": changes},
        )
    return changes
