"""The import of 侨资企业 with spreadsheets made the way offices make them: a merged title and a
notes row above the header, each office's column names, Excel date serials, full-width digits, a
traditional-character name, blank and 合计 rows, a GBK-encoded CSV. Every data row is either
imported or returned with a reason; none is lost or imported twice."""

from __future__ import annotations

import datetime as dt
import io
import string

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.core.importkinds import get_kind, kinds_for
from qiaolian.enterprises import selectors, services
from qiaolian.enterprises.models import Enterprise, Industry, InvestorType
from qiaolian.enterprises.tests.factories import credit_code, make_enterprise, make_visit
from qiaolian.registry import importing
from qiaolian.registry.models import ImportBatch, ImportStatus
from qiaolian.registry.tests.factories import PersonFactory, resident_id
from qiaolian.registry.tests.importing_helpers import assert_every_row_accounted_for as accounted_for
from qiaolian.registry.tests.importing_helpers import import_file, rejects_rows

pytestmark = pytest.mark.django_db


def run(actor, name: str, content: bytes, capture) -> ImportBatch:
    return import_file(actor, name, content, capture, kind=get_kind(KIND))


def assert_every_row_accounted_for(batch: ImportBatch, data_rows: int) -> None:
    accounted_for(batch, data_rows, Enterprise)


FULL_WIDTH = {ord(ch): chr(ord(ch) + 0xFEE0) for ch in string.digits + string.ascii_uppercase}  # ０-９, Ａ-Ｚ
KIND = "enterprises"

CODE_A = credit_code(801)
CODE_B = credit_code(802)
CODE_C = credit_code(803)
CODE_D = credit_code(804)
CODE_BAD = CODE_A[:-1] + ("1" if CODE_A[-1] != "1" else "2")  # a wrong check digit


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def reveal(value) -> str:
    return value.reveal() if value else ""


def issues_by_row(batch: ImportBatch) -> dict[int, list]:
    found: dict[int, list] = {}
    for issue in batch.issues.order_by("id"):
        found.setdefault(issue.row_number, []).append(issue)
    return found


# A district's workbook -------------------------------------------------------------------------

FOUNDED = dt.date(2015, 3, 2)


def directory_xlsx() -> bytes:
    """A merged title and a notes row above the header, the office's own column names, a
    traditional-character name, full-width digits and a lower-case code, a date serial, a blank
    row, a repeated code, three rows with errors and a 合计 row: 7 data rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = book.add_format({"bold": True, "align": "center"})
    sheet = book.add_worksheet("侨企名录")
    sheet.merge_range(0, 0, 0, 12, "金山区侨资企业名录（2024年）", title)
    sheet.write_string(1, 0, "填表说明：信用代码请按文本填写；注册资本单位为万元。")
    sheet.write_row(
        2,
        0,
        ["序号", "单位名称", "信用代码", "出资方", "来源国家（地区）", "所属行业", "注册日期",
         "注册资本（万元）", "职工人数", "法人", "电话", "经营地址", "所属侨联"],
    )  # fmt: skip
    rows = [
        [1, "上海金山精密機械有限公司", CODE_A.translate(FULL_WIDTH).lower(), "侨资", "新加坡", "重工业",
         excel_serial(FOUNDED), 500, "１２０", "陈明", "１３９ １２３４ ５６７８", "朱泾镇人民路1号", "朱泾镇侨联"],
        None,  # a blank row, as offices leave them
        [2, "金山港澳食品有限公司", "", "港资", "中国香港", "轻工业", "2018年6月1日", "300万元", "45人", "黄志明",
         "00852-9123-4567", "卫零路3号", "石化街道"],
        [3, "校验位有误有限公司", CODE_BAD, "侨资", "美国", "金融", "", "", "", "", "", "", "朱泾镇"],
        [4, "上海金山精密机械有限公司", CODE_A, "侨资", "新加坡", "重工业", "", "", "", "", "", "", "朱泾镇"],
        [5, "行业不明有限公司", CODE_B, "侨资", "美国", "造船", "", "", "", "", "", "", "朱泾镇"],
        [6, "电话有误有限公司", CODE_C, "侨属企业", "", "教育", "", "", "", "", "12345", "", "朱泾镇"],
        [7, "新侨智能科技有限公司", CODE_D, "新侨", "Australia", "高新技术", excel_serial(dt.date(2020, 8, 8)),
         "", "", "", "", "", "待泾村"],
    ]  # fmt: skip
    for offset, row in enumerate(rows):
        if row is not None:
            sheet.write_row(3 + offset, 0, row)
    sheet.write_row(3 + len(rows), 0, ["合 计", "7家"])
    book.close()
    return buffer.getvalue()


def test_messy_workbook_imports_each_enterprise_once_and_returns_the_rest(jinshan, django_capture_on_commit_callbacks):
    admin = jinshan.user("admin")
    audited_before = AuditEntry.objects.filter(action=Action.CREATE).count()
    batch = run(admin, "侨企名录.xlsx", directory_xlsx(), django_capture_on_commit_callbacks)

    assert (batch.total_rows, batch.imported_rows, batch.invalid_rows, batch.duplicate_rows) == (7, 3, 3, 1)
    assert_every_row_accounted_for(batch, 7)
    issues = issues_by_row(batch)
    assert set(issues) == {7, 8, 9, 10}  # sheet rows; row 5 was blank, row 11 the 合计
    assert issues[7][0].column == "统一社会信用代码" and "校验位错误" in issues[7][0].reason
    assert issues[8][0].is_duplicate and "与第 4 行的统一社会信用代码相同" in issues[8][0].reason
    assert issues[9][0].column == "行业" and not issues[9][0].is_duplicate
    assert issues[10][0].column == "联系电话"  # the service's rule, not only the form's
    rejects = rejects_rows(batch)
    assert [int(r["行号"]) for r in rejects] == [7, 8, 9, 10]
    assert rejects[2]["单位名称"] == "行业不明有限公司" and rejects[2]["未导入原因"].startswith("行业：")

    by_name = {e.name: e for e in Enterprise.objects.filter(import_batch=batch)}
    assert set(by_name) == {"上海金山精密機械有限公司", "金山港澳食品有限公司", "新侨智能科技有限公司"}
    machine = by_name["上海金山精密機械有限公司"]
    assert machine.credit_code == CODE_A  # half-width, upper case
    assert machine.name_key == "上海金山精密机械有限公司"  # found under its simplified spelling
    assert (machine.investor_type, machine.investor_country, machine.industry) == (
        InvestorType.OVERSEAS,
        "SG",
        Industry.HEAVY,
    )
    assert (machine.established_on, machine.registered_capital, machine.employees) == (FOUNDED, 500, 120)
    assert machine.legal_representative == "陈明" and machine.address == "朱泾镇人民路1号"
    assert reveal(machine.contact_phone) == "+8613912345678"
    assert machine.federation == jinshan.zhujing and machine.is_active
    assert machine.created_by == admin
    food = by_name["金山港澳食品有限公司"]
    assert food.credit_code is None
    assert (food.investor_type, food.investor_country, food.federation) == ("hk_macao", "HK", jinshan.shihua)
    assert (food.established_on, food.registered_capital, food.employees) == (dt.date(2018, 6, 1), 300, 45)
    assert reveal(food.contact_phone) == "+85291234567"
    tech = by_name["新侨智能科技有限公司"]
    assert (tech.industry, tech.investor_country, tech.federation) == ("high_tech", "AU", jinshan.zhujing_village)

    # Found by the list's search: name by its simplified form, phone by its keyed hash.
    found = selectors.enterprise_list(user=admin, filters=selectors.EnterpriseFilters(query="精密机械"))
    assert list(found) == [machine]
    found = selectors.enterprise_list(user=admin, filters=selectors.EnterpriseFilters(query="13912345678"))
    assert list(found) == [machine]
    # One audit entry for the batch, none per enterprise.
    assert AuditEntry.objects.filter(action=Action.IMPORT).count() == 1
    assert AuditEntry.objects.filter(action=Action.CREATE).count() == audited_before


def test_the_same_workbook_again_imports_nothing(jinshan, django_capture_on_commit_callbacks):
    admin = jinshan.user("admin")
    run(admin, "侨企名录.xlsx", directory_xlsx(), django_capture_on_commit_callbacks)
    again = run(admin, "侨企名录.xlsx", directory_xlsx(), django_capture_on_commit_callbacks)
    assert (again.imported_rows, again.invalid_rows, again.duplicate_rows) == (0, 3, 4)
    assert_every_row_accounted_for(again, 7)
    assert Enterprise.objects.count() == 3
    reasons = {i.row_number: i.reason for i in again.issues.filter(is_duplicate=True)}
    assert reasons[4] == "该统一社会信用代码已登记，本行不再导入。"
    assert reasons[6].startswith("本侨联已登记同名企业")  # no code: name and federation


# A town's GBK CSV with registry persons -----------------------------------------------------------


def town_csv(own_id: str, other_town_id: str) -> bytes:
    lines = [
        "企业名称,统一社会信用代码,企业类型,投资方身份,投资来源地,行业,所属侨联,联系人,手机,侨界人士证件号码,成立日期",
        f"陈氏贸易有限公司,{CODE_A},侨资,华侨,日本,其他,朱泾镇,陈先生,13800001111,{own_id.lower()},2010/5/6",
        f"无名投资有限公司,{CODE_B},侨资,华侨,日本,其他,朱泾镇,,,110101199001011234,",
        "",
        f"越界投资有限公司,{CODE_C},侨资,华侨,日本,其他,朱泾镇,,,{other_town_id},",
        "合计,3家,,,,,,,,,",
    ]
    return "\r\n".join(lines).encode("gbk")


def test_gbk_csv_links_registry_persons_within_jurisdiction(jinshan, django_capture_on_commit_callbacks):
    own_id = resident_id(dt.date(1980, 1, 1), serial=123)
    own = PersonFactory(federation=jinshan.zhujing, id_number=own_id)
    other = PersonFactory(federation=jinshan.shihua)
    content = town_csv(own_id, reveal(other.id_number))
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    batch = run(jinshan.user("zhujing"), "企业.csv", content, django_capture_on_commit_callbacks)
    assert (batch.total_rows, batch.imported_rows, batch.invalid_rows) == (3, 1, 2)
    assert_every_row_accounted_for(batch, 3)
    chen = Enterprise.objects.get(import_batch=batch)
    assert (chen.name, chen.person, chen.investor_origin) == ("陈氏贸易有限公司", own, "overseas_chinese")
    assert chen.established_on == dt.date(2010, 5, 6) and reveal(chen.contact_phone) == "+8613800001111"
    issues = issues_by_row(batch)
    assert set(issues) == {3, 5}  # row 4 blank
    for row in (3, 5):  # unknown, and a person of another town: the same answer
        (issue,) = issues[row]
        assert issue.column == "侨界人士证件号码" and "不在您的管辖范围内" in issue.reason
        assert "*" in issue.value  # the ID number is masked
    assert reveal(other.id_number)[6:14] not in issues[5][0].value


def test_person_lookup_is_one_query_per_chunk(jinshan):
    own = PersonFactory(federation=jinshan.zhujing)
    number = reveal(own.id_number)
    header = "企业名称,统一社会信用代码,企业类型,行业,所属侨联,侨界人士证件号码\n"
    body = "".join(f"企业{n}有限公司,{credit_code(900 + n)},侨资,其他,朱泾镇,{number}\n" for n in range(20))
    kind = get_kind(KIND)
    table = kind.read_table((header + body).encode(), "x.csv")
    checker = kind.checker(actor=jinshan.user("zhujing"), default_federation=None, options={})
    rows = list(table.rows())
    with CaptureQueriesContext(connection) as queries:
        results = checker.check_chunk(rows)
    assert all(not issues for issues, _payload in results)
    assert all(payload.data["person"] == own for _issues, payload in results)
    person_queries = [q for q in queries.captured_queries if "registry_person" in q["sql"]]
    assert len(person_queries) == 1


def test_rebound_form_validates_exactly_as_a_new_form(jinshan):
    """The checker re-binds one built ``EnterpriseForm`` for each row: same errors, same data."""
    from qiaolian.enterprises.forms import EnterpriseForm
    from qiaolian.orgs.selectors import federation_choices
    from qiaolian.registry.models import Person

    actor = jinshan.user("zhujing")
    checker = get_kind(KIND).checker(actor=actor, default_federation=None, options={})
    base = {"name": "某企业", "investor_type": "overseas", "industry": "other", "is_active": "on"}
    rows = [
        {**base, "federation": str(jinshan.zhujing.pk), "credit_code": CODE_A, "investor_country": "SG"},
        {**base, "federation": str(jinshan.shihua.pk)},  # outside the jurisdiction
        {**base, "federation": "x", "credit_code": CODE_BAD, "investor_country": "ZZ", "industry": "造船"},
        {**base, "federation": str(jinshan.zhujing_village.pk), "established_on": "2999-01-01", "employees": "-1"},
        {"federation": "", "name": "", "registered_capital": "-5", "investor_origin": "student"},
    ]
    for data in rows:
        fresh = EnterpriseForm(data=data, federations=federation_choices(user=actor), persons=Person.objects.none())
        pooled = checker.form_for(data)
        assert pooled.is_valid() == fresh.is_valid()
        assert pooled.errors == fresh.errors
        assert pooled.cleaned_data == fresh.cleaned_data


# Jurisdiction ------------------------------------------------------------------------------------


def test_town_user_cannot_import_into_another_town(jinshan, django_capture_on_commit_callbacks):
    stored = make_enterprise(jinshan, federation=jinshan.shihua, name="石化某侨资企业", credit_code=CODE_D)
    text = "企业名称,统一社会信用代码,企业类型,行业,所属侨联\n"
    text += f"朱泾某企业,{CODE_A},侨资,其他,石化街道侨联\n"
    text += f"另一家企业,{CODE_D},侨资,其他,朱泾镇\n"  # the code another town registered
    text += f"本镇企业,{CODE_B},侨资,其他,朱泾镇侨联\n"
    batch = run(jinshan.user("zhujing"), "企业.csv", text.encode(), django_capture_on_commit_callbacks)
    assert (batch.imported_rows, batch.invalid_rows, batch.duplicate_rows) == (1, 1, 1)
    assert_every_row_accounted_for(batch, 3)
    issues = issues_by_row(batch)
    assert issues[2][0].column == "所属侨联" and "不在您的管辖范围内" in issues[2][0].reason
    assert issues[3][0].is_duplicate and stored.name not in issues[3][0].reason  # yes or no only
    assert Enterprise.objects.filter(federation=jinshan.shihua).get() == stored
    assert Enterprise.objects.get(import_batch=batch).name == "本镇企业"


def test_a_coded_row_named_like_a_stored_enterprise_is_imported_with_a_warning(
    jinshan, django_capture_on_commit_callbacks
):
    stored = make_enterprise(jinshan, federation=jinshan.zhujing, name="金山侨丰贸易有限公司", credit_code="")
    text = "企业名称,统一社会信用代码,企业类型,行业,所属侨联\n"
    text += f"金山僑豐貿易有限公司,{CODE_A},侨资,其他,朱泾镇\n"
    batch = run(jinshan.user("zhujing"), "企业.csv", text.encode(), django_capture_on_commit_callbacks)
    assert (batch.imported_rows, batch.warned_rows) == (1, 1)
    warning = batch.issues.get()
    assert warning.is_warning and warning.column == "企业名称"
    assert f"编号 {stored.pk}" in warning.reason and "仍会导入" in warning.reason


def test_only_enterprise_editors_get_the_kind(jinshan):
    kind = get_kind(KIND)
    assert kind in kinds_for(jinshan.user("zhujing"))
    assert kind in kinds_for(jinshan.user("admin"))
    assert kind not in kinds_for(jinshan.user("leader"))  # reads enterprises, does not register them
    with pytest.raises(PermissionDenied, match=r"enterprises\.change_enterprise"):
        importing.import_batch_create(
            actor=jinshan.user("leader"), upload=SimpleUploadedFile("x.csv", b"a,b\n1,2\n"), kind=kind
        )


# Roll-back ---------------------------------------------------------------------------------------


def test_rollback_removes_exactly_the_batch(jinshan, django_capture_on_commit_callbacks):
    admin = jinshan.user("admin")
    earlier = make_enterprise(jinshan, name="早已登记的企业")
    batch = run(admin, "侨企名录.xlsx", directory_xlsx(), django_capture_on_commit_callbacks)
    assert Enterprise.objects.count() == 4
    batch = importing.import_batch_rollback(actor=admin, batch=batch)
    assert batch.status == ImportStatus.ROLLED_BACK
    assert batch.message == "已撤销：删除了本批导入的 3 条企业记录。"
    assert list(Enterprise.objects.all()) == [earlier]
    entry = AuditEntry.objects.filter(action=Action.DELETE).latest("seq")
    assert entry.data["import_kind"] == KIND and entry.data["deleted"] == 3
    again = run(admin, "侨企名录.xlsx", directory_xlsx(), django_capture_on_commit_callbacks)
    assert again.imported_rows == 3


def test_rollback_is_refused_when_an_enterprise_is_in_use_or_changed(jinshan, django_capture_on_commit_callbacks):
    admin = jinshan.user("admin")
    batch = run(admin, "侨企名录.xlsx", directory_xlsx(), django_capture_on_commit_callbacks)
    food = Enterprise.objects.get(name="金山港澳食品有限公司")
    visit = make_visit(jinshan, food)
    with pytest.raises(ValidationError) as error:
        importing.import_batch_rollback(actor=admin, batch=batch)
    assert "3 条企业中有 1 条" in error.value.messages[0]
    assert Enterprise.objects.filter(import_batch=batch).count() == 3
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE

    visit.delete()
    tech = Enterprise.objects.get(name="新侨智能科技有限公司")
    services.enterprise_update(actor=admin, enterprise=tech, data={"employees": 30})
    with pytest.raises(ValidationError):
        importing.import_batch_rollback(actor=admin, batch=batch)
    assert Enterprise.objects.filter(import_batch=batch).count() == 3


# The command line, the template, the page ------------------------------------------------------


def test_command_previews_then_commits_and_prints_the_counts(jinshan, tmp_path):
    path = tmp_path / "侨企名录.xlsx"
    path.write_bytes(directory_xlsx())
    out = io.StringIO()
    call_command("import", KIND, str(path), "--user", "admin", stdout=out)
    printed = out.getvalue()
    assert "数据行：7" in printed and "可导入：3" in printed and "重复或已在库中：1" in printed
    assert "未写入" in printed and Enterprise.objects.count() == 0

    rejects = tmp_path / "rejects.xlsx"
    out = io.StringIO()
    call_command("import", KIND, str(path), "--commit", "--user", "admin", "--rejects", str(rejects), stdout=out)
    printed = out.getvalue()
    assert "已导入：3" in printed and "未导入：4" in printed and "有错误：3" in printed
    assert Enterprise.objects.count() == 3
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.status) == (KIND, ImportStatus.DONE)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(rejects.read_bytes())).get_sheet_by_index(0).to_python()
    assert len(rows) == 5


def test_template_downloads_with_the_required_headers(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("registry:import_template") + "?kind=enterprises")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names[0] == "企业信息"
    headers = book.get_sheet_by_index(0).to_python()[0]
    for header in ("企业名称", "企业类型", "行业", "所属侨联", "统一社会信用代码", "侨界人士证件号码"):
        assert header in headers
    assert get_kind(KIND).required_headers() == ["企业名称", "企业类型", "行业", "所属侨联"]
    # The template read back is a file of this kind with every column found.
    table = get_kind(KIND).read_table(response.content, "模板.xlsx")
    assert not table.missing and not table.ignored_headers


def test_import_page_shows_the_enterprises_tab(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    page = client.get(reverse("registry:import_list")).content.decode()
    assert "?kind=enterprises" in page and "侨资企业" in page
    page = client.get(reverse("registry:import_list") + "?kind=enterprises").content.decode()
    assert "统一社会信用代码已登记的企业不会重复导入" in page
