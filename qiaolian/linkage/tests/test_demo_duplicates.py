"""The demo registers some persons twice, as registries do, and the linkage finds every one of them.

One build at scale 0.02 (60 persons, six of them second records, one of each kind) for the module,
rolled back after it; the linkage runs over the whole district as ``manage.py dedupe`` does."""

from __future__ import annotations

import pytest
from django.db import transaction

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.core.text import pinyin_key
from qiaolian.demo import build_demo
from qiaolian.demo.people import DUPLICATE_ORDER, duplicate_count
from qiaolian.linkage import services
from qiaolian.linkage.models import CandidatePair, PairStatus
from qiaolian.orgs.models import Federation
from qiaolian.registry.duplicates import Rule
from qiaolian.registry.models import Person

SCALE = 0.02


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(seed=2017, scale=SCALE)
        transaction.set_rollback(True)


@pytest.fixture
def planted(demo, db) -> list[tuple[Person, Person, str, list[str]]]:
    """(original, duplicate, kind, entry-check rules) as the demo's import entry lists them."""
    entry = AuditEntry.objects.get(action=Action.IMPORT, data__source="demo-data")
    persons = Person.objects.select_related("federation__parent").in_bulk(
        [pk for row in entry.data["planted_duplicates"] for pk in (row["original"], row["duplicate"])]
    )
    return [
        (persons[row["original"]], persons[row["duplicate"]], row["kind"], row["entry_check"])
        for row in entry.data["planted_duplicates"]
    ]


def _town(person: Person) -> Federation:
    return person.federation.parent if person.federation.parent.parent_id else person.federation


def test_duplicate_count_is_about_one_and_a_half_percent_and_at_least_a_handful():
    assert duplicate_count(60) == 6  # scale 0.02
    assert duplicate_count(3000) == 45  # scale 1
    assert duplicate_count(30_000) == 450
    assert duplicate_count(40) == 4  # below scale 0.02: a tenth of the registry at most
    assert duplicate_count(9) == 0


def test_demo_plants_one_duplicate_of_each_kind_within_its_persons(demo, planted):
    assert [kind for _o, _d, kind, _r in planted] == list(DUPLICATE_ORDER)
    assert Person.objects.count() == demo.persons == round(3000 * SCALE)  # part of the total, not on top
    originals = {o.pk for o, _d, _k, _r in planted}
    assert len(originals) == len(planted)
    assert all(o.pk < d.pk for o, d, _k, _r in planted)  # the second record is entered later


def test_each_planted_duplicate_differs_from_its_original_as_its_kind_says(planted):
    for original, duplicate, kind, _rules in planted:
        assert original.id_number and not duplicate.id_number, kind  # the entry check refuses a known number
        assert duplicate.id_number_hash is None
        assert (duplicate.sex, duplicate.category, duplicate.is_archived) == (original.sex, original.category, False)
        same_name = duplicate.name == original.name
        same_birth = duplicate.birth_date == original.birth_date
        same_phone = duplicate.phone_hash == original.phone_hash
        same_town = _town(duplicate) == _town(original)
        if kind == "other_town":
            assert same_name and same_birth and same_phone and not same_town
            assert duplicate.address.reveal().startswith(f"上海市金山区{_town(duplicate).short_name}")
        elif kind == "typo":
            assert duplicate.name_key != original.name_key
            assert duplicate.name[0] == original.name[0] and len(duplicate.name) == len(original.name)
            assert pinyin_key(duplicate.name) == pinyin_key(original.name)
            assert same_birth and same_phone and same_town
        elif kind == "traditional":
            assert duplicate.name != original.name and duplicate.name_key == original.name_key
            assert same_birth and same_phone and same_town
        elif kind == "swapped_date":
            b, o = duplicate.birth_date, original.birth_date
            assert (b.year, b.month, b.day) == (o.year, o.day, o.month) and b != o
            assert same_name and same_phone and same_town
        elif kind == "missing_id":
            assert same_name and same_birth and same_phone and same_town
        elif kind == "changed_phone":
            assert duplicate.phone and duplicate.phone.reveal().startswith("+861")
            assert same_name and same_birth and not same_phone and same_town
        else:
            pytest.fail(f"unknown kind {kind}")


def test_planted_duplicates_went_through_the_entry_check_as_an_import_would(planted):
    """No duplicate would have been refused (same ID number); the ones with the same name would
    have asked for confirmation; a typo in the name passes the entry check unnoticed."""
    rules = {kind: set(found) for _o, _d, kind, found in planted}
    assert all(Rule.ID_NUMBER not in found for found in rules.values())
    assert rules["typo"] == set()
    assert Rule.NAME_BIRTH_DATE in rules["traditional"]  # 陳 and 陈 share the name key
    assert Rule.NAME_SEX_SWAPPED_DATE in rules["swapped_date"]
    assert Rule.NAME_PHONE in rules["other_town"] and Rule.NAME_BIRTH_DATE in rules["other_town"]
    assert rules["changed_phone"] == {Rule.NAME_BIRTH_DATE}


def test_the_duplicate_keeps_the_relatives_abroad_of_the_original(planted):
    for original, duplicate, kind, _rules in planted:
        theirs = sorted((t.name, t.relation, str(t.country)) for t in original.overseas_ties.all())
        ours = sorted((t.name, t.relation, str(t.country)) for t in duplicate.overseas_ties.all())
        assert ours == theirs, kind


def test_linkage_over_the_demo_puts_every_planted_pair_in_the_review_queue(planted):
    run = services.linkage_run_for_operator(federation=Federation.objects.get(parent__isnull=True))
    assert run.total_persons == round(3000 * SCALE)
    queue = {
        (p.person_a_id, p.person_b_id): p for p in CandidatePair.objects.filter(run=run, status=PairStatus.PENDING)
    }
    expected = {tuple(sorted((o.pk, d.pk))): kind for o, d, kind, _r in planted}
    found = set(queue) & set(expected)
    assert found == set(expected), [expected[k] for k in set(expected) - found]  # recall 1.0
    assert len(queue) <= len(expected) + 1  # and hardly anything else
    reasons = {kind: set(queue[key].reasons) for key, kind in expected.items()}
    assert "name_pinyin" in reasons["typo"] and "name_exact" not in reasons["typo"]
    assert "name_exact" in reasons["traditional"]
    assert "birth_swapped" in reasons["swapped_date"]
    assert "phone" not in reasons["changed_phone"] and "birth_exact" in reasons["changed_phone"]
    assert {"name_exact", "birth_exact", "phone"} <= reasons["other_town"]
    assert all(queue[key].match_probability >= 0.9 for key in expected)
