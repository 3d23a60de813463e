"""Generate a Jinshan registry of N persons and five years of work on it, fast.

The organization (district, towns, community groups, stations, partner, the demo accounts) comes
from the demo's own steps (``qiaolian.demo``), so names, users and structure are the demo's; with
``demo_scale`` > 0 the whole demo is built first at that scale (contests, competition projects,
elections, liaison …, the records every dashboard chart reads besides the big tables). Then the
big tables are streamed in with ``COPY`` (``bench.copy``) in batches:

- persons town by town (each town a contiguous id range, so activities draw their participants
  from their own town), in units of three that share an area and an address (a household for most
  units), with ~1.3 overseas ties each; ID numbers and phones go through the model fields' own
  encryption and blind index; 2 % of the rows are planted duplicates of realistic kinds, with the
  ground truth in the table ``bench_planted_duplicate`` (for record linkage's precision and recall);
- activities over 2018–2022 (a 侨法宣传月 campaign every March) and their registrations;
- aid nominations and hand-overs for the persons in hardship, cases, and contest entries.

A person's core attributes (town, area, sex, birth, name, category, phone) are a function of its
id and the seed (``Generator.core``), so later tables can name a person without keeping a million
names in memory. Memory does not grow with N beyond one batch.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import random
import time
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import lru_cache

import opencc
from django.db import connection, transaction
from stdnum.cn import ric

from qiaolian.activities.models import Activity, ActivityKind, Brand, Mode, Registration, Role, Status
from qiaolian.activities.models import Campaign as ActivityCampaign
from qiaolian.activities.services import CODE_ALPHABET, CODE_LENGTH
from qiaolian.aid.models import AidKind, CampaignStatus, HandOver, Nomination, NominationStatus
from qiaolian.aid.models import Campaign as AidCampaign
from qiaolian.bench.copy import Progress, Table, copy_rows, next_id, reset_sequence
from qiaolian.casework.models import (
    TYPE_RULES,
    Case,
    CaseSequence,
    CaseType,
    Channel,
    ConsultationTopic,
    Outcome,
    RightsCategory,
    Satisfaction,
    State,
    SuggestionTopic,
)
from qiaolian.contests.models import Category as ContestCategory
from qiaolian.contests.models import CategoryKind, Contest, ContestStatus, Entry, EntryStatus
from qiaolian.core.projects import Project
from qiaolian.core.protected import lookup_hash
from qiaolian.core.text import initials_key, pinyin_key, search_key
from qiaolian.demo import geography as geo
from qiaolian.demo import identity, names, overseas
from qiaolian.demo.build import STEPS
from qiaolian.demo.context import DemoContext
from qiaolian.demo.rand import Weighted
from qiaolian.registry import choices as c
from qiaolian.registry.models import Household, OverseasTie, Person

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
YEARS = range(2018, 2023)
FIRST_DAY, LAST_DAY = dt.date(2018, 1, 1), dt.date(2022, 12, 31)
ORGANISATION_STEPS = ("district", "admin", "towns", "accounts", "stations", "partner")
UNIT = 3  # persons per unit (a household for most units)
BATCH = 20_000  # persons per COPY batch
GROUND_TRUTH_TABLE = "bench_planted_duplicate"
GENERATION_TABLE = "bench_generation"

CATEGORIES = Weighted(
    [
        (c.Category.RELATIVE, 50),
        (c.Category.HK_MACAO_RELATIVE, 9),
        (c.Category.RETURNEE, 8),
        (c.Category.RETURNED_STUDENT, 10),
        (c.Category.STUDENT_RELATIVE, 8),
        (c.Category.STUDENT_ABROAD, 5),
        (c.Category.OVERSEAS_CHINESE, 3),
        (c.Category.FOREIGN_CHINESE, 3),
        (c.Category.HK_MACAO, 3),
        (c.Category.OTHER, 1),
    ]
)
BIRTHS = {
    c.Category.RETURNEE: Weighted([((1930, 1944), 30), ((1945, 1955), 35), ((1956, 1970), 25), ((1971, 1990), 10)]),
    c.Category.RETURNED_STUDENT: Weighted([((1962, 1972), 10), ((1973, 1979), 20), ((1980, 1989), 45),
                                           ((1990, 1997), 25)]),
    c.Category.STUDENT_ABROAD: Weighted([((1990, 1996), 40), ((1997, 2004), 60)]),
    c.Category.STUDENT_RELATIVE: Weighted([((1955, 1965), 40), ((1966, 1980), 60)]),
}  # fmt: skip
DEFAULT_BIRTHS = Weighted(
    [((1930, 1944), 10), ((1945, 1954), 17), ((1955, 1964), 22), ((1965, 1974), 18), ((1975, 1984), 13),
     ((1985, 1994), 10), ((1995, 2004), 7), ((2005, 2010), 3)]
)  # fmt: skip
TIES = {  # category → weighted number of overseas ties (mean ≈ 1.3 over the mix)
    c.Category.RELATIVE: Weighted([(1, 55), (2, 30), (3, 15)]),
    c.Category.HK_MACAO_RELATIVE: Weighted([(1, 60), (2, 30), (3, 10)]),
    c.Category.STUDENT_RELATIVE: Weighted([(1, 85), (2, 15)]),
    c.Category.RETURNEE: Weighted([(0, 50), (1, 40), (2, 10)]),
}
OTHER_TIES = Weighted([(0, 70), (1, 30)])
RELATIONS = Weighted(
    [(c.RelativeRelation.SON, 22), (c.RelativeRelation.DAUGHTER, 20), (c.RelativeRelation.BROTHER, 12),
     (c.RelativeRelation.SISTER, 12), (c.RelativeRelation.SPOUSE, 8), (c.RelativeRelation.FATHER, 5),
     (c.RelativeRelation.MOTHER, 5), (c.RelativeRelation.GRANDCHILD, 8), (c.RelativeRelation.CHILD_SPOUSE, 8)]
)  # fmt: skip
TIE_STATUS = Weighted(
    [
        (c.RelativeStatus.OVERSEAS_CHINESE, 45),
        (c.RelativeStatus.FOREIGN_CHINESE, 40),
        (c.RelativeStatus.STUDENT_ABROAD, 15),
    ]
)
MODES = Weighted(
    [(c.EmigrationMode.SETTLEMENT, 35), (c.EmigrationMode.STUDY, 30), (c.EmigrationMode.MARRIAGE, 12),
     (c.EmigrationMode.LABOUR, 12), (c.EmigrationMode.BUSINESS, 11)]
)  # fmt: skip
EDUCATION = Weighted(
    [(c.Education.PRIMARY, 12), (c.Education.JUNIOR, 25), (c.Education.SENIOR, 25), (c.Education.COLLEGE, 13),
     (c.Education.BACHELOR, 18), (c.Education.MASTER, 6), (c.Education.DOCTOR, 1)]
)  # fmt: skip
HARDSHIP_TYPES = [h for h, _ in c.Hardship.choices if h != c.Hardship.OTHER]
ORIGINS = Weighted([(code, weight) for code, _name, _flag, weight in geo.MIGRANT_ORIGINS])

# Activities: (kind, project, weight).
KINDS: tuple[tuple[str, str, float], ...] = (
    (ActivityKind.LAW, Project.HUIQIAO, 6), (ActivityKind.LECTURE, Project.NINGXIN, 12),
    (ActivityKind.GATHERING, Project.NINGXIN, 14), (ActivityKind.PUBLICITY, Project.NINGXIN, 8),
    (ActivityKind.STUDY, Project.NINGXIN, 8), (ActivityKind.PERFORMANCE, Project.NINGXIN, 5),
    (ActivityKind.EXHIBITION, Project.NINGXIN, 3), (ActivityKind.TRAINING, Project.QIANGJI, 8),
    (ActivityKind.VISIT, Project.HUIQIAO, 12), (ActivityKind.VOLUNTEER, Project.HUIQIAO, 6),
    (ActivityKind.ENTERPRISE, Project.JULI, 5), (ActivityKind.RESEARCH, Project.JULI, 3),
    (ActivityKind.LIAISON, Project.HUIQIAO, 3), (ActivityKind.MEETING, Project.QIANGJI, 5),
)  # fmt: skip
KIND_PICK = Weighted([((k, p), w) for k, p, w in KINDS])
KIND_LABELS = dict(ActivityKind.choices)
ORGANIZATIONS = ("区委统战部", "区司法局", "区卫健委", "区教育局", "区科委", "区工商联", "区台办", "区文旅局")

# Planted duplicates: kind → weight.
DUPLICATE_KINDS = Weighted(
    [("typo", 25), ("traditional", 20), ("swapped_date", 20), ("missing_id", 20), ("changed_phone", 15)]
)
# Given-name characters written with a similar-sounding or similar-looking one.
CONFUSABLE = dict(
    zip(
        "明华英伟丽静军建国平红梅芳文志玲秀兰德林强海云凤萍敏杰宏",
        "铭化瑛玮俐靖君健帼萍虹枚方雯智龄绣岚得琳锵涛芸风苹民洁弘",
        strict=True,
    )
)


@dataclass(frozen=True)
class Core:
    """What every table knows of a person, recomputed from its id (``Generator.core``)."""

    pid: int
    town: geo.Town
    area: geo.Area
    federation_id: int
    male: bool
    birth: dt.date
    name: str
    category: str
    phone: str


@dataclass
class Generated:
    persons: int = 0
    duplicates: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)  # seconds
    rates: dict[str, float] = field(default_factory=dict)  # rows/s of the COPY steps
    seconds: float = 0.0


def _keys_uncached(name: str) -> tuple[str, str, str]:
    return search_key(name)[:60], pinyin_key(name)[:200], initials_key(name)[:60]


_keys = lru_cache(maxsize=200_000)(_keys_uncached)


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    return _s2t().convert(text)


def _hardship(pid: int) -> bool:
    """4 % of persons, spread evenly, decided without a random draw (so any pass can ask)."""
    return (pid * 2654435761) % 1000 < 40


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _registration_code(index: int) -> str:
    """A distinct check-in code per index: a fixed permutation of 26^8, written in the alphabet."""
    base = len(CODE_ALPHABET)
    space = base**CODE_LENGTH
    n = (index * 48_271_109 + 7_654_321) % space  # 48271109 is prime, coprime to 26
    out = []
    for _ in range(CODE_LENGTH):
        n, r = divmod(n, base)
        out.append(CODE_ALPHABET[r])
    return "".join(out)


class Generator:
    def __init__(
        self,
        *,
        persons: int,
        participations: float = 5.0,
        seed: int = 2017,
        demo_scale: float = 0.0,
        duplicate_share: float = 0.02,
        write: Callable[[str], None] | None = None,
    ):
        if persons < 30:
            raise ValueError("at least 30 persons")
        self.n = persons
        self.participations = participations
        self.seed = seed
        self.demo_scale = demo_scale
        self.duplicates = round(persons * duplicate_share)
        self.originals = persons - self.duplicates
        self.write = write or (lambda s: None)
        self.result = Generated()
        self._resident_seq: dict[tuple[str, int, bool], int] = {}  # bounded by areas × days × 2
        self._person_table = self._ties_table = None

    # Driver ------------------------------------------------------------------------------------

    def run(self) -> Generated:
        started = time.perf_counter()
        # Each step, and each batch within a step, is its own transaction (a savepoint when the
        # caller holds one, as tests do): deferred foreign-key checks run batch by batch.
        with transaction.atomic():
            self._step("organisation", self.build_organisation)
        self._step("persons", self.build_persons)
        self._step("activities", self.build_activities)
        with transaction.atomic():
            self._step("aid", self.build_aid)
            self._step("cases", self.build_cases)
            self._step("contests", self.build_contest_entries)
            for model in (Household, Person, OverseasTie, Activity, Registration, Nomination, HandOver, Case, Entry):
                reset_sequence(model)
        self._step("analyze", lambda: _execute("ANALYZE"))
        from qiaolian.reports.figures import figures_changed

        figures_changed()  # COPY sends no model signals: figures computed before are stale
        self.result.counts = row_counts()
        self.result.seconds = round(time.perf_counter() - started, 1)
        self._record()
        return self.result

    def _record(self) -> None:
        """Keep what was generated in the bench database itself, so a later run with ``--reuse``
        reports the generation it measures on."""
        parameters = {
            "persons": self.n,
            "participations": self.participations,
            "seed": self.seed,
            "demo_scale": self.demo_scale,
            "duplicates": self.duplicates,
        }
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {GENERATION_TABLE} (id serial PRIMARY KEY, "
                "created_at timestamptz NOT NULL DEFAULT now(), parameters json NOT NULL, result json NOT NULL)"
            )
            cursor.execute(
                f"INSERT INTO {GENERATION_TABLE} (parameters, result) VALUES (%s, %s)",
                [json.dumps(parameters), json.dumps(asdict(self.result))],
            )

    def _step(self, name: str, fn: Callable[[], None]) -> None:
        self.write(f"[{name}]")
        t = time.perf_counter()
        fn()
        self.result.steps[name] = round(time.perf_counter() - t, 2)
        self.write(f"[{name}] {self.result.steps[name]:.1f} s")

    def _copy(self, label: str, table: Table, rows: Iterator[tuple], progress: Progress) -> int:
        return copy_rows(table, rows, progress)

    # Organisation ------------------------------------------------------------------------------

    def build_organisation(self) -> None:
        ctx = DemoContext(seed=self.seed, scale=self.demo_scale or 1.0)
        for name, step in STEPS:
            if self.demo_scale > 0 or name in ORGANISATION_STEPS:
                step(ctx)
        self.ctx = ctx
        self.admin_id = ctx.actor().pk
        self.district_id = ctx.district.pk
        self.town_fed = {t.key: ctx.towns[t.key].pk for t in geo.TOWNS}
        self.group_fed = {key: f.pk for key, f in ctx.groups.items()}
        # Each town a contiguous range of ids, sized by its share of the registry.
        self.person_base = next_id(Person)
        self.household_base = next_id(Household)
        total_share = sum(t.share for t in geo.TOWNS)
        self.towns = list(geo.TOWNS)
        self.town_starts, start = [], self.person_base
        for i, town in enumerate(self.towns):
            self.town_starts.append(start)
            count = round(self.originals * town.share / total_share)
            start += count if i < len(self.towns) - 1 else 0
        self.originals_end = self.person_base + self.originals  # originals are [person_base, originals_end)
        self.town_ends = [*self.town_starts[1:], self.originals_end]
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number_hash FROM registry_person WHERE id_number_hash IS NOT NULL")
            self._taken_hashes = {row[0] for row in cursor.fetchall()}  # the demo's few, not ours
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {GROUND_TRUTH_TABLE} (duplicate_id integer PRIMARY KEY, "
                "original_id integer NOT NULL, kind varchar(20) NOT NULL)"
            )

    # Persons -----------------------------------------------------------------------------------

    def town_index(self, pid: int) -> int:
        return bisect.bisect_right(self.town_starts, pid) - 1

    def _unit(self, pid: int) -> tuple[int, int]:
        """(first id of the person's unit, the unit's global index) for an original person."""
        t = self.town_index(pid)
        first = pid - (pid - self.town_starts[t]) % UNIT
        return first, first - self.person_base

    def _area(self, town: geo.Town, unit_rng: random.Random) -> geo.Area:
        pool = town.communities if (unit_rng.random() < town.urban_share or not town.villages) else town.villages
        return unit_rng.choice(pool or town.areas)

    @lru_cache(maxsize=100_000)  # noqa: B019 - one generator per run; the cache is the point
    def core(self, pid: int) -> Core:
        t = self.town_index(pid)
        town = self.towns[t]
        first, _unit_index = self._unit(pid)
        unit_rng = random.Random(f"{self.seed}:unit:{first}")
        area = self._area(town, unit_rng)
        rng = random.Random(self.seed * 10_000_019 + pid)
        category = CATEGORIES.pick(rng)
        first_year, last_year = (BIRTHS.get(category) or DEFAULT_BIRTHS).pick(rng)
        birth = _day(rng, dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))
        male = rng.random() < 0.5
        name = names.full_name(rng, male=male, birth_year=birth.year, southern=category == c.Category.RETURNEE)
        phone = identity.mobile(rng)
        fed = self.group_fed.get((town.key, area.name)) or self.town_fed[town.key]
        return Core(pid, town, area, fed, male, birth, name, category, phone)

    def _resident_id(self, area_code: str, birth: dt.date, male: bool) -> tuple[str, str] | None:
        key = (area_code, birth.toordinal(), male)
        while True:
            n = self._resident_seq.get(key, 0)
            if n >= 500:
                return None
            self._resident_seq[key] = n + 1
            body = f"{area_code}{birth:%Y%m%d}{n * 2 + (1 if male else 0):03d}"
            number = body + ric.calc_check_digit(body + "0")
            digest = lookup_hash("id_number", number)
            if digest not in self._taken_hashes:
                return number, digest

    def _identity(self, core: Core, rng: random.Random) -> tuple[str, str | None, str | None]:
        """(id type, token, hash) of the person's document; 5 % have none on file."""
        if rng.random() < 0.05:
            return c.IdType.RESIDENT_ID, None, None
        pid = core.pid
        if core.category == c.Category.HK_MACAO:
            number = f"H{10_000_000 + (pid * 7919) % 90_000_000}"
            kind = c.IdType.HK_MACAO_PERMIT
        elif core.category == c.Category.FOREIGN_CHINESE:
            number = f"P{10_000_000 + (pid * 7927) % 90_000_000}"
            kind = c.IdType.PASSPORT
        else:
            if rng.random() < 0.15:
                area_code = ORIGINS.pick(rng)
            else:
                area_code = geo.OLD_AREA_CODE if core.birth.year < geo.AREA_CODE_SWITCH_YEAR else geo.NEW_AREA_CODE
            made = self._resident_id(area_code, core.birth, core.male)
            if made is None:
                return c.IdType.RESIDENT_ID, None, None
            number, digest = made
            return c.IdType.RESIDENT_ID, self._id_field.get_prep_value(number), digest
        return kind, self._id_field.get_prep_value(number), lookup_hash("id_number", number)

    def _tables(self) -> None:
        self._id_field = Person._meta.get_field("id_number")
        self._phone_field = Person._meta.get_field("phone")
        self._address_field = Person._meta.get_field("address")
        self.person_table = Table(
            Person,
            [
                "id", "federation", "name", "name_key", "name_pinyin", "name_initials", "sex", "birth_date",
                "id_type", "id_number", "id_number_hash", "nationality", "residence_country", "category",
                "is_new_overseas", "emigration_period", "returned_from", "returned_year", "address", "phone",
                "phone_hash", "education", "political_status", "is_in_hardship", "hardship_types",
                "living_status", "deceased_on", "verification", "source", "household", "household_relation",
                "is_archived", "archived_reason", "archived_at", "created_by",
            ],
            constants={"ethnicity": "汉族"},
        )  # fmt: skip
        self.household_table = Table(Household, ["id", "federation", "label", "address", "area"])
        self.tie_table = Table(
            OverseasTie,
            ["id", "person", "name", "relation", "status", "country", "city", "emigrated_year", "emigration_mode"],
        )
        self.truth_table_sql = f"COPY {GROUND_TRUTH_TABLE} (duplicate_id, original_id, kind) FROM STDIN"

    def build_persons(self) -> None:
        self._tables()
        self.tie_id = next_id(OverseasTie)
        progress = {k: Progress(k, write=self.write) for k in ("persons", "households", "overseas ties")}
        end = self.person_base + self.n
        for lo in range(self.person_base, end, BATCH):
            hi = min(lo + BATCH, end)
            households, persons, ties, truth = [], [], [], []
            for pid in range(lo, hi):
                if pid < self.originals_end:
                    self._original(pid, households, persons, ties)
                else:
                    self._duplicate(pid, persons, truth)
            with transaction.atomic():
                copy_rows(self.household_table, iter(households), progress["households"])
                copy_rows(self.person_table, iter(persons), progress["persons"])
                copy_rows(self.tie_table, iter(ties), progress["overseas ties"])
                if truth:
                    with connection.cursor() as cursor, cursor.cursor.copy(self.truth_table_sql) as copy:
                        for row in truth:
                            copy.write_row(row)
        for p in progress.values():
            p.done()
            self.result.rates[p.label] = round(p.rate)
        self.result.persons = self.n
        self.result.duplicates = self.duplicates

    def _original(self, pid: int, households: list, persons: list, ties: list) -> None:
        core = self.core(pid)
        rng = random.Random(self.seed * 20_000_003 + pid)
        first, unit_index = self._unit(pid)
        unit_rng = random.Random(f"{self.seed}:unit:{first}")
        self._area(core.town, unit_rng)  # the same draws as in core()
        has_household = unit_rng.random() < 0.6
        address = identity.street_address(unit_rng, core.town, core.area)
        if pid == first or not hasattr(self, "_unit_address"):
            self._unit_address = self._address_field.get_prep_value(address)
        household_id, relation = None, ""
        if has_household:
            household_id = self.household_base + unit_index
            relation = (c.HouseholdRelation.HEAD, c.HouseholdRelation.SPOUSE, c.HouseholdRelation.CHILD)[pid - first]
            if pid == first:
                households.append((household_id, core.federation_id, f"{core.name}户", self._unit_address,
                                   core.area.name))  # fmt: skip
        persons.append(self._person_row(core, rng, address_token=self._unit_address, household=household_id,
                                        relation=relation))  # fmt: skip
        # Overseas ties.
        count = (TIES.get(core.category) or OTHER_TIES).pick(rng)
        family = names.split_surname(core.name)
        for _ in range(count):
            hk = core.category == c.Category.HK_MACAO_RELATIVE
            if hk:
                country, status = overseas.HK_MACAO.pick(rng), c.RelativeStatus.HK_MACAO
            elif core.category == c.Category.STUDENT_RELATIVE:
                country, status = overseas.STUDY_COUNTRIES.pick(rng), c.RelativeStatus.STUDENT_ABROAD
            else:
                country, status = overseas.RELATIVE_COUNTRIES.pick(rng), TIE_STATUS.pick(rng)
            relation = RELATIONS.pick(rng)
            male = relation in (c.RelativeRelation.SON, c.RelativeRelation.BROTHER, c.RelativeRelation.FATHER)
            rel_year = max(1925, min(2004, core.birth.year + rng.randint(-30, 30)))
            ties.append((
                self.tie_id, pid, names.full_name(rng, male=male, birth_year=rel_year, family=family),
                relation, status, country, overseas.city(rng, country), rng.randint(1980, 2021), MODES.pick(rng),
            ))  # fmt: skip
            self.tie_id += 1

    def _person_row(self, core: Core, rng: random.Random, *, address_token, household, relation,
                    name: str | None = None, identity_override=None, phone: str | None = None,
                    birth: dt.date | None = None) -> tuple:  # fmt: skip
        name = name or core.name
        birth = birth or core.birth
        key, pinyin, initials = _keys(name)
        if identity_override is None:
            id_type, id_token, id_hash = self._identity(core, rng)
        else:
            id_type, id_token, id_hash = identity_override
        phone = core.phone if phone is None else phone
        phone_token, phone_hash = self._phone_field.get_prep_value(phone), lookup_hash("phone", phone)
        category = core.category
        hardship = _hardship(core.pid)
        hardship_types = json.dumps([rng.choice(HARDSHIP_TYPES)] if hardship else [])
        living, deceased_on = c.LivingStatus.LIVING, None
        roll = rng.random()
        if roll < 0.03 and not hardship:
            living, deceased_on = c.LivingStatus.DECEASED, _day(rng, dt.date(2015, 1, 1), LAST_DAY)
        elif roll < 0.05 and not hardship:
            living = c.LivingStatus.MOVED_AWAY
        archived = rng.random() < 0.01
        abroad = category in (c.Category.OVERSEAS_CHINESE, c.Category.FOREIGN_CHINESE, c.Category.STUDENT_ABROAD)
        residence = ""
        if category == c.Category.HK_MACAO:
            residence = overseas.HK_MACAO.pick(rng)
        elif abroad:
            residence = overseas.RELATIVE_COUNTRIES.pick(rng)
        nationality = residence if category == c.Category.FOREIGN_CHINESE else "CN"
        returned_from, returned_year, period = "", None, ""
        if category == c.Category.RETURNEE:
            returned_from = overseas.RELATIVE_COUNTRIES.pick(rng)
            returned_year = max(birth.year + 1, rng.randint(1950, 1990))
            period = c.EmigrationPeriod.BEFORE_1979 if returned_year < 1979 else c.EmigrationPeriod.SINCE_1979
        return (
            core.pid, core.federation_id, name, key, pinyin, initials, c.Sex.MALE if core.male else c.Sex.FEMALE,
            birth, id_type, id_token, id_hash, nationality, residence, category,
            category == c.Category.RETURNED_STUDENT and birth.year >= 1975, period, returned_from, returned_year,
            address_token, phone_token, phone_hash, EDUCATION.pick(rng),
            c.PoliticalStatus.CPC if rng.random() < 0.15 else c.PoliticalStatus.MASSES, hardship, hardship_types,
            living, deceased_on, c.Verification.VERIFIED if rng.random() < 0.6 else c.Verification.SELF_REPORTED,
            c.Source.SURVEY, household, relation, archived, "迁出本区" if archived else "",
            _aware(dt.date(2022, 6, 1), 10) if archived else None, self.admin_id,
        )  # fmt: skip

    def _duplicate(self, pid: int, persons: list, truth: list) -> None:
        rng = random.Random(self.seed * 30_000_001 + pid)
        kind = DUPLICATE_KINDS.pick(rng)
        for _attempt in range(30):
            original = rng.randrange(self.person_base, self.originals_end)
            core = self.core(original)
            name, birth, phone, ident = core.name, core.birth, core.phone, (c.IdType.RESIDENT_ID, None, None)
            if kind == "typo" or kind == "traditional":
                if kind == "traditional":
                    name = to_traditional(core.name)
                else:
                    given = [i for i, ch in enumerate(core.name) if i > 0 and ch in CONFUSABLE]
                    if given:
                        i = rng.choice(given)
                        name = core.name[:i] + CONFUSABLE[core.name[i]] + core.name[i + 1 :]
                if name == core.name:
                    continue
            elif kind == "swapped_date":
                if birth.day > 12 or birth.day == birth.month:
                    continue
                birth = dt.date(birth.year, birth.day, birth.month)
                made = self._resident_id(geo.NEW_AREA_CODE if birth.year >= 1997 else geo.OLD_AREA_CODE, birth,
                                         core.male)  # fmt: skip
                if made:
                    ident = (c.IdType.RESIDENT_ID, self._id_field.get_prep_value(made[0]), made[1])
            elif kind == "changed_phone":
                phone = identity.mobile(rng)
            break
        else:
            kind = "missing_id"
        # Half of the duplicates were registered again by another town.
        if rng.random() < 0.5:
            town = rng.choice(self.towns)
            area = self._area(town, rng)
            fed = self.group_fed.get((town.key, area.name)) or self.town_fed[town.key]
            core = Core(core.pid, town, area, fed, core.male, core.birth, core.name, core.category, core.phone)
        address = self._address_field.get_prep_value(identity.street_address(rng, core.town, core.area))
        row = self._person_row(core, rng, address_token=address, household=None, relation="", name=name,
                               identity_override=ident, phone=phone, birth=birth)  # fmt: skip
        persons.append((pid, *row[1:]))
        truth.append((pid, original, kind))

    # Activities --------------------------------------------------------------------------------

    def build_activities(self) -> None:
        brands = {b.name: b.pk for b in Brand.objects.all()}
        campaigns: dict[int, int] = {}
        for year in YEARS:
            campaign, _ = ActivityCampaign.objects.get_or_create(
                federation_id=self.district_id,
                title=f"{year}年侨法宣传月",
                defaults={
                    "project": Project.HUIQIAO,
                    "brand_id": brands.get("侨法宣传月"),
                    "starts_on": dt.date(year, 3, 1),
                    "ends_on": dt.date(year, 3, 31),
                    "created_by_id": self.admin_id,
                    "description": "每年三月在全区开展侨法宣传月活动。",
                },
            )
            campaigns[year] = campaign.pk
        activity_table = Table(
            Activity,
            ["id", "federation", "title", "kind", "project", "campaign", "mode", "place", "online_platform",
             "starts_at", "ends_at", "capacity", "status", "summary", "audience", "online_views", "created_by"],
        )  # fmt: skip
        registration_table = Table(
            Registration,
            ["id", "activity", "person", "name", "organization", "role", "participant_key", "code",
             "checked_in_at", "created_by", "created_at"],
        )  # fmt: skip
        activities = max(1, round(self.n * self.participations / 100))
        mean = self.n * self.participations / (activities * 0.98)  # 2 % of activities are cancelled
        rng = random.Random(f"{self.seed}:activities")
        aid, rid = next_id(Activity), next_id(Registration)
        with connection.cursor() as cursor:
            cursor.execute("SELECT code FROM activities_registration")
            taken_codes = {row[0] for row in cursor.fetchall()}
        town_pick = Weighted([(i, t.share) for i, t in enumerate(self.towns)])
        progress = {k: Progress(k, write=self.write) for k in ("activities", "registrations")}
        code_index = 0

        def next_code() -> str:
            nonlocal code_index
            while True:
                code = _registration_code(code_index)
                code_index += 1
                if code not in taken_codes:
                    return code

        span_days = (LAST_DAY - FIRST_DAY).days
        for lo in range(0, activities, 500):
            act_rows, reg_rows = [], []
            for _ in range(lo, min(lo + 500, activities)):
                day = FIRST_DAY + dt.timedelta(days=rng.randint(0, span_days))
                kind, project = KIND_PICK.pick(rng)
                campaign = None
                if day.month == 3 and rng.random() < 0.5:
                    kind, project, campaign = ActivityKind.LAW, Project.HUIQIAO, campaigns[day.year]
                if rng.random() < 0.25:
                    fed, lo_id, hi_id, where = self.district_id, self.person_base, self.originals_end, "金山区"
                else:
                    t = town_pick.pick(rng)
                    fed, lo_id, hi_id = self.town_fed[self.towns[t].key], self.town_starts[t], self.town_ends[t]
                    where = self.towns[t].short_name
                mode = Mode.ONLINE if (2020 <= day.year <= 2022 and rng.random() < 0.25) else Mode.OFFLINE
                status = Status.CANCELLED if rng.random() < 0.02 else Status.REPORTED
                if status == Status.REPORTED and day.year < 2021:
                    status = Status.ARCHIVED
                starts = _aware(day, rng.choice((9, 10, 14, 15)), rng.choice((0, 30)))
                title = f"{day.year}年{where}{KIND_LABELS[kind]}活动（{day.month}月{day.day}日）"
                act_rows.append((
                    aid, fed, title, kind, project, campaign, mode, "" if mode == Mode.ONLINE else f"{where}侨之家",
                    "腾讯会议" if mode == Mode.ONLINE else "", starts, starts + dt.timedelta(hours=2), None, status,
                    "", rng.randint(20, 300) if rng.random() < 0.3 else None,
                    rng.randint(100, 5000) if mode == Mode.ONLINE else None, self.admin_id,
                ))  # fmt: skip
                if status != Status.CANCELLED:
                    k = min(hi_id - lo_id, max(3, int(rng.gammavariate(2.0, mean / 2.0))))
                    chosen: set[int] = set()
                    span = hi_id - lo_id
                    while len(chosen) < k:
                        chosen.add(lo_id + int(span * rng.random() ** 2))
                    role = Role.TRAINEE if kind == ActivityKind.TRAINING else Role.PARTICIPANT
                    registered_at = starts - dt.timedelta(days=rng.randint(1, 14))
                    for pid in sorted(chosen):
                        code = next_code()
                        reg_rows.append((rid, aid, pid, self.core(pid).name, "", role, f"p{pid}", code,
                                         starts if rng.random() < 0.8 else None, self.admin_id,
                                         registered_at))  # fmt: skip
                        rid += 1
                    for g in range(rng.choice((0, 0, 0, 1, 2))):  # named guests from the departments
                        org = rng.choice(ORGANIZATIONS)
                        guest = names.full_name(rng, male=rng.random() < 0.5, birth_year=rng.randint(1965, 1990))
                        key = f"n:{guest}|{org}"
                        code = next_code()
                        reg_rows.append((rid, aid, None, guest, org, Role.SPEAKER if g == 0 else Role.PARTICIPANT,
                                         key, code, starts, self.admin_id, registered_at))  # fmt: skip
                        rid += 1
                aid += 1
            # Two guests of one activity may draw the same name and unit: keep the first.
            seen: set[tuple[int, str]] = set()
            rows = []
            for row in reg_rows:
                if (row[1], row[6]) not in seen:
                    seen.add((row[1], row[6]))
                    rows.append(row)
            with transaction.atomic():
                copy_rows(activity_table, iter(act_rows), progress["activities"])
                copy_rows(registration_table, iter(rows), progress["registrations"])
        for p in progress.values():
            p.done()
            self.result.rates[p.label] = round(p.rate)

    # Aid ---------------------------------------------------------------------------------------

    def build_aid(self) -> None:
        brands = {b.name: b.pk for b in Brand.objects.all()}
        plans = (
            (AidKind.SPRING_FESTIVAL, 1, 15, 2, 10),
            (AidKind.SUMMER, 7, 1, 8, 15),
            (AidKind.WINTER, 12, 1, 12, 31),
        )
        campaigns = []
        for year in YEARS:
            for kind, m1, d1, m2, d2 in plans:
                label = dict(AidKind.choices)[kind]
                campaign, _ = AidCampaign.objects.get_or_create(
                    federation_id=self.district_id,
                    title=f"{year}年{label}（全区）",
                    defaults={
                        "kind": kind, "year": year, "brand_id": brands.get(str(label)),
                        "starts_on": dt.date(year, m1, d1), "ends_on": dt.date(year, m2, d2),
                        "status": CampaignStatus.ARCHIVED, "budget": Decimal(self.n * 50),
                        "created_by_id": self.admin_id,
                    },
                )  # fmt: skip
                campaigns.append(campaign)
        nomination_table = Table(
            Nomination,
            ["id", "campaign", "person", "federation", "category", "hardship_types", "reason", "status", "amount",
             "goods", "nominated_by", "nominated_at", "decided_by", "decided_at"],
        )  # fmt: skip
        handover_table = Table(
            HandOver,
            ["id", "nomination", "visited_on", "visitors", "cash_amount", "goods", "recorded_by", "recorded_at"],
        )
        nid, hid = next_id(Nomination), next_id(HandOver)
        rng = random.Random(f"{self.seed}:aid")
        progress = {k: Progress(k, write=self.write) for k in ("nominations", "hand-overs")}
        for lo in range(self.person_base, self.originals_end, BATCH):
            noms, hands = [], []
            for pid in range(lo, min(lo + BATCH, self.originals_end)):
                if not _hardship(pid):
                    continue
                core = self.core(pid)
                for campaign in campaigns:
                    if rng.random() > 0.45:
                        continue
                    roll = rng.random()
                    status = NominationStatus.DELIVERED
                    if roll >= 0.85:
                        status = NominationStatus.APPROVED if roll < 0.9 else NominationStatus.REJECTED
                        status = NominationStatus.WITHDRAWN if roll >= 0.95 else status
                    amount = Decimal(rng.choice((500, 800, 1000, 1500, 2000)))
                    at = _aware(campaign.starts_on, 10)
                    noms.append((nid, campaign.pk, pid, core.federation_id, core.category,
                                 json.dumps([HARDSHIP_TYPES[pid % len(HARDSHIP_TYPES)]]), "困难归侨侨眷", status,
                                 amount if status in (NominationStatus.DELIVERED, NominationStatus.APPROVED) else None,
                                 "大米一袋、食用油一桶", self.admin_id, at, self.admin_id,
                                 at + dt.timedelta(days=3)))  # fmt: skip
                    if status == NominationStatus.DELIVERED:
                        visited = _day(rng, campaign.starts_on, campaign.ends_on)
                        hands.append((hid, nid, visited, f"区侨联、{core.town.short_name}侨联", amount,
                                      "大米一袋、食用油一桶", self.admin_id, _aware(visited, 16)))  # fmt: skip
                        hid += 1
                    nid += 1
            copy_rows(nomination_table, iter(noms), progress["nominations"])
            copy_rows(handover_table, iter(hands), progress["hand-overs"])
        for p in progress.values():
            p.done()

    # Cases -------------------------------------------------------------------------------------

    def build_cases(self) -> None:
        table = Table(
            Case,
            ["id", "number", "type", "federation", "title", "description", "channel", "received_on", "due_on",
             "state", "state_since", "person", "requester_name", "requester_phone", "requester_phone_hash",
             "category", "consultation_topic", "hardship_type", "suggestion_topic", "outcome", "resolution",
             "closed_on", "days_to_close", "satisfaction", "followed_up_on", "created_by"],
        )  # fmt: skip
        phone_field = Case._meta.get_field("requester_phone")
        count = max(1, self.n // 100)
        rng = random.Random(f"{self.seed}:cases")
        sequences = {(s.prefix, s.year): s.last for s in CaseSequence.objects.all()}
        types = Weighted([(CaseType.RIGHTS, 30), (CaseType.CONSULTATION, 40), (CaseType.AID_REQUEST, 20),
                          (CaseType.SUGGESTION, 10)])  # fmt: skip
        today = dt.date(2022, 12, 31)
        cid = next_id(Case)

        def rows() -> Iterator[tuple]:
            nonlocal cid
            for _ in range(count):
                pid = rng.randrange(self.person_base, self.originals_end)
                core = self.core(pid)
                case_type = types.pick(rng)
                rule = TYPE_RULES[case_type]
                received = _day(rng, dt.date(2017, 12, 1), today)
                seq = sequences.get((rule.prefix, received.year), 0) + 1
                sequences[(rule.prefix, received.year)] = seq
                due = received + dt.timedelta(days=round(rule.deadline_days * 1.45))
                roll = rng.random()
                late = rng.random() < 0.08
                if received > dt.date(2022, 11, 1) and roll < 0.5:
                    state, closed, days = State.IN_PROGRESS, None, None
                else:
                    state = State.FOLLOWED_UP if roll < 0.6 else State.RESOLVED
                    days = rule.deadline_days + rng.randint(1, 10) if late else rng.randint(1, rule.deadline_days)
                    closed = received + dt.timedelta(days=round(days * 1.4))
                yield (
                    cid, f"{rule.prefix}{received.year}-{seq:04d}", case_type, core.federation_id,
                    f"{core.name[0]}某{dict(CaseType.choices)[case_type]}", "来访反映有关情况，请求协助。",
                    rng.choice((Channel.VISIT, Channel.PHONE, Channel.LETTER, Channel.ONLINE)), received, due, state,
                    closed or received, pid, core.name, phone_field.get_prep_value(core.phone),
                    lookup_hash("phone", core.phone),
                    rng.choice(RightsCategory.values) if case_type == CaseType.RIGHTS else "",
                    rng.choice(ConsultationTopic.values) if case_type == CaseType.CONSULTATION else "",
                    rng.choice(HARDSHIP_TYPES) if case_type == CaseType.AID_REQUEST else "",
                    rng.choice(SuggestionTopic.values) if case_type == CaseType.SUGGESTION else "",
                    rng.choice((Outcome.SOLVED, Outcome.ANSWERED, Outcome.PARTLY)) if closed else "",
                    "已办结。" if closed else "", closed, days,
                    Satisfaction.SATISFIED if state == State.FOLLOWED_UP else "",
                    closed + dt.timedelta(days=7) if state == State.FOLLOWED_UP else None, self.admin_id,
                )  # fmt: skip
                cid += 1

        progress = Progress("cases", write=self.write)
        copy_rows(table, rows(), progress)
        progress.done()
        for (prefix, year), last in sequences.items():
            CaseSequence.objects.update_or_create(prefix=prefix, year=year, defaults={"last": last})

    # Contest entries ---------------------------------------------------------------------------

    def build_contest_entries(self) -> None:
        contests = list(Contest.objects.filter(year__in=YEARS).order_by("year", "id"))
        have = {contest.year for contest in contests}
        for year in YEARS:
            if year in have:
                continue
            contest = Contest.objects.create(
                federation_id=self.district_id,
                title=f"{year}年“充满阳光”摄影大赛（基准测试）",
                year=year,
                opens_at=_aware(dt.date(year, 4, 1), 9),
                closes_at=_aware(dt.date(year, 9, 30), 17),
                status=ContestStatus.FINAL,
                created_by_id=self.admin_id,
            )
            ContestCategory.objects.create(contest=contest, name="摄影（单幅）", kind=CategoryKind.PHOTO_SINGLE)
            contests.append(contest)
        categories = {}
        for contest in contests:
            first = ContestCategory.objects.filter(contest=contest).order_by("order", "id").first()
            if first is not None:
                categories[contest.pk] = first.pk
        contests = [contest for contest in contests if contest.pk in categories]
        table = Table(
            Entry,
            ["id", "contest", "category", "code", "person", "author_name", "title", "status", "submitted_at"],
        )
        rng = random.Random(f"{self.seed}:contests")
        count = max(1, self.n // 100)
        eid = next_id(Entry)
        serial: dict[int, int] = {}

        def rows() -> Iterator[tuple]:
            nonlocal eid
            for _ in range(count):
                contest = rng.choice(contests)
                pid = rng.randrange(self.person_base, self.originals_end)
                serial[contest.pk] = serial.get(contest.pk, 10_000) + 1
                span = max(1, int((contest.closes_at - contest.opens_at).total_seconds()))
                submitted = contest.opens_at + dt.timedelta(seconds=rng.randint(0, span - 1))
                status = EntryStatus.ELIGIBLE if rng.random() < 0.9 else EntryStatus.WITHDRAWN
                yield (eid, contest.pk, categories[contest.pk], f"{contest.year}-A-{serial[contest.pk]}", pid,
                       self.core(pid).name, f"金山印象之{serial[contest.pk]}", status, submitted)  # fmt: skip
                eid += 1

        progress = Progress("contest entries", write=self.write)
        copy_rows(table, rows(), progress)
        progress.done()


def _execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


COUNTED = (
    ("persons", Person),
    ("households", Household),
    ("overseas_ties", OverseasTie),
    ("activities", Activity),
    ("registrations", Registration),
    ("aid_nominations", Nomination),
    ("aid_handovers", HandOver),
    ("cases", Case),
    ("contest_entries", Entry),
)


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for label, model in COUNTED:
            cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')
            counts[label] = int(cursor.fetchone()[0])
        cursor.execute("SELECT to_regclass(%s)", [GROUND_TRUTH_TABLE])
        if cursor.fetchone()[0]:
            cursor.execute(f"SELECT COUNT(*) FROM {GROUND_TRUTH_TABLE}")
            counts["planted_duplicates"] = int(cursor.fetchone()[0])
    return counts


def generate(**kwargs) -> Generated:
    return Generator(**kwargs).run()


def last_generation() -> dict | None:
    """The parameters and result of the last generation recorded in this database, or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [GENERATION_TABLE])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT created_at, parameters, result FROM {GENERATION_TABLE} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        return None
    created, parameters, result = row

    def load(value):
        return json.loads(value) if isinstance(value, str) else value

    return {"generated_at": created.isoformat(), "parameters": load(parameters), **load(result)}
