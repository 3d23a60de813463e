"""The import of activity participants (签到表/报名表) with sheets made the way offices make them:
a merged title, a notes row, each office's column names, a 合计 row, blank rows, Excel date-time
serials, full-width digits, traditional characters, a GBK-encoded CSV. Every data row is either
registered or returned with a reason; none is lost or registered twice."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from qiaolian.activities import services
from qiaolian.activities.importing import PARTICIPANTS, check_in_moment
from qiaolian.activities.models import Activity, Registration, Status
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.registry import choices as c
from qiaolian.registry import importing
from qiaolian.registry.models import ImportBatch, ImportStatus
from qiaolian.registry.tests.factories import PersonFactory, resident_id
from qiaolian.registry.tests.importing_helpers import assert_every_row_accounted_for as accounted_for
from qiaolian.registry.tests.importing_helpers import import_file, rejects_rows
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db


def run(actor, name: str, content: bytes, capture, activity: Activity) -> ImportBatch:
    return import_file(actor, name, content, capture, kind=PARTICIPANTS, options={"activity": activity.pk})


def assert_every_row_accounted_for(batch: ImportBatch, data_rows: int) -> None:
    accounted_for(batch, data_rows, Registration)


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ZHANG_ID = resident_id(dt.date(1950, 3, 2), serial=101)
DEAD_ID = resident_id(dt.date(1931, 5, 6), serial=102)
STRANGER_ID = resident_id(dt.date(1970, 8, 9), serial=103)
SHIHUA_ID = resident_id(dt.date(1966, 4, 4), serial=104)


def at(day: str, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute))


def excel_serial(moment: dt.datetime) -> float:
    local = timezone.localtime(moment).replace(tzinfo=None)
    return (local - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def make_activity(js, *, user="zhujing", **extra) -> Activity:
    actor = js.user(user)
    data = {
        "federation": actor.federation,
        "title": "侨法宣传进社区",
        "kind": "law",
        "project": "huiqiao",
        "mode": "offline",
        "place": "朱泾镇社区文化活动中心",
        "starts_at": at("2021-03-12", 9),
        "ends_at": at("2021-03-12", 11),
        **extra,
    }
    return services.activity_create(actor=actor, data=data)


def registry_people(js) -> dict[str, object]:
    return {
        "zhang": PersonFactory(federation=js.zhujing, name="张建国", id_number=ZHANG_ID),
        "zhao": PersonFactory(federation=js.zhujing_village, name="赵丽华", phone="+8613700001111"),
        "dead": PersonFactory(
            federation=js.zhujing, name="钱老先生", id_number=DEAD_ID, living_status=c.LivingStatus.DECEASED
        ),
        "shihua": PersonFactory(federation=js.shihua, name="孙立新", id_number=SHIHUA_ID),
    }


def issues_by_row(batch: ImportBatch, *, warnings: bool = False) -> dict[int, list]:
    found: dict[int, list] = {}
    for issue in batch.issues.filter(is_warning=warnings).order_by("id"):
        found.setdefault(issue.row_number, []).append(issue)
    return found


def sign_in_sheet() -> bytes:
    """A town's sign-in sheet: merged title, notes row, its own column names, a blank row and a
    合计 row; the ID number in full-width digits, a traditional-character name, check-in times
    as Excel serial numbers and as text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = book.add_format({"bold": True, "align": "center"})
    sheet = book.add_worksheet("签到表")
    sheet.merge_range(0, 0, 0, 6, "侨法宣传进社区 签到表", title)
    sheet.write_string(1, 0, "说明：身份证号请按文本填写。")
    sheet.write_row(2, 0, ["序号", "姓  名", "身份证号", "联系电话", "工作单位", "参会身份", "是否签到"])
    rows = [
        [1, "张　建国", ZHANG_ID.translate(FULL_WIDTH), "", "朱泾镇侨联", "", "是"],  # row 4
        [2, "趙麗華", "", "137 0000 1111", "", "", excel_serial(at("2021-03-12", 9, 30))],  # row 5
        [3, "王嘉宾", "", "", "市侨联", "嘉宾", "否"],  # row 6
        [4, "李四", STRANGER_ID, "", "金山区统战部", "发言嘉宾", "09:05"],  # row 7
        [5, "孙立新", SHIHUA_ID, "", "石化街道", "", ""],  # row 8: in another town's registry
        [6, "张建国", ZHANG_ID, "", "朱泾镇侨联", "", ""],  # row 9: row 4 again
        # row 10 blank
        [7, "王五", ZHANG_ID, "", "", "", ""],  # row 11: someone else's ID number
        [8, "周文", "", "", "", "校长", ""],  # row 12: not a role
        [9, "吴明", "", "", "", "", "2030-01-01 09:00"],  # row 13: in the future
        [10, "", "", "", "朱泾镇", "", ""],  # row 14: no name
        [11, "钱老先生", DEAD_ID, "", "", "", ""],  # row 15: deceased
        [12, "郑小红", "", "", "朱泾镇待泾村", "志愿者", "2021/3/12 8:45"],  # row 16
    ]
    for offset, row in enumerate(rows[:6]):
        sheet.write_row(3 + offset, 0, row)
    # row 10 (0-based 9) left blank
    for offset, row in enumerate(rows[6:]):
        sheet.write_row(10 + offset, 0, row)
    sheet.write_row(3 + len(rows) + 1, 0, ["合 计", "12人"])
    book.close()
    return buffer.getvalue()


SHEET_ROWS = 12


def test_messy_sign_in_sheet_registers_each_row_or_returns_it_with_a_reason(
    jinshan, django_capture_on_commit_callbacks
):
    people = registry_people(jinshan)
    activity = make_activity(jinshan)
    zhujing = jinshan.user("zhujing")
    batch = run(zhujing, "签到表.xlsx", sign_in_sheet(), django_capture_on_commit_callbacks, activity)
    assert (batch.total_rows, batch.imported_rows, batch.duplicate_rows, batch.invalid_rows) == (12, 6, 1, 5)
    assert batch.warned_rows == 2
    assert_every_row_accounted_for(batch, SHEET_ROWS)
    assert batch.options == {"activity": activity.pk}

    errors = issues_by_row(batch)
    assert sorted(errors) == [9, 11, 12, 13, 14, 15]
    duplicate = errors[9][0]
    assert duplicate.is_duplicate and duplicate.column == "证件号码"
    assert "与第 4 行是同一参与人员" in duplicate.reason
    assert ZHANG_ID not in duplicate.value  # masked
    assert "证件号码对应侨情库中的“张建国”，与本行姓名“王五”不符" in errors[11][0].reason
    assert errors[12][0].column == "角色"
    assert errors[13][0].column == "签到" and "签到时间应在活动日期内" in errors[13][0].reason
    assert errors[14][0].column == "姓名"
    assert "登记为已故" in errors[15][0].reason
    warnings = issues_by_row(batch, warnings=True)
    assert sorted(warnings) == [7, 8]
    # Not in the registry, and in another town's registry only, read the same.
    assert warnings[7][0].reason == warnings[8][0].reason
    assert "在您可查看的侨情库中没有该证件号码" in warnings[7][0].reason and "本行按姓名登记" in warnings[7][0].reason

    regs = {r.name: r for r in Registration.objects.filter(import_batch=batch)}
    assert set(regs) == {"张建国", "趙麗華", "王嘉宾", "李四", "孙立新", "郑小红"} - {"趙麗華"} | {"赵丽华"}
    zhang = regs["张建国"]
    assert zhang.person == people["zhang"] and zhang.participant_key == f"p{people['zhang'].pk}"
    assert zhang.checked_in_at == activity.starts_at and zhang.checked_in_by == zhujing  # 是
    zhao = regs["赵丽华"]  # linked by name (traditional characters) and phone, named as in the registry
    assert zhao.person == people["zhao"]
    assert zhao.checked_in_at == at("2021-03-12", 9, 30)  # an Excel serial number
    guest = regs["王嘉宾"]
    assert (guest.person, guest.role, guest.organization, guest.checked_in_at) == (None, "participant", "市侨联", None)
    assert guest.participant_key == "n:王嘉宾|市侨联"
    li = regs["李四"]
    assert (li.person, li.role, li.checked_in_at) == (None, "speaker", at("2021-03-12", 9, 5))
    assert regs["孙立新"].person is None  # not in this town's registry: by name only
    zheng = regs["郑小红"]
    assert (zheng.role, zheng.checked_in_at) == ("volunteer", at("2021-03-12", 8, 45))
    codes = [r.code for r in regs.values()]
    assert len(set(codes)) == 6 and all(len(code) == services.CODE_LENGTH for code in codes)
    assert all(r.created_by == zhujing and r.activity == activity for r in regs.values())

    # One audit entry for the batch, none per row.
    assert AuditEntry.objects.filter(action=Action.IMPORT, target_id=str(batch.pk)).count() == 1
    assert not AuditEntry.objects.filter(target_type="activities.registration").exists()
    rejects = rejects_rows(batch)
    assert [int(r["行号"]) for r in rejects] == [9, 11, 12, 13, 14, 15]
    assert rejects[0]["姓 名"] == "张建国" and rejects[0]["未导入原因"].startswith("证件号码：与第 4 行")


def test_the_same_sheet_again_registers_nobody(jinshan, django_capture_on_commit_callbacks):
    registry_people(jinshan)
    activity = make_activity(jinshan)
    zhujing = jinshan.user("zhujing")
    run(zhujing, "签到表.xlsx", sign_in_sheet(), django_capture_on_commit_callbacks, activity)
    again = run(zhujing, "签到表.xlsx", sign_in_sheet(), django_capture_on_commit_callbacks, activity)
    assert (again.imported_rows, again.duplicate_rows, again.invalid_rows) == (0, 7, 5)
    assert_every_row_accounted_for(again, SHEET_ROWS)
    assert Registration.objects.filter(activity=activity).count() == 6
    reasons = [i.reason for i in again.issues.filter(is_duplicate=True)]
    assert any("张建国 已登记参加本活动（参加者" in reason for reason in reasons)


def test_participants_registered_by_hand_are_not_registered_again(jinshan, django_capture_on_commit_callbacks):
    people = registry_people(jinshan)
    activity = make_activity(jinshan)
    staff = jinshan.user("zhujing")
    services.registration_add(actor=staff, activity=activity, person=people["zhang"])
    services.registration_add(actor=staff, activity=activity, name="王嘉宾", organization="市侨联")
    text = "姓名,证件号码,单位\n张建国,,\n王嘉宾,,市侨联\n" + f"张建国,{ZHANG_ID},\n" + "张建国,,区统战部\n"
    batch = run(staff, "名单.csv", text.encode(), django_capture_on_commit_callbacks, activity)
    # 张建国 by name (and the same organization) is the registry's 张建国 registered at the desk,
    # and so is the ID number; a 张建国 of another organization is another participant.
    assert (batch.imported_rows, batch.duplicate_rows) == (1, 3)
    assert Registration.objects.get(import_batch=batch).participant_key == "n:张建国|区统战部"


def test_id_numbers_that_link_nobody_are_named_and_a_damaged_one_is_returned(
    jinshan, django_capture_on_commit_callbacks
):
    registry_people(jinshan)
    PersonFactory(federation=jinshan.zhujing, name="林同名", phone="+8613900009999")
    PersonFactory(federation=jinshan.zhujing_village, name="林同名", phone_alt="+8613900009999")
    wrong_digit = ZHANG_ID[:-1] + ("0" if ZHANG_ID[-1] != "0" else "1")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "证件号码", "手机", "单位"])
    sheet.write_row(1, 0, ["张建国", wrong_digit, "", "朱泾镇侨联"])
    sheet.write_row(2, 0, ["赵丽华", float(ZHANG_ID[:17] + "0"), "", ""])  # stored by Excel as a number
    sheet.write_row(3, 0, ["林同名", "", "139-0000-9999", ""])
    book.close()
    activity = make_activity(jinshan)
    batch = run(jinshan.user("zhujing"), "名单.xlsx", buffer.getvalue(), django_capture_on_commit_callbacks, activity)
    assert (batch.imported_rows, batch.invalid_rows, batch.warned_rows) == (2, 1, 2)
    assert_every_row_accounted_for(batch, 3)
    warnings = issues_by_row(batch, warnings=True)
    assert "证件号码有误（身份证号码校验位错误" in warnings[2][0].reason
    assert warnings[4][0].column == "手机" and "2 名姓名、手机都相同" in warnings[4][0].reason
    assert "存成了数字" in batch.issues.get(is_warning=False).reason
    assert set(Registration.objects.values_list("name", "person")) == {("张建国", None), ("林同名", None)}


def gbk_csv() -> bytes:
    lines = [
        "序号,姓名,工作单位,手机号码,角色,签到时间",
        "1,陈美玲,朱泾镇侨联,+852 9123 4567,参加者,９：１０",
        "2,周文博,石化街道侨联,,工作人员,2021年3月12日 10:20",
        "",
        "3,黄丽娟,朱泾镇侨联,,学员,昨天",
        "4,陳美玲,朱泾镇侨联,,,是",
        "合计,4人,,,,",
    ]
    return "\r\n".join(lines).encode("gbk")


def test_gbk_csv_with_times_full_width_and_a_traditional_repeat(jinshan, django_capture_on_commit_callbacks):
    content = gbk_csv()
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    activity = make_activity(jinshan)
    batch = run(jinshan.user("zhujing"), "报名表.csv", content, django_capture_on_commit_callbacks, activity)
    assert (batch.total_rows, batch.imported_rows, batch.invalid_rows, batch.duplicate_rows) == (4, 2, 1, 1)
    assert_every_row_accounted_for(batch, 4)
    chen = Registration.objects.get(name="陈美玲")
    assert chen.checked_in_at == at("2021-03-12", 9, 10)  # full-width digits and colon, on the day
    zhou = Registration.objects.get(name="周文博")
    assert (zhou.role, zhou.checked_in_at) == ("organizer", at("2021-03-12", 10, 20))
    bad = batch.issues.get(is_duplicate=False)
    assert (bad.row_number, bad.column) == (5, "签到") and "无法识别“昨天”" in bad.reason  # row 4 was blank
    repeat = batch.issues.get(is_duplicate=True)
    assert repeat.row_number == 6 and "与第 2 行是同一参与人员" in repeat.reason  # 陳 = 陈


def test_check_in_cell_spellings():
    activity = Activity(starts_at=at("2021-03-12", 9), ends_at=at("2021-03-12", 11))
    assert check_in_moment("√", activity) == (activity.starts_at, "")
    assert check_in_moment("未到", activity) == (None, "")
    assert check_in_moment(None, activity) == (None, "")
    assert check_in_moment(1.0, activity) == (activity.starts_at, "")
    assert check_in_moment(0.375, activity) == (at("2021-03-12", 9), "")  # an Excel time
    assert check_in_moment(dt.datetime(2021, 3, 12, 10, 15), activity) == (at("2021-03-12", 10, 15), "")
    assert check_in_moment(dt.time(8, 50), activity) == (at("2021-03-12", 8, 50), "")
    assert check_in_moment("2021.3.12", activity) == (at("2021-03-12", 9), "")
    moment, problem = check_in_moment("25:99", activity)
    assert moment is None and "无法识别" in problem


def test_capacity_is_kept_rows_beyond_it_are_returned(jinshan, django_capture_on_commit_callbacks):
    activity = make_activity(jinshan, capacity=3)
    staff = jinshan.user("zhujing")
    services.registration_add(actor=staff, activity=activity, name="先报名")
    text = "姓名,单位\n甲,一\n乙,二\n丙,三\n丁,四\n"
    batch = run(staff, "名单.csv", text.encode(), django_capture_on_commit_callbacks, activity)
    assert (batch.imported_rows, batch.invalid_rows) == (2, 2)
    assert Registration.objects.filter(activity=activity).count() == 3
    assert {i.reason for i in batch.issues.all()} == {"名额已满（3 人），不能再登记。"}
    assert set(Registration.objects.filter(import_batch=batch).values_list("name", flat=True)) == {"甲", "乙"}


# Jurisdiction and the activity option ------------------------------------------------------------


def test_town_user_cannot_import_into_another_towns_activity(jinshan, django_capture_on_commit_callbacks):
    theirs = make_activity(jinshan, user="shihua", place="石化街道")
    ours = make_activity(jinshan)
    zhujing = jinshan.user("zhujing")
    field = PARTICIPANTS.option_fields(user=zhujing)["activity"]
    assert list(field.queryset) == [ours]
    with pytest.raises(ValidationError) as error:
        field.clean(str(theirs.pk))
    assert "不在您的管辖范围内" in error.value.messages[0]
    # A batch naming it anyway (a forged form) is refused at the check, nothing registered.
    with django_capture_on_commit_callbacks(execute=True):
        batch = importing.import_batch_create(
            actor=zhujing,
            upload=SimpleUploadedFile("名单.csv", "姓名,单位\n甲,一\n".encode()),
            kind=PARTICIPANTS,
            options={"activity": theirs.pk},
        )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and "所选活动不存在或不在您的管辖范围内" in batch.message
    assert not Registration.objects.exists()
    # The district may import into the town's activity.
    assert theirs in PARTICIPANTS.option_fields(user=jinshan.user("admin"))["activity"].queryset


def test_closed_activities_are_not_offered_and_a_batch_for_one_fails(jinshan, django_capture_on_commit_callbacks):
    activity = make_activity(jinshan)
    zhujing = jinshan.user("zhujing")
    with django_capture_on_commit_callbacks(execute=True):
        batch = importing.import_batch_create(
            actor=zhujing,
            upload=SimpleUploadedFile("名单.csv", "姓名,单位\n甲,一\n".encode()),
            kind=PARTICIPANTS,
            options={"activity": activity.pk},
            in_background=False,
        )
    Activity.objects.filter(pk=activity.pk).update(status=Status.CANCELLED)
    assert activity not in PARTICIPANTS.option_fields(user=zhujing)["activity"].queryset
    batch = importing.import_batch_check(batch_id=batch.pk)
    assert batch.status == ImportStatus.FAILED and "“已取消”的活动不能再登记或签到" in batch.message


# Roll-back ----------------------------------------------------------------------------------------


def test_rollback_removes_exactly_the_batch_and_is_refused_once_one_is_checked_in(
    jinshan, django_capture_on_commit_callbacks
):
    activity = make_activity(jinshan)
    staff = jinshan.user("zhujing")
    by_hand = services.registration_add(actor=staff, activity=activity, name="现场登记")
    text = "姓名,单位\n甲,一\n乙,二\n"
    batch = run(staff, "名单.csv", text.encode(), django_capture_on_commit_callbacks, activity)
    second = run(staff, "名单2.csv", "姓名,单位\n丙,三\n".encode(), django_capture_on_commit_callbacks, activity)
    imported = Registration.objects.get(import_batch=second)
    services.check_in(actor=staff, activity=activity, code=imported.code)
    with pytest.raises(ValidationError) as error:
        importing.import_batch_rollback(actor=staff, batch=second)
    assert "1 名在导入后已签到" in error.value.messages[0]
    assert Registration.objects.filter(import_batch=second).count() == 1

    batch = importing.import_batch_rollback(actor=staff, batch=batch)
    assert batch.status == ImportStatus.ROLLED_BACK and "删除了本批导入的 2 名参与人员" in batch.message
    assert set(Registration.objects.filter(activity=activity).values_list("name", flat=True)) == {"现场登记", "丙"}
    assert Registration.objects.filter(pk=by_hand.pk).exists()


def test_rollback_is_refused_when_a_participant_has_attendance(jinshan, django_capture_on_commit_callbacks):
    activity = make_activity(jinshan, kind="training")
    staff = jinshan.user("zhujing")
    batch = run(
        staff, "学员.csv", "姓名,角色\n甲,学员\n乙,学员\n".encode(), django_capture_on_commit_callbacks, activity
    )
    session = services.session_add(actor=staff, activity=activity, starts_at=at("2021-03-12", 9), topic="第一课")
    first = Registration.objects.filter(import_batch=batch).order_by("name").first()
    services.attendance_record(actor=staff, activity=activity, present={(session.pk, first.pk)})
    with pytest.raises(ValidationError):
        importing.import_batch_rollback(actor=staff, batch=batch)
    assert Registration.objects.filter(import_batch=batch).count() == 2


# The command line and the pages -----------------------------------------------------------------


def test_command_line_imports_with_the_activity_option(jinshan, tmp_path, capsys):
    activity = make_activity(jinshan)
    path = tmp_path / "签到表.xlsx"
    path.write_bytes(sign_in_sheet())
    registry_people(jinshan)
    with pytest.raises(CommandError, match="选项 activity"):
        call_command("import", "participants", str(path), "--user", "zhujing")
    other = make_activity(jinshan, user="shihua", place="石化街道")
    with pytest.raises(CommandError, match="不在您的管辖范围内"):
        call_command("import", "participants", str(path), "--user", "zhujing", "--option", f"activity={other.pk}")
    out = io.StringIO()
    call_command(
        "import",
        "participants",
        str(path),
        "--commit",
        "--user",
        "zhujing",
        "--option",
        f"activity={activity.pk}",
        "--rejects",
        str(tmp_path / "未导入.xlsx"),
        stdout=out,
    )
    text = out.getvalue()
    assert "数据行：12" in text and "已导入：6" in text and "有错误：5" in text and "重复或已在库中：1" in text
    assert (tmp_path / "未导入.xlsx").exists()
    assert Registration.objects.filter(activity=activity).count() == 6


def login(client, username: str) -> None:
    client.logout()
    assert client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD}).status_code == 302


def test_template_and_import_page_with_the_participants_tab(client, jinshan, django_capture_on_commit_callbacks):
    activity = make_activity(jinshan)
    login(client, "zhujing")
    response = client.get(reverse("registry:import_template") + "?kind=participants")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    headers = book.get_sheet_by_index(0).to_python()[0]
    assert headers[:6] == ["姓名", "证件号码", "手机", "单位", "角色", "签到"]
    table = PARTICIPANTS.read_table(response.content, "模板.xlsx")
    assert not table.missing and table.row_count() == 0

    page = client.get(reverse("registry:import_list") + "?kind=participants").content.decode()
    assert "活动参与人员" in page and 'name="activity"' in page and activity.title in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:import_list") + "?kind=participants",
            {
                "kind": "participants",
                "activity": str(activity.pk),
                "file": SimpleUploadedFile("名单.csv", "姓名,单位\n甲,一\n".encode()),
            },
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and (batch.kind, batch.options) == ("participants", {"activity": activity.pk})
    detail = client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    assert f"活动：{activity.title}（2021-03-12）" in detail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import_confirm", args=[batch.pk]))
    assert Registration.objects.get(import_batch=batch).name == "甲"

    login(client, "station")  # registers people at the desk, does not import
    assert client.get(reverse("registry:import_template") + "?kind=participants").status_code == 403
