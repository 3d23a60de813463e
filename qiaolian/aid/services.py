"""Writes to hardship aid: checked, atomic, audited.

A nomination follows DOMAIN.md W4: nominated (eligibility checked when it is made) → approved
(amount) → delivered (the visit and hand-over, receipted by signature or photo), or rejected,
deferred or withdrawn. Approvals lock the campaign row, so two approvals of the same campaign
run one after the other and each sees what the other approved: the budget is never overrun and
a household in a once-per-household campaign is approved once. The database holds the same
rules (see models) for anything that would slip past.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qiaolian.aid.eligibility import eligibility_problems, standard_for
from qiaolian.aid.models import (
    APPROVED_STATES,
    KIND_BRANDS,
    OPEN_STATES,
    Allocation,
    Campaign,
    CampaignStatus,
    Donation,
    DonationKind,
    HandOver,
    Nomination,
    NominationStatus,
    Standard,
)
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.registry import choices as c

CENT = Decimal("0.01")
MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_IMAGE_SIDE = 2000

# Where a campaign may go from each state.
CAMPAIGN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CampaignStatus.OPEN: (CampaignStatus.CLOSED,),
    CampaignStatus.CLOSED: (CampaignStatus.OPEN, CampaignStatus.ARCHIVED),
    CampaignStatus.ARCHIVED: (CampaignStatus.CLOSED,),
}
# Decisions on a nomination other than approval (by the district), from each state.
DECISIONS: dict[str, tuple[str, ...]] = {
    NominationStatus.NOMINATED: (NominationStatus.DEFERRED, NominationStatus.REJECTED),
    NominationStatus.DEFERRED: (NominationStatus.NOMINATED, NominationStatus.REJECTED),
    NominationStatus.APPROVED: (NominationStatus.NOMINATED,),  # approval revoked before hand-over
}


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("请填写金额（元），如 800 或 800.00。")}) from None
    if amount < 0:
        raise ValidationError({field: _("金额不能为负数。")})
    return amount


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _fresh(model, pk: int):
    """The row, locked until the transaction ends (a no-op on SQLite, which locks the database)."""
    return model.objects.select_for_update().get(pk=pk)


# Campaigns ----------------------------------------------------------------------------------


def _check_campaign(campaign: Campaign) -> None:
    errors: dict[str, str] = {}
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    if campaign.budget is not None and campaign.budget < 0:
        errors["budget"] = _("预算不能为负数。")
    if campaign.max_amount is not None and campaign.max_amount <= 0:
        errors["max_amount"] = _("单份上限应大于 0；不设上限请留空。")
    if campaign.min_age is not None and campaign.max_age is not None and campaign.min_age > campaign.max_age:
        errors["max_age"] = _("最高年龄不能小于最低年龄。")
    unknown = [t for t in campaign.hardship_types or [] if t not in c.Hardship.values]
    if unknown:
        errors["hardship_types"] = _("未知的困难类型：%(v)s。") % {"v": "、".join(unknown)}
    unknown = [t for t in campaign.categories or [] if t not in c.Category.values]
    if unknown:
        errors["categories"] = _("未知的身份类别：%(v)s。") % {"v": "、".join(unknown)}
    if errors:
        raise ValidationError(errors)


def _default_brand(kind: str):
    from qiaolian.activities.selectors import brand_choices

    name = KIND_BRANDS.get(kind)
    return brand_choices().filter(name=name).first() if name else None


@transaction.atomic
def campaign_create(*, actor, data: dict[str, Any]) -> Campaign:
    require_perm(actor, "aid.change_campaign")
    federation = data.get("federation") or actor.federation
    require_in_scope(actor, getattr(federation, "pk", None))
    values = {**data, "federation": federation}
    campaign = Campaign(created_by=actor, **values)
    if not campaign.year and campaign.starts_on:
        campaign.year = campaign.starts_on.year
    if campaign.brand_id is None and "brand" not in data:
        campaign.brand = _default_brand(campaign.kind)
    campaign.hardship_types = list(campaign.hardship_types or [])
    campaign.categories = list(campaign.categories or [])
    audited_create(actor, campaign, federation_id=federation.pk, before_save=_check_campaign)
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, data: dict[str, Any]) -> Campaign:
    require_perm(actor, "aid.change_campaign")
    require_in_scope(actor, campaign.federation_id)
    if "federation" in data:
        require_in_scope(actor, data["federation"].pk)
    campaign = _fresh(Campaign, campaign.pk)
    if campaign.is_archived:
        raise ValidationError(_("“%(title)s”已归档，不能修改。") % {"title": campaign.title})

    original = {"federation": campaign.federation_id, "per_household": campaign.per_household}

    def check(instance: Campaign) -> None:
        _check_campaign(instance)
        from qiaolian.aid.selectors import budget_used

        used = budget_used(campaign=instance)
        if instance.budget < used:
            raise ValidationError({"budget": _("已审批 %(used)s 元，预算不能低于已审批金额。") % {"used": yuan(used)}})
        if Nomination.objects.filter(campaign=instance).exists():
            if instance.per_household != original["per_household"]:
                raise ValidationError({"per_household": _("已有提名，不能再更改“每户限一份”。")})
            if instance.federation_id != original["federation"]:
                raise ValidationError({"federation": _("已有提名，不能再更改牵头侨联。")})

    audited_update(actor, campaign, data, federation_id=campaign.federation_id, before_save=check)
    return campaign


@transaction.atomic
def campaign_transition(*, actor, campaign: Campaign, to: str) -> Campaign:
    require_perm(actor, "aid.change_campaign")
    require_in_scope(actor, campaign.federation_id)
    campaign = _fresh(Campaign, campaign.pk)
    if to not in CAMPAIGN_TRANSITIONS.get(campaign.status, ()):
        label = CampaignStatus(to).label if to in CampaignStatus.values else to
        raise ValidationError(
            _("“%(state)s”的专项不能改为“%(to)s”。") % {"state": campaign.get_status_display(), "to": label}
        )
    if to == CampaignStatus.ARCHIVED:
        pending = Nomination.objects.filter(
            campaign=campaign, status__in=(NominationStatus.NOMINATED, NominationStatus.APPROVED)
        ).count()
        if pending:
            raise ValidationError(_("还有 %(n)s 条提名待审批或已审批未发放，请先处理完再归档。") % {"n": pending})
    audited_update(actor, campaign, {"status": to}, federation_id=campaign.federation_id)
    return campaign


@transaction.atomic
def standard_add(*, actor, campaign: Campaign, data: dict[str, Any]) -> Standard:
    require_perm(actor, "aid.change_campaign")
    require_in_scope(actor, campaign.federation_id)
    campaign = _fresh(Campaign, campaign.pk)
    if campaign.is_archived:
        raise ValidationError(_("“%(title)s”已归档，不能修改。") % {"title": campaign.title})
    standard = Standard(
        campaign=campaign,
        label=(data.get("label") or "").strip(),
        category=data.get("category") or "",
        hardship_type=data.get("hardship_type") or "",
        amount=_money(data.get("amount") or 0, "amount"),
        goods=(data.get("goods") or "").strip(),
    )
    if not standard.label:
        raise ValidationError({"label": _("请填写对象，如 孤寡高龄归侨。")})
    if not standard.amount and not standard.goods:
        raise ValidationError({"amount": _("请填写慰问金或慰问品（至少一项）。")})
    if Standard.objects.filter(
        campaign=campaign, category=standard.category, hardship_type=standard.hardship_type
    ).exists():
        raise ValidationError({"category": _("本专项已有相同身份类别和困难类型的标准，请先删除原标准或修改条件。")})
    if campaign.max_amount is not None and standard.amount > campaign.max_amount:
        raise ValidationError(
            {"amount": _("标准不能超过本专项的单份上限 %(max)s 元。") % {"max": yuan(campaign.max_amount)}}
        )
    audited_create(actor, standard, federation_id=campaign.federation_id)
    return standard


@transaction.atomic
def standard_remove(*, actor, standard: Standard) -> None:
    require_perm(actor, "aid.change_campaign")
    require_in_scope(actor, standard.campaign.federation_id)
    campaign = _fresh(Campaign, standard.campaign_id)
    if campaign.is_archived:
        raise ValidationError(_("“%(title)s”已归档，不能修改。") % {"title": campaign.title})
    audit_record(
        actor=actor,
        action=Action.DELETE,
        target=standard,
        federation_id=campaign.federation_id,
        data={"campaign": campaign.pk, "label": standard.label, "amount": str(standard.amount)},
    )
    standard.delete()  # nominations keep their amounts; their link to the standard is cleared


# Nominations --------------------------------------------------------------------------------


def nominee_problem(campaign: Campaign, person, *, allowed: set[int], taken: dict[int, Nomination]) -> str:
    """Why ``person`` cannot be nominated for ``campaign`` ("" if they can): outside the user's
    jurisdiction, outside the campaign's, failing its rules (every rule named), or nominated."""
    if person is None or person.pk not in allowed:
        return _("所选侨情库人员不存在或不在您的管辖范围内。")
    if not person.federation.path.startswith(campaign.federation.path):
        return _("%(name)s 属于%(fed)s，不在本专项的范围（%(scope)s）内。") % {
            "name": person.name,
            "fed": person.federation.name,
            "scope": campaign.federation.name,
        }
    problems = eligibility_problems(campaign, person)
    if problems:
        return _("%(name)s 不符合本专项条件：%(why)s") % {"name": person.name, "why": " ".join(problems)}
    existing = taken.get(person.pk)
    if existing is not None:
        return _("%(name)s 已由%(fed)s提名（%(state)s，%(at)s），不能重复提名。") % {
            "name": person.name,
            "fed": existing.federation.short_name or existing.federation.name,
            "state": existing.get_status_display(),
            "at": timezone.localtime(existing.nominated_at).strftime("%Y-%m-%d"),
        }
    return ""


def nominee_context(actor, campaign: Campaign, persons: list) -> tuple[set[int], dict[int, Nomination]]:
    """Which of ``persons`` the actor may see, and their open nominations in the campaign."""
    from qiaolian.registry.selectors import person_scope

    ids = [p.pk for p in persons if p is not None]
    allowed = set(person_scope(user=actor, include_archived=True).filter(pk__in=ids).values_list("pk", flat=True))
    taken = {
        n.person_id: n
        for n in Nomination.objects.filter(campaign=campaign, person_id__in=ids, status__in=OPEN_STATES).select_related(
            "federation"
        )
    }
    return allowed, taken


def new_nomination(actor, campaign: Campaign, person, reason: str, at: dt.datetime | None) -> Nomination:
    return Nomination(
        campaign=campaign,
        person=person,
        federation=person.federation,
        household=person.household,
        once_per_household=campaign.per_household,
        category=person.category,
        hardship_types=list(person.hardship_types or []),
        reason=(reason or "").strip()[:500],
        nominated_by=actor,
        nominated_at=_now(at),
    )


def _nomination(actor, campaign: Campaign, person, reason: str, at: dt.datetime | None) -> Nomination:
    allowed, taken = nominee_context(actor, campaign, [person])
    problem = nominee_problem(campaign, person, allowed=allowed, taken=taken)
    if problem:
        raise ValidationError({"person": problem})
    nomination = new_nomination(actor, campaign, person, reason, at)
    try:
        with transaction.atomic():
            audited_create(actor, nomination, federation_id=nomination.federation_id)
    except IntegrityError:  # someone nominated the same person a moment ago
        raise ValidationError({"person": _("%(name)s 刚刚已被提名，不能重复提名。") % {"name": person.name}}) from None
    return nomination


def require_open_for_nominations(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError(
            _("“%(title)s”%(state)s，不再接受提名。")
            % {"title": campaign.title, "state": campaign.get_status_display()}
        )


@transaction.atomic
def nomination_create(
    *, actor, campaign: Campaign, person, reason: str = "", at: dt.datetime | None = None
) -> Nomination:
    """Nominate one person of the actor's registry; every failing eligibility rule is named."""
    require_perm(actor, "aid.nominate")
    require_visible_campaign(actor, campaign)
    campaign = Campaign.objects.select_related("federation").get(pk=campaign.pk)
    require_open_for_nominations(campaign)
    return _nomination(actor, campaign, person, reason, at)


@transaction.atomic
def nominations_create(
    *, actor, campaign: Campaign, persons: list, reason: str = "", at: dt.datetime | None = None
) -> list[Nomination]:
    """Nominate several persons at once (a town's list for the season): all of them, or — naming
    each one who cannot be nominated and why — none. One audit entry records the list."""
    require_perm(actor, "aid.nominate")
    require_visible_campaign(actor, campaign)
    campaign = Campaign.objects.select_related("federation").get(pk=campaign.pk)
    require_open_for_nominations(campaign)
    if not persons:
        raise ValidationError({"person": _("请至少勾选一人。")})
    allowed, taken = nominee_context(actor, campaign, persons)
    failures, seen = [], set()
    for person in persons:
        problem = nominee_problem(campaign, person, allowed=allowed, taken=taken)
        if not problem and person.pk in seen:
            problem = _("%(name)s 在名单中出现了两次。") % {"name": person.name}
        if problem:
            failures.append(problem)
        seen.add(getattr(person, "pk", None))
    if failures:
        raise ValidationError({"person": failures})
    made = [new_nomination(actor, campaign, person, reason, at) for person in persons]
    try:
        with transaction.atomic():
            Nomination.objects.bulk_create(made)
    except IntegrityError:
        raise ValidationError({"person": _("名单中有人刚刚已被提名，未提名任何人，请刷新后重试。")}) from None
    audit_record(
        actor=actor,
        action=Action.CREATE,
        target=campaign,
        federation_id=_common_federation(made),
        data={
            "nominations": [{"id": n.pk, "person": n.person.name, "federation": n.federation_id} for n in made],
            "reason": (reason or "").strip(),
        },
    )
    return made


def _common_federation(nominations: list[Nomination]) -> int | None:
    """The federation an audit entry about several nominations belongs to: theirs if they share
    one, else their town's (the second level of the tree), else the district's."""
    paths = {n.federation.path for n in nominations}
    if len(paths) == 1:
        return nominations[0].federation_id
    towns = {tuple(p.split("/")[:2]) for p in paths}
    if len(towns) == 1:
        parts = [x for x in next(iter(towns)) if x]
        return int(parts[-1]) if parts else None
    return None


def require_visible_campaign(actor, campaign: Campaign) -> None:
    from qiaolian.aid.selectors import campaign_scope

    if not campaign_scope(user=actor).filter(pk=campaign.pk).exists():
        raise ValidationError({"campaign": _("所选帮扶专项不存在或不在您的管辖范围内。")})


def _approve_one(actor, campaign: Campaign, nomination: Nomination, *, amount, goods, note: str, at) -> Nomination:
    """Approve ``nomination`` (locked) within ``campaign`` (locked by the caller)."""
    if nomination.status not in (NominationStatus.NOMINATED, NominationStatus.DEFERRED):
        raise ValidationError(
            _("%(name)s 的提名为“%(state)s”，不能审批。")
            % {"name": nomination.person.name, "state": nomination.get_status_display()}
        )
    standards = list(Standard.objects.filter(campaign=campaign))
    standard = standard_for(standards, category=nomination.category, hardship_types=nomination.hardship_types)
    if amount is None or amount == "":
        if standard is None:
            raise ValidationError(
                {"amount": _("本专项没有适用于 %(name)s 的标准，请填写审批金额。") % {"name": nomination.person.name}}
            )
        amount = standard.amount
    amount = _money(amount, "amount")
    goods = (goods if goods is not None else (standard.goods if standard else "")).strip()
    if not amount and not goods:
        raise ValidationError({"amount": _("请填写审批金额或慰问品（至少一项）。")})
    if campaign.max_amount is not None and amount > campaign.max_amount:
        raise ValidationError(
            {
                "amount": _("审批金额 %(amount)s 元超过本专项的单份上限 %(max)s 元。")
                % {"amount": yuan(amount), "max": yuan(campaign.max_amount)}
            }
        )
    if campaign.per_household and nomination.household_id:
        other = (
            Nomination.objects.filter(
                campaign=campaign, household_id=nomination.household_id, status__in=APPROVED_STATES
            )
            .exclude(pk=nomination.pk)
            .select_related("person")
            .first()
        )
        if other is not None:
            raise ValidationError(
                _("本专项每户限一份：%(name)s 的同户家庭成员 %(other)s 已获批，不能再审批。")
                % {"name": nomination.person.name, "other": other.person.name}
            )
    from qiaolian.aid.selectors import budget_used

    used = budget_used(campaign=campaign)
    if used + amount > campaign.budget:
        raise ValidationError(
            {
                "amount": _(
                    "超出预算：本专项预算 %(budget)s 元，已审批 %(used)s 元，剩余 %(left)s 元，"
                    "%(name)s 的审批金额 %(amount)s 元超出剩余预算。"
                )
                % {
                    "budget": yuan(campaign.budget),
                    "used": yuan(used),
                    "left": yuan(campaign.budget - used),
                    "name": nomination.person.name,
                    "amount": yuan(amount),
                }
            }
        )
    try:
        with transaction.atomic():
            audited_update(
                actor,
                nomination,
                {
                    "status": NominationStatus.APPROVED,
                    "amount": amount,
                    "goods": goods,
                    "standard": standard,
                    "decision_note": (note or "").strip(),
                    "decided_by": actor,
                    "decided_at": _now(at),
                },
                federation_id=nomination.federation_id,
            )
    except IntegrityError:
        raise ValidationError(
            _("%(name)s 已在本专项获批（或同户已有人获批），不能重复审批。") % {"name": nomination.person.name}
        ) from None
    return nomination


@transaction.atomic
def nomination_approve(
    *,
    actor,
    nomination: Nomination,
    amount: Decimal | str | None = None,
    goods: str | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Nomination:
    """Approve an amount (the fitting standard's unless given) within the campaign's limit and
    budget. The campaign row is locked while the budget is added up."""
    require_perm(actor, "aid.approve")
    require_in_scope(actor, nomination.federation_id)
    campaign = _fresh(Campaign, nomination.campaign_id)
    if campaign.is_archived:
        raise ValidationError(_("“%(title)s”已归档，不能审批。") % {"title": campaign.title})
    nomination = Nomination.objects.select_for_update().select_related("person").get(pk=nomination.pk)
    return _approve_one(actor, campaign, nomination, amount=amount, goods=goods, note=note, at=at)


@transaction.atomic
def nominations_approve(
    *, actor, campaign: Campaign, nominations: list[Nomination], at: dt.datetime | None = None
) -> list[Nomination]:
    """Approve several nominations at their standards: all of them, or none (each problem — no
    standard, a household already served, over budget — is named). The campaign row is locked
    while the budget is added up; one audit entry lists the approvals."""
    require_perm(actor, "aid.approve")
    if not nominations:
        raise ValidationError(_("请至少勾选一条待审批的提名。"))
    for nomination in nominations:
        require_in_scope(actor, nomination.federation_id)
        if nomination.campaign_id != campaign.pk:
            raise ValidationError(_("所选提名不属于本专项。"))
    campaign = _fresh(Campaign, campaign.pk)
    if campaign.is_archived:
        raise ValidationError(_("“%(title)s”已归档，不能审批。") % {"title": campaign.title})
    locked = list(
        Nomination.objects.select_for_update()
        .select_related("person", "federation")
        .filter(pk__in=[n.pk for n in nominations])
        .order_by("pk")
    )
    standards = list(Standard.objects.filter(campaign=campaign))
    served = set()
    if campaign.per_household:
        served = set(
            Nomination.objects.filter(
                campaign=campaign, status__in=APPROVED_STATES, household__isnull=False
            ).values_list("household_id", flat=True)
        )
    problems, need = [], Decimal("0")
    plan: list[tuple[Nomination, Standard]] = []
    for nomination in locked:
        name = nomination.person.name
        if nomination.status not in (NominationStatus.NOMINATED, NominationStatus.DEFERRED):
            problems.append(
                _("%(name)s 的提名为“%(state)s”，不能审批。") % {"name": name, "state": nomination.get_status_display()}
            )
            continue
        standard = standard_for(standards, category=nomination.category, hardship_types=nomination.hardship_types)
        if standard is None:
            problems.append(_("本专项没有适用于 %(name)s 的标准，请逐一审批并填写金额。") % {"name": name})
            continue
        if campaign.per_household and nomination.household_id:
            if nomination.household_id in served:
                problems.append(_("本专项每户限一份：%(name)s 的家庭户已有人获批。") % {"name": name})
                continue
            served.add(nomination.household_id)
        need += standard.amount
        plan.append((nomination, standard))
    if problems:
        raise ValidationError(problems)
    from qiaolian.aid.selectors import budget_used

    used = budget_used(campaign=campaign)
    if used + need > campaign.budget:
        raise ValidationError(
            _(
                "超出预算：所选 %(n)s 人按标准共需 %(need)s 元，本专项预算 %(budget)s 元，"
                "已审批 %(used)s 元，剩余 %(left)s 元。未审批任何一人。"
            )
            % {
                "n": len(plan),
                "need": yuan(need),
                "budget": yuan(campaign.budget),
                "used": yuan(used),
                "left": yuan(campaign.budget - used),
            }
        )
    moment = _now(at)
    for nomination, standard in plan:
        nomination.status = NominationStatus.APPROVED
        nomination.amount = standard.amount
        nomination.goods = standard.goods
        nomination.standard = standard
        nomination.decision_note = ""
        nomination.decided_by = actor
        nomination.decided_at = moment
    approved = [n for n, _s in plan]
    try:
        with transaction.atomic():
            Nomination.objects.bulk_update(
                approved, ["status", "amount", "goods", "standard", "decision_note", "decided_by", "decided_at"]
            )
    except IntegrityError:
        raise ValidationError(_("所选人员中有人（或其同户家庭成员）刚刚已获批，未审批任何一人。")) from None
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        target=campaign,
        federation_id=_common_federation(approved),
        data={
            "approved": [{"id": n.pk, "person": n.person.name, "amount": str(n.amount)} for n in approved],
            "total": str(need),
        },
    )
    return approved


@transaction.atomic
def nomination_decide(
    *, actor, nomination: Nomination, to: str, note: str = "", at: dt.datetime | None = None
) -> Nomination:
    """Defer, reject, put back for approval, or revoke an approval not yet handed over."""
    require_perm(actor, "aid.approve")
    require_in_scope(actor, nomination.federation_id)
    campaign = _fresh(Campaign, nomination.campaign_id)
    if campaign.is_archived:
        raise ValidationError(_("“%(title)s”已归档，不能修改。") % {"title": campaign.title})
    nomination = Nomination.objects.select_for_update().select_related("person").get(pk=nomination.pk)
    if to not in DECISIONS.get(nomination.status, ()):
        label = NominationStatus(to).label if to in NominationStatus.values else to
        raise ValidationError(
            _("“%(state)s”的提名不能改为“%(to)s”。") % {"state": nomination.get_status_display(), "to": label}
        )
    note = (note or "").strip()
    if to in (NominationStatus.REJECTED, NominationStatus.DEFERRED) and not note:
        raise ValidationError({"note": _("请填写理由（将告知提名单位）。")})
    changes: dict[str, Any] = {"status": to, "decision_note": note, "decided_by": actor, "decided_at": _now(at)}
    if to == NominationStatus.NOMINATED:
        changes.update(amount=None, goods="", standard=None)
    if to == NominationStatus.NOMINATED and nomination.status == NominationStatus.APPROVED and not note:
        raise ValidationError({"note": _("请填写撤销审批的理由。")})
    audited_update(actor, nomination, changes, federation_id=nomination.federation_id)
    return nomination


@transaction.atomic
def nomination_withdraw(*, actor, nomination: Nomination, note: str = "") -> Nomination:
    """The nominating federation takes a nomination back before it is approved."""
    require_perm(actor, "aid.nominate")
    require_in_scope(actor, nomination.federation_id)
    nomination = Nomination.objects.select_for_update().select_related("person", "campaign").get(pk=nomination.pk)
    if nomination.campaign.is_archived:
        raise ValidationError(_("“%(title)s”已归档，不能修改。") % {"title": nomination.campaign.title})
    if nomination.status not in (NominationStatus.NOMINATED, NominationStatus.DEFERRED):
        raise ValidationError(_("“%(state)s”的提名不能撤回。") % {"state": nomination.get_status_display()})
    audited_update(
        actor,
        nomination,
        {"status": NominationStatus.WITHDRAWN, "decision_note": (note or "").strip()},
        federation_id=nomination.federation_id,
    )
    return nomination


# Hand-over ----------------------------------------------------------------------------------


def _image(upload: UploadedFile | None, field: str):
    """Check that an upload is an image; shrink very large ones (phones send 12 MP)."""
    from django.core.files.base import ContentFile
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not upload:
        return None
    if upload.size and upload.size > MAX_IMAGE_BYTES:
        raise ValidationError({field: _("图片不能超过 15 MB。")})
    try:
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError(
            {field: _("“%(name)s”不是可识别的图片，请上传 JPG 或 PNG 图片。") % {"name": upload.name}}
        ) from None
    image = ImageOps.exif_transpose(image)
    if max(image.size) <= MAX_IMAGE_SIDE and image.format in ("JPEG", "PNG", "WEBP"):
        upload.seek(0)
        return upload
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    buffer = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P"):
        image.save(buffer, format="PNG", optimize=True)
        suffix = "png"
    else:
        image.convert("RGB").save(buffer, format="JPEG", quality=85)
        suffix = "jpg"
    stem = upload.name.rsplit(".", 1)[0] or field
    return ContentFile(buffer.getvalue(), name=f"{stem}.{suffix}")


@transaction.atomic
def handover_record(*, actor, nomination: Nomination, data: dict[str, Any], at: dt.datetime | None = None) -> HandOver:
    """Record (or correct) the visit at which an approved aid was handed over."""
    require_perm(actor, "aid.hand_over")
    require_in_scope(actor, nomination.federation_id)
    nomination = Nomination.objects.select_for_update().select_related("person", "campaign").get(pk=nomination.pk)
    campaign = nomination.campaign
    if campaign.is_archived:
        raise ValidationError(_("“%(title)s”已归档，不能修改。") % {"title": campaign.title})
    if nomination.status not in APPROVED_STATES:
        raise ValidationError(
            _("%(name)s 的提名为“%(state)s”，审批通过后才能登记发放。")
            % {"name": nomination.person.name, "state": nomination.get_status_display()}
        )
    visited_on = data.get("visited_on")
    today = timezone.localdate(_now(at))
    errors: dict[str, str] = {}
    if not visited_on:
        errors["visited_on"] = _("请填写走访日期。")
    elif visited_on > today:
        errors["visited_on"] = _("走访日期不能晚于今天（%(today)s）。") % {"today": today}
    elif visited_on < campaign.starts_on:
        errors["visited_on"] = _("走访日期不能早于本专项的开始日期（%(start)s）。") % {"start": campaign.starts_on}
    visitors = (data.get("visitors") or "").strip()
    if not visitors:
        errors["visitors"] = _("请填写走访人员。")
    cash = _money(data.get("cash_amount") or 0, "cash_amount")
    if cash > (nomination.amount or 0):
        errors["cash_amount"] = _("实发慰问金 %(cash)s 元超过审批金额 %(amount)s 元。") % {
            "cash": yuan(cash),
            "amount": yuan(nomination.amount or Decimal("0")),
        }
    goods = (data.get("goods") if data.get("goods") is not None else nomination.goods or "").strip()
    if not cash and not goods:
        errors["cash_amount"] = _("请填写实发慰问金或实发慰问品（至少一项）。")
    if errors:
        raise ValidationError(errors)
    values = {
        "visited_on": visited_on,
        "visitors": visitors,
        "cash_amount": cash,
        "goods": goods,
        "received_by": (data.get("received_by") or "").strip(),
        "note": (data.get("note") or "").strip(),
    }
    photo = _image(data.get("photo"), "photo")
    signature = _image(data.get("signature"), "signature")
    if photo:
        values["photo"] = photo
    if signature:
        values["signature"] = signature
    handover = HandOver.objects.filter(nomination=nomination).first()
    if handover is None:
        handover = HandOver(nomination=nomination, recorded_by=actor, recorded_at=_now(at), **values)
        audited_create(actor, handover, federation_id=nomination.federation_id)
    else:
        audited_update(actor, handover, values, federation_id=nomination.federation_id)
    if nomination.status != NominationStatus.DELIVERED:
        audited_update(
            actor, nomination, {"status": NominationStatus.DELIVERED}, federation_id=nomination.federation_id
        )
    return handover


@transaction.atomic
def handovers_record(
    *,
    actor,
    campaign: Campaign,
    nominations: list[Nomination],
    visited_on: dt.date | None,
    visitors: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> list[HandOver]:
    """Record a round of visits at once (a team's day, or a signed paper sign-off sheet): each
    approved nomination is handed over its approved amount and goods. All or none; one audit
    entry lists them. Photos and proxy signatures are added on each record afterwards."""
    require_perm(actor, "aid.hand_over")
    if not nominations:
        raise ValidationError(_("请至少勾选一条已审批的提名。"))
    for nomination in nominations:
        require_in_scope(actor, nomination.federation_id)
        if nomination.campaign_id != campaign.pk:
            raise ValidationError(_("所选提名不属于本专项。"))
    campaign = Campaign.objects.get(pk=campaign.pk)
    if campaign.is_archived:
        raise ValidationError(_("“%(title)s”已归档，不能修改。") % {"title": campaign.title})
    today = timezone.localdate(_now(at))
    visitors = (visitors or "").strip()
    errors: dict[str, str] = {}
    if not visited_on:
        errors["visited_on"] = _("请填写走访日期。")
    elif visited_on > today:
        errors["visited_on"] = _("走访日期不能晚于今天（%(today)s）。") % {"today": today}
    elif visited_on < campaign.starts_on:
        errors["visited_on"] = _("走访日期不能早于本专项的开始日期（%(start)s）。") % {"start": campaign.starts_on}
    if not visitors:
        errors["visitors"] = _("请填写走访人员。")
    if errors:
        raise ValidationError(errors)
    locked = list(
        Nomination.objects.select_for_update()
        .select_related("person", "federation")
        .filter(pk__in=[n.pk for n in nominations])
        .order_by("pk")
    )
    wrong = [n.person.name for n in locked if n.status != NominationStatus.APPROVED]
    if wrong:
        raise ValidationError(
            _("以下人员不是“已审批、待发放”状态，未登记任何发放：%(names)s。") % {"names": "、".join(wrong)}
        )
    moment = _now(at)
    made = [
        HandOver(
            nomination=n,
            visited_on=visited_on,
            visitors=visitors,
            cash_amount=n.amount or Decimal("0"),
            goods=n.goods,
            note=(note or "").strip(),
            recorded_by=actor,
            recorded_at=moment,
        )
        for n in locked
    ]
    HandOver.objects.bulk_create(made)
    Nomination.objects.filter(pk__in=[n.pk for n in locked]).update(status=NominationStatus.DELIVERED)
    for n in locked:
        n.status = NominationStatus.DELIVERED
    audit_record(
        actor=actor,
        action=Action.CREATE,
        target=campaign,
        federation_id=_common_federation(locked),
        data={
            "handovers": [{"id": h.pk, "person": h.nomination.person.name, "cash": str(h.cash_amount)} for h in made],
            "visited_on": visited_on,
            "visitors": visitors,
        },
    )
    return made


# The sign-off sheet -------------------------------------------------------------------------


@transaction.atomic
def signoff_sheet_export(
    *, actor, campaign: Campaign, federation_id: int | None, fmt: str, request=None
) -> tuple[bytes, str]:
    """The sign-off sheet (签收表) of a campaign for one town (or every town the actor may see),
    as .xlsx or PDF, with ID numbers masked. The export is written to the audit log."""
    from qiaolian.aid import sheets
    from qiaolian.aid.selectors import campaign_scope, sheet_nominations

    require_perm(actor, "aid.export_sheet")
    if not campaign_scope(user=actor).filter(pk=campaign.pk).exists():
        raise ValidationError(_("所选帮扶专项不存在或不在您的管辖范围内。"))
    if federation_id is not None:
        require_in_scope(actor, federation_id)
    if fmt not in ("xlsx", "pdf"):
        raise ValidationError(_("签收表格式只能是 xlsx 或 pdf。"))
    nominations = list(sheet_nominations(user=actor, campaign=campaign, federation_id=federation_id))
    sections = sheets.sections(nominations, federation_id=federation_id)
    if fmt == "xlsx":
        content = sheets.signoff_xlsx(campaign, sections)
    else:
        content = sheets.signoff_pdf(campaign, sections, request=request)
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        target=campaign,
        federation_id=federation_id or campaign.federation_id,
        data={
            "kind": "aid_signoff_sheet",
            "format": fmt,
            "federation": federation_id,
            "rows": len(nominations),
            "towns": [s.name for s in sections],
        },
    )
    return content, sheets.file_name(campaign, sections, fmt)


# Donations ----------------------------------------------------------------------------------


def _check_donation(donation: Donation) -> None:
    errors: dict[str, str] = {}
    if donation.amount is not None and donation.amount <= 0:
        errors["amount"] = _("金额应大于 0（捐赠物资的，填写折合金额）。")
    if donation.kind == DonationKind.GOODS and not (donation.goods or "").strip():
        errors["goods"] = _("捐赠物资的，请填写物资明细。")
    if donation.received_on and donation.received_on > timezone.localdate():
        errors["received_on"] = _("接收日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)


def _check_association(actor, data: dict[str, Any]) -> None:
    from qiaolian.liaison.selectors import association_scope

    association = data.get("association")
    if association is not None and not association_scope(user=actor).filter(pk=association.pk).exists():
        raise ValidationError({"association": _("所选海外社团不存在或不在您的管辖范围内。")})


@transaction.atomic
def donation_create(*, actor, data: dict[str, Any]) -> Donation:
    require_perm(actor, "aid.change_donation")
    federation = data.get("federation") or actor.federation
    require_in_scope(actor, getattr(federation, "pk", None))
    _check_association(actor, data)
    donation = Donation(created_by=actor, **{**data, "federation": federation})
    if donation.association_id:
        donation.donor_name = donation.donor_name or donation.association.name
        donation.country = donation.country or donation.association.country
    audited_create(actor, donation, federation_id=federation.pk, before_save=_check_donation)
    return donation


@transaction.atomic
def donation_update(*, actor, donation: Donation, data: dict[str, Any]) -> Donation:
    require_perm(actor, "aid.change_donation")
    require_in_scope(actor, donation.federation_id)
    if "federation" in data:
        require_in_scope(actor, data["federation"].pk)
    _check_association(actor, data)
    donation = _fresh(Donation, donation.pk)

    def check(instance: Donation) -> None:
        _check_donation(instance)
        from qiaolian.aid.selectors import allocated_total

        allocated = allocated_total(donation=instance)
        if instance.amount < allocated:
            raise ValidationError({"amount": _("已分配 %(n)s 元，金额不能低于已分配金额。") % {"n": yuan(allocated)}})
        first = instance.allocations.order_by("allocated_on").values_list("allocated_on", flat=True).first()
        if first and instance.received_on > first:
            raise ValidationError({"received_on": _("接收日期不能晚于最早的拨付日期（%(d)s）。") % {"d": first}})

    audited_update(actor, donation, data, federation_id=donation.federation_id, before_save=check)
    return donation


@transaction.atomic
def allocation_add(*, actor, donation: Donation, data: dict[str, Any]) -> Allocation:
    """Record where part of a donation went. The donation row is locked while what is already
    allocated is added up, so allocations never exceed what was received."""
    from qiaolian.aid.selectors import allocated_total, campaign_scope

    require_perm(actor, "aid.change_donation")
    require_in_scope(actor, donation.federation_id)
    donation = _fresh(Donation, donation.pk)
    campaign = data.get("campaign")
    recipient = (data.get("recipient") or "").strip()
    errors: dict[str, str] = {}
    if campaign is None and not recipient:
        errors["campaign"] = _("请选择转入的帮扶专项，或填写受赠单位/对象。")
    elif campaign is not None and recipient:
        errors["recipient"] = _("转入帮扶专项时不填写受赠单位/对象（二者选一）。")
    elif campaign is not None:
        if not campaign_scope(user=actor).filter(pk=campaign.pk).exists():
            errors["campaign"] = _("所选帮扶专项不存在或不在您的管辖范围内。")
        elif campaign.is_archived:
            errors["campaign"] = _("“%(title)s”已归档，不能再转入。") % {"title": campaign.title}
    allocated_on = data.get("allocated_on")
    if not allocated_on:
        errors["allocated_on"] = _("请填写拨付日期。")
    elif allocated_on < donation.received_on:
        errors["allocated_on"] = _("拨付日期不能早于接收日期（%(d)s）。") % {"d": donation.received_on}
    elif allocated_on > timezone.localdate():
        errors["allocated_on"] = _("拨付日期不能晚于今天。")
    amount = data.get("amount")
    if amount is None or amount == "":
        errors["amount"] = _("请填写金额（元）。")
    else:
        amount = _money(amount, "amount")
        if amount <= 0:
            errors["amount"] = _("金额应大于 0。")
        else:
            allocated = allocated_total(donation=donation)
            if allocated + amount > donation.amount:
                errors["amount"] = _(
                    "超出可分配金额：本笔捐赠 %(total)s 元，已分配 %(done)s 元，尚余 %(left)s 元。"
                ) % {
                    "total": yuan(donation.amount),
                    "done": yuan(allocated),
                    "left": yuan(donation.amount - allocated),
                }
    if errors:
        raise ValidationError(errors)
    allocation = Allocation(
        donation=donation,
        campaign=campaign,
        recipient=recipient,
        allocated_on=allocated_on,
        amount=amount,
        description=(data.get("description") or "").strip(),
        created_by=actor,
    )
    audited_create(actor, allocation, federation_id=donation.federation_id)
    return allocation


@transaction.atomic
def allocation_remove(*, actor, allocation: Allocation) -> None:
    require_perm(actor, "aid.change_donation")
    donation = allocation.donation
    require_in_scope(actor, donation.federation_id)
    if allocation.campaign_id and allocation.campaign.is_archived:
        raise ValidationError(_("“%(title)s”已归档，其资金来源不能再更改。") % {"title": allocation.campaign.title})
    audit_record(
        actor=actor,
        action=Action.DELETE,
        target=allocation,
        federation_id=donation.federation_id,
        data={"donation": donation.pk, "to": str(allocation), "amount": str(allocation.amount)},
    )
    allocation.delete()
