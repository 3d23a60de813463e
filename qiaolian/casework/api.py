"""API of the case engine: cases (list, detail with the timeline), opening a case, the steps of
the workflow, notes, and the counts. Same selectors, services, forms and rules as the pages:
another town's case is a 404, the requester's phone is masked, leaders get the counts only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from qiaolian.casework import selectors, services
from qiaolian.casework.forms import CaseForm, StepForm
from qiaolian.casework.models import TYPE_RULES, Case, CaseNote, CaseType
from qiaolian.core.api import Choice, FederationRef, Page, PageQuery, bound_form, choice_of, page_of, year_field
from qiaolian.core.permissions import require_perm
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry.selectors import person_scope

TOPIC_FIELDS = selectors.TOPIC_FIELDS


class Ref(Schema):
    id: int
    name: str


def _choice_or_none(obj, name: str) -> dict[str, str] | None:
    return choice_of(obj, name) if getattr(obj, name) else None


class CaseOut(Schema):
    id: int
    number: str
    type: Choice
    state: Choice
    title: str
    channel: Choice
    topic: Choice | None = Field(description="本类型的类别：维权类别、诉求类别、咨询事项、困难类型或建言领域")
    federation: FederationRef = Field(description="受理侨联")
    handling_federation: FederationRef | None = Field(description="承办侨联（移交时）")
    assignee: Ref | None
    person: Ref | None
    enterprise: Ref | None
    requester_name: str
    requester_phone: str = Field(description="脱敏")
    received_on: dt.date
    due_on: dt.date
    due_on_is_estimate: bool = Field(description="期限跨入尚无官方节假日安排的年份，按周一至周五估算")
    is_overdue: bool
    outcome: Choice | None
    closed_on: dt.date | None

    @staticmethod
    def resolve_type(obj) -> dict[str, str]:
        return choice_of(obj, "type")

    @staticmethod
    def resolve_state(obj) -> dict[str, str]:
        return choice_of(obj, "state")

    @staticmethod
    def resolve_channel(obj) -> dict[str, str]:
        return choice_of(obj, "channel")

    @staticmethod
    def resolve_topic(obj) -> dict[str, str] | None:
        for name in TOPIC_FIELDS:
            if getattr(obj, name):
                return choice_of(obj, name)
        return None

    @staticmethod
    def resolve_assignee(obj) -> dict | None:
        return {"id": obj.assignee_id, "name": str(obj.assignee)} if obj.assignee_id else None

    @staticmethod
    def resolve_person(obj) -> dict | None:
        return {"id": obj.person_id, "name": obj.person.name} if obj.person_id else None

    @staticmethod
    def resolve_enterprise(obj) -> dict | None:
        return {"id": obj.enterprise_id, "name": obj.enterprise.name} if obj.enterprise_id else None

    @staticmethod
    def resolve_requester_phone(obj) -> str:
        return str(obj.requester_phone) if obj.requester_phone else ""

    @staticmethod
    def resolve_is_overdue(obj) -> bool:
        return selectors.deadline_status(obj).is_overdue

    @staticmethod
    def resolve_outcome(obj) -> dict[str, str] | None:
        return _choice_or_none(obj, "outcome")


class EventOut(Schema):
    occurred_on: dt.date
    actor: str
    from_state: Choice | None
    to_state: Choice
    note: str
    assignee: Ref | None
    handling_federation: FederationRef | None
    department: str
    reply: str

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_name

    @staticmethod
    def resolve_from_state(obj) -> dict[str, str] | None:
        return _choice_or_none(obj, "from_state")

    @staticmethod
    def resolve_to_state(obj) -> dict[str, str]:
        return choice_of(obj, "to_state")

    @staticmethod
    def resolve_assignee(obj) -> dict | None:
        return {"id": obj.assignee_id, "name": str(obj.assignee)} if obj.assignee_id else None


class SpellOut(Schema):
    state: str
    label: str
    working_days: int
    calendar_days: int
    is_current: bool


class NoteOut(Schema):
    id: int
    body: str
    is_visible_to_requester: bool
    author: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj) -> str:
        return str(obj.author) if obj.author_id else ""


class AttachmentOut(Schema):
    id: int
    title: str
    uploaded_at: dt.datetime


class StepOut(Schema):
    to: str
    label: str
    required: list[str]
    optional: list[str]


class CaseDetailOut(CaseOut):
    description: str
    category: str
    opposing_party: str
    amount_involved: float | None
    is_cross_border: bool
    appeal_topic: str
    consultation_topic: str
    hardship_type: str
    amount_requested: float | None
    suggestion_topic: str
    referred_to: str
    referred_on: dt.date | None
    reply: str
    replied_on: dt.date | None
    resolution: str
    rejection_reason: str
    days_to_close: int | None = Field(description="受理至办结（或不予受理）的工作日数")
    satisfaction: Choice | None
    followed_up_on: dt.date | None
    follow_up_note: str
    timeline: list[EventOut]
    time_in_states: list[SpellOut]
    notes: list[NoteOut]
    attachments: list[AttachmentOut]
    allowed_transitions: list[StepOut] = Field(description="当前状态下本用户可办理的步骤")

    @staticmethod
    def resolve_satisfaction(obj) -> dict[str, str] | None:
        return _choice_or_none(obj, "satisfaction")

    @staticmethod
    def resolve_notes(obj) -> list:
        return obj.note_rows

    @staticmethod
    def resolve_attachments(obj) -> list:
        return obj.attachment_rows


class CaseQuery(PageQuery):
    q: str = Field("", max_length=60, description="编号、事由、当事人、企业名称或电话")
    type: str = Field("", description="rights / enterprise_appeal / consultation / aid_request / suggestion")
    state: str = ""
    topic: str = Field("", description="类别，如 category:property、appeal_topic:finance")
    federation_id: int | None = Field(None, description="受理或承办侨联（含下级）")
    deadline: str = Field("", pattern="^(|open|due_soon|overdue)$")
    year: int | None = year_field(description="受理年份")
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def filters(self) -> selectors.CaseFilters:
        return selectors.CaseFilters(
            query=self.q.strip(),
            type=self.type,
            state=self.state,
            topic=self.topic,
            federation_id=self.federation_id,
            deadline=self.deadline,
            year=self.year,
            date_from=self.date_from,
            date_to=self.date_to,
        )


class CaseIn(Schema, extra="forbid"):
    """A case to open (受理). The type decides which of its own fields are required."""

    type: CaseType | None = Field(None, description="案件类型（必填）")
    federation: int | None = Field(None, description="受理侨联的 id，默认本人所在侨联")
    title: str | None = Field(None, description="事由（必填）")
    description: str | None = Field(None, description="诉求内容（必填）")
    channel: str | None = Field(None, description="来源渠道（必填）：visit、phone、letter、online、transferred …")
    received_on: dt.date | None = Field(None, description="受理日期，默认今天")
    person: int | None = Field(None, description="侨情库人员 id")
    enterprise: int | None = Field(None, description="侨资企业 id；企业诉求必填")
    requester_name: str | None = Field(None, description="当事人/反映人；关联人员时可省略")
    requester_phone: str | None = Field(None, description="联系电话；境外号码带国家代码")
    category: str | None = Field(None, description="维权类别（侨益维护必填）")
    opposing_party: str | None = None
    amount_involved: str | None = Field(None, description="涉及金额（元）")
    is_cross_border: bool | None = None
    appeal_topic: str | None = Field(None, description="诉求类别（企业诉求必填）")
    consultation_topic: str | None = Field(None, description="咨询事项（咨询必填）")
    hardship_type: str | None = Field(None, description="困难类型（帮扶申请必填）")
    amount_requested: str | None = Field(None, description="申请金额（元）")
    suggestion_topic: str | None = Field(None, description="建言领域（建言必填）")


class TransitionIn(Schema, extra="forbid"):
    """One step of the workflow: ``to`` is the new state; the other fields are the step's own
    (see ``allowed_transitions`` in the case's detail)."""

    to: str = Field("", description="新状态：assigned、rejected、in_progress、referred、resolved、followed_up")
    on: dt.date | None = Field(None, description="办理日期，默认今天")
    note: str | None = None
    assignee: int | None = Field(None, description="承办人（用户 id）")
    handling_federation: int | None = Field(None, description="承办侨联 id（移交时）")
    reason: str | None = Field(None, description="不予受理理由")
    department: str | None = Field(None, description="转办单位")
    reply: str | None = Field(None, description="部门答复")
    outcome: str | None = Field(None, description="办理结果：solved、partly、mediated、answered、litigation、unsolved")
    resolution: str | None = Field(None, description="办结情况")
    satisfaction: str | None = Field(None, description="满意度：satisfied、fairly、dissatisfied、unreachable")


class NoteIn(Schema, extra="forbid"):
    body: str = ""
    is_visible_to_requester: bool = False


class YearRowOut(Schema):
    type: str
    year: int
    received: int
    resolved: int
    average_days_to_close: float | None = Field(description="平均办结用时（工作日）")
    overdue_now: int


class StateCountOut(Schema):
    type: str
    state: str
    count: int


class TotalsOut(Schema):
    cases: int
    open: int
    overdue: int
    resolved: int
    rejected: int
    average_days_to_close: float | None


class StatsOut(Schema):
    totals: TotalsOut
    by_state: list[StateCountOut]
    by_year: list[YearRowOut]


router = Router()


def _detail(user, case: Case) -> Case:
    events = list(selectors.case_events(user=user, case=case))
    case.timeline = events
    case.time_in_states = selectors.time_in_states(case, events)
    case.note_rows = list(selectors.case_notes(user=user, case=case))
    case.attachment_rows = list(selectors.case_attachments(user=user, case=case))
    case.allowed_transitions = [
        {"to": to, "label": str(step.label), "required": list(step.required), "optional": [*step.optional, "on"]}
        for to, step in services.allowed_steps(case, user)
    ]
    return case


@router.get("/cases", response=Page[CaseOut], tags=["cases"], summary="案件列表")
def case_list(request: HttpRequest, params: Query[CaseQuery]) -> dict[str, Any]:
    require_perm(request.user, "casework.view_case")
    qs = selectors.case_list(user=request.user, filters=params.filters())
    return page_of(qs, params, order=("-received_on", "-id"))


@router.get("/cases/stats", response=StatsOut, tags=["cases"], summary="案件统计（按类型、状态、年份）")
def case_stats(request: HttpRequest) -> dict[str, Any]:
    require_perm(request.user, "casework.view_stats")
    user = request.user
    return {
        "totals": selectors.case_totals(user=user),
        "by_state": [
            {"type": t, "state": s, "count": n}
            for (t, s), n in sorted(selectors.case_counts_by_state(user=user).items())
        ],
        "by_year": selectors.case_counts_by_year(user=user),
    }


@router.post("/cases", response={201: CaseDetailOut}, tags=["cases"], summary="受理案件")
def case_open(request: HttpRequest, payload: CaseIn) -> Status[Case]:
    user = request.user
    require_perm(user, "casework.open_case")
    data = payload.dict(exclude_none=True)
    case_type = data.pop("type", None)
    if case_type not in TYPE_RULES:
        raise ValidationError({"type": _("请选择案件类型。")})
    form = bound_form(
        CaseForm,
        data,
        case_type=case_type,
        federations=federation_choices(user=user),
        persons=person_scope(user=user),
        enterprises=selectors.enterprise_choices(user=user),
    )
    case = services.case_open(actor=user, data=form.service_data())
    return Status(201, _detail(user, selectors.case_get(user=user, pk=case.pk)))


@router.get("/cases/{int:case_id}", response=CaseDetailOut, tags=["cases"], summary="案件详情（含办理时间线）")
def case_detail(request: HttpRequest, case_id: int) -> Case:
    require_perm(request.user, "casework.view_case")
    return _detail(request.user, selectors.case_get(user=request.user, pk=case_id))


@router.post("/cases/{int:case_id}/transitions", response=CaseDetailOut, tags=["cases"], summary="办理一步（状态变更）")
def case_transition(request: HttpRequest, case_id: int, payload: TransitionIn) -> Case:
    user = request.user
    require_perm(user, "casework.change_case")
    case = selectors.case_get(user=user, pk=case_id)
    data = payload.dict(exclude_none=True)
    to = data.pop("to", "")
    step = services.TRANSITIONS.get((case.state, to))
    if step is None:
        services.case_transition(actor=user, case=case, to=to)  # refused with the reason
    unknown = sorted(set(data) - set(step.details))
    if unknown:
        raise ValidationError({name: _("“%(step)s”不需要填写此项。") % {"step": step.label} for name in unknown})
    form = StepForm(
        data=data,
        to=to,
        step=step,
        assignees=selectors.assignee_choices(user=user) if "assignee" in step.details else None,
        federations=selectors.handling_federation_choices(user=user) if "assignee" in step.details else None,
        prefixed=False,
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    case = services.case_transition(actor=user, case=case, to=to, **form.details())
    return _detail(user, selectors.case_get(user=user, pk=case.pk))


@router.post("/cases/{int:case_id}/notes", response={201: NoteOut}, tags=["cases"], summary="添加备注")
def case_note(request: HttpRequest, case_id: int, payload: NoteIn) -> Status[CaseNote]:
    user = request.user
    require_perm(user, "casework.change_case")
    case = selectors.case_get(user=user, pk=case_id)
    note = services.note_add(
        actor=user, case=case, body=payload.body, is_visible_to_requester=payload.is_visible_to_requester
    )
    return Status(201, note)
