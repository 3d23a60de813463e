"""Reads of the registry, limited to what the user may see (the one place that decides it)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from qiaolian.core.fields import prefix_q
from qiaolian.core.masking import Kind
from qiaolian.core.protected import lookup_hash
from qiaolian.core.text import has_han, pinyin_key, search_key
from qiaolian.core.validators import parse_phone, parse_resident_id
from qiaolian.registry.models import Household, ImportBatch, OverseasTie, Person


def person_scope(*, user, include_archived: bool = False) -> QuerySet[Person]:
    """Every person the user may see; the start of every read of persons."""
    if not (user and user.has_perm("registry.view_person")):
        return Person.objects.none()
    qs = Person.objects.visible_to(user)
    return qs if include_archived else qs.filter(is_archived=False)


def person_get(*, user, pk: int, include_archived: bool = True) -> Person:
    """One person, or ``Person.DoesNotExist`` when absent or outside the user's jurisdiction."""
    return (
        person_scope(user=user, include_archived=include_archived)
        .select_related("federation", "household", "created_by")
        .get(pk=pk)
    )


_ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-()]{7,20}$")


def search_filter(query: str) -> Q | None:
    """How a search box query matches persons, each branch served by an index:
    an ID number or a phone by keyed hash, Chinese by the simplified name prefix,
    Latin letters by full-pinyin or initials prefix (and the foreign name)."""
    q = query.strip()
    if not q:
        return None
    compact = re.sub(r"\s", "", q)
    if _ID_LIKE.match(compact):
        try:
            number = parse_resident_id(compact).number
        except Exception:
            number = compact.upper()
        return Q(id_number_hash=lookup_hash(Kind.ID_NUMBER, number))
    if _PHONE_LIKE.match(q) and sum(ch.isdigit() for ch in q) >= 7:
        try:
            phone = parse_phone(q)
        except Exception:
            return Q(pk__in=[])
        digest = lookup_hash(Kind.PHONE, phone)
        return Q(phone_hash=digest) | Q(phone_alt_hash=digest)
    if has_han(q):
        return prefix_q("name_key", search_key(q))
    latin = re.sub(r"[^a-z0-9]", "", q.casefold())
    if not latin:
        return Q(pk__in=[])
    return (
        prefix_q("name_initials", latin)
        | prefix_q("name_pinyin", pinyin_key(latin))
        | prefix_q("foreign_name_key", search_key(q))
    )


@dataclass
class PersonFilters:
    query: str = ""
    category: str = ""
    federation_id: int | None = None
    country: str = ""
    age_min: int | None = None
    age_max: int | None = None
    hardship: bool | None = None
    living_status: str = ""
    include_archived: bool = False


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _birth_range(age_min: int | None, age_max: int | None, today: dt.date) -> Q:
    """Ages (in whole years on ``today``) as a range of birth dates, so the index serves it."""
    q = Q()
    if age_min is not None:
        q &= Q(birth_date__lte=_years_before(today, age_min))
    if age_max is not None:
        q &= Q(birth_date__gt=_years_before(today, age_max + 1))
    return q


def person_list(*, user, filters: PersonFilters | None = None, today: dt.date | None = None) -> QuerySet[Person]:
    """The filtered persons a user may see, with what list pages and exports show."""
    f = filters or PersonFilters()
    qs = person_scope(user=user, include_archived=f.include_archived)
    if f.query:
        cond = search_filter(f.query)
        if cond is not None:
            qs = qs.filter(cond)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.federation_id:
        from qiaolian.orgs.models import Federation

        root = Federation.objects.visible_to(user).filter(pk=f.federation_id).values_list("path", flat=True).first()
        qs = qs.filter(federation__path__startswith=root) if root else qs.none()
    if f.country:
        qs = qs.filter(
            Q(returned_from=f.country)
            | Q(residence_country=f.country)
            | Q(pk__in=OverseasTie.objects.filter(country=f.country).values("person_id"))
        )
    if f.age_min is not None or f.age_max is not None:
        qs = qs.filter(_birth_range(f.age_min, f.age_max, today or dt.date.today()))
    if f.hardship is not None:
        qs = qs.filter(is_in_hardship=f.hardship)
    if f.living_status:
        qs = qs.filter(living_status=f.living_status)
    return qs.select_related("federation")


def household_scope(*, user) -> QuerySet[Household]:
    if not (user and user.has_perm("registry.view_household")):
        return Household.objects.none()
    return Household.objects.visible_to(user).select_related("federation")


def household_members(*, user, household: Household) -> QuerySet[Person]:
    return person_scope(user=user, include_archived=True).filter(household=household).order_by("id")


def overseas_ties(*, user, person: Person) -> QuerySet[OverseasTie]:
    if not (user and user.has_perm("registry.view_person")):
        return OverseasTie.objects.none()
    return OverseasTie.objects.visible_to(user).filter(person=person).select_related("relative_person")


def tie_get(*, user, pk: int) -> OverseasTie | None:
    if not (user and user.has_perm("registry.view_person")):
        return None
    return OverseasTie.objects.visible_to(user).select_related("person").filter(pk=pk).first()


def import_batch_list(*, user) -> QuerySet[ImportBatch]:
    """Import batches of the user's jurisdiction, of the kinds the user may import."""
    from qiaolian.core.importkinds import kinds_for

    keys = [kind.key for kind in kinds_for(user)] if user else []
    if not keys:
        return ImportBatch.objects.none()
    return ImportBatch.objects.visible_to(user).filter(kind__in=keys).select_related("created_by", "federation")
