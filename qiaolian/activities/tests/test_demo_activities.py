"""The demo's five years of activities (December 2017 – 2022): the seed's programmes are there,
the counts reports make equal direct SQL, and the generator is deterministic."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection, transaction
from django.utils import timezone

from qiaolian.accounts.models import User
from qiaolian.activities import selectors, services
from qiaolian.activities.models import (
    Activity,
    ActivityKind,
    Campaign,
    Mode,
    Registration,
    Role,
    Session,
    SessionAttendance,
    Status,
)
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.demo import build_demo
from qiaolian.demo.activities import build_activities
from qiaolian.demo.context import DemoContext
from qiaolian.orgs.models import Federation, Level, Station

SCALE = 0.05
SEED = 2017
YEARS = range(2018, 2023)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One build for the module, rolled back after it (each test still runs in its own nested
    transaction through ``db``)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(seed=SEED, scale=SCALE)
        transaction.set_rollback(True)


@pytest.fixture
def admin(demo, db) -> User:
    return User.objects.get(username="admin")


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The year in the site's time zone (Asia/Shanghai), as the selectors take it."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    return start, timezone.make_aware(dt.datetime(year + 1, 1, 1))


def _held(qs):
    return qs.exclude(status=Status.CANCELLED)


def _local_year(moment: dt.datetime) -> int:
    return timezone.localtime(moment).year


# 1. The seed's programmes --------------------------------------------------------------------


def test_law_month_every_march_with_every_town_federation(admin):
    district = Federation.objects.get(parent=None)
    towns = list(Federation.objects.filter(level=Level.TOWN))
    assert len(towns) == 11
    for year in YEARS:
        campaign = Campaign.objects.get(title=f"{year}年侨法宣传月")
        assert (campaign.federation, campaign.brand.name, campaign.project) == (district, "侨法宣传月", "huiqiao")
        assert (campaign.starts_on, campaign.ends_on) == (dt.date(year, 3, 1), dt.date(year, 3, 31))
        activities = list(_held(campaign.activities.all()))
        assert all(timezone.localtime(a.starts_at).date().month == 3 for a in activities)
        assert all(a.brand_id == campaign.brand_id and a.project == "huiqiao" for a in activities)
        organizers = {a.federation_id for a in activities}
        missing = [t.short_name for t in towns if t.pk not in organizers]
        assert not missing, f"{year}: no 侨法宣传月 activity of {missing}"
        launch = [a for a in activities if a.federation_id == district.pk and "启动仪式" in a.title]
        assert len(launch) == 1 and launch[0].is_published
        quiz = [a for a in activities if a.mode == Mode.ONLINE and a.online_views and a.federation_id == district.pk]
        assert quiz, f"{year}: no online quiz"
        kinds = {a.kind for a in activities}
        assert ActivityKind.LAW in kinds
    law_2020 = _held(Activity.objects.filter(campaign__title="2020年侨法宣传月"))
    assert law_2020.filter(mode=Mode.ONLINE).count() > law_2020.filter(mode=Mode.OFFLINE).count()


def test_yearly_cadre_training_with_sessions_and_attendance(admin):
    for year in YEARS:
        training = Activity.objects.get(title=f"{year}年金山区基层侨务干部培训班")
        assert (training.kind, training.project) == (ActivityKind.TRAINING, "qiangji")
        sessions = list(Session.objects.filter(activity=training))
        assert len(sessions) >= 3
        days = (timezone.localtime(training.starts_at).date(), timezone.localtime(training.ends_at).date())
        assert all(days[0] <= timezone.localtime(s.starts_at).date() <= days[1] for s in sessions)
        assert 1 <= (days[1] - days[0]).days + 1 <= 3
        trainees = list(training.registrations.all())
        assert len(trainees) >= 11 and {r.role for r in trainees} == {Role.TRAINEE}
        # cadres of the town federations: registry persons where linked, else named with their federation
        assert any(r.person_id for r in trainees) and any(r.organization.endswith("侨联") for r in trainees)
        attendance = SessionAttendance.objects.filter(session__activity=training)
        assert attendance.count() >= 0.7 * len(trainees) * len(sessions)  # most attend most sessions
        attended = set(attendance.values_list("registration_id", flat=True))
        checked_in = {r.pk for r in trainees if r.checked_in_at}
        assert attended == checked_in


def test_forum_lectures_study_campaigns_and_the_named_shows(admin):
    forum = _held(Activity.objects.filter(brand__name="同舟讲坛"))
    for year in YEARS:
        lectures = [a for a in forum if _local_year(a.starts_at) == year]
        assert lectures and all(a.kind == ActivityKind.LECTURE and a.project == "ningxin" for a in lectures)
        for lecture in lectures:
            assert lecture.registrations.filter(role=Role.SPEAKER).count() == 1
    assert forum.filter(mode__in=[Mode.ONLINE, Mode.HYBRID], online_views__gt=0, starts_at__year__gte=2020).exists()

    for title in ("“不忘初心、牢记使命”主题教育", "“四史”学习教育", "党史学习教育", "学习宣传贯彻党的二十大精神"):
        campaign = Campaign.objects.get(title=title)
        assert campaign.project == "ningxin" and campaign.activities.exists(), title
    for year in YEARS:
        assert Campaign.objects.filter(brand__name="侨心向党", starts_on__year=year).exists()

    for year, title, kind in (
        (2019, "金山区侨界人士庆祝新中国成立70周年文艺汇演", ActivityKind.PERFORMANCE),
        (2019, "金山区侨界人士庆祝新中国成立70周年书画摄影展", ActivityKind.EXHIBITION),
        (2021, "金山区侨界人士献礼建党100周年文艺汇演", ActivityKind.PERFORMANCE),
        (2021, "金山区侨界人士庆祝建党100周年红色记忆书画展", ActivityKind.EXHIBITION),
    ):
        show = Activity.objects.get(title=title)
        assert (_local_year(show.starts_at), show.kind, show.is_published) == (year, kind, True)
        assert show.status in (Status.REPORTED, Status.ARCHIVED) and show.audience and title in show.summary
        if kind == ActivityKind.PERFORMANCE:
            assert show.registrations.filter(role=Role.PERFORMER).count() >= 5

    tours = _held(Activity.objects.filter(brand__name="金侨文艺联盟"))
    assert {_local_year(a.starts_at) for a in tours} >= {2019, 2020, 2021, 2022}
    assert all(a.registrations.filter(role=Role.PERFORMER, person__group_memberships__isnull=False).exists()
               for a in tours)  # fmt: skip


def test_jinpingguo_with_the_partner_and_station_hosted_activities(admin):
    joint = _held(Activity.objects.filter(brand__name="金平果"))
    assert {_local_year(a.starts_at) for a in joint} == {2018, 2019, 2020, 2021, 2022}
    for activity in joint:
        assert [p.name for p in activity.partners.all()] == ["平湖市侨联"]
        assert activity.registrations.filter(organization__startswith="平湖").exists()
    assert joint.filter(title__contains="传帮带").exists() and joint.filter(title__contains="联谊").exists()

    for station in Station.objects.filter(is_active=True):
        hosted = _held(station.hosted_activities.all())
        assert hosted.exists(), station.name
        assert all(a.federation_id == station.federation_id for a in hosted)
        assert all(timezone.localtime(a.starts_at).date() >= station.opened_on for a in hosted)


def test_registrations_follow_the_rules_of_the_services(admin):
    regs = Registration.objects.select_related("activity", "person")
    paths = dict(Federation.objects.values_list("id", "path"))
    assert regs.count() > 500
    codes = list(regs.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert all(len(code) == services.CODE_LENGTH and set(code) <= set(services.CODE_ALPHABET) for code in codes)
    for r in regs:
        key = services.participant_key(person_id=r.person_id, name=r.name, organization=r.organization)
        assert r.participant_key == key
        if r.person_id:  # a person of the organizing federation's area, alive on the day
            assert r.name == r.person.name and not r.person.is_archived
            assert paths[r.person.federation_id].startswith(paths[r.activity.federation_id])
            died = r.person.deceased_on
            assert died is None or died > timezone.localtime(r.activity.starts_at).date()
        if r.checked_in_at:
            assert r.activity.starts_at - dt.timedelta(hours=1) <= r.checked_in_at <= r.activity.ends_at
            assert r.checked_in_by_id == admin.pk and r.activity.status != Status.CANCELLED
    for activity in Activity.objects.exclude(capacity=None):
        assert activity.registrations.count() <= activity.capacity
    held = _held(Activity.objects.all())
    assert held.filter(registrations__checked_in_at__isnull=False).distinct().count() >= 0.7 * held.count()
    # past activities are reported (a few of December 2022 wait for their summary), some archived
    assert set(held.values_list("status", flat=True)) <= {Status.HELD, Status.REPORTED, Status.ARCHIVED}
    assert not held.filter(status=Status.HELD, starts_at__lt=timezone.make_aware(dt.datetime(2022, 12, 1))).exists()
    assert held.filter(status=Status.ARCHIVED).exists() and held.filter(is_published=True).count() >= 5
    assert all(a.summary.strip() for a in held.exclude(status=Status.HELD))
    # the audit trail records every bulk registration: one entry per activity with its count
    entries = AuditEntry.objects.filter(target_type="activities.activity", action=Action.CHANGE)
    logged = {int(e.target_id): e.data["registrations"]["added"] for e in entries if "registrations" in e.data}
    bulk = Registration.objects.exclude(role__in=[Role.SPEAKER, Role.PERFORMER])
    for activity in Activity.objects.filter(registrations__isnull=False).distinct():
        assert logged.get(activity.pk, 0) == bulk.filter(activity=activity).count()


# 2. Counting equals direct SQL ----------------------------------------------------------------

COLUMNS = {"project": "project", "kind": "kind", "campaign": "campaign_id", "federation": "federation_id"}


def _sql_counts(where: str = "", params: tuple = (), column: str | None = None) -> dict:
    """Activities, distinct participants and registrations per ``column`` (or in all, keyed None),
    in SQL that SQLite and PostgreSQL both take."""
    key, group = (f"a.{column}", f"GROUP BY a.{column}") if column else ("NULL", "")
    sql = f"""
        SELECT {key}, COUNT(DISTINCT a.id), COUNT(DISTINCT r.participant_key), COUNT(r.id)
        FROM activities_activity a
        LEFT JOIN activities_registration r ON r.activity_id = a.id
        WHERE a.status <> 'cancelled' {where}
        {group}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def _sql_reach(where: str = "", params: tuple = (), column: str | None = None) -> dict:
    key, group = (f"a.{column}", f"GROUP BY a.{column}") if column else ("NULL", "")
    sql = f"""
        SELECT {key}, COALESCE(SUM(a.audience), 0), COALESCE(SUM(a.online_views), 0)
        FROM activities_activity a WHERE a.status <> 'cancelled' {where} {group}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


@pytest.mark.parametrize("by", ["project", "kind", "campaign", "federation"])
def test_tally_equals_direct_sql(admin, by):
    tally = {t.key: t for t in selectors.activity_tally(user=admin, by=by)}
    expected = _sql_counts(column=COLUMNS[by])
    assert len(tally) >= 2
    assert {k: (t.activities, t.participants, t.registrations) for k, t in tally.items()} == expected
    reach = _sql_reach(column=COLUMNS[by])
    assert {k: (t.audience, t.online_views) for k, t in tally.items()} == reach


def test_tally_by_year_equals_direct_sql(admin, demo):
    """Years are the site's (Asia/Shanghai): each year is a range of instants passed to the SQL,
    which works the same on SQLite and PostgreSQL."""
    tally = {t.key: t for t in selectors.activity_tally(user=admin, by="year")}
    assert set(tally) == {2017, *YEARS}
    for year, t in tally.items():
        start, end = (connection.ops.adapt_datetimefield_value(b) for b in _year_bounds(year))
        where = "AND a.starts_at >= %s AND a.starts_at < %s"
        assert _sql_counts(where, (start, end)) == {None: (t.activities, t.participants, t.registrations)}, year
        assert _sql_reach(where, (start, end)) == {None: (t.audience, t.online_views)}, year
    totals = selectors.activity_totals(user=admin)
    assert _sql_counts() == {None: (totals.activities, totals.participants, totals.registrations)}
    assert sum(t.activities for t in tally.values()) == totals.activities
    assert (demo.activities, demo.activity_participants, demo.activity_registrations, demo.activity_reach) == (
        totals.activities,
        totals.participants,
        totals.registrations,
        totals.reach,
    )  # the build's summary counts as reports do
    # cancelled activities (some had sign-ups) are in the tables but not in the counts
    assert Activity.objects.filter(status=Status.CANCELLED).exists()


def test_a_town_user_counts_only_their_town(admin):
    town_user = User.objects.get(username="zhujing")
    mine = selectors.activity_totals(user=town_user)
    path = town_user.federation.path
    where = "AND a.federation_id IN (SELECT id FROM orgs_federation WHERE path LIKE %s)"
    assert _sql_counts(where, (f"{path}%",)) == {None: (mine.activities, mine.participants, mine.registrations)}
    assert 0 < mine.activities < selectors.activity_totals(user=admin).activities


# 3. Determinism ------------------------------------------------------------------------------


def _digest() -> str:
    h = hashlib.sha256()
    for a in Activity.objects.order_by("starts_at", "title", "federation_id"):
        keys = sorted(
            a.registrations.values_list("participant_key", "role", "checked_in_at").order_by("participant_key")
        )
        campaign = a.campaign.title if a.campaign else ""
        row = (a.title, a.starts_at.isoformat(), a.ends_at.isoformat(), a.federation_id, a.kind, a.project,
               a.mode, a.status, campaign, a.audience, a.online_views, a.summary, keys)  # fmt: skip
        h.update(repr(row).encode())
    return h.hexdigest()


def test_the_same_seed_gives_the_same_activities(admin):
    """Rebuild the activities on the same registry with the same seed: the same titles, dates,
    participants and outcomes (the check-in codes are random, as in the service)."""
    first = _digest()
    with transaction.atomic():
        Activity.objects.all().delete()
        Campaign.objects.all().delete()
        ctx = DemoContext(seed=SEED, scale=SCALE, admin=admin, district=Federation.objects.get(parent=None))
        build_activities(ctx)
        assert _digest() == first
        transaction.set_rollback(True)
