"""Reading spreadsheets: header found below titles and notes, synonyms, sheets, blank and total
rows, CSV encodings and separators, row numbers as the spreadsheet shows them."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError

from qiaolian.core import tabular
from qiaolian.core.tabular import ColumnSpec

COLUMNS = [
    ColumnSpec("name", "姓名", ("名字",), required=True),
    ColumnSpec("id_number", "证件号码", ("身份证号", "身份证号码", "公民身份号码"), required=True),
    ColumnSpec("phone", "手机", ("手机号", "手机号码", "联系电话", "电话")),
    ColumnSpec("birth_date", "出生日期", ("出生年月", "生日")),
]


def xlsx(sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and value != "":
                    sheet.write(r, c, value)
        if name in hidden:
            sheet.hide()
    book.close()
    return buffer.getvalue()


def test_header_is_found_below_a_title_and_notes_and_synonyms_are_mapped():
    content = xlsx(
        {
            "名单": [
                ["金山区归侨侨眷登记表"],
                ["说明：身份证号码请按文本填写，姓名与证件一致"],
                [],
                ["序号", "名 字", "※身份证\n号码", "联系电话", "出生年月", "备注"],
                [1, "张三", "310228195003021234", "13912345678", "1950.03"],
            ]
        }
    )
    table = tabular.open_table(content, "x.xlsx", COLUMNS, silent_headers=("序号",))
    (layout,) = table.sheets
    assert layout.header_row == 4
    assert layout.columns == {"name": 1, "id_number": 2, "phone": 3, "birth_date": 4}
    assert table.ignored_headers == ["备注"]
    assert table.mapping() == [
        ("名 字", "name"),
        ("※身份证 号码", "id_number"),
        ("联系电话", "phone"),
        ("出生年月", "birth_date"),
        ("备注", ""),
    ]
    (row,) = table.rows()
    assert (row.sheet, row.number, row.value("name"), row.value("phone")) == ("名单", 5, "张三", "13912345678")


def test_every_sheet_with_a_header_is_read_and_others_skipped():
    content = xlsx(
        {
            "朱泾镇": [["姓名", "身份证号"], ["张三", "1"], ["李四", "2"]],
            "说明": [["本表由各镇填报"], ["姓名请写全名"]],
            "石化街道": [["标题"], ["名字", "公民身份号码", "手机号"], ["王五", "3", "139"]],
            "代码表": [["姓名", "证件号码"], ["隐藏", "9"]],
        },
        hidden=("代码表",),
    )
    table = tabular.open_table(content, "x.xlsx", COLUMNS)
    assert [layout.name for layout in table.sheets] == ["朱泾镇", "石化街道"]
    assert [(r.sheet, r.number, r.value("name")) for r in table.rows()] == [
        ("朱泾镇", 2, "张三"),
        ("朱泾镇", 3, "李四"),
        ("石化街道", 3, "王五"),
    ]


@pytest.mark.parametrize("total", ["合计", "合 计", "总计：", "小计", "共计", " 合　计 "])
def test_blank_and_total_rows_are_not_data(total):
    content = xlsx({"s": [["姓名", "证件号码"], ["张三", "1"], [], ["", ""], ["李四", "2"], [total, "2人"]]})
    table = tabular.open_table(content, "x.xlsx", COLUMNS)
    assert [(r.number, r.value("name")) for r in table.rows()] == [(2, "张三"), (5, "李四")]
    assert table.row_count() == 2


def test_only_the_first_non_empty_cell_makes_a_total_row():
    assert tabular.is_total_row(["", "合计", "2"])
    assert not tabular.is_total_row([1, "合计"])  # a serial number comes first: a data row


def test_missing_required_columns_are_named():
    table = tabular.open_table(xlsx({"s": [["姓名", "手机"], ["张三", "139"]]}), "x.xlsx", COLUMNS)
    assert table.missing == ["证件号码"]


def test_overrides_map_an_unknown_header_and_ignore_a_known_one():
    content = xlsx({"s": [["姓名", "证件", "电话"], ["张三", "1", "139"]]})
    table = tabular.open_table(content, "x.xlsx", COLUMNS, overrides={"证件": "id_number", "电话": ""})
    assert table.sheets[0].columns == {"name": 0, "id_number": 1}
    assert table.ignored_headers == ["电话"]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_and_separators(delimiter, encoding):
    lines = ["花名册（朱泾镇）", delimiter.join(["姓名", "身份证号码", "电话"]), delimiter.join(["歐陽修", "1", "139"])]
    content = "\r\n".join(lines).encode(encoding)
    table = tabular.open_table(content, "x.csv", COLUMNS)
    assert table.sheets[0].header_row == 2
    assert [(r.sheet, r.number, r.value("name"), r.value("phone")) for r in table.rows()] == [("", 3, "歐陽修", "139")]


def test_csv_with_a_quoted_field_holding_a_newline():
    content = '姓名,证件号码,电话\n"张三",1,"139\n备用"\n李四,2,138\n'.encode()
    rows = list(tabular.open_table(content, "x.csv", COLUMNS).rows())
    assert [(r.number, r.value("name")) for r in rows] == [(2, "张三"), (3, "李四")]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("x.pdf", b"%PDF", "不支持的文件类型"),
        ("x.xlsx", b"", "文件是空的"),
        ("x.xlsx", b"PK\x03\x04 broken", "无法读取该文件"),
        ("x.csv", b"a,b,c\n1,2,3\n", "找不到表头行"),
        ("x.csv", b"\xef\xbb\xbf\xff\xfe broken", "无法识别文件的文字编码"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(name, content, words):
    with pytest.raises(ValidationError) as error:
        tabular.open_table(content, name, COLUMNS)
    assert words in error.value.messages[0]


def test_rows_are_streamed_again_on_each_pass():
    content = xlsx({"s": [["姓名", "证件号码"], *[[f"人{i}", str(i)] for i in range(50)]]})
    table = tabular.open_table(content, "x.xlsx", COLUMNS)
    rows = table.rows()
    assert next(rows).number == 2  # a generator: rows come one at a time
    assert table.row_count() == 50 and table.row_count() == 50
