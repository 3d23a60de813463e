"""The engine finds planted duplicates of the kinds a registry really has, and not namesakes."""

from __future__ import annotations

import datetime as dt

import pytest

from qiaolian.linkage import engine
from qiaolian.registry.models import Person
from qiaolian.registry.tests.factories import OverseasTieFactory, PersonFactory


def _pair_ids(result) -> set[frozenset[int]]:
    return {frozenset((p.person_a_id, p.person_b_id)) for p in result.pairs}


@pytest.fixture
def planted(jinshan):
    fed = jinshan.zhujing
    p = {}
    # a typo (homophone) in the name, the same phone, one record without an ID number
    p["typo_a"] = PersonFactory(federation=fed, name="张伟明", birth_date=dt.date(1952, 3, 14), phone="+8613800000001")
    p["typo_b"] = PersonFactory(
        federation=fed, name="张维明", birth_date=dt.date(1952, 3, 14), phone="+8613800000001", id_number=""
    )
    # traditional characters, a changed phone
    p["trad_a"] = PersonFactory(federation=fed, name="陈美玲", birth_date=dt.date(1961, 7, 2), sex="F")
    p["trad_b"] = PersonFactory(
        federation=fed, name="陳美玲", birth_date=dt.date(1961, 7, 2), sex="F", id_number="", phone="+8613911112222"
    )
    # month and day swapped, no ID on the copy
    p["swap_a"] = PersonFactory(federation=fed, name="黄丽娟", birth_date=dt.date(1948, 4, 9), sex="F")
    p["swap_b"] = PersonFactory(
        federation=fed, name="黄丽娟", birth_date=dt.date(1948, 9, 4), sex="F", id_number="", phone=""
    )
    OverseasTieFactory(person=p["swap_a"], country="US")
    OverseasTieFactory(person=p["swap_b"], country="US")
    # namesakes: common surname and name, different people (own ID numbers, other years)
    p["wang_1"] = PersonFactory(federation=fed, name="王芳", birth_date=dt.date(1970, 1, 5), sex="F")
    p["wang_2"] = PersonFactory(federation=fed, name="王芳", birth_date=dt.date(1970, 11, 23), sex="F")
    p["wang_3"] = PersonFactory(federation=fed, name="王芳", birth_date=dt.date(1985, 6, 1), sex="F")
    p["li_1"] = PersonFactory(federation=fed, name="李伟", birth_date=dt.date(1960, 2, 2))
    p["li_2"] = PersonFactory(federation=fed, name="李伟", birth_date=dt.date(1966, 2, 2))
    return p


def test_engine_finds_planted_duplicates(planted):
    result = engine.link_persons(Person.objects.all())
    found = _pair_ids(result)
    for kind in ("typo", "trad", "swap"):
        assert frozenset((planted[f"{kind}_a"].pk, planted[f"{kind}_b"].pk)) in found, kind
    assert result.persons == len(planted)
    assert not result.trained  # small data: the priors, deterministic


def test_engine_does_not_pair_namesakes(planted):
    found = _pair_ids(engine.link_persons(Person.objects.all()))
    for a, b in (("wang_1", "wang_2"), ("wang_1", "wang_3"), ("wang_2", "wang_3"), ("li_1", "li_2")):
        assert frozenset((planted[a].pk, planted[b].pk)) not in found, (a, b)
    assert len(found) == 3


def test_engine_reasons_name_the_fields_that_agreed(planted):
    pairs = {frozenset((p.person_a_id, p.person_b_id)): p for p in engine.link_persons(Person.objects.all()).pairs}
    typo = pairs[frozenset((planted["typo_a"].pk, planted["typo_b"].pk))]
    assert {"name_pinyin", "birth_exact", "phone"} <= set(typo.reasons)
    swap = pairs[frozenset((planted["swap_a"].pk, planted["swap_b"].pk))]
    assert {"name_exact", "birth_swapped", "countries"} <= set(swap.reasons)
    trad = pairs[frozenset((planted["trad_a"].pk, planted["trad_b"].pk))]
    assert "name_exact" in trad.reasons and "phone" not in trad.reasons
    assert typo.match_probability > 0.99 and typo.match_weight > trad.match_weight > 0


def test_engine_is_deterministic(planted):
    first = engine.link_persons(Person.objects.all()).pairs
    second = engine.link_persons(Person.objects.all()).pairs
    assert first == second


def test_engine_never_reads_plain_personal_data(planted, monkeypatch):
    from qiaolian.core import crypto

    def refuse(*args, **kwargs):
        raise AssertionError("decrypted")

    monkeypatch.setattr(crypto, "decrypt", refuse)
    assert engine.link_persons(Person.objects.all()).pairs


def test_engine_with_fewer_than_two_persons_finds_nothing(jinshan):
    PersonFactory(federation=jinshan.zhujing)
    result = engine.link_persons(Person.objects.all())
    assert result.pairs == [] and result.persons == 1


def test_common_name_with_other_birth_date_is_not_even_compared(jinshan):
    fed = jinshan.zhujing
    PersonFactory(federation=fed, name="王芳", birth_date=dt.date(1970, 1, 5), sex="F", phone="+8613800000011")
    PersonFactory(federation=fed, name="王芳", birth_date=dt.date(1975, 8, 30), sex="F", phone="+8613800000012")
    result = engine.link_persons(Person.objects.all())
    assert result.comparisons == 0 and result.pairs == []


def test_swapped_month_and_day_with_same_name_and_phone_is_a_pair(jinshan):
    fed = jinshan.zhujing
    a = PersonFactory(federation=fed, name="刘建国", birth_date=dt.date(1950, 3, 11), phone="+8613800000021")
    b = PersonFactory(
        federation=fed, name="刘建国", birth_date=dt.date(1950, 11, 3), phone="+8613800000021", id_number=""
    )
    result = engine.link_persons(Person.objects.all())
    (pair,) = result.pairs
    assert {pair.person_a_id, pair.person_b_id} == {a.pk, b.pk}
    assert {"name_exact", "birth_swapped", "phone"} <= set(pair.reasons)


def test_comparisons_count_every_scored_pair_not_only_those_reported(jinshan):
    fed = jinshan.zhujing
    # same surname and birth date (a block), otherwise different people: compared, not reported
    PersonFactory(federation=fed, name="李伟", birth_date=dt.date(1960, 2, 2), sex="M")
    PersonFactory(federation=fed, name="李秀英", birth_date=dt.date(1960, 2, 2), sex="F")
    result = engine.link_persons(Person.objects.all())
    assert result.comparisons == 1 and result.pairs == []


def _synthetic_rows(count: int) -> tuple[list[tuple], set[frozenset[int]], set[frozenset[int]]]:
    """``count`` persons (a tenth of them named 王芳) and planted copies: (rows, true pairs, namesake
    pairs born the same day with their own ID numbers)."""
    import random

    from qiaolian.core.text import initials_key, pinyin_key

    rng = random.Random(7)
    surnames, given = (
        "赵钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜",
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华",
    )
    rows, truth, namesakes = [], set(), set()
    by_key: dict[tuple[str, dt.date], int] = {}

    def row(pid: int, name: str, birth: dt.date, sex: str, id_hash, phone) -> tuple:
        return (pid, 1, name, pinyin_key(name), initials_key(name), name[0], None, birth, birth.year, sex,
                id_hash, phone, None, None, None)  # fmt: skip

    for pid in range(1, count + 1):
        name = "王芳" if pid % 10 == 0 else rng.choice(surnames) + rng.choice(given) + rng.choice(given)
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 60))
        sex = rng.choice("MF")
        rows.append(row(pid, name, birth, sex, f"id{pid}", f"ph{pid}"))
        other = by_key.setdefault((name, birth), pid)
        if other != pid:
            namesakes.add(frozenset((other, pid)))
        if pid % 50 == 0:  # a copy without ID number, same phone, the month and day swapped if they can be
            copy = count + pid
            swapped = dt.date(birth.year, birth.day, birth.month) if birth.day <= 12 else birth
            rows.append(row(copy, name, swapped, sex, None, f"ph{pid}"))
            truth.add(frozenset((pid, copy)))
    return rows, truth, namesakes


def test_trained_model_finds_copies_and_not_common_namesakes():
    rows, truth, namesakes = _synthetic_rows(6000)
    result = engine.link_rows(rows, train=True)
    found = {frozenset((p.person_a_id, p.person_b_id)) for p in result.pairs}
    assert result.trained
    assert truth <= found
    assert not (namesakes & found)
    assert len(found - truth) <= len(truth) // 20
    # the blocking compares a few pairs per person, not every 王芳 with every other
    assert result.comparisons < 3 * len(rows)


def test_training_without_any_near_certain_pair_still_scores():
    rows, _truth, _namesakes = _synthetic_rows(6000)
    originals = [r for r in rows if r[0] <= 6000]  # no copies: no pair shares name and phone
    result = engine.link_rows(originals, train=True)
    assert result.trained
    assert result.comparisons > 0
    assert all(0 <= p.match_probability <= 1 for p in result.pairs)
