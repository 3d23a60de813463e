"""The import of overseas relatives (海外亲属): each row names its registry person by ID number,
within the importer's jurisdiction, and is checked by the staff form (``OverseasTieForm``).
Every data row is either imported or returned with a reason; none is lost or imported twice."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.core.importkinds import get_kind, kinds_for
from qiaolian.core.validators import id_check_digit
from qiaolian.registry import choices as c
from qiaolian.registry import importing, services
from qiaolian.registry.forms import OverseasTieForm
from qiaolian.registry.importing_relatives import COLUMNS, RELATIVES, RelativeChecker
from qiaolian.registry.models import ImportBatch, ImportStatus, OverseasTie
from qiaolian.registry.tests.factories import OverseasTieFactory, PersonFactory
from qiaolian.registry.tests.importing_helpers import assert_every_row_accounted_for as accounted_for
from qiaolian.registry.tests.importing_helpers import import_file, rejects_rows
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db


def run(actor, name: str, content: bytes, capture) -> ImportBatch:
    return import_file(actor, name, content, capture, kind=RELATIVES)


def assert_every_row_accounted_for(batch: ImportBatch, data_rows: int) -> None:
    accounted_for(batch, data_rows, OverseasTie)


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
NOT_FOUND = str(RelativeChecker.NOT_FOUND)
ID_HEADER = "国内亲属证件号码"


def rid(birth: dt.date, serial: int, *, male: bool = True) -> str:
    """A valid resident ID number ending in a digit (so it can also be typed as a number)."""
    for n in range(serial, serial + 500):
        body = f"310228{birth:%Y%m%d}{(n * 2) % 1000 + (1 if male else 0):03d}"
        number = body + id_check_digit(body)
        if not number.endswith("X"):
            return number
    raise AssertionError("no number found")


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


ZHANG_ID = rid(dt.date(1950, 3, 2), 11)  # 朱泾镇
CHEN_ID = rid(dt.date(1962, 11, 20), 12, male=False)  # 待泾村 (under 朱泾镇)
WANG_ID = rid(dt.date(1948, 7, 9), 13)  # 石化街道
UNKNOWN_ID = rid(dt.date(1971, 1, 30), 14)  # in nobody's registry


@pytest.fixture
def persons(jinshan):
    zhang = PersonFactory(name="张建国", federation=jinshan.zhujing, id_number=ZHANG_ID)
    chen = PersonFactory(name="陈美玲", federation=jinshan.zhujing_village, id_number=CHEN_ID, sex=c.Sex.FEMALE)
    wang = PersonFactory(name="王志强", federation=jinshan.shihua, id_number=WANG_ID)
    stored = OverseasTieFactory(person=chen, name="张明", relation=c.RelativeRelation.BROTHER)
    return {"zhang": zhang, "chen": chen, "wang": wang, "stored": stored}


def issues_by_row(batch: ImportBatch) -> dict[int, list]:
    found: dict[int, list] = {}
    for issue in batch.issues.order_by("id"):
        found.setdefault(issue.row_number, []).append(issue)
    return found


def login(client, username: str) -> None:
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302


# A messy workbook --------------------------------------------------------------------------------

HEADER = [
    "序号", "侨眷姓名", "侨眷身份证号", "亲属姓名", "外文姓名", "与国内亲属关系", "身份", "国家",
    "所在城市", "出国时间", "出国方式", "职业", "社团", "扶养年限", "备注",
]  # fmt: skip
DATA_ROWS = 11


def messy_xlsx() -> bytes:
    """A town's list of relatives: a merged title and a notes row above the header, headers in the
    office's words, a full-width ID number and year, an Excel date serial, a traditional name,
    a blank row and a 合计 row; and rows that cannot be imported, one reason each."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("海外亲属")
    sheet.merge_range(0, 0, 0, 14, "朱泾镇侨眷海外亲属情况表", book.add_format({"bold": True, "align": "center"}))
    sheet.write_string(1, 0, "说明：身份证号请按文本填写。")
    sheet.write_row(2, 0, HEADER)
    rows = {
        4: [1, "张　建国", ZHANG_ID.translate(FULL_WIDTH), "张伟", "Zhang Wei", "儿子", "华侨", "美国", "旧金山",
            1990, "移民", "工程师", "旧金山中华会馆", "", ""],
        5: [2, "", ZHANG_ID, "张丽", "", "女儿", "外籍华人", "United States", "纽约",
            excel_serial(dt.date(1995, 6, 1)), "留学", "", "", "", ""],
        # row 6 left blank
        7: [3, "陳美玲", CHEN_ID, "陳志強", "", "兄", "港澳同胞", "香港", "", "１９８８年", "务工", "", "", "", ""],
        8: [4, "陈美玲", CHEN_ID, "張明", "", "兄弟", "华侨", "新加坡", "", "", "", "", "", "", ""],
        9: [5, "", UNKNOWN_ID, "赵强", "", "儿子", "华侨", "日本", "", "", "", "", "", "", ""],
        10: [6, "王志强", WANG_ID, "王芳", "", "女儿", "华侨", "加拿大", "", "", "", "", "", "", ""],
        11: [7, "张建国", ZHANG_ID, "张 伟", "", "子", "华侨", "US", "", "", "", "", "", "", ""],
        12: [8, "王五", ZHANG_ID, "张强", "", "兄弟", "华侨", "法国", "", "", "", "", "", "", ""],
        13: [9, "", ZHANG_ID, "张小红", "", "朋友", "华侨", "英国", "", "", "", "", "", "", ""],
        14: [10, "", float(ZHANG_ID), "张小兰", "", "女儿", "华侨", "英国", "", "", "", "", "", "", ""],
        15: [11, "", ZHANG_ID, "李四", "", "扶养", "华侨", "日本", "", "", "", "", "", "", ""],
    }  # fmt: skip
    for number, cells in rows.items():
        sheet.write_row(number - 1, 0, cells)
    sheet.write_row(15, 0, ["合 计", "11人"])
    book.close()
    return buffer.getvalue()


def test_messy_workbook_imports_each_relative_once_and_returns_every_other_row_with_its_reason(
    jinshan, persons, django_capture_on_commit_callbacks
):
    zhujing = jinshan.user("zhujing")
    batch = run(zhujing, "海外亲属.xlsx", messy_xlsx(), django_capture_on_commit_callbacks)
    assert batch.kind == "relatives"
    assert (batch.total_rows, batch.imported_rows, batch.duplicate_rows, batch.invalid_rows) == (DATA_ROWS, 3, 2, 6)
    assert_every_row_accounted_for(batch, DATA_ROWS)

    zhang, chen = persons["zhang"], persons["chen"]
    imported = {tie.name: tie for tie in OverseasTie.objects.filter(import_batch=batch)}
    assert set(imported) == {"张伟", "张丽", "陳志強"}
    wei = imported["张伟"]
    assert (wei.person, wei.foreign_name, wei.relation, wei.status) == (
        zhang,
        "Zhang Wei",
        c.RelativeRelation.SON,
        c.RelativeStatus.OVERSEAS_CHINESE,
    )
    assert (wei.country.code, wei.city, wei.emigrated_year, wei.emigration_mode) == (
        "US",
        "旧金山",
        1990,
        c.EmigrationMode.SETTLEMENT,
    )
    assert (wei.occupation, wei.associations, wei.state) == ("工程师", "旧金山中华会馆", c.TieState.ACTIVE)
    li = imported["张丽"]
    assert (li.person, li.relation, li.status, li.country.code) == (
        zhang,
        c.RelativeRelation.DAUGHTER,
        c.RelativeStatus.FOREIGN_CHINESE,
        "US",
    )
    assert (li.emigrated_year, li.emigration_mode) == (1995, c.EmigrationMode.STUDY)  # an Excel date serial
    zhi = imported["陳志強"]  # found through the traditional 陳美玲; stored as written
    assert (zhi.person, zhi.relation, zhi.status, zhi.country.code) == (
        chen,
        c.RelativeRelation.BROTHER,
        c.RelativeStatus.HK_MACAO,
        "HK",
    )
    assert (zhi.emigrated_year, zhi.emigration_mode) == (1988, c.EmigrationMode.LABOUR)  # full-width, 年
    assert OverseasTie.objects.filter(person=persons["wang"]).count() == 0

    issues = issues_by_row(batch)
    assert sorted(issues) == [8, 9, 10, 11, 12, 13, 14, 15]
    assert all(len(found) == 1 for found in issues.values())
    stored = issues[8][0]
    assert (stored.column, stored.is_duplicate) == ("海外亲属姓名", True)
    assert stored.reason == str(RELATIVES.stored_reason)  # 張明 = 张明, already stored
    repeated = issues[11][0]
    assert repeated.is_duplicate and "与第 4 行是同一位海外亲属" in repeated.reason  # 张 伟 / 子 = 张伟 / 儿子
    # A number not in the registry and a person of another town: the same words, nothing more.
    unknown, other_town = issues[9][0], issues[10][0]
    assert (unknown.column, unknown.reason) == (ID_HEADER, NOT_FOUND)
    assert (other_town.column, other_town.reason) == (ID_HEADER, NOT_FOUND)
    assert WANG_ID not in other_town.value and other_town.value.startswith(WANG_ID[:3])  # masked
    assert "王志强" not in other_town.reason
    mismatch = issues[12][0]
    assert mismatch.column == "国内亲属姓名" and "张建国" in mismatch.reason
    form_error = OverseasTieForm(data={"relation": "朋友"}).errors["relation"][0]
    assert (issues[13][0].column, issues[13][0].reason) == ("关系", form_error)  # the web form's message
    assert (issues[14][0].column, "存成了数字" in issues[14][0].reason) == (ID_HEADER, True)
    support = issues[15][0]
    assert (support.column, support.reason) == ("扶养年限", "扶养关系亲属须有5年以上扶养关系（上海市规定）。")

    # One audit entry for the batch, none per relative.
    assert AuditEntry.objects.filter(action=Action.IMPORT, target_id=str(batch.pk)).count() == 1
    assert not AuditEntry.objects.filter(target_type="registry.overseastie").exists()
    rejects = rejects_rows(batch)
    assert [int(r["行号"]) for r in rejects] == [8, 9, 10, 11, 12, 13, 14, 15]
    assert rejects[0]["亲属姓名"] == "張明" and rejects[0]["未导入原因"].startswith("海外亲属姓名：")


def test_the_same_file_again_imports_nothing(jinshan, persons, django_capture_on_commit_callbacks):
    zhujing = jinshan.user("zhujing")
    run(zhujing, "海外亲属.xlsx", messy_xlsx(), django_capture_on_commit_callbacks)
    before = OverseasTie.objects.count()
    again = run(zhujing, "海外亲属.xlsx", messy_xlsx(), django_capture_on_commit_callbacks)
    assert (again.imported_rows, again.duplicate_rows, again.invalid_rows) == (0, 5, 6)
    assert_every_row_accounted_for(again, DATA_ROWS)
    assert OverseasTie.objects.count() == before == 4
    assert all(i.reason == str(RELATIVES.stored_reason) for i in again.issues.filter(is_duplicate=True))


# A GBK-encoded CSV -----------------------------------------------------------------------------


def gbk_csv() -> bytes:
    lines = [
        "序号,国内亲属姓名,身份证号码,海外亲属姓名,关系,亲属身份,所在国家/地区,出国年份,所在社团",
        f"1,張建國,{ZHANG_ID},陈小明,兒子,華僑,澳大利亚,2001年,悉尼华人协会",
        "",
        f"2,张建国,{ZHANG_ID},陈小英,孙女,留学生,AUS,2019,",
        f"3,张建国,{ZHANG_ID},陈小华,女儿,华侨,火星,,",
        "合计,3人,,,,,,,",
    ]
    return "\r\n".join(lines).encode("gbk")


def test_gbk_csv_with_traditional_words(jinshan, persons, django_capture_on_commit_callbacks):
    content = gbk_csv()
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    batch = run(jinshan.user("zhujing"), "海外亲属.csv", content, django_capture_on_commit_callbacks)
    assert (batch.total_rows, batch.imported_rows, batch.invalid_rows) == (3, 2, 1)
    assert_every_row_accounted_for(batch, 3)
    ming = OverseasTie.objects.get(name="陈小明")
    assert (ming.person, ming.relation, ming.status, ming.country.code, ming.emigrated_year) == (
        persons["zhang"],
        c.RelativeRelation.SON,
        c.RelativeStatus.OVERSEAS_CHINESE,
        "AU",
        2001,
    )
    assert ming.associations == "悉尼华人协会"
    ying = OverseasTie.objects.get(name="陈小英")
    assert (ying.relation, ying.status, ying.country.code) == (
        c.RelativeRelation.GRANDCHILD,
        c.RelativeStatus.STUDENT_ABROAD,
        "AU",
    )
    issue = batch.issues.get()
    assert (issue.sheet, issue.row_number, issue.column) == ("", 5, "所在国家/地区")  # row 3 was blank
    country_error = OverseasTieForm(data={"country": "火星"}).errors["country"][0]
    assert issue.reason == country_error


# Jurisdiction ----------------------------------------------------------------------------------


def one_row_csv(id_number: str, name: str = "王芳") -> bytes:
    return f"国内亲属证件号码,海外亲属姓名,关系,亲属身份,所在国家/地区\n{id_number},{name},女儿,华侨,加拿大\n".encode()


def test_town_user_cannot_import_relatives_of_another_towns_person(
    jinshan, persons, django_capture_on_commit_callbacks
):
    zhujing, shihua = jinshan.user("zhujing"), jinshan.user("shihua")
    refused = run(zhujing, "a.csv", one_row_csv(WANG_ID), django_capture_on_commit_callbacks)
    unknown = run(zhujing, "b.csv", one_row_csv(UNKNOWN_ID), django_capture_on_commit_callbacks)
    assert refused.imported_rows == 0 and unknown.imported_rows == 0
    assert refused.issues.get().reason == unknown.issues.get().reason == NOT_FOUND
    assert not OverseasTie.objects.filter(person=persons["wang"]).exists()

    own = run(shihua, "c.csv", one_row_csv(WANG_ID), django_capture_on_commit_callbacks)
    assert own.imported_rows == 1 and own.federation == jinshan.shihua
    district = run(jinshan.user("admin"), "d.csv", one_row_csv(WANG_ID, "王丽"), django_capture_on_commit_callbacks)
    assert district.imported_rows == 1
    assert set(OverseasTie.objects.filter(person=persons["wang"]).values_list("name", flat=True)) == {"王芳", "王丽"}


def test_town_user_cannot_roll_back_or_open_another_towns_batch(
    client, jinshan, persons, django_capture_on_commit_callbacks
):
    batch = run(jinshan.user("zhujing"), "海外亲属.xlsx", messy_xlsx(), django_capture_on_commit_callbacks)
    login(client, "shihua")
    assert client.get(reverse("registry:import_detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("registry:import_rollback", args=[batch.pk])).status_code == 404
    assert OverseasTie.objects.filter(import_batch=batch).count() == 3


# Rollback --------------------------------------------------------------------------------------


def test_rollback_removes_exactly_the_batchs_relatives(jinshan, persons, django_capture_on_commit_callbacks):
    zhujing = jinshan.user("zhujing")
    earlier = run(zhujing, "a.csv", one_row_csv(CHEN_ID, "陈小军"), django_capture_on_commit_callbacks)
    batch = run(zhujing, "海外亲属.xlsx", messy_xlsx(), django_capture_on_commit_callbacks)
    assert OverseasTie.objects.count() == 5
    importing.import_batch_rollback(actor=zhujing, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.ROLLED_BACK
    assert batch.message == "已撤销：删除了本批导入的 3 条海外亲属记录。"
    assert set(OverseasTie.objects.values_list("name", flat=True)) == {"张明", "陈小军"}
    assert OverseasTie.objects.get(name="陈小军").import_batch == earlier
    entry = AuditEntry.objects.get(action=Action.DELETE, target_id=str(batch.pk))
    assert (entry.data["import_kind"], entry.data["deleted"]) == ("relatives", 3)


def test_rollback_is_refused_when_a_relative_was_changed_since(jinshan, persons, django_capture_on_commit_callbacks):
    zhujing = jinshan.user("zhujing")
    batch = run(zhujing, "海外亲属.xlsx", messy_xlsx(), django_capture_on_commit_callbacks)
    tie = OverseasTie.objects.get(import_batch=batch, name="张伟")
    services.overseas_tie_update(actor=zhujing, tie=tie, data={"city": "洛杉矶"})
    with pytest.raises(ValidationError) as error:
        importing.import_batch_rollback(actor=zhujing, batch=batch)
    assert "3 条海外亲属中有 1 条" in error.value.messages[0]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    assert OverseasTie.objects.filter(import_batch=batch).count() == 3


def test_rollback_is_refused_when_a_relative_was_linked_to_a_registry_person(
    jinshan, persons, django_capture_on_commit_callbacks
):
    zhujing = jinshan.user("zhujing")
    batch = run(zhujing, "海外亲属.xlsx", messy_xlsx(), django_capture_on_commit_callbacks)
    OverseasTie.objects.filter(import_batch=batch, name="张丽").update(relative_person=persons["chen"])
    with pytest.raises(ValidationError):
        importing.import_batch_rollback(actor=zhujing, batch=batch)
    assert OverseasTie.objects.filter(import_batch=batch).count() == 3


def test_persons_batch_cannot_be_rolled_back_once_relatives_were_imported_for_them(
    jinshan, django_capture_on_commit_callbacks
):
    admin = jinshan.user("admin")
    persons_csv = f"姓名,证件号码,身份类别,所属侨联\n刘德华,{ZHANG_ID},侨眷,朱泾镇\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        people = importing.import_batch_create(actor=admin, upload=SimpleUploadedFile("p.csv", persons_csv))
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_batch_confirm(actor=admin, batch=people)
    people.refresh_from_db()
    assert people.imported_rows == 1
    run(admin, "r.csv", one_row_csv(ZHANG_ID), django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        importing.import_batch_rollback(actor=admin, batch=people)
    assert OverseasTie.objects.count() == 1


# Reading files -------------------------------------------------------------------------------------


def test_workbook_with_the_persons_list_beside_reads_only_the_relatives_sheet(jinshan, persons):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    people = book.add_worksheet("人员信息")
    people.write_row(0, 0, ["姓名", "证件号码", "身份类别", "所属侨联", "外文名", "职业", "备注"])
    people.write_row(1, 0, ["张建国", ZHANG_ID, "侨眷", "朱泾镇", "", "退休", ""])
    relatives = book.add_worksheet("海外亲属")
    relatives.write_row(0, 0, ["国内亲属证件号码", "海外亲属姓名", "外文名", "关系", "亲属身份", "所在国家/地区"])
    relatives.write_row(1, 0, [ZHANG_ID, "张伟", "David Zhang", "儿子", "外籍华人", "加拿大"])
    book.close()
    table = RELATIVES.read_table(buffer.getvalue(), "花名册.xlsx")
    assert [layout.name for layout in table.sheets] == ["海外亲属"]
    outcome = importing.check_rows(table=table, actor=jinshan.user("zhujing"), kind=RELATIVES, keep_persons=True)
    assert (outcome.total, outcome.valid) == (1, 1)
    assert outcome.persons[0].foreign_name == "David Zhang"

    # A persons list alone, uploaded here by mistake, is not dropped silently: the missing
    # columns are named (and every row is listed with its reason).
    alone = RELATIVES.read_table(_persons_only_xlsx(), "p.xlsx")
    assert [layout.name for layout in alone.sheets] == ["人员信息"]
    assert "海外亲属姓名" in importing.missing_columns_message(alone)


def _persons_only_xlsx() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("人员信息")
    sheet.write_row(0, 0, ["姓名", "证件号码", "身份类别", "外文名", "职业", "备注"])
    sheet.write_row(1, 0, ["张建国", ZHANG_ID, "侨眷", "", "退休", ""])
    book.close()
    return buffer.getvalue()


def test_year_cells_in_the_usual_spellings(jinshan, persons):
    cells = [1990, 1990.0, "1990年", "１９９０", "1990.5", "1990年5月", "1990-05-01", 19900501,
             dt.date(1990, 5, 1), dt.datetime(1990, 5, 1), excel_serial(dt.date(1990, 5, 1))]  # fmt: skip
    lines = ["国内亲属证件号码,海外亲属姓名,关系,亲属身份,所在国家/地区,出国年份"]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("海外亲属")
    sheet.write_row(0, 0, lines[0].split(","))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for i, cell in enumerate(cells, start=1):
        sheet.write_row(i, 0, [ZHANG_ID, f"张{i}", "儿子", "华侨", "美国"])
        if isinstance(cell, dt.date):
            sheet.write_datetime(i, 5, cell, date_format)
        else:
            sheet.write(i, 5, cell)
    book.close()
    table = RELATIVES.read_table(buffer.getvalue(), "x.xlsx")
    outcome = importing.check_rows(table=table, actor=jinshan.user("zhujing"), kind=RELATIVES, keep_persons=True)
    assert outcome.valid == len(cells), outcome.issues
    assert {tie.emigrated_year for tie in outcome.persons} == {1990}


def test_a_chunk_of_rows_costs_the_same_queries_whatever_its_length(jinshan, persons):
    actor = jinshan.user("zhujing")

    def queries(count: int) -> int:
        lines = ["国内亲属证件号码,国内亲属姓名,海外亲属姓名,关系,亲属身份,所在国家/地区"]
        lines += [f"{(ZHANG_ID, CHEN_ID)[i % 2]},,亲属{i},儿子,华侨,美国" for i in range(count)]
        table = RELATIVES.read_table("\n".join(lines).encode(), "x.csv")
        with CaptureQueriesContext(connection) as captured:
            outcome = importing.check_rows(table=table, actor=actor, kind=RELATIVES)
        assert outcome.valid == count
        return len(captured)

    queries(1)  # the user's jurisdiction and permissions, read once and cached
    assert queries(3) == queries(60) <= 4  # federations, the chunk's persons, their relatives


# The command line, the template and the page ----------------------------------------------------


def test_command_commits_and_prints_the_counts(jinshan, persons, tmp_path):
    path = tmp_path / "海外亲属.xlsx"
    path.write_bytes(messy_xlsx())
    out = io.StringIO()
    call_command("import", "relatives", str(path), "--user", "zhujing", stdout=out)
    assert "数据行：11" in out.getvalue() and "可导入：3" in out.getvalue() and "未写入" in out.getvalue()
    assert OverseasTie.objects.count() == 1

    out = io.StringIO()
    rejects = tmp_path / "未导入.xlsx"
    call_command(
        "import", "relatives", str(path), "--commit", "--user", "zhujing", "--rejects", str(rejects), stdout=out
    )
    printed = out.getvalue()
    assert "数据行：11" in printed and "已导入：3" in printed and "未导入：8" in printed
    assert "有错误：6" in printed and "重复或已在库中：2" in printed
    assert rejects.exists()
    assert OverseasTie.objects.filter(import_batch__isnull=False).count() == 3


def test_template_downloads_with_the_required_headers_and_reads_back(client, jinshan):
    login(client, "zhujing")
    response = client.get(reverse("registry:import_template") + "?kind=relatives")
    assert response.status_code == 200
    table = RELATIVES.read_table(response.content, "t.xlsx")
    assert [layout.name for layout in table.sheets] == ["海外亲属"]  # notes and code lists skipped
    headers = table.sheets[0].headers
    assert headers == [col.header for col in COLUMNS]
    assert {"国内亲属证件号码", "海外亲属姓名", "关系", "亲属身份", "所在国家/地区"} <= set(
        RELATIVES.required_headers()
    )
    assert set(RELATIVES.required_headers()) <= set(headers)
    assert list(table.rows()) == [] and not table.missing
    notes = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("填写说明").to_python()
    assert any("侨情人员" in str(row[0]) and "海外亲属" in str(row[0]) for row in notes)


def test_import_page_shows_the_relatives_tab_and_uploads_as_relatives(
    client, jinshan, persons, django_capture_on_commit_callbacks
):
    assert get_kind("relatives") is RELATIVES
    assert RELATIVES in kinds_for(jinshan.user("zhujing"))
    assert RELATIVES not in kinds_for(jinshan.user("station"))
    login(client, "zhujing")
    page = client.get(reverse("registry:import_list") + "?kind=relatives").content.decode()
    assert 'href="?kind=relatives" aria-current="page">海外亲属</a>' in page
    assert str(RELATIVES.upload_help[0]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:import_list") + "?kind=relatives",
            {"kind": "relatives", "file": SimpleUploadedFile("亲属.csv", one_row_csv(ZHANG_ID))},
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.kind == "relatives"
    assert batch.status == ImportStatus.CHECKED and batch.valid_rows == 1
    persons_page = client.get(reverse("registry:import_list") + "?kind=persons").content.decode()
    assert "亲属.csv" not in persons_page


@pytest.mark.parametrize(
    "data",
    [
        {"name": "张伟", "relation": "son", "status": "overseas_chinese", "country": "US", "state": "active"},
        {"name": "", "relation": "friend", "status": "", "country": "火星", "state": "active"},
        {"name": "李四", "relation": "support", "status": "returnee", "country": "JP", "state": "active"},
        {"name": "王五", "relation": "son", "status": "hk_macao", "country": "HK", "emigrated_year": "1800"},
    ],
)
def test_each_rows_form_validates_exactly_as_a_new_staff_form(jinshan, data):
    checker = RELATIVES.checker(actor=jinshan.user("zhujing"), default_federation=None, options={})
    checker.form_for({"name": "先前一行", "relation": "bogus"}).is_valid()  # a row before leaves nothing behind
    row_form, new_form = checker.form_for(dict(data)), OverseasTieForm(data=dict(data))
    assert row_form.is_valid() == new_form.is_valid()
    assert row_form.errors == new_form.errors
    if new_form.is_valid():
        assert row_form.cleaned_data == new_form.cleaned_data
