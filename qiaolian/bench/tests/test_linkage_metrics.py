"""The accuracy arithmetic of the linkage measurement: clusters of planted duplicates → true pairs,
and precision, recall and F1 of the pairs found."""

from __future__ import annotations

import pytest

from qiaolian.bench.linkage import pair_metrics, truth_pairs


def test_truth_pairs_join_every_member_of_a_cluster():
    # original 1 has two duplicates (10, 11); original 2 one (20)
    truth = truth_pairs([(10, 1, "typo"), (11, 1, "missing_id"), (20, 2, "traditional")])
    assert truth == {
        frozenset((1, 10)): "typo",
        frozenset((1, 11)): "missing_id",
        frozenset((10, 11)): "both",
        frozenset((2, 20)): "traditional",
    }


def test_truth_pairs_leave_out_persons_not_linked():
    # original 1 is archived: its duplicates are still one person; original 2's pair is gone
    truth = truth_pairs([(10, 1, "typo"), (11, 1, "missing_id"), (20, 2, "traditional")], live={10, 11, 20})
    assert truth == {frozenset((10, 11)): "both"}


def test_precision_recall_and_f1_of_found_pairs():
    truth = {frozenset((1, 2)), frozenset((3, 4)), frozenset((5, 6)), frozenset((7, 8))}
    found = {frozenset((2, 1)), frozenset((3, 4)), frozenset((5, 6)), frozenset((1, 9))}
    metrics = pair_metrics(found, truth)
    assert metrics["true_positives"] == 3
    assert metrics["false_positives"] == 1
    assert metrics["false_negatives"] == 1
    assert metrics["precision"] == pytest.approx(0.75)
    assert metrics["recall"] == pytest.approx(0.75)
    assert metrics["f1"] == pytest.approx(0.75)


def test_f1_is_the_harmonic_mean():
    truth = {frozenset((i, i + 100)) for i in range(10)}
    found = {frozenset((i, i + 100)) for i in range(5)}  # half found, nothing wrong
    metrics = pair_metrics(found, truth)
    assert metrics["precision"] == 1.0 and metrics["recall"] == 0.5
    assert metrics["f1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5, abs=1e-4)


def test_nothing_found_has_zero_recall_and_f1():
    metrics = pair_metrics(set(), {frozenset((1, 2))})
    assert metrics["recall"] == 0.0 and metrics["f1"] == 0.0
