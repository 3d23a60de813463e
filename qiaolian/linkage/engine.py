"""Probabilistic record linkage of persons (Fellegi–Sunter, with Splink on DuckDB).

The persons of a scope are streamed from the database in chunks into an in-memory DuckDB table —
names by their search keys, identity documents and phones by their keyed hashes (blind indexes),
never decrypted. Splink generates candidate pairs with blocking rules (so the cost grows about
linearly with the number of persons), scores each pair field by field and adds up the match
weights. The m/u probabilities start from priors chosen for a county registry (below); with
enough rows the u probabilities are estimated by random sampling and the m probabilities by
expectation maximisation, and the priors stay when training fails. Small data always uses the
priors, so the result on test data is deterministic.
"""

from __future__ import annotations

import logging
import math
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


def _comparisons() -> list[dict]:
    return [
        _comparison(
            "name",
            [
                _level("name_key_l IS NULL OR name_key_r IS NULL", "null", null=True),
                _level("name_key_l = name_key_r", "exact", 0.86, 0.002),
                # homophones and typos of the same sound: 张伟 / 张玮
                _level("name_pinyin_l = name_pinyin_r", "pinyin", 0.06, 0.002),
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
                _level("id_hash_l = id_hash_r", "exact", 0.95, 0.00001),
                _level("ELSE", "else", 0.05, 0.99999),
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


BLOCKING_RULES = [
    "l.id_hash = r.id_hash",
    "l.phone_hash = r.phone_hash",
    "l.phone_alt_hash = r.phone_hash",
    "l.phone_hash = r.phone_alt_hash",
    "l.name_initials = r.name_initials AND l.birth_year = r.birth_year",
    "l.birth_date = r.birth_date AND l.surname = r.surname",
    "l.name_pinyin = r.name_pinyin",
]


def settings_dict(prior: float = PRIOR_MATCH) -> dict[str, Any]:
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [{"blocking_rule": rule} for rule in BLOCKING_RULES],
        "comparisons": _comparisons(),
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
        ties = OverseasTie.objects.filter(person_id__in=[r[0] for r in rows]).values_list("person_id", "country")
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


def _load(con, rows: Iterable[tuple], *, chunk_size: int, progress: Callable[[int], None] | None) -> int:
    con.execute("CREATE TABLE persons (" + ", ".join(f"{name} {kind}" for name, kind in COLUMNS) + ")")
    placeholders = ", ".join("?" for _ in COLUMNS)
    batch: list[tuple] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk_size:
            con.executemany(f"INSERT INTO persons VALUES ({placeholders})", batch)
            count += len(batch)
            batch = []
            if progress:
                progress(count)
    if batch:
        con.executemany(f"INSERT INTO persons VALUES ({placeholders})", batch)
        count += len(batch)
        if progress:
            progress(count)
    return count


def _train(linker) -> bool:
    """Estimate u by random sampling and m by EM; keep the priors if that fails."""
    try:
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=42)
        linker.training.estimate_parameters_using_expectation_maximisation(
            "l.name_initials = r.name_initials AND l.birth_year = r.birth_year"
        )
        linker.training.estimate_parameters_using_expectation_maximisation("l.birth_date = r.birth_date")
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
    """Score the candidate pairs among ``rows`` (tuples in the order of ``COLUMNS``)."""
    import duckdb
    from splink import DuckDBAPI, Linker

    con = duckdb.connect(":memory:")
    try:
        count = _load(con, rows, chunk_size=chunk_size, progress=(lambda n: progress("load", n)) if progress else None)
        if count < 2:
            return LinkageResult(persons=count, comparisons=0, pairs=[], trained=False)
        settings = settings_dict()
        db_api = DuckDBAPI(con)
        linker = Linker(db_api.register("persons"), settings, log_level=logging.WARNING)
        trained = False
        if train if train is not None else count >= TRAIN_MIN_ROWS:
            trained = _train(linker)
        if progress:
            progress("predict", count)
        weight_floor = math.log2(threshold / (1 - threshold)) if 0 < threshold < 1 else None
        predictions = linker.inference.predict(threshold_match_weight=weight_floor)
        names = [c["output_column_name"] for c in settings["comparisons"]]
        query = (
            "SELECT p.unique_id_l, p.unique_id_r, p.federation_id_l, p.federation_id_r, p.match_weight, "
            f"p.match_probability, {_label_sql(settings)} FROM {predictions.physical_name} p "
            "JOIN persons l ON l.unique_id = p.unique_id_l JOIN persons r ON r.unique_id = p.unique_id_r "
            "ORDER BY p.unique_id_l, p.unique_id_r"
        )
        pairs: list[CandidatePair] = []
        compared = 0
        for values in con.execute(query).fetchall():
            id_l, id_r, fed_l, fed_r, weight, probability = values[:6]
            compared += 1
            if probability < threshold:
                continue
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
