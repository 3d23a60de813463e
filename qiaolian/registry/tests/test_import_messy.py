"""The import with spreadsheets made the way offices make them: titles and notes above the header,
the column names each office uses, Excel date serials, full-width digits, a 合计 row, blank rows,
one sheet per town, GBK-encoded CSV, WPS/LibreOffice .ods files. Every data row is either imported
or returned with a reason; none is lost or imported twice; what is stored is normalized."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.core.validators import id_check_digit
from qiaolian.registry import importing
from qiaolian.registry.models import ImportBatch, ImportStatus, Person
from qiaolian.registry.tests.factories import OverseasTieFactory
from qiaolian.registry.tests.importing_helpers import assert_every_row_accounted_for as accounted_for
from qiaolian.registry.tests.importing_helpers import import_file, rejects_rows
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db


def run(actor, name: str, content: bytes, capture) -> ImportBatch:
    return import_file(actor, name, content, capture, kind=None)


def assert_every_row_accounted_for(batch: ImportBatch, data_rows: int) -> None:
    accounted_for(batch, data_rows, Person)


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def rid(birth: dt.date, serial: int, *, male: bool = True, want_x: bool = False) -> str:
    """A valid resident ID number (Jinshan's old area code); with ``want_x`` one ending in X."""
    for n in range(serial, serial + 500):
        seq = (n * 2) % 1000 + (1 if male else 0)
        body = f"310228{birth:%Y%m%d}{seq:03d}"
        number = body + id_check_digit(body)
        if number.endswith("X") == want_x:
            return number
    raise AssertionError("no number found")


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def reveal(value) -> str:
    return value.reveal() if value else ""


# An .xlsx with two towns -----------------------------------------------------------------------

ZHANG_BIRTH = dt.date(1950, 3, 2)
LI_BIRTH = dt.date(1962, 11, 20)
WANG_BIRTH = dt.date(1948, 7, 9)
ZHAO_BIRTH = dt.date(1971, 1, 30)
ZHANG_ID = rid(ZHANG_BIRTH, 11)
LI_ID = rid(LI_BIRTH, 12, male=False, want_x=True)
WANG_ID = rid(WANG_BIRTH, 13)
ZHAO_ID = rid(ZHAO_BIRTH, 14, male=False)


def two_towns_xlsx() -> bytes:
    """What a district collects: one sheet per town, each with a merged title and a notes row
    above the header, headers in each office's words, dates as bare serial numbers, full-width
    digits, a lower-case x, blank rows, a 合计 row; the same person entered by both towns."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = book.add_format({"bold": True, "align": "center"})

    zhujing = book.add_worksheet("朱泾镇")
    zhujing.merge_range(0, 0, 0, 8, "金山区归侨侨眷花名册（朱泾镇）", title)
    zhujing.write_string(1, 0, "填表说明：身份证号请按文本填写；出生年月按“年-月-日”。")
    zhujing.write_row(
        2, 0, ["序号", "姓  名", "性别", "出生年月", "身份证\n号码", "侨界身份", "所属侨联", "※联系电话", "家庭住址"]
    )
    rows = [
        [1, "张　三", "男", excel_serial(ZHANG_BIRTH), ZHANG_ID.translate(FULL_WIDTH), "侨眷", "朱泾镇侨联",
         "１３９ １２３４ ５６７８", "朱泾镇人民路1号"],
        [2, "李秀英", "女", excel_serial(LI_BIRTH), LI_ID.lower(), "侨眷", "朱泾镇", "021-5731 1234",
         "朱泾镇东林街2号"],
    ]  # fmt: skip
    zhujing.write_row(3, 0, rows[0])
    # row 5 left blank, as offices leave them
    zhujing.write_row(5, 0, rows[1])
    zhujing.write_row(6, 0, ["合 计", "2人"])

    shihua = book.add_worksheet("石化街道")
    shihua.write_string(0, 0, "石化街道归侨侨眷名单")
    shihua.write_row(1, 0, ["序号", "名字", "公民身份号码", "出生日期", "类别", "所属侨联", "手机号码", "住址"])
    shihua.write_row(
        2, 0, [1, "王志强", WANG_ID, excel_serial(WANG_BIRTH), "侨眷", "石化街道侨联", "13811112222", "卫零路3号"]
    )
    shihua.write_row(  # 张三 again, entered by this town too
        3, 0, [2, "张三", ZHANG_ID, excel_serial(ZHANG_BIRTH), "侨眷", "石化街道侨联", "13912345678", "卫零路9号"]
    )
    shihua.write_row(
        4, 0, [3, "趙麗華", ZHAO_ID, excel_serial(ZHAO_BIRTH), "侨眷", "石化街道", "+86 137-0000-1111", "卫零路5号"]
    )
    shihua.write_row(5, 0, ["", "", "", "", "", "", "", ""])
    shihua.write_row(6, 0, ["总计", "", "3"])

    notes = book.add_worksheet("填写说明")
    notes.write_string(0, 0, "本表由各镇填报，区侨联汇总。")
    book.close()
    return buffer.getvalue()


def test_two_town_workbook_imports_each_person_once_and_returns_the_repeat(jinshan, django_capture_on_commit_callbacks):
    admin = jinshan.user("admin")
    table = importing.read_table(two_towns_xlsx(), "花名册.xlsx")
    assert [layout.name for layout in table.sheets] == ["朱泾镇", "石化街道"]  # the notes sheet skipped
    assert [layout.header_row for layout in table.sheets] == [3, 2]
    rows = list(table.rows())
    assert [row.ref for row in rows] == [
        ("朱泾镇", 4),
        ("朱泾镇", 6),
        ("石化街道", 3),
        ("石化街道", 4),
        ("石化街道", 5),
    ]

    batch = run(admin, "花名册.xlsx", two_towns_xlsx(), django_capture_on_commit_callbacks)
    assert (batch.total_rows, batch.imported_rows, batch.duplicate_rows, batch.invalid_rows) == (5, 4, 1, 0)
    assert_every_row_accounted_for(batch, 5)
    dup = batch.issues.get()
    assert (dup.sheet, dup.row_number, dup.column, dup.is_duplicate) == ("石化街道", 4, "证件号码", True)
    assert "与工作表“朱泾镇”第 4 行的证件号码相同" in dup.reason
    assert batch.sheet_names == ["朱泾镇", "石化街道"]

    by_name = {p.name: p for p in Person.objects.filter(import_batch=batch)}
    assert set(by_name) == {"张三", "李秀英", "王志强", "趙麗華"}
    zhang = by_name["张三"]
    assert reveal(zhang.id_number) == ZHANG_ID  # full-width digits made half-width
    assert zhang.birth_date == ZHANG_BIRTH  # an Excel serial number
    assert reveal(zhang.phone) == "+8613912345678"
    assert zhang.federation == jinshan.zhujing  # the first town's row is the one imported
    li = by_name["李秀英"]
    assert reveal(li.id_number) == LI_ID and LI_ID.endswith("X")  # the lower-case x upper-cased
    assert reveal(li.phone) == "+862157311234"
    assert li.sex == "F" and li.birth_date == LI_BIRTH
    zhao = by_name["趙麗華"]
    assert zhao.name_key == "赵丽华"  # found under its simplified spelling
    assert reveal(zhao.phone) == "+8613700001111"
    assert by_name["王志强"].federation == jinshan.shihua

    rejects = rejects_rows(batch)
    assert len(rejects) == 1
    assert (rejects[0]["工作表"], int(rejects[0]["行号"])) == ("石化街道", 4)
    assert (
        rejects[0]["姓 名"] == "张三"
        and rejects[0]["家庭住址"] == "卫零路9号"
        and rejects[0]["未导入原因"].startswith("证件号码：与工作表")
    )
    # The rejects workbook reads back as an import file.
    with batch.rejects_file.open("rb") as handle:
        again = importing.read_table(handle.read(), "未导入.xlsx")
    assert not again.ignored_headers and again.sheets[0].columns["id_number"] == 4


def test_a_relatives_sheet_in_the_same_workbook_is_left_to_the_relatives_tab(jinshan):
    """人员信息 and 海外亲属 in one workbook: the persons import reads the persons sheet only (the
    relatives sheet shares 外文名, 职业, 备注 with it but has neither 姓名 nor 证件号码)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    persons = book.add_worksheet("人员信息")
    persons.write_row(0, 0, ["姓名", "证件号码", "身份类别", "所属侨联", "外文名", "职业", "备注"])
    persons.write_row(1, 0, ["王志强", WANG_ID, "侨眷", "石化街道侨联", "", "", ""])
    relatives = book.add_worksheet("海外亲属")
    relatives.write_row(0, 0, ["国内亲属证件号码", "海外亲属姓名", "外文名", "关系", "所在国家/地区", "职业", "备注"])
    relatives.write_row(1, 0, [WANG_ID, "王明", "Ming Wang", "子", "美国", "工程师", ""])
    book.close()
    table = importing.read_table(buffer.getvalue(), "花名册.xlsx")
    assert [layout.name for layout in table.sheets] == ["人员信息"]
    outcome = importing.check_rows(table=table, actor=jinshan.user("admin"))
    assert (outcome.total, outcome.valid) == (1, 1)
    # Alone, a sheet without 姓名 or 证件号码 is still read, and the missing columns named.
    alone = importing.read_table(buffer.getvalue(), "x.xlsx", overrides={"姓名": "", "证件号码": ""})
    assert len(alone.sheets) == 2 and "姓名" in alone.missing


def test_the_same_workbook_again_imports_nothing_and_lists_every_row(jinshan, django_capture_on_commit_callbacks):
    admin = jinshan.user("admin")
    run(admin, "花名册.xlsx", two_towns_xlsx(), django_capture_on_commit_callbacks)
    again = run(admin, "花名册.xlsx", two_towns_xlsx(), django_capture_on_commit_callbacks)
    assert (again.imported_rows, again.duplicate_rows) == (0, 5)
    assert_every_row_accounted_for(again, 5)
    assert Person.objects.count() == 4


# A GBK-encoded CSV -----------------------------------------------------------------------------


def gbk_csv() -> bytes:
    lines = [
        "序号,姓名,身份证号码,出生日期,身份类别,所属侨联,联系电话,其他电话",
        f"1,陈美玲,{rid(dt.date(1950, 3, 2), 21, male=False)},1950年3月2日,港澳同胞,朱泾镇,+852 9123 4567,",
        f"2,周文博,{rid(dt.date(1966, 10, 1), 22)},1966年10月1日,侨眷,朱泾镇侨联,00852-6123-4567,(853) 6612 3456",
        "",
        f"3,黄丽娟,{rid(dt.date(1977, 5, 6), 23, male=False)},1977年5月6日,侨眷,朱泾镇,12345,",
        "合计,3人,,,,,,",
    ]
    return "\r\n".join(lines).encode("gbk")


def test_gbk_csv_with_chinese_dates_and_hong_kong_phones(jinshan, django_capture_on_commit_callbacks):
    content = gbk_csv()
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    batch = run(jinshan.user("zhujing"), "名单.csv", content, django_capture_on_commit_callbacks)
    assert (batch.total_rows, batch.imported_rows, batch.invalid_rows) == (3, 2, 1)
    assert_every_row_accounted_for(batch, 3)
    chen = Person.objects.get(name="陈美玲")
    assert chen.birth_date == dt.date(1950, 3, 2)
    assert reveal(chen.phone) == "+85291234567"
    zhou = Person.objects.get(name="周文博")
    assert (reveal(zhou.phone), reveal(zhou.phone_alt)) == ("+85261234567", "+85366123456")
    issue = batch.issues.get()
    assert (issue.sheet, issue.row_number, issue.column) == ("", 5, "手机")  # row 4 was blank
    assert "电话号码无效" in issue.reason


def test_csv_separated_by_semicolons_or_tabs(jinshan):
    for delimiter in (";", "\t"):
        text = delimiter.join(["姓名", "证件号码", "身份类别", "所属侨联"]) + "\n"
        text += delimiter.join(["欧阳修", rid(dt.date(1980, 1, 1), 30), "侨眷", "朱泾镇"]) + "\n"
        table = importing.read_table(text.encode("utf-8"), "x.csv")
        outcome = importing.check_rows(table=table, actor=jinshan.user("admin"), keep_persons=True)
        assert outcome.valid == 1, outcome.issues
        assert outcome.persons[0].birth_date == dt.date(1980, 1, 1)


# An .ods (WPS / LibreOffice) -------------------------------------------------------------------


def _ods_cell(value) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, dt.date):
        iso = value.isoformat()
        attributes, shown = f'office:value-type="date" office:date-value="{iso}"', iso
    elif isinstance(value, int | float):
        attributes, shown = f'office:value-type="float" office:value="{value}"', str(value)
    else:
        attributes, shown = 'office:value-type="string"', escape(str(value))
    return f"<table:table-cell {attributes}><text:p>{shown}</text:p></table:table-cell>"


def ods(sheets: dict[str, list[list]]) -> bytes:
    """A minimal OpenDocument spreadsheet written by hand: mimetype (first, stored), manifest,
    content.xml with one table per sheet."""
    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_ods_file_is_read_and_a_numeric_id_is_returned_not_guessed(jinshan, django_capture_on_commit_callbacks):
    ok_id = rid(dt.date(1955, 5, 5), 40)
    damaged = float(rid(dt.date(1956, 6, 6), 41)[:17] + "0")
    content = ods(
        {
            "待泾村": [
                ["待泾村侨眷名单"],
                [],
                ["姓名", "证件号码", "出生日期", "身份类别", "所属侨联", "手机"],
                ["司马光", ok_id, dt.date(1955, 5, 5), "侨眷", "待泾村", "139-0000-2222"],
                ["诸葛亮", damaged, dt.date(1956, 6, 6), "侨眷", "待泾村", ""],
                ["小计", "", "", "", "", ""],
            ]
        }
    )
    batch = run(jinshan.user("zhujing"), "待泾村.ods", content, django_capture_on_commit_callbacks)
    assert (batch.total_rows, batch.imported_rows, batch.invalid_rows) == (2, 1, 1)
    assert_every_row_accounted_for(batch, 2)
    sima = Person.objects.get()
    assert (sima.name, sima.birth_date, sima.federation) == ("司马光", dt.date(1955, 5, 5), jinshan.zhujing_village)
    assert reveal(sima.phone) == "+8613900002222"
    issue = batch.issues.get()
    assert (issue.sheet, issue.row_number, issue.column) == ("待泾村", 5, "证件号码")
    assert "存成了数字" in issue.reason


# The column mapping --------------------------------------------------------------------------------


def login(client, username: str) -> None:
    client.logout()
    assert client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD}).status_code == 302


def test_user_corrects_the_column_mapping_and_the_file_is_checked_again(
    client, jinshan, django_capture_on_commit_callbacks
):
    text = "姓名,证件,身份类别,所属侨联,备用电话\n"
    text += f"欧阳修,{rid(dt.date(1981, 2, 3), 50)},侨眷,朱泾镇,13900003333\n"
    text += f"司马光,{rid(dt.date(1982, 3, 4), 51)},侨眷,朱泾镇,13900004444\n"
    login(client, "zhujing")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import_list"), {"file": SimpleUploadedFile("名单.csv", text.encode())})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.CHECKED and batch.valid_rows == 0
    assert "缺少必填列：证件号码" in batch.message
    assert batch.columns_found == [
        ["姓名", "name"],
        ["证件", ""],
        ["身份类别", "category"],
        ["所属侨联", "federation"],
        ["备用电话", ""],
    ]
    page = client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    assert "列对应" in page and "按此对应重新检查" in page and 'name="col_1"' in page
    assert page.index("按此对应重新检查") < page.index("不能导入的行")  # shown first: a column must be mapped

    # Two columns for one field are refused, and nothing changes.
    both = {"col_0": "name", "col_1": "id_number", "col_2": "category", "col_3": "federation", "col_4": "id_number"}
    response = client.post(reverse("registry:import_mapping", args=[batch.pk]), both, follow=True)
    assert "对应了两列" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED and batch.column_overrides == {}

    mapping = {**both, "col_4": "phone_alt"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import_mapping", args=[batch.pk]), mapping)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.column_overrides["证件"] == "id_number"
    assert (batch.status, batch.valid_rows, batch.invalid_rows) == (ImportStatus.CHECKED, 2, 0)
    assert "缺少必填列" not in batch.message
    assert ["证件", "id_number"] in batch.columns_found and ["备用电话", "phone_alt"] in batch.columns_found

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import_confirm", args=[batch.pk]))
    assert reveal(Person.objects.get(name="欧阳修").phone_alt) == "+8613900003333"
    # Once imported, the mapping is shown but can no longer be changed.
    page = client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    assert "按此对应重新检查" not in page
    with pytest.raises(ValidationError):
        importing.import_batch_remap(actor=jinshan.user("zhujing"), batch=batch, mapping=mapping)


# Roll-back -----------------------------------------------------------------------------------------


def test_an_imported_batch_is_rolled_back_as_a_whole(client, jinshan, django_capture_on_commit_callbacks):
    admin = jinshan.user("admin")
    earlier = Person.objects.count()
    batch = run(admin, "花名册.xlsx", two_towns_xlsx(), django_capture_on_commit_callbacks)
    assert Person.objects.count() == earlier + 4
    login(client, "admin")
    page = client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    assert "撤销本批导入" in page and "data-confirm" in page
    response = client.post(reverse("registry:import_rollback", args=[batch.pk]), follow=True)
    assert "删除了本批导入的 4 人" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.ROLLED_BACK and batch.rolled_back_at
    assert Person.objects.count() == earlier
    entry = AuditEntry.objects.filter(action=Action.DELETE).latest("seq")
    assert entry.data["kind"] == "import_rollback" and entry.data["deleted"] == 4
    # A rolled-back batch cannot be rolled back again; the same file imports again.
    with pytest.raises(ValidationError):
        importing.import_batch_rollback(actor=admin, batch=batch)
    again = run(admin, "花名册.xlsx", two_towns_xlsx(), django_capture_on_commit_callbacks)
    assert again.imported_rows == 4


def test_rollback_is_refused_when_an_imported_person_is_in_use(jinshan, django_capture_on_commit_callbacks):
    admin = jinshan.user("admin")
    batch = run(admin, "花名册.xlsx", two_towns_xlsx(), django_capture_on_commit_callbacks)
    OverseasTieFactory(person=Person.objects.get(name="王志强"))
    with pytest.raises(ValidationError) as error:
        importing.import_batch_rollback(actor=admin, batch=batch)
    assert "4 人中有 1 人" in error.value.messages[0]
    assert Person.objects.filter(import_batch=batch).count() == 4
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    assert not AuditEntry.objects.filter(action=Action.DELETE).exists()


def test_town_user_cannot_roll_back_another_towns_batch(client, jinshan, django_capture_on_commit_callbacks):
    batch = run(jinshan.user("zhujing"), "名单.csv", gbk_csv(), django_capture_on_commit_callbacks)
    login(client, "shihua")
    assert client.post(reverse("registry:import_rollback", args=[batch.pk])).status_code == 404
    assert Person.objects.filter(import_batch=batch).count() == 2


# The command line ------------------------------------------------------------------------------------


def test_command_previews_without_writing_and_commits_with_rejects(jinshan, tmp_path):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(two_towns_xlsx())
    out = io.StringIO()
    call_command("import", "persons", str(path), "--user", "admin", stdout=out)
    printed = out.getvalue()
    assert "数据行：5" in printed and "可导入：4" in printed and "重复或已在库中：1" in printed
    assert "石化街道 第4行 证件号码：与工作表“朱泾镇”第 4 行的证件号码相同" in printed
    assert "未写入" in printed
    assert Person.objects.count() == 0 and ImportBatch.objects.count() == 0
    assert not list(tmp_path.glob("*未导入*"))

    rejects = tmp_path / "rejects.xlsx"
    out = io.StringIO()
    call_command("import", "persons", str(path), "--commit", "--user", "admin", "--rejects", str(rejects), stdout=out)
    printed = out.getvalue()
    assert "已导入：4" in printed and "未导入：1" in printed and f"未导入的行：{rejects}" in printed
    assert Person.objects.count() == 4
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.DONE and batch.created_by == jinshan.user("admin")
    assert AuditEntry.objects.filter(action=Action.IMPORT).count() == 1
    rows = CalamineWorkbook.from_filelike(io.BytesIO(rejects.read_bytes())).get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and rows[1][1] == "张三"


def test_command_fills_a_missing_federation_column_from_federation_option(jinshan, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text(f"姓名,身份证号,类别\n欧阳修,{rid(dt.date(1981, 2, 3), 60)},侨眷\n", encoding="utf-8-sig")
    out = io.StringIO()
    call_command("import", "persons", str(path), "--commit", "--user", "admin", "--federation", "310116-SH", stdout=out)
    assert "已导入：1" in out.getvalue()
    assert Person.objects.get().federation == jinshan.shihua
    assert ImportBatch.objects.get().federation == jinshan.shihua


def test_command_refuses_unknown_kind_and_unreadable_file(jinshan, tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match="未知的导入类型"):
        call_command("import", "spaceships", str(path), "--user", "admin")
    with pytest.raises(CommandError, match="不支持的文件类型"):
        call_command("import", "persons", str(path), "--user", "admin")
    with pytest.raises(CommandError, match="没有用户名"):
        call_command("import", "persons", str(path), "--user", "nobody")
