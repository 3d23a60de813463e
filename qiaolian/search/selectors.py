"""The one search box: a query read once (``parse_query``), then matched against each kind of
record the user may see, every kind starting from its own app's selector (jurisdiction and
view permission decided there, never here).

How a query matches (docs/search.md):
- an 18-digit resident ID (a lower-case x allowed) or the legacy 15 digits → persons, by the keyed
  hash of the ID number, never by decrypting;
- a phone number (spaces, dashes, +86 allowed) → persons (either phone), enterprises (contact
  phone), cases (requester), by the keyed hash;
- 18 letters or digits → an enterprise's 统一社会信用代码, exactly;
- a case number (``WQ2026-0001`` or its start) → cases;
- Chinese, simplified or traditional → anywhere in the normalized name or title;
- Latin letters → the start of the pinyin initials (``zw``), anywhere in the full pinyin
  (``zhangwei``) or the foreign name.

Names (Chinese or Latin) of persons and enterprises are looked up in stages — the exact key,
then prefixes in the key's index order, then anywhere only if the page is still not full — so a
common name or syllable never reads all its matches (``_name_stages``). Each kind returns at most
``limit`` rows and a count capped at ``COUNT_CAP`` ("100+"), every query LIMITed and served by
indexes (``indexes.py``)."""

from __future__ import annotations

import contextlib
import functools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from qiaolian.core.fields import prefix_q
from qiaolian.core.masking import Kind
from qiaolian.core.protected import lookup_hash
from qiaolian.core.text import PREFIX_END, has_han, search_key
from qiaolian.core.validators import normalize_document_number, parse_phone, parse_resident_id
from qiaolian.search.indexes import GRAMS_FUNCTION, SOURCE_BY_TABLE
from qiaolian.search.models import KeyKind, TitleKey

COUNT_CAP = 100
DEFAULT_LIMIT = 10
MIN_LATIN = 2
MAX_QUERY = 100

_ID18_LIKE = re.compile(r"^\d{17}[\dXx]$")
_ID15_LIKE = re.compile(r"^\d{15}$")
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-()]{7,24}$")
_CODE_LIKE = re.compile(r"^[0-9A-Z]{18}$")
# a passport or permit number (E12345678, H1234567801): letters with at least five digits in a row
_DOCUMENT_LIKE = re.compile(r"^(?=.*[A-Z])(?=.*\d{5})[A-Z0-9]{6,20}$")
_CASE_NUMBER_LIKE = re.compile(r"^([A-Z]{2}\d{4})(\d{0,6})$")


class SearchKind(models.TextChoices):
    PERSON = "person", _("侨情人员")
    ENTERPRISE = "enterprise", _("侨企")
    CASE = "case", _("诉求案件")
    ACTIVITY = "activity", _("活动")


@dataclass(frozen=True)
class ParsedQuery:
    """What a query can match; ``problem`` says why it matches nothing worth running."""

    text: str = ""
    id_hash: str = ""
    phone_hash: str = ""
    credit_code: str = ""
    case_number: str = ""
    han: str = ""  # the normalized (simplified, case-folded) Chinese key
    latin: str = ""  # lower-case letters and digits
    problem: str = ""

    @property
    def is_exact(self) -> bool:
        return bool(self.id_hash or self.phone_hash or self.credit_code or self.case_number)


def parse_query(raw: str) -> ParsedQuery:
    text = (raw or "").strip()[:MAX_QUERY]
    if not text:
        return ParsedQuery(problem=str(_("请输入要查找的姓名、企业名称、案件编号、活动名称、证件号码或电话。")))
    compact = re.sub(r"[\s\-()]", "", text)
    found: dict[str, str] = {}
    if _ID18_LIKE.match(compact):
        try:
            number = parse_resident_id(compact).number
        except ValidationError:
            number = compact.upper()
        found["id_hash"] = lookup_hash(Kind.ID_NUMBER, number)
    elif _ID15_LIKE.match(compact):  # a legacy ID number, or a phone written with 00 86
        with contextlib.suppress(ValidationError):
            found["id_hash"] = lookup_hash(Kind.ID_NUMBER, parse_resident_id(compact).number)
    elif _DOCUMENT_LIKE.match(normalize_document_number(compact)):
        found["id_hash"] = lookup_hash(Kind.ID_NUMBER, normalize_document_number(compact))
    if _CODE_LIKE.match(compact.upper()):
        found["credit_code"] = compact.upper()
    if not _ID18_LIKE.match(compact) and _PHONE_LIKE.match(text) and sum(ch.isdigit() for ch in text) >= 7:
        try:
            found["phone_hash"] = lookup_hash(Kind.PHONE, parse_phone(text))
        except ValidationError:
            if not found:
                return ParsedQuery(text=text, problem=str(_("无法识别的号码：请输入完整的18位身份证号码或电话号码。")))
    number = _CASE_NUMBER_LIKE.match(compact.upper())
    if number:  # QY2021-0002, QY20210002 or the start of either
        found["case_number"] = "-".join(part for part in number.groups() if part)
    if found:
        return ParsedQuery(text=text, **found)
    if has_han(text):
        return ParsedQuery(text=text, han=search_key(text))
    latin = re.sub(r"[^a-z0-9]", "", text.casefold())
    if latin.isdigit():
        return ParsedQuery(text=text, problem=str(_("请输入完整的证件号码或电话号码（电话至少7位）。")))
    if len(latin) < MIN_LATIN:
        return ParsedQuery(text=text, problem=str(_("关键词太短：拼音或字母请至少输入2个。")))
    return ParsedQuery(text=text, latin=latin)


# Substring matching, served by each database's index -----------------------------------------


class _Grams(models.Func):
    function = GRAMS_FUNCTION
    output_field = ArrayField(models.TextField())


def _fts_ids(table: str, column: str, value: str) -> RawSQL:
    fts = SOURCE_BY_TABLE[table].fts
    phrase = '"' + value.replace('"', '""') + '"'
    return RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [f"{column} : {phrase}"])


def contains_q(model: type[models.Model], column: str, value: str) -> Q:
    """Rows whose key ``column`` contains ``value``, in the form this database's index serves:
    PostgreSQL: trigram GIN for 3+ characters, the one-/two-character GIN below that;
    SQLite: the FTS5 trigram table for 3+ characters, a scan below that."""
    table = model._meta.db_table
    source = SOURCE_BY_TABLE[table]
    if connection.vendor == "postgresql" and len(value) < 3 and column in source.gram_columns:
        return Q(DataContains(_Grams(column), Value([value], output_field=ArrayField(models.TextField()))))
    if connection.vendor == "sqlite" and len(value) >= 3:
        return Q(pk__in=_fts_ids(table, column, value))
    return Q(**{f"{column}__contains": value})


def _title_ids(kind: str, q: ParsedQuery) -> QuerySet:
    keys = TitleKey.objects.filter(kind=kind)
    if q.han:
        cond = contains_q(TitleKey, "key", q.han)
    else:
        cond = prefix_q("initials", q.latin)
        if len(q.latin) >= 3:
            cond |= contains_q(TitleKey, "pinyin", q.latin)
    return keys.filter(cond).values("object_id")


# Per kind --------------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    id: int
    label: str
    detail: str
    url: str

    def __post_init__(self) -> None:
        self.kind = str(self.kind)  # the plain code, for templates and the API


@dataclass
class KindResult:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    count: int = 0
    count_is_capped: bool = False
    allowed: bool = True

    @property
    def count_display(self) -> str:
        return f"{COUNT_CAP}+" if self.count_is_capped else str(self.count)


# Staged lookups --------------------------------------------------------------------------------
#
# A name query (Chinese or Latin) on persons and enterprises runs in stages, closest first, and
# stops as soon as the page is full, so no query reads every match of a common name or syllable:
#   0. exact: the key equals the query (name_key == 张伟, initials == zw, pinyin == zhangwei);
#   1. prefix: the key starts with the query, taken in the order of the key's own btree index
#      (a range scan with LIMIT: 张伟明 after 张伟, zwh after zw);
#   2. contains: the query anywhere in the key (trigram / gram GIN, FTS5 on SQLite), only when the
#      earlier stages did not fill the page, in whatever order the index returns them.
# Each stage excludes what the earlier stages matched; the page is then shown stage by stage,
# closest names first within a stage. The page is one UNION ALL of the stages (each LIMITed, in
# its index order) under an outer LIMIT, and the count the same union under LIMIT COUNT_CAP + 1:
# the database runs the branches in turn and stops at the limit, so a later stage (the trigram
# scan above all) is not even started once earlier stages reach it.


@dataclass(frozen=True)
class Stage:
    """One step of a lookup: its condition, the index order its rows are taken in (empty: any
    order, the page is sorted afterwards) and its rank (stages of one rank show together)."""

    cond: Q
    order: tuple = ()
    rank: int = 0


@dataclass
class Lookup:
    """What a kind runs: its scoped queryset, its stages in order, the row → hit function and
    how the page is sorted within a rank (``None``: the stage's own SQL order)."""

    queryset: QuerySet
    stages: list[Stage]
    to_hit: Callable
    page_order: Callable | None = None
    _stage_querysets: dict[int, QuerySet] = field(default_factory=dict, repr=False)

    def stage_qs(self, index: int) -> QuerySet:
        """Stage ``index`` without the rows of any earlier stage (so every row belongs to one
        stage); built once for the page and the count."""
        if index not in self._stage_querysets:
            qs = self.queryset.filter(self.stages[index].cond)
            earlier = [stage.cond for stage in self.stages[:index]]
            if earlier:
                qs = qs.exclude(functools.reduce(operator.or_, earlier))
            self._stage_querysets[index] = qs
        return self._stage_querysets[index]


def _after_q(column: str, value: str) -> Q:
    """``column`` starts with ``value`` and is longer: a prefix range without the exact key."""
    return Q(**{f"{column}__gt": value, f"{column}__lt": value + PREFIX_END})


def _name_stages(model: type[models.Model], q: ParsedQuery, *, foreign: bool = False) -> list[Stage]:
    """The staged lookup of a name query on a table carrying ``name_key``, ``name_pinyin``,
    ``name_initials`` (and ``foreign_name_key`` when ``foreign``). The stages together match
    exactly what docs/search.md says a query matches: Chinese anywhere in the name; Latin at the
    start of the initials or the foreign name, or (3+ letters) anywhere in the pinyin or the
    foreign name."""
    if q.han:
        return [
            Stage(Q(name_key=q.han), rank=0),
            Stage(_after_q("name_key", q.han), order=("name_key",), rank=1),
            Stage(contains_q(model, "name_key", q.han), rank=2),
        ]
    text = q.latin
    long_enough = len(text) >= 3
    exact = Q(name_initials=text)
    if long_enough:
        exact |= Q(name_pinyin=text)
    if foreign:
        exact |= Q(foreign_name_key=text)
    stages = [Stage(exact, rank=0), Stage(_after_q("name_initials", text), order=("name_initials",), rank=1)]
    if long_enough:
        stages.append(Stage(_after_q("name_pinyin", text), order=("name_pinyin",), rank=1))
    if foreign:
        stages.append(Stage(_after_q("foreign_name_key", text), order=("foreign_name_key",), rank=1))
    if long_enough:
        contains = contains_q(model, "name_pinyin", text)
        if foreign:
            contains |= contains_q(model, "foreign_name_key", text)
        stages.append(Stage(contains, rank=2))
    return stages


def _closest_first(row) -> tuple:
    return (len(row.name_key), row.name_pinyin, row.pk)


def _persons(user, q: ParsedQuery) -> Lookup | None:
    from qiaolian.registry.models import Person
    from qiaolian.registry.selectors import person_scope

    if not user.has_perm("registry.view_person"):
        return None
    qs = person_scope(user=user).select_related("federation")
    if q.id_hash or q.phone_hash:
        cond = Q(pk__in=[])
        if q.id_hash:
            cond |= Q(id_number_hash=q.id_hash)
        if q.phone_hash:
            cond |= Q(phone_hash=q.phone_hash) | Q(phone_alt_hash=q.phone_hash)
        stages = [Stage(cond)]
    elif q.han or q.latin:
        stages = _name_stages(Person, q, foreign=True)
    else:
        return None

    def hit(p) -> Hit:
        detail = " · ".join(
            part
            for part in (p.federation.short_name, p.get_category_display(), str(p.id_number or ""), str(p.phone or ""))
            if part
        )
        label = f"{p.name}（{p.foreign_name}）" if p.foreign_name else p.name
        return Hit(SearchKind.PERSON, p.pk, label, detail, p.get_absolute_url())

    return Lookup(qs, stages, hit, _closest_first)


def _enterprises(user, q: ParsedQuery) -> Lookup | None:
    from qiaolian.enterprises.models import Enterprise
    from qiaolian.enterprises.selectors import enterprise_scope

    if not user.has_perm("enterprises.view_enterprise"):
        return None
    qs = enterprise_scope(user=user)
    if q.credit_code or q.phone_hash:
        cond = Q(pk__in=[])
        if q.credit_code:
            cond |= Q(credit_code=q.credit_code)
        if q.phone_hash:
            cond |= Q(contact_phone_hash=q.phone_hash)
        stages = [Stage(cond)]
    elif q.han or q.latin:
        stages = _name_stages(Enterprise, q)
    else:
        return None

    def hit(e) -> Hit:
        parts = (e.federation.short_name, e.credit_code or "", str(e.contact_phone or ""))
        detail = " · ".join(part for part in parts if part)
        return Hit(SearchKind.ENTERPRISE, e.pk, e.name, detail, e.get_absolute_url())

    return Lookup(qs, stages, hit, _closest_first)


def _cases(user, q: ParsedQuery) -> Lookup | None:
    from qiaolian.casework.selectors import case_scope

    if not user.has_perm("casework.view_case"):
        return None
    qs = case_scope(user=user)
    if q.case_number or q.phone_hash:
        cond = Q(pk__in=[])
        if q.case_number:
            cond |= Q(number__startswith=q.case_number)
        if q.phone_hash:
            cond |= Q(requester_phone_hash=q.phone_hash)
    elif q.han or q.latin:
        cond = Q(pk__in=_title_ids(KeyKind.CASE, q))
    else:
        return None

    def hit(c) -> Hit:
        detail = " · ".join(
            str(part) for part in (c.number, c.get_type_display(), c.get_state_display(), c.received_on) if part
        )
        return Hit(SearchKind.CASE, c.pk, c.title, detail, c.get_absolute_url())

    return Lookup(qs, [Stage(cond, order=("-received_on", "-id"))], hit)


def _activities(user, q: ParsedQuery) -> Lookup | None:
    from qiaolian.activities.selectors import activity_scope

    if not user.has_perm("activities.view_activity"):
        return None
    if not (q.han or q.latin):
        return None
    qs = activity_scope(user=user)
    stages = [Stage(Q(pk__in=_title_ids(KeyKind.ACTIVITY, q)), order=("-starts_at", "-id"))]

    def hit(a) -> Hit:
        detail = " · ".join(
            str(part) for part in (a.federation.short_name, a.get_kind_display(), a.starts_at.date()) if part
        )
        return Hit(SearchKind.ACTIVITY, a.pk, a.title, detail, a.get_absolute_url())

    return Lookup(qs, stages, hit)


KIND_SEARCHES = {
    SearchKind.PERSON: _persons,
    SearchKind.ENTERPRISE: _enterprises,
    SearchKind.CASE: _cases,
    SearchKind.ACTIVITY: _activities,
}


def kinds_for(user) -> list[str]:
    """The kinds this user's role may see at all (the kind filter offers only these)."""
    perms = {
        SearchKind.PERSON: "registry.view_person",
        SearchKind.ENTERPRISE: "enterprises.view_enterprise",
        SearchKind.CASE: "casework.view_case",
        SearchKind.ACTIVITY: "activities.view_activity",
    }
    if not (user and user.is_authenticated):
        return []
    return [str(kind) for kind, perm in perms.items() if user.has_perm(perm)]


@dataclass
class SearchResults:
    query: ParsedQuery
    groups: list[KindResult]

    @property
    def problem(self) -> str:
        return self.query.problem

    @property
    def total_hits(self) -> int:
        return sum(len(g.hits) for g in self.groups)


def search(*, user, query: str, kind: str = "", limit: int = DEFAULT_LIMIT) -> SearchResults:
    """Up to ``limit`` hits of each kind the user may see (only ``kind`` when given), each with
    its count capped at ``COUNT_CAP``; nothing at all for a query with a ``problem``."""
    parsed = parse_query(query)
    allowed = kinds_for(user)
    groups: list[KindResult] = []
    for search_kind, run in KIND_SEARCHES.items():
        if kind and kind != search_kind:
            continue
        group = KindResult(kind=str(search_kind), label=str(search_kind.label), allowed=search_kind in allowed)
        groups.append(group)
        if parsed.problem or not group.allowed:
            continue
        lookup = run(user, parsed)
        if lookup is None:
            continue
        rows, counted = _run(lookup, limit)
        group.hits = [lookup.to_hit(row) for row in rows]
        if counted is None:  # the page holds every match: the count is exact
            group.count = len(rows)
        else:
            group.count_is_capped = counted > COUNT_CAP
            group.count = min(counted, COUNT_CAP)
    return SearchResults(query=parsed, groups=[g for g in groups if g.allowed])


def _run(lookup: Lookup, limit: int) -> tuple[list, int | None]:
    """The page (up to ``limit`` rows) and, when the page is full, the count up to
    ``COUNT_CAP + 1`` (``None`` when the page holds every match)."""
    if len(lookup.stages) == 1:  # an exact lookup, a case or activity: one query in SQL order
        qs = lookup.stage_qs(0)
        rows = list(qs.order_by(*lookup.stages[0].order)[:limit])
        rows = _page_sorted(lookup, rows, dict.fromkeys((row.pk for row in rows), 0))
        if len(rows) < limit:
            return rows, None
        return rows, qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    union_sql, params = _stages_union(lookup, branch_limit=max(limit, COUNT_CAP + 1))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({union_sql}) AS staged LIMIT %s", [*params, limit])
        picked = cursor.fetchall()
        stage_of = dict(picked)
        fetched = lookup.queryset.filter(pk__in=list(stage_of)).order_by()[:limit] if picked else []
        by_pk = {row.pk: row for row in fetched}
        rows = _page_sorted(lookup, [by_pk[pk] for pk, _ in picked if pk in by_pk], stage_of)
        if len(picked) < limit:  # every stage gave all its rows
            return rows, None
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM ({union_sql}) AS staged LIMIT %s) AS capped",
            [*params, COUNT_CAP + 1],
        )
        return rows, cursor.fetchone()[0]


def _stages_union(lookup: Lookup, *, branch_limit: int) -> tuple[str, list]:
    """``UNION ALL`` of the stages as (pk, stage) rows: each stage without the rows of earlier
    stages, in its index order, LIMITed. Read under an outer LIMIT, the database runs the branches
    in turn and stops at the limit: a later stage is not even started once earlier ones reach it.
    Each branch is wrapped in a subquery, as SQLite allows no ORDER BY/LIMIT in a compound member."""
    parts, params = [], []
    for index, stage in enumerate(lookup.stages):
        qs = lookup.stage_qs(index).order_by(*stage.order).values_list("pk")[:branch_limit]
        sql, branch_params = qs.query.sql_with_params()
        parts.append(f"SELECT branch{index}.*, {index} AS stage FROM ({sql}) AS branch{index}")
        params.extend(branch_params)
    return " UNION ALL ".join(parts), params


def _page_sorted(lookup: Lookup, rows: list, stage_of: dict[int, int]) -> list:
    """The page stage by stage (stages of one rank together), closest first within a rank; in
    SQL order when the kind has no page order (cases, activities)."""
    if lookup.page_order is not None:
        rows.sort(key=lambda row: (lookup.stages[stage_of[row.pk]].rank, *lookup.page_order(row)))
    return rows
