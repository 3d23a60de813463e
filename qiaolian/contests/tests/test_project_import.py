"""Import of the organizer's spreadsheet: header under merged title rows, synonyms, 合计 and
blank rows, full-width digits, Chinese country names, a preview that writes nothing, a commit of
the good rows only and the rejects workbook; CSV in GB18030."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.contests import project_import, services_projects
from qiaolian.contests.models import CompetitionProject, TeamMember

pytestmark = pytest.mark.django_db

HEADER = [
    "序号",
    "届别",
    "项目名",
    "项目负责人",
    "项目来源",
    "国别",
    "行业",
    "阶段",
    "推荐单位",
    "获奖情况",
    "团队成员",
    "联系电话",
]
ROWS = [
    [1, "２０２１", "量子加密通信", "王海川", "海外", "美国", "人工智能", "初创", "美东华人协会", "二等奖",
     "王海川（美国）、刘洋（中国）", "13812345678"],
    [2, 2021.0, "伦敦金融科技", "李安娜", "海外", "英国", "信息技术", "研发", "侨联", "复赛", "李安娜（英国）", ""],
    None,  # a blank row
    [3, "2022年", "悉尼海水淡化", "赵一鸣", "海外", "澳大利亚", "新能源", "成长", "悉尼大学学联", "", "",
     "+61 412 345 678"],
    [4, "2022", "无国别项目", "孙悟", "海外", "", "其他", "初创", "侨联", "", "", ""],
    [5, "2022", "港澳不明项目", "钱多", "港澳", "", "文创", "初创", "港澳机构", "", "", ""],
    [6, "2022", "香港设计工作室", "郑秀", "香港", "", "文创", "创意", "港澳机构", "决赛", "郑秀（中国香港）", ""],
    ["合计", "", "", "", "", "", "", "", "", "", "", ""],
]  # fmt: skip


def _workbook(rows=ROWS, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2021-2022年上海海峡两岸青年创业大赛项目汇总表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(["填报单位：金山区侨联（盖章）"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row or [])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(content: bytes, name: str = "汇总表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _problems(preview) -> dict[int, dict[str, str]]:
    return {r.number: r.problems for r in preview.rows if r.problems}


def test_header_is_found_under_merged_title_rows_and_columns_are_mapped_by_synonyms():
    table = project_import.read_table(_workbook(), "汇总表.xlsx")
    assert table.header_row == 3
    assert set(table.columns) == {
        "year", "name", "leader_name", "source_region", "country", "field", "stage",
        "referral_channel", "outcome", "members", "leader_phone",
    }  # fmt: skip
    assert table.ignored_headers == ["序号"]
    # the blank row and the 合计 row are not data rows; row numbers are the sheet's
    assert [n for n, _cells in table.rows] == [4, 5, 7, 8, 9, 10]


def test_preview_checks_every_row_and_writes_nothing(jinshan):
    admin = jinshan.user("admin")
    upload = project_import.import_upload(actor=admin, upload=_upload(_workbook()), federation=jinshan.zhujing)
    preview = project_import.import_preview(user=admin, upload=upload)
    assert CompetitionProject.objects.count() == 0
    assert [r.number for r in preview.valid_rows] == [4, 5, 7, 10]
    problems = _problems(preview)
    assert problems[8] == {"country": "海外项目请填写来源国家。"}
    assert "不能确定是香港还是澳门" in problems[9]["source_region"]
    first = preview.rows[0]
    assert first.data["year"] == 2021  # full-width digits
    assert first.data["country"] == "US"
    assert first.data["field"] == "ai" and first.data["stage"] == "startup"
    assert first.data["referral_channel"] == "association" and first.data["outcome"] == "awarded"
    assert first.data["leader_phone"] == "+8613812345678"
    assert first.members == [
        {"name": "王海川", "role": "", "nationality": "US", "is_leader": True},
        {"name": "刘洋", "role": "", "nationality": "CN", "is_leader": False},
    ]
    by_number = {r.number: r for r in preview.rows}
    assert by_number[5].data["country"] == "GB" and by_number[5].data["outcome"] == "semifinal"
    assert by_number[7].data["country"] == "AU" and by_number[7].data["year"] == 2022
    assert by_number[7].data["referral_channel"] == "students"
    assert by_number[10].data["source_region"] == "hong_kong" and by_number[10].members[0]["nationality"] == "HK"
    shown = {c.field: c.text for c in first.cells}
    assert shown["leader_phone"] == "138****5678"


def test_commit_imports_the_good_rows_only_and_offers_the_bad_ones_back(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    response = client.post(
        reverse("contests:project_import"),
        {"file": _upload(_workbook()), "federation": jinshan.zhujing.pk},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    preview_url = response["Location"]
    token = re.search(r"/import/([0-9a-f]{32})/", preview_url).group(1)

    page = client.get(preview_url).content.decode()
    assert "无国别项目" in page and "海外项目请填写来源国家。" in page
    assert "13812345678" not in page and "138****5678" in page
    only = client.get(preview_url, {"only": "problems"}).content.decode()
    assert "无国别项目" in only and "量子加密通信" not in only
    assert CompetitionProject.objects.count() == 0

    response = client.post(reverse("contests:project_import_confirm", args=[token]))
    assert response.status_code == 302
    projects = CompetitionProject.objects.order_by("import_ref")
    assert sorted(p.name for p in projects) == ["伦敦金融科技", "悉尼海水淡化", "量子加密通信", "香港设计工作室"]
    assert {p.import_ref for p in projects} == {"汇总表.xlsx:4", "汇总表.xlsx:5", "汇总表.xlsx:7", "汇总表.xlsx:10"}
    assert {p.federation_id for p in projects} == {jinshan.zhujing.pk}
    quantum = CompetitionProject.objects.get(name="量子加密通信")
    assert quantum.leader_phone.reveal() == "+8613812345678"
    assert TeamMember.objects.filter(project=quantum, is_leader=True).get().name == "王海川"
    assert AuditEntry.objects.filter(action=Action.IMPORT, data__rows=4).exists()

    rejects = client.get(reverse("contests:project_import_rejects", args=[token]))
    assert rejects.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(rejects.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("行号", "未导入原因")
    assert [(r[2], r[-2]) for r in rows[1:]] == [("无国别项目", 8), ("港澳不明项目", 9)]
    assert rows[1][-1] == "国家：海外项目请填写来源国家。"

    # the same file again: everything is already recorded
    again = client.post(reverse("contests:project_import_confirm", args=[token]))
    assert again.status_code == 302
    assert CompetitionProject.objects.count() == 4


def test_rows_already_recorded_or_repeated_in_the_file_are_problems(jinshan):
    admin = jinshan.user("admin")
    services_projects.project_create(
        actor=admin,
        data={
            "federation": jinshan.shihua,
            "year": 2021,
            "name": "量子加密通信",
            "source_region": "overseas",
            "country": "US",
            "field": "ai",
            "stage": "startup",
            "referral_channel": "federation",
            "leader_name": "王海川",
        },
    )
    rows = [ROWS[1], ROWS[1]]
    upload = project_import.import_upload(
        actor=admin, upload=_upload(_workbook(rows=[ROWS[0], *rows])), federation=jinshan.zhujing
    )
    problems = _problems(project_import.import_preview(user=admin, upload=upload))
    assert "请勿重复录入" in problems[4]["name"]
    assert problems[6] == {"name": "与第 5 行是同一项目（年度、项目名称、负责人相同）。"}


def test_csv_in_gb18030_is_read(jinshan):
    text = (
        "年份,项目名称,负责人,来源地区,所在国家,领域,阶段\n"
        "2020,柏林储能电池,马克,海外,德国,新能源,研发\n"
        "2020,台北茶饮,林小姐,台湾,,现代农业,初创\n"
    )
    admin = jinshan.user("admin")
    upload = project_import.import_upload(
        actor=admin, upload=_upload(text.encode("gb18030"), "名单.csv"), federation=jinshan.shihua
    )
    preview = project_import.import_preview(user=admin, upload=upload)
    assert [r.problems for r in preview.rows] == [{}, {}]
    assert preview.rows[0].data["country"] == "DE"
    project_import.import_commit(actor=admin, upload=upload)
    assert set(CompetitionProject.objects.values_list("name", "source_region", "federation_id")) == {
        ("柏林储能电池", "overseas", jinshan.shihua.pk),
        ("台北茶饮", "taiwan", jinshan.shihua.pk),
    }


def test_csv_in_utf8_with_bom_is_read(jinshan):
    text = "年度,项目名称,负责人,来源,国家,阶段\n2019,东京机器人,山田,海外,日本,初创\n"
    admin = jinshan.user("admin")
    upload = project_import.import_upload(
        actor=admin, upload=_upload(b"\xef\xbb\xbf" + text.encode(), "a.csv"), federation=jinshan.zhujing
    )
    assert project_import.import_preview(user=admin, upload=upload).rows[0].data["country"] == "JP"


def test_a_file_without_a_recognisable_header_is_refused(client, jinshan):
    client.force_login(jinshan.user("admin"))
    content = _workbook(header=["甲", "乙", "丙"], rows=[["1", "2", "3"]])
    response = client.post(
        reverse("contests:project_import"), {"file": _upload(content), "federation": jinshan.zhujing.pk}
    )
    assert response.status_code == 200
    assert "找不到表头行" in response.content.decode()
    response = client.post(
        reverse("contests:project_import"), {"file": _upload(b"MZ\x90\x00", "x.exe"), "federation": jinshan.zhujing.pk}
    )
    assert "不支持的文件类型" in response.content.decode()


def test_town_user_cannot_open_another_towns_import(client, jinshan):
    upload = project_import.import_upload(
        actor=jinshan.user("admin"), upload=_upload(_workbook()), federation=jinshan.shihua
    )
    client.force_login(jinshan.user("zhujing"))
    assert client.get(reverse("contests:project_import_preview", args=[upload.token])).status_code == 404
    assert client.post(reverse("contests:project_import_confirm", args=[upload.token])).status_code == 404
    assert CompetitionProject.objects.count() == 0
    client.force_login(jinshan.user("shihua"))
    assert client.get(reverse("contests:project_import_preview", args=[upload.token])).status_code == 200
