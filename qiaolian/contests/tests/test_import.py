"""The import of the organizer's spreadsheet of competition projects, as the import kind
"projects" of the shared batch engine: the header under merged title rows, the organizer's column
names, 合计 and blank rows, full-width digits, an Excel date serial and a date cell in the year
column, traditional characters, Chinese country names, the team in one cell, duplicates against
recorded projects and rows above, the recommending federation, the rejects workbook, roll back,
the command line and the template. Every data row is either imported or returned with a reason."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.contests import services_projects
from qiaolian.contests.importing import PROJECTS, members_of
from qiaolian.contests.models import CompetitionProject, TeamMember
from qiaolian.core.importkinds import kinds_for
from qiaolian.registry import importing
from qiaolian.registry.models import ImportBatch, ImportStatus

pytestmark = pytest.mark.django_db

HEADER = [
    "序号", "届别", "项目名", "项目负责人", "项目来源", "国别", "行业", "阶段", "推荐单位", "获奖情况", "团队成员",
    "联系电话",
]  # fmt: skip
SERIAL_2021_09_01 = (dt.date(2021, 9, 1) - dt.date(1899, 12, 30)).days
ROWS = [
    # row 4: full-width digits, keywords inside longer text (…协会, 二等奖), the team in one cell
    [1, "２０２１", "量子加密通信", "王海川", "海外", "美国", "人工智能", "初创", "美东华人协会", "二等奖",
     "王海川（美国）、刘洋（中国）", "13812345678"],
    # row 5: a year read as a float
    [2, 2021.0, "伦敦金融科技", "李安娜", "海外", "英国", "信息技术", "研发", "侨联", "复赛", "李安娜（英国）", ""],
    None,  # row 6: a blank row
    # row 7: 2022年, a university body, an Australian mobile
    [3, "2022年", "悉尼海水淡化", "赵一鸣", "海外", "澳大利亚", "新能源", "成长", "悉尼大学学联", "", "",
     "+61 412 345 678"],
    [4, "2022", "无国别项目", "孙悟", "海外", "", "其他", "初创", "侨联", "", "", ""],  # row 8: no country
    [5, "2022", "港澳不明项目", "钱多", "港澳", "", "文创", "初创", "港澳机构", "", "", ""],  # row 9: 港澳
    [6, "2022", "香港设计工作室", "郑秀", "香港", "", "文创", "创意", "港澳机构", "决赛", "郑秀（中国香港）", ""],
    # row 11: an Excel date serial as the year, traditional characters everywhere
    [7, SERIAL_2021_09_01, "臺北茶飲", "陳志明", "臺灣", "", "现代农业", "初創", "自荐", "",
     "陳志明（台湾）、林一（日本）", ""],
    # row 12: a date cell as the year, a country written in the region column
    [8, dt.datetime(2023, 5, 1), "东京机器人", "山田太郎", "日本", "", "智能制造", "研发", "", "", "", ""],
    [9, "2023", "柏林储能", "马克", "海外", "火星国", "新能源", "研发", "", "", "", ""],  # row 13: unknown country
    # row 14: an unknown stage and a phone that is no number
    [10, "2023", "未知阶段项目", "周一", "内地", "", "", "冲刺", "", "", "", "138123456789"],
    # row 15: row 4 again, the leader written with a space
    [11, "２０２１", "量子加密通信", "王 海川", "海外", "美国", "人工智能", "初创", "", "", "", ""],
    ["合计", "11个项目", "", "", "", "", "", "", "", "", "", ""],
]  # fmt: skip
DATA_ROWS = 11
IMPORTED = {
    4: "量子加密通信", 5: "伦敦金融科技", 7: "悉尼海水淡化", 10: "香港设计工作室", 11: "臺北茶飲", 12: "东京机器人",
}  # fmt: skip


def workbook(rows=ROWS, header=HEADER) -> bytes:
    """The organizer's sheet: two merged title rows above the header, a blank row, a 合计 row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "汇总"
    sheet.append(["2021-2023年上海海峡两岸青年创业大赛项目汇总表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(["填报单位：金山区侨联（盖章）"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row or [])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def check(actor, name: str, content: bytes, capture, **options) -> ImportBatch:
    """Upload and check, as the page and the background job do; nothing is imported yet."""
    with capture(execute=True):
        batch = importing.import_batch_create(actor=actor, upload=upload(name, content), kind=PROJECTS, options=options)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED, batch.message
    return batch


def run(actor, name: str, content: bytes, capture, **options) -> ImportBatch:
    """Upload, check, confirm and commit."""
    batch = check(actor, name, content, capture, **options)
    with capture(execute=True):
        importing.import_batch_confirm(actor=actor, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE, batch.message
    return batch


def issues_by_row(batch: ImportBatch) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for issue in batch.issues.order_by("id"):
        found.setdefault(issue.row_number, []).append((issue.column, issue.reason))
    return found


def rejects_rows(batch: ImportBatch) -> list[list]:
    with batch.rejects_file.open("rb") as handle:
        return CalamineWorkbook.from_filelike(io.BytesIO(handle.read())).get_sheet_by_index(0).to_python()


def record(admin, federation, *, year=2021, name="量子加密通信", leader="王海川") -> CompetitionProject:
    return services_projects.project_create(
        actor=admin,
        data={
            "federation": federation,
            "year": year,
            "name": name,
            "source_region": "overseas",
            "country": "US",
            "field": "ai",
            "stage": "startup",
            "referral_channel": "federation",
            "leader_name": leader,
        },
    )


# The organizer's messy workbook ------------------------------------------------------------------


def test_messy_workbook_imports_every_good_row_once_and_returns_the_others_with_reasons(
    jinshan, django_capture_on_commit_callbacks
):
    zhujing = jinshan.user("zhujing")
    batch = check(zhujing, "汇总表.xlsx", workbook(), django_capture_on_commit_callbacks)
    # The header under the merged titles, mapped by the organizer's names; 序号 is not data.
    assert dict(batch.columns_found)["项目名"] == "name" and dict(batch.columns_found)["国别"] == "country"
    assert dict(batch.columns_found)["项目负责人"] == "leader_name" and "序号" not in dict(batch.columns_found)
    # Checked, nothing written: the blank and 合计 rows are not data rows.
    assert (batch.total_rows, batch.valid_rows, batch.invalid_rows, batch.duplicate_rows) == (DATA_ROWS, 6, 4, 1)
    assert CompetitionProject.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        importing.import_batch_confirm(actor=zhujing, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and batch.imported_rows == 6

    projects = {p.import_ref: p for p in CompetitionProject.objects.filter(import_batch=batch)}
    assert {ref: p.name for ref, p in projects.items()} == {f"汇总表.xlsx:{n}": name for n, name in IMPORTED.items()}
    assert {p.federation_id for p in projects.values()} == {jinshan.zhujing.pk}
    quantum = projects["汇总表.xlsx:4"]
    assert (quantum.year, quantum.source_region, quantum.country.code) == (2021, "overseas", "US")
    assert (quantum.field, quantum.stage) == ("ai", "startup")
    assert (quantum.referral_channel, quantum.outcome) == ("association", "awarded")
    assert quantum.leader_phone.reveal() == "+8613812345678" and quantum.created_by == zhujing
    team = [(m.name, m.nationality.code, m.is_leader) for m in TeamMember.objects.filter(project=quantum)]
    assert team == [("王海川", "US", True), ("刘洋", "CN", False)]
    london = projects["汇总表.xlsx:5"]
    assert (london.year, london.country.code, london.outcome, london.stage) == (2021, "GB", "semifinal", "prototype")
    sydney = projects["汇总表.xlsx:7"]
    assert (sydney.year, sydney.country.code, sydney.referral_channel) == (2022, "AU", "students")
    assert sydney.leader_phone.reveal() == "+61412345678" and sydney.outcome == "registered"  # blank: 已报名
    hong_kong = projects["汇总表.xlsx:10"]
    assert (hong_kong.source_region, hong_kong.country.code) == ("hong_kong", "")
    assert hong_kong.members.get().nationality.code == "HK"
    taipei = projects["汇总表.xlsx:11"]
    assert (taipei.year, taipei.source_region, taipei.leader_name) == (2021, "taiwan", "陳志明")
    assert (taipei.field, taipei.stage, taipei.referral_channel) == ("agriculture", "startup", "self")
    taipei_team = [(m.name, m.nationality.code, m.is_leader) for m in taipei.members.all()]
    assert taipei_team == [("陳志明", "TW", True), ("林一", "JP", False)]
    tokyo = projects["汇总表.xlsx:12"]
    assert (tokyo.year, tokyo.source_region, tokyo.country.code) == (2023, "overseas", "JP")
    assert tokyo.field == "manufacturing"

    # Every other row is returned with its reason, named by the template's column.
    assert issues_by_row(batch) == {
        8: [("国家", "海外项目请填写来源国家。")],
        9: [("来源地区", "“港澳”不能确定是香港还是澳门（或台湾），请写明其中一个。")],
        13: [("国家", "未知的国家：火星国")],
        14: [
            ("阶段", "无法识别“冲刺”，应为：创意阶段、产品研发、初创运营、成长扩张。"),
            ("电话", batch.issues.get(row_number=14, column="电话").reason),
        ],
        15: [("项目名称", "与第 4 行是同一项目（年度、项目名称、负责人相同）。")],
    }
    assert batch.issues.get(row_number=15).is_duplicate
    phone_issue = batch.issues.get(row_number=14, column="电话")
    assert "138123456789" not in phone_issue.value + phone_issue.reason
    assert len(projects) + len(issues_by_row(batch)) == DATA_ROWS

    rows = rejects_rows(batch)
    assert rows[0][-2:] == ["行号", "未导入原因"]
    assert [(r[2], int(r[-2])) for r in rows[1:]] == [
        ("无国别项目", 8), ("港澳不明项目", 9), ("柏林储能", 13), ("未知阶段项目", 14), ("量子加密通信", 15),
    ]  # fmt: skip
    assert rows[1][-1] == "国家：海外项目请填写来源国家。"
    assert AuditEntry.objects.filter(action=Action.IMPORT, target_id=str(batch.pk)).count() == 1


def test_the_same_file_imported_twice_imports_nothing_the_second_time(jinshan, django_capture_on_commit_callbacks):
    admin = jinshan.user("admin")
    first = run(admin, "汇总表.xlsx", workbook(), django_capture_on_commit_callbacks, federation=jinshan.zhujing.pk)
    assert first.imported_rows == 6
    again = run(admin, "汇总表.xlsx", workbook(), django_capture_on_commit_callbacks, federation=jinshan.zhujing.pk)
    assert (again.imported_rows, again.duplicate_rows, again.invalid_rows) == (0, 7, 4)
    assert CompetitionProject.objects.count() == 6
    reasons = dict(issues_by_row(again))
    assert reasons[4] == [("项目名称", "2021 年已有项目“量子加密通信”（负责人 王海川），请勿重复录入。")]
    assert reasons[11] == [("项目名称", "2021 年已有项目“臺北茶飲”（负责人 陳志明），请勿重复录入。")]


def test_rows_already_recorded_by_any_town_or_repeated_in_the_file_are_duplicates(
    jinshan, django_capture_on_commit_callbacks
):
    admin = jinshan.user("admin")
    record(admin, jinshan.shihua)  # recorded by another town: the rule is district-wide
    record(admin, jinshan.shihua, name="臺北茶飲", leader="陳志明")
    simplified = [1, "2021", "台北茶饮", "陈志明", "台湾", "", "现代农业", "初创", "", "", "", ""]
    rows = [ROWS[0], ROWS[1], ROWS[1], simplified]
    batch = run(jinshan.user("zhujing"), "汇总表.xlsx", workbook(rows=rows), django_capture_on_commit_callbacks)
    assert issues_by_row(batch) == {
        4: [("项目名称", "2021 年已有项目“量子加密通信”（负责人 王海川），请勿重复录入。")],
        6: [("项目名称", "与第 5 行是同一项目（年度、项目名称、负责人相同）。")],
        7: [("项目名称", "2021 年已有项目“臺北茶飲”（负责人 陳志明），请勿重复录入。")],
    }
    assert batch.duplicate_rows == 3 and batch.imported_rows == 1
    assert CompetitionProject.objects.filter(import_batch=batch).get().name == "伦敦金融科技"


def test_members_cell_is_parsed_into_the_team():
    members, problem = members_of("张三（美国）、李四(中国)，王五; Maria（Italy）/陳六（中國香港）", "李四")
    assert problem == ""
    assert members == [
        {"name": "张三", "role": "", "nationality": "US", "is_leader": False},
        {"name": "李四", "role": "", "nationality": "CN", "is_leader": True},
        {"name": "王五", "role": "", "nationality": "", "is_leader": False},
        {"name": "Maria", "role": "", "nationality": "IT", "is_leader": False},
        {"name": "陳六", "role": "", "nationality": "HK", "is_leader": False},
    ]
    members, problem = members_of("张三（火星）、李四（英国）", "")
    assert problem == "无法识别的成员或国家：火星（格式如：张三（美国）、李四（中国））"
    assert [m["name"] for m in members] == ["李四"]


def test_a_team_that_cannot_be_read_keeps_the_row_out(jinshan, django_capture_on_commit_callbacks):
    rows = [
        [1, "2021", "两位负责人项目", "王海川", "海外", "美国", "人工智能", "初创", "", "",
         "王海川（美国）、王海川（中国）", ""],
        [2, "2021", "火星团队项目", "李安娜", "海外", "英国", "人工智能", "初创", "", "", "李安娜（火星）", ""],
    ]  # fmt: skip
    batch = run(jinshan.user("zhujing"), "汇总表.xlsx", workbook(rows=rows), django_capture_on_commit_callbacks)
    assert issues_by_row(batch) == {
        4: [("团队成员", "团队中只能有一位负责人。")],
        5: [("团队成员", "无法识别的成员或国家：火星（格式如：张三（美国）、李四（中国））")],
    }
    assert batch.imported_rows == 0


def test_rows_meet_the_staff_forms_rules(jinshan, django_capture_on_commit_callbacks):
    next_year = dt.date.today().year + 2
    rows = [
        [1, str(next_year), "未来项目", "王一", "海外", "美国", "人工智能", "初创", "", "", "", ""],
        [2, "2021", "香港美国项目", "王二", "香港", "美国", "人工智能", "初创", "", "", "", ""],
        [3, "2021", "海外中国项目", "王三", "海外", "中国", "人工智能", "初创", "", "", "", ""],
        [4, "第十届", "无年度项目", "王四", "海外", "美国", "人工智能", "初创", "", "", "", ""],
        [5, "2021", "", "王五", "海外", "美国", "人工智能", "", "", "", "", ""],
    ]  # fmt: skip
    batch = run(jinshan.user("zhujing"), "汇总表.xlsx", workbook(rows=rows), django_capture_on_commit_callbacks)
    found = issues_by_row(batch)
    messages = services_projects.project_problems
    assert found[4] == [("年度", messages(year=next_year, source_region="", country="")["year"])]
    assert found[5] == [("国家", messages(year=2021, source_region="hong_kong", country="US")["country"])]
    assert found[6] == [("国家", messages(year=2021, source_region="overseas", country="CN")["country"])]
    assert found[7] == [("年度", "无法识别年度“第十届”，请填写四位年份，如 2019。")]
    assert dict(found[8]) == {"项目名称": "请填写项目名称。", "阶段": "请选择阶段。"}
    assert batch.imported_rows == 0


def test_csv_in_gbk_is_read_and_imported_for_the_chosen_federation(jinshan, django_capture_on_commit_callbacks):
    text = (
        "年份,项目名称,负责人,来源地区,所在国家,领域,阶段\n"
        "2020,柏林储能电池,马克,海外,德国,新能源,研发\n"
        "2020,台北茶饮,林小姐,台湾,,现代农业,初创\n"
    )
    admin = jinshan.user("admin")
    batch = run(admin, "名单.csv", text.encode("gbk"), django_capture_on_commit_callbacks, federation=jinshan.shihua.pk)
    assert batch.imported_rows == 2 and not batch.issues.exists()
    assert set(CompetitionProject.objects.values_list("name", "source_region", "country", "federation_id")) == {
        ("柏林储能电池", "overseas", "DE", jinshan.shihua.pk),
        ("台北茶饮", "taiwan", "", jinshan.shihua.pk),
    }
    assert PROJECTS.describe_options(batch.options) == "推荐侨联：石化街道侨联"


def test_csv_in_utf8_with_bom_is_read(jinshan, django_capture_on_commit_callbacks):
    text = "年度,项目名称,负责人,来源,国家,阶段\n2019,东京机器人,山田,海外,日本,初创\n"
    batch = run(jinshan.user("zhujing"), "a.csv", b"\xef\xbb\xbf" + text.encode(), django_capture_on_commit_callbacks)
    assert CompetitionProject.objects.get(import_batch=batch).country.code == "JP"


# The recommending federation and jurisdiction -----------------------------------------------------


def test_the_federation_column_names_the_recommending_federation_within_the_jurisdiction(
    jinshan, django_capture_on_commit_callbacks
):
    header = [*HEADER, "推荐侨联"]
    rows = [
        [*ROWS[0], "石化街道"],
        [*ROWS[1], ""],  # blank: the federation chosen at upload (the uploader's own when none)
        [*ROWS[3], "火星侨联"],
    ]
    admin = jinshan.user("admin")
    batch = run(admin, "汇总表.xlsx", workbook(rows=rows, header=header), django_capture_on_commit_callbacks)
    by_name = dict(CompetitionProject.objects.values_list("name", "federation_id"))
    assert by_name == {"量子加密通信": jinshan.shihua.pk, "伦敦金融科技": jinshan.district.pk}
    assert issues_by_row(batch) == {6: [("推荐侨联", "未知的侨联：火星侨联")]}


def test_town_user_cannot_import_into_another_town(client, jinshan, django_capture_on_commit_callbacks):
    zhujing = jinshan.user("zhujing")
    header = [*HEADER, "推荐侨联"]
    rows = [[*ROWS[0], "石化街道侨联"], [*ROWS[1], "朱泾镇"]]
    batch = run(zhujing, "汇总表.xlsx", workbook(rows=rows, header=header), django_capture_on_commit_callbacks)
    assert issues_by_row(batch) == {4: [("推荐侨联", "所属侨联不在您的管辖范围内：石化街道侨联")]}
    assert list(CompetitionProject.objects.values_list("federation_id", flat=True)) == [jinshan.zhujing.pk]

    # The upload's 推荐侨联 offers the town's own federations only.
    client.force_login(zhujing)
    response = client.post(
        reverse("registry:import_list") + "?kind=projects",
        {"kind": "projects", "file": upload("汇总表.xlsx", workbook()), "federation": jinshan.shihua.code},
    )
    assert response.status_code == 200 and ImportBatch.objects.count() == 1
    assert "选择一个有效的选项" in response.content.decode()
    # Nor can the town open, confirm or roll back another town's batch.
    other = run(jinshan.user("shihua"), "汇总表.xlsx", workbook(rows=[ROWS[4]]), django_capture_on_commit_callbacks)
    assert client.get(reverse("registry:import_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("registry:import_rollback", args=[other.pk])).status_code == 404


# Roll back ---------------------------------------------------------------------------------------


def test_rollback_removes_exactly_the_batchs_projects_and_their_teams(
    client, jinshan, django_capture_on_commit_callbacks
):
    admin = jinshan.user("admin")
    kept = record(admin, jinshan.zhujing, year=2020, name="手工录入项目", leader="张三")
    elsewhere = [1, "2022", "另一批项目", "吴六", "澳门", "", "文创", "创意", "", "", "", ""]
    other = run(admin, "另一表.xlsx", workbook(rows=[elsewhere]), django_capture_on_commit_callbacks)
    batch = run(admin, "汇总表.xlsx", workbook(), django_capture_on_commit_callbacks)
    assert CompetitionProject.objects.count() == 1 + 1 + 6
    assert TeamMember.objects.filter(project__import_batch=batch).count() == 6

    client.force_login(admin)
    response = client.post(reverse("registry:import_rollback", args=[batch.pk]), follow=True)
    assert "已撤销：删除了本批导入的 6 个项目及其团队成员。" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.ROLLED_BACK
    assert set(CompetitionProject.objects.values_list("pk", flat=True)) == {
        kept.pk,
        CompetitionProject.objects.get(import_batch=other).pk,
    }
    assert not TeamMember.objects.filter(project__name="量子加密通信").exists()
    entry = AuditEntry.objects.filter(action=Action.DELETE).latest("seq")
    assert entry.data["import_kind"] == "projects" and entry.data["deleted"] == 6
    # The same file imports again once rolled back.
    assert run(admin, "汇总表.xlsx", workbook(), django_capture_on_commit_callbacks).imported_rows == 6


def test_rollback_is_refused_when_a_project_was_changed_since(jinshan, django_capture_on_commit_callbacks):
    admin = jinshan.user("admin")
    batch = run(admin, "汇总表.xlsx", workbook(), django_capture_on_commit_callbacks)
    project = CompetitionProject.objects.get(name="伦敦金融科技")
    services_projects.project_update(actor=admin, project=project, data={"outcome": "final"})
    with pytest.raises(ValidationError) as error:
        importing.import_batch_rollback(actor=admin, batch=batch)
    assert "6 个项目中有 1 个" in error.value.messages[0]
    assert CompetitionProject.objects.filter(import_batch=batch).count() == 6
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE


# Pages, template, command line -------------------------------------------------------------------


def test_upload_preview_confirm_and_rejects_through_the_pages(client, jinshan, django_capture_on_commit_callbacks):
    client.force_login(jinshan.user("zhujing"))
    projects_page = client.get(reverse("contests:project_list")).content.decode()
    assert reverse("registry:import_list") + "?kind=projects" in projects_page
    page = client.get(reverse("registry:import_list") + "?kind=projects").content.decode()
    assert "创业大赛项目" in page and "侨情人员" in page  # a tab per kind the user may import
    assert 'name="federation"' in page and "推荐侨联" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:import_list") + "?kind=projects",
            {"kind": "projects", "file": upload("汇总表.xlsx", workbook()), "federation": jinshan.zhujing.code},
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registry:import_detail", args=[batch.pk])
    assert (batch.kind, batch.options) == ("projects", {"federation": jinshan.zhujing.pk})
    detail = client.get(response["Location"]).content.decode()
    assert "确认导入" in detail and "海外项目请填写来源国家。" in detail and "推荐侨联：朱泾镇侨联" in detail
    assert "138123456789" not in detail
    errors = client.get(response["Location"], {"kind": "errors"}).content.decode()
    assert "海外项目请填写来源国家。" in errors and "与第 4 行是同一项目" not in errors
    assert CompetitionProject.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows) == (ImportStatus.DONE, 6)
    download = client.get(reverse("registry:import_rejects", args=[batch.pk]))
    assert download.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(download.streaming_content)))
    assert len(rows.get_sheet_by_index(0).to_python()) == 1 + 5
    assert AuditEntry.objects.filter(action=Action.EXPORT, actor_name="zhujing").count() == 1


def test_a_file_that_cannot_be_read_is_refused_on_the_page(client, jinshan):
    client.force_login(jinshan.user("admin"))
    url = reverse("registry:import_list") + "?kind=projects"
    content = workbook(header=["甲", "乙", "丙"], rows=[["1", "2", "3"]])
    response = client.post(url, {"kind": "projects", "file": upload("汇总表.xlsx", content)})
    assert response.status_code == 200 and "找不到表头行" in response.content.decode()
    response = client.post(url, {"kind": "projects", "file": upload("x.exe", b"MZ\x90\x00")})
    assert "不支持的文件类型" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_users_who_may_not_import_projects_have_no_tab(client, jinshan):
    assert PROJECTS not in kinds_for(jinshan.user("leader"))
    assert PROJECTS in kinds_for(jinshan.user("zhujing"))
    client.force_login(jinshan.user("leader"))
    assert client.get(reverse("registry:import_template") + "?kind=projects").status_code == 403


def test_template_downloads_with_the_required_headers_and_reads_back(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("registry:import_template") + "?kind=projects")
    assert response.status_code == 200
    table = PROJECTS.read_table(response.content, "template.xlsx")
    headers = table.sheets[0].headers
    assert headers[:4] == ["年度", "项目名称", "负责人", "来源地区"]
    assert set(PROJECTS.required_headers()) <= set(headers) and table.row_count() == 0
    lists = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("代码表").to_python()
    columns = list(zip(*lists, strict=False))
    regions = next(c for c in columns if c[0] == "source_region")
    assert {"海外", "香港", "澳门", "台湾", "内地"} <= set(regions)
    federations = next(c for c in columns if c[0] == "federation")
    assert "朱泾镇侨联" in federations and "石化街道侨联" not in federations


def test_command_previews_and_commits_with_the_federation_option(jinshan, tmp_path):
    path = tmp_path / "汇总表.xlsx"
    path.write_bytes(workbook())
    out = io.StringIO()
    call_command("import", "projects", str(path), "--user", "admin", stdout=out)
    printed = out.getvalue()
    assert "数据行：11" in printed and "可导入：6" in printed and "有错误：4" in printed
    assert "重复或已在库中：1" in printed and "未写入" in printed
    assert CompetitionProject.objects.count() == 0

    rejects = tmp_path / "未导入.xlsx"
    out = io.StringIO()
    call_command(
        "import", "projects", str(path), "--commit", "--user", "admin", "--option", "federation=310116-SH",
        "--rejects", str(rejects), stdout=out,
    )  # fmt: skip
    printed = out.getvalue()
    assert "已导入：6" in printed and "未导入：5" in printed
    assert set(CompetitionProject.objects.values_list("federation_id", flat=True)) == {jinshan.shihua.pk}
    assert len(CalamineWorkbook.from_filelike(io.BytesIO(rejects.read_bytes())).get_sheet_by_index(0).to_python()) == 6
