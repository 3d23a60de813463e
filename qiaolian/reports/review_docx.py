"""The review as a Word document laid out like an official document (党政机关公文格式, GB/T 9704).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm. Title 2号 (22 pt) 方正小标宋简体,
centred; body 3号 (16 pt) 仿宋_GB2312, first line indented two characters, fixed line spacing
28.95 pt; level-1 headings 黑体, level-2 headings 楷体_GB2312. The East-Asian font (w:eastAsia)
is set on the styles and the runs so that Word uses it for Chinese text. Page numbers "— N —"
(a PAGE field) in 4号 (14 pt) 宋体 in the footer: odd pages on the right, even pages on the left
(odd and even footers are on). Markers [n] are superscript; tables have a bold header row;
charts are PNG images (review_charts)."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from qiaolian.reports.review import Review, split_markers

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
LINE = Pt(28.95)


def _fonts(element, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Set the fonts of a run's or a style's rPr, with w:eastAsia."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(theme)) is not None:
            del fonts.attrib[qn(theme)]


def _style(document, name: str, *, font: str, size: float, bold: bool = False, centre: bool = False, indent=True):
    style = document.styles[name]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(style.element, font)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if centre else WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        fmt.first_line_indent = Pt(size * 2)
        ppr = style.element.get_or_add_pPr()
        ind = ppr.find(qn("w:ind"))
        if ind is not None:
            ind.set(qn("w:firstLineChars"), "200")
    else:
        fmt.first_line_indent = Pt(0)
    return style


def _run(paragraph, text: str, *, font: str | None = None, size: float | None = None, bold=None, superscript=False):
    run = paragraph.add_run(text)
    if font:
        _fonts(run._element, font)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if superscript:
        run.font.superscript = True
    return run


def _body(document, text: str, style: str = "Normal"):
    paragraph = document.add_paragraph(style=style)
    for piece, marker in split_markers(text):
        _run(paragraph, piece, font=BODY_FONT, superscript=marker)
    return paragraph


def _heading(document, text: str, level: int):
    paragraph = document.add_paragraph(style=f"Heading {level}")
    _run(paragraph, text, font=HEADING1_FONT if level == 1 else HEADING2_FONT)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _page_field(paragraph) -> None:
    """ "— PAGE —" in 4号 宋体."""

    def run(text: str = ""):
        return _run(paragraph, text, font=PAGE_NUMBER_FONT, size=14)

    run("— ")
    begin = run()._element
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "begin")
    begin.append(char)
    instr_run = run()._element
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    instr_run.append(instr)
    sep = run()._element
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "separate")
    sep.append(char)
    run("1")
    end = run()._element
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end.append(char)
    run(" —")


def _footers(document, section) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        # GB/T 9704: the number sits one character in from the edge
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = Pt(14)
        else:
            paragraph.paragraph_format.left_indent = Pt(14)
        _page_field(paragraph)


def _table(document, header: list[str], rows: list[list[str]], *, first_wide: bool = True):
    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = 10.5 if len(header) <= 5 else 9
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell(cell, text, size=size, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _cell(cell, str(text), size=size, right=i >= 2 and first_wide)
    # the header row repeats on each page
    trpr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    return table


def _widths(table, millimetres: list[float]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, millimetres, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, millimetres, strict=True):
            cell.width = Mm(width)


def _link(paragraph, url: str) -> None:
    """Make the paragraph's runs a hyperlink to ``url`` (the figure's "why this number" page)."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    for run in list(paragraph.runs):
        run.font.color.rgb = RGBColor(0x1F, 0x4E, 0x9A)
        link.append(run._element)
    paragraph._p.append(link)


def _cell(cell, text: str, *, size: float, bold: bool = False, right: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = "Table Text"
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if bold:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, font=TABLE_FONT, size=size, bold=bold)


def _caption(document, text: str) -> None:
    paragraph = document.add_paragraph(style="Table Text")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(8)
    paragraph.paragraph_format.space_after = Pt(4)
    paragraph.paragraph_format.keep_with_next = True
    _run(paragraph, text, font=HEADING1_FONT, size=12)


def _note(document, text: str) -> None:
    paragraph = document.add_paragraph(style="Table Text")
    paragraph.paragraph_format.space_after = Pt(6)
    _run(paragraph, text, font=TABLE_FONT, size=9)


def render_docx(review: Review) -> bytes:
    """The review as .docx bytes."""
    from qiaolian.reports.review_charts import chart_png

    with override("zh-hans"):
        document = Document()
        section = document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(20)
        document.core_properties.title = review.title
        document.core_properties.subject = review.federation_name
        document.core_properties.language = "zh-CN"

        _style(document, "Normal", font=BODY_FONT, size=16)
        _style(document, "Title", font=TITLE_FONT, size=22, centre=True, indent=False)
        _style(document, "Heading 1", font=HEADING1_FONT, size=16, indent=True)
        _style(document, "Heading 2", font=HEADING2_FONT, size=16, indent=True)
        table_text = document.styles.add_style("Table Text", 1)
        table_text.base_style = document.styles["Normal"]
        _style(document, "Table Text", font=TABLE_FONT, size=10.5, indent=False)
        table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        for name in ("Title", "Heading 1", "Heading 2"):
            ppr = document.styles[name].element.get_or_add_pPr()
            for border in ppr.findall(qn("w:pBdr")):
                ppr.remove(border)
        _footers(document, section)

        title = document.add_paragraph(style="Title")
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.line_spacing = Pt(36)
        title.paragraph_format.space_after = Pt(28.95)
        _run(title, review.title, font=TITLE_FONT, size=22)

        for sec in review.sections:
            _heading(document, sec.title, sec.level)
            for text in sec.paragraphs:
                _body(document, text)
            if sec.key == "outlook" and review.plan is not None and review.plan.rows:
                _caption(document, review.plan.title)
                _table(document, review.plan.header, review.plan.rows)

        # Appendix A: where each number comes from
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _heading(document, _("附录一 数据来源"), 1)
        _body(
            document,
            _(
                "正文中每个数字后的方括号编号对应下列条目。各数字均由平台记录按指标口径计算，"
                "可在“指标与核算”页面按条目所列链接查看所计的记录。现有数为生成本文档之日（%(day)s）的数。"
            )
            % {"day": f"{review.generated_on:%Y-%m-%d}"},
        )
        header = [_("编号"), _("指标（编码）"), _("分项"), _("期间"), _("侨联组织"), _("数值")]
        rows = [
            [
                f"[{f.n}]",
                f"{f.name}（{f.code}）",
                f.group_label or "—",
                f.period_label(),
                f.federation,
                f"{f.display()} {f.unit}",
            ]
            for f in review.figures
        ]
        table = _table(document, header, rows, first_wide=False)
        base = getattr(settings, "QIAOLIAN_SITE_URL", "").rstrip("/")
        for figure, row in zip(review.figures, table.rows[1:], strict=True):
            _link(row.cells[1].paragraphs[0], base + figure.url)
        _widths(table, [12, 50, 22, 30, 24, 18])

        # Appendix B: tables and charts
        new = document.add_section(WD_SECTION.NEW_PAGE)
        new.is_linked_to_previous = True
        _heading(document, _("附录二 分年数据表与图表"), 1)
        for table in review.tables:
            _caption(document, table.title)
            grid = _table(document, table.header, table.rows)
            rest = (156 - 50) / max(1, len(table.header) - 2)
            _widths(grid, [38, 12, *[rest] * (len(table.header) - 2)])
            if table.note:
                _note(document, table.note)
        for chart in review.charts:
            _caption(document, chart.title)
            paragraph = document.add_paragraph(style="Table Text")
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run().add_picture(io.BytesIO(chart_png(chart)), width=Mm(150))

        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
