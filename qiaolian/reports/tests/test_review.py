"""The review on small data: every figure traced to an indicator, a town's review never holds
another town's records (builder, page, API, CLI), the .docx and PDF layouts, the background job
with its audited download, and the 展望 from a work plan."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from qiaolian.accounts.services import api_token_create
from qiaolian.activities import services as activity_services
from qiaolian.audit.models import AuditEntry
from qiaolian.orgs import services as org_services
from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.reports.indicators import indicator_value
from qiaolian.reports.models import PlanTarget, ReviewDocument, WorkPlan
from qiaolian.reports.review import MARKER, approx, build_review, review_json
from qiaolian.reports.tests.factories import activity as _activity

pytestmark = pytest.mark.django_db

START, END = dt.date(2017, 12, 1), dt.date(2022, 12, 31)


@pytest.fixture
def towns(jinshan):
    """朱泾: 2 persons, 2 activities (one a training), a 侨之家. 石化: 3 persons, 3 activities,
    a 新侨驿站 — so each town's counts differ from the other's and from the district's."""
    js = jinshan
    at = timezone.make_aware
    zj = [PersonFactory(federation=js.zhujing, name=f"朱泾{n}") for n in range(2)]
    sh = [PersonFactory(federation=js.shihua, name=f"石化{n}") for n in range(3)]
    zj_acts = [
        _activity(js, js.zhujing, "朱泾侨法宣传", at(dt.datetime(2019, 3, 15, 9))),
        _activity(
            js, js.zhujing, "朱泾侨务干部培训", at(dt.datetime(2020, 6, 1, 9)), project="qiangji", kind="training"
        ),
    ]
    sh_acts = [
        _activity(js, js.shihua, f"石化活动{n}", at(dt.datetime(2021, 4, 1 + n, 9)), project="ningxin", kind="lecture")
        for n in range(3)
    ]
    for person in zj:
        activity_services.registration_add(actor=js.user("admin"), activity=zj_acts[0], person=person)
    for person in sh:
        activity_services.registration_add(actor=js.user("admin"), activity=sh_acts[0], person=person)
    admin = js.user("admin")
    org_services.station_create(
        actor=admin, federation=js.zhujing, name="朱泾侨之家", kind="home", opened_on=dt.date(2018, 5, 1)
    )
    org_services.station_create(
        actor=admin, federation=js.shihua, name="石化新侨驿站", kind="new_overseas", opened_on=dt.date(2019, 5, 1)
    )
    return {"zj": zj, "sh": sh, "zj_acts": zj_acts, "sh_acts": sh_acts}


def _figure(data: dict, code: str, group=None, year: int | None = None) -> dict | None:
    for figure in data["figures"]:
        if figure["code"] != code or figure["group"] != group:
            continue
        if year is not None and not (figure["from"] or "").startswith(str(year)):
            continue
        if year is None and figure["from"] not in (None, START.isoformat(), "1900-01-01"):
            continue
        return figure
    return None


def _value(data, code, group=None):
    figure = _figure(data, code, group)
    assert figure is not None, (code, group)
    return figure["value"]


def test_every_number_in_the_text_has_an_appendix_entry_equal_to_its_indicator(jinshan, towns):
    user = jinshan.user("admin")
    review = build_review(user=user, start=START, end=END)
    data = review_json(review)
    assert data["title"] == "金山区侨联五年工作回顾（2017年12月—2022年12月）"
    assert [s["title"] for s in data["sections"]] == [
        "简介",
        "五年工作回顾",
        "一、凝心工程",
        "二、聚力工程",
        "三、惠侨工程",
        "四、强基工程",
        "展望",
    ]
    numbers = {f["n"] for f in data["figures"]}
    assert numbers == set(range(1, len(data["figures"]) + 1))
    cited = [int(m) for s in data["sections"] for p in s["paragraphs"] for m in MARKER.findall(p)]
    assert set(cited) <= numbers and cited
    # numbered in reading order
    firsts = list(dict.fromkeys(cited))
    assert firsts == sorted(firsts)
    for paragraph in (p for s in data["sections"] for p in s["paragraphs"]):
        # every number in a sentence carries its marker (years and dates excepted)
        stripped = MARKER.sub("", paragraph)
        for match in MARKER.finditer(paragraph):
            n = int(match.group(1))
            value = review.figure(n).display()
            assert paragraph[: match.start()].endswith(value), (n, value, paragraph)
        assert stripped
    for figure in review.figures:
        kwargs = {"federation": figure.federation_id}
        start, end = figure.start or START, figure.end or END
        result = indicator_value(code=figure.code, user=user, start=start, end=end, group=figure.group, **kwargs)
        assert result.value == figure.value, figure
        assert figure.url.startswith(reverse("reports:indicator_detail", args=[figure.federation_id, figure.code]))
        assert figure.code and figure.name and figure.unit
    assert _value(data, "activities.by_project") == 5
    assert _value(data, "persons.by_category") == 5
    assert _value(data, "activities.trainings") == 1


def test_a_town_users_review_never_includes_another_towns_records(jinshan, towns):
    zhujing = jinshan.user("zhujing")
    data = review_json(build_review(user=zhujing, start=START, end=END))
    assert data["federation"]["id"] == jinshan.zhujing.pk
    assert data["title"].startswith("朱泾镇侨联")
    assert {f["federation"]["id"] for f in data["figures"]} == {jinshan.zhujing.pk}
    assert _value(data, "persons.by_category") == 2
    assert _value(data, "activities.by_project") == 2
    assert _value(data, "activities.participants") == 2
    assert _value(data, "orgs.stations", "new_overseas") == 0
    assert _value(data, "orgs.stations", "home") == 1
    # contest entries are kept at the district only: no figure, no sentence for a town
    assert _figure(data, "contests.entries") is None
    shihua = review_json(build_review(user=jinshan.user("shihua"), start=START, end=END))
    assert _value(shihua, "persons.by_category") == 3 and _value(shihua, "activities.by_project") == 3
    # the district sees both, and names the town with the 新侨驿站
    district = build_review(user=jinshan.user("admin"), start=START, end=END)
    assert _value(review_json(district), "activities.by_project") == 5
    assert "石化街道（1" in district.text()
    with pytest.raises(Http404):
        build_review(user=zhujing, start=START, end=END, federation=jinshan.shihua.pk)
    with pytest.raises(Http404):
        build_review(user=zhujing, start=START, end=END, federation=jinshan.district)


def test_review_page_links_markers_and_hides_foreign_federations(client, jinshan, towns):
    client.force_login(jinshan.user("zhujing"))
    url = reverse("reports:review")
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "朱泾镇侨联五年工作回顾（2017年12月—2022年12月）" in body
    detail = reverse("reports:indicator_detail", args=[jinshan.zhujing.pk, "persons.by_category"])
    assert f'<sup class="fig-ref"><a href="{detail}?from=2017-12-01&amp;to=2022-12-31">' in body
    assert "石化活动" not in body and "石化" not in body.split("附录一")[0]
    assert client.get(url, {"federation": jinshan.shihua.pk}).status_code == 404
    assert client.get(url, {"from": "2019-01-01", "to": "2019-12-31"}).status_code == 200
    assert client.get(reverse("reports:review_json", args=[jinshan.shihua.pk])).status_code == 404
    own = client.get(reverse("reports:review_json", args=[jinshan.zhujing.pk]), {"from": "2017-12-01"})
    assert own.status_code == 200 and own["Content-Disposition"].startswith("attachment")
    assert _value(json.loads(own.content), "persons.by_category") == 2
    assert AuditEntry.objects.filter(action="export", data__kind="review", actor=jinshan.user("zhujing")).exists()
    assert client.get(reverse("reports:review_json", args=[jinshan.zhujing.pk]), {"from": "x"}).status_code == 400


def test_api_review_for_the_users_own_federation_only(client, jinshan, towns):
    _token, plain = api_token_create(actor=None, user=jinshan.user("zhujing"), name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    response = client.get("/api/v1/reports/review", {"from": "2017-12-01", "to": "2022-12-31"}, **auth)
    assert response.status_code == 200
    data = response.json()
    assert data["federation"] == {"id": jinshan.zhujing.pk, "name": jinshan.zhujing.name}
    assert data["period"] == {"from": "2017-12-01", "to": "2022-12-31"}
    assert _value(data, "persons.by_category") == 2
    assert {f["federation"]["id"] for f in data["figures"]} == {jinshan.zhujing.pk}
    foreign = client.get("/api/v1/reports/review", {"federation": jinshan.shihua.pk}, **auth)
    assert foreign.status_code == 404
    backwards = client.get("/api/v1/reports/review", {"from": "2022-01-01", "to": "2021-01-01"}, **auth)
    assert backwards.status_code == 422
    _t, judge = api_token_create(actor=None, user=jinshan.user("judge"), name="t")
    assert client.get("/api/v1/reports/review", HTTP_AUTHORIZATION=f"Bearer {judge}").status_code == 403


def test_cli_json_to_stdout_files_and_clear_errors(jinshan, towns, tmp_path):
    out = io.StringIO()
    call_command(
        "report", "review", "--from", "2017-12-01", "--to", "2022-12-31", "--format", "json", "--user", "zhujing",
        stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert {f["federation"]["id"] for f in data["figures"]} == {jinshan.zhujing.pk}
    assert _value(data, "persons.by_category") == 2
    # default user: the first active district admin
    out = io.StringIO()
    call_command("report", "review", "--from", "2017-12-01", "--to", "2022-12-31", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["federation"]["id"] == jinshan.district.pk
    target = tmp_path / "review.docx"
    call_command(
        "report", "review", "--from", "2017-12-01", "--to", "2022-12-31", "--format", "docx", "--output", str(target),
        stderr=io.StringIO(),
    )  # fmt: skip
    assert target.read_bytes()[:2] == b"PK"
    bad = [
        (["--from", "2017-13-01", "--to", "2022-12-31", "--format", "json"], "--from 日期格式"),
        (["--from", "2022-12-31", "--to", "2017-12-01", "--format", "json"], "不能早于"),
        (["--from", "2017-12-01", "--to", "2022-12-31", "--format", "odt"], "--format 应为"),
        (["--from", "2017-12-01", "--to", "2022-12-31", "--format", "docx"], "--output"),
        (["--from", "2017-12-01", "--to", "2022-12-31", "--format", "json", "--user", "nobody"], "nobody"),
        (
            [
                "--from",
                "2017-12-01",
                "--to",
                "2022-12-31",
                "--format",
                "json",
                "--user",
                "zhujing",
                "--federation",
                str(jinshan.shihua.pk),
            ],
            "不在用户 zhujing 的辖区内",
        ),
    ]
    for args, message in bad:
        with pytest.raises(CommandError, match=message):
            call_command("report", "review", *args, stdout=io.StringIO())


def test_docx_layout_follows_the_official_document_format(jinshan, towns):
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    from qiaolian.reports.review_docx import render_docx

    review = build_review(user=jinshan.user("admin"), start=START, end=END)
    document = docx.Document(io.BytesIO(render_docx(review)))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1) and abs(section.bottom_margin - Mm(35)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1) and abs(section.right_margin - Mm(26)) < Mm(0.1)
    title = document.paragraphs[0]
    assert title.text == review.title and title.alignment == 1  # centred
    run = title.runs[0]
    assert run.font.size == Pt(22)
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert document.styles["Heading 2"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "— " in footer_xml
    assert "PAGE" in section.even_page_footer._element.xml
    assert document.settings.odd_and_even_pages_header_footer
    body = document.element.body.xml
    assert "w:vertAlign" in body and 'w:val="superscript"' in body
    assert document.inline_shapes and len(document.inline_shapes) == len(review.charts)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "附录一 数据来源" in text and "附录二" in text
    header = document.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert header.font.bold


def test_pdf_is_a_pdf_with_embedded_fonts(jinshan, towns, tmp_path):
    from qiaolian.reports.review_pdf import render_pdf

    content = render_pdf(build_review(user=jinshan.user("zhujing"), start=START, end=END))
    assert content.startswith(b"%PDF")
    if shutil.which("pdffonts"):  # poppler-utils; WeasyPrint packs the font objects in object streams
        path = tmp_path / "review.pdf"
        path.write_bytes(content)
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = listing.splitlines()[2:]
        assert rows and all(" yes " in row for row in rows), listing
        assert "CJK" in listing


def test_background_job_makes_the_file_and_the_download_is_audited(
    client, jinshan, towns, django_capture_on_commit_callbacks
):
    user = jinshan.user("zhujing")
    client.force_login(user)
    start_url = reverse("reports:review_start", args=[jinshan.zhujing.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start_url, {"format": "docx", "from": "2017-12-01", "to": "2022-12-31"})
    assert response.status_code == 302
    document = ReviewDocument.objects.get(federation=jinshan.zhujing)
    assert (document.status, document.progress, document.format) == ("done", 100, "docx")
    assert document.file.name.endswith(".docx") and document.created_by == user
    row = client.get(reverse("reports:review_document", args=[document.pk]))
    assert row.status_code == 200 and reverse("reports:review_download", args=[document.pk]) in row.content.decode()
    download = client.get(reverse("reports:review_download", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert AuditEntry.objects.filter(action="export", target_id=str(document.pk), data__format="docx").exists()
    page = client.get(reverse("reports:review")).content.decode()
    assert reverse("reports:review_download", args=[document.pk]) in page
    # another town's user finds nothing; a bad format writes nothing
    client.force_login(jinshan.user("shihua"))
    assert client.get(reverse("reports:review_download", args=[document.pk])).status_code == 404
    assert client.post(reverse("reports:review_start", args=[jinshan.zhujing.pk]), {"format": "pdf"}).status_code == 404
    client.force_login(user)
    client.post(start_url, {"format": "odt"})
    assert ReviewDocument.objects.count() == 1


def test_outlook_from_the_plan_that_follows_the_period(jinshan, towns):
    user = jinshan.user("admin")
    review = build_review(user=user, start=START, end=END)
    assert review.plan is None and "尚未录入" in review.outlook.paragraphs[0]
    plan = WorkPlan.objects.create(
        federation=jinshan.district,
        title="金山区侨联2023—2027年工作规划",
        start_year=2023,
        end_year=2027,
        summary="按照工作主线，推进四项工程。\n每年开展侨法宣传月。",
    )
    PlanTarget.objects.create(plan=plan, indicator="activities.by_project", year=2023, value=30)
    PlanTarget.objects.create(plan=plan, indicator="activities.by_project", year=2024, value=32)
    data = review_json(build_review(user=user, start=START, end=END))
    assert data["plan"]["title"] == "金山区侨联2023—2027年工作规划"
    assert data["plan"]["header"][2:] == ["2023年", "2024年", "2025年", "2026年", "2027年"]
    assert data["plan"]["rows"] == [["活动项数（按所属工程）", "项", "30", "32", "—", "—", "—"]]
    outlook = data["sections"][-1]["paragraphs"]
    assert "每年开展侨法宣传月。" in outlook
    # a town's review does not borrow the district's plan
    assert review_json(build_review(user=jinshan.user("zhujing"), start=START, end=END))["plan"] is None


def test_approximate_numbers_in_the_seeds_style():
    assert approx(2024) == "2000余"
    assert approx(2000) == "2000"
    assert approx(1658) == "1000余"
    assert approx(56) == "56"
