"""Import of registry persons from the template workbook (.xlsx/.xls) or a CSV file.

The flow (PRODUCT.md §4: long jobs in the background, bad input named, nothing half-written):

1. ``import_batch_create`` — the upload is checked at once (type, size, readable, required
   columns, at least one data row); a bad file is refused with a message and nothing is stored.
2. ``import_batch_check`` (background) — every row goes through ``PersonForm``, the one place the
   person rules live, so an import row gets the very message the web form gives. Rows already in
   the registry (same ID number, by keyed hash) and repeats within the file are listed as
   duplicates. Progress is written every few hundred rows; the issues are written at the end.
3. The preview page lists the counts and every issue (row, column, masked value, reason).
4. ``import_batch_confirm`` + ``import_batch_commit`` (background) — the file is read again, the
   rows the preview found importable are checked again (the registry may have changed), the valid
   ones are inserted in one transaction with one audit entry, and the rows not imported are
   offered back as a workbook with their reasons. A commit never imports a row the preview listed.

Every data row ends up either imported or listed with a reason; an empty row is not a data row.
"""

from __future__ import annotations

import codecs
import copy
import csv
import datetime as dt
import io
import logging
import math
import os
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.masking import Kind, mask
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.core.protected import lookup_hash
from qiaolian.core.text import clean, search_key
from qiaolian.core.validators import normalize_document_number, parse_resident_id
from qiaolian.orgs.models import Federation
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry import choices as c
from qiaolian.registry.forms import PersonForm
from qiaolian.registry.models import ImportBatch, ImportIssue, ImportStatus, Person
from qiaolian.registry.services import persons_bulk_create

logger = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv")
PROGRESS_EVERY = 200  # rows between two progress writes
HEADER_SEARCH_ROWS = 20  # a title or notes may stand above the header row
ROW_NUMBER_HEADER = "行号"
REASON_HEADER = "未导入原因"
_NUMBER_TEXT = re.compile(r"^\d+(\.\d+)?[eE][+-]?\d+$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(\s+0{1,2}:00(:00)?)?$")
_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


# Columns ---------------------------------------------------------------------------------------


_MASKED_FIELDS = {"id_number": Kind.ID_NUMBER, "phone": Kind.PHONE, "phone_alt": Kind.PHONE, "address": Kind.ADDRESS}


@dataclass(frozen=True)
class Column:
    """One column of the template: its header (part of the file format, so not translated), the
    ``PersonForm`` field it feeds and how its cells are read. ``kind`` is one of text, choice,
    date, year, id_number, protected, country, federation, hardship."""

    header: str
    field: str
    kind: str = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint: str | Promise = ""
    width: int = 12

    @property
    def mask_kind(self) -> str | None:
        return _MASKED_FIELDS.get(self.field)


COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", required=True, aliases=("中文姓名",), width=10),
    Column("外文名", "foreign_name", aliases=("外文姓名", "英文名"), width=16),
    Column("性别", "sex", "choice", hint=gettext_lazy("男 / 女；留空时按身份证号码推断"), width=6),
    Column(
        "出生日期", "birth_date", "date", aliases=("出生年月日", "生日"), hint=gettext_lazy("如 1950-03-02"), width=12
    ),
    Column("证件类型", "id_type", "choice", hint=gettext_lazy("留空表示居民身份证"), width=14),
    Column(
        "证件号码",
        "id_number",
        "id_number",
        required=True,
        aliases=("身份证号码", "身份证号", "公民身份号码", "证件号"),
        hint=gettext_lazy("必填，用于查重。请以文本格式填写，勿让表格软件存成数字"),
        width=22,
    ),
    Column("身份类别", "category", "choice", required=True, aliases=("侨界身份", "类别"), width=12),
    Column("所属侨联", "federation", "federation", required=True, aliases=("侨联组织", "所属组织"), width=16),
    Column("归来国家/地区", "returned_from", "country", aliases=("归来国家", "归来国家（地区）"), width=14),
    Column("归国年份", "returned_year", "year", width=8),
    Column("籍贯", "native_place", width=12),
    Column("住址", "address", "protected", aliases=("居住地址", "家庭住址", "地址"), width=30),
    Column("手机", "phone", "protected", aliases=("手机号码", "手机/电话", "联系电话", "电话"), width=14),
    Column("电子邮箱", "email", aliases=("邮箱", "email", "e-mail"), width=20),
    Column("工作单位", "employer", aliases=("单位",), width=20),
    Column("职业", "occupation", "choice", width=12),
    Column("政治面貌", "political_status", "choice", width=12),
    Column(
        "困难类型", "hardship_types", "hardship", hint=gettext_lazy("多个用逗号分隔；留空表示非困难归侨侨眷"), width=14
    ),
    Column("备注", "notes", width=24),
    # Further PersonForm fields a survey often has.
    Column("曾用名", "former_names", width=10),
    Column("民族", "ethnicity", "choice", width=8),
    Column("国籍", "nationality", "country", hint=gettext_lazy("留空时外籍华人不填，其余为中国"), width=10),
    Column("居住国家/地区", "residence_country", "country", aliases=("居住国",), width=14),
    Column("学历", "education", "choice", aliases=("文化程度",), width=10),
    Column("职务", "position", width=12),
    Column("微信号", "wechat", aliases=("微信",), width=14),
    Column("其他电话（含境外）", "phone_alt", "protected", aliases=("其他电话", "境外电话"), width=16),
)
COLUMN_BY_FIELD = {col.field: col for col in COLUMNS}
# Columns the rejects workbook adds, and a serial column many offices keep: ignored on reading.
SILENT_HEADERS = (ROW_NUMBER_HEADER, REASON_HEADER, "序号")

_CHOICES: dict[str, list[tuple[str, Any]]] = {
    "sex": c.Sex.choices,
    "id_type": c.IdType.choices,
    "category": c.Category.choices,
    "occupation": c.Occupation.choices,
    "political_status": c.PoliticalStatus.choices,
    "education": c.Education.choices,
    "ethnicity": c.ETHNICITY_CHOICES,
    "hardship_types": c.Hardship.choices,
}
# Words people write in these columns besides the labels of the code lists.
_SYNONYMS: dict[str, dict[str, str]] = {
    "sex": {"男性": c.Sex.MALE, "女性": c.Sex.FEMALE, "未知": c.Sex.UNKNOWN},
    "id_type": {
        "身份证": c.IdType.RESIDENT_ID,
        "二代身份证": c.IdType.RESIDENT_ID,
        "港澳通行证": c.IdType.HK_MACAO_PERMIT,
        "回乡证": c.IdType.HK_MACAO_PERMIT,
        "居住证": c.IdType.HK_MACAO_RESIDENCE,
        "台胞证": c.IdType.TAIWAN_PERMIT,
        "外国人永久居留证": c.IdType.FOREIGNER_PERMANENT,
        "永居证": c.IdType.FOREIGNER_PERMANENT,
        "其他": c.IdType.OTHER,
    },
    "political_status": {
        "党员": c.PoliticalStatus.CPC,
        "共产党员": c.PoliticalStatus.CPC,
        "中共预备党员": c.PoliticalStatus.CPC_PROBATIONARY,
        "预备党员": c.PoliticalStatus.CPC_PROBATIONARY,
        "团员": c.PoliticalStatus.CYL,
        "无党派": c.PoliticalStatus.NON_PARTISAN,
    },
    "occupation": {"退休": c.Occupation.RETIRED, "离退休": c.Occupation.RETIRED},
}


def _key(text: str) -> str:
    """How headers, labels and names are compared: simplified, case-folded, without spaces."""
    return search_key(text)


def _header_key(text: Any) -> str:
    key = _key(str(text or ""))
    for mark in ("*", "＊", "(必填)", "（必填）"):
        key = key.replace(mark, "")
    return key


@cache
def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for col in COLUMNS:
        for name in (col.header, *col.aliases):
            index.setdefault(_header_key(name), col.field)
    return index


@cache
def _choice_index(field_name: str) -> dict[str, str]:
    """Label (and code) → code, with each part of a label such as 高中/中专 on its own. Labels
    are read in Chinese and in English whatever language is active, so the index is the same
    for every user (it is cached per process)."""
    index: dict[str, str] = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels = [(code, str(label)) for code, label in _CHOICES[field_name]]
        for code, label in labels:
            index.setdefault(_key(str(code)), code)
            index.setdefault(_key(label), code)
        for code, label in labels:
            for part in label.split("/"):
                index.setdefault(_key(part), code)
    if field_name == "ethnicity":
        for code, _label in _CHOICES[field_name]:
            if code.endswith("族") and len(code) > 2:
                index.setdefault(_key(code[:-1]), code)
    for word, code in _SYNONYMS.get(field_name, {}).items():
        index.setdefault(_key(word), code)
    return index


_COUNTRY_ALIASES = {
    "HK": ("中国香港", "香港特别行政区", "Hong Kong SAR", "HKSAR"),
    "MO": ("中国澳门", "澳门特别行政区", "Macau", "Macao SAR"),
    "TW": ("中国台湾", "台湾地区", "台湾省", "Taiwan"),
    "US": ("美利坚合众国", "USA", "United States", "America"),
    "GB": ("大不列颠及北爱尔兰联合王国", "UK", "Great Britain", "Britain", "England"),
    "KR": ("大韩民国", "南韩", "Korea"),
    "RU": ("俄罗斯联邦",),
    "CZ": ("Czech Republic",),
    "MM": ("Burma",),
    "NL": ("Holland",),
}


@cache
def _country_index() -> dict[str, str]:
    """Chinese name, English name, ISO alpha-2 or alpha-3 code → alpha-2 code."""
    index: dict[str, str] = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for country in countries:
                index.setdefault(_key(str(country.name)), country.code)
    for country in countries:
        index.setdefault(_key(country.code), country.code)
        alpha3 = countries.alpha3(country.code)
        if alpha3:
            index.setdefault(_key(alpha3), country.code)
    for code, names in _COUNTRY_ALIASES.items():
        for name in names:
            index.setdefault(_key(name), code)
    return index


# Reading files ---------------------------------------------------------------------------------


@dataclass
class Sheet:
    """The rows of an uploaded file: original headers, where each known column sits, and the
    non-empty data rows with the row number the spreadsheet shows."""

    headers: list[str]
    header_row: int
    columns: dict[str, int]  # PersonForm field → column index
    rows: list[tuple[int, list[Any]]]
    ignored_headers: list[str] = field(default_factory=list)

    def cell(self, cells: list[Any], field_name: str) -> Any:
        index = self.columns.get(field_name)
        if index is None or index >= len(cells):
            return ""
        return cells[index]


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _extension(file_name: str) -> str:
    return os.path.splitext(file_name or "")[1].lower()


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_workbook(content: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        index = next(
            (i for i, meta in enumerate(book.sheets_metadata) if meta.visible == SheetVisibleEnum.Visible),
            0,
        )
        # Keep leading empty rows so that row numbers are the ones the spreadsheet shows.
        return book.get_sheet_by_index(index).to_python(skip_empty_area=False)
    except PasswordError:
        raise _file_error(_("文件设置了密码，请取消密码后再上传。"), "encrypted") from None
    except Exception as exc:  # CalamineError and kin: the reader is native code, any failure means unreadable
        logger.info("unreadable workbook: %r", exc)
        raise _file_error(_("无法读取该文件：文件已损坏，或不是 Excel 工作簿。"), "unreadable") from None


def _decode_text(content: bytes) -> str:
    """CSV text: UTF-8 with or without BOM (also UTF-16 with BOM), else GB18030 (covers GBK)."""
    if content.startswith(codecs.BOM_UTF8):
        attempts = [("utf-8", content[len(codecs.BOM_UTF8) :])]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        attempts = [("utf-16", content)]
    elif b"\x00" in content[:4096]:
        raise _file_error(_("无法读取该文件：不是文本格式的 CSV 文件。"), "unreadable")
    else:
        attempts = [("utf-8", content), ("gb18030", content)]
    for encoding, data in attempts:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error(_("无法识别文件的文字编码：CSV 文件请保存为 UTF-8 或 GB18030（GBK）编码。"), "encoding")


def _read_csv(content: bytes) -> list[list[Any]]:
    text = _decode_text(content)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", "\t", ";"), key=first.count)
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:
        raise _file_error(_("无法读取该文件：CSV 格式有误。"), "unreadable") from None


def read_sheet(content: bytes, file_name: str) -> Sheet:
    """The data of an uploaded file, or a ``ValidationError`` that says in Chinese what is wrong
    (unknown type, unreadable, no header row, required columns missing)."""
    ext = _extension(file_name)
    if ext not in ALLOWED_EXTENSIONS:
        raise _file_error(
            _("不支持的文件类型“%(ext)s”：请上传 Excel 工作簿（.xlsx）或 CSV 文件。") % {"ext": ext or _("无扩展名")},
            "file_type",
        )
    if not content:
        raise _file_error(_("文件是空的。"), "empty")
    table = _read_csv(content) if ext == ".csv" else _read_workbook(content)

    header_at = None
    name_key = _header_key("姓名")
    for i, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        keys = [_header_key(v) for v in cells]
        if name_key in keys or sum(1 for k in keys if k in _header_index()) >= 3:
            header_at = i
            break
    if header_at is None:
        raise _file_error(
            _("找不到表头行：第一行应为列名（姓名、证件号码、身份类别、所属侨联等），请使用导入模板。"), "no_header"
        )
    headers = [clean(_text(v)) for v in table[header_at]]
    columns: dict[str, int] = {}
    ignored: list[str] = []
    silent = {_header_key(h) for h in SILENT_HEADERS}
    for index, header in enumerate(headers):
        key = _header_key(header)
        if not key:
            continue
        field_name = _header_index().get(key)
        if field_name and field_name not in columns:
            columns[field_name] = index
        elif key not in silent:
            ignored.append(header)
    missing = [col.header for col in COLUMNS if col.required and col.field not in columns]
    if missing:
        raise _file_error(
            _("缺少必填列：%(columns)s。请使用导入模板，或把表头改成模板中的列名。") % {"columns": "、".join(missing)},
            "missing_columns",
        )
    rows = []
    for i, cells in enumerate(table[header_at + 1 :], start=header_at + 2):
        if all(_is_empty(v) for v in cells):
            continue
        rows.append((i, list(cells) + [""] * (len(headers) - len(cells))))
    return Sheet(headers=headers, header_row=header_at + 1, columns=columns, rows=rows, ignored_headers=ignored)


# Cells -----------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text. Spreadsheet readers give whole numbers as floats (2018.0 → "2018")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).upper()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _date_text(value: Any) -> str:
    """A date cell as ISO text for the form; a wrong date (1990-02-30) stays wrong, so the
    form names it, and text that is not a date at all is passed on as written."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = clean(_text(value))
    match = _DATE_TEXT.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups()[:3])
        return f"{year:04d}-{month:02d}-{day:02d}"
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def _year_text(value: Any) -> str:
    return clean(_text(value)).removesuffix("年")


def _choice_code(field_name: str, text: str) -> str:
    """The code for a label; unknown text is passed on so the form's message names it."""
    return _choice_index(field_name).get(_key(text), text) if text else ""


def _country_code(text: str) -> str:
    return _country_index().get(_key(text), text) if text else ""


def _id_number_is_excel_number(value: Any) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(_NUMBER_TEXT.match(value.strip()))


def _normalized_document(id_type: str, raw: str) -> str | None:
    """The number as ``PersonForm`` stores it (same validators), or None when it is invalid."""
    try:
        if id_type == c.IdType.RESIDENT_ID:
            return parse_resident_id(raw).number
        number = normalize_document_number(raw)
        return number if len(number) >= 5 else None
    except ValidationError:
        return None


# Federations -----------------------------------------------------------------------------------


class FederationIndex:
    """所属侨联 by full name, short name or alias, limited to the uploader's jurisdiction."""

    def __init__(self, user):
        self.scope = scope_for(user)
        self.by_key: dict[str, set[int]] = {}
        self.active: set[int] = set()
        for fed in self._all_federation_names_unscoped():
            if fed.is_active:
                self.active.add(fed.pk)
            for name in (fed.name, fed.short_name, *fed.alias_list()):
                if name:
                    self.by_key.setdefault(_key(name), set()).add(fed.pk)

    @staticmethod
    def _all_federation_names_unscoped() -> QuerySet[Federation]:
        """Every federation's names, past the jurisdiction rule on purpose: only to tell an
        unknown name from one outside the user's jurisdiction (organization names are public)."""
        return Federation.objects.only("pk", "name", "short_name", "aliases", "is_active")

    def resolve(self, text: str) -> tuple[int | None, str]:
        """(federation id, "") or (None, the reason in Chinese)."""
        if not text:
            return None, _("请填写所属侨联。")
        found = self.by_key.get(_key(text), set())
        if not found:
            return None, _("未知的侨联：%(name)s") % {"name": text}
        allowed = {pk for pk in found if self.scope.allows(pk)}
        if not allowed:
            return None, _("所属侨联不在您的管辖范围内：%(name)s") % {"name": text}
        usable = allowed & self.active
        if not usable:
            return None, _("该侨联组织已停用：%(name)s") % {"name": text}
        if len(usable) > 1:
            return None, _("侨联名称“%(name)s”对应多个组织，请填写全称。") % {"name": text}
        return next(iter(usable)), ""


# Checking rows ---------------------------------------------------------------------------------


@dataclass
class RowIssue:
    column: str
    value: str  # masked for protected columns
    reason: str
    is_duplicate: bool = False


@dataclass
class CheckOutcome:
    total: int = 0
    valid: int = 0
    invalid: int = 0
    duplicates: int = 0
    issues: dict[int, list[RowIssue]] = field(default_factory=dict)
    persons: list[Person] = field(default_factory=list)


class _PersonFormPool:
    """``PersonForm`` built once per file and re-bound for each row, so every row meets the very
    rules and messages of the web form, at a fraction of the cost:

    - building a form deep-copies its ~40 fields (over half the time of a row); cleaning keeps no
      state in the fields, so a shallow copy of one built form, given the row's data, validates
      exactly as a new form would (a test compares the two);
    - the code-list fields (countries above all) re-normalize their lazy choices on every check:
      the prototype holds them as a list, the same choices;
    - the federation field looks its value up among the same federations, read once per file
      instead of one query per row, with the field's own error for a value not among them."""

    def __init__(self, federations: QuerySet[Federation]):
        form = PersonForm(data={}, federations=federations)
        for form_field in form.fields.values():
            if isinstance(form_field, forms.ChoiceField) and not isinstance(form_field, forms.ModelChoiceField):
                form_field.choices = list(form_field.choices)
        federation_field = form.fields["federation"]
        by_pk = {str(f.pk): f for f in federation_field.queryset}

        def federation_to_python(value):
            if value in federation_field.empty_values:
                return None
            try:
                return by_pk[str(value)]
            except KeyError:
                raise ValidationError(
                    federation_field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
                ) from None

        federation_field.to_python = federation_to_python
        self._prototype = form

    def bind(self, data: dict[str, Any]) -> PersonForm:
        form = copy.copy(self._prototype)
        form.data = data
        form._errors = None
        form._bound_fields_cache = {}
        return form


def _masked(col: Column | None, text: str) -> str:
    if col is not None and col.mask_kind and text:
        return mask(col.mask_kind, text)
    return text


@dataclass
class PreparedRow:
    """A row read into form data, before the form runs."""

    number: int
    cells: list[Any]
    data: dict[str, Any]
    problems: dict[str, str]  # field → reason found before the form
    id_hash: str | None


class RowChecker:
    """Turns rows of the file into ``PersonForm`` data, validates them and reports their issues."""

    def __init__(self, *, sheet: Sheet, actor):
        self.sheet = sheet
        self.federations = FederationIndex(actor)
        self.pool = _PersonFormPool(federation_choices(user=actor))
        self.existing_hashes: set[str] = set()
        self.seen: dict[str, int] = {}  # ID number hash → first row with it

    def _issue(self, cells: list[Any], field_name: str | None, reason: str, *, duplicate: bool = False) -> RowIssue:
        if field_name is None or field_name == "__all__":
            return RowIssue(column="", value="", reason=reason, is_duplicate=duplicate)
        col = COLUMN_BY_FIELD.get(field_name)
        plain = _text(self.sheet.cell(cells, field_name)) if col else ""
        if col is not None and col.mask_kind and plain:
            reason = reason.replace(plain, mask(col.mask_kind, plain))  # messages may quote the value
        header = col.header if col else str(PersonForm.base_fields[field_name].label)
        return RowIssue(column=header, value=_masked(col, plain), reason=reason, is_duplicate=duplicate)

    def prepare(self, number: int, cells: list[Any]) -> PreparedRow:
        """The row as ``PersonForm`` data, the problems found before the form, the ID hash."""
        problems: dict[str, str] = {}
        data: dict[str, Any] = {
            "living_status": c.LivingStatus.LIVING,
            "verification": c.Verification.SELF_REPORTED,
            "source": c.Source.IMPORT,
        }
        for col in COLUMNS:
            if col.field not in self.sheet.columns:
                continue
            value = self.sheet.cell(cells, col.field)
            if col.kind == "date":
                data[col.field] = _date_text(value)
            elif col.kind == "year":
                data[col.field] = _year_text(value)
            elif col.kind == "choice":
                data[col.field] = _choice_code(col.field, clean(_text(value)))
            elif col.kind == "country":
                data[col.field] = _country_code(clean(_text(value)))
            elif col.kind == "hardship":
                parts = [p for p in _LIST_SEPARATORS.split(clean(_text(value))) if p]
                data[col.field] = [_choice_code(col.field, p) for p in parts]
                if parts:
                    data["is_in_hardship"] = "on"
            elif col.kind == "federation":
                pk, reason = self.federations.resolve(clean(_text(value)))
                if pk is None:
                    problems[col.field] = reason
                else:
                    data[col.field] = str(pk)
            elif col.kind == "id_number":
                if _id_number_is_excel_number(value):
                    problems[col.field] = _(
                        "证件号码被表格软件存成了数字，末几位可能已丢失：请把该列设为文本格式，按证件原样重新填写。"
                    )
                elif not _text(value):
                    problems[col.field] = _("请填写证件号码（导入时用它查重）。")
                else:
                    data[col.field] = _text(value)
            else:
                data[col.field] = _text(value)
        data["id_type"] = data.get("id_type") or c.IdType.RESIDENT_ID
        data["sex"] = data.get("sex") or c.Sex.UNKNOWN
        if not data.get("nationality") and data.get("category") != c.Category.FOREIGN_CHINESE:
            data["nationality"] = "CN"  # the model's default, which the web form starts with
        digest = None
        if data.get("id_number"):
            normalized = _normalized_document(data["id_type"], data["id_number"])
            digest = lookup_hash(Kind.ID_NUMBER, normalized) if normalized else None
        return PreparedRow(number=number, cells=cells, data=data, problems=problems, id_hash=digest)

    def check(self, row: PreparedRow) -> tuple[list[RowIssue], PersonForm | None]:
        """The row's issues (none when it can be imported) and, when valid, its form."""
        digest = row.id_hash
        if digest is not None and digest in self.existing_hashes:
            reason = _("该证件号码已在侨情库中登记，本行不再导入。")
            return [self._issue(row.cells, "id_number", reason, duplicate=True)], None
        if digest is not None and digest in self.seen:
            reason = _("与第 %(row)s 行的证件号码相同，本行不再导入。") % {"row": self.seen[digest]}
            return [self._issue(row.cells, "id_number", reason, duplicate=True)], None
        if digest is not None:
            self.seen[digest] = row.number
        form = self.pool.bind(row.data)
        if form.is_valid() and not row.problems:
            return [], form
        issues = [self._issue(row.cells, name, reason) for name, reason in row.problems.items()]
        for name, messages in form.errors.items():
            if name in row.problems:
                continue  # already explained, more precisely
            # The first message says what is wrong with the cell; a later one (from the rules
            # across fields) would only repeat it in other words.
            issues.append(self._issue(row.cells, name, str(messages[0])))
        return issues, None


def _hashes_in_registry(digests: Iterable[str], *, chunk: int = 500) -> set[str]:
    """Which of these ID number hashes are already in the registry. ID numbers are unique across
    the whole registry, so this looks past the jurisdiction; it answers yes or no, nothing more."""
    unique = sorted(set(digests))
    found: set[str] = set()
    for i in range(0, len(unique), chunk):
        found.update(
            Person.objects.filter(id_number_hash__in=unique[i : i + chunk]).values_list("id_number_hash", flat=True)
        )
    return found


def check_rows(
    *,
    sheet: Sheet,
    actor,
    known_issues: dict[int, list[RowIssue]] | None = None,
    keep_persons: bool = False,
    progress: Callable[[int], None] | None = None,
) -> CheckOutcome:
    """Check every row of ``sheet`` for ``actor``. Rows in ``known_issues`` (the preview's verdict,
    at commit) keep their issues unchecked, so a commit never imports a row the preview listed.
    With ``keep_persons``, the persons of the valid rows are built too (not saved)."""
    known = known_issues or {}
    checker = RowChecker(sheet=sheet, actor=actor)
    prepared = {number: checker.prepare(number, cells) for number, cells in sheet.rows if number not in known}
    checker.existing_hashes = _hashes_in_registry(row.id_hash for row in prepared.values() if row.id_hash)
    outcome = CheckOutcome(total=len(sheet.rows))
    for done, (number, _cells) in enumerate(sheet.rows, start=1):
        if number in known:
            issues, form = known[number], None
        else:
            issues, form = checker.check(prepared[number])
        if form is not None:
            outcome.valid += 1
            if keep_persons:
                outcome.persons.append(Person(created_by=actor, **{**form.person_data(), "source": c.Source.IMPORT}))
        else:
            outcome.issues[number] = issues
            if any(i.is_duplicate for i in issues):
                outcome.duplicates += 1
            else:
                outcome.invalid += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    if progress is not None:
        progress(outcome.total)
    return outcome


# The rejects workbook and the template ---------------------------------------------------------


def _reason_text(issues: Iterable[RowIssue]) -> str:
    return "；".join(f"{i.column}：{i.reason}" if i.column else i.reason for i in issues)


def _write_cell(sheet, row: int, col: int, value: Any, formats: dict[str, Any]) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            sheet.write_string(row, col, repr(value))
        else:
            sheet.write_number(row, col, value)
    elif isinstance(value, dt.datetime | dt.date):
        sheet.write_datetime(row, col, value, formats["date"])
    else:
        sheet.write_string(row, col, str(value))


def rejects_workbook(sheet: Sheet, outcome: CheckOutcome) -> bytes:
    """The rows not imported, as they were in the file, with their row number and reasons."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    out = book.add_worksheet(_("未导入的行"))
    formats = {
        "head": book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1}),
        "reason_head": book.add_format({"bold": True, "bg_color": "#FDE2E1", "border": 1}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "text": book.add_format({"num_format": "@"}),
    }
    width = len(sheet.headers)
    for col, header in enumerate(sheet.headers):
        out.write_string(0, col, header, formats["head"])
    out.write_string(0, width, _(ROW_NUMBER_HEADER), formats["reason_head"])
    out.write_string(0, width + 1, _(REASON_HEADER), formats["reason_head"])
    for field_name in ("id_number", "phone", "phone_alt"):
        if field_name in sheet.columns:
            out.set_column(sheet.columns[field_name], sheet.columns[field_name], 22, formats["text"])
    out_row = 0
    for row_number, cells in sheet.rows:
        issues = outcome.issues.get(row_number)
        if not issues:
            continue
        out_row += 1
        for col in range(width):
            _write_cell(out, out_row, col, cells[col] if col < len(cells) else "", formats)
        out.write_number(out_row, width, row_number)
        out.write_string(out_row, width + 1, _reason_text(issues))
    out.set_column(width + 1, width + 1, 60)
    out.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def import_template_xlsx(*, user) -> bytes:
    """The template workbook: the columns in Chinese (required ones in red), drop-down lists from
    the code lists and the user's federations, ID and phone columns formatted as text."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    data = book.add_worksheet(_("人员信息"))
    notes = book.add_worksheet(_("填写说明"))
    lists = book.add_worksheet(_("代码表"))
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    head_required = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "font_color": "#C00000"})
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    max_row = 20000

    federations = [f.name for f in federation_choices(user=user)]
    with translation.override("zh-hans"):
        country_names = [str(country.name) for country in countries]
    code_lists: dict[str, list[str]] = {
        name: [str(label) for _code, label in choices] for name, choices in _CHOICES.items() if name != "hardship_types"
    }
    code_lists["federation"] = federations
    code_lists["country"] = country_names
    list_ranges: dict[str, str] = {}
    for col_index, (name, values) in enumerate(code_lists.items()):
        lists.write_string(0, col_index, name)
        for row, value in enumerate(values, start=1):
            lists.write_string(row, col_index, value)
        if values:
            letter = xlsxwriter.utility.xl_col_to_name(col_index)
            list_ranges[name] = f"='{lists.get_name()}'!${letter}$2:${letter}${len(values) + 1}"
    lists.hide()

    for col_index, col in enumerate(COLUMNS):
        data.write_string(0, col_index, col.header, head_required if col.required else head)
        cell_format = text if col.kind in ("id_number", "protected") else date if col.kind == "date" else None
        data.set_column(col_index, col_index, col.width, cell_format)
        if col.hint:
            data.write_comment(0, col_index, str(col.hint))
        list_name = {"choice": col.field, "federation": "federation", "country": "country"}.get(col.kind, "")
        source = list_ranges.get(list_name)
        if source:
            data.data_validation(
                1,
                col_index,
                max_row,
                col_index,
                {"validate": "list", "source": source, "error_type": "warning", "ignore_blank": True},
            )
    data.freeze_panes(1, 0)
    data.activate()

    notes.set_column(0, 0, 100)
    lines = [
        _("侨情人员导入模板填写说明"),
        _("1. 请在“人员信息”工作表中每行填写一人，不要修改第一行的列名。红色列名为必填列。"),
        _("2. 证件号码必填，用于查重：同一证件号码已在侨情库中的人员不会重复导入。"),
        _("3. 证件号码、手机请按文本填写（本模板已设为文本格式），不要让表格软件存成数字，否则末几位会丢失。"),
        _("4. 出生日期可写成 1950-03-02、1950/3/2 或 1950年3月2日；填写身份证号码时可不填出生日期和性别。"),
        _("5. 所属侨联填写组织全称、简称或别名，须在您的管辖范围内。"),
        _("6. 国家/地区可填中文名、英文名或两位/三位代码，如 美国、United States、US。"),
        _("7. 困难类型可填多个，用逗号或顿号分隔；留空表示不是困难归侨侨眷。可选：%(types)s。")
        % {"types": "、".join(str(label) for _code, label in c.Hardship.choices)},
        _("8. 上传后系统先逐行检查并列出有问题的行，确认后才导入；未导入的行可下载，改正后再次导入。"),
    ]
    for row, line in enumerate(lines):
        notes.write_string(row, 0, line)
    book.close()
    return buffer.getvalue()


# Services: upload, check, confirm, commit, cancel ----------------------------------------------


def _require_importer(actor) -> None:
    require_perm(actor, "registry.import_person")
    if getattr(actor, "federation_id", None) is None:
        raise PermissionDenied("no federation")


def import_batch_create(*, actor, upload: UploadedFile) -> ImportBatch:
    """Store an uploaded file as a new batch and start its check in the background. A file that
    cannot be imported at all is refused with a ``ValidationError`` and nothing is stored."""
    _require_importer(actor)
    name = clean(os.path.basename(upload.name or ""))
    ext = _extension(name)
    if ext not in ALLOWED_EXTENSIONS:
        raise _file_error(
            _("不支持的文件类型“%(ext)s”：请上传 Excel 工作簿（.xlsx）或 CSV 文件。") % {"ext": ext or _("无扩展名")},
            "file_type",
        )
    limit = settings.QIAOLIAN_IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise _file_error(
            _("文件过大（%(size)s），不能超过 %(limit)s。请分成几个文件上传。")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            "too_large",
        )
    content = upload.read()
    if len(content) > limit:
        raise _file_error(_("文件过大，不能超过 %(limit)s。") % {"limit": filesizeformat(limit)}, "too_large")
    sheet = read_sheet(content, name)
    if not sheet.rows:
        raise _file_error(_("文件中没有数据行：请在表头下面逐行填写人员。"), "no_rows")
    message = ""
    if sheet.ignored_headers:
        message = _("以下列不在模板中，未导入：%(columns)s") % {"columns": "、".join(sheet.ignored_headers)}
    with transaction.atomic():
        batch = ImportBatch(
            federation_id=actor.federation_id,
            created_by=actor,
            file_name=name[:200],
            total_rows=len(sheet.rows),
            message=message,
        )
        batch.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(content), save=False)
        batch.save()
        transaction.on_commit(partial(_enqueue_check, batch.pk))
    return batch


def _enqueue_check(batch_id: int) -> None:
    from qiaolian.registry.tasks import import_batch_check_task

    import_batch_check_task.enqueue(batch_id)


def _enqueue_commit(batch_id: int, actor_id: int) -> None:
    from qiaolian.registry.tasks import import_batch_commit_task

    import_batch_commit_task.enqueue(batch_id, actor_id)


def _batch_sheet(batch: ImportBatch) -> Sheet:
    with batch.file.open("rb") as handle:
        content = handle.read()
    return read_sheet(content, batch.file_name or batch.file.name)


def _progress_writer(batch_id: int) -> Callable[[int], None]:
    def write(done: int) -> None:
        ImportBatch.objects.filter(pk=batch_id).update(processed_rows=done)

    return write


def _issue_rows(batch: ImportBatch, outcome: CheckOutcome) -> list[ImportIssue]:
    return [
        ImportIssue(
            batch=batch,
            row_number=row_number,
            column=issue.column[:40],
            value=issue.value[:200],
            reason=issue.reason[:300],
            is_duplicate=issue.is_duplicate,
        )
        for row_number, issues in sorted(outcome.issues.items())
        for issue in issues
    ]


def _stored_issues(batch: ImportBatch) -> dict[int, list[RowIssue]]:
    issues: dict[int, list[RowIssue]] = {}
    for issue in batch.issues.order_by("row_number", "id"):
        issues.setdefault(issue.row_number, []).append(
            RowIssue(column=issue.column, value=issue.value, reason=issue.reason, is_duplicate=issue.is_duplicate)
        )
    return issues


def _fail(batch_id: int, message: str) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
    )
    return ImportBatch.objects.get(pk=batch_id)


def import_batch_check(*, batch_id: int) -> ImportBatch:
    """Check every row of an uploaded batch (background job). Ends CHECKED with the counts and
    an issue for every row that would not be imported, or FAILED with a message."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKING):
        return batch  # already done (a repeated delivery of the job)
    ImportBatch.objects.filter(pk=batch_id).update(status=ImportStatus.CHECKING, processed_rows=0)
    try:
        sheet = _batch_sheet(batch)
        outcome = check_rows(sheet=sheet, actor=batch.created_by, progress=_progress_writer(batch_id))
        with transaction.atomic():
            batch.issues.all().delete()
            ImportIssue.objects.bulk_create(_issue_rows(batch, outcome), batch_size=1000)
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportStatus.CHECKED,
                total_rows=outcome.total,
                processed_rows=outcome.total,
                valid_rows=outcome.valid,
                invalid_rows=outcome.invalid,
                duplicate_rows=outcome.duplicates,
            )
    except ValidationError as error:
        return _fail(batch_id, " ".join(error.messages))
    except Exception:
        logger.exception("import batch %s: check failed", batch_id)
        return _fail(batch_id, _("检查时出错，未导入任何数据。请重新上传；如仍出错，请联系系统管理员。"))
    return ImportBatch.objects.get(pk=batch_id)


def import_batch_confirm(*, actor, batch: ImportBatch) -> ImportBatch:
    """The user confirms a checked batch: the import runs in the background."""
    _require_importer(actor)
    require_in_scope(actor, batch.federation_id)
    started = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING, processed_rows=0
    )
    if not started:
        raise ValidationError(_("该批次现在不能导入（只有检查完成、待确认的批次可以导入）。"), code="state")
    transaction.on_commit(partial(_enqueue_commit, batch.pk, actor.pk))
    batch.refresh_from_db()
    return batch


def import_batch_commit(*, batch_id: int, actor_id: int) -> ImportBatch:
    """Import a confirmed batch (background job): read the file again and check again the rows
    the preview found importable (the registry may have changed since), insert the valid ones in
    one transaction with one audit entry, keep the rows not imported as a workbook with reasons.
    Any failure leaves the registry untouched and the batch FAILED with a message."""
    from django.contrib.auth import get_user_model

    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportStatus.IMPORTING:
        return batch
    saved_name = ""
    try:
        actor = get_user_model().objects.get(pk=actor_id)
        _require_importer(actor)
        require_in_scope(actor, batch.federation_id)
        sheet = _batch_sheet(batch)
        outcome = check_rows(
            sheet=sheet,
            actor=actor,
            known_issues=_stored_issues(batch),
            keep_persons=True,
            progress=_progress_writer(batch_id),
        )
        rejects = rejects_workbook(sheet, outcome) if outcome.issues else b""
        with transaction.atomic():
            imported = persons_bulk_create(actor=actor, persons=outcome.persons, batch=batch)
            audit_record(
                actor=actor,
                action=Action.IMPORT,
                target=batch,
                federation_id=batch.federation_id,
                data={
                    "file_name": batch.file_name,
                    "rows": outcome.total,
                    "imported": imported,
                    "invalid": outcome.invalid,
                    "duplicates": outcome.duplicates,
                },
            )
            batch.issues.all().delete()
            ImportIssue.objects.bulk_create(_issue_rows(batch, outcome), batch_size=1000)
            if rejects:
                batch.rejects_file.save(f"rejects-{batch.pk}.xlsx", ContentFile(rejects), save=False)
                saved_name = batch.rejects_file.name
            batch.status = ImportStatus.DONE
            batch.total_rows = outcome.total
            batch.processed_rows = outcome.total
            batch.valid_rows = outcome.valid
            batch.invalid_rows = outcome.invalid
            batch.duplicate_rows = outcome.duplicates
            batch.imported_rows = imported
            batch.finished_at = timezone.now()
            batch.save()
    except Exception as exc:
        if saved_name:
            batch.rejects_file.storage.delete(saved_name)
        if isinstance(exc, ValidationError):
            reason = " ".join(exc.messages)
        else:
            logger.exception("import batch %s: commit failed", batch_id)
            reason = _("写入时出错。")
        return _fail(batch_id, _("导入失败，没有写入任何人员：%(reason)s") % {"reason": reason})
    return batch


def import_batch_cancel(*, actor, batch: ImportBatch) -> ImportBatch:
    """Drop a checked batch without importing; the uploaded file is deleted."""
    _require_importer(actor)
    require_in_scope(actor, batch.federation_id)
    cancelled = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.CANCELLED, finished_at=timezone.now()
    )
    if not cancelled:
        raise ValidationError(_("只有待确认的批次可以取消。"), code="state")
    batch.refresh_from_db()
    if batch.file:
        batch.file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")
    return batch


def import_rejects_open(*, actor, batch: ImportBatch) -> File:
    """The workbook of rows not imported (they hold personal data as uploaded): the download is
    an export and is audited."""
    _require_importer(actor)
    require_in_scope(actor, batch.federation_id)
    if not batch.rejects_file:
        raise ValidationError(_("该批次没有未导入的行。"), code="no_rejects")
    handle = batch.rejects_file.open("rb")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Action.EXPORT,
            target=batch,
            federation_id=batch.federation_id,
            data={"kind": "import_rejects", "rows": batch.invalid_rows + batch.duplicate_rows},
        )
    return handle


def import_issues(*, batch: ImportBatch, kind: str = "") -> QuerySet[ImportIssue]:
    """The issues of a batch the caller has already fetched through ``import_batch_list``;
    ``kind`` is "errors", "duplicates" or "" for all."""
    qs = batch.issues.all()
    if kind == "errors":
        qs = qs.filter(is_duplicate=False)
    elif kind == "duplicates":
        qs = qs.filter(is_duplicate=True)
    return qs
