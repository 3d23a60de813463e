"""Writes to cases: opening, the transitions of the workflow, notes, attachments; each checked,
atomic and audited.

The workflow (DOMAIN.md W5, W6) is the table ``TRANSITIONS`` below, the one place that says
which state may follow which, who may take the step and what it needs. Pages, the API and the
demo generator all go through ``case_transition``:

    受理 received ─┬─ 分派 → assigned ─ 开始办理 → in_progress ─┬─ 办结 → resolved ─ 回访 → followed_up
                   │                                             ├─ 转办 → referred ─ 答复 → in_progress / resolved
                   │                                             └─ 改派 → assigned
                   └─ 不予受理 → rejected

Every step is one ``CaseEvent`` row (the timeline: who, when, from, to, note) and one audit entry,
written in the same transaction as the change of the case; a refused step writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.casework.models import (
    TYPE_FIELDS,
    TYPE_RULES,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseNote,
    CaseSequence,
    CaseType,
    Channel,
    Outcome,
    Satisfaction,
    State,
    deadline_days,
)
from qiaolian.casework.workdays import add_working_days, working_days_between
from qiaolian.core.changes import diff, snapshot
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.permissions import require_perm
from qiaolian.core.validators import display_phone, parse_phone

MAX_ATTACHMENT_BYTES = 30 * 1024 * 1024
EARLIEST_DAY = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class Step:
    """One allowed transition: its button label, the permission it needs, the details it
    requires and those it may take (every step may take ``on``, the day it happened)."""

    label: str | Promise
    perm: str
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def details(self) -> tuple[str, ...]:
        return (*self.required, *self.optional, "on")


CHANGE = "casework.change_case"
ASSIGN = Step(gettext_lazy("分派"), CHANGE, optional=("assignee", "handling_federation", "note"))
REASSIGN = Step(gettext_lazy("改派"), CHANGE, optional=("assignee", "handling_federation", "note"))

# (from state, to state) → step. The only transitions there are.
TRANSITIONS: dict[tuple[str, str], Step] = {
    (State.RECEIVED, State.ASSIGNED): ASSIGN,
    (State.RECEIVED, State.REJECTED): Step(gettext_lazy("不予受理"), "casework.reject_case", required=("reason",)),
    (State.ASSIGNED, State.IN_PROGRESS): Step(gettext_lazy("开始办理"), CHANGE, optional=("note",)),
    (State.ASSIGNED, State.ASSIGNED): REASSIGN,
    (State.IN_PROGRESS, State.REFERRED): Step(
        gettext_lazy("转办"), CHANGE, required=("department",), optional=("note",)
    ),
    (State.IN_PROGRESS, State.RESOLVED): Step(gettext_lazy("办结"), CHANGE, required=("outcome", "resolution")),
    (State.IN_PROGRESS, State.ASSIGNED): REASSIGN,
    (State.REFERRED, State.IN_PROGRESS): Step(
        gettext_lazy("收到答复，继续办理"), CHANGE, required=("reply",), optional=("note",)
    ),
    (State.REFERRED, State.RESOLVED): Step(
        gettext_lazy("收到答复并办结"), CHANGE, required=("reply", "outcome", "resolution")
    ),
    (State.RESOLVED, State.FOLLOWED_UP): Step(
        gettext_lazy("回访"), CHANGE, required=("satisfaction",), optional=("note",)
    ),
}

DETAIL_MESSAGES = {
    "reason": gettext_lazy("请填写不予受理的理由。"),
    "department": gettext_lazy("请填写转办单位。"),
    "reply": gettext_lazy("请填写部门答复。"),
    "outcome": gettext_lazy("请选择办理结果。"),
    "resolution": gettext_lazy("请填写办结情况。"),
    "satisfaction": gettext_lazy("请选择满意度。"),
}


def allowed_steps(case: Case, user=None) -> list[tuple[str, Step]]:
    """The steps that may follow the case's current state (for ``user``, those their role may
    take), in the table's order: what the case page offers as buttons and forms."""
    steps = [(to, step) for (source, to), step in TRANSITIONS.items() if source == case.state]
    if user is not None:
        steps = [(to, step) for to, step in steps if user.has_perm(step.perm)]
    return steps


def _state_label(value: str) -> str:
    return str(State(value).label) if value in State.values else value


def _type_label(value: str) -> str:
    return str(CaseType(value).label) if value in CaseType.values else value


# Guards -------------------------------------------------------------------------------------


def _require_case_in_scope(actor, case: Case) -> None:
    """A case is the receiving federation's and the handling federation's: anyone else gets 404."""
    scope = scope_for(actor)
    if not (scope.allows(case.federation_id) or scope.allows(case.handling_federation_id)):
        raise Http404("not found")


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


# Opening a case -----------------------------------------------------------------------------

COMMON_FIELDS = (
    "type",
    "federation",
    "title",
    "description",
    "channel",
    "received_on",
    "person",
    "enterprise",
    "requester_name",
    "requester_phone",
)
EDITABLE_FIELDS = (
    "title",
    "description",
    "channel",
    "person",
    "enterprise",
    "requester_name",
    "requester_phone",
    *TYPE_FIELDS,
)


def _refuse_unknown(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: _("该字段在此不能填写或修改。") for name in unknown})


def _empty(value: Any) -> bool:
    return value is None or value == "" or value is False


def _check_type_fields(case_type: str, data: dict[str, Any]) -> None:
    """The type's required fields are given and no other type's field is."""
    rule = TYPE_RULES[case_type]
    errors: dict[str, str] = {}
    for name in rule.required:
        if _empty(data.get(name)):
            label = Case._meta.get_field(name).verbose_name
            errors[name] = _("%(type)s须填写“%(label)s”。") % {"type": _type_label(case_type), "label": label}
    for name in TYPE_FIELDS:
        if name not in rule.fields and not _empty(data.get(name)):
            label = Case._meta.get_field(name).verbose_name
            errors[name] = _("“%(label)s”不适用于%(type)s，请留空。") % {"label": label, "type": _type_label(case_type)}
    if errors:
        raise ValidationError(errors)


def _check_links(actor, data: dict[str, Any]) -> None:
    from qiaolian.casework.selectors import enterprise_choices
    from qiaolian.registry.selectors import person_scope

    person = data.get("person")
    if person is not None and not person_scope(user=actor).filter(pk=person.pk).exists():
        raise ValidationError({"person": _("所选侨情库人员不存在或不在您的管辖范围内。")})
    enterprise = data.get("enterprise")
    if enterprise is not None and not enterprise_choices(user=actor).filter(pk=enterprise.pk).exists():
        raise ValidationError({"enterprise": _("所选企业不存在或不在您的管辖范围内。")})


def _normalized(data: dict[str, Any]) -> dict[str, Any]:
    """Trimmed text, a phone number in international form (or an error naming the field)."""
    data = dict(data)
    for name in ("title", "description", "requester_name", "opposing_party"):
        if name in data:
            data[name] = _text(data[name])
    for name in ("amount_involved", "amount_requested"):
        value = data.get(name)
        if value not in (None, ""):
            try:
                value = Decimal(str(value))
            except ArithmeticError:
                raise ValidationError({name: _("请填写金额（元），如 5000 或 5000.50。")}) from None
            if value < 0:
                raise ValidationError({name: _("金额不能为负数。")})
            data[name] = value
        elif name in data:
            data[name] = None
    if "requester_phone" in data:
        phone = _text(data["requester_phone"])
        if phone:
            try:
                data["requester_phone"] = parse_phone(phone)
            except ValidationError as error:
                raise ValidationError({"requester_phone": error.messages}) from None
        else:
            data["requester_phone"] = None
    return data


def _check_requester(data: dict[str, Any]) -> None:
    if not data.get("requester_name"):
        person, enterprise = data.get("person"), data.get("enterprise")
        if person is not None:
            data["requester_name"] = person.name
        elif enterprise is not None:
            data["requester_name"] = enterprise.contact_name or enterprise.name
        else:
            raise ValidationError({"requester_name": _("请填写当事人/反映人姓名，或关联侨情库人员。")})


def _next_number(case_type: str, year: int) -> str:
    prefix = TYPE_RULES[case_type].prefix
    sequence = CaseSequence.objects.select_for_update().filter(prefix=prefix, year=year).first()
    if sequence is None:
        CaseSequence.objects.get_or_create(prefix=prefix, year=year)
        sequence = CaseSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}{year}-{sequence.last:04d}"


def _actor_name(actor) -> str:
    if actor is None:
        return ""
    return getattr(actor, "display_name", "") or getattr(actor, "username", "")


def _check_day(name: str, day: dt.date, *, not_before: dt.date | None = None) -> None:
    if day > _today():
        raise ValidationError({name: _("日期不能晚于今天。")})
    if day < EARLIEST_DAY:
        raise ValidationError({name: _("日期不能早于 2000 年。")})
    if not_before is not None and day < not_before:
        raise ValidationError({name: _("日期不能早于上一步办理日期（%(day)s）。") % {"day": not_before.isoformat()}})


@transaction.atomic
def case_open(*, actor, data: dict[str, Any]) -> Case:
    """Open (受理) a case. ``data`` holds ``type``, ``federation`` (the receiving federation;
    the actor's own by default), ``title``, ``description``, ``channel``, ``received_on`` (today
    by default), ``person`` (a registry person the actor may see) and/or ``enterprise``, the
    requester's ``requester_name`` (the person's name by default) and ``requester_phone``
    (stored encrypted, shown masked), and the type's own fields (``TYPE_RULES``). The deadline
    is ``received_on`` plus the type's working days on the official calendar."""
    require_perm(actor, "casework.open_case")
    _refuse_unknown(data, COMMON_FIELDS + TYPE_FIELDS)
    data = _normalized(data)
    case_type = data.get("type") or ""
    if case_type not in CaseType.values:
        raise ValidationError({"type": _("请选择案件类型。")})
    federation = data.get("federation") or getattr(actor, "federation", None)
    if federation is None or not scope_for(actor).allows(federation.pk):
        raise ValidationError({"federation": _("请选择您管辖范围内的受理侨联。")})
    for name, message in (
        ("title", _("请填写事由。")),
        ("description", _("请填写诉求内容。")),
    ):
        if not data.get(name):
            raise ValidationError({name: message})
    if data.get("channel") not in Channel.values:
        raise ValidationError({"channel": _("请选择来源渠道。")})
    received_on = data.get("received_on") or _today()
    _check_day("received_on", received_on)
    _check_links(actor, data)
    return _case_insert(actor=actor, data=data, case_type=case_type, federation=federation, received_on=received_on)


# What a portal user may fill in on a request of their own (the rest is decided for them).
PORTAL_FIELDS = ("type", "title", "description", "person", "requester_name", "requester_phone", *TYPE_FIELDS)


@transaction.atomic
def case_open_from_portal(*, account, federation, data: dict[str, Any]) -> Case:
    """A request a portal user sends themselves (帮扶申请, 侨益维护, 咨询, 建言): received online
    today by ``federation`` (the account's town, or the district), linked to the account so that
    its owner can follow it, with the same type rules, numbering and deadline as ``case_open``.
    The caller (the portal) has established that ``account`` is a portal account and that
    ``person``, if any, is the one staff linked to it."""
    _refuse_unknown(data, PORTAL_FIELDS)
    data = _normalized(data)
    case_type = data.get("type") or ""
    if case_type not in CaseType.values:
        raise ValidationError({"type": _("请选择申请类型。")})
    for name, message in (("title", _("请填写事由。")), ("description", _("请填写诉求内容。"))):
        if not data.get(name):
            raise ValidationError({name: message})
    return _case_insert(
        actor=account,
        data={**data, "channel": Channel.ONLINE},
        case_type=case_type,
        federation=federation,
        received_on=_today(),
        account=account,
    )


def _case_insert(
    *, actor, data: dict[str, Any], case_type: str, federation, received_on: dt.date, account=None
) -> Case:
    """Insert a received case whose references have been checked: type fields, requester,
    number, deadline, audit entry and the first timeline event — the part every way in shares."""
    _check_type_fields(case_type, data)
    _check_requester(data)
    deadline = add_working_days(received_on, deadline_days(case_type))
    case = Case(
        **{**data, "type": case_type, "federation": federation, "received_on": received_on},
        account=account,
        number=_next_number(case_type, received_on.year),
        due_on=deadline.day,
        due_on_is_estimate=deadline.is_estimate,
        state=State.RECEIVED,
        state_since=received_on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    # the references were checked by the caller (federation and person within reach), the
    # number comes from the locked sequence: validate the rest of the record, then insert it
    references = ["federation", "handling_federation", "assignee", "person", "enterprise", "created_by", "account"]
    case.full_clean(exclude=references, validate_unique=False)
    case.save()
    audit_record(
        actor=actor, action=Action.CREATE, target=case, federation_id=federation.pk, data={"after": snapshot(case)}
    )
    CaseEvent.objects.create(
        case=case,
        occurred_on=received_on,
        actor=case.created_by,
        actor_name=_actor_name(actor),
        from_state="",
        to_state=State.RECEIVED,
        note=_("来源渠道：%(channel)s") % {"channel": case.get_channel_display()},
    )
    return case


@transaction.atomic
def case_update(*, actor, case: Case, data: dict[str, Any]) -> Case:
    """Correct what was recorded at opening. The type, the receiving federation and the day of
    receipt (which set the number, the jurisdiction and the deadline) stay as they are."""
    require_perm(actor, "casework.change_case")
    _require_case_in_scope(actor, case)
    _refuse_unknown(data, EDITABLE_FIELDS)
    data = _normalized(data)
    if "requester_phone" in data and data["requester_phone"] is None:
        data.pop("requester_phone")  # left empty on the form: keep what is stored
    merged = {name: getattr(case, name) for name in EDITABLE_FIELDS if name != "requester_phone"}
    merged.update(data)
    for name, message in (("title", _("请填写事由。")), ("description", _("请填写诉求内容。"))):
        if not merged.get(name):
            raise ValidationError({name: message})
    if merged.get("channel") not in Channel.values:
        raise ValidationError({"channel": _("请选择来源渠道。")})
    _check_type_fields(case.type, merged)
    changed_links = {k: v for k, v in data.items() if k in ("person", "enterprise") and v != getattr(case, k)}
    _check_links(actor, changed_links)
    _check_requester(merged)
    data["requester_name"] = merged["requester_name"]
    audited_update(actor, case, data, federation_id=case.federation_id)
    return case


# Transitions --------------------------------------------------------------------------------


def _illegal(case: Case, to: str, actor) -> ValidationError:
    possible = "、".join(str(step.label) for _to, step in allowed_steps(case, actor))
    message = _("案件 %(number)s 当前为“%(state)s”，不能改为“%(to)s”。") % {
        "number": case.number,
        "state": case.get_state_display(),
        "to": _state_label(to),
    }
    if possible:
        message += _("当前可以：%(steps)s。") % {"steps": possible}
    else:
        message += _("该案件已结束，不能再变更状态。")
    return ValidationError(message, code="illegal_transition")


def _assignment(actor, case: Case, details: dict[str, Any]) -> dict[str, Any]:
    """Who handles the case next: a staff member and/or a federation (a town may hand a case to
    the federations above it, a district user to any federation). The assignee must be able to
    see the case afterwards; naming only an assignee from another federation hands the case to
    that federation."""
    from qiaolian.casework.selectors import HANDLER_ROLES, handling_federation_choices

    assignee = details.get("assignee")
    federation = details.get("handling_federation")
    if assignee is None and federation is None:
        raise ValidationError({"assignee": _("请选择承办人，或选择移交的承办侨联。")})
    allowed = handling_federation_choices(user=actor)
    if federation is not None and not allowed.filter(pk=federation.pk).exists():
        raise ValidationError({"handling_federation": _("不能移交给该侨联：只能选择本级及下级侨联，或上级侨联。")})
    handling = federation if federation is not None else case.handling_federation
    if assignee is not None:
        if not assignee.is_active or assignee.role not in HANDLER_ROLES or assignee.federation_id is None:
            raise ValidationError({"assignee": _("%(name)s 不是办理案件的工作人员。") % {"name": assignee}})
        scope = scope_for(assignee)
        sees = scope.allows(case.federation_id) or scope.allows(getattr(handling, "pk", None))
        if not sees and federation is None and allowed.filter(pk=assignee.federation_id).exists():
            handling = assignee.federation
            sees = True
        if not sees:
            raise ValidationError(
                {
                    "assignee": _("%(name)s（%(federation)s）看不到本案件，请同时选择其所在的承办侨联。")
                    % {"name": assignee, "federation": assignee.federation}
                }
            )
    if handling is not None and handling.pk == case.federation_id:
        handling = None  # handled where it was received: no second federation
    return {"assignee": assignee, "handling_federation": handling}


@transaction.atomic
def case_transition(*, actor, case: Case, to: str, **details: Any) -> Case:
    """Move ``case`` to the state ``to`` if the table allows it from its current state and the
    actor's role may take that step. ``details`` are the step's own (``Step.required`` and
    ``optional``): ``assignee``, ``handling_federation``, ``note``, ``reason``, ``department``,
    ``reply``, ``outcome``, ``resolution``, ``satisfaction``, and ``on`` (the day it happened,
    today by default). A refused step raises ValidationError and writes nothing."""
    require_perm(actor, CHANGE)
    _require_case_in_scope(actor, case)
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("federation", "handling_federation").get(pk=case.pk)
    )
    source = case.state
    step = TRANSITIONS.get((source, to))
    if step is None:
        raise _illegal(case, to, actor)
    require_perm(actor, step.perm)
    unknown = sorted(set(details) - set(step.details))
    if unknown:
        raise ValidationError({name: _("“%(step)s”不需要填写此项。") % {"step": step.label} for name in unknown})
    details = {k: (_text(v) if isinstance(v, str) else v) for k, v in details.items()}
    missing = {name: DETAIL_MESSAGES[name] for name in step.required if _empty(details.get(name))}
    if missing:
        raise ValidationError({name: str(message) for name, message in missing.items()})
    on = details.get("on") or _today()
    _check_day("on", on, not_before=case.state_since)  # the day of the last step

    changes: dict[str, Any] = {"state": to, "state_since": on}
    event = CaseEvent(
        case=case,
        occurred_on=on,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        from_state=source,
        to_state=to,
        note=details.get("note") or "",
    )
    if to == State.ASSIGNED:
        assignment = _assignment(actor, case, details)
        changes.update(assignment)
        event.assignee = assignment["assignee"]
        event.handling_federation = details.get("handling_federation") or assignment["handling_federation"]
    elif to == State.REJECTED:
        changes.update(rejection_reason=details["reason"], closed_on=on)
        changes["days_to_close"] = working_days_between(case.received_on, on).working_days
        event.note = details["reason"]
    elif to == State.REFERRED:
        changes.update(referred_to=details["department"], referred_on=on, reply="", replied_on=None)
        event.department = details["department"]
    if source == State.REFERRED:
        changes.update(reply=details["reply"], replied_on=on)
        event.reply = details["reply"]
        event.department = case.referred_to
    if to == State.RESOLVED:
        if details["outcome"] not in Outcome.values:
            raise ValidationError({"outcome": _("请选择办理结果。")})
        changes.update(outcome=details["outcome"], resolution=details["resolution"], closed_on=on)
        changes["days_to_close"] = working_days_between(case.received_on, on).working_days
        event.note = details["resolution"]
    elif to == State.FOLLOWED_UP:
        if details["satisfaction"] not in Satisfaction.values:
            raise ValidationError({"satisfaction": _("请选择满意度。")})
        changes.update(
            satisfaction=details["satisfaction"], followed_up_on=on, follow_up_note=details.get("note") or ""
        )
    _save_step(actor, case, changes, transition=(source, to))
    event.save()
    return case


# Fields the transition table itself checks (references within the actor's reach, the choices
# of the step), so saving a step validates only what it changes.
def _save_step(actor, case: Case, changes: dict[str, Any], *, transition: tuple[str, str]) -> None:
    """Apply one step's changes, validate the changed fields, save only them and record the
    difference in the audit log (as ``audited_update`` does, for the fields of one step)."""
    names = list(changes)
    before = snapshot(case, names)
    for name, value in changes.items():
        setattr(case, name, value)
    others = [f.name for f in Case._meta.concrete_fields if f.name not in names]
    case.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    case.save(update_fields=[*names, "updated_at"])
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        target=case,
        federation_id=case.federation_id,
        data={
            "transition": {"from": transition[0], "to": transition[1]},
            "changes": diff(before, snapshot(case, names)),
        },
    )


# Notes, attachments, the requester's phone --------------------------------------------------


@transaction.atomic
def note_add(*, actor, case: Case, body: str, is_visible_to_requester: bool = False) -> CaseNote:
    """An internal note, or (flagged) one that may be shown to the requester."""
    require_perm(actor, CHANGE)
    _require_case_in_scope(actor, case)
    body = _text(body)
    if not body:
        raise ValidationError({"body": _("请填写备注内容。")})
    note = CaseNote(case=case, body=body, is_visible_to_requester=bool(is_visible_to_requester), author=actor)
    audited_create(actor, note, federation_id=case.federation_id)
    return note


@transaction.atomic
def attachment_add(*, actor, case: Case, file: UploadedFile, title: str = "") -> CaseAttachment:
    require_perm(actor, CHANGE)
    _require_case_in_scope(actor, case)
    if file is None:
        raise ValidationError({"file": _("请选择文件。")})
    if file.size and file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("附件不能超过 30 MB。")})
    attachment = CaseAttachment(case=case, file=file, title=_text(title) or file.name, uploaded_by=actor)
    audited_create(actor, attachment, federation_id=case.federation_id)
    return attachment


def case_reveal_phone(*, actor, case: Case) -> str:
    """The requester's phone number in full, for a permitted user, written to the audit log."""
    require_perm(actor, "casework.reveal_case")
    _require_case_in_scope(actor, case)
    value = case.requester_phone
    plain = value.reveal() if value else ""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Action.REVEAL,
            target=case,
            federation_id=case.federation_id,
            data={"field": "requester_phone"},
        )
    return display_phone(plain) if plain else ""
