"""Writes to organizations: each in one transaction, checked and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.core.changes import snapshot
from qiaolian.core.jurisdiction import forget_scope
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.orgs.models import (
    AssessmentResult,
    AssessmentScore,
    ChecklistItem,
    CommitteeMember,
    CommitteeRole,
    Election,
    ElectionDocument,
    ElectionMethod,
    Federation,
    Group,
    GroupMember,
    MentoringPair,
    PartnerFederation,
    Station,
    StationAssessment,
    Term,
)


def _path_for(pk: int, parent: Federation | None) -> str:
    return (parent.path if parent else "") + f"{pk:06d}/"


@transaction.atomic
def federation_create(*, actor, parent: Federation | None, **data: Any) -> Federation:
    """A new federation under ``parent`` (None only for the root of a new district)."""
    if actor is not None:
        require_perm(actor, "orgs.change_federation")
        if parent is None:
            raise ValidationError({"parent": _("请选择上级组织。")})
        require_in_scope(actor, parent.pk)
    federation = Federation(parent=parent, path="tmp", **data)
    federation.full_clean(exclude=["path"])
    federation.save()
    federation.path = _path_for(federation.pk, parent)
    federation.save(update_fields=["path"])
    audit_record(
        actor=actor,
        action=Action.CREATE,
        target=federation,
        federation_id=federation.pk,
        data={"after": snapshot(federation)},
    )
    return federation


@transaction.atomic
def federation_update(*, actor, federation: Federation, **data: Any) -> Federation:
    require_perm(actor, "orgs.change_federation")
    require_in_scope(actor, federation.pk)
    new_parent = data.get("parent", federation.parent)
    if new_parent != federation.parent:
        if federation.parent is None:
            raise ValidationError({"parent": _("区侨联是最上级组织，不能设置上级。")})
        if new_parent is None or new_parent.path.startswith(federation.path):
            raise ValidationError({"parent": _("上级组织不能是本组织或其下级组织。")})
        require_in_scope(actor, new_parent.pk)
    old_path = federation.path
    audited_update(actor, federation, data, federation_id=federation.pk)
    new_path = _path_for(federation.pk, federation.parent)
    if new_path != old_path:
        for child in Federation.objects.filter(path__startswith=old_path).select_for_update():
            child.path = new_path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
        forget_scope(actor)
    return federation


@transaction.atomic
def station_create(*, actor, federation: Federation, **data: Any) -> Station:
    require_perm(actor, "orgs.change_station")
    require_in_scope(actor, federation.pk)
    station = Station(federation=federation, **data)
    audited_create(actor, station, federation_id=federation.pk)
    return station


@transaction.atomic
def station_update(*, actor, station: Station, **data: Any) -> Station:
    require_perm(actor, "orgs.change_station")
    require_in_scope(actor, station.federation_id)
    if "federation" in data:
        require_in_scope(actor, data["federation"].pk)
    audited_update(actor, station, data, federation_id=station.federation_id)
    return station


@transaction.atomic
def term_create(*, actor, federation: Federation, **data: Any) -> Term:
    require_perm(actor, "orgs.change_term")
    require_in_scope(actor, federation.pk)
    term = Term(federation=federation, **data)
    audited_create(actor, term, federation_id=federation.pk)
    return term


@transaction.atomic
def term_update(*, actor, term: Term, **data: Any) -> Term:
    require_perm(actor, "orgs.change_term")
    require_in_scope(actor, term.federation_id)
    data.pop("federation", None)
    audited_update(actor, term, data, federation_id=term.federation_id)
    return term


@transaction.atomic
def committee_member_add(*, actor, term: Term, **data: Any) -> CommitteeMember:
    require_perm(actor, "orgs.change_term")
    require_in_scope(actor, term.federation_id)
    member = CommitteeMember(term=term, **data)
    audited_create(actor, member, federation_id=term.federation_id)
    return member


@transaction.atomic
def committee_member_remove(*, actor, member: CommitteeMember) -> None:
    require_perm(actor, "orgs.change_term")
    require_in_scope(actor, member.term.federation_id)
    audit_record(
        actor=actor,
        action=Action.ARCHIVE,
        target=member,
        federation_id=member.term.federation_id,
        data={"before": snapshot(member), "reason": _("从委员名单中移除")},
    )
    member.delete()


@transaction.atomic
def partner_create(*, actor, **data: Any) -> PartnerFederation:
    require_perm(actor, "orgs.change_partner")
    partner = PartnerFederation(**data)
    audited_create(actor, partner, federation_id=None)
    return partner


@transaction.atomic
def partner_update(*, actor, partner: PartnerFederation, **data: Any) -> PartnerFederation:
    require_perm(actor, "orgs.change_partner")
    audited_update(actor, partner, data, federation_id=None)
    return partner


# Elections (换届) ---------------------------------------------------------------------------------


def _date_text(day: dt.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _require_person_in_scope(actor, person) -> None:
    if person is not None:
        require_in_scope(actor, person.federation_id)


@transaction.atomic
def election_record(
    *,
    actor,
    federation: Federation,
    held_on: dt.date,
    method: str,
    congress_name: str,
    new_term_number: int,
    new_term_ends_on: dt.date,
    members: Sequence[dict[str, Any]] = (),
    method_note: str = "",
    delegate_count: int | None = None,
    notes: str = "",
    documents: Iterable[tuple[str, Any]] = (),
) -> Election:
    """Record an election (换届): in one transaction end the previous term the day before
    ``held_on`` (when it ran later), open term ``new_term_number`` from ``held_on`` to
    ``new_term_ends_on``, seat the committee elected (``members``: dicts of CommitteeMember fields,
    at least ``role`` and ``name``), record the election and its documents ((title, file) pairs).
    Nothing is written when anything is refused."""
    require_perm(actor, "orgs.change_term")
    require_in_scope(actor, federation.pk)
    Federation.objects.select_for_update().filter(pk=federation.pk).first()  # one election at a time
    previous = Term.objects.filter(federation=federation).order_by("-number").first()
    errors: dict[str, str] = {}
    if method not in ElectionMethod.values:
        errors["method"] = _("请选择选举方式。")
    if previous is not None and held_on <= previous.starts_on:
        errors["held_on"] = _("选举日期应晚于上一届（第%(number)s届）的开始日期%(date)s。") % {
            "number": previous.number,
            "date": _date_text(previous.starts_on),
        }
    if Term.objects.filter(federation=federation, number=new_term_number).exists():
        errors["new_term_number"] = _("%(federation)s已有第%(number)s届，届次不能重复。") % {
            "federation": federation.short_name,
            "number": new_term_number,
        }
    elif previous is not None and new_term_number <= previous.number:
        errors["new_term_number"] = _("新一届的届次应大于上一届（第%(number)s届）。") % {"number": previous.number}
    if new_term_ends_on <= held_on:
        errors["new_term_ends_on"] = _("届满日期应晚于选举日期。")
    for index, member in enumerate(members, start=1):
        if member.get("role") not in CommitteeRole.values or not (member.get("name") or "").strip():
            errors["members"] = _("第%(line)s位委员的职务或姓名无效。") % {"line": index}
            break
    if errors:
        raise ValidationError(errors)
    for member in members:
        _require_person_in_scope(actor, member.get("person"))

    if previous is not None and previous.ends_on >= held_on:
        audited_update(actor, previous, {"ends_on": held_on - dt.timedelta(days=1)}, federation_id=federation.pk)
    term = Term(
        federation=federation,
        number=new_term_number,
        starts_on=held_on,
        ends_on=new_term_ends_on,
        congress_name=congress_name,
    )
    audited_create(actor, term, federation_id=federation.pk)
    for order, data in enumerate(members, start=1):
        seat = CommitteeMember(term=term, **{"sort_order": order, **data})
        audited_create(actor, seat, federation_id=federation.pk)
    election = Election(
        federation=federation,
        held_on=held_on,
        method=method,
        method_note=method_note,
        congress_name=congress_name,
        delegate_count=delegate_count,
        previous_term=previous,
        term=term,
        notes=notes,
    )
    audited_create(actor, election, federation_id=federation.pk)
    for title, upload in documents:
        _document_add(actor, election, title, upload)
    return election


def _document_add(actor, election: Election, title: str, upload) -> ElectionDocument:
    document = ElectionDocument(election=election, title=(title or upload.name)[:150], file=upload)
    audited_create(actor, document, federation_id=election.federation_id)
    return document


@transaction.atomic
def election_document_add(*, actor, election: Election, title: str, upload) -> ElectionDocument:
    require_perm(actor, "orgs.change_term")
    require_in_scope(actor, election.federation_id)
    return _document_add(actor, election, title, upload)


# Stations' standards checklist -----------------------------------------------------------------

MODEL_SHARE = 0.9  # 示范点 from 90% of the attainable score
PASS_SHARE = 0.6  # 达标 from 60%; below that the station must rectify (待整改)


def checklist_for(kind: str) -> list[ChecklistItem]:
    """The active checklist items that apply to stations of ``kind``, in order."""
    return [item for item in ChecklistItem.objects.filter(is_active=True) if item.applies_to(kind)]


def assessment_result(total: int, maximum: int) -> str:
    if maximum and total >= MODEL_SHARE * maximum:
        return AssessmentResult.MODEL
    if maximum and total >= PASS_SHARE * maximum:
        return AssessmentResult.PASSED
    return AssessmentResult.RECTIFY


@transaction.atomic
def station_assessment_record(
    *,
    actor,
    station: Station,
    assessed_on: dt.date,
    assessor: str,
    scores: dict[str, tuple[int, str]],
    notes: str = "",
) -> StationAssessment:
    """Record an assessment; ``scores`` maps each applicable item's code to (score, note). The
    total, the attainable maximum and the result (示范点/达标/待整改) are computed here."""
    require_perm(actor, "orgs.change_station")
    require_in_scope(actor, station.federation_id)
    items = checklist_for(station.kind)
    errors: dict[str, str] = {}
    for item in items:
        if item.code not in scores or scores[item.code][0] is None:
            errors[f"score_{item.code}"] = _("请填写“%(item)s”的得分。") % {"item": item.text}
            continue
        score = scores[item.code][0]
        if not 0 <= score <= item.max_score:
            errors[f"score_{item.code}"] = _("“%(item)s”的得分应在 0 到 %(max)s 之间。") % {
                "item": item.text,
                "max": item.max_score,
            }
    unknown = sorted(set(scores) - {item.code for item in items})
    if unknown:
        errors["__all__"] = _("检查项不适用于该阵地：%(codes)s") % {"codes": "、".join(unknown)}
    if not (assessor or "").strip():
        errors["assessor"] = _("请填写考评人。")
    if errors:
        raise ValidationError(errors)
    total = sum(scores[item.code][0] for item in items)
    maximum = sum(item.max_score for item in items)
    assessment = StationAssessment(
        station=station,
        assessed_on=assessed_on,
        assessor=assessor.strip(),
        total_score=total,
        max_score=maximum,
        result=assessment_result(total, maximum),
        notes=notes,
    )
    audited_create(actor, assessment, federation_id=station.federation_id)
    AssessmentScore.objects.bulk_create(
        AssessmentScore(assessment=assessment, item=item, score=scores[item.code][0], note=scores[item.code][1] or "")
        for item in items
    )
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        target=assessment,
        federation_id=station.federation_id,
        data={"scores": {item.code: scores[item.code][0] for item in items}},
    )
    return assessment


# Groups ----------------------------------------------------------------------------------------


@transaction.atomic
def group_create(*, actor, federation: Federation, **data: Any) -> Group:
    require_perm(actor, "orgs.change_group")
    require_in_scope(actor, federation.pk)
    group = Group(federation=federation, **data)
    audited_create(actor, group, federation_id=federation.pk)
    return group


@transaction.atomic
def group_update(*, actor, group: Group, **data: Any) -> Group:
    require_perm(actor, "orgs.change_group")
    require_in_scope(actor, group.federation_id)
    if "federation" in data:
        require_in_scope(actor, data["federation"].pk)
    audited_update(actor, group, data, federation_id=group.federation_id)
    return group


@transaction.atomic
def group_member_add(*, actor, group: Group, name: str = "", person=None, **data: Any) -> GroupMember:
    require_perm(actor, "orgs.change_group")
    require_in_scope(actor, group.federation_id)
    _require_person_in_scope(actor, person)
    name = (name or "").strip() or (person.name if person else "")
    if not name:
        raise ValidationError({"name": _("请填写姓名或选择侨情库人员。")})
    joined, left = data.get("joined_on"), data.get("left_on")
    if joined and left and left < joined:
        raise ValidationError({"left_on": _("退出日期不能早于加入日期。")})
    member = GroupMember(group=group, name=name, person=person, **data)
    audited_create(actor, member, federation_id=group.federation_id)
    return member


@transaction.atomic
def group_member_remove(*, actor, member: GroupMember) -> None:
    group = member.group
    require_perm(actor, "orgs.change_group")
    require_in_scope(actor, group.federation_id)
    audit_record(
        actor=actor,
        action=Action.ARCHIVE,
        target=member,
        federation_id=group.federation_id,
        data={"before": snapshot(member), "reason": _("从团体成员中移除")},
    )
    member.delete()


@transaction.atomic
def mentoring_pair_add(
    *, actor, group: Group, mentor_name: str = "", mentee_name: str = "", mentor_person=None, mentee_person=None,
    **data: Any,
) -> MentoringPair:  # fmt: skip
    require_perm(actor, "orgs.change_group")
    require_in_scope(actor, group.federation_id)
    _require_person_in_scope(actor, mentor_person)
    _require_person_in_scope(actor, mentee_person)
    mentor_name = (mentor_name or "").strip() or (mentor_person.name if mentor_person else "")
    mentee_name = (mentee_name or "").strip() or (mentee_person.name if mentee_person else "")
    errors = {}
    if not mentor_name:
        errors["mentor_name"] = _("请填写导师姓名或选择侨情库人员。")
    if not mentee_name:
        errors["mentee_name"] = _("请填写学员姓名或选择侨情库人员。")
    if data.get("partner_side", "none") != "none" and group.partner_id is None:
        errors["partner_side"] = _("该团体没有合作侨联，不能登记来自合作侨联的一方。")
    if errors:
        raise ValidationError(errors)
    pair = MentoringPair(
        group=group,
        mentor_name=mentor_name,
        mentor_person=mentor_person,
        mentee_name=mentee_name,
        mentee_person=mentee_person,
        **data,
    )
    audited_create(actor, pair, federation_id=group.federation_id)
    return pair


@transaction.atomic
def mentoring_pair_remove(*, actor, pair: MentoringPair) -> None:
    group = pair.group
    require_perm(actor, "orgs.change_group")
    require_in_scope(actor, group.federation_id)
    audit_record(
        actor=actor,
        action=Action.ARCHIVE,
        target=pair,
        federation_id=group.federation_id,
        data={"before": snapshot(pair), "reason": _("解除结对")},
    )
    pair.delete()
