"""``qiaolian bench`` at a tiny scale: the generator's rows are what the app would have written
(protected fields decrypt through the model, search keys and participant keys as the services
compute them), the planted duplicates match their ground truth, and the runner writes results
with the expected keys. PostgreSQL only (COPY); no timing is asserted."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from django.db import connection

from qiaolian.activities.models import Activity, Registration
from qiaolian.aid.models import HandOver, Nomination
from qiaolian.bench import measure, runner, summary
from qiaolian.bench.copy import Table
from qiaolian.bench.generate import GROUND_TRUTH_TABLE, Generator, _registration_code, last_generation
from qiaolian.casework.models import Case
from qiaolian.contests.models import Entry
from qiaolian.core.protected import lookup_hash
from qiaolian.core.text import pinyin_key, search_key
from qiaolian.core.validators import parse_resident_id
from qiaolian.orgs.models import Federation
from qiaolian.registry import choices as c
from qiaolian.registry.models import Household, OverseasTie, Person

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench uses PostgreSQL COPY"),
]

N = 300


@pytest.fixture
def generated(db):
    return Generator(persons=N, participations=5, seed=7, demo_scale=0).run()


def test_generator_counts(generated):
    assert Person.objects.count() == N
    assert generated.duplicates == 6
    counts = generated.counts
    assert counts["persons"] == N and counts["planted_duplicates"] == 6
    assert counts["overseas_ties"] == OverseasTie.objects.count() > N  # ~1.3 per person
    assert counts["households"] == Household.objects.count() > 0
    assert counts["activities"] == Activity.objects.count() == 15  # N × 5 / 100
    assert counts["registrations"] == Registration.objects.count() > 100
    assert counts["aid_nominations"] == Nomination.objects.count() > 0
    assert counts["aid_handovers"] == HandOver.objects.count() > 0
    assert Case.objects.count() == 3 and Entry.objects.count() == 3
    # The demo's organisation and accounts came first, and persons live in its towns.
    assert Federation.objects.filter(short_name="朱泾镇").exists()
    towns = Counter(Person.objects.values_list("federation__path", flat=True))
    assert len(towns) > 5
    # The generation is recorded in the database for a later --reuse.
    recorded = last_generation()
    assert recorded["persons"] == N and recorded["counts"]["registrations"] == counts["registrations"]


def test_generated_persons_read_back_through_the_model(generated):
    persons = list(Person.objects.filter(pk__in=_originals()).order_by("pk"))
    assert len(persons) == N - 6
    residents = [p for p in persons if p.id_type == c.IdType.RESIDENT_ID and p.id_number]
    assert len(residents) > N * 0.6
    for p in residents:
        number = p.id_number.reveal()
        parsed = parse_resident_id(number)  # the app's own check: checksum, date, area code
        assert parsed.number == number and parsed.birth_date == p.birth_date and parsed.sex == p.sex
        assert p.id_number_hash == lookup_hash("id_number", number)
    for p in persons:
        phone = p.phone.reveal()
        assert phone.startswith("+861") and len(phone) == 14
        assert p.phone_hash == lookup_hash("phone", phone)
        assert str(p.phone) != phone  # masked when not revealed
        assert p.name_key == search_key(p.name) and p.name_pinyin == pinyin_key(p.name)
    # A household's members share its address and federation's town.
    household = Household.objects.filter(members__isnull=False).first()
    assert household.address.reveal() == household.members.first().address.reveal()
    # The app can go on inserting after the copied ids.
    assert Person.objects.create(federation=household.federation, name="新录入", category="relative").pk > max(
        p.pk for p in persons
    )


def test_registrations_are_what_the_services_would_write(generated):
    regs = list(Registration.objects.select_related("person", "activity"))
    assert len({r.code for r in regs}) == len(regs)
    for r in regs:
        if r.person_id:
            assert r.participant_key == f"p{r.person_id}" and r.name == r.person.name
        else:
            assert r.participant_key == f"n:{r.name}|{r.organization}"
        assert dt.date(2018, 1, 1) <= r.activity.starts_at.date() <= dt.date(2022, 12, 31)
    # Each March has its 侨法宣传月 campaign.
    titles = set(Activity.objects.filter(campaign__isnull=False).values_list("campaign__title", flat=True))
    assert titles <= {f"{y}年侨法宣传月" for y in range(2018, 2023)}
    # Aid goes to persons in hardship only, a hand-over for delivered nominations.
    assert not Nomination.objects.filter(person__is_in_hardship=False).exists()
    assert HandOver.objects.count() == Nomination.objects.filter(status="delivered").count()


def _originals():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT duplicate_id FROM {GROUND_TRUTH_TABLE}")
        duplicates = {row[0] for row in cursor.fetchall()}
    return [pk for pk in Person.objects.values_list("pk", flat=True) if pk not in duplicates]


def test_planted_duplicates_have_ground_truth(db):
    Generator(persons=2000, participations=0.5, seed=11, demo_scale=0).run()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT duplicate_id, original_id, kind FROM {GROUND_TRUTH_TABLE}")
        truth = cursor.fetchall()
    assert len(truth) == 40
    kinds = Counter(kind for _d, _o, kind in truth)
    assert set(kinds) <= {"typo", "traditional", "swapped_date", "missing_id", "changed_phone"}
    assert len(kinds) >= 4
    persons = Person.objects.in_bulk([pk for row in truth for pk in row[:2]])
    for duplicate_id, original_id, kind in truth:
        dup, orig = persons[duplicate_id], persons[original_id]
        assert dup.category == orig.category and dup.sex == orig.sex
        if kind == "typo":
            assert (
                len(dup.name) == len(orig.name) and sum(a != b for a, b in zip(dup.name, orig.name, strict=True)) == 1
            )
        elif kind == "traditional":
            assert dup.name != orig.name and search_key(dup.name) == search_key(orig.name)
        elif kind == "swapped_date":
            b = orig.birth_date
            assert dup.birth_date == dt.date(b.year, b.day, b.month) != b
            assert parse_resident_id(dup.id_number.reveal()).birth_date == dup.birth_date
        elif kind == "changed_phone":
            assert dup.name == orig.name and dup.phone_hash != orig.phone_hash
        else:
            assert dup.name == orig.name and dup.birth_date == orig.birth_date
            assert dup.phone_hash == orig.phone_hash
        if kind != "swapped_date":
            assert dup.id_number is None


def test_runner_measures_and_writes_results(generated, tmp_path):
    ctx = measure.Context(requests=2, warmup=1, repeats=1)
    only = ["baseline_request", "indicators_district", "dashboard_district", "review_build"]
    results = measure.run_measurements(only=only, ctx=ctx)
    by_name = {r.name: r for r in results}
    assert set(by_name) == {"baseline_request", "baseline_count", "indicators_district", "dashboard_district",
                            "review_build"}  # fmt: skip
    assert by_name["baseline_count"].status == "ok" and by_name["baseline_count"].extra["rows"] > 0
    catalogue = by_name["indicators_district"]
    assert catalogue.status == "ok", catalogue.detail
    assert catalogue.samples == 1 and catalogue.queries > 0 and catalogue.peak_python_kb > 0
    assert catalogue.baseline == "baseline_count"
    for name in ("dashboard_district", "review_build"):  # being written elsewhere: measured or skipped
        assert by_name[name].status in ("ok", "not_available"), by_name[name].detail
        assert by_name[name].target is not None
    options = runner.Options(persons=N, database="unused", output=tmp_path / "r.json")
    document = runner.build_document(options, last_generation(), results, started=dt.datetime.now(dt.UTC), seconds=1)
    runner.write_json(document, options.output)
    loaded = json.loads(options.output.read_text(encoding="utf-8"))
    assert {"version", "machine", "parameters", "generation", "row_counts", "measurements", "targets"} <= set(loaded)
    assert loaded["machine"]["cores"] >= 1 and loaded["machine"]["postgresql"]
    assert loaded["row_counts"]["persons"] == N
    assert {t["measurement"] for t in loaded["targets"]} == {"dashboard_district", "review_build"}
    # The summary replaces only its own section of the Markdown file.
    doc = tmp_path / "performance.md"
    doc.write_text("# 性能\n\n手写的说明。\n", encoding="utf-8")
    summary.write_summary(doc, loaded, results_path=options.output)
    summary.write_summary(doc, loaded, results_path=options.output)
    text = doc.read_text(encoding="utf-8")
    assert text.count(summary.START) == 1 and "手写的说明。" in text and "indicators_district" in text


def test_search_is_measured_with_queries_taken_from_the_registry(generated):
    ctx = measure.Context(repeats=1)
    kinds = ["search_name", "search_initials", "search_id_number", "search_phone"]
    by_name = {r.name: r for r in measure.run_measurements(only=kinds, ctx=ctx)}
    assert set(by_name) == {*kinds, "baseline_person_get"}
    for name in kinds:
        result = by_name[name]
        assert result.status == "ok", result.detail
        assert result.samples == result.extra["queries"] > 0 and result.target["limit"] == 50
        # a name, initials, ID number or phone of a registered person finds something
        assert result.extra["answered_with_hits"] == 1, (name, result.extra)
    assert by_name["baseline_person_get"].status == "ok" and by_name["baseline_person_get"].p50_ms > 0


def test_import_is_measured_against_copy_and_leaves_the_registry_as_it_was(generated):
    ctx = measure.Context(import_rows=120, isolate=False)
    names = ["import_copy", "import_csv", "import_xlsx"]
    by_name = {r.name: r for r in measure.run_measurements(only=names, ctx=ctx)}
    for name in names:
        result = by_name[name]
        assert result.status == "ok", result.detail
        assert result.extra["rows"] == 120 and result.extra["rows_per_second"] > 0 and result.maxrss_kb > 0
    for name in ("import_csv", "import_xlsx"):
        extra = by_name[name].extra
        # every generated row is a new, valid person: read, checked and inserted, then rolled back
        assert extra["imported"] == extra["valid"] == 120, extra["first_issues"]
        assert extra["invalid"] == extra["duplicates"] == 0
    assert by_name["import_csv"].target["label"].startswith("≥") and by_name["import_csv"].passed is not None
    assert Person.objects.count() == N


def test_linkage_is_measured_against_the_planted_duplicates(generated, tmp_path):
    ctx = measure.Context(isolate=False)
    by_name = {r.name: r for r in measure.run_measurements(only=["linkage", "linkage_accuracy"], ctx=ctx)}
    linkage, accuracy = by_name["linkage"], by_name["linkage_accuracy"]
    assert linkage.status == "ok", linkage.detail
    assert linkage.extra["persons"] == Person.objects.filter(is_archived=False).count() > 0
    assert linkage.extra["true_pairs"] == 6
    assert linkage.extra["compared_pairs"] >= linkage.extra["candidate_pairs"] > 0
    assert 0 < linkage.extra["f1"] <= 1 and set(linkage.extra["recall_by_kind"]) <= {
        "typo", "traditional", "swapped_date", "missing_id", "changed_phone"
    }  # fmt: skip
    assert linkage.passed is True  # 300 persons in well under five minutes
    assert accuracy.status == "ok" and accuracy.extra["f1"] == linkage.extra["f1"]
    assert accuracy.passed == (linkage.extra["f1"] >= 0.95)
    document = {
        "started_at": "now", "seconds": 1, "machine": {}, "row_counts": {},
        "parameters": {"persons": N, "participations": 5, "seed": 7, "demo_scale": 0},
        "measurements": [r.as_dict() for r in (linkage, accuracy)],
    }  # fmt: skip
    text = summary.render(document)
    assert "查重" in text and f"{linkage.extra['f1']:.3f}" in text


def test_unavailable_measurement_is_reported_not_raised(db, monkeypatch):
    def missing(ctx, result):
        raise measure.NotAvailable("not yet")

    monkeypatch.setattr(measure.BY_NAME["review_docx"], "run", missing)
    (result,) = [r for r in measure.run_measurements(only=["review_docx"]) if r.name == "review_docx"]
    assert result.status == "not_available" and result.detail == "not yet" and result.passed is None


def test_registration_codes_are_distinct_and_well_formed():
    codes = [_registration_code(i) for i in range(50_000)]
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 8 for code in codes)


def test_table_refuses_a_missing_not_null_column():
    with pytest.raises(ValueError, match="NOT NULL"):
        Table(Activity, ["id", "federation", "title"])  # no kind, project, starts_at …
