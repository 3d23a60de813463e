"""The registry import in the browser: a town's own spreadsheet whose ID column the system does
not recognize is mapped by hand on the preview, checked again, imported; the bad row comes back
in the rejects workbook; the batch is rolled back as a whole."""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
from playwright.sync_api import expect

from qiaolian.core.text import search_key
from qiaolian.registry.models import ImportBatch, Person
from qiaolian.registry.tests.factories import resident_id

HEADERS = ["序号", "姓 名", "公民证件号", "侨界身份", "所属组织", "联系电话"]


def town_workbook(path) -> list[str]:
    """A town's roster: a merged title row, a header the template does not know (公民证件号),
    four people (one with a wrong check digit) and a 合计 row. Returns the valid ID numbers."""
    numbers = [resident_id(dt.date(1950 + i, 3, 2), serial=100 + i) for i in range(4)]
    bad = numbers[3][:-1] + ("0" if numbers[3][-1] != "0" else "1")
    names = ["钱学明", "孫美玲", "赵国庆", "周建华"]
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("朱泾镇")
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "朱泾镇归侨侨眷花名册（2026年）")
    sheet.write_row(1, 0, HEADERS)
    for i, name in enumerate(names):
        number = bad if i == 3 else numbers[i]
        sheet.write_row(2 + i, 0, [i + 1, name, number, "侨眷", "朱泾镇侨联", f"１３９ ００００ ０１{i:02d}"])
    sheet.write_row(6, 0, ["合计", "4人"])
    book.close()
    return numbers[:3]


def test_a_town_roster_is_mapped_imported_and_rolled_back_in_the_browser(
    jinshan, login, live_server, page, results_dir, tmp_path
):
    path = tmp_path / "朱泾镇花名册.xlsx"
    valid_numbers = town_workbook(path)
    page.on("dialog", lambda dialog: dialog.accept())

    login("zhujing")
    page.get_by_role("link", name="批量导入").click()
    expect(page.get_by_role("link", name="侨情人员", exact=True).first).to_be_visible()
    page.locator('input[type="file"][name="file"]').set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_load_state()

    # The ID column was not recognized: the page asks for the mapping first.
    expect(page.locator("#import-progress [role=alert]")).to_contain_text("缺少必填列：证件号码")
    mapping = page.locator("#import-mapping")
    expect(mapping).to_be_visible()
    mapping.get_by_label("“公民证件号”导入为").select_option(label="证件号码")
    page.screenshot(path=str(results_dir / "import-mapping.png"), full_page=True)
    mapping.get_by_role("button", name="按此对应重新检查").click()
    page.wait_for_load_state()

    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("检查完成")
    expect(progress.locator(".text-green")).to_have_text("3")
    expect(progress.locator(".text-red")).to_have_text("1")
    issue = page.locator("tbody tr").filter(has_text="校验位")
    expect(issue).to_have_count(1)
    expect(issue).to_contain_text("证件号码")
    page.screenshot(path=str(results_dir / "import-preview.png"), full_page=True)

    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state()
    expect(progress).to_contain_text("导入完成")
    batch = ImportBatch.objects.get(file_name=path.name)
    assert batch.imported_rows == 3
    stored = {p.id_number.reveal() for p in Person.objects.filter(import_batch=batch)}
    assert stored == set(valid_numbers)
    # Written in traditional characters, kept as written, found by the simplified name.
    assert Person.objects.get(import_batch=batch, name="孫美玲").name_key == search_key("孙美玲")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载未导入的行").click()
    rejects = download.value.path()
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(rejects.read_bytes())).get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and "校验位" in rows[1][-1]

    page.get_by_role("button", name="撤销本批导入").click()
    page.wait_for_load_state()
    expect(progress).to_contain_text("删除了本批导入的 3 人")
    assert not Person.objects.filter(import_batch=batch).exists()
    page.screenshot(path=str(results_dir / "import-rolled-back.png"), full_page=True)
