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
