"""Reads of cases, limited to what the user may see.

Every read starts from ``case_scope`` (``Case.objects.visible_to(user)``: the receiving
federation's subtree or the handling federation's), so pages, API and statistics share one rule.
The counting functions are what the statistics page and the API report: cases by type and state,
by year, overdue, and working days to resolve, from the records and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from qiaolian.accounts.models import Role, User
from qiaolian.casework.models import (
    OPEN_STATES,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseNote,
    CaseType,
    State,
)
from qiaolian.casework.workdays import add_working_days, working_days_between
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.masking import Kind
from qiaolian.core.protected import lookup_hash
from qiaolian.core.validators import parse_phone
from qiaolian.orgs.models import Federation

DUE_SOON_WORKING_DAYS = 3
HANDLER_ROLES = (Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF)
# The type-specific field each topic filter value names ("category:property").
TOPIC_FIELDS = ("category", "appeal_topic", "consultation_topic", "hardship_type", "suggestion_topic")


def _allowed(user, perm: str) -> bool:
    return bool(user and user.has_perm(perm))


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# Cases --------------------------------------------------------------------------------------


def case_scope(*, user) -> QuerySet[Case]:
    """Every case the user may open; the start of every read of cases."""
    if not _allowed(user, "casework.view_case"):
        return Case.objects.none()
    return Case.objects.visible_to(user).select_related(
        "federation", "handling_federation", "assignee", "person", "enterprise"
    )


def case_get(*, user, pk: int) -> Case:
    """One case, or ``Case.DoesNotExist`` when absent or outside the user's jurisdiction."""
    return case_scope(user=user).get(pk=pk)


@dataclass
class CaseFilters:
    query: str = ""
    type: str = ""
    state: str = ""
    topic: str = ""  # "<field>:<value>", e.g. "category:property"
    federation_id: int | None = None
    deadline: str = ""  # "overdue", "due_soon" or "open"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    year: int | None = None
    assignee_id: int | None = None
    mine: bool = False
    types: tuple[str, ...] = field(default_factory=tuple)


_PHONE_LIKE = re.compile(r"^\+?[\d\s\-()]{7,20}$")
_NUMBER_LIKE = re.compile(r"^[A-Za-z]{2}\d{4}-?\d*$")


def _search(query: str) -> Q:
    """A case number (or its start), a requester's exact phone number, or words of the title,
    the requester's name or the enterprise's name."""
    q = query.strip()
    if _NUMBER_LIKE.match(q):
        return Q(number__startswith=q.upper())
    if _PHONE_LIKE.match(q) and sum(ch.isdigit() for ch in q) >= 7:
        try:
            return Q(requester_phone_hash=lookup_hash(Kind.PHONE, parse_phone(q)))
        except Exception:
            return Q(pk__in=[])
    return Q(title__contains=q) | Q(requester_name__contains=q) | Q(enterprise__name__contains=q)


def due_soon_limit(today: dt.date) -> dt.date:
    return add_working_days(today, DUE_SOON_WORKING_DAYS).day


def case_list(*, user, filters: CaseFilters | None = None, today: dt.date | None = None) -> QuerySet[Case]:
    f = filters or CaseFilters()
    qs = case_scope(user=user)
    if f.query:
        qs = qs.filter(_search(f.query))
    if f.type:
        qs = qs.filter(type=f.type)
    if f.types:
        qs = qs.filter(type__in=f.types)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.topic:
        name, _sep, value = f.topic.partition(":")
        qs = qs.filter(**{name: value}) if name in TOPIC_FIELDS and value else qs.none()
    if f.federation_id:
        # the federation and everything below it, as receiver or as handler
        path = Federation.objects.filter(pk=f.federation_id).values_list("path", flat=True).first() or "!"
        qs = qs.filter(Q(federation__path__startswith=path) | Q(handling_federation__path__startswith=path))
    if f.deadline:
        day = _today(today)
        if f.deadline == "overdue":
            qs = qs.filter(state__in=OPEN_STATES, due_on__lt=day)
        elif f.deadline == "due_soon":
            qs = qs.filter(state__in=OPEN_STATES, due_on__gte=day, due_on__lte=due_soon_limit(day))
        elif f.deadline == "open":
            qs = qs.filter(state__in=OPEN_STATES)
    if f.year:
        qs = qs.filter(received_on__gte=dt.date(f.year, 1, 1), received_on__lte=dt.date(f.year, 12, 31))
    if f.date_from:
        qs = qs.filter(received_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(received_on__lte=f.date_to)
    if f.assignee_id:
        qs = qs.filter(assignee_id=f.assignee_id)
    if f.mine:
        qs = qs.filter(assignee_id=getattr(user, "pk", None))
    return qs


def overdue_cases(*, user, today: dt.date | None = None) -> QuerySet[Case]:
    """Open cases past their deadline, the longest overdue first."""
    return case_list(user=user, filters=CaseFilters(deadline="overdue"), today=today).order_by("due_on", "id")


def due_soon_cases(*, user, today: dt.date | None = None) -> QuerySet[Case]:
    """Open cases whose deadline falls within the next three working days."""
    return case_list(user=user, filters=CaseFilters(deadline="due_soon"), today=today).order_by("due_on", "id")


def awaiting_follow_up(*, user) -> QuerySet[Case]:
    """Resolved cases whose requester has not yet been called back (回访)."""
    return case_scope(user=user).filter(state=State.RESOLVED).order_by("closed_on", "id")


def case_years(*, user) -> list[int]:
    years = _counting_scope(user=user).annotate(y=ExtractYear("received_on")).values_list("y", flat=True).distinct()
    return sorted({y for y in years if y}, reverse=True)


# One case's parts ---------------------------------------------------------------------------


def case_events(*, user, case: Case) -> QuerySet[CaseEvent]:
    return (
        CaseEvent.objects.visible_to(user)
        .filter(case=case)
        .select_related("actor", "assignee", "handling_federation")
        .order_by("occurred_on", "id")
    )


def case_notes(*, user, case: Case) -> QuerySet[CaseNote]:
    return CaseNote.objects.visible_to(user).filter(case=case).select_related("author").order_by("created_at", "id")


def case_attachments(*, user, case: Case) -> QuerySet[CaseAttachment]:
    return CaseAttachment.objects.visible_to(user).filter(case=case).select_related("uploaded_by")


def attachment_get(*, user, pk: int) -> CaseAttachment:
    if not _allowed(user, "casework.view_case"):
        raise CaseAttachment.DoesNotExist
    return CaseAttachment.objects.visible_to(user).select_related("case").get(pk=pk)


@dataclass(frozen=True)
class StateSpell:
    state: str
    label: str
    working_days: int
    calendar_days: int
    times: int  # how often the case was in this state (a case may be reassigned)
    is_current: bool
    is_estimate: bool


def time_in_states(case: Case, events: list[CaseEvent], *, today: dt.date | None = None) -> list[StateSpell]:
    """How long the case spent in each state, from its timeline: each event starts a state that
    lasts until the next event (or until today while the case is open, or until the follow-up
    for a resolved case). Closed end states have no duration."""
    day = _today(today)
    totals: dict[str, list] = {}
    for index, event in enumerate(events):
        state = event.to_state
        if index + 1 < len(events):
            end = events[index + 1].occurred_on
        elif state in OPEN_STATES or state == State.RESOLVED:
            end = day
        else:
            continue
        span = working_days_between(event.occurred_on, end)
        row = totals.setdefault(state, [0, 0, 0, False])
        row[0] += span.working_days
        row[1] += span.calendar_days
        row[2] += 1
        row[3] = row[3] or span.is_estimate
    order = [s for s in State.values if s in totals]
    return [
        StateSpell(
            state=s,
            label=str(State(s).label),
            working_days=totals[s][0],
            calendar_days=totals[s][1],
            times=totals[s][2],
            is_current=s == case.state,
            is_estimate=totals[s][3],
        )
        for s in order
    ]


@dataclass(frozen=True)
class DeadlineStatus:
    due_on: dt.date
    is_open: bool
    is_overdue: bool
    is_due_soon: bool
    working_days_left: int  # while open and not overdue
    working_days_over: int  # while open and overdue; for a closed case, how late it closed
    is_estimate: bool


def deadline_status(case: Case, *, today: dt.date | None = None) -> DeadlineStatus:
    day = _today(today)
    if case.is_open:
        if case.due_on < day:
            over = working_days_between(case.due_on, day)
            return DeadlineStatus(case.due_on, True, True, False, 0, over.working_days, case.due_on_is_estimate)
        left = working_days_between(day, case.due_on)
        return DeadlineStatus(
            case.due_on,
            True,
            False,
            case.due_on <= due_soon_limit(day),
            left.working_days,
            0,
            case.due_on_is_estimate or left.is_estimate,
        )
    closed = case.closed_on or day
    late = working_days_between(case.due_on, closed).working_days if closed > case.due_on else 0
    return DeadlineStatus(case.due_on, False, late > 0, False, 0, late, case.due_on_is_estimate)


# The person page ----------------------------------------------------------------------------


def person_cases(*, user, person_id: int) -> QuerySet[Case]:
    """The cases a person raised that the user may open, newest first (only persons the user
    may see at all)."""
    from qiaolian.registry.selectors import person_scope

    if not person_scope(user=user).filter(pk=person_id).exists():
        return Case.objects.none()
    return case_scope(user=user).filter(person_id=person_id).order_by("-received_on", "-id")


# Choices for the forms ----------------------------------------------------------------------


def _ancestor_ids(user) -> list[int]:
    federation = getattr(user, "federation", None)
    if federation is None:
        return []
    return [int(part) for part in federation.path.split("/") if part]


def handling_federation_choices(*, user) -> QuerySet[Federation]:
    """Where a user may send a case: any federation in their jurisdiction, and the federations
    above their own (a town hands a case up to the district)."""
    if scope_for(user).is_empty:
        return Federation.objects.none()
    own = Federation.objects.visible_to(user).values("pk")
    return Federation.objects.filter(Q(pk__in=own) | Q(pk__in=_ancestor_ids(user)), is_active=True).order_by("path")


def assignee_choices(*, user) -> QuerySet[User]:
    """Staff who handle cases and work in a federation of the user's jurisdiction."""
    scope = scope_for(user)
    if scope.is_empty:
        return User.objects.none()
    qs = User.objects.filter(is_active=True, role__in=HANDLER_ROLES, federation__isnull=False)
    if not scope.everything:
        qs = qs.filter(federation_id__in=scope.federation_ids)
    return qs.select_related("federation").order_by("federation__path", "display_name", "username")


def enterprise_choices(*, user):
    """Enterprises of the user's jurisdiction, to name on a case."""
    from qiaolian.enterprises.models import Enterprise

    if scope_for(user).is_empty:
        return Enterprise.objects.none()
    return Enterprise.objects.visible_to(user).order_by("name", "id")


def person_choice(*, user, pk: int):
    """A person the user may link to a case, or None."""
    from qiaolian.registry.selectors import person_scope

    return person_scope(user=user).filter(pk=pk).select_related("federation").first()


# Counting -----------------------------------------------------------------------------------


def _counting_scope(*, user) -> QuerySet[Case]:
    """The cases counted for a user: the same jurisdiction rule, open to readers of figures
    (leaders), who get counts only and never a case."""
    if not _allowed(user, "casework.view_stats"):
        return Case.objects.none()
    return Case.objects.visible_to(user)


@dataclass(frozen=True)
class Totals:
    cases: int
    open: int
    overdue: int
    resolved: int
    rejected: int
    average_days_to_close: float | None


def case_totals(*, user, filters: CaseFilters | None = None, today: dt.date | None = None) -> Totals:
    """Counts over the cases of a list (its filters) or, without filters, over all the user's
    cases: readers of figures get them too."""
    qs = case_list(user=user, filters=filters, today=today) if filters else _counting_scope(user=user)
    day = _today(today)
    head = qs.aggregate(
        n=Count("pk"),
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, due_on__lt=day)),
        resolved=Count("pk", filter=Q(state__in=(State.RESOLVED, State.FOLLOWED_UP))),
        rejected=Count("pk", filter=Q(state=State.REJECTED)),
        avg=Avg("days_to_close", filter=Q(state__in=(State.RESOLVED, State.FOLLOWED_UP))),
    )
    return Totals(
        cases=head["n"],
        open=head["open"],
        overdue=head["overdue"],
        resolved=head["resolved"],
        rejected=head["rejected"],
        average_days_to_close=round(head["avg"], 1) if head["avg"] is not None else None,
    )


@dataclass(frozen=True)
class TypeYearRow:
    type: str
    year: int
    received: int
    resolved: int
    average_days_to_close: float | None
    overdue_now: int


def case_counts_by_state(*, user) -> dict[tuple[str, str], int]:
    """{(type, state): count}."""
    rows = _counting_scope(user=user).order_by().values("type", "state").annotate(n=Count("pk"))
    return {(r["type"], r["state"]): r["n"] for r in rows}


def case_counts_by_year(*, user, today: dt.date | None = None) -> list[TypeYearRow]:
    """Per type and year of receipt: cases received, resolved, the average working days from
    receipt to resolution, and how many of them are overdue now."""
    day = _today(today)
    rows = (
        _counting_scope(user=user)
        .annotate(year=ExtractYear("received_on"))
        .order_by()
        .values("type", "year")
        .annotate(
            received=Count("pk"),
            resolved=Count("pk", filter=Q(state__in=(State.RESOLVED, State.FOLLOWED_UP))),
            avg=Avg("days_to_close", filter=Q(state__in=(State.RESOLVED, State.FOLLOWED_UP))),
            overdue=Count("pk", filter=Q(state__in=OPEN_STATES, due_on__lt=day)),
        )
    )
    result = [
        TypeYearRow(
            type=r["type"],
            year=r["year"],
            received=r["received"],
            resolved=r["resolved"],
            average_days_to_close=round(r["avg"], 1) if r["avg"] is not None else None,
            overdue_now=r["overdue"],
        )
        for r in rows
    ]
    type_order = {t: i for i, t in enumerate(CaseType.values)}
    return sorted(result, key=lambda r: (r.year, type_order.get(r.type, 99)))


def case_counts_by(*, user, field_name: str, types: tuple[str, ...] = ()) -> dict[str, int]:
    """Counts by one coded field (category, outcome, satisfaction, channel …)."""
    qs = _counting_scope(user=user)
    if types:
        qs = qs.filter(type__in=types)
    rows = qs.exclude(**{field_name: ""}).order_by().values(field_name).annotate(n=Count("pk"))
    return {r[field_name]: r["n"] for r in rows}
