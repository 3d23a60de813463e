"""Anonymous judging, aggregation, ties, awards, objections and certificates."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qiaolian.accounts.services import api_token_create
from qiaolian.contests import services
from qiaolian.contests.certificates import certificate_pdf, certificates_html
from qiaolian.contests.models import Award, ContestStatus, Entry, EntryStatus
from qiaolian.contests.tests.factories import contest_make, entry_make, judge_make

pytestmark = pytest.mark.django_db

AUTHOR = "欧阳娜娜"
PHONE = "+8613987654321"
EMAIL = "nana.ouyang@example.com"


def _judging(js, *, judges: int = 3, entries: int = 2, federation=None):
    """A contest in judging with ``judges`` judges (the fixture's judge first) and eligible entries."""
    panel = [js.user("judge")] + [judge_make(f"judge{i}", js.district) for i in range(2, judges + 1)]
    contest = contest_make(federation=federation or js.zhujing, status=ContestStatus.JUDGING, judges=panel)
    made = [
        entry_make(
            contest=contest,
            status=EntryStatus.ELIGIBLE,
            title=f"作品{i}",
            author_name=AUTHOR,
            author_phone=PHONE,
            author_email=EMAIL,
            country="NZ",
        )
        for i in range(entries)
    ]
    return contest, panel, made


def _score(judge, entry, *values):
    criteria = list(entry.contest.criteria.all())
    return services.scores_save(
        actor=judge, entry=entry, values={c.pk: v for c, v in zip(criteria, values, strict=True)}
    )


def _api(client, user):
    _token, plain = api_token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


# Anonymity ----------------------------------------------------------------------------------


def test_judge_scoring_page_and_list_show_no_author_data(client, jinshan):
    contest, panel, entries = _judging(jinshan)
    client.force_login(panel[0])
    for url in (
        reverse("contests:judging_list"),
        reverse("contests:judging_entries", args=[contest.pk]),
        reverse("contests:judging_score", args=[entries[0].pk]),
    ):
        body = client.get(url).content.decode()
        assert entries[0].code in body or contest.title in body
        for secret in (AUTHOR, PHONE, PHONE[-4:], EMAIL, "新西兰", "New Zealand"):
            assert secret not in body, (url, secret)
    page = client.get(reverse("contests:judging_score", args=[entries[0].pk])).content.decode()
    assert entries[0].title in page and "清晨的渔船" in page
    assert reverse("contests:judging_file", args=[entries[0].files.first().pk, "web"]) in page


def test_judge_api_shows_no_author_data(client, jinshan):
    contest, panel, entries = _judging(jinshan)
    response = client.get(f"/api/v1/judging/contests/{contest.pk}/entries", **_api(client, panel[0]))
    assert response.status_code == 200
    body = response.content.decode()
    assert entries[0].code in body
    for secret in (AUTHOR, PHONE, PHONE[-4:], EMAIL, '"NZ"', "author", "account"):
        assert secret not in body


def test_judge_file_view_serves_web_copy_only(client, jinshan):
    _contest, panel, entries = _judging(jinshan)
    file = entries[0].files.first()
    client.force_login(panel[0])
    response = client.get(reverse("contests:judging_file", args=[file.pk, "web"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("contests:judging_file", args=[file.pk, "original"])).status_code == 404


def test_judge_not_on_the_panel_gets_404(client, jinshan):
    contest, _panel, entries = _judging(jinshan)
    outsider = judge_make("outsider", jinshan.district)
    client.force_login(outsider)
    assert client.get(reverse("contests:judging_entries", args=[contest.pk])).status_code == 404
    assert client.get(reverse("contests:judging_score", args=[entries[0].pk])).status_code == 404
    assert contest.title not in client.get(reverse("contests:judging_list")).content.decode()
    api = client.get(f"/api/v1/judging/contests/{contest.pk}/entries", **_api(client, outsider))
    assert api.status_code == 404


def test_judges_see_nothing_once_judging_has_closed(client, jinshan):
    contest, panel, entries = _judging(jinshan)
    contest.status = ContestStatus.NOTICE
    contest.save()
    client.force_login(panel[0])
    assert client.get(reverse("contests:judging_score", args=[entries[0].pk])).status_code == 404


# Scoring ------------------------------------------------------------------------------------


def test_score_form_validates_range_and_one_decimal(client, jinshan):
    contest, panel, entries = _judging(jinshan)
    c1, c2, c3 = contest.criteria.all()
    client.force_login(panel[0])
    url = reverse("contests:judging_score", args=[entries[0].pk])
    response = client.post(url, {f"criterion_{c1.pk}": "11", f"criterion_{c2.pk}": "7.25", f"criterion_{c3.pk}": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "分数不能超过 10" in body and "最多保留一位小数" in body and "请为“技术质量”打分" in body
    assert not entries[0].scores.exists()
    response = client.post(url, {f"criterion_{c1.pk}": "9.5", f"criterion_{c2.pk}": "8", f"criterion_{c3.pk}": "7"})
    assert response.status_code == 302
    assert entries[0].scores.filter(judge=panel[0]).count() == 3


def test_score_service_refuses_out_of_state_and_bad_values(jinshan):
    contest, panel, entries = _judging(jinshan)
    with pytest.raises(ValidationError) as error:
        _score(panel[0], entries[0], "10.5", "-1", "abc")
    assert len(error.value.error_dict) == 3
    contest.status = ContestStatus.NOTICE
    contest.save()
    entries[0].contest.refresh_from_db()
    with pytest.raises(ValidationError):
        _score(panel[0], entries[0], 5, 5, 5)


def test_api_scores_put_saves_own_scores(client, jinshan):
    contest, panel, entries = _judging(jinshan)
    c1, c2, c3 = contest.criteria.all()
    auth = _api(client, panel[0])
    url = f"/api/v1/judging/entries/{entries[0].pk}/scores"
    body = {"scores": [{"criterion": c1.pk, "value": "8"}, {"criterion": c2.pk, "value": "6.5"}]}
    bad = client.put(url, data=json.dumps(body), content_type="application/json", **auth)
    assert bad.status_code == 422
    body["scores"].append({"criterion": c3.pk, "value": "10"})
    ok = client.put(url, data=json.dumps(body), content_type="application/json", **auth)
    assert ok.status_code == 200, ok.content
    # 8/10×40 + 6.5/10×30 + 10/10×30 = 32 + 19.5 + 30
    assert Decimal(ok.json()["own_total"]) == Decimal("81.50")


def test_judge_cannot_see_other_judges_scores_during_judging(client, jinshan):
    contest, panel, entries = _judging(jinshan)
    _score(panel[1], entries[0], "3.3", "4.4", "5.5")
    client.force_login(panel[0])
    page = client.get(reverse("contests:judging_score", args=[entries[0].pk])).content.decode()
    listing = client.get(reverse("contests:judging_entries", args=[contest.pk])).content.decode()
    api = client.get(f"/api/v1/judging/contests/{contest.pk}/entries", **_api(client, panel[0])).json()
    for body in (page, listing):
        assert "3.3" not in body and "4.4" not in body and "5.5" not in body
    assert api[0]["own_scores"] == [] and api[0]["own_total"] is None


def test_staff_see_progress_but_not_scores_until_judging_closes(client, jinshan):
    contest, panel, entries = _judging(jinshan)
    _score(panel[1], entries[0], "3.3", "4.4", "5.5")
    client.force_login(jinshan.user("zhujing"))
    progress = client.get(reverse("contests:contest_detail", args=[contest.pk]) + "?tab=judging").content.decode()
    assert "1 / 2" in progress and "0 / 2" in progress
    results = client.get(reverse("contests:contest_detail", args=[contest.pk]) + "?tab=results").content.decode()
    entry_page = client.get(reverse("contests:entry_detail", args=[entries[0].pk])).content.decode()
    for body in (progress, results, entry_page):
        assert "4.4" not in body and "5.5" not in body
    contest.status = ContestStatus.NOTICE
    contest.save()
    entry_page = client.get(reverse("contests:entry_detail", args=[entries[0].pk])).content.decode()
    assert "4.4" in entry_page and "5.5" in entry_page


# Aggregation --------------------------------------------------------------------------------

# Criteria: 主题表达 40 %, 艺术性 30 %, 技术质量 30 %, each out of 10: total = 4a + 3b + 3c.


def test_aggregation_with_three_judges_is_the_plain_mean(jinshan):
    contest, panel, (entry, _other) = _judging(jinshan, judges=3)
    _score(panel[0], entry, "8", "7", "9")  # 32 + 21 + 27 = 80
    _score(panel[1], entry, "9.5", "8.5", "6")  # 38 + 25.5 + 18 = 81.5
    _score(panel[2], entry, "6", "6", "7.3")  # 24 + 18 + 21.9 = 63.9
    result = services.contest_results(contest)[entry.pk]
    assert result.is_complete
    assert sorted(result.judge_totals.values()) == [Decimal("63.9"), Decimal("80"), Decimal("81.5")]
    # (80 + 81.5 + 63.9) / 3 = 75.1333… → 75.13
    assert result.score == Decimal("75.13")


def test_aggregation_with_five_judges_drops_highest_and_lowest(jinshan):
    contest, panel, (entry, _other) = _judging(jinshan, judges=5)
    _score(panel[0], entry, "10", "10", "10")  # 100 (dropped)
    _score(panel[1], entry, "8", "7", "9")  # 80
    _score(panel[2], entry, "7", "7", "7")  # 70
    _score(panel[3], entry, "9", "6", "6.5")  # 36 + 18 + 19.5 = 73.5
    _score(panel[4], entry, "2", "3", "1")  # 8 + 9 + 3 = 20 (dropped)
    # (80 + 70 + 73.5) / 3 = 74.5
    assert services.contest_results(contest)[entry.pk].score == Decimal("74.50")
    assert services.entry_score([Decimal(100), Decimal(80), Decimal(70), Decimal("73.5"), Decimal(20)]) == Decimal(
        "74.50"
    )
    assert services.entry_score([Decimal(50), Decimal(50), Decimal(50), Decimal(50), Decimal(90)]) == Decimal("50.00")


def test_results_refused_while_an_entry_is_incomplete_then_ranked_with_ties(client, jinshan):
    contest, panel, entries = _judging(jinshan, judges=3, entries=3)
    for judge in panel:
        _score(judge, entries[0], "8", "8", "8")
        _score(judge, entries[1], "8", "8", "8")
    _score(panel[0], entries[2], "9", "9", "9")
    admin = jinshan.user("admin")
    with pytest.raises(ValidationError, match=entries[2].code):
        services.results_compute(actor=admin, contest=contest)
    with pytest.raises(ValidationError, match="未被全部评委评分"):
        services.contest_transition(actor=admin, contest=contest, to=ContestStatus.NOTICE)
    for judge in panel[1:]:
        _score(judge, entries[2], "9", "9", "9")
    outcome = services.results_compute(actor=admin, contest=contest)
    assert outcome["ties"] == sorted([entries[0].code, entries[1].code])
    ranks = dict(Entry.objects.filter(contest=contest).values_list("code", "rank"))
    assert ranks == {entries[2].code: 1, entries[0].code: 2, entries[1].code: 2}
    client.force_login(jinshan.user("staff"))
    page = client.get(reverse("contests:contest_detail", args=[contest.pk]) + "?tab=results").content.decode()
    assert page.count("并列</span>") == 2 and "有作品得分相同" in page
    api = client.get(f"/api/v1/contests/{contest.pk}/results", **_api(client, jinshan.user("staff"))).json()
    assert {r["code"]: r["tied"] for r in api} == {entries[2].code: False, entries[0].code: True, entries[1].code: True}


def test_changing_a_score_after_computing_requires_recomputing(jinshan):
    contest, panel, entries = _judging(jinshan, judges=3, entries=1)
    for judge in panel:
        _score(judge, entries[0], "5", "5", "5")
    admin = jinshan.user("admin")
    services.results_compute(actor=admin, contest=contest)
    services.awards_set(actor=admin, contest=contest, awards={entries[0].pk: Award.FIRST})
    _score(panel[0], entries[0], "6", "5", "5")
    with pytest.raises(ValidationError, match="请先计算结果"):
        services.contest_transition(actor=admin, contest=contest, to=ContestStatus.NOTICE)


# Awards, notice, objections, certificates ---------------------------------------------------


def _scored(js, n_entries=4):
    contest, panel, entries = _judging(js, judges=3, entries=n_entries)
    for i, entry in enumerate(entries):
        for judge in panel:
            _score(judge, entry, str(9 - i), "8", "8")
    services.results_compute(actor=js.user("admin"), contest=contest)
    return contest, panel, entries


def test_closing_judging_requires_awards_then_suggestion_by_rank(client, jinshan):
    contest, _panel, entries = _scored(jinshan)
    admin = jinshan.user("admin")
    with pytest.raises(ValidationError, match="请先评定奖项"):
        services.contest_transition(actor=admin, contest=contest, to=ContestStatus.NOTICE)
    client.force_login(admin)
    url = reverse("contests:awards_suggest", args=[contest.pk])
    client.post(url, {"first": 1, "second": 1, "third": 1, "excellence": 0})
    awards = dict(Entry.objects.filter(contest=contest).values_list("pk", "award"))
    assert [awards[e.pk] for e in entries] == [Award.FIRST, Award.SECOND, Award.THIRD, ""]
    client.post(reverse("contests:awards_set", args=[contest.pk]), {f"award_{entries[3].pk}": Award.EXCELLENCE})
    assert Entry.objects.get(pk=entries[3].pk).award == Award.EXCELLENCE
    client.post(reverse("contests:contest_transition", args=[contest.pk]), {"to": ContestStatus.NOTICE})
    contest.refresh_from_db()
    assert contest.status == ContestStatus.NOTICE


def test_objections_block_final_until_resolved(client, jinshan):
    contest, _panel, entries = _scored(jinshan)
    admin = jinshan.user("admin")
    services.awards_suggest(actor=admin, contest=contest, counts={"first": 1})
    services.contest_transition(actor=admin, contest=contest, to=ContestStatus.NOTICE)
    client.force_login(admin)
    client.post(
        reverse("contests:objection_add", args=[entries[0].pk]),
        {"raised_by": "李先生", "contact": "1380000", "reason": "疑似非原创"},
    )
    objection = entries[0].objections.get()
    with pytest.raises(ValidationError, match="1 件异议未处理"):
        services.contest_transition(actor=admin, contest=contest, to=ContestStatus.FINAL)
    response = client.post(reverse("contests:objection_resolve", args=[objection.pk]), {"upheld": "0"})
    objection.refresh_from_db()
    assert objection.upheld is None  # a resolution text is required
    client.post(
        reverse("contests:objection_resolve", args=[objection.pk]), {"upheld": "0", "resolution": "经核实为原创"}
    )
    objection.refresh_from_db()
    assert objection.upheld is False and objection.resolved_by == admin
    response = client.post(reverse("contests:contest_transition", args=[contest.pk]), {"to": ContestStatus.FINAL})
    assert response.status_code == 302
    contest.refresh_from_db()
    assert contest.status == ContestStatus.FINAL and contest.results_published_at is not None


def test_certificate_pdf_in_chinese_and_english(client, jinshan):
    contest, _panel, entries = _scored(jinshan, n_entries=2)
    admin = jinshan.user("admin")
    services.awards_suggest(actor=admin, contest=contest, counts={"first": 1, "second": 1})
    with pytest.raises(ValidationError, match="结果公示后"):
        certificate_pdf(Entry.objects.get(pk=entries[0].pk), "zh")
    services.contest_transition(actor=admin, contest=contest, to=ContestStatus.NOTICE)
    entry = Entry.objects.get(pk=entries[0].pk)
    assert certificate_pdf(entry, "zh").startswith(b"%PDF")
    html_zh = certificates_html(entries=[entry], language="zh")
    html_en = certificates_html(entries=[entry], language="en")
    assert AUTHOR in html_zh and "一等奖" in html_zh
    assert "Ouyang Nana" in html_en
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("contests:contest_certificates", args=[contest.pk, "en"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
