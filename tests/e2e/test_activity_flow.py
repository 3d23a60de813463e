"""Acceptance flow of the work-records issue: a town user creates an activity, registers a
person found by pinyin, checks them in with their personal code at the desk (a code of another
activity is refused), and files the summary with a photo."""

import datetime as dt
import io

from PIL import Image
from playwright.sync_api import expect

from qiaolian.activities import services
from qiaolian.registry.tests.factories import PersonFactory


def test_activity_from_creation_to_summary_with_photo(jinshan, login, live_server, results_dir, page, tmp_path):
    PersonFactory(federation=jinshan.zhujing, name="陈国华", category="returnee")
    other = services.activity_create(
        actor=jinshan.user("zhujing"),
        data={
            "federation": jinshan.zhujing,
            "title": "另一场联谊会",
            "kind": "gathering",
            "project": "ningxin",
            "mode": "offline",
            "place": "朱泾镇",
            "starts_at": dt.datetime(2022, 9, 1, 9, tzinfo=dt.UTC),
            "ends_at": dt.datetime(2022, 9, 1, 11, tzinfo=dt.UTC),
        },
    )
    foreign_code = services.registration_add(actor=jinshan.user("zhujing"), activity=other, name="李四").code

    login("zhujing")
    page.get_by_role("link", name="活动", exact=True).click()
    page.get_by_role("link", name="新建活动").click()
    page.get_by_label("活动名称").fill("朱泾镇侨界人士中秋联谊会")
    page.get_by_label("活动类型").select_option(label="座谈/联谊")
    page.get_by_label("所属工程").select_option(label="凝心工程")
    page.get_by_label("地点").fill("朱泾镇侨之家")
    page.get_by_label("开始时间").fill("2022-09-09T14:00")
    page.get_by_label("结束时间").fill("2022-09-09T12:00")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("结束时间不能早于开始时间").first).to_be_visible()
    expect(page.get_by_label("活动名称")).to_have_value("朱泾镇侨界人士中秋联谊会")  # nothing lost
    page.get_by_label("结束时间").fill("2022-09-09T16:30")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="朱泾镇侨界人士中秋联谊会")).to_be_visible()

    page.get_by_role("link", name="参与人员").click()
    page.get_by_placeholder("姓名、拼音或首字母").fill("cgh")
    results = page.locator("#person-results")
    expect(results.get_by_text("陈国华")).to_be_visible()
    results.get_by_role("button", name="登记").click()
    expect(page.get_by_text("已登记 陈国华。")).to_be_visible()

    page.get_by_role("link", name="签到码").first.click()
    code = page.locator(".display-6").inner_text().strip()
    assert len(code) == services.CODE_LENGTH
    expect(page.locator(".ql-qr svg")).to_be_visible()
    page.screenshot(path=str(results_dir / "activity-ticket.png"), full_page=True)

    page.go_back()
    page.get_by_role("link", name="签到台").click()
    page.get_by_label("扫描二维码或输入签到码").fill(foreign_code)
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.get_by_text("属于另一项活动“另一场联谊会”")).to_be_visible()
    page.get_by_label("扫描二维码或输入签到码").fill(code.lower())
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("陈国华")
    expect(page.get_by_test_id("checked-in")).to_have_text("1")
    page.screenshot(path=str(results_dir / "activity-checkin.png"), full_page=True)

    page.get_by_role("link", name="朱泾镇侨界人士中秋联谊会").click()
    page.get_by_role("link", name="活动总结").click()
    page.get_by_label("活动总结").fill("三十余位侨界人士共度中秋，交流侨法知识。")
    page.get_by_label("现场人数").fill("35")
    page.get_by_role("button", name="保存总结").click()
    expect(page.get_by_text("活动总结已保存。")).to_be_visible()

    photo = tmp_path / "中秋合影.png"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())
    page.get_by_role("link", name="照片与附件").click()
    page.get_by_label("照片").set_input_files(str(photo))
    page.get_by_label("说明").fill("中秋合影")
    page.get_by_role("button", name="上传").first.click()
    expect(page.get_by_text("照片已上传。")).to_be_visible()
    expect(page.get_by_role("img", name="中秋合影")).to_be_visible()
    expect(page.get_by_text("已总结").first).to_be_visible()
    page.screenshot(path=str(results_dir / "activity-summary.png"), full_page=True)
