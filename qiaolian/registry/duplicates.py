"""Duplicates checked at entry time: is the person about to be saved (from the person form or an
import row) perhaps already in the registry? One place for the rule, used by ``PersonForm`` and
by the import's row check. Record linkage over the whole registry (``qiaolian.linkage``) is
another matter: this is a fast, exact check on the indexed columns, run before a write.

The rule (docs/import.md, "录入时查重"). A *candidate* is an existing, non-archived person with

(a) the same ID number (``id_number_hash``) — a hard duplicate: the form refuses it, the import
    lists the row as already in the registry and does not import it;
(b) the same name and the same phone: ``name_key`` equal, and one of the record's phones
    (手机 or 其他电话) equal to one of the person's (``phone_hash`` or ``phone_alt_hash``);
(c) the same name and the same birth date (``name_key``, ``birth_date``);
(d) the same name, the same (known) sex, and the birth date with month and day swapped
    (1950-03-02 against 1950-02-03, a common slip in registers).

Names are compared by ``name_key`` (simplified, case-folded, spaces and dots removed), so 陳國華
matches 陈国华. Each branch is an index hit: ``id_number_hash``, ``name_key`` (then birth date
and phone hashes compared on those rows). Nothing is decrypted.

(b)–(d) are *possible* duplicates: the form saves only after the user confirms the new record is
another person; an import row stays importable and carries a warning.

Jurisdiction: the search looks across the whole registry (a duplicate in another town matters),
but what a user is shown obeys jurisdiction: candidates within ``person_scope`` are listed with
name, federation, birth date, masked ID number and phone and a link; the others only as a count
per federation ("朱泾镇已有 1 名疑似同一人（姓名与出生日期相同）"), never with a name or detail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.core.masking import Kind
from qiaolian.core.protected import lookup_hash
from qiaolian.core.text import search_key
from qiaolian.registry import choices as c
from qiaolian.registry.models import Person
from qiaolian.registry.selectors import person_scope

LOOKUP_ROWS = 1000  # records looked up in one query (one query per import chunk)
KNOWN_SEXES = (c.Sex.MALE, c.Sex.FEMALE)


class Rule(models.TextChoices):
    """Why an existing person is a candidate: which fields agreed."""

    ID_NUMBER = "id_number", gettext_lazy("证件号码相同")
    NAME_PHONE = "name_phone", gettext_lazy("姓名与电话相同")
    NAME_BIRTH_DATE = "name_birth_date", gettext_lazy("姓名与出生日期相同")
    NAME_SEX_SWAPPED_DATE = "name_sex_swapped_date", gettext_lazy("姓名、性别相同，出生日期月日颠倒")


def rules_text(rules: Iterable[Rule]) -> str:
    return "；".join(str(rule.label) for rule in rules)


@dataclass(frozen=True)
class EntryKeys:
    """What the rule compares of one record about to be saved."""

    name_key: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    id_hash: str | None = None
    phone_hashes: frozenset[str] = frozenset()

    @property
    def swapped_birth_date(self) -> dt.date | None:
        """The birth date with month and day exchanged, when that is another real date."""
        b = self.birth_date
        if b is None or b.day > 12 or b.day == b.month:
            return None
        return dt.date(b.year, b.day, b.month)

    @property
    def birth_dates(self) -> set[dt.date]:
        found = set()
        if self.name_key and self.birth_date is not None:
            found.add(self.birth_date)
            if self.sex in KNOWN_SEXES and self.swapped_birth_date is not None:
                found.add(self.swapped_birth_date)
        return found


def entry_keys(data: Mapping[str, Any]) -> EntryKeys:
    """The keys of a record from ``PersonForm``'s cleaned data: ``name``, ``birth_date``, ``sex``,
    ``id_number`` (normalized), ``phone`` and ``phone_alt`` (as stored, e.g. +8613912345678).
    A protected value the data leaves out (unchanged on edit) may be given by its stored hash:
    ``id_number_hash``, ``phone_hash``, ``phone_alt_hash``."""
    number = data.get("id_number") or ""
    id_hash = lookup_hash(Kind.ID_NUMBER, str(number)) if number else data.get("id_number_hash") or None
    phones = set()
    for name in ("phone", "phone_alt"):
        value = data.get(name) or ""
        digest = lookup_hash(Kind.PHONE, str(value)) if value else data.get(f"{name}_hash")
        if digest:
            phones.add(digest)
    return EntryKeys(
        name_key=search_key(data.get("name") or "")[:60],
        birth_date=data.get("birth_date") or None,
        sex=data.get("sex") or "",
        id_hash=id_hash,
        phone_hashes=frozenset(phones),
    )


@dataclass(frozen=True)
class Match:
    """An existing person that may be the record, as found across the whole registry: only
    what the rule needs and what may be said of anyone (its id and its federation's name)."""

    person_id: int
    federation_id: int
    federation_name: str
    rules: tuple[Rule, ...]

    @property
    def is_id_match(self) -> bool:
        return Rule.ID_NUMBER in self.rules

    @property
    def reason(self) -> str:
        return rules_text(self.rules)


def _rules_agreeing(keys: EntryKeys, row: Mapping[str, Any]) -> tuple[Rule, ...]:
    rules = []
    if keys.id_hash and row["id_number_hash"] == keys.id_hash:
        rules.append(Rule.ID_NUMBER)
    if keys.name_key and row["name_key"] == keys.name_key:
        if keys.phone_hashes & {row["phone_hash"], row["phone_alt_hash"]}:
            rules.append(Rule.NAME_PHONE)
        if keys.birth_date is not None and row["birth_date"] == keys.birth_date:
            rules.append(Rule.NAME_BIRTH_DATE)
        swapped = keys.swapped_birth_date
        if swapped is not None and keys.sex in KNOWN_SEXES and row["sex"] == keys.sex and row["birth_date"] == swapped:
            rules.append(Rule.NAME_SEX_SWAPPED_DATE)
    return tuple(rules)


def _persons_registry_wide_unscoped() -> QuerySet[Person]:
    """Every non-archived person, past the jurisdiction rule on purpose: a duplicate in another
    town matters. Read only for the columns the rule compares and the federation's name; what a
    user is shown of the result goes through ``person_scope`` (``person_candidates``)."""
    return Person.objects.filter(is_archived=False)


_COLUMNS = (
    "pk",
    "federation_id",
    "federation__short_name",
    "federation__name",
    "name_key",
    "birth_date",
    "sex",
    "id_number_hash",
    "phone_hash",
    "phone_alt_hash",
)


def _lookup(records: Sequence[EntryKeys], exclude_pk: int | None = None) -> list[list[Match]]:
    """One query for up to ``LOOKUP_ROWS`` records; the matches of each, in order."""
    names = {k.name_key for k in records if k.name_key}
    dates = set().union(*(k.birth_dates for k in records)) if records else set()
    phones = set().union(*(k.phone_hashes for k in records if k.name_key)) if records else set()
    ids = {k.id_hash for k in records if k.id_hash}
    by_name = Q()
    if dates:
        by_name |= Q(birth_date__in=dates)
    if phones:
        by_name |= Q(phone_hash__in=phones) | Q(phone_alt_hash__in=phones)
    branches = []
    if names and by_name:
        branches.append(Q(name_key__in=names) & by_name)
    if ids:
        branches.append(Q(id_number_hash__in=ids))
    if not branches:
        return [[] for _record in records]
    condition = branches[0] if len(branches) == 1 else branches[0] | branches[1]
    qs = _persons_registry_wide_unscoped().filter(condition)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    rows = list(qs.order_by("pk").values(*_COLUMNS))
    by_name_key: dict[str, list[dict]] = {}
    by_id_hash: dict[str, list[dict]] = {}
    for row in rows:
        by_name_key.setdefault(row["name_key"], []).append(row)
        if row["id_number_hash"]:
            by_id_hash.setdefault(row["id_number_hash"], []).append(row)
    found: list[list[Match]] = []
    for keys in records:
        seen: dict[int, dict] = {}
        for row in [*by_id_hash.get(keys.id_hash or "", []), *by_name_key.get(keys.name_key, [])]:
            seen.setdefault(row["pk"], row)
        matches = []
        for row in seen.values():
            rules = _rules_agreeing(keys, row)
            if rules:
                matches.append(
                    Match(
                        person_id=row["pk"],
                        federation_id=row["federation_id"],
                        federation_name=row["federation__short_name"] or row["federation__name"],
                        rules=rules,
                    )
                )
        found.append(matches)
    return found


def candidates_for_rows(rows: Sequence[EntryKeys]) -> dict[int, list[Match]]:
    """The candidates of many records at once (an import chunk): position in ``rows`` → its
    matches, for the records that have any. One query per ``LOOKUP_ROWS`` records, however many
    match. The matches carry no personal data; ``visible_names`` says which the user may see."""
    found: dict[int, list[Match]] = {}
    for start in range(0, len(rows), LOOKUP_ROWS):
        for offset, matches in enumerate(_lookup(rows[start : start + LOOKUP_ROWS])):
            if matches:
                found[start + offset] = matches
    return found


def visible_names(*, user, person_ids: Iterable[int]) -> dict[int, str]:
    """The names of those of ``person_ids`` the user may see (one query); the others are absent."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    return dict(person_scope(user=user).filter(pk__in=ids).values_list("pk", "name"))


@dataclass(frozen=True)
class VisibleCandidate:
    person: Person
    rules: tuple[Rule, ...]

    @property
    def reason(self) -> str:
        return rules_text(self.rules)


@dataclass(frozen=True)
class HiddenGroup:
    """Candidates outside the user's jurisdiction: a count per federation and reason, no more."""

    federation_name: str
    rules: tuple[Rule, ...]
    count: int

    @property
    def message(self) -> str:
        return _("%(federation)s已有 %(count)s 名疑似同一人（%(reason)s）") % {
            "federation": self.federation_name,
            "count": self.count,
            "reason": rules_text(self.rules),
        }


@dataclass
class Candidates:
    """What a user is shown of the candidates for one record."""

    visible: list[VisibleCandidate] = field(default_factory=list)
    hidden: list[HiddenGroup] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.visible or self.hidden)

    @property
    def has_id_match(self) -> bool:
        """Someone has the same ID number: no confirmation lets the record be saved."""
        return any(Rule.ID_NUMBER in group.rules for group in [*self.visible, *self.hidden])

    @property
    def needs_confirmation(self) -> bool:
        """Someone matches by name and phone or birth date: saving needs the user's word."""
        return any(set(group.rules) - {Rule.ID_NUMBER} for group in [*self.visible, *self.hidden])

    @property
    def count(self) -> int:
        return len(self.visible) + sum(group.count for group in self.hidden)


def person_candidates(*, user, data: Mapping[str, Any], exclude_pk: int | None = None) -> Candidates:
    """The candidates for one record about to be saved (``PersonForm``'s cleaned data, see
    ``entry_keys``), ``exclude_pk`` being the person under edit. Two queries at most: the
    registry-wide match, then the matched persons the user may see."""
    matches = _lookup([entry_keys(data)], exclude_pk=exclude_pk)[0]
    if not matches:
        return Candidates()
    shown = {
        p.pk: p
        for p in person_scope(user=user)
        .filter(pk__in=[m.person_id for m in matches])
        .select_related("federation")
        .order_by("pk")
    }
    result = Candidates()
    hidden: dict[tuple[str, tuple[Rule, ...]], int] = {}
    for match in matches:
        person = shown.get(match.person_id)
        if person is not None:
            result.visible.append(VisibleCandidate(person=person, rules=match.rules))
        else:
            key = (match.federation_name, match.rules)
            hidden[key] = hidden.get(key, 0) + 1
    result.hidden = [HiddenGroup(federation_name=f, rules=r, count=n) for (f, r), n in hidden.items()]
    return result
