"""Acceptance flow of hardship aid (issue 4): the district has set up 2022年冬送温暖; a town user
finds that one person does not qualify (and why), nominates another from the candidates; a
district user's over-budget amount is refused and the standard one approved; the town records
the visit with a photo and downloads the sign-off sheet (签收表) with the ID number masked."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
from PIL import Image
from playwright.sync_api import expect

from qiaolian.aid import services
from qiaolian.registry.tests.factories import PersonFactory


def test_aid_from_nomination_to_signoff_sheet(jinshan, login, live_server, results_dir, page, tmp_path):
    campaign = services.campaign_create(
        actor=jinshan.user("staff"),
        data={
            "federation": jinshan.district,
            "title": "2022年冬送温暖",
            "kind": "winter",
            "starts_on": dt.date(2022, 12, 1),
            "ends_on": dt.date(2023, 1, 31),
            "budget": Decimal("5000"),
            "per_household": True,
        },
    )
    services.standard_add(
        actor=jinshan.user("staff"),
        campaign=campaign,
        data={"label": "困难归侨侨眷", "amount": Decimal("800"), "goods": "大米一袋、食用油一桶"},
    )
    needy = PersonFactory(
        federation=jinshan.zhujing,
        name="陈阿婆",
        sex="F",
        birth_date=dt.date(1936, 2, 3),
        is_in_hardship=True,
        hardship_types=["elderly", "alone"],
    )
    PersonFactory(federation=jinshan.zhujing, name="李老伯", birth_date=dt.date(1950, 1, 1))
    plain_id = needy.id_number.reveal()

    # The town nominates.
    login("zhujing")
    page.get_by_role("link", name="帮扶专项", exact=True).click()
    page.get_by_role("link", name="2022年冬送温暖").click()
    page.get_by_role("link", name="提名帮扶对象").click()
    page.get_by_placeholder("姓名、拼音、首字母或证件号").fill("李老伯")
    expect(page.get_by_test_id("ineligible")).to_contain_text("未登记为困难对象")
    page.get_by_label("选择 陈阿婆").check()
    page.get_by_label("提名理由").fill("九十高龄，独居")
    page.screenshot(path=str(results_dir / "aid-nominate.png"), full_page=True)
    page.get_by_role("button", name="提名所选人员").click()
    expect(page.get_by_text("已提名 1 人，等待区侨联审批。")).to_be_visible()
    expect(page.get_by_role("link", name="陈阿婆")).to_be_visible()

    # The district approves: too much is refused, the standard amount is approved.
    page.context.clear_cookies()
    login("staff")
    page.goto(f"{live_server.url}/aid/nominations/?campaign={campaign.pk}")
    page.get_by_role("link", name="陈阿婆").click()
    expect(page.get_by_label("审批金额（元）")).to_have_value("800.00")
    page.get_by_label("审批金额（元）").fill("6000")
    page.get_by_label("审批意见").fill("高龄独居")
    page.get_by_role("button", name="审批通过").click()
    expect(page.get_by_text("超出预算").first).to_be_visible()
    expect(page.get_by_label("审批意见")).to_have_value("高龄独居")  # nothing typed is lost
    page.get_by_label("审批金额（元）").fill("800")
    page.get_by_role("button", name="审批通过").click()
    expect(page.get_by_text("已审批 陈阿婆：800.00 元。")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("已审批")

    # The town records the visit and hands over, with a photo.
    page.context.clear_cookies()
    login("zhujing")
    page.goto(f"{live_server.url}/aid/nominations/?campaign={campaign.pk}")
    page.get_by_role("link", name="陈阿婆").click()
    page.get_by_role("link", name="登记走访发放").click()
    page.get_by_label("走访日期").fill(dt.date.today().isoformat())
    page.get_by_label("走访人员").fill("朱泾镇侨联 朱卫东、李敏")
    photo = tmp_path / "走访.png"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 80, 40)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())
    page.get_by_label("走访照片").set_input_files(str(photo))
    page.screenshot(path=str(results_dir / "aid-handover-form.png"), full_page=True)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已登记 陈阿婆 的走访发放。")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("已发放")
    expect(page.get_by_role("img", name="走访照片")).to_be_visible()
    page.screenshot(path=str(results_dir / "aid-nomination.png"), full_page=True)

    # The sign-off sheet of the town, as Excel and PDF.
    page.get_by_role("link", name="2022年冬送温暖").first.click()
    expect(page.get_by_test_id("approved")).to_have_text("1")
    page.screenshot(path=str(results_dir / "aid-campaign.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载 Excel").click()
    download = download_info.value
    assert download.suggested_filename == "2022年冬送温暖-签收表-朱泾镇.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
    assert "陈阿婆" in cells
    assert str(needy.id_number) in cells and plain_id not in " ".join(cells)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载 PDF").click()
    pdf = download_info.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
