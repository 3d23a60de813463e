"""Record linkage on the bench registry: time, pairs compared, and accuracy against the planted
duplicates.

The generator plants 2 % duplicates of realistic kinds (a typo in the name, traditional
characters, month and day swapped, no ID number, another phone) and keeps the truth in
``bench_planted_duplicate`` (duplicate_id, original_id, kind). An original and its duplicates form
one cluster; every pair within a cluster whose persons are both live (archived persons are not
linked) is a true pair. The engine runs once over the live persons of the whole district — the
queryset the background job uses — and writes nothing (no run, no pair is stored).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.db import connection

from qiaolian.bench.generate import GROUND_TRUTH_TABLE
from qiaolian.bench.measure import Context, NotAvailable, Result, _stats, isolated

Pair = frozenset[int]


def pair_metrics(found: Iterable[Pair], truth: Iterable[Pair]) -> dict[str, float | int]:
    """Precision, recall and F1 of the pairs ``found`` against the ``truth`` pairs."""
    found_set, truth_set = set(found), set(truth)
    true_positives = len(found_set & truth_set)
    false_positives = len(found_set - truth_set)
    false_negatives = len(truth_set - found_set)
    precision = true_positives / len(found_set) if found_set else 1.0
    recall = true_positives / len(truth_set) if truth_set else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "true_positives": true_positives,
        "false_positives": false_positives,
        "false_negatives": false_negatives,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def truth_pairs(rows: Iterable[tuple[int, int, str]], live: set[int] | None = None) -> dict[Pair, str]:
    """Every pair within a cluster (an original and its duplicates) → the kind of the duplicate
    involved (``both`` for two duplicates of one original); ``live`` limits the persons."""
    clusters: dict[int, list[tuple[int, str]]] = {}
    for duplicate_id, original_id, kind in rows:
        clusters.setdefault(original_id, []).append((duplicate_id, kind))
    pairs: dict[Pair, str] = {}
    for original_id, duplicates in clusters.items():
        members = [(original_id, ""), *duplicates]
        members = [(pid, kind) for pid, kind in members if live is None or pid in live]
        for i, (a, kind_a) in enumerate(members):
            for b, kind_b in members[i + 1 :]:
                pairs[frozenset((a, b))] = kind_b if not kind_a else "both"
    return pairs


def _planted_rows() -> list[tuple[int, int, str]]:
    if GROUND_TRUTH_TABLE not in connection.introspection.table_names():
        raise NotAvailable(f"no table {GROUND_TRUTH_TABLE} (the bench generator plants the duplicates)")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT duplicate_id, original_id, kind FROM {GROUND_TRUTH_TABLE}")
        return [(int(d), int(o), str(k)) for d, o, k in cursor.fetchall()]


def _live_ids(ids: set[int]) -> set[int]:
    from qiaolian.registry.models import Person

    live: set[int] = set()
    ordered = sorted(ids)
    for i in range(0, len(ordered), 10_000):
        live.update(
            Person.objects.filter(pk__in=ordered[i : i + 10_000], is_archived=False).values_list("pk", flat=True)
        )
    return live


def _link_and_score() -> dict:
    """One linkage over the live persons of the district, scored against the planted pairs."""
    from qiaolian.linkage import engine
    from qiaolian.linkage.services import persons_of_subtree_for_job
    from qiaolian.orgs.models import Federation

    rows = _planted_rows()
    district = Federation.objects.filter(parent__isnull=True).order_by("id").first()
    if district is None:
        raise NotAvailable("no federation")
    truth = truth_pairs(rows, _live_ids({pid for row in rows for pid in row[:2]}))
    stages: dict[str, float] = {}
    marks = {"start": time.perf_counter()}

    def progress(stage: str, done: int) -> None:
        if stage not in marks:
            marks[stage] = time.perf_counter()

    started = time.perf_counter()
    outcome = engine.link_persons(persons_of_subtree_for_job(district), progress=progress)
    seconds = time.perf_counter() - started
    if "predict" in marks:
        stages["load_s"] = round(marks["predict"] - marks["start"], 1)
        stages["train_and_predict_s"] = round(started + seconds - marks["predict"], 1)
    found = {frozenset((p.person_a_id, p.person_b_id)) for p in outcome.pairs}
    by_kind: dict[str, list[int]] = {}
    for pair, kind in truth.items():
        hits = by_kind.setdefault(kind, [0, 0])
        hits[0] += pair in found
        hits[1] += 1
    return {
        "persons": outcome.persons,
        "seconds": seconds,
        **stages,
        "compared_pairs": outcome.comparisons,
        "candidate_pairs": len(outcome.pairs),
        "true_pairs": len(truth),
        **pair_metrics(found, truth),
        "recall_by_kind": {kind: round(hit / total, 4) for kind, (hit, total) in sorted(by_kind.items()) if total},
        "trained": outcome.trained,
        "threshold": engine.DEFAULT_THRESHOLD,
    }


def measure_linkage(ctx: Context, result: Result) -> None:
    """The linkage in a child process (its own memory peak), writing nothing."""
    out = isolated(ctx, _link_and_score)
    ctx.shared["linkage"] = dict(out)
    _stats(result, [out["seconds"]])
    result.maxrss_kb = out.pop("maxrss_kb")
    out["seconds"] = round(out["seconds"], 1)
    result.extra.update(out)


def measure_accuracy(ctx: Context, result: Result) -> None:
    """The F1 (and precision, recall) of the linkage run by ``measure_linkage`` in this run."""
    if "linkage" not in ctx.shared:
        measure_linkage(ctx, Result(name="linkage", title=""))
    out = ctx.shared["linkage"]
    result.samples = 1
    result.extra.update({k: out[k] for k in ("precision", "recall", "f1", "true_pairs", "candidate_pairs")})
