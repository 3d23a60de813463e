"""The registry import: file reading, row checks through PersonForm, preview, commit, rejects."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.core import normalize
from qiaolian.core.validators import id_check_digit
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry import importing
from qiaolian.registry.choices import Category, Hardship, Source
from qiaolian.registry.forms import PersonForm
from qiaolian.registry.models import ImportBatch, ImportIssue, ImportStatus, Person
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db

HEADERS = [col.header for col in importing.COLUMNS[:19]]  # the columns the issue names
SHEET = "人员信息"  # the sheet ``workbook`` writes


def resident_id(birth: dt.date, serial: int, *, male: bool = True) -> str:
    """A valid 18-digit number: Jinshan's area code of the birth year (310228 until 1996), the
    sequence odd for men, the GB 11643 check digit."""
    area = "310228" if birth.year < 1997 else "310116"
    seq = (serial % 500) * 2 + (1 if male else 0)
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_digit(body)


def wrong_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def person_row(i: int, *, country: str | None = None, **overrides) -> dict:
    birth = dt.date(1983, 1, 1) + dt.timedelta(days=i)
    row = {
        "姓名": ["张建国", "李秀英", "王志强", "陈美玲", "黄丽娟", "周文博"][i % 6],
        "出生日期": birth,
        "证件号码": resident_id(birth, i, male=i % 6 in (0, 2, 5)),
        "身份类别": "侨眷",
        "所属侨联": ["朱泾镇侨联", "石化街道", "待泾村"][i % 3],
        "手机": f"139{i:08d}",
        "住址": "上海市金山区朱泾镇人民路1号",
    }
    if i % 10 == 1:
        countries = ["美国", "United States", "JP", "香港"]
        row.update({"身份类别": "归侨", "归来国家/地区": countries[i % 4], "归国年份": 2008})
    if i % 25 == 3:
        row["困难类型"] = "高龄、患病"
    row.update(overrides)
    if country is not None:
        row["归来国家/地区"] = country
    return row


def workbook(rows: list[dict], headers: list[str] | None = None, *, title: str | None = None) -> bytes:
    """An .xlsx as Excel would save it: text cells, real date cells, numbers where given."""
    headers = headers or HEADERS
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("人员信息")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    top = 0
    if title:
        sheet.write_string(0, 0, title)
        top = 1
    sheet.write_row(top, 0, headers)
    for r, row in enumerate(rows, start=top + 1):
        for col, header in enumerate(headers):
            value = row.get(header, "")
            if isinstance(value, dt.date):
                sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, col, value)
            elif value != "":
                sheet.write_string(r, col, value)
    book.close()
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def check(actor, name: str, content: bytes, capture) -> ImportBatch:
    with capture(execute=True):
        batch = importing.import_batch_create(actor=actor, upload=upload(name, content))
    batch.refresh_from_db()
    return batch


def commit(actor, batch: ImportBatch, capture) -> ImportBatch:
    with capture(execute=True):
        importing.import_batch_confirm(actor=actor, batch=batch)
    batch.refresh_from_db()
    return batch


def read_xlsx(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def login(client, username: str) -> None:
    """Sign in through the login page (the lock-out backend wants a request)."""
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302


# The acceptance test ---------------------------------------------------------------------------

BAD_KINDS = {
    0: ("证件号码", "校验位"),  # bad check digit
    1: ("出生日期", "日期"),  # impossible date
    2: ("所属侨联", "未知的侨联：火星镇侨联"),  # unknown town
    3: ("姓名", "姓名"),  # empty name: the form's required message names the field
}


def acceptance_rows() -> tuple[list[dict], dict[int, int]]:
    """10,000 rows, one in fifty bad: 50 of each of the four kinds. Returns the rows and, for
    each bad row's spreadsheet row number, its kind."""
    rows, bad = [], {}
    for i in range(10_000):
        row = person_row(i)
        if i % 50 == 7:
            kind = (i // 50) % 4
            bad[i + 2] = kind
            if kind == 0:
                row["证件号码"] = wrong_check_digit(row["证件号码"])
            elif kind == 1:
                row["出生日期"] = "1990-02-30"
            elif kind == 2:
                row["所属侨联"] = "火星镇侨联"
            else:
                row["姓名"] = ""
        rows.append(row)
    return rows, bad


def test_ten_thousand_rows_with_two_percent_bad_import_once_and_only_once(
    jinshan, django_capture_on_commit_callbacks, settings
):
    settings.QIAOLIAN_IMPORT_WORKERS = 2  # as in production: chunks checked in worker processes
    admin = jinshan.user("admin")
    rows, bad = acceptance_rows()
    assert sorted(list(bad.values()).count(k) for k in BAD_KINDS) == [50, 50, 50, 50]
    content = workbook(rows)

    batch = check(admin, "金山区侨情.xlsx", content, django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.CHECKED
    assert (batch.total_rows, batch.valid_rows, batch.invalid_rows, batch.duplicate_rows) == (10_000, 9_800, 200, 0)
    issues = list(batch.issues.all())
    assert {i.row_number for i in issues} == set(bad)
    for issue in issues:
        column, words = BAD_KINDS[bad[issue.row_number]]
        assert issue.column == column
        assert words in issue.reason
        assert not issue.is_duplicate
    assert Person.objects.count() == 0  # the check writes no person

    batch = commit(admin, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE, batch.message
    assert batch.imported_rows == 9_800
    assert Person.objects.count() == 9_800
    assert Person.objects.filter(import_batch=batch, source=Source.IMPORT).count() == 9_800
    assert AuditEntry.objects.filter(action=Action.IMPORT).count() == 1
    rejects = read_xlsx(batch.rejects_file.read())
    assert rejects[0][-2:] == ["行号", "未导入原因"]
    assert len(rejects) == 1 + 200
    assert {int(r[-2]) for r in rejects[1:]} == set(bad)

    again = check(admin, "金山区侨情.xlsx", content, django_capture_on_commit_callbacks)
    assert (again.valid_rows, again.invalid_rows, again.duplicate_rows) == (0, 200, 9_800)
    again = commit(admin, again, django_capture_on_commit_callbacks)
    assert again.status == ImportStatus.DONE
    assert again.imported_rows == 0
    assert Person.objects.count() == 9_800
    assert again.issues.values("row_number").distinct().count() == 10_000  # every row listed
    assert again.issues.filter(is_duplicate=True).count() == 9_800


# Reading files ---------------------------------------------------------------------------------


def test_csv_in_gb18030_is_read_and_imported(jinshan, django_capture_on_commit_callbacks):
    zhujing = jinshan.user("zhujing")
    lines = [",".join(HEADERS)]
    for i in range(3):
        row = person_row(i, 所属侨联="朱泾镇", 出生日期="", 姓名=["欧阳修", "司马光", "诸葛亮"][i])
        lines.append(",".join(str(row.get(h, "")) for h in HEADERS))
    content = "\r\n".join(lines).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # really not UTF-8

    batch = check(zhujing, "名单.csv", content, django_capture_on_commit_callbacks)
    assert (batch.status, batch.valid_rows, batch.invalid_rows) == (ImportStatus.CHECKED, 3, 0)
    batch = commit(zhujing, batch, django_capture_on_commit_callbacks)
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(["欧阳修", "司马光", "诸葛亮"])
    assert set(Person.objects.values_list("federation", flat=True)) == {jinshan.zhujing.pk}
    assert not batch.rejects_file


def test_csv_in_utf8_with_bom_and_excel_dates_as_text(jinshan):
    text = "\ufeff" + ",".join(HEADERS) + "\n"
    row = person_row(5, 出生日期="1983年1月6日", 所属侨联="待泾村")
    text += ",".join(str(row.get(h, "")) for h in HEADERS) + "\n"
    table = importing.read_table(text.encode("utf-8"), "名单.csv")
    outcome = importing.check_rows(table=table, actor=jinshan.user("staff"), keep_persons=True)
    assert outcome.valid == 1, outcome.issues
    assert outcome.persons[0].birth_date == dt.date(1983, 1, 6)
    assert outcome.persons[0].federation == jinshan.zhujing_village


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("名单.xlsx", b"PK\x03\x04 this is not really a workbook", "无法读取该文件"),
        ("名单.xls", b"\xd0\xcf\x11\xe0 broken", "无法读取该文件"),
        ("名单.pdf", b"%PDF-1.4", "不支持的文件类型"),
        ("名单.xlsx", b"", "文件是空的"),
        ("名单.csv", b"just,some,words\n1,2,3\n", "找不到表头行"),
        ("名单.csv", b"\xef\xbb\xbf\xff\xfe\xfa broken", "无法识别文件的文字编码"),
    ],
)
def test_unreadable_or_wrong_file_is_refused_and_nothing_stored(jinshan, name, content, words):
    with pytest.raises(ValidationError) as error:
        importing.import_batch_create(actor=jinshan.user("staff"), upload=upload(name, content))
    assert words in " ".join(error.value.messages)
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (dt.date(1950, 3, 2), "1950-03-02"),
        (dt.datetime(1950, 3, 2), "1950-03-02"),
        ("1950/3/2", "1950-03-02"),
        ("1950.03.02", "1950-03-02"),
        ("1950年3月2日", "1950-03-02"),
        ("1950-03-02 00:00:00", "1950-03-02"),
        (19500302.0, "1950-03-02"),
        ("1990年2月30日", "1990-02-30"),  # stays impossible: the form names it
        ("去年", "去年"),
    ],
)
def test_date_cells_in_the_usual_spellings(cell, text):
    assert normalize.date_text(cell) == text


def test_file_over_the_size_limit_is_refused(jinshan, settings):
    settings.QIAOLIAN_IMPORT_MAX_BYTES = 1000
    content = workbook([person_row(i) for i in range(50)])
    with pytest.raises(ValidationError) as error:
        importing.import_batch_create(actor=jinshan.user("staff"), upload=upload("名单.xlsx", content))
    assert "文件过大" in error.value.messages[0]
    assert ImportBatch.objects.count() == 0


def test_file_missing_a_required_column_names_the_column_and_imports_nothing(
    jinshan, django_capture_on_commit_callbacks
):
    # Stored (the user can say on the preview which column it is), but no row is importable.
    headers = [h for h in HEADERS if h not in ("所属侨联", "证件号码")]
    content = workbook([person_row(1)], headers)
    batch = check(jinshan.user("staff"), "名单.xlsx", content, django_capture_on_commit_callbacks)
    assert "缺少必填列：证件号码、所属侨联" in batch.message
    assert (batch.status, batch.valid_rows, batch.invalid_rows) == (ImportStatus.CHECKED, 0, 1)
    assert set(batch.issues.values_list("column", flat=True)) == {"证件号码", "所属侨联"}


def test_file_without_data_rows_is_refused(jinshan):
    with pytest.raises(ValidationError) as error:
        importing.import_batch_create(actor=jinshan.user("staff"), upload=upload("空.xlsx", workbook([])))
    assert "没有数据行" in error.value.messages[0]


def test_template_reads_back_with_every_column_and_no_rows(jinshan):
    content = importing.import_template_xlsx(user=jinshan.user("zhujing"))
    table = importing.read_table(content, "模板.xlsx")
    assert [layout.name for layout in table.sheets] == ["人员信息"]  # notes and code lists skipped
    assert table.sheets[0].headers[:19] == HEADERS
    assert set(table.sheets[0].columns) == {col.field for col in importing.COLUMNS}
    assert list(table.rows()) == []
    assert not table.ignored_headers


# Rows ------------------------------------------------------------------------------------------


def checked(actor, rows: list[dict], **kwargs) -> importing.CheckOutcome:
    table = importing.read_table(workbook(rows, **kwargs), "x.xlsx")
    return importing.check_rows(table=table, actor=actor, keep_persons=True)


def _verdicts(outcome: importing.CheckOutcome) -> dict:
    return {
        "counts": (outcome.total, outcome.valid, outcome.invalid, outcome.duplicates, outcome.warned),
        "issues": {
            ref: [(i.column, i.value, i.reason, i.is_duplicate) for i in v] for ref, v in outcome.issues.items()
        },
        "warnings": {ref: [i.reason for i in v] for ref, v in outcome.warnings.items()},
        "persons": [(p.name, p.id_number, p.birth_date, p.federation_id) for p in outcome.persons],
    }


def test_worker_processes_check_chunks_exactly_as_the_job_does(jinshan, monkeypatch, settings):
    """Chunks checked in forked worker processes give the very outcome of checking in the job:
    the same issues, duplicates across chunks, warnings against the registry, persons in file
    order. Small chunks so that the 60 rows make several."""
    admin = jinshan.user("admin")
    registered = person_row(40)
    importing.check_rows(
        table=importing.read_table(workbook([registered]), "x.xlsx"),
        actor=admin,
        on_persons=lambda persons: importing.persons_bulk_create(actor=admin, persons=persons),
    )
    rows = [person_row(i) for i in range(60)]
    rows[5]["出生日期"] = "1990-02-30"  # invalid
    rows[33] = dict(rows[2])  # repeats a row of another chunk
    rows[47]["所属侨联"] = "火星镇侨联"  # invalid
    rows[50] = {**person_row(50), "姓名": registered["姓名"], "手机": registered["手机"]}  # warned
    table = importing.read_table(workbook(rows), "x.xlsx")
    monkeypatch.setattr(importing, "CHUNK_ROWS", 8)
    outcomes = {}
    for workers in (1, 2):
        settings.QIAOLIAN_IMPORT_WORKERS = workers
        outcomes[workers] = _verdicts(importing.check_rows(table=table, actor=admin, keep_persons=True))
    assert outcomes[2] == outcomes[1]
    assert outcomes[2]["counts"] == (60, 56, 2, 2, 1)  # row 40 is registered: a duplicate too
    assert [p[0] for p in outcomes[2]["persons"]][:3] == [rows[0]["姓名"], rows[1]["姓名"], rows[2]["姓名"]]


def test_labels_countries_and_hardship_are_mapped_to_codes(jinshan):
    rows = [
        person_row(10, 身份类别="归侨", country="United States", 困难类型="高龄，低保", 性别="男", 证件类型="身份证"),
        person_row(11, 身份类别="港澳同胞", country="", 所属侨联="石化街道侨联"),
        person_row(12, 身份类别="归侨", country="中国澳门", 归国年份=1998.0),
        person_row(13, 身份类别="归侨", country="gbr", 政治面貌="党员", 职业="退休"),
        person_row(14, 身份类别="归侨", country="日本", 所属侨联="朱泾镇"),
    ]
    rows[0]["证件号码"] = resident_id(dt.date(1983, 1, 11), 10, male=True)
    outcome = checked(jinshan.user("admin"), rows)
    assert outcome.valid == 5, outcome.issues
    a, b, hk, gb, jp = outcome.persons
    assert (a.category, a.returned_from.code, a.sex, a.id_type) == (Category.RETURNEE, "US", "M", "resident_id")
    assert a.is_in_hardship and a.hardship_types == [Hardship.ELDERLY, Hardship.LOW_INCOME]
    assert (b.category, b.federation) == (Category.HK_MACAO, jinshan.shihua)
    assert (hk.returned_from.code, hk.returned_year) == ("MO", 1998)
    assert (gb.returned_from.code, gb.political_status, gb.occupation) == ("GB", "cpc", "retired")
    assert (jp.returned_from.code, jp.federation) == ("JP", jinshan.zhujing)
    assert not b.is_in_hardship and b.hardship_types == []


def test_row_messages_are_the_web_forms_and_name_the_column(jinshan):
    rows = [
        person_row(20, 身份类别="火星人"),
        person_row(21, 电子邮箱="not-an-email"),
        person_row(22, 身份类别="归侨"),
        person_row(23, 困难类型="穷"),
    ]
    rows[2].pop("归来国家/地区", None)
    outcome = checked(jinshan.user("admin"), rows)
    assert outcome.invalid == 4
    got = {row: [(i.column, i.reason) for i in issues] for (_sheet, row), issues in outcome.issues.items()}
    assert got[2] == [("身份类别", "选择一个有效的选项。 火星人 不在可用的选项中。")]
    assert got[3] == [("电子邮箱", "输入一个有效的 Email 地址。")]
    assert got[4] == [("归来国家/地区", "归侨请填写归来国家/地区。")]
    assert got[5] == [("困难类型", "选择一个有效的选项。 穷 不在可用的选项中。")]
    # The same data through a new PersonForm gives the same messages (the pooled form is exact).
    federations = federation_choices(user=jinshan.user("admin"))
    checker = importing.RowChecker(actor=jinshan.user("admin"))
    for row in importing.read_table(workbook(rows), "x.xlsx").rows():
        data = checker.prepare(row).data
        fresh = PersonForm(data=data, federations=federations)
        assert not fresh.is_valid()
        pooled = checker.pool.bind(data)
        assert not pooled.is_valid()
        assert pooled.errors == fresh.errors


def test_id_number_stored_by_excel_as_a_number_is_reported_not_guessed(jinshan):
    rows = [person_row(30), person_row(31)]
    rows[0]["证件号码"] = float(rows[0]["证件号码"][:17] + "0")  # what Excel keeps of an 18-digit number
    rows[1]["证件号码"] = "3.10228198301E+17"  # the same, exported to CSV
    outcome = checked(jinshan.user("admin"), rows)
    assert outcome.valid == 0
    for issues in outcome.issues.values():
        assert issues[0].column == "证件号码"
        assert "存成了数字" in issues[0].reason


def test_protected_values_are_masked_in_issues(jinshan):
    bad_id = wrong_check_digit(person_row(40)["证件号码"])
    rows = [person_row(40, 证件号码=bad_id), person_row(41, 手机="12345678")]
    outcome = checked(jinshan.user("admin"), rows)
    id_issue, phone_issue = outcome.issues[(SHEET, 2)][0], outcome.issues[(SHEET, 3)][0]
    assert id_issue.column == "证件号码" and id_issue.value == bad_id[:6] + "********" + bad_id[-4:]
    assert phone_issue.column == "手机" and "12345678" not in phone_issue.value + phone_issue.reason


def test_rows_repeated_within_the_file_are_listed_as_duplicates(jinshan):
    rows = [person_row(50), person_row(51), person_row(50, 姓名="张建国（重复）")]
    outcome = checked(jinshan.user("admin"), rows)
    assert (outcome.valid, outcome.duplicates) == (2, 1)
    issue = outcome.issues[(SHEET, 4)][0]
    assert issue.is_duplicate and "与第 2 行的证件号码相同" in issue.reason


def test_row_without_id_number_is_listed(jinshan):
    outcome = checked(jinshan.user("admin"), [person_row(60, 证件号码="")])
    assert outcome.issues[(SHEET, 2)][0].column == "证件号码"
    assert "请填写证件号码" in outcome.issues[(SHEET, 2)][0].reason


# Jurisdiction ----------------------------------------------------------------------------------


def test_town_user_cannot_import_into_another_town(jinshan, django_capture_on_commit_callbacks):
    zhujing = jinshan.user("zhujing")
    rows = [person_row(70, 所属侨联="朱泾镇侨联"), person_row(71, 所属侨联="石化街道侨联")]
    rows.append(person_row(72, 所属侨联="待泾村"))
    batch = check(zhujing, "名单.xlsx", workbook(rows), django_capture_on_commit_callbacks)
    assert (batch.valid_rows, batch.invalid_rows) == (2, 1)
    issue = batch.issues.get()
    assert (issue.row_number, issue.column) == (3, "所属侨联")
    assert issue.reason == "所属侨联不在您的管辖范围内：石化街道侨联"
    batch = commit(zhujing, batch, django_capture_on_commit_callbacks)
    assert set(Person.objects.values_list("federation", flat=True)) == {jinshan.zhujing.pk, jinshan.zhujing_village.pk}


def test_town_user_cannot_open_another_towns_batch(client, jinshan, django_capture_on_commit_callbacks):
    batch = check(jinshan.user("zhujing"), "名单.xlsx", workbook([person_row(80)]), django_capture_on_commit_callbacks)
    login(client, "shihua")
    for name in ("import_detail", "import_progress", "import_rejects"):
        assert client.get(reverse(f"registry:{name}", args=[batch.pk])).status_code == 404
    for name in ("import_confirm", "import_cancel"):
        assert client.post(reverse(f"registry:{name}", args=[batch.pk])).status_code == 404
    assert batch.file_name not in client.get(reverse("registry:import_list")).content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED
    login(client, "staff")  # the district sees every batch
    assert client.get(reverse("registry:import_detail", args=[batch.pk])).status_code == 200


def test_users_without_import_permission_are_refused(client, jinshan):
    login(client, "station")
    assert client.get(reverse("registry:import_list")).status_code == 403
    assert client.get(reverse("registry:import_template")).status_code == 403


# Commit, rejects, atomicity, cancel ------------------------------------------------------------


def test_rejects_workbook_gives_back_bad_rows_as_written_with_row_and_reason(
    jinshan, django_capture_on_commit_callbacks
):
    rows = [person_row(90), person_row(91, 出生日期="1990-02-30"), person_row(92)]
    rows.append(person_row(93, 所属侨联="火星镇侨联"))
    rows[2]["证件号码"] = float(rows[2]["证件号码"][:17] + "0")
    headers = [*HEADERS, "联系人备注"]  # a column not in the template is kept in the rejects
    rows[1]["联系人备注"] = "请回电"
    admin = jinshan.user("admin")
    content = workbook(rows, headers, title="金山区侨情登记表")
    batch = check(admin, "名单.xlsx", content, django_capture_on_commit_callbacks)
    assert "联系人备注" in batch.message
    assert sorted(batch.issues.values_list("row_number", flat=True)) == [4, 5, 6]  # title row, header row, …
    batch = commit(admin, batch, django_capture_on_commit_callbacks)
    assert batch.imported_rows == 1

    rejects = read_xlsx(batch.rejects_file.read())
    assert rejects[0] == [*headers, "行号", "未导入原因"]
    by_row = {int(r[-2]): dict(zip(rejects[0], r, strict=True)) for r in rejects[1:]}
    assert sorted(by_row) == [4, 5, 6]
    assert by_row[4]["出生日期"] == "1990-02-30" and by_row[4]["联系人备注"] == "请回电"
    assert by_row[4]["未导入原因"] == "出生日期：输入一个有效的日期。"
    assert by_row[5]["未导入原因"].startswith("证件号码：证件号码被表格软件存成了数字")
    assert by_row[6]["未导入原因"] == "所属侨联：未知的侨联：火星镇侨联"
    assert by_row[6]["证件号码"] == rows[3]["证件号码"]  # as uploaded, for correction
    # The rejects file, corrected, goes back in as it is (its extra columns are ignored).
    table = importing.read_table(batch.rejects_file.open("rb").read(), "未导入.xlsx")
    assert table.ignored_headers == ["联系人备注"]


def test_failure_in_the_middle_of_the_commit_writes_nothing(jinshan, django_capture_on_commit_callbacks, monkeypatch):
    admin = jinshan.user("admin")
    content = workbook([person_row(i) for i in range(100, 130)])
    batch = check(admin, "名单.xlsx", content, django_capture_on_commit_callbacks)
    assert batch.valid_rows == 30
    real = importing.persons_bulk_create

    def half_then_crash(*, actor, persons, batch):
        real(actor=actor, persons=persons[:15], batch=batch, batch_size=5)
        assert Person.objects.count() == 15  # really written, inside the transaction
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "persons_bulk_create", half_then_crash)
    batch = commit(admin, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED
    assert "导入失败，没有写入任何人员" in batch.message
    assert Person.objects.count() == 0
    assert not AuditEntry.objects.filter(action=Action.IMPORT).exists()
    assert not batch.rejects_file
    assert batch.issues.count() == 0


def test_rows_that_entered_the_registry_after_the_check_are_not_imported_twice(
    jinshan, django_capture_on_commit_callbacks
):
    admin = jinshan.user("admin")
    content = workbook([person_row(200), person_row(201)])
    first = check(admin, "a.xlsx", content, django_capture_on_commit_callbacks)
    second = check(admin, "b.xlsx", content, django_capture_on_commit_callbacks)
    assert first.valid_rows == second.valid_rows == 2
    commit(admin, first, django_capture_on_commit_callbacks)
    second = commit(admin, second, django_capture_on_commit_callbacks)
    assert (second.status, second.imported_rows, second.duplicate_rows) == (ImportStatus.DONE, 0, 2)
    assert Person.objects.count() == 2


def test_a_batch_is_imported_once_and_a_cancelled_batch_never(jinshan, django_capture_on_commit_callbacks):
    admin = jinshan.user("admin")
    batch = check(admin, "名单.xlsx", workbook([person_row(300)]), django_capture_on_commit_callbacks)
    batch = commit(admin, batch, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        importing.import_batch_confirm(actor=admin, batch=batch)
    other = check(admin, "名单2.xlsx", workbook([person_row(301)]), django_capture_on_commit_callbacks)
    other = importing.import_batch_cancel(actor=admin, batch=other)
    assert other.status == ImportStatus.CANCELLED and not other.file
    with pytest.raises(ValidationError):
        importing.import_batch_confirm(actor=admin, batch=other)
    assert Person.objects.count() == 1


# Pages -----------------------------------------------------------------------------------------


def test_upload_preview_confirm_and_download_through_the_pages(client, jinshan, django_capture_on_commit_callbacks):
    login(client, "zhujing")
    page = client.get(reverse("registry:import_list"))
    assert page.status_code == 200 and "上传并检查" in page.content.decode()
    template = client.get(reverse("registry:import_template"))
    assert template.status_code == 200
    assert importing.read_table(template.content, "t.xlsx").sheets[0].headers[:19] == HEADERS

    rows = [person_row(400, 所属侨联="朱泾镇"), person_row(401, 姓名="", 所属侨联="朱泾镇")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import_list"), {"file": upload("名单.xlsx", workbook(rows))})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registry:import_detail", args=[batch.pk])
    detail = client.get(response["Location"]).content.decode()
    name_required = PersonForm(data={}).errors["name"][0]  # whatever the web form says
    assert "确认导入" in detail and name_required in detail
    progress = client.get(reverse("registry:import_progress", args=[batch.pk]), headers={"HX-Request": "true"})
    assert progress.status_code == 200 and progress["HX-Refresh"] == "true"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import_confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows) == (ImportStatus.DONE, 1)
    assert Person.objects.get().created_by == jinshan.user("zhujing")

    download = client.get(reverse("registry:import_rejects", args=[batch.pk]))
    assert download.status_code == 200
    assert len(read_xlsx(b"".join(download.streaming_content))) == 2
    assert AuditEntry.objects.filter(action=Action.EXPORT, actor_name="zhujing").count() == 1


def test_bad_upload_shows_the_reason_on_the_page(client, jinshan):
    login(client, "zhujing")
    response = client.post(reverse("registry:import_list"), {"file": upload("名单.xlsx", b"garbage")})
    assert response.status_code == 200
    assert "无法读取该文件" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_preview_polls_while_the_job_runs(client, jinshan):
    zhujing = jinshan.user("zhujing")
    batch = ImportBatch.objects.create(
        federation=jinshan.zhujing,
        created_by=zhujing,
        file_name="名单.xlsx",
        status=ImportStatus.CHECKING,
        total_rows=1000,
        processed_rows=400,
    )
    login(client, "zhujing")
    page = client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "正在检查：400 / 1" in page
    partial = client.get(reverse("registry:import_progress", args=[batch.pk]), headers={"HX-Request": "true"})
    assert 'value="40"' in partial.content.decode() and "HX-Refresh" not in partial
    assert "确认导入" not in page


def test_cancel_through_the_page(client, jinshan, django_capture_on_commit_callbacks):
    batch = check(jinshan.user("zhujing"), "名单.xlsx", workbook([person_row(500)]), django_capture_on_commit_callbacks)
    login(client, "zhujing")
    response = client.post(reverse("registry:import_cancel", args=[batch.pk]), follow=True)
    assert "已取消该批次" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED
    assert Person.objects.count() == 0


def test_issue_list_is_paged_and_filtered(client, jinshan, django_capture_on_commit_callbacks):
    rows = [person_row(600 + i, 姓名="") for i in range(60)] + [person_row(700)]
    admin = jinshan.user("admin")
    first = check(admin, "a.xlsx", workbook([person_row(700)]), django_capture_on_commit_callbacks)
    commit(admin, first, django_capture_on_commit_callbacks)
    batch = check(admin, "b.xlsx", workbook(rows), django_capture_on_commit_callbacks)
    assert (batch.invalid_rows, batch.duplicate_rows) == (60, 1)
    login(client, "admin")
    url = reverse("registry:import_detail", args=[batch.pk])
    page = client.get(url)
    assert len(page.context["page"].rows) == 50 and page.context["page"].next_cursor
    more = client.get(url, {"cursor": page.context["page"].next_cursor})
    assert len(more.context["page"].rows) == 11
    dups = client.get(url, {"kind": "duplicates"})
    assert [i.row_number for i in dups.context["page"].rows] == [62]
    assert ImportIssue.objects.filter(batch=batch).count() == 61
