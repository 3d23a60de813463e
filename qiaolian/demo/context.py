"""What the parts of the demo generator share while they build: the seed, the scale, the
fixed reference date, and the records made so far (federations, users, persons)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qiaolian.accounts.models import User
    from qiaolian.demo.geography import Town
    from qiaolian.orgs.models import Federation, Station, Term
    from qiaolian.registry.models import Household, OverseasTie, Person

# Ages and "today" in the demo are taken on this day, never on the real date, so a build does
# not change with the calendar.
REFERENCE_DATE = dt.date(2022, 12, 31)


def age_on(birth: dt.date, day: dt.date = REFERENCE_DATE) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass
class DemoContext:
    seed: int
    scale: float
    reference_date: dt.date = REFERENCE_DATE
    admin: User | None = None
    district: Federation | None = None
    towns: dict[str, Federation] = field(default_factory=dict)  # Town.key → federation
    groups: dict[tuple[str, str], Federation] = field(default_factory=dict)  # (Town.key, area) → group
    users: dict[str, User] = field(default_factory=dict)
    stations: list[Station] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    committee_members: int = 0
    partners: int = 0
    persons: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    ties: list[OverseasTie] = field(default_factory=list)
    person_town: list[str] = field(default_factory=list)  # Town.key of each person, same order

    def rng(self, area: str) -> random.Random:
        """An independent stream per area, so that adding a later area (activities …) does not
        change what the earlier ones generate."""
        return random.Random(f"qiaolian-demo:{self.seed}:{area}")

    def federation_for(self, town: Town, area_name: str) -> Federation:
        return self.groups.get((town.key, area_name)) or self.towns[town.key]

    def actor(self) -> User:
        if self.admin is None:
            raise RuntimeError("the district administrator must be created first")
        return self.admin
