"""Writes to the 侨企 registry, visits, appeals, exhibitions and investment leads: checked against
the actor's role and jurisdiction, atomic, and recorded in the audit log with the contact phone
masked.

An appeal raised at a visit opens a case of type 企业诉求 in the case engine in the same
transaction (``cases.py``): if the engine refuses the case, neither the appeal nor the visit
it came with is written.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.core.changes import snapshot
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.core.text import initials_key, pinyin_key, search_key
from qiaolian.core.validators import display_phone, parse_phone
from qiaolian.enterprises import cases, selectors
from qiaolian.enterprises.models import (
    CIIE,
    CIIE_FIRST_YEAR,
    Appeal,
    AppealTopic,
    Enterprise,
    ExhibitionParticipation,
    InvestmentLead,
    LeadEvent,
    LeadStage,
    Visit,
)
from qiaolian.enterprises.validators import parse_credit_code
from qiaolian.registry.selectors import person_scope

REVEALABLE = ("contact_phone",)


def _today() -> dt.date:
    return dt.date.today()


def _federation(actor, data: dict[str, Any]):
    federation = data.get("federation") or getattr(actor, "federation", None)
    if federation is None:
        raise ValidationError({"federation": _("请选择所属侨联。")})
    require_in_scope(actor, federation.pk)
    return federation


# Enterprises --------------------------------------------------------------------------------


def derive_keys(enterprise: Enterprise) -> None:
    """The search and sort keys follow the name; set on every write, never by hand."""
    enterprise.name = (enterprise.name or "").strip()
    enterprise.name_key = search_key(enterprise.name)[:150]
    enterprise.name_pinyin = pinyin_key(enterprise.name)[:400]
    enterprise.name_initials = initials_key(enterprise.name)[:150]


def check_enterprise(actor, data: dict[str, Any], *, instance: Enterprise | None = None) -> dict[str, Any]:
    data = dict(data)
    if "name" in data and not (data["name"] or "").strip():
        raise ValidationError({"name": _("请填写企业名称。")})
    if "credit_code" in data:
        raw = (data["credit_code"] or "").strip()
        if raw:
            try:
                code = parse_credit_code(raw)
            except ValidationError as error:
                raise ValidationError({"credit_code": error.messages}) from None
            holder = selectors.credit_code_holder(code=code, exclude_pk=instance.pk if instance else None)
            if holder is not None:
                if scope_for(actor).allows(holder.federation_id):
                    message = _("该统一社会信用代码已登记为“%(name)s”，请勿重复登记。") % {"name": holder.name}
                else:
                    message = _("该统一社会信用代码已由其他侨联登记，请与区侨联核实。")
                raise ValidationError({"credit_code": message})
            data["credit_code"] = code
        else:
            data["credit_code"] = None
    person = data.get("person")
    if person is not None and not person_scope(user=actor).filter(pk=person.pk).exists():
        raise ValidationError({"person": _("所选侨情库人员不存在或不在您的管辖范围内。")})
    if "contact_phone" in data:
        phone = data["contact_phone"]
        if isinstance(phone, str):
            phone = phone.strip()
            if phone:
                try:
                    data["contact_phone"] = parse_phone(phone)
                except ValidationError as error:
                    raise ValidationError({"contact_phone": error.messages}) from None
            elif instance is not None:
                data.pop("contact_phone")  # empty on edit: keep what is stored
            else:
                data["contact_phone"] = None
    established = data.get("established_on")
    if established and established > _today():
        raise ValidationError({"established_on": _("成立日期不能晚于今天。")})
    return data


@transaction.atomic
def enterprise_create(*, actor, data: dict[str, Any]) -> Enterprise:
    """Register one enterprise from validated data (``EnterpriseForm.service_data()``)."""
    require_perm(actor, "enterprises.change_enterprise")
    federation = _federation(actor, data)
    data = check_enterprise(actor, data)
    enterprise = Enterprise(
        created_by=actor if getattr(actor, "pk", None) else None, **{**data, "federation": federation}
    )
    audited_create(actor, enterprise, federation_id=federation.pk, before_save=derive_keys)
    return enterprise


@transaction.atomic
def enterprise_update(*, actor, enterprise: Enterprise, data: dict[str, Any]) -> Enterprise:
    require_perm(actor, "enterprises.change_enterprise")
    require_in_scope(actor, enterprise.federation_id)
    if "federation" in data:
        if data["federation"] is None:
            raise ValidationError({"federation": _("请选择所属侨联。")})
        require_in_scope(actor, data["federation"].pk)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    data = check_enterprise(actor, data, instance=enterprise)
    audited_update(actor, enterprise, data, federation_id=enterprise.federation_id, before_save=derive_keys)
    return enterprise


def enterprise_reveal(*, actor, enterprise: Enterprise, field: str) -> str:
    """The plain contact phone, for a permitted user, written to the audit log."""
    if field not in REVEALABLE:
        raise ValidationError(_("该字段不能查看。"))
    require_perm(actor, "enterprises.reveal_enterprise")
    require_in_scope(actor, enterprise.federation_id)
    value = getattr(enterprise, field)
    plain = value.reveal() if value else ""
    with transaction.atomic():
        audit_record(actor=actor, action=Action.REVEAL, target=enterprise, data={"field": field})
    return display_phone(plain) if plain else ""


EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("name", "企业名称"),
    ("credit_code", "统一社会信用代码"),
    ("investor_type", "企业类型"),
    ("investor_origin", "投资方身份"),
    ("investor_country", "投资方国家/地区"),
    ("industry", "行业"),
    ("federation", "所属侨联"),
    ("address", "地址"),
    ("established_on", "成立日期"),
    ("registered_capital", "注册资本（万元）"),
    ("employees", "员工人数"),
    ("legal_representative", "法定代表人"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
    ("ciie_years", "参加进博会年份"),
    ("visit_count", "走访次数"),
    ("appeal_count", "诉求数"),
    ("is_active", "在营"),
]


def _export_cell(enterprise: Enterprise, name: str):
    if name == "ciie_years":
        return "、".join(str(row.year) for row in getattr(enterprise, "ciie_rows", []))
    if name == "investor_country":
        return str(enterprise.investor_country.name) if enterprise.investor_country else ""
    if name == "federation":
        return enterprise.federation.name
    value = getattr(enterprise, name, None)
    display = getattr(enterprise, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value
    return str(value)  # a protected value gives its masked form


def enterprises_export_xlsx(*, actor, enterprises: Iterable[Enterprise], filters: dict[str, Any]) -> bytes:
    """The filtered list as a workbook, the contact phone masked; the export is audited."""
    from qiaolian.core.tabular import export_workbook

    if not actor.has_perm("enterprises.export_enterprise"):
        raise PermissionDenied("enterprises.export_enterprise")
    buffer = io.BytesIO()
    book = export_workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(_("侨资企业"))
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, (_name, title) in enumerate(EXPORT_COLUMNS):
        sheet.write(0, col, _(title), head)
    count = 0
    for row, enterprise in enumerate(enterprises, start=1):
        for col, (name, _title) in enumerate(EXPORT_COLUMNS):
            cell = _export_cell(enterprise, name)
            if hasattr(cell, "isoformat"):
                sheet.write_datetime(row, col, dt.datetime.combine(cell, dt.time()), date_fmt)
            else:
                sheet.write_string(row, col, str(cell))
        count += 1
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(count, 1), len(EXPORT_COLUMNS) - 1)
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, len(EXPORT_COLUMNS) - 1, 14)
    book.close()
    with transaction.atomic():
        audit_record(actor=actor, action=Action.EXPORT, data={"kind": "enterprises", "rows": count, "filters": filters})
    return buffer.getvalue()


# Exhibitions --------------------------------------------------------------------------------


@transaction.atomic
def exhibition_add(*, actor, enterprise: Enterprise, data: dict[str, Any]) -> ExhibitionParticipation:
    """Record an enterprise at an exhibition or programme in one year (unique per year and name)."""
    require_perm(actor, "enterprises.change_enterprise")
    require_in_scope(actor, enterprise.federation_id)
    year = data.get("year")
    name = " ".join((data.get("exhibition") or CIIE).split())
    this_year = _today().year
    if not year:
        raise ValidationError({"year": _("请填写年份。")})
    if name == CIIE and year < CIIE_FIRST_YEAR:
        raise ValidationError({"year": _("中国国际进口博览会自2018年起举办，年份不能早于2018年。")})
    if not 1990 <= year <= this_year + 1:
        raise ValidationError({"year": _("年份应在1990年至%(max)s年之间。") % {"max": this_year + 1}})
    if ExhibitionParticipation.objects.filter(enterprise=enterprise, year=year, exhibition=name).exists():
        raise ValidationError(
            {"year": _("已登记该企业%(year)s年参加“%(name)s”，请勿重复登记。") % {"year": year, "name": name}}
        )
    participation = ExhibitionParticipation(
        enterprise=enterprise,
        year=year,
        exhibition=name,
        booth=(data.get("booth") or "").strip(),
        notes=(data.get("notes") or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audited_create(actor, participation, federation_id=enterprise.federation_id)
    return participation


@transaction.atomic
def exhibition_remove(*, actor, participation: ExhibitionParticipation) -> None:
    """Delete a participation recorded by mistake; the audit entry keeps what it said."""
    require_perm(actor, "enterprises.change_enterprise")
    enterprise = participation.enterprise
    require_in_scope(actor, enterprise.federation_id)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        target=participation,
        federation_id=enterprise.federation_id,
        data={"before": {**snapshot(participation), "enterprise": enterprise.name}},
    )
    participation.delete()


# Visits and appeals -------------------------------------------------------------------------


def _check_visitors(actor, visitors: Sequence) -> list:
    visitors = list(visitors or [])
    if visitors:
        allowed = set(
            selectors.visitor_choices(user=actor).filter(pk__in=[u.pk for u in visitors]).values_list("pk", flat=True)
        )
        if any(u.pk not in allowed for u in visitors):
            raise ValidationError({"visitors": _("所选走访人员不在可选范围内。")})
    return visitors


def _check_visit_fields(visit: Visit, visitors: list) -> None:
    if visit.visited_on is None:
        raise ValidationError({"visited_on": _("请填写走访日期。")})
    if visit.visited_on > _today():
        raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
    established = visit.enterprise.established_on
    if established and visit.visited_on < established:
        raise ValidationError(
            {"visited_on": _("走访日期早于企业成立日期（%(day)s）。") % {"day": established.isoformat()}}
        )
    visit.notes = (visit.notes or "").strip()
    if not visit.notes:
        raise ValidationError({"notes": _("请填写走访情况。")})
    visit.visitor_names = " ".join((visit.visitor_names or "").split())
    if not visitors and not visit.visitor_names:
        raise ValidationError({"visitors": _("请选择走访人员，或在“其他走访人员”中填写姓名。")})


def _visitor_labels(visitors: Iterable) -> list[str]:
    return [str(u) for u in visitors]


@transaction.atomic
def visit_record(
    *, actor, enterprise: Enterprise, data: dict[str, Any], appeals: Sequence[dict[str, Any]] = ()
) -> Visit:
    """Record a visit with the appeals raised at it; each appeal opens its case. All or nothing."""
    require_perm(actor, "enterprises.change_enterprise")
    require_in_scope(actor, enterprise.federation_id)
    data = dict(data)
    visitors = _check_visitors(actor, data.pop("visitors", []))
    visit = Visit(enterprise=enterprise, created_by=actor if getattr(actor, "pk", None) else None, **data)
    _check_visit_fields(visit, visitors)
    visit.full_clean()
    visit.save()
    visit.visitors.set(visitors)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        target=visit,
        federation_id=enterprise.federation_id,
        data={"after": {**snapshot(visit), "visitors": _visitor_labels(visitors)}},
    )
    for number, appeal_data in enumerate(appeals, start=1):
        try:
            appeal_raise(actor=actor, visit=visit, data=appeal_data)
        except ValidationError as error:
            messages = "；".join(error.messages)
            raise ValidationError(
                {"appeals": _("第%(n)s条诉求：%(messages)s") % {"n": number, "messages": messages}}
            ) from None
    return visit


@transaction.atomic
def visit_update(*, actor, visit: Visit, data: dict[str, Any]) -> Visit:
    """Change a visit's details. Its date stays once appeals were raised: their cases were
    received on that day."""
    require_perm(actor, "enterprises.change_enterprise")
    require_in_scope(actor, visit.enterprise.federation_id)
    visit = Visit.objects.select_for_update().select_related("enterprise").get(pk=visit.pk)
    data = dict(data)
    visitors = _check_visitors(actor, data.pop("visitors", list(visit.visitors.all())))
    new_day = data.get("visited_on")
    if new_day and new_day != visit.visited_on and visit.appeals.exists():
        raise ValidationError({"visited_on": _("本次走访已登记诉求并已按走访日期受理，不能修改走访日期。")})
    before_visitors = _visitor_labels(visit.visitors.all())

    def check(instance: Visit) -> None:
        _check_visit_fields(instance, visitors)

    changes = audited_update(actor, visit, data, federation_id=visit.enterprise.federation_id, before_save=check)
    after_visitors = _visitor_labels(visitors)
    visit.visitors.set(visitors)
    if sorted(before_visitors) != sorted(after_visitors) and not changes:
        audit_record(
            actor=actor,
            action=Action.CHANGE,
            target=visit,
            federation_id=visit.enterprise.federation_id,
            data={"changes": {"visitors": {"before": before_visitors, "after": after_visitors}}},
        )
    return visit


@transaction.atomic
def appeal_raise(*, actor, visit: Visit, data: dict[str, Any]) -> Appeal:
    """Record an appeal raised at ``visit`` and open its case (企业诉求) in the case engine."""
    require_perm(actor, "enterprises.change_enterprise")
    enterprise = visit.enterprise
    require_in_scope(actor, enterprise.federation_id)
    topic = data.get("topic") or ""
    if topic not in AppealTopic.values:
        raise ValidationError({"topic": _("请选择诉求类别。")})
    title = " ".join((data.get("title") or "").split())
    description = (data.get("description") or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写诉求事由。")})
    if not description:
        raise ValidationError({"description": _("请填写诉求内容。")})
    appeal = Appeal(
        visit=visit,
        enterprise=enterprise,
        topic=topic,
        title=title,
        description=description,
        raised_on=visit.visited_on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    appeal.full_clean()
    appeal.save()
    case = None
    case_open = cases.case_open_function()
    if case_open is not None:
        case = case_open(actor=actor, data=cases.appeal_case_data(appeal=appeal, enterprise=enterprise, visit=visit))
        appeal.case = case
        appeal.save(update_fields=["case"])
    after = snapshot(appeal)
    if case is not None:
        after["case"] = str(case)
    audit_record(
        actor=actor, action=Action.CREATE, target=appeal, federation_id=enterprise.federation_id, data={"after": after}
    )
    return appeal


# Investment leads ---------------------------------------------------------------------------

# Where a lead may go from each stage; landed and dropped are final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    LeadStage.CONTACT: (LeadStage.NEGOTIATING, LeadStage.SIGNED, LeadStage.DROPPED),
    LeadStage.NEGOTIATING: (LeadStage.SIGNED, LeadStage.DROPPED),
    LeadStage.SIGNED: (LeadStage.LANDED, LeadStage.DROPPED),
    LeadStage.LANDED: (),
    LeadStage.DROPPED: (),
}
LEAD_FIELDS = (
    "federation", "project", "investor", "investor_country", "industry", "amount", "introduced_on",
    "introducer_contact", "introducer_name", "notes",
)  # fmt: skip


def _check_lead(actor, data: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in data.items() if k in LEAD_FIELDS}
    if "project" in data:
        data["project"] = " ".join((data["project"] or "").split())
        if not data["project"]:
            raise ValidationError({"project": _("请填写项目名称。")})
    contact = data.get("introducer_contact")
    if contact is not None and not selectors.introducer_choices(user=actor).filter(pk=contact.pk).exists():
        raise ValidationError({"introducer_contact": _("所选海外联系人不存在或不在您的管辖范围内。")})
    if "introducer_name" in data:
        data["introducer_name"] = " ".join((data["introducer_name"] or "").split())
    introduced = data.get("introduced_on")
    if introduced and introduced > _today():
        raise ValidationError({"introduced_on": _("引荐日期不能晚于今天。")})
    amount = data.get("amount")
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("意向投资额不能为负数。")})
    return data


def _check_introducer(lead: InvestmentLead) -> None:
    if lead.introducer_contact_id is None and not lead.introducer_name:
        raise ValidationError({"introducer_contact": _("请选择引荐人（海外联系人），或在“引荐人”中填写姓名和身份。")})


@transaction.atomic
def lead_create(*, actor, data: dict[str, Any]) -> InvestmentLead:
    require_perm(actor, "enterprises.change_lead")
    federation = _federation(actor, data)
    data = _check_lead(actor, data)
    data["federation"] = federation
    lead = InvestmentLead(
        created_by=actor if getattr(actor, "pk", None) else None,
        stage=LeadStage.CONTACT,
        stage_on=data.get("introduced_on") or _today(),
        **data,
    )
    audited_create(actor, lead, federation_id=federation.pk, before_save=_check_introducer)
    LeadEvent.objects.create(
        lead=lead, occurred_on=lead.stage_on, from_stage="", to_stage=LeadStage.CONTACT, actor=_actor_or_none(actor)
    )
    return lead


def _actor_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def lead_update(*, actor, lead: InvestmentLead, data: dict[str, Any]) -> InvestmentLead:
    """Change a lead's details (its stage moves only through ``lead_advance``)."""
    require_perm(actor, "enterprises.change_lead")
    require_in_scope(actor, lead.federation_id)
    if "federation" in data:
        if data["federation"] is None:
            raise ValidationError({"federation": _("请选择跟进侨联。")})
        require_in_scope(actor, data["federation"].pk)
    lead = InvestmentLead.objects.select_for_update().get(pk=lead.pk)
    data = _check_lead(actor, data)
    introduced = data.get("introduced_on")
    if introduced and lead.stage != LeadStage.CONTACT and introduced > lead.stage_on:
        raise ValidationError({"introduced_on": _("引荐日期不能晚于当前进展的日期。")})

    def check(instance: InvestmentLead) -> None:
        _check_introducer(instance)
        if instance.stage == LeadStage.CONTACT:
            instance.stage_on = instance.introduced_on

    audited_update(actor, lead, data, federation_id=lead.federation_id, before_save=check)
    return lead


@transaction.atomic
def lead_advance(
    *,
    actor,
    lead: InvestmentLead,
    to_stage: str,
    on: dt.date,
    note: str = "",
    enterprise: Enterprise | None = None,
) -> InvestmentLead:
    """Move a lead to its next stage. Landing names the enterprise the project became; dropping
    needs the reason (the note)."""
    require_perm(actor, "enterprises.change_lead")
    require_in_scope(actor, lead.federation_id)
    lead = InvestmentLead.objects.select_for_update().get(pk=lead.pk)
    note = (note or "").strip()
    if to_stage not in TRANSITIONS.get(lead.stage, ()):
        raise ValidationError(
            {
                "to_stage": _("线索当前为“%(stage)s”，不能改为“%(to)s”。")
                % {
                    "stage": lead.get_stage_display(),
                    "to": LeadStage(to_stage).label if to_stage in LeadStage.values else to_stage,
                }
            }
        )
    if on is None:
        raise ValidationError({"on": _("请填写日期。")})
    if on > _today():
        raise ValidationError({"on": _("日期不能晚于今天。")})
    if on < lead.stage_on:
        raise ValidationError({"on": _("日期不能早于上一进展的日期（%(day)s）。") % {"day": lead.stage_on.isoformat()}})
    data: dict[str, Any] = {"stage": to_stage, "stage_on": on}
    if to_stage == LeadStage.SIGNED:
        data["signed_on"] = on
    if to_stage == LeadStage.LANDED:
        if enterprise is None:
            raise ValidationError({"enterprise": _("项目落地须选择落地企业（请先在侨资企业中登记）。")})
        if not selectors.enterprise_choices(user=actor).filter(pk=enterprise.pk).exists():
            raise ValidationError({"enterprise": _("所选企业不存在或不在您的管辖范围内。")})
        data["enterprise"] = enterprise
        data["landed_on"] = on
        if lead.signed_on is None:
            data["signed_on"] = on
    if to_stage == LeadStage.DROPPED:
        if not note:
            raise ValidationError({"note": _("请填写终止原因。")})
        data["dropped_on"] = on
        data["drop_reason"] = note[:200]
    from_stage = lead.stage
    audited_update(actor, lead, data, federation_id=lead.federation_id)
    LeadEvent.objects.create(
        lead=lead,
        occurred_on=on,
        from_stage=from_stage,
        to_stage=to_stage,
        note=note[:300],
        actor=_actor_or_none(actor),
    )
    return lead
