"""Import of aid recipients lists (帮扶对象/慰问名单) into a campaign, with the lists offices keep:
a merged title, the headers each office uses, columns the kind does not read (出生年月 as an
Excel serial), full-width digits, a lower-case x, a traditional-character name, a blank row, a
合计 row, a GBK CSV. Every row is imported as a nomination or returned with its reason; the
rules are the web's nomination rules."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from qiaolian.aid import services
from qiaolian.aid.importing import AID_RECIPIENTS, COLUMNS
from qiaolian.aid.models import Nomination, NominationStatus
from qiaolian.aid.tests.factories import household, needy, winter
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.core.validators import id_check_digit
from qiaolian.registry import importing
from qiaolian.registry.models import ImportBatch, ImportStatus
from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
KIND = AID_RECIPIENTS.key


def rid(birth: dt.date, serial: int, *, male: bool = True, want_x: bool = False) -> str:
    """A valid resident ID number; with ``want_x`` one ending in X."""
    for n in range(serial, serial + 500):
        seq = (n * 2) % 1000 + (1 if male else 0)
        body = f"310228{birth:%Y%m%d}{seq:03d}"
        number = body + id_check_digit(body)
        if number.endswith("X") == want_x:
            return number
    raise AssertionError("no number found")


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def create(actor, name: str, content: bytes, campaign, capture) -> ImportBatch:
    """Upload and check, as the page and the background job do."""
    with capture(execute=True):
        batch = importing.import_batch_create(
            actor=actor,
            upload=SimpleUploadedFile(name, content),
            kind=AID_RECIPIENTS,
            options={"campaign": campaign.pk},
        )
    batch.refresh_from_db()
    return batch


def run(actor, name: str, content: bytes, campaign, capture) -> ImportBatch:
    """Upload, check, confirm and commit."""
    batch = create(actor, name, content, campaign, capture)
    assert batch.status == ImportStatus.CHECKED, batch.message
    with capture(execute=True):
        importing.import_batch_confirm(actor=actor, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE, batch.message
    return batch


def reasons(batch: ImportBatch) -> dict[int, str]:
    """Row number → its reasons, for the rows not imported."""
    found: dict[int, str] = {}
    for issue in batch.issues.filter(is_warning=False).order_by("id"):
        found[issue.row_number] = (found.get(issue.row_number, "") + " " + issue.reason).strip()
    return found


def login(client, username: str) -> None:
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302


class Scene:
    """The district's 冬送温暖 and the persons of Zhujing (and one of Shihua) a list names."""

    def __init__(self, js):
        self.js = js
        self.campaign = winter(js)
        z = js.zhujing
        self.granny = needy(z, "张阿婆", id_number=rid(dt.date(1938, 5, 1), 1, male=False))
        self.li = needy(js.zhujing_village, "李秀英", born=1940, id_number=rid(dt.date(1940, 5, 1), 2, want_x=True))
        self.wang = PersonFactory(federation=z, name="王志强", id_number=rid(dt.date(1960, 1, 2), 3))  # no hardship
        self.zhao = needy(js.shihua, "赵丽华", id_number=rid(dt.date(1941, 3, 3), 4))  # another town's
        self.chen = needy(z, "陈美玲", id_number=rid(dt.date(1942, 4, 4), 5))
        self.liu = needy(z, "刘德华", types=("ill",), id_number=rid(dt.date(1943, 6, 6), 6))
        self.huang = needy(z, "黄丽娟", id_number=rid(dt.date(1944, 7, 7), 7))
        self.zhou = needy(z, "周文博", id_number=rid(dt.date(1945, 8, 8), 8))
        self.wu = needy(z, "吴晓梅", id_number=rid(dt.date(1946, 9, 9), 9))
        self.unknown_id = rid(dt.date(1947, 10, 10), 10)
        # 陈美玲 was nominated on the web already
        services.nomination_create(actor=js.user("zhujing"), campaign=self.campaign, person=self.chen)

    @staticmethod
    def number(person) -> str:
        return person.id_number.reveal()


def town_list_xlsx(s: Scene) -> bytes:
    """朱泾镇's list as the office keeps it: a merged title and a note above the header, its own
    header words, 出生年月 as bare Excel serials (a column the import does not read), full-width
    digits, a lower-case x, a traditional name, a blank row and a 合计 row."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("朱泾镇")
    sheet.merge_range(0, 0, 0, 8, "2021年冬送温暖慰问名单（朱泾镇）", book.add_format({"bold": True}))
    sheet.write_string(1, 0, "填表说明：身份证号请按文本填写。")
    sheet.write_row(
        2, 0, ["序号", "姓  名", "性别", "出生年月", "身份证\n号码", "困难类别", "情况说明", "慰问金（元）", "慰问物品"]
    )
    serial = excel_serial(dt.date(1938, 5, 1))
    n = s.number
    rows = {
        3: [1, "張阿婆", "女", serial, n(s.granny).translate(FULL_WIDTH), "高龄", "独居高龄体弱", "", ""],
        5: [2, "李秀英", "女", serial, n(s.li).lower(), "", "", "800元", "大米一袋"],
        6: [3, "王志强", "男", serial, n(s.wang), "", "", "", ""],
        7: [4, "赵丽华", "女", serial, n(s.zhao), "", "", "", ""],
        8: [5, "陈美玲", "女", serial, n(s.chen), "", "", "", ""],
        9: [6, "刘德华", "男", serial, n(s.liu), "残疾", "", "", ""],
        10: [7, "黄丽娟", "女", serial, n(s.huang), "", "", "八百元", ""],
        11: [8, "周文斌", "男", serial, n(s.zhou), "", "", "", ""],
        12: [9, "欧阳修", "男", serial, s.unknown_id, "", "", "", ""],
        14: [11, "张阿婆", "女", serial, n(s.granny), "", "", "", ""],
        15: [12, "吴晓梅", "女", serial, n(s.wu), "高龄、患病", "", "500", "食用油一桶"],
    }
    for index, values in rows.items():
        sheet.write_row(index, 0, values)
    # row 5 (index 4) left blank; row 14 (index 13): an ID number stored by Excel as a number
    sheet.write_row(13, 0, [10, "孙立人", "男", serial])
    sheet.write_number(13, 4, 310228194711110011)
    sheet.write_row(16, 0, ["合 计", "12人", "", "", "", "", "", 1300])
    book.close()
    return buffer.getvalue()


DATA_ROWS = 12


def test_town_list_every_row_imported_or_returned_with_its_reason(jinshan, django_capture_on_commit_callbacks):
    s = Scene(jinshan)
    zhujing = jinshan.user("zhujing")
    audit_before = AuditEntry.objects.filter(target_type="aid.nomination").count()
    batch = run(zhujing, "慰问名单.xlsx", town_list_xlsx(s), s.campaign, django_capture_on_commit_callbacks)

    imported = Nomination.objects.filter(import_batch=batch)
    rejected = reasons(batch)
    assert batch.total_rows == DATA_ROWS
    assert (batch.imported_rows, batch.invalid_rows, batch.duplicate_rows) == (3, 7, 2)
    assert imported.count() == 3 and imported.count() + len(rejected) == DATA_ROWS
    assert {n.person for n in imported} == {s.granny, s.li, s.wu}

    assert "不符合本专项条件" in rejected[7] and "困难" in rejected[7]  # 王志强: not in hardship
    assert "不在您的管辖范围内" in rejected[8]  # 赵丽华 of Shihua
    assert "已由" in rejected[9] and "不能重复提名" in rejected[9]  # 陈美玲, nominated on the web
    assert "未登记困难类型“残疾”" in rejected[10]
    assert "金额" in rejected[11]  # 八百元
    assert "姓名与侨情库不符" in rejected[12] and "周文博" in rejected[12]
    assert "侨情库中没有这个证件号码" in rejected[13]
    assert "存成了数字" in rejected[14]
    assert "出现了两次" in rejected[15] and "第 4 行" in rejected[15]
    duplicates = set(batch.issues.filter(is_duplicate=True).values_list("row_number", flat=True))
    assert duplicates == {9, 15}
    assert all(s.number(p) not in issue.value for issue in batch.issues.all() for p in (s.zhao, s.wang))

    granny = imported.get(person=s.granny)  # written 張阿婆, full-width digits
    assert granny.status == NominationStatus.NOMINATED  # as the web's bulk nomination leaves them
    assert granny.hardship_types == ["elderly"] and granny.reason == "独居高龄体弱"
    assert granny.federation == jinshan.zhujing and granny.nominated_by == zhujing
    assert granny.amount is None and granny.goods == ""
    li = imported.get(person=s.li)  # lower-case x
    assert li.federation == jinshan.zhujing_village and (li.amount, li.goods) == (Decimal("800.00"), "大米一袋")
    wu = imported.get(person=s.wu)
    assert wu.hardship_types == ["elderly", "ill"] and wu.amount == Decimal("500.00")

    assert AuditEntry.objects.filter(action=Action.IMPORT, target_type="registry.importbatch").count() == 1
    assert AuditEntry.objects.filter(target_type="aid.nomination").count() == audit_before  # none per row
    assert "出生年月" in batch.message  # a column the kind does not read is named, not guessed


def test_same_list_twice_imports_nothing_the_second_time(jinshan, django_capture_on_commit_callbacks):
    s = Scene(jinshan)
    zhujing = jinshan.user("zhujing")
    content = town_list_xlsx(s)
    run(zhujing, "慰问名单.xlsx", content, s.campaign, django_capture_on_commit_callbacks)
    again = run(zhujing, "慰问名单.xlsx", content, s.campaign, django_capture_on_commit_callbacks)
    assert (again.imported_rows, again.duplicate_rows, again.invalid_rows) == (0, 5, 7)
    assert Nomination.objects.filter(import_batch=again).count() == 0
    assert Nomination.objects.filter(campaign=s.campaign).count() == 4  # 3 imported + 陈美玲
    assert "不能重复提名" in reasons(again)[4]


def test_gbk_csv_with_traditional_names(jinshan, django_capture_on_commit_callbacks):
    s = Scene(jinshan)
    text = (
        "序号,姓名,身份证号,提名理由,金额\n"
        f"1,張阿婆,{s.number(s.granny)},独居,600\n"
        f"2,吳曉梅,{s.number(s.wu).translate(FULL_WIDTH)},,\n"
        "合计,2人,,,600\n"
    )
    batch = run(jinshan.user("zhujing"), "名单.csv", text.encode("gbk"), s.campaign, django_capture_on_commit_callbacks)
    assert (batch.total_rows, batch.imported_rows) == (2, 2)
    granny = Nomination.objects.get(import_batch=batch, person=s.granny)
    assert granny.reason == "独居" and granny.amount == Decimal("600.00")
    assert granny.hardship_types == ["elderly", "ill"]  # as the registry holds them


def test_amount_over_the_single_share_limit_is_refused(jinshan, django_capture_on_commit_callbacks):
    s = Scene(jinshan)
    s.campaign.max_amount = Decimal("1000")
    s.campaign.save(update_fields=["max_amount"])
    text = f'姓名,身份证号,慰问金额\n张阿婆,{s.number(s.granny)},1200\n吴晓梅,{s.number(s.wu)},"1,000.00"\n'
    batch = run(jinshan.user("zhujing"), "名单.csv", text.encode(), s.campaign, django_capture_on_commit_callbacks)
    assert batch.imported_rows == 1
    assert "超过本专项的单份上限 1,000.00 元" in reasons(batch)[2]


def test_second_member_of_a_household_is_nominated_with_a_warning(jinshan, django_capture_on_commit_callbacks):
    js = jinshan
    campaign = winter(js, per_household=True, title="2021年冬送温暖（每户一份）")
    home = household(js.zhujing)
    husband = needy(js.zhujing, "王大伯", household=home, id_number=rid(dt.date(1936, 1, 1), 20))
    wife = needy(js.zhujing, "王大妈", household=home, id_number=rid(dt.date(1937, 2, 2), 21, male=False))
    text = f"姓名,身份证号\n王大伯,{husband.id_number.reveal()}\n王大妈,{wife.id_number.reveal()}\n"
    batch = run(js.user("zhujing"), "名单.csv", text.encode(), campaign, django_capture_on_commit_callbacks)
    assert (batch.imported_rows, batch.warned_rows) == (2, 1)
    warning = batch.issues.get(is_warning=True)
    assert warning.row_number == 3 and "每户限一份" in warning.reason and "第 2 行" in warning.reason


def test_town_user_cannot_import_into_another_towns_campaign(jinshan, django_capture_on_commit_callbacks, tmp_path):
    s = Scene(jinshan)
    theirs = winter(jinshan, federation=jinshan.shihua, title="石化街道夏送凉")
    zhujing = jinshan.user("zhujing")
    offered = AID_RECIPIENTS.option_fields(user=zhujing)["campaign"].queryset
    assert s.campaign in offered and theirs not in offered
    assert theirs in AID_RECIPIENTS.option_fields(user=jinshan.user("shihua"))["campaign"].queryset

    text = f"姓名,身份证号\n张阿婆,{s.number(s.granny)}\n"
    batch = create(zhujing, "名单.csv", text.encode(), theirs, django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED and "不在您的管辖范围内" in batch.message
    assert not Nomination.objects.filter(campaign=theirs).exists()

    path = tmp_path / "名单.csv"
    path.write_bytes(text.encode())
    with pytest.raises(CommandError, match="选项 campaign"):
        call_command("import", KIND, str(path), "--user", "zhujing", "--option", f"campaign={theirs.pk}")


def test_closed_campaign_is_not_offered_and_its_batch_fails(jinshan, django_capture_on_commit_callbacks):
    s = Scene(jinshan)
    zhujing = jinshan.user("zhujing")
    text = f"姓名,身份证号\n张阿婆,{s.number(s.granny)}\n"
    batch = create(zhujing, "名单.csv", text.encode(), s.campaign, django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.CHECKED
    services.campaign_transition(actor=jinshan.user("staff"), campaign=s.campaign, to="closed")
    assert s.campaign not in AID_RECIPIENTS.option_fields(user=zhujing)["campaign"].queryset
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_batch_confirm(actor=zhujing, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and "不再接受提名" in batch.message
    assert not Nomination.objects.filter(person=s.granny).exists()


def test_rollback_removes_exactly_the_batch_and_is_refused_once_one_is_approved(
    jinshan, django_capture_on_commit_callbacks
):
    s = Scene(jinshan)
    zhujing = jinshan.user("zhujing")
    text = f"姓名,身份证号\n张阿婆,{s.number(s.granny)}\n吴晓梅,{s.number(s.wu)}\n"
    first = run(zhujing, "a.csv", text.encode(), s.campaign, django_capture_on_commit_callbacks)
    text = f"姓名,身份证号\n李秀英,{s.number(s.li)}\n"
    second = run(zhujing, "b.csv", text.encode(), s.campaign, django_capture_on_commit_callbacks)

    importing.import_batch_rollback(actor=zhujing, batch=first)
    first.refresh_from_db()
    assert first.status == ImportStatus.ROLLED_BACK
    assert set(Nomination.objects.values_list("person__name", flat=True)) == {"陈美玲", "李秀英"}

    services.nomination_approve(actor=jinshan.user("staff"), nomination=Nomination.objects.get(import_batch=second))
    with pytest.raises(ValidationError, match="不能撤销"):
        importing.import_batch_rollback(actor=zhujing, batch=second)
    second.refresh_from_db()
    assert second.status == ImportStatus.DONE
    assert Nomination.objects.filter(import_batch=second).count() == 1


def test_command_prints_the_counts(jinshan, tmp_path):
    s = Scene(jinshan)
    path = tmp_path / "慰问名单.xlsx"
    path.write_bytes(town_list_xlsx(s))
    option = f"campaign={s.campaign.pk}"
    out = io.StringIO()
    call_command("import", KIND, str(path), "--user", "zhujing", "--option", option, stdout=out)
    printed = out.getvalue()
    assert "数据行：12" in printed and "可导入：3" in printed and "有错误：7" in printed and "未写入" in printed
    assert not Nomination.objects.filter(import_batch__isnull=False).exists()

    out = io.StringIO()
    rejects = tmp_path / "未导入.xlsx"
    call_command(
        "import", KIND, str(path), "--commit", "--user", "zhujing", "--option", option, "--rejects", str(rejects),
        stdout=out,
    )  # fmt: skip
    printed = out.getvalue()
    assert "已导入：3" in printed and "未导入：9" in printed and "重复或已在库中：2" in printed
    assert Nomination.objects.filter(import_batch__isnull=False).count() == 3
    assert rejects.exists()
    with pytest.raises(CommandError, match="选项 campaign"):
        call_command("import", KIND, str(path), "--user", "zhujing")


def test_template_downloads_with_the_headers(client, jinshan):
    login(client, "zhujing")
    url = reverse("registry:import_template")
    assert url == "/registry/imports/template.xlsx"
    response = client.get(url, {"kind": KIND})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    table = AID_RECIPIENTS.read_table(content, "t.xlsx")
    assert table.sheets[0].name == "帮扶对象名单"
    assert table.sheets[0].headers == [col.header for col in COLUMNS]
    assert AID_RECIPIENTS.required_headers() == ["证件号码"]
    assert table.row_count() == 0


def test_import_page_shows_the_tab_and_uploads_into_the_chosen_campaign(
    client, jinshan, django_capture_on_commit_callbacks
):
    s = Scene(jinshan)
    theirs = winter(jinshan, federation=jinshan.shihua, title="石化街道夏送凉")
    login(client, "zhujing")
    page = client.get(reverse("registry:import_list"), {"kind": KIND}).content.decode()
    assert f"?kind={KIND}" in page and "上传帮扶对象名单" in page
    assert s.campaign.title in page and theirs.title not in page

    text = f"姓名,身份证号\n张阿婆,{s.number(s.granny)}\n"
    upload = SimpleUploadedFile("名单.csv", text.encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:import_list"), {"kind": KIND, "file": upload, "campaign": s.campaign.pk}
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and (batch.kind, batch.options) == (KIND, {"campaign": s.campaign.pk})
    detail = client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    assert f"帮扶专项：{s.campaign.title}" in detail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import_confirm", args=[batch.pk]))
    assert Nomination.objects.get(import_batch=batch).person == s.granny

    upload = SimpleUploadedFile("名单.csv", text.encode())
    refused = client.post(reverse("registry:import_list"), {"kind": KIND, "file": upload, "campaign": theirs.pk})
    assert refused.status_code == 200 and "已截止提名" in refused.content.decode()
    assert ImportBatch.objects.count() == 1


def test_persons_are_looked_up_per_chunk_not_per_row(jinshan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = winter(jinshan)
    persons = [
        needy(jinshan.zhujing, f"测试{i}", id_number=rid(dt.date(1939, 1, 1) + dt.timedelta(days=i), 30 + i))
        for i in range(40)
    ]

    def queries(count: int) -> int:
        lines = "".join(f"{p.name},{p.id_number.reveal()}\n" for p in persons[:count])
        with CaptureQueriesContext(connection) as captured:
            _table, outcome = importing.import_file_preview(
                actor=jinshan.user("zhujing"),
                content=f"姓名,身份证号\n{lines}".encode(),
                file_name="名单.csv",
                kind=AID_RECIPIENTS,
                options={"campaign": campaign.pk},
            )
        assert outcome.valid == count
        return len(captured.captured_queries)

    queries(1)  # the uploader's jurisdiction is read once and kept
    few = queries(2)
    assert queries(40) == few
