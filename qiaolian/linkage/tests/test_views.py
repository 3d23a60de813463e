"""The review pages: queue, pair side by side, merge and undo, run progress, the command."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from qiaolian.linkage.models import CandidatePair, LinkageRun, Merge, PairStatus, RunStatus
from qiaolian.registry.models import Person
from qiaolian.registry.tests.factories import PersonFactory


@pytest.fixture
def pair(jinshan):
    a = PersonFactory(federation=jinshan.zhujing, name="黄丽娟", birth_date=dt.date(1948, 4, 9), sex="F")
    b = PersonFactory(federation=jinshan.zhujing, name="黄丽娟", birth_date=dt.date(1948, 4, 9), sex="F", id_number="")
    return CandidatePair.objects.create(
        person_a=a, person_b=b, match_weight=11.2, match_probability=0.9996, reasons=["name_exact", "birth_exact"]
    )


def test_queue_shows_pending_pairs_with_reason_badges_and_masked_ids(client, jinshan, pair):
    client.force_login(jinshan.user("zhujing"))
    body = client.get(reverse("linkage:pair_list")).content.decode()
    assert "黄丽娟" in body and "姓名相同" in body and "出生日期相同" in body
    assert pair.person_a.id_number.reveal() not in body
    assert pair.person_a.id_number.masked in body
    detail = client.get(reverse("linkage:pair_detail", args=[pair.pk])).content.decode()
    assert "合并" in detail and "不是同一人" in detail and pair.person_a.id_number.masked in detail


def test_queue_hides_pairs_of_another_town(client, jinshan, pair):
    client.force_login(jinshan.user("shihua"))
    assert "黄丽娟" not in client.get(reverse("linkage:pair_list")).content.decode()
    assert client.get(reverse("linkage:pair_detail", args=[pair.pk])).status_code == 404


def test_pair_across_towns_is_hidden_from_both_towns(client, jinshan):
    a = PersonFactory(federation=jinshan.zhujing, name="周文博")
    b = PersonFactory(federation=jinshan.shihua, name="周文博", id_number="")
    cross = CandidatePair.objects.create(person_a=a, person_b=b, match_weight=5, match_probability=0.97)
    for town in ("zhujing", "shihua"):
        client.force_login(jinshan.user(town))
        assert client.get(reverse("linkage:pair_detail", args=[cross.pk])).status_code == 404
        assert client.post(reverse("linkage:pair_merge", args=[cross.pk]), {"survivor": "a"}).status_code == 404
    assert not Person.objects.get(pk=b.pk).is_archived
    client.force_login(jinshan.user("staff"))
    assert client.get(reverse("linkage:pair_detail", args=[cross.pk])).status_code == 200


def test_merge_from_the_page_then_undo(client, jinshan, pair):
    masked, plain = pair.person_a.id_number.masked, pair.person_a.id_number.reveal()
    client.force_login(jinshan.user("zhujing"))
    response = client.post(reverse("linkage:pair_merge", args=[pair.pk]), {"survivor": "b"})
    merge = Merge.objects.get()
    assert response["Location"] == reverse("linkage:merge_detail", args=[merge.pk])
    assert merge.survivor_id == pair.person_b_id and Person.objects.get(pk=pair.person_a_id).is_archived
    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED
    detail = client.get(reverse("linkage:merge_detail", args=[merge.pk])).content.decode()
    assert "撤销合并" in detail and "证件号码" in detail
    assert masked in detail and plain not in detail  # the merged person's ID, kept masked
    assert "黄丽娟" in client.get(reverse("linkage:merge_list")).content.decode()
    client.post(reverse("linkage:merge_undo", args=[merge.pk]))
    assert not Person.objects.get(pk=pair.person_a_id).is_archived
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING


def test_not_the_same_person(client, jinshan, pair):
    client.force_login(jinshan.user("staff"))
    client.post(reverse("linkage:pair_distinct", args=[pair.pk]))
    pair.refresh_from_db()
    assert pair.status == PairStatus.DISTINCT
    assert "黄丽娟" not in client.get(reverse("linkage:pair_list")).content.decode()


def test_station_manager_may_not_review(client, jinshan, pair):
    client.force_login(jinshan.user("station"))
    assert client.get(reverse("linkage:pair_list")).status_code == 403


def test_start_run_and_follow_its_progress(client, jinshan, pair, django_capture_on_commit_callbacks):
    client.force_login(jinshan.user("zhujing"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("linkage:run_start"))
    run = LinkageRun.objects.get()
    assert response["Location"] == reverse("linkage:run_detail", args=[run.pk])
    assert run.status == RunStatus.DONE and run.pairs_found == 1 and run.federation == jinshan.zhujing
    progress = client.get(reverse("linkage:run_progress", args=[run.pk]), headers={"HX-Request": "true"})
    assert progress["HX-Refresh"] == "true" and "100%" in progress.content.decode()


def test_dedupe_command_writes_the_csv(jinshan, pair, tmp_path, capsys):
    target = tmp_path / "pairs.csv"
    call_command("dedupe", "--export", str(target), "--federation", jinshan.zhujing.code)
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert len(rows) == 1
    row = rows[0]
    assert (int(row["person_a_id"]), int(row["person_b_id"])) == (pair.person_a_id, pair.person_b_id)
    assert row["federation_a"] == jinshan.zhujing.code and float(row["match_probability"]) > 0.9
    assert "name_exact" in row["reasons"] and "birth_exact" in row["reasons"]
    assert "疑似重复 1 对" in capsys.readouterr().out
