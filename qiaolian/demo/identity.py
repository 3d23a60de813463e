"""Synthetic identity documents, phone numbers and addresses.

Resident ID numbers follow GB 11643: six-digit area code, birth date, a three-digit sequence
whose last digit is odd for men and even for women, and the ISO 7064 check digit. They are
valid but invented: the sequence codes are random, and every number is used once.
"""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric

from qiaolian.demo.geography import Area, Town
from qiaolian.demo.rand import Weighted


class IdNumbers:
    """Hands out unique resident ID numbers and other document numbers for one build."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._used: set[str] = set()  # membership only, never iterated

    def resident_id(self, *, area_code: str, birth: dt.date, male: bool) -> str:
        for _ in range(1000):
            seq = self.rng.randint(0, 499) * 2 + (1 if male else 0)
            body = f"{area_code}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder 18th digit
            if number not in self._used:
                self._used.add(number)
                return number
        raise RuntimeError(f"no free ID number for {area_code} {birth}")

    def _unique(self, make) -> str:
        for _ in range(1000):
            number = make()
            if number not in self._used:
                self._used.add(number)
                return number
        raise RuntimeError("no free document number")

    def _digits(self, n: int) -> str:
        return "".join(str(self.rng.randint(0, 9)) for _ in range(n))

    def _letters(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))

    def chinese_passport(self) -> str:
        """An e-passport number: E + 8 digits (EA… + 7 digits since 2017)."""

        def make() -> str:
            if self.rng.random() < 0.6:
                return "E" + self._digits(8)
            return self.rng.choice(("EA", "EB", "EC")) + self._digits(7)

        return self._unique(make)

    def hk_macao_permit(self, region: str) -> str:
        """港澳居民来往内地通行证: H (Hong Kong) or M (Macao) + 8 digits."""
        prefix = "M" if region == "MO" else "H"
        return self._unique(lambda: prefix + self._digits(8))

    def foreign_passport(self, country: str) -> str:
        formats = {
            "US": lambda: str(self.rng.randint(5, 6)) + self._digits(8),
            "CA": lambda: self._letters(2) + self._digits(6),
            "AU": lambda: self.rng.choice(["PA", "PB", "N"]) + self._digits(7),
            "JP": lambda: self.rng.choice(["TK", "TR", "MZ"]) + self._digits(7),
            "SG": lambda: "K" + self._digits(7) + self._letters(1),
            "MY": lambda: "A" + self._digits(8),
            "GB": lambda: "5" + self._digits(8),
            "NZ": lambda: "LA" + self._digits(6),
        }
        return self._unique(formats.get(country, lambda: self._letters(2) + self._digits(7)))

    def permanent_residence(self, *, country_alpha3: str, birth: dt.date) -> str:
        """外国人永久居留身份证 (2004–2023 form): country code, place code 31, birth date, serial."""
        return self._unique(lambda: f"{country_alpha3}31{birth:%y%m%d}{self._digits(3)}")


# Mobile number blocks in use (all valid for phonenumbers' CN metadata).
MOBILE_PREFIXES = Weighted(
    [("139", 8), ("138", 8), ("137", 6), ("136", 6), ("135", 6), ("134", 3), ("150", 5), ("151", 4), ("152", 3),
     ("158", 4), ("159", 4), ("157", 2), ("187", 4), ("188", 3), ("182", 3), ("183", 2), ("130", 3), ("131", 3),
     ("132", 2), ("155", 2), ("156", 2), ("185", 2), ("186", 3), ("133", 3), ("153", 2), ("180", 2), ("181", 2),
     ("189", 4), ("177", 2), ("176", 1), ("199", 2), ("198", 1), ("166", 1)]
)  # fmt: skip
# Jinshan's fixed lines: eight digits beginning 57.
LANDLINE_BLOCKS = ("5722", "5723", "5724", "5725", "5727", "5728", "5729", "5731", "5732", "5735", "5793", "5794",
                   "5795", "5796", "5797")  # fmt: skip


def mobile(rng: random.Random) -> str:
    return f"+86{MOBILE_PREFIXES.pick(rng)}{rng.randint(0, 99_999_999):08d}"


def landline(rng: random.Random) -> str:
    return f"+8621{rng.choice(LANDLINE_BLOCKS)}{rng.randint(0, 9999):04d}"


def street_address(rng: random.Random, town: Town, area: Area) -> str:
    """An address in ``area``: road, lane, building and flat in a 居民区; group and house in a village."""
    if area.is_village:
        return f"上海市金山区{town.short_name}{area.name}{rng.randint(1, 16)}组{rng.randint(1, 420)}号"
    road = rng.choice(town.roads)
    floors = 18 if town.key in ("shihua", "shanyang") and rng.random() < 0.3 else 6
    return (
        f"上海市金山区{town.short_name}{road}{rng.randint(1, 120) * 5 + rng.choice((0, 0, 1, 3))}弄"
        f"{rng.randint(1, 60)}号{rng.randint(1, floors)}{rng.randint(1, 4):02d}室"
    )
