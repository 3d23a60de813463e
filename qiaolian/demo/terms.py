"""Terms (届) and committees: the district's fifth committee (elected at the 5th congress in
December 2017) and sixth (elected at the 6th congress on 2022-11-22), and for every street/town
federation the term in force in December 2017 and the one elected in 2022.

Committee seats held by people of the 侨 community point at their registry record; cadres
(chairs of the town federations, the full-time officers) are named without one.

The 2022 terms are opened by ``orgs.services.election_record``, as a user would record the
election (换届): it closes the 2017 term, opens the new one and seats the committee elected. The
details of each election (method, delegates) come from their own random stream ("elections"), so
the committees are the same as when the terms were created directly.
"""

from __future__ import annotations

import datetime as dt
import random

from qiaolian.demo import geography as geo
from qiaolian.demo import names
from qiaolian.demo.accounts import LEADER_NAME
from qiaolian.demo.context import DemoContext, age_on
from qiaolian.orgs.models import CommitteeRole, ElectionMethod, Federation, Term
from qiaolian.orgs.services import committee_member_add, election_record, term_create
from qiaolian.registry import choices as c
from qiaolian.registry.models import Person

FIFTH_CONGRESS = dt.date(2017, 12, 15)
SIXTH_CONGRESS = dt.date(2022, 11, 22)
SIXTH_TERM_ENDS = dt.date(2027, 11, 21)
NUMERALS = "〇一二三四五六七八九十"

SEATED_CATEGORIES = (
    c.Category.RETURNEE,
    c.Category.RELATIVE,
    c.Category.HK_MACAO_RELATIVE,
    c.Category.RETURNED_STUDENT,
    c.Category.STUDENT_RELATIVE,
)
SENIOR = ("董事长", "总经理", "执行董事", "合伙人", "教授", "副教授", "研究员", "高级工程师", "主治医师")


def _numeral(n: int) -> str:
    return NUMERALS[n] if n <= 10 else str(n)


class CommitteeBuilder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng: random.Random = ctx.rng("terms")
        self.election_rng: random.Random = ctx.rng("elections")
        self.town_chairs: dict[tuple[str, int], str] = {}  # (Town.key, year) → chair's name
        self.town_of: dict[int, str] = {
            p.pk: key for p, key in zip(ctx.persons, ctx.person_town, strict=True)
        }  # person id → Town.key

    def eligible(self, on: dt.date, town_key: str | None = None) -> list[Person]:
        """Registry persons who could sit on a committee elected on ``on`` (in ``town_key``)."""
        out = []
        for person, key in zip(self.ctx.persons, self.ctx.person_town, strict=True):
            if town_key is not None and key != town_key:
                continue
            if person.category not in SEATED_CATEGORIES or person.residence_country:
                continue
            if person.living_status != c.LivingStatus.LIVING or not 30 <= age_on(person.birth_date, on) <= 72:
                continue
            out.append(person)
        return out

    def _position(self, person: Person, town_name: str) -> str:
        if person.employer and person.position:
            return f"{person.employer}{person.position}"[:150]
        if person.employer:
            return person.employer[:150]
        label = {c.Category.RETURNEE: "归侨代表", c.Category.RETURNED_STUDENT: "留学归国人员代表"}.get(
            person.category, "侨眷代表"
        )
        return f"{town_name}{label}"

    def _seat(self, term: Term | list[dict], role: str, order: int, *, person: Person | None = None, name: str = "",
              position: str = "", full_time: bool = False) -> None:  # fmt: skip
        """Seat a member on ``term``, or add the seat to ``term`` when it is the list of members
        an election (not yet recorded) will seat."""
        seat = {
            "name": person.name if person else name,
            "person": person,
            "role": role,
            "is_full_time": full_time,
            "position": position,
            "sort_order": order,
        }
        if isinstance(term, list):
            term.append(seat)
        else:
            committee_member_add(actor=self.ctx.actor(), term=term, **seat)
        self.ctx.committee_members += 1

    def _election(self, federation: Federation, number: int, held_on: dt.date, ends: dt.date, congress: str,
                  members: list[dict], *, delegates: int) -> Term:  # fmt: skip
        rng = self.election_rng
        contested = rng.random() < 0.35
        note = "无记名投票，委员候选人差额比例不少于10%" if contested else "无记名投票"
        election = election_record(
            actor=self.ctx.actor(),
            federation=federation,
            held_on=held_on,
            method=ElectionMethod.CONTESTED if contested else ElectionMethod.UNCONTESTED,
            method_note=note,
            congress_name=congress,
            delegate_count=delegates,
            new_term_number=number,
            new_term_ends_on=ends,
            members=members,
            notes=f"经{federation.parent.short_name if federation.parent else '上海市侨联'}批复同意召开。",
        )
        self.ctx.terms.append(election.term)
        return election.term

    def _term(self, federation: Federation, number: int, starts: dt.date, ends: dt.date, congress: str) -> Term:
        term = term_create(
            actor=self.ctx.actor(),
            federation=federation,
            number=number,
            starts_on=starts,
            ends_on=ends,
            congress_name=congress,
        )
        self.ctx.terms.append(term)
        return term

    def _cadre_name(self, birth_year: int) -> str:
        return names.full_name(self.rng, male=self.rng.random() < 0.55, birth_year=birth_year)

    # Towns ------------------------------------------------------------------------------------

    def build_towns(self) -> None:
        rng = self.rng
        for town in geo.TOWNS:
            federation = self.ctx.towns[town.key]
            number, starts = town.term_2017
            elected = town.elected_2022
            previous: list[Person] = []
            for year, term_number, start, end in (
                (2017, number, starts, elected - dt.timedelta(days=1)),
                (2022, number + 1, elected, elected.replace(year=elected.year + 5) - dt.timedelta(days=1)),
            ):
                congress = f"{town.short_name}侨联第{_numeral(term_number)}次归侨侨眷代表大会"
                # 2017: the term in force; 2022: the members the election will seat.
                term: Term | list[dict] = (
                    self._term(federation, term_number, start, end, congress) if year == 2017 else []
                )
                if year == 2022 and rng.random() < 0.5:
                    chair = self.town_chairs[(town.key, 2017)]
                else:
                    chair = self._cadre_name(rng.randint(1965, 1982))
                self.town_chairs[(town.key, year)] = chair
                committee = "党委" if town.kind == "town" else "党工委"
                self._seat(term, CommitteeRole.CHAIR, 1, name=chair, position=f"{town.short_name}{committee}统战委员")
                pool = [p for p in self.eligible(start, town.key) if p not in previous or rng.random() < 0.6]
                seats = rng.sample(pool, min(len(pool), rng.randint(4, 7)))
                for order, person in enumerate(seats, start=2):
                    role = CommitteeRole.VICE_CHAIR if order <= 3 else CommitteeRole.MEMBER
                    self._seat(term, role, order, person=person, position=self._position(person, town.short_name))
                if isinstance(term, list):
                    delegates = self.election_rng.randint(45, 120)
                    self._election(federation, term_number, start, end, congress, term, delegates=delegates)
                previous = seats

    # District ---------------------------------------------------------------------------------

    def build_district(self) -> None:
        rng = self.rng
        district = self.ctx.district
        assert district is not None
        fifth = self._term(
            district, 5, FIFTH_CONGRESS, SIXTH_CONGRESS - dt.timedelta(days=1), "金山区第五次归侨侨眷代表大会"
        )
        sixth: list[dict] = []  # seated by the election of 2022-11-22
        full_time_vice = self._cadre_name(1972)
        secretary = self._cadre_name(1978)
        fifth_vice: list[Person] = []
        fifth_members: list[Person] = []
        for term, year in ((fifth, 2017), (sixth, 2022)):
            on = SIXTH_CONGRESS if year == 2022 else FIFTH_CONGRESS
            order = 1
            chair = LEADER_NAME if year == 2022 else self._cadre_name(1962)
            self._seat(term, CommitteeRole.CHAIR, order, name=chair, position="区侨联主席")
            order += 1
            self._seat(term, CommitteeRole.VICE_CHAIR, order, name=full_time_vice, position="区侨联专职副主席",
                       full_time=True)  # fmt: skip
            if year == 2022:  # the secretary-general moves up, a new one is elected
                secretary = self._cadre_name(1985)
            eligible = self.eligible(on)
            returned = [
                p for p in eligible if p.category == c.Category.RETURNED_STUDENT and p.employer and p.position in SENIOR
            ]
            if len(returned) < 3:  # a small demo: any returned student with an employer
                returned += [
                    p
                    for p in eligible
                    if p.category == c.Category.RETURNED_STUDENT and p.employer and p not in returned
                ][: 3 - len(returned)]
            keep_vice = [p for p in fifth_vice if p in eligible and rng.random() < 0.6]
            candidates = [p for p in returned if p not in keep_vice]
            vice = keep_vice + rng.sample(candidates, min(len(candidates), 3 - len(keep_vice)))
            for person in vice:
                order += 1
                self._seat(term, CommitteeRole.VICE_CHAIR, order, person=person, position=self._position(person, ""))
            order += 1
            self._seat(term, CommitteeRole.SECRETARY_GENERAL, order, name=secretary, position="区侨联秘书长")
            seated: list[Person] = list(vice)
            keep = [p for p in fifth_members if p in eligible and p not in seated and rng.random() < 0.6]
            fresh_pool = [p for p in eligible if p not in seated and p not in keep]
            members = keep + rng.sample(fresh_pool, min(len(fresh_pool), max(0, 22 - len(keep))))
            # Standing committee: three town chairs and six members; the other town chairs sit as members.
            chairs = [(town, self.town_chairs[(town.key, year)]) for town in geo.TOWNS]
            for i, (town, name) in enumerate(chairs):
                order += 1
                role = CommitteeRole.STANDING if i < 3 else CommitteeRole.MEMBER
                self._seat(term, role, order if i < 3 else 100 + i, name=name, position=f"{town.short_name}侨联主席")
            for i, person in enumerate(members):
                order += 1
                role = CommitteeRole.STANDING if i < 6 else CommitteeRole.MEMBER
                town_name = geo.TOWNS_BY_KEY[self.town_of[person.pk]].short_name
                position = self._position(person, town_name)
                self._seat(term, role, order if i < 6 else 100 + len(chairs) + i, person=person, position=position)
            fifth_vice, fifth_members = vice, members
        self._election(district, 6, SIXTH_CONGRESS, SIXTH_TERM_ENDS, "金山区第六次归侨侨眷代表大会", sixth,
                       delegates=self.election_rng.randint(180, 220))  # fmt: skip


def build_terms(ctx: DemoContext) -> None:
    builder = CommitteeBuilder(ctx)
    builder.build_towns()
    builder.build_district()
