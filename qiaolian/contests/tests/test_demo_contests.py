"""The demo's contests, competition projects and news (2018–2022): the seed's figures hold
(“充满阳光” 五年来共收到投稿2000余件; 创业大赛 海外项目1658个、港澳项目177个), the counts the
pages make equal direct SQL, every entry is complete (files, scores, result) and the generator
is deterministic."""

from __future__ import annotations

import hashlib
import io
import itertools

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from PIL import Image

from qiaolian.accounts.models import Role, User
from qiaolian.activities.models import Activity
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.audit.services import audit_verify
from qiaolian.contests import selectors, selectors_projects
from qiaolian.contests.models import (
    Award,
    Category,
    CategoryKind,
    CompetitionProject,
    Contest,
    ContestStatus,
    Criterion,
    Entry,
    EntryFile,
    EntryStatus,
    FileKind,
    Processing,
    Score,
    SourceRegion,
    TeamMember,
)
from qiaolian.contests.services import contest_results
from qiaolian.contests.services_projects import project_problems
from qiaolian.demo import build_demo
from qiaolian.demo.contests import (
    ENTRIES,
    HONG_KONG_PROJECTS,
    JUDGES,
    MACAO_PROJECTS,
    OVERSEAS_PROJECTS,
    POOL,
    build_competition_projects,
    build_contests,
)
from qiaolian.demo.context import DemoContext
from qiaolian.orgs.models import Federation, Level
from qiaolian.portal.models import News, PrivacyNotice

SCALE = 0.05
SEED = 2017
YEARS = range(2018, 2023)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One build for the module, rolled back after it (each test still runs in its own nested
    transaction through ``db``)."""
    with django_db_blocker.unblock(), transaction.atomic():
        notices = PrivacyNotice.objects.count()
        summary = build_demo(seed=SEED, scale=SCALE)
        summary.notices_before = notices
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def admin(demo, db) -> User:
    return User.objects.get(username="admin")


def _sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [tuple(row) for row in cursor.fetchall()]


# 1. The seed's figures, counted as the pages count them and by direct SQL -----------------------


def test_entries_per_year_and_category_equal_direct_sql_and_the_seed(admin):
    rows = _sql(
        """SELECT c.year, cat.kind, COUNT(*) FROM contests_entry e
           JOIN contests_contest c ON e.contest_id = c.id
           JOIN contests_category cat ON e.category_id = cat.id
           WHERE e.status <> 'withdrawn'
           GROUP BY c.year, cat.kind"""
    )
    by_sql = {(year, kind): n for year, kind, n in rows}
    counted = {(r["year"], r["kind"]): r["n"] for r in selectors.entry_counts(user=admin)}
    assert counted == by_sql
    per_year = {year: sum(n for (y, _k), n in by_sql.items() if y == year) for year in YEARS}
    assert per_year == ENTRIES  # fixed figures, the same at every scale
    assert dict(_sql("SELECT c.year, COUNT(*) FROM contests_entry e JOIN contests_contest c "
                     "ON e.contest_id = c.id GROUP BY c.year")) == ENTRIES  # fmt: skip
    assert sum(per_year.values()) > 2000  # 五年来共收到投稿2000余件
    for year in YEARS:
        assert {k for (y, k) in by_sql if y == year} == set(CategoryKind.values), year
    video = {year: by_sql[(year, CategoryKind.VIDEO)] / per_year[year] for year in YEARS}
    assert video[2020] > video[2019]  # the pandemic year turned to video


def test_projects_per_source_region_equal_direct_sql_and_the_seed(admin):
    by_sql = dict(_sql("SELECT source_region, COUNT(*) FROM contests_competitionproject GROUP BY source_region"))
    assert by_sql == {"overseas": 1658, "hong_kong": 121, "macao": 56}
    assert by_sql["hong_kong"] + by_sql["macao"] == 177  # 港澳项目177个
    counts = selectors_projects.project_counts(user=admin)
    assert set(counts) == set(YEARS)
    per_year_sql = {
        (year, region): n
        for year, region, n in _sql(
            "SELECT year, source_region, COUNT(*) FROM contests_competitionproject GROUP BY year, source_region"
        )
    }
    assert {(y, r): n for y, regions in counts.items() for r, n in regions.items()} == per_year_sql
    for year in YEARS:
        assert counts[year][SourceRegion.OVERSEAS] == OVERSEAS_PROJECTS[year]
        assert counts[year][SourceRegion.HONG_KONG] == HONG_KONG_PROJECTS[year]
        assert counts[year][SourceRegion.MACAO] == MACAO_PROJECTS[year]
    # spread over countries; overseas projects all name one, HK/Macao ones none but their own
    countries = selectors_projects.project_counts_by_country(user=admin)
    assert all(len(by_country) >= 10 for by_country in countries.values())
    assert not CompetitionProject.objects.filter(source_region=SourceRegion.OVERSEAS, country="").exists()
    assert not CompetitionProject.objects.exclude(source_region=SourceRegion.OVERSEAS).exclude(country="").exists()


def test_projects_have_teams_channels_outcomes_and_town_federations(admin):
    projects = CompetitionProject.objects.all()
    # the rows fit the rules the import service checks
    assert not [
        p.pk for p in projects if project_problems(year=p.year, source_region=p.source_region, country=p.country)
    ]
    assert _sql(
        "SELECT COUNT(*) FROM contests_competitionproject p WHERE NOT EXISTS "
        "(SELECT 1 FROM contests_teammember m WHERE m.project_id = p.id AND m.is_leader)"
    ) == [(0,)]
    sizes = dict(_sql("SELECT n, COUNT(*) FROM (SELECT COUNT(*) AS n FROM contests_teammember "
                      "GROUP BY project_id) t GROUP BY n"))  # fmt: skip
    assert set(sizes) == {1, 2, 3, 4}
    leaders = TeamMember.objects.filter(is_leader=True).select_related("project")
    assert all(m.name == m.project.leader_name for m in leaders[:200])
    channels = dict(_sql("SELECT referral_channel, COUNT(*) FROM contests_competitionproject GROUP BY 1"))
    assert max(channels, key=channels.get) == "federation"  # 侨联推荐 most
    outcomes = dict(_sql("SELECT outcome, COUNT(*) FROM contests_competitionproject GROUP BY 1"))
    assert outcomes["registered"] + outcomes["preliminary"] > 0.6 * projects.count()
    assert outcomes["settled"] > 0 and outcomes["awarded"] > 0
    district = Federation.objects.get(parent=None)
    by_town = projects.exclude(federation=district)
    assert 0 < by_town.count() < projects.filter(federation=district).count()
    assert set(by_town.values_list("federation__level", flat=True)) == {Level.TOWN}
    assert by_town.filter(federation__short_name="金山工业区").exists()


# 2. Every entry is complete ---------------------------------------------------------------------


def test_five_contests_final_with_categories_criteria_and_five_judges(admin):
    contests = list(Contest.objects.order_by("year"))
    assert [c.year for c in contests] == list(YEARS)
    judges = set(User.objects.filter(username__in=[a.username for a in JUDGES], role=Role.JUDGE))
    assert len(judges) == 5
    for contest in contests:
        assert contest.title == f"{contest.year}年“充满阳光”侨界人士摄影、微视频大赛" and contest.title_en
        assert contest.status == ContestStatus.FINAL and contest.results_published_at > contest.closes_at
        assert set(contest.judges.all()) == judges
        kinds = {c.kind: c for c in contest.categories.all()}
        assert (kinds["photo_single"].max_files, kinds["photo_set"].min_files, kinds["photo_set"].max_files) == (
            1,
            4,
            6,
        )
        assert (kinds["video"].max_duration_seconds, kinds["video"].max_file_mb) == (300, 500)
        weights = {c.name: (c.weight, c.max_score) for c in contest.criteria.all()}
        assert weights == {"主题表现": (30, 10), "艺术性": (30, 10), "技术质量": (20, 10), "创新性": (20, 10)}
        assert not contest.entries.exclude(
            submitted_at__gte=contest.opens_at, submitted_at__lte=contest.closes_at
        ).exists()


def test_every_eligible_entry_has_every_judges_score_on_every_criterion(admin):
    criteria = Criterion.objects.filter(contest__year=2018).count()
    eligible = Entry.objects.filter(status=EntryStatus.ELIGIBLE)
    scored = _sql(
        """SELECT e.id, COUNT(*), COUNT(DISTINCT s.judge_id), COUNT(DISTINCT s.criterion_id)
           FROM contests_entry e JOIN contests_score s ON s.entry_id = e.id
           WHERE e.status = 'eligible' GROUP BY e.id"""
    )
    assert len(scored) == eligible.count()
    assert {row[1:] for row in scored} == {(5 * criteria, 5, criteria)}
    assert not Score.objects.exclude(entry__status=EntryStatus.ELIGIBLE).exists()
    assert _sql(
        """SELECT COUNT(*) FROM contests_score s JOIN contests_entry e ON s.entry_id = e.id
           WHERE NOT EXISTS (SELECT 1 FROM contests_contest_judges j
                             WHERE j.contest_id = e.contest_id AND j.user_id = s.judge_id)"""
    ) == [(0,)]  # only the contest's own panel scores
    ineligible = Entry.objects.filter(status=EntryStatus.INELIGIBLE)
    assert 0 < ineligible.count() < 0.05 * Entry.objects.count()
    assert not ineligible.filter(ineligible_reason="").exists()
    assert not eligible.exclude(ineligible_reason="").exists()


def test_scores_ranks_and_awards_follow_the_contests_rule(admin):
    for contest in Contest.objects.order_by("year"):
        results = contest_results(contest)
        entries = {e.pk: e for e in contest.entries.filter(status=EntryStatus.ELIGIBLE)}
        assert results and all(r.is_complete for r in results.values())
        assert {pk: r.score for pk, r in results.items()} == {pk: e.score for pk, e in entries.items()}
        for category in contest.categories.all():
            ranked = sorted((e for e in entries.values() if e.category_id == category.pk), key=lambda e: e.rank)
            assert ranked[0].rank == 1
            for before, after in itertools.pairwise(ranked):
                assert before.score >= after.score
                assert (after.rank == before.rank) == (after.score == before.score)
            awards = [e.award for e in ranked]
            # 1 一等奖, 2 二等奖, 3 三等奖, then 优秀奖 by rank; works tied at a boundary get the better award
            cumulative = itertools.accumulate(awards.count(a) for a in (Award.FIRST, Award.SECOND, Award.THIRD))
            assert [n >= limit for n, limit in zip(cumulative, (1, 3, 6), strict=True)] == [True] * 3
            assert awards.count(Award.EXCELLENCE) >= 1 and len([a for a in awards if a]) >= 11
            order = ["first", "second", "third", "excellence", ""]
            assert [order.index(a) for a in awards] == sorted(order.index(a) for a in awards), category
        assert not contest.entries.exclude(status=EntryStatus.ELIGIBLE).exclude(award="").exists()


def test_every_entry_has_ready_files_with_web_copy_and_thumbnail(admin):
    assert not Entry.objects.filter(files__isnull=True).exists()
    assert not EntryFile.objects.exclude(processing=Processing.READY).exists()
    assert not EntryFile.objects.filter(web="").exists() and not EntryFile.objects.filter(thumbnail="").exists()
    counts = _sql(
        """SELECT cat.kind, e.status, COUNT(f.id) FROM contests_entry e
           JOIN contests_category cat ON e.category_id = cat.id
           JOIN contests_entryfile f ON f.entry_id = e.id GROUP BY e.id, cat.kind, e.status"""
    )
    for kind, status, n in counts:
        category = Category.objects.filter(kind=kind).first()
        if status == EntryStatus.ELIGIBLE:
            assert category.min_files <= n <= category.max_files, (kind, n)
    assert set(EntryFile.objects.filter(entry__category__kind="video").values_list("kind", flat=True)) == {
        FileKind.VIDEO
    }
    names = set(EntryFile.objects.values_list("web", flat=True)) | set(
        EntryFile.objects.values_list("thumbnail", flat=True)
    )
    assert len(names) == 2 * POOL + 1 + 4  # the pictures and thumbnails, the video and its posters, stored once
    assert all(default_storage.exists(name) for name in names)
    for f in EntryFile.objects.filter(kind=FileKind.IMAGE).order_by("id")[:3]:
        with default_storage.open(f.web.name) as fh:
            data = fh.read()
        image = Image.open(io.BytesIO(data))
        assert (image.width, image.height) == (f.width, f.height) and len(data) == f.size < 200_000
        assert not image.getexif()
        with default_storage.open(f.thumbnail.name) as fh:
            assert max(Image.open(io.BytesIO(fh.read())).size) == 480
    assert EntryFile.objects.values("sha256").distinct().count() == EntryFile.objects.count()


def test_authors_are_mostly_local_with_overseas_ones_and_registry_links(admin):
    entries = Entry.objects.all()
    overseas = entries.exclude(author_country="CN")
    assert 0.1 * entries.count() < overseas.count() < 0.25 * entries.count()
    assert overseas.values("author_country").distinct().count() >= 8
    assert entries.filter(person__isnull=False).exists()
    assert all(e.author_name == e.person.name for e in entries.filter(person__isnull=False).select_related("person"))
    per_author = _sql(
        "SELECT contest_id, author_phone_hash, COUNT(*) FROM contests_entry WHERE author_phone_hash IS NOT NULL "
        "AND author_phone_hash <> '' GROUP BY contest_id, author_phone_hash HAVING COUNT(*) > 3"
    )
    assert per_author == []  # no one sends more than three works a year (authors known by their phone)
    regulars = _sql(
        "SELECT author_phone_hash FROM contests_entry WHERE author_phone_hash IS NOT NULL AND author_phone_hash <> '' "
        "GROUP BY author_phone_hash HAVING COUNT(DISTINCT contest_id) >= 3"
    )
    assert regulars  # some send works year after year


# 3. The portal's news -----------------------------------------------------------------------------


def test_news_over_the_years_in_two_languages_linked_to_published_activities(admin, demo):
    news = list(News.objects.all())
    assert 25 <= len(news) <= 40
    assert all(n.published_at and n.title and n.title_en and n.body and n.body_en for n in news)
    years = {n.published_at.year for n in news}
    assert set(YEARS) <= years
    linked = [n for n in news if n.activity_id]
    assert len(linked) >= 10
    assert all(n.activity.is_published for n in linked)
    assert not Activity.objects.filter(news__isnull=False, is_published=False).exists()
    results = News.objects.get(title="2022年“充满阳光”侨界人士摄影、微视频大赛评选结果揭晓")
    assert f"共收到投稿{ENTRIES[2022]}件" in results.body
    assert PrivacyNotice.objects.count() == demo.notices_before  # the notice is the migration's


# 4. The build's summary and determinism ---------------------------------------------------------


def test_the_summary_shows_the_seed_figures(demo, admin):
    assert demo.contest_entries == sorted(ENTRIES.items())
    assert sum(n for _y, n in demo.contest_entries) == Entry.objects.count() > 2000
    assert demo.competition_projects == [("海外", 1658), ("香港", 121), ("澳门", 56)]
    assert [row[0] for row in demo.judges] == [a.username for a in JUDGES]
    district = str(Federation.objects.get(parent=None))
    assert {(row[1], row[2]) for row in demo.judges} == {(str(Role.JUDGE.label), district)}
    judge = User.objects.get(username=JUDGES[0].username)
    assert judge.check_password(demo.password) and judge.display_name == JUDGES[0].display_name
    assert {name for name, _s in demo.step_seconds} >= {"contests", "projects", "portal"}
    report = audit_verify()  # the bulk writes are recorded in the chain, which stays valid
    assert report.ok, report.reason
    lots = AuditEntry.objects.filter(action=Action.CREATE, data__source="demo-data", data__entries__isnull=False)
    assert sorted(e.data["entries"] for e in lots) == sorted(ENTRIES.values())


def _digest() -> str:
    h = hashlib.sha256()
    for e in Entry.objects.select_related("category", "contest").order_by("code"):
        files = list(e.files.order_by("order").values_list("web", "thumbnail", "sha256"))
        scores = sorted(
            (s.judge.username, s.criterion.name, str(s.value)) for s in e.scores.select_related("judge", "criterion")
        )
        row = (e.code, e.contest.year, e.category.kind, e.title, e.author_name, str(e.author_country),
               e.author_phone_hash, e.status, e.ineligible_reason,
               e.submitted_at.isoformat(), str(e.score), e.rank, e.award, e.person_id, files, scores)  # fmt: skip
        h.update(repr(row).encode())
    for p in CompetitionProject.objects.order_by("year", "name", "leader_name"):
        members = list(p.members.order_by("-is_leader", "id").values_list("name", "role", "nationality"))
        row = (p.year, p.name, p.leader_name, p.source_region, str(p.country), p.field, p.stage,
               p.referral_channel, p.outcome, p.federation_id, p.import_ref, p.summary, members)  # fmt: skip
        h.update(repr(row).encode())
    return h.hexdigest()


def test_the_same_seed_gives_the_same_contests_and_projects(admin):
    """Rebuild both steps on the same registry with the same seed: the same entries, files,
    scores, results and projects."""
    first = _digest()
    counts = (Entry.objects.count(), Score.objects.count(), CompetitionProject.objects.count())
    with transaction.atomic():
        News.objects.all().delete()
        Score.objects.all().delete()
        EntryFile.objects.all().delete()
        Entry.objects.all().delete()
        Contest.objects.all().delete()
        CompetitionProject.objects.all().delete()
        users = {u.username: u for u in User.objects.all()}
        ctx = DemoContext(
            seed=SEED, scale=SCALE, admin=users["admin"], district=Federation.objects.get(parent=None), users=users
        )
        build_contests(ctx)
        build_competition_projects(ctx)
        assert (Entry.objects.count(), Score.objects.count(), CompetitionProject.objects.count()) == counts
        assert _digest() == first
        transaction.set_rollback(True)
