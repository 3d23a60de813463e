"""Every indicator of the catalogue equals an independent SQL count on the demo, for the district
and two towns (朱泾镇, 石化街道) and two periods; and the seed's figures come out of it.

Each indicator has a twin below: a query written by hand against the tables, not through the
indicator's ORM query. A new indicator without a twin fails ``test_every_indicator_has_an_sql_twin``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from qiaolian.reports.indicators import BY_CODE, NotApplicable, indicator_value
from qiaolian.reports.tests.conftest import demo_federation as _federation

PERIODS = [(dt.date(2018, 1, 1), dt.date(2018, 12, 31)), (dt.date(2017, 12, 1), dt.date(2022, 12, 31))]
PLACES = ["district", "朱泾镇", "石化街道"]
BEIJING = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


# The twins ----------------------------------------------------------------------------------------


class Q:
    """The parameters of one twin: the federation's path prefix and the period in the forms the
    tables store (dates as ISO text; date-times as the Beijing day's bounds)."""

    def __init__(self, path: str, start: dt.date, end: dt.date):
        self.like = path + "%"
        self.start, self.end = start.isoformat(), end.isoformat()
        self.y0, self.y1 = start.year, end.year
        low = dt.datetime(start.year, start.month, start.day, tzinfo=BEIJING)
        after = end + dt.timedelta(days=1)
        high = dt.datetime(after.year, after.month, after.day, tzinfo=BEIJING)
        if connection.vendor == "sqlite":  # stored as naive UTC text
            low = low.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            high = high.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        self.low, self.high = low, high
        self.today = dt.date.today().isoformat()


def _one(sql: str, params) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _activities(q: Q, select: str, extra: str = "", join: str = "") -> object:
    return _one(
        f"""SELECT {select} FROM activities_activity a {join}
            JOIN orgs_federation f ON f.id = a.federation_id
            WHERE f.path LIKE %s AND a.starts_at >= %s AND a.starts_at < %s AND a.status <> 'cancelled' {extra}""",
        [q.like, q.low, q.high],
    )


def _registrations(q: Q, select: str, extra: str = "") -> object:
    return _one(
        f"""SELECT {select} FROM activities_registration r
            JOIN activities_activity a ON a.id = r.activity_id
            JOIN orgs_federation f ON f.id = a.federation_id
            WHERE f.path LIKE %s AND a.starts_at >= %s AND a.starts_at < %s AND a.status <> 'cancelled' {extra}""",
        [q.like, q.low, q.high],
    )


def _projects(q: Q, regions: tuple[str, ...]) -> object:
    marks = ", ".join(["%s"] * len(regions))
    return _one(
        f"""SELECT COUNT(*) FROM contests_competitionproject p JOIN orgs_federation f ON f.id = p.federation_id
            WHERE f.path LIKE %s AND p.year >= %s AND p.year <= %s AND p.source_region IN ({marks})""",
        [q.like, q.y0, q.y1, *regions],
    )


def _dated(q: Q, table: str, column: str, select: str = "COUNT(*)", extra: str = "") -> object:
    """Rows of a table with its own federation and a date column."""
    return _one(
        f"""SELECT {select} FROM {table} t JOIN orgs_federation f ON f.id = t.federation_id
            WHERE f.path LIKE %s AND t.{column} >= %s AND t.{column} <= %s {extra}""",
        [q.like, q.start, q.end],
    )


def _cases(q: Q, select: str, column: str, extra: str = "", params=()) -> object:
    return _one(
        f"""SELECT {select} FROM casework_case c
            JOIN orgs_federation f1 ON f1.id = c.federation_id
            LEFT JOIN orgs_federation f2 ON f2.id = c.handling_federation_id
            WHERE (f1.path LIKE %s OR f2.path LIKE %s) AND c.{column} >= %s AND c.{column} <= %s {extra}""",
        [q.like, q.like, q.start, q.end, *params],
    )


def _handovers(q: Q, select: str) -> object:
    return _one(
        f"""SELECT {select} FROM aid_handover h JOIN aid_nomination n ON n.id = h.nomination_id
            JOIN orgs_federation f ON f.id = n.federation_id
            WHERE f.path LIKE %s AND h.visited_on >= %s AND h.visited_on <= %s""",
        [q.like, q.start, q.end],
    )


OPEN = "('received', 'assigned', 'in_progress', 'referred')"
RESOLVED = "('resolved', 'followed_up')"

SQL = {
    "activities.by_project": lambda q: _activities(q, "COUNT(*)"),
    "activities.by_kind": lambda q: _activities(q, "COUNT(*)"),
    "activities.by_campaign": lambda q: _activities(q, "COUNT(*)", "AND a.campaign_id IS NOT NULL"),
    "activities.participants": lambda q: _registrations(q, "COUNT(DISTINCT r.participant_key)"),
    "activities.registrations": lambda q: _registrations(q, "COUNT(*)"),
    "activities.online_reach": lambda q: _activities(q, "COALESCE(SUM(a.online_views), 0)"),
    "activities.audience": lambda q: _activities(q, "COALESCE(SUM(a.audience), 0)"),
    "activities.trainings": lambda q: _activities(q, "COUNT(*)", "AND a.kind = 'training'"),
    "activities.trainees": lambda q: _registrations(q, "COUNT(DISTINCT r.participant_key)", "AND a.kind = 'training'"),
    "activities.joint": lambda q: _activities(
        q, "COUNT(DISTINCT a.id)", join="JOIN activities_activity_partners ap ON ap.activity_id = a.id"
    ),
    "contests.entries": lambda q: _one(
        """SELECT COUNT(*) FROM contests_entry e JOIN contests_contest c ON c.id = e.contest_id
           JOIN orgs_federation f ON f.id = c.federation_id
           WHERE f.path LIKE %s AND e.submitted_at >= %s AND e.submitted_at < %s AND e.status <> 'withdrawn'""",
        [q.like, q.low, q.high],
    ),
    "contests.projects_overseas": lambda q: _projects(q, ("overseas",)),
    "contests.projects_hk_macao": lambda q: _projects(q, ("hong_kong", "macao")),
    "contests.projects_by_region": lambda q: _projects(q, ("overseas", "hong_kong", "macao", "taiwan", "mainland")),
    "enterprises.visits": lambda q: _one(
        """SELECT COUNT(*) FROM enterprises_visit v JOIN enterprises_enterprise e ON e.id = v.enterprise_id
           JOIN orgs_federation f ON f.id = e.federation_id
           WHERE f.path LIKE %s AND v.visited_on >= %s AND v.visited_on <= %s""",
        [q.like, q.start, q.end],
    ),
    "enterprises.appeals_resolved": lambda q: _one(
        f"""SELECT COUNT(*) FROM enterprises_appeal ap JOIN enterprises_enterprise e ON e.id = ap.enterprise_id
            JOIN orgs_federation f ON f.id = e.federation_id JOIN casework_case c ON c.id = ap.case_id
            WHERE f.path LIKE %s AND c.closed_on >= %s AND c.closed_on <= %s AND c.state IN {RESOLVED}""",
        [q.like, q.start, q.end],
    ),
    "enterprises.appeals_raised": lambda q: _one(
        """SELECT COUNT(*) FROM enterprises_appeal ap JOIN enterprises_enterprise e ON e.id = ap.enterprise_id
           JOIN orgs_federation f ON f.id = e.federation_id
           WHERE f.path LIKE %s AND ap.raised_on >= %s AND ap.raised_on <= %s""",
        [q.like, q.start, q.end],
    ),
    "enterprises.exhibitors": lambda q: _one(
        """SELECT COUNT(*) FROM enterprises_exhibitionparticipation x
           JOIN enterprises_enterprise e ON e.id = x.enterprise_id JOIN orgs_federation f ON f.id = e.federation_id
           WHERE f.path LIKE %s AND x.year >= %s AND x.year <= %s""",
        [q.like, q.y0, q.y1],
    ),
    "liaison.contacts": lambda q: _one(
        """SELECT COUNT(*) FROM liaison_overseascontact c JOIN orgs_federation f ON f.id = c.federation_id
           WHERE f.path LIKE %s""",
        [q.like],
    ),
    "enterprises.investment_leads": lambda q: _dated(q, "enterprises_investmentlead", "introduced_on"),
    "liaison.camps": lambda q: _dated(q, "liaison_camp", "starts_on"),
    "liaison.campers": lambda q: _one(
        """SELECT COUNT(*) FROM liaison_enrolment en JOIN liaison_camp c ON c.id = en.camp_id
           JOIN orgs_federation f ON f.id = c.federation_id
           WHERE f.path LIKE %s AND c.starts_on >= %s AND c.starts_on <= %s AND en.status = 'attended'""",
        [q.like, q.start, q.end],
    ),
    "advocacy.opinions_submitted": lambda q: _dated(q, "advocacy_opinionreport", "submitted_on"),
    "advocacy.opinions_adopted": lambda q: _dated(
        q, "advocacy_opinionreport", "adopted_on", extra="AND t.status = 'adopted'"
    ),
    "advocacy.research_reports": lambda q: _dated(q, "advocacy_researchreport", "completed_on"),
    "aid.recipients": lambda q: _handovers(q, "COUNT(DISTINCT n.person_id)"),
    "aid.amount": lambda q: _handovers(q, "COALESCE(SUM(h.cash_amount), 0)"),
    "aid.donations": lambda q: _dated(q, "aid_donation", "received_on"),
    "aid.donation_amount": lambda q: _dated(q, "aid_donation", "received_on", "COALESCE(SUM(t.amount), 0)"),
    "casework.by_type": lambda q: _cases(q, "COUNT(*)", "received_on"),
    "casework.by_state": lambda q: _cases(q, "COUNT(*)", "received_on"),
    "casework.overdue": lambda q: _cases(
        q,
        "COUNT(*)",
        "received_on",
        f"AND ((c.closed_on IS NOT NULL AND c.closed_on > c.due_on) OR (c.state IN {OPEN} AND c.due_on < %s))",
        [q.today],
    ),
    "casework.days_to_resolve": lambda q: _cases(
        q, "AVG(c.days_to_close)", "closed_on", f"AND c.state IN {RESOLVED} AND c.days_to_close IS NOT NULL"
    ),
    "persons.by_category": lambda q: _one(
        """SELECT COUNT(*) FROM registry_person p JOIN orgs_federation f ON f.id = p.federation_id
           WHERE f.path LIKE %s AND p.is_archived = %s""",
        [q.like, False],
    ),
    "persons.overseas_relatives": lambda q: _one(
        """SELECT COUNT(*) FROM registry_overseastie t JOIN registry_person p ON p.id = t.person_id
           JOIN orgs_federation f ON f.id = p.federation_id WHERE f.path LIKE %s AND p.is_archived = %s""",
        [q.like, False],
    ),
    "orgs.elections": lambda q: _dated(q, "orgs_election", "held_on"),
    "orgs.terms_due": lambda q: _dated(q, "orgs_term", "ends_on"),
    "orgs.stations": lambda q: _dated(q, "orgs_station", "opened_on"),
}


def _same(indicator, got, want) -> bool:
    if want is None:
        return got is None
    if indicator.measure in ("sum", "avg"):
        step = Decimal(1).scaleb(-indicator.decimals)
        return Decimal(str(got)) == Decimal(str(want)).quantize(step)
    return int(got) == int(want)


def test_every_indicator_has_an_sql_twin():
    assert set(SQL) == set(BY_CODE), f"indicators without an SQL twin: {sorted(set(BY_CODE) - set(SQL))}"


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("period", PERIODS, ids=["2018", "2017-12..2022"])
def test_every_indicator_equals_its_sql_twin(admin, place, period):
    federation = _federation(place)
    q = Q(federation.path, *period)
    wrong = []
    for code, indicator in BY_CODE.items():
        if not indicator.applies_to(federation):
            with pytest.raises(NotApplicable):
                indicator_value(code=code, user=admin, start=period[0], end=period[1], federation=federation)
            continue
        result = indicator_value(code=code, user=admin, start=period[0], end=period[1], federation=federation)
        want = SQL[code](q)
        if not _same(indicator, result.value, want):
            wrong.append(f"{code}: indicator {result.value}, SQL {want}")
        if indicator.measure in ("count", "distinct") and len(result.ids) != result.value:
            wrong.append(f"{code}: {result.value} but {len(result.ids)} records listed")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("place", ["district", "朱泾镇"])
def test_grouped_values_add_up_to_the_value_for_every_indicator(admin, place):
    """Counts and sums split by child federation, year and breakdown add up to the indicator's value
    (a distinct count may not: one person can be counted in two towns)."""
    federation = _federation(place)
    start, end = PERIODS[1]
    wrong = []
    for code, indicator in BY_CODE.items():
        if not indicator.applies_to(federation) or indicator.measure not in ("count", "sum") or indicator.rows_distinct:
            continue
        result = indicator_value(code=code, user=admin, start=start, end=end, federation=federation)
        fields = (
            ("child",)
            + (("year",) if indicator.date_field else ())
            + ((indicator.breakdown,) if indicator.breakdown else ())
        )
        total = sum(result.grouped(*fields).values())
        if total != result.value:
            wrong.append(f"{code} by {fields}: {total} ≠ {result.value}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-scan rollup is PostgreSQL's")
@pytest.mark.parametrize("place", ["district", "石化街道"])
def test_a_distinct_counts_rollup_equals_counting_each_figure_on_its_own(admin, place):
    """The value, breakdown, years and years × breakdown of every count of distinct keys come from
    one scan on PostgreSQL; each equals the same figure counted by its own query."""
    federation = _federation(place)
    start, end = PERIODS[1]
    checked = 0
    for code, indicator in BY_CODE.items():
        if indicator.measure != "distinct" or not indicator.applies_to(federation):
            continue
        result = indicator_value(code=code, user=admin, start=start, end=end, federation=federation)
        assert result.rollup is not None, code
        base = result.matching
        assert result.value == indicator.value_of(base), code
        assert result.breakdown == indicator.breakdown_of(base), code
        for fields in (("year",), ("year", indicator.breakdown), (indicator.breakdown, "year"), (indicator.breakdown,)):
            assert result.grouped(*fields) == indicator.grouped_of(base, fields, federation=federation), (code, fields)
        checked += 1
    assert checked == 3


def test_the_demo_gives_every_indicator_something_to_count_over_the_five_years(admin):
    start, end = PERIODS[1]
    district = _federation("district")
    empty = [
        code
        for code in BY_CODE
        if not indicator_value(code=code, user=admin, start=start, end=end, federation=district).value
    ]
    assert not empty, f"indicators that count nothing on the demo: {empty}"


def test_the_seed_figures_come_out(admin):
    district = _federation("district")
    period = {"start": dt.date(2018, 1, 1), "end": dt.date(2022, 12, 31), "federation": district, "user": admin}
    assert indicator_value(code="contests.projects_overseas", **period).value == 1658
    assert indicator_value(code="contests.projects_hk_macao", **period).value == 177
    entries = indicator_value(code="contests.entries", **period)
    assert entries.value > 2000  # 五年来共收到投稿2000余件
    assert set(entries.breakdown) == {2018, 2019, 2020, 2021, 2022}
