"""Probabilistic record linkage of persons (Fellegi–Sunter, with Splink on DuckDB).

The persons of a scope are streamed from the database in chunks into an in-memory DuckDB table —
names by their search keys, identity documents and phones by their keyed hashes (blind indexes),
never decrypted. Splink generates candidate pairs with tight blocking rules (equality on an ID or
phone hash, or on a name key together with the birth date), scores each pair field by field and
adds up the match weights. The m probabilities are set (below, with their reasons); with enough
rows the prior is estimated from near-certain pairs, the u probabilities by random sampling, and
the u of a shared name is its own frequency (term-frequency adjustment). Small data uses the
values set, so the result on test data is deterministic. docs/linkage.md has the measurements.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

logger = logging.getLogger(__name__)

#: Pairs below this match probability are not reported.
DEFAULT_THRESHOLD = 0.5
#: Below this many persons the priors are used as they are (EM needs data to learn from).
TRAIN_MIN_ROWS = 5000
#: Prior probability that two random persons of the registry are the same person.
PRIOR_MATCH = 1e-4
CHUNK_SIZE = 2000
#: Pairs drawn at random to estimate the u probabilities (seeded, so a run is reproducible).
U_SAMPLE_PAIRS = 3e6

COLUMNS = [
    ("unique_id", "BIGINT"),
    ("federation_id", "BIGINT"),
    ("name_key", "VARCHAR"),
    ("name_pinyin", "VARCHAR"),
    ("name_initials", "VARCHAR"),
    ("surname", "VARCHAR"),
    ("foreign_name_key", "VARCHAR"),
    ("birth_date", "DATE"),
    ("birth_year", "INTEGER"),
    ("sex", "VARCHAR"),
    ("id_hash", "VARCHAR"),
    ("phone_hash", "VARCHAR"),
    ("phone_alt_hash", "VARCHAR"),
    ("address_key", "VARCHAR"),
    ("countries", "VARCHAR"),
]

#: Which comparison level means which agreement, for the reasons shown to a reviewer.
#: {comparison: {level label: reason code}}; levels not listed agreed on nothing.
REASON_OF_LEVEL = {
    "name": {"exact": "name_exact", "pinyin": "name_pinyin", "similar": "name_similar"},
    "birth_date": {"exact": "birth_exact", "swapped": "birth_swapped", "month": "birth_month", "year": "birth_year"},
    "sex": {"exact": "sex"},
    "id_number": {"exact": "id_number"},
    "phone": {"exact": "phone"},
    "address": {"exact": "address"},
    "countries": {"exact": "countries", "overlap": "countries"},
}


def _level(sql: str, label: str, m: float | None = None, u: float | None = None, null: bool = False) -> dict:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    else:
        level["m_probability"] = m
        level["u_probability"] = u
    return level


def _comparison(name: str, levels: list[dict]) -> dict:
    return {"output_column_name": name, "comparison_description": name, "comparison_levels": levels}


def _comparisons(*, term_frequencies: bool = False) -> list[dict]:
    name_exact = _level("name_key_l = name_key_r", "exact", 0.86, 0.002)
    # homophones and typos of the same sound: 张伟 / 张玮
    name_pinyin = _level("name_pinyin_l = name_pinyin_r", "pinyin", 0.06, 0.002)
    if term_frequencies:
        # likewise for a shared sound: zhang wei is common, zhong yu xiu is not
        name_pinyin |= {"tf_adjustment_column": "name_pinyin", "tf_adjustment_weight": 1.0, "tf_minimum_u_value": 1e-6}
        # 王芳 shared by two records says less than 钟毓秀 shared: the u of an exact name is the
        # name's own frequency in the scope (Splink's term-frequency adjustment)
        name_exact |= {"tf_adjustment_column": "name_key", "tf_adjustment_weight": 1.0, "tf_minimum_u_value": 1e-6}
    return [
        _comparison(
            "name",
            [
                _level("name_key_l IS NULL OR name_key_r IS NULL", "null", null=True),
                name_exact,
                name_pinyin,
                _level(
                    "jaro_winkler_similarity(name_pinyin_l, name_pinyin_r) >= 0.9 "
                    "OR (surname_l = surname_r AND length(name_key_l) = length(name_key_r) "
                    "AND levenshtein(name_key_l, name_key_r) <= 1)",
                    "similar",
                    0.05,
                    0.02,
                ),
                _level("ELSE", "else", 0.03, 0.976),
            ],
        ),
        _comparison(
            "birth_date",
            [
                _level("birth_date_l IS NULL OR birth_date_r IS NULL", "null", null=True),
                _level("birth_date_l = birth_date_r", "exact", 0.9, 0.0002),
                _level(
                    "year(birth_date_l) = year(birth_date_r) AND month(birth_date_l) = day(birth_date_r) "
                    "AND day(birth_date_l) = month(birth_date_r)",
                    "swapped",
                    0.03,
                    0.0001,
                ),
                _level(
                    "year(birth_date_l) = year(birth_date_r) AND month(birth_date_l) = month(birth_date_r)",
                    "month",
                    0.02,
                    0.002,
                ),
                _level("year(birth_date_l) = year(birth_date_r)", "year", 0.02, 0.02),
                _level("ELSE", "else", 0.03, 0.9777),
            ],
        ),
        _comparison(
            "sex",
            [
                _level("sex_l IS NULL OR sex_r IS NULL", "null", null=True),
                _level("sex_l = sex_r", "exact", 0.98, 0.5),
                _level("ELSE", "else", 0.02, 0.5),
            ],
        ),
        _comparison(
            "id_number",
            [
                _level("id_hash_l IS NULL OR id_hash_r IS NULL", "null", null=True),
                # a number is checked (check digit) when it is entered, so one person's two records
                # rarely carry two different valid numbers: different numbers speak against a match
                _level("id_hash_l = id_hash_r", "exact", 0.99, 0.00001),
                _level("ELSE", "else", 0.01, 0.99999),
            ],
        ),
        _comparison(
            "phone",
            [
                _level(
                    "(phone_hash_l IS NULL AND phone_alt_hash_l IS NULL) "
                    "OR (phone_hash_r IS NULL AND phone_alt_hash_r IS NULL)",
                    "null",
                    null=True,
                ),
                _level(
                    "phone_hash_l = phone_hash_r OR phone_hash_l = phone_alt_hash_r "
                    "OR phone_alt_hash_l = phone_hash_r OR phone_alt_hash_l = phone_alt_hash_r",
                    "exact",
                    0.6,
                    0.0001,
                ),
                _level("ELSE", "else", 0.4, 0.9999),
            ],
        ),
        _comparison(
            "address",
            [
                _level("address_key_l IS NULL OR address_key_r IS NULL", "null", null=True),
                _level("address_key_l = address_key_r", "exact", 0.5, 0.001),
                _level("ELSE", "else", 0.5, 0.999),
            ],
        ),
        _comparison(
            "countries",
            [
                _level("countries_l IS NULL OR countries_r IS NULL", "null", null=True),
                _level("countries_l = countries_r", "exact", 0.6, 0.05),
                _level(
                    "len(list_intersect(string_split(countries_l, ','), string_split(countries_r, ','))) > 0",
                    "overlap",
                    0.2,
                    0.05,
                ),
                _level("ELSE", "else", 0.2, 0.9),
            ],
        ),
    ]


#: Candidate pairs: only pairs that share at least one of these keys are compared. Each rule is an
#: equality join on keys that different people rarely share, so the pairs compared grow about
#: linearly with the number of persons (a key shared by k persons gives k(k-1)/2 pairs, and k does
#: not grow with the registry for a phone or a birth date within a surname).
BLOCKING_RULES = [
    "l.id_hash = r.id_hash",
    "l.phone_hash = r.phone_hash",
    "l.phone_alt_hash = r.phone_hash",
    "l.phone_hash = r.phone_alt_hash",
    "l.phone_alt_hash = r.phone_alt_hash",
    # one name written differently (陈/陳 share the key; 张伟明/张维明 share surname and pinyin)
    "l.surname = r.surname AND l.birth_date = r.birth_date",
    "l.name_pinyin = r.name_pinyin AND l.birth_date = r.birth_date",
    # month and day swapped, or one of them mistyped
    "l.name_key = r.name_key AND l.birth_year = r.birth_year AND l.birth_md = r.birth_dm",
    "l.name_key = r.name_key AND l.birth_year = r.birth_year AND l.birth_month = r.birth_month",
]

#: Rules whose pairs are near-certain matches, to estimate how many duplicates the scope holds
#: (the prior); their recall is assumed to be DETERMINISTIC_RECALL.
DETERMINISTIC_RULES = [
    "l.id_hash = r.id_hash",
    "l.name_pinyin = r.name_pinyin AND l.birth_date = r.birth_date AND l.phone_hash = r.phone_hash",
    "l.name_key = r.name_key AND l.phone_hash = r.phone_hash",
]
DETERMINISTIC_RECALL = 0.8


def settings_dict(prior: float = PRIOR_MATCH, *, term_frequencies: bool = False) -> dict[str, Any]:
    """Splink's settings; the same dictionary runs on DuckDB and on Spark."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [{"blocking_rule": rule} for rule in BLOCKING_RULES],
        "comparisons": _comparisons(term_frequencies=term_frequencies),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": ["federation_id"],
    }


@dataclass(frozen=True)
class CandidatePair:
    person_a_id: int
    person_b_id: int
    federation_a_id: int
    federation_b_id: int
    match_weight: float
    match_probability: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class LinkageResult:
    persons: int
    comparisons: int
    pairs: list[CandidatePair]
    trained: bool


# Export --------------------------------------------------------------------------------------


def person_rows(persons: QuerySet, *, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple]:
    """The rows the engine compares, straight from the database: keys and hashes only."""
    from qiaolian.registry.models import OverseasTie

    fields = (
        "id",
        "federation_id",
        "name_key",
        "name_pinyin",
        "name_initials",
        "foreign_name_key",
        "birth_date",
        "sex",
        "id_number_hash",
        "phone_hash",
        "phone_alt_hash",
        "household_id",
    )
    chunk: list[tuple] = []

    def flush(rows: list[tuple]) -> Iterator[tuple]:
        countries: dict[int, set[str]] = {}
        # the chunk is ordered by id: one index range scan, unordered (the model's default ordering
        # joins the person to sort by name); ties of persons outside the scope are never looked up
        ties = (
            OverseasTie.objects.filter(person_id__gte=rows[0][0], person_id__lte=rows[-1][0])
            .order_by()
            .values_list("person_id", "country")
        )
        for person_id, country in ties:
            if country:
                countries.setdefault(person_id, set()).add(str(country))
        for r in rows:
            pid, fed, key, pinyin, initials, foreign, birth, sex, id_hash, phone, phone_alt, household = r
            codes = ",".join(sorted(countries.get(pid, ())))
            yield (
                pid,
                fed,
                key or None,
                pinyin or None,
                initials or None,
                (key or "")[:1] or None,
                foreign or None,
                birth,
                birth.year if birth else None,
                sex if sex in ("M", "F") else None,
                id_hash or None,
                phone or None,
                phone_alt or None,
                f"h{household}" if household else None,
                codes or None,
            )

    for row in persons.order_by("id").values_list(*fields).iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield from flush(chunk)
            chunk = []
    if chunk:
        yield from flush(chunk)


_ARROW_TYPES = {"BIGINT": "int64", "INTEGER": "int32", "VARCHAR": "string", "DATE": "date32"}
#: Rows handed to DuckDB at once (one Arrow table); the database is read in CHUNK_SIZE rows.
LOAD_BATCH = 20_000


def _load(con, rows: Iterable[tuple], *, chunk_size: int, progress: Callable[[int], None] | None) -> int:
    """Fill the ``persons`` table from ``rows`` (in the order of ``COLUMNS``), in Arrow batches,
    and add the derived blocking keys (birth month, month·day and day·month)."""
    import pyarrow as pa

    schema = pa.schema([(name, getattr(pa, _ARROW_TYPES[kind])()) for name, kind in COLUMNS])
    con.execute("CREATE TABLE persons_input (" + ", ".join(f"{name} {kind}" for name, kind in COLUMNS) + ")")
    count = 0

    def insert(batch: list[tuple]) -> None:
        nonlocal count
        columns = list(zip(*batch, strict=True))
        table = pa.Table.from_arrays(
            [pa.array(values, type=schema.field(i).type) for i, values in enumerate(columns)], schema=schema
        )
        con.register("persons_batch", table)
        con.execute("INSERT INTO persons_input SELECT * FROM persons_batch")
        con.unregister("persons_batch")
        count += len(batch)
        if progress:
            progress(count)

    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= max(chunk_size, LOAD_BATCH):
            insert(batch)
            batch = []
    if batch:
        insert(batch)
    con.execute(
        "CREATE TABLE persons AS SELECT *, month(birth_date) AS birth_month, "
        "month(birth_date) * 100 + day(birth_date) AS birth_md, day(birth_date) * 100 + month(birth_date) AS birth_dm "
        "FROM persons_input"
    )
    con.execute("DROP TABLE persons_input")
    return count


def _train(linker, count: int) -> bool:
    """Fit the model to the scope; keep the priors if that fails.

    - the prior (how likely two random persons are one) from the pairs the near-certain
      ``DETERMINISTIC_RULES`` find: it falls as 1/N, so a large registry asks for more evidence;
    - u (how often different persons agree by chance) by random sampling, seeded;
    - m (how often one person's two records agree) stays as set in ``_comparisons``: EM on this
      data learnt that a shared common name is strong evidence (the "王芳" problem, thousands of
      false pairs), while m is well known from the kinds of errors registries make.
    """
    try:
        linker.training.estimate_probability_two_random_records_match(DETERMINISTIC_RULES, recall=DETERMINISTIC_RECALL)
        settings = linker._settings_obj  # where Splink keeps the estimate (it has no public setter)
        if not settings._probability_two_random_records_match:  # no near-certain pair at all
            settings._probability_two_random_records_match = 2 / (count * (count - 1))
        linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=42)
        return True
    except Exception:  # training is an improvement, never a requirement
        logger.warning("linkage: training failed, using the prior m/u probabilities", exc_info=True)
        return False


def _as_join(sql: str) -> str:
    """A level condition on the ``x_l``/``x_r`` columns, rewritten for a join of ``l`` and ``r``."""
    return re.sub(r"\b([a-z_]+)_([lr])\b", r"\2.\1", sql)


def _label_sql(settings: dict[str, Any]) -> str:
    """One CASE per comparison giving the label of the level a pair falls in (the same conditions
    Splink scores with), so the reasons do not depend on the trained weights."""
    cases = []
    for comparison in settings["comparisons"]:
        whens = [
            f"WHEN {_as_join(lv['sql_condition'])} THEN '{lv['label_for_charts']}'"
            for lv in comparison["comparison_levels"]
            if lv["sql_condition"] != "ELSE"
        ]
        cases.append(f"CASE {' '.join(whens)} ELSE 'else' END AS \"{comparison['output_column_name']}\"")
    return ", ".join(cases)


def _reasons(labels: dict[str, str]) -> list[str]:
    reasons: list[str] = []
    for comparison, label in labels.items():
        reason = REASON_OF_LEVEL.get(comparison, {}).get(label or "")
        if reason and reason not in reasons:
            reasons.append(reason)
    return reasons


def link_rows(
    rows: Iterable[tuple],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    train: bool | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[str, int], None] | None = None,
) -> LinkageResult:
    """Score the candidate pairs among ``rows`` (tuples in the order of ``COLUMNS``).

    ``comparisons`` in the result is the number of pairs the blocking rules produced and the model
    scored; ``pairs`` are those with a match probability ≥ ``threshold``."""
    import duckdb
    from splink import DuckDBAPI, Linker

    con = duckdb.connect(":memory:")
    try:
        count = _load(con, rows, chunk_size=chunk_size, progress=(lambda n: progress("load", n)) if progress else None)
        if count < 2:
            return LinkageResult(persons=count, comparisons=0, pairs=[], trained=False)
        if progress:
            progress("predict", count)
        do_train = train if train is not None else count >= TRAIN_MIN_ROWS
        settings = settings_dict(term_frequencies=do_train)
        db_api = DuckDBAPI(con)
        linker = Linker(db_api.register("persons"), settings, log_level=logging.WARNING)
        trained = _train(linker, count) if do_train else False
        predictions = linker.inference.predict(warning_mode="never")  # the m values are set on purpose
        table = predictions.physical_name
        compared = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        names = [c["output_column_name"] for c in settings["comparisons"]]
        query = (
            "SELECT p.unique_id_l, p.unique_id_r, p.federation_id_l, p.federation_id_r, p.match_weight, "
            f"p.match_probability, {_label_sql(settings)} FROM {table} p "
            "JOIN persons l ON l.unique_id = p.unique_id_l JOIN persons r ON r.unique_id = p.unique_id_r "
            "WHERE p.match_probability >= ? ORDER BY p.unique_id_l, p.unique_id_r"
        )
        pairs: list[CandidatePair] = []
        for values in con.execute(query, [threshold]).fetchall():
            id_l, id_r, fed_l, fed_r, weight, probability = values[:6]
            (a, fa), (b, fb) = sorted([(int(id_l), int(fed_l)), (int(id_r), int(fed_r))])
            pairs.append(
                CandidatePair(
                    person_a_id=a,
                    person_b_id=b,
                    federation_a_id=fa,
                    federation_b_id=fb,
                    match_weight=round(float(weight), 4),
                    match_probability=round(float(probability), 6),
                    reasons=_reasons(dict(zip(names, values[6:], strict=True))),
                )
            )
        return LinkageResult(persons=count, comparisons=compared, pairs=pairs, trained=trained)
    finally:
        con.close()


def link_persons(
    persons: QuerySet,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    train: bool | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> LinkageResult:
    """Candidate duplicate pairs among ``persons`` (a queryset already limited to a scope)."""
    return link_rows(person_rows(persons), threshold=threshold, train=train, progress=progress)
