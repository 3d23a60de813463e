"""Standard statistical tables: the page and the .xlsx show the indicator catalogue's values
(read back with openpyxl), a town user sees only its own subtree, a foreign federation is a 404,
every linked cell opens a record list whose count equals the cell, leaders read the tables, and
the number of queries does not grow with the number of federations."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from qiaolian.activities import services as activity_services
from qiaolian.orgs.models import FederationKind, Level
from qiaolian.orgs.services import federation_create
from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.reports.indicators import BY_CODE, indicator_value
from qiaolian.reports.tables import BY_CHILD, CROSS, TABLES, build_report, codes_used
from qiaolian.reports.tests.factories import activity as _activity

pytestmark = pytest.mark.django_db

Y2021 = {"from": "2021-01-01", "to": "2021-12-31"}


def _at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def towns(jinshan):
    """朱泾: two persons (one in its village), one activity in March 2021 with both; 石化: three
    persons, a training in June 2021 with all three; the district: one activity of its own."""
    js = jinshan
    zj = [
        PersonFactory(federation=js.zhujing, name="朱泾甲", category="returnee"),
        PersonFactory(federation=js.zhujing_village, name="朱泾乙", category="relative"),
    ]
    sh = [PersonFactory(federation=js.shihua, name=f"石化{n}", category="relative") for n in range(3)]
    zj_act = _activity(js, js.zhujing, "朱泾侨法宣传", _at(2021, 3, 15, 9))
    sh_act = _activity(js, js.shihua, "石化培训", _at(2021, 6, 16, 9), kind="training", project="qiangji")
    own = _activity(js, js.district, "区侨联座谈", _at(2021, 6, 20, 9), kind="gathering", project="ningxin")
    for person in zj:
        activity_services.registration_add(actor=js.user("admin"), activity=zj_act, person=person)
    for person in sh:
        activity_services.registration_add(actor=js.user("admin"), activity=sh_act, person=person)
    activity_services.registration_add(actor=js.user("admin"), activity=own, person=zj[0])
    return {"zj": zj, "sh": sh}


def _book(client, params) -> openpyxl.Workbook:
    response = client.get(reverse("reports:tables_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _pieces(sheet) -> dict[str, dict]:
    """Each piece of a sheet: its header row, and its rows by label (cells as openpyxl cells)."""
    found, key, rows = {}, None, list(sheet.iter_rows())
    n = 0
    while n < len(rows):
        first = rows[n][0].value
        if isinstance(first, str) and first[:1].isdigit() and "-" in first[:3]:
            key = first.split()[0]
            header = [c.value for c in rows[n + 1] if c.value is not None]
            body, n = {}, n + 2
            while n < len(rows) and rows[n][0].value not in (None, "") and not str(rows[n][0].value)[:1].isdigit():
                body[rows[n][0].value] = rows[n][1 : len(header)]
                n += 1
            found[key] = {"header": header, "rows": body, "header_cells": rows[n - len(body) - 1]}
            continue
        n += 1
    return found


def _value(js, role, code, federation, period=(dt.date(2021, 1, 1), dt.date(2021, 12, 31))):
    return indicator_value(code=code, user=js.user(role), start=period[0], end=period[1], federation=federation)


def test_xlsx_has_titles_headers_formats_and_the_indicator_values(client, jinshan, towns):
    js = jinshan
    client.force_login(js.user("admin"))
    book = _book(client, Y2021)
    assert book.sheetnames == [f"表{t.number}" for t in TABLES] + ["说明"]
    sheet = book["表1"]
    assert sheet["A1"].value == "金山区侨联工作统计报表（2021年） — 表1 侨情基本情况"
    assert any(str(r).startswith("A1:") for r in sheet.merged_cells.ranges)
    assert "填报单位：金山区归国华侨联合会" in sheet["A2"].value and "2021-01-01 至 2021-12-31" in sheet["A2"].value
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.print_title_rows and sheet.freeze_panes
    persons = _pieces(sheet)["1-1"]
    assert persons["header"][0] == "侨联组织" and persons["header"][-1] == "合计" and "归侨" in persons["header"]
    head = persons["header_cells"][1]
    assert head.font.b and head.alignment.horizontal == "center" and head.alignment.wrap_text
    assert head.border.left.style == "thin"
    # the total column and the 合计 row are the indicator's values for each town and the district
    assert persons["rows"]["朱泾镇"][-1].value == _value(js, "admin", "persons.by_category", js.zhujing).value == 2
    assert persons["rows"]["石化街道"][-1].value == 3
    total = persons["rows"]["合计"]
    assert total[-1].value == _value(js, "admin", "persons.by_category", js.district).value == 5
    assert total[-1].font.b and total[-1].number_format == "#,##0"
    returnee = persons["header"].index("归侨") - 1
    assert total[returnee].value == 1
    # every by-federation figure equals the indicator's value for that federation
    for table in TABLES:
        pieces = _pieces(book[f"表{table.number}"])
        for piece in (p for p in table.pieces if p.shape == BY_CHILD):
            rows = pieces[piece.key]["rows"]
            for n, code in enumerate(piece.codes):
                for label, federation in (("朱泾镇", js.zhujing), ("石化街道", js.shihua), ("合计", js.district)):
                    expected = _value(js, "admin", code, federation).value
                    got = rows[label][n].value
                    assert (got == "—") if expected is None else (got == float(expected)), (piece.key, code, label)
    activities = _pieces(book["表3"])["3-2"]["rows"]
    assert activities["朱泾镇"][1].value == 2 and activities["石化街道"][1].value == 3  # participants
    assert activities["金山区侨联本级"][0].value == 1 and activities["合计"][0].value == 3
    # number formats: counts, money (元), averages
    service = _pieces(book["表4"])["4-1"]
    formats = {h: c.number_format for h, c in zip(service["header"][1:], service["rows"]["合计"], strict=True)}
    assert formats["发放慰问金（元）"] == "#,##0.00" and formats["捐赠金额（元）"] == "#,##0.00"
    assert formats["帮扶慰问对象（人）"] == "#,##0"
    assert service["rows"]["合计"][-1].value == "—"  # no case closed: no average
    assert "案件平均办理用时（个工作日）" in service["header"]
    # the months of the year as columns
    by_time = _pieces(book["表3"])["3-6"]
    assert by_time["header"][1:4] == ["1月", "2月", "3月"] and by_time["header"][-1] == "合计"
    registrations = by_time["rows"]["活动参与人次（人次）"]
    assert [registrations[2].value, registrations[5].value, registrations[-1].value] == [2, 4, 6]
    notes = book["说明"]
    listed = {row[2].value for row in notes.iter_rows(min_row=5)}
    assert listed == set(codes_used())
    definitions = {row[2].value: row[4].value for row in notes.iter_rows(min_row=5)}
    assert definitions["persons.by_category"] == str(BY_CODE["persons.by_category"].definition)


def test_page_shows_the_tables_with_an_export_link_and_the_same_numbers(client, jinshan, towns):
    client.force_login(jinshan.user("admin"))
    response = client.get(reverse("reports:tables"), Y2021)
    assert response.status_code == 200
    page = response.content.decode()
    for table in TABLES:
        assert table.label in page
    query = f"from=2021-01-01&amp;to=2021-12-31&amp;federation={jinshan.district.pk}"
    assert f"{reverse('reports:tables_export')}?{query}" in page and "导出 Excel" in page
    report = response.context["report"]
    assert report.federation == jinshan.district
    persons = report.tables[0].pieces[0]
    assert [row.label for row in persons.rows][-1] == "合计" and persons.rows[-1].cells[-1].value == 5
    url = reverse("reports:indicator_detail", args=[jinshan.zhujing.pk, "persons.by_category"])
    assert f'href="{url}?from=2021-01-01&amp;to=2021-12-31&amp;group=returnee"' in page


def test_linked_cells_open_record_lists_whose_count_equals_the_cell(client, jinshan, towns):
    client.force_login(jinshan.user("admin"))
    report = client.get(reverse("reports:tables"), Y2021).context["report"]
    checked = 0
    for table in report.tables:
        for piece in table.pieces:
            for row in piece.rows:
                for cell in row.cells:
                    if not cell.url or not cell.value:
                        continue
                    response = client.get(cell.url)
                    assert response.status_code == 200, cell.url
                    result = response.context["result"]
                    assert result.value == cell.value, (piece.key, row.label, cell.url)
                    if result.indicator.measure in ("count", "distinct"):
                        assert response.context["page"].total == cell.value, cell.url
                    checked += 1
    assert checked > 30
    # a month column narrows the period to that month
    months = next(p for t in report.tables for p in t.pieces if p.key == "3-6")
    march = months.rows[2].cells[2]  # registrations in March
    assert "from=2021-03-01&to=2021-03-31" in march.url and march.value == 2


def test_a_town_user_sees_only_its_own_figures_and_a_foreign_federation_is_not_found(client, jinshan, towns):
    js = jinshan
    client.force_login(js.user("zhujing"))
    response = client.get(reverse("reports:tables"), Y2021)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.federation == js.zhujing
    assert [f for f, _label in response.context["form"].fields["federation"].choices] == [js.zhujing.pk]
    persons = report.tables[0].pieces[0]
    assert [row.label for row in persons.rows] == ["待泾村", "朱泾镇本级", "合计"]
    assert [row.cells[-1].value for row in persons.rows] == [1, 1, 2]
    page = response.content.decode()
    assert "石化" not in page
    # 大赛投稿 is kept at the district only
    by_time = next(p for t in report.tables for p in t.pieces if p.key == "3-6")
    entries = next(row for row in by_time.rows if row.label.startswith("大赛投稿作品"))
    assert all(cell.na for cell in entries.cells) and "不适用" in page
    book = _book(client, Y2021)
    assert _pieces(book["表1"])["1-1"]["rows"]["合计"][-1].value == 2
    participants = _pieces(book["表3"])["3-2"]["rows"]["合计"][1]
    assert participants.value == 2  # not 石化's three
    assert "不适用" in [c.value for c in _pieces(book["表3"])["3-6"]["rows"]["大赛投稿作品（件）"]]
    for name in ("reports:tables", "reports:tables_export"):
        for federation in (js.shihua, js.district):
            response = client.get(reverse(name), {**Y2021, "federation": federation.pk})
            assert response.status_code == 404, (name, federation)
    # the district sees 石化 on its own
    client.force_login(js.user("admin"))
    shihua = client.get(reverse("reports:tables"), {**Y2021, "federation": js.shihua.pk}).context["report"]
    assert shihua.tables[0].pieces[0].rows[-1].cells[-1].value == 3


def test_leader_reads_the_tables_and_roles_without_the_permission_are_refused(client, jinshan, towns):
    client.force_login(jinshan.user("leader"))
    response = client.get(reverse("reports:tables"), Y2021)
    assert response.status_code == 200
    assert response.context["report"].tables[0].pieces[0].rows[-1].cells[-1].value == 5
    assert "朱泾甲" not in response.content.decode()
    assert client.get(reverse("reports:tables_export"), Y2021).status_code == 200
    for role in ("station", "judge", "public"):
        client.force_login(jinshan.user(role))
        assert client.get(reverse("reports:tables")).status_code == 403, role
        assert client.get(reverse("reports:tables_export")).status_code == 403, role


def test_years_as_columns_for_a_period_of_several_years(jinshan, towns):
    report = build_report(user=jinshan.user("admin"), start=dt.date(2020, 12, 1), end=dt.date(2022, 12, 31))
    assert report.period_label == "2020年12月01日至2022年12月31日"
    by_time = next(p for t in report.tables for p in t.pieces if p.key == "3-6")
    assert [c.label for c in by_time.columns] == ["2020年", "2021年", "2022年", "合计"]
    activities = by_time.rows[0]
    assert [c.value for c in activities.cells] == [0, 3, 0, 3]
    assert "from=2020-12-01&to=2020-12-31" in activities.cells[0].url
    assert "from=2021-01-01&to=2021-12-31" in activities.cells[1].url


def test_queries_are_bounded_and_do_not_grow_with_federations_or_records(jinshan, towns, django_assert_max_num_queries):
    js = jinshan
    user = js.user("admin")
    period = {"start": dt.date(2021, 1, 1), "end": dt.date(2021, 12, 31)}
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_assert_max_num_queries(200), CaptureQueriesContext(connection) as before:
        build_report(user=user, **period)
    for n in range(3):
        town = federation_create(
            actor=None,
            parent=js.district,
            name=f"新镇{n}侨联",
            short_name=f"新镇{n}",
            level=Level.TOWN,
            kind=FederationKind.TOWN,
            code=f"310116-N{n}",
        )
        PersonFactory(federation=town)
        act = _activity(js, town, f"新镇{n}活动", _at(2021, 9, 1, 9))
        activity_services.registration_add(actor=user, activity=act, person=PersonFactory(federation=town))
    with CaptureQueriesContext(connection) as after:
        report = build_report(user=user, **period)
    assert len(after.captured_queries) == len(before.captured_queries)
    assert report.tables[0].pieces[0].rows[-1].cells[-1].value == 11
    assert len(report.tables[0].pieces[0].rows) == 2 + 3 + 1 + 1


def test_every_table_piece_reads_indicators_of_the_catalogue():
    for table in TABLES:
        for piece in table.pieces:
            assert piece.codes and all(code in BY_CODE for code in piece.codes), piece.key
            if piece.shape == CROSS:
                assert len(piece.codes) == 1 and BY_CODE[piece.codes[0]].breakdown
