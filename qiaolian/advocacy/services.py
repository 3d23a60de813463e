"""Writes to 社情民意 and research reports: checked, atomic, audited.

The workflow (DOMAIN.md W7): drafting → internal review → submitted → adopted (区/市/全国) or
not → leader's instruction received → feedback recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qiaolian.accounts.models import Role
from qiaolian.advocacy.models import OPINION_MAX_CHARS, AuthorKind, OpinionReport, OpinionStatus, ResearchReport
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.core.permissions import require_in_scope, require_perm

EDITABLE = (OpinionStatus.DRAFT, OpinionStatus.REVIEW)


def _check_body(body: str) -> None:
    length = len("".join((body or "").split()))
    if length > OPINION_MAX_CHARS:
        raise ValidationError(
            {
                "body": _("正文约 %(n)s 字，社情民意一事一报，请控制在 %(max)s 字以内。")
                % {"n": length, "max": OPINION_MAX_CHARS}
            }
        )


@transaction.atomic
def opinion_create(*, actor, data: dict[str, Any]) -> OpinionReport:
    require_perm(actor, "advocacy.change_opinion")
    federation = data.get("federation") or actor.federation
    require_in_scope(actor, getattr(federation, "pk", None))
    _check_body(data.get("body", ""))
    if actor.role == Role.CPPCC_MEMBER:
        data = {
            **data,
            "author_user": actor,
            "author_kind": AuthorKind.CPPCC_MEMBER,
            "author_name": data.get("author_name") or str(actor),
        }
    report = OpinionReport(
        created_by=actor, federation=federation, **{k: v for k, v in data.items() if k != "federation"}
    )
    audited_create(actor, report, federation_id=federation.pk)
    return report


@transaction.atomic
def opinion_update(*, actor, report: OpinionReport, data: dict[str, Any]) -> OpinionReport:
    require_perm(actor, "advocacy.edit_opinion", report)
    require_in_scope(actor, report.federation_id)
    if report.status not in EDITABLE:
        raise ValidationError(_("已报送的社情民意不能再修改正文；采用与批示情况请在详情页登记。"))
    if "body" in data:
        _check_body(data["body"])
    data.pop("federation", None)
    if actor.role == Role.CPPCC_MEMBER:
        data.pop("author_user", None)
        data.pop("author_kind", None)
    audited_update(actor, report, data, federation_id=report.federation_id)
    return report


def _transition(
    actor, report: OpinionReport, to: str, changes: dict[str, Any], *, allowed_from: tuple
) -> OpinionReport:
    if report.status not in allowed_from:
        raise ValidationError(_("当前状态为“%(state)s”，不能办理此操作。") % {"state": report.get_status_display()})
    before = report.status
    for key, value in changes.items():
        setattr(report, key, value)
    report.status = to
    report.full_clean()
    report.save()
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        target=report,
        data={"changes": {"status": {"before": before, "after": to}}, "fields": sorted(changes)},
    )
    return report


@transaction.atomic
def opinion_send_for_review(*, actor, report: OpinionReport) -> OpinionReport:
    require_perm(actor, "advocacy.edit_opinion", report)
    require_in_scope(actor, report.federation_id)
    return _transition(actor, report, OpinionStatus.REVIEW, {}, allowed_from=(OpinionStatus.DRAFT,))


@transaction.atomic
def opinion_submit(*, actor, report: OpinionReport, submitted_on: dt.date, submitted_to: str) -> OpinionReport:
    require_perm(actor, "advocacy.record_outcome")
    require_in_scope(actor, report.federation_id)
    if submitted_on > dt.date.today():
        raise ValidationError({"submitted_on": _("报送日期不能晚于今天。")})
    if not (submitted_to or "").strip():
        raise ValidationError({"submitted_to": _("请填写报送单位。")})
    return _transition(
        actor,
        report,
        OpinionStatus.SUBMITTED,
        {"submitted_on": submitted_on, "submitted_to": submitted_to.strip()},
        allowed_from=EDITABLE,
    )


@transaction.atomic
def opinion_record_outcome(
    *,
    actor,
    report: OpinionReport,
    adopted: bool,
    decided_on: dt.date,
    level: str = "",
    adopted_by: str = "",
    feedback: str = "",
) -> OpinionReport:
    require_perm(actor, "advocacy.record_outcome")
    require_in_scope(actor, report.federation_id)
    if report.submitted_on and decided_on < report.submitted_on:
        raise ValidationError(
            {"decided_on": _("采用日期不能早于报送日期（%(date)s）。") % {"date": report.submitted_on}}
        )
    if adopted and not level:
        raise ValidationError({"level": _("请选择采用层级。")})
    changes = {"feedback": feedback}
    if adopted:
        changes.update(adopted_on=decided_on, adoption_level=level, adopted_by=adopted_by)
    to = OpinionStatus.ADOPTED if adopted else OpinionStatus.NOT_ADOPTED
    return _transition(actor, report, to, changes, allowed_from=(OpinionStatus.SUBMITTED,))


@transaction.atomic
def opinion_record_instruction(
    *, actor, report: OpinionReport, instruction_on: dt.date, instruction_by: str, instruction: str
) -> OpinionReport:
    require_perm(actor, "advocacy.record_outcome")
    require_in_scope(actor, report.federation_id)
    if report.status != OpinionStatus.ADOPTED:
        raise ValidationError(_("只有已采用的社情民意才能登记领导批示。"))
    if report.adopted_on and instruction_on < report.adopted_on:
        raise ValidationError({"instruction_on": _("批示日期不能早于采用日期。")})
    if not instruction.strip():
        raise ValidationError({"instruction": _("请填写批示内容。")})
    before = {"instruction_on": report.instruction_on, "instruction_by": report.instruction_by}
    report.instruction_on, report.instruction_by, report.instruction = instruction_on, instruction_by, instruction
    report.save(update_fields=["instruction_on", "instruction_by", "instruction", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        target=report,
        data={
            "changes": {"instruction_on": {"before": str(before["instruction_on"] or ""), "after": str(instruction_on)}}
        },
    )
    return report


@transaction.atomic
def research_create(*, actor, data: dict[str, Any]) -> ResearchReport:
    require_perm(actor, "advocacy.change_research")
    federation = data.get("federation") or actor.federation
    require_in_scope(actor, getattr(federation, "pk", None))
    report = ResearchReport(created_by=actor, **{**data, "federation": federation})
    audited_create(actor, report, federation_id=federation.pk)
    return report


@transaction.atomic
def research_update(*, actor, report: ResearchReport, data: dict[str, Any]) -> ResearchReport:
    require_perm(actor, "advocacy.change_research")
    require_in_scope(actor, report.federation_id)
    if "federation" in data:
        require_in_scope(actor, data["federation"].pk)
    if data.get("file") in (None, False):
        data.pop("file", None)
    audited_update(actor, report, data, federation_id=report.federation_id)
    return report
