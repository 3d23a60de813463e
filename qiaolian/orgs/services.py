"""Writes to organizations: each in one transaction, checked and audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.core.changes import snapshot
from qiaolian.core.jurisdiction import forget_scope
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.orgs.models import CommitteeMember, Federation, PartnerFederation, Station, Term


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
