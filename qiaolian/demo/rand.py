"""Small helpers over ``random.Random`` used by every part of the demo generator.

Every choice goes through an explicit ``random.Random`` and through sequences (lists, tuples),
never through sets or unordered mappings, so that a seed always gives the same data.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed list of (value, weight) pairs with the cumulative weights computed once."""

    __slots__ = ("cum", "total", "values")

    def __init__(self, pairs: Sequence[tuple[T, float]]):
        if not pairs:
            raise ValueError("no choices")
        self.values: list[T] = [v for v, _ in pairs]
        self.cum: list[float] = list(itertools.accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return rng.choices(self.values, cum_weights=self.cum, k=1)[0]

    def __len__(self) -> int:
        return len(self.values)


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A day in [start, end], uniformly."""
    span = (end - start).days
    return start + dt.timedelta(days=rng.randint(0, max(span, 0)))


def date_in_year(rng: random.Random, year: int) -> dt.date:
    return date_between(rng, dt.date(year, 1, 1), dt.date(year, 12, 31))


def weighted_sample(rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int) -> list[T]:
    """``k`` distinct items drawn with probability proportional to weight (Efraimidis–Spirakis),
    returned in their original order."""
    if k <= 0:
        return []
    keyed = [(rng.random() ** (1.0 / w) if w > 0 else 0.0, i) for i, w in enumerate(weights)]
    chosen = sorted(i for _, i in sorted(keyed, reverse=True)[:k])
    return [items[i] for i in chosen]
