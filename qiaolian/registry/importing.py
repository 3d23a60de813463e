"""Import of registry persons from the template workbook or an office's own spreadsheet
(.xlsx/.xlsm/.xls/.ods, several sheets allowed) or a CSV file, read through ``core.tabular`` and
cleaned by ``core.normalize`` (docs/import.md).

The flow (PRODUCT.md §4: long jobs in the background, bad input named, nothing half-written):

1. ``import_batch_create`` — the upload is checked at once (type, size, readable, a header row,
   at least one data row); a bad file is refused with a message and nothing is stored. A missing
   required column does not refuse the file: the user can map it on the preview.
2. ``import_batch_check`` (background) — every row goes through ``PersonForm``, the one place the
   person rules live, so an import row gets the very message the web form gives. Rows already in
   the registry (same ID number, by keyed hash) and repeats within the file (in any sheet) are
   listed as duplicates. An importable row that may be a person already in the registry (same
   name and phone, or name and birth date, or name, sex and a birth date with month and day
   swapped: ``registry.duplicates``) gets a warning, not an error: it is still imported. Rows are
   streamed a chunk at a time (one registry lookup per chunk for each kind); progress is written
   every few hundred rows; the issues are written at the end.
3. The preview page lists the counts, the column mapping used (correctable:
   ``import_batch_remap`` checks the file again) and every issue (sheet, row, column, masked
   value, reason).
4. ``import_batch_confirm`` + ``import_batch_commit`` (background) — the file is read again, the
   rows the preview found importable are checked again (the registry may have changed), the valid
   ones are inserted in one transaction with one audit entry, and the rows not imported are
   offered back as a workbook with their reasons. A commit never imports a row the preview listed.
5. ``import_batch_rollback`` — a finished batch is undone as a whole, unless some of its persons
   are in use.

Every data row ends up either imported or listed with a reason; blank and total rows are not
data rows.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import multiprocessing
import os
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core import normalize, tabular
from qiaolian.core.importkinds import (
    ID_NUMBER_ALIASES,
    LIST_SEPARATORS,
    REASON_HEADER,
    ROW_NUMBER_HEADER,
    SHEET_HEADER,
    Checker,
    Column,
    FederationIndex,
    FormPool,
    ImportKind,
    RowIssue,
    RowRef,
    country_code,
    country_names_zh,
    delete_records,
    get_kind,
    label_index,
    label_key,
    masked,
    records_in_use,
    register,
    row_label,
)
from qiaolian.core.jobs import job_test_pause
from qiaolian.core.masking import Kind, mask
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.core.protected import lookup_hash
from qiaolian.core.tabular import ColumnSpec, Table, TableRow
from qiaolian.core.text import clean
from qiaolian.core.validators import normalize_document_number, parse_resident_id
from qiaolian.orgs.models import Federation
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry import choices as c
from qiaolian.registry.duplicates import EntryKeys, Match, candidates_for_rows, entry_keys, visible_names
from qiaolian.registry.forms import PersonForm
from qiaolian.registry.models import Household, ImportBatch, ImportIssue, ImportStatus, Person
from qiaolian.registry.services import households_attach, persons_bulk_create

logger = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = tabular.EXTENSIONS
PROGRESS_EVERY = 200  # rows between two progress writes
CHUNK_ROWS = 1000  # rows prepared (and looked up in the registry) at a time
_LIST_SEPARATORS = LIST_SEPARATORS


# Columns ---------------------------------------------------------------------------------------


COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", required=True, aliases=("中文姓名", "名字", "姓 名"), width=10),
    Column("外文名", "foreign_name", aliases=("外文姓名", "英文名"), width=16),
    Column("性别", "sex", "choice", hint=gettext_lazy("男 / 女；留空时按身份证号码推断"), width=6),
    Column(
        "出生日期",
        "birth_date",
        "date",
        aliases=("出生年月日", "出生年月", "生日", "出生时间"),
        hint=gettext_lazy("如 1950-03-02"),
        width=12,
    ),
    Column("证件类型", "id_type", "choice", hint=gettext_lazy("留空表示居民身份证"), width=14),
    Column(
        "证件号码",
        "id_number",
        "id_number",
        required=True,
        aliases=ID_NUMBER_ALIASES,
        hint=gettext_lazy("必填，用于查重。请以文本格式填写，勿让表格软件存成数字"),
        width=22,
    ),
    Column("身份类别", "category", "choice", required=True, aliases=("侨界身份", "类别"), width=12),
    Column(
        "所属侨联", "federation", "federation", required=True, aliases=("侨联组织", "所属组织", "所在侨联"), width=16
    ),
    Column("归来国家/地区", "returned_from", "country", aliases=("归来国家", "归来国家（地区）"), width=14),
    Column("归国年份", "returned_year", "year", width=8),
    Column("籍贯", "native_place", width=12),
    Column("住址", "address", "protected", aliases=("居住地址", "家庭住址", "户籍地址", "现住址", "地址"), width=30),
    Column(
        "手机",
        "phone",
        "protected",
        aliases=("手机号", "手机号码", "手机/电话", "联系电话", "联系方式", "电话"),
        width=14,
    ),
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
    # The household (家庭户) a row belongs to: not PersonForm fields (see RowChecker.prepare).
    Column(
        "户号",
        "household_key",
        "household",
        aliases=("家庭户号", "户编号", "家庭编号"),
        hint=gettext_lazy("同一户的人员填同一户号（只在本文件内有效），导入时建为一个家庭户；留空表示不编户"),
        width=8,
    ),
    Column(
        "与户主关系",
        "household_relation",
        "choice",
        aliases=("与户主的关系", "户内关系", "家庭关系"),
        hint=gettext_lazy("户主、配偶、子女、子女配偶、父母、孙子女/外孙子女、兄弟姐妹、其他"),
        width=10,
    ),
)
HOUSEHOLD_FIELDS = ("household_key", "household_relation")
COLUMN_BY_FIELD = {col.field: col for col in COLUMNS}
SPECS: tuple[ColumnSpec, ...] = tuple(col.spec for col in COLUMNS)

_CHOICES: dict[str, list[tuple[str, Any]]] = {
    "sex": c.Sex.choices,
    "id_type": c.IdType.choices,
    "category": c.Category.choices,
    "occupation": c.Occupation.choices,
    "political_status": c.PoliticalStatus.choices,
    "education": c.Education.choices,
    "ethnicity": c.ETHNICITY_CHOICES,
    "hardship_types": c.Hardship.choices,
    "household_relation": c.HouseholdRelation.choices,
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
    "household_relation": {
        **dict.fromkeys(("本人", "户主本人"), c.HouseholdRelation.HEAD),
        **dict.fromkeys(("妻", "妻子", "夫", "丈夫", "爱人"), c.HouseholdRelation.SPOUSE),
        **dict.fromkeys(("子", "女", "儿子", "女儿", "长子", "长女", "次子", "次女"), c.HouseholdRelation.CHILD),
        **dict.fromkeys(("儿媳", "女婿", "媳妇"), c.HouseholdRelation.CHILD_SPOUSE),
        **dict.fromkeys(("父", "母", "父亲", "母亲", "岳父", "岳母", "公公", "婆婆"), c.HouseholdRelation.PARENT),
        **dict.fromkeys(("孙子", "孙女", "外孙", "外孙女", "孙子女"), c.HouseholdRelation.GRANDCHILD),
        **dict.fromkeys(("兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"), c.HouseholdRelation.SIBLING),
    },
}


@cache
def _choice_index(field_name: str) -> dict[str, str]:
    """Label (and code) → code for a person code list (``core.importkinds.label_index``), with
    the words people write besides the labels; cached per process."""
    index = label_index(_CHOICES[field_name], _SYNONYMS.get(field_name))
    if field_name == "ethnicity":
        for code, _label in _CHOICES[field_name]:
            if code.endswith("族") and len(code) > 2:
                index.setdefault(label_key(code[:-1]), code)
    return index


# Reading files ---------------------------------------------------------------------------------


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def missing_columns_message(table: Table) -> str:
    if not table.missing:
        return ""
    return _("缺少必填列：%(columns)s。请在“列对应”中指出哪一列是它，或把表头改成模板中的列名。") % {
        "columns": "、".join(table.missing)
    }


def ignored_columns_message(table: Table) -> str:
    if not table.ignored_headers:
        return ""
    return _("以下列不在模板中，未导入：%(columns)s") % {"columns": "、".join(table.ignored_headers)}


# Cells -----------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return normalize.text(value)


def _choice_code(field_name: str, text: str) -> str:
    """The code for a label; unknown text is passed on so the form's message names it."""
    return _choice_index(field_name).get(label_key(text), text) if text else ""


_country_code = country_code


def normalized_document(id_type: str, raw: str) -> str | None:
    """The number as ``PersonForm`` stores it (same validators), or None when it is invalid."""
    try:
        if id_type == c.IdType.RESIDENT_ID:
            return parse_resident_id(raw).number
        number = normalize_document_number(raw)
        return number if len(number) >= 5 else None
    except ValidationError:
        return None


# Checking rows ---------------------------------------------------------------------------------


@dataclass
class CheckOutcome:
    total: int = 0
    valid: int = 0
    invalid: int = 0
    duplicates: int = 0
    warned: int = 0  # valid rows with warnings
    issues: dict[RowRef, list[RowIssue]] = field(default_factory=dict)  # rows not imported
    warnings: dict[RowRef, list[RowIssue]] = field(default_factory=dict)  # rows imported, to look at
    persons: list[Person] = field(default_factory=list)
    rejected: list[TableRow] = field(default_factory=list)  # kept with ``keep_rejected``

    def first_issues(self, count: int) -> list[tuple[RowRef, RowIssue]]:
        found = []
        for ref, issues in self.issues.items():
            for issue in issues:
                if len(found) == count:
                    return found
                found.append((ref, issue))
        return found


class _ImportPersonForm(PersonForm):
    """``PersonForm`` for import rows: the same fields, rules and messages. Cleaning reads each
    field's value from the row's data with the field's widget, as ``BoundField.data`` does,
    without building a ``BoundField`` per field and row (40 fields a row: a third of the form's
    time). Only valid for a form without disabled or file fields, as ``PersonForm`` is
    (``_PersonFormPool`` checks)."""

    def _clean_fields(self) -> None:
        for name, form_field in self.fields.items():
            try:
                value = form_field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
                self.cleaned_data[name] = form_field.clean(value)
                field_cleaner = getattr(self, f"clean_{name}", None)
                if field_cleaner is not None:
                    self.cleaned_data[name] = field_cleaner()
            except ValidationError as error:
                self.add_error(name, error)


class _PersonFormPool(FormPool):
    """``_ImportPersonForm`` re-bound row after row (``core.importkinds.FormPool``), its
    federations read once; the ID number is not looked up in the registry row by row:
    ``RowChecker`` has looked up the chunk's numbers in one query, and a row with a registered
    number never reaches the form."""

    def __init__(self, federations: QuerySet[Federation]):
        form = _ImportPersonForm(data={}, federations=federations)
        form.looks_up_id_numbers = False  # RowChecker looks them up per chunk (existing_hashes)
        super().__init__(form, read_once=("federation",))


_masked = masked


@dataclass
class PreparedRow:
    """A row read into form data, before the form runs."""

    row: TableRow
    data: dict[str, Any]
    problems: dict[str, str]  # field → reason found before the form
    id_hash: str | None
    household: tuple[str, str] = ("", "")  # (户号, relation code)

    @property
    def ref(self) -> RowRef:
        return self.row.ref


@dataclass(frozen=True)
class ValidPerson:
    """A row the form found valid: its keys for the entry-time duplicate check and the data the
    person is built from (picklable, so a worker process can hand it back)."""

    entry: EntryKeys
    person_data: dict[str, Any]
    household: tuple[str, str] = ("", "")  # (户号, relation code)


@dataclass(frozen=True)
class Prechecked:
    """What ``RowChecker.precheck`` found of one row on its own."""

    id_hash: str | None
    issues: list[RowIssue]
    valid: ValidPerson | None


_row_label = row_label


class RowChecker(Checker):
    """Turns rows of the file into ``PersonForm`` data, validates them and reports their issues.
    ``default_federation`` (an id) is used for rows whose 所属侨联 is blank, when given."""

    # Candidates named one by one on a row's warning; more are counted.
    WARNED_CANDIDATES = 5

    def __init__(self, *, actor, default_federation: int | None = None):
        self.actor = actor
        self.federations = FederationIndex(actor)
        self.pool = _PersonFormPool(federation_choices(user=actor))
        self.default_federation = default_federation
        self.existing_hashes: set[str] = set()
        self.seen: dict[str, RowRef] = {}  # ID number hash → first row with it
        self.households: dict[str, dict[str, Any]] = {}  # 户号 → federation, rows and head so far

    def _issue(self, row: TableRow, field_name: str | None, reason: str, *, duplicate: bool = False) -> RowIssue:
        if field_name is None or field_name == "__all__":
            return RowIssue(column="", value="", reason=reason, is_duplicate=duplicate)
        col = COLUMN_BY_FIELD.get(field_name)
        plain = _text(row.value(field_name)) if col else ""
        if col is not None and col.mask_kind and plain:
            reason = reason.replace(plain, mask(col.mask_kind, plain))  # messages may quote the value
        header = col.header if col else str(PersonForm.base_fields[field_name].label)
        return RowIssue(column=header, value=_masked(col, plain), reason=reason, is_duplicate=duplicate)

    def _birth_date(self, value: Any, data: dict[str, Any], problems: dict[str, str]) -> str:
        """出生日期 as ISO text. A month alone (出生年月 1950.03) is completed from the resident ID
        number when that number is of the same month; otherwise it is reported."""
        text = normalize.date_text(value, allow_month=True)
        if not re.fullmatch(r"\d{4}-\d{2}", text):
            return text
        raw = data.get("id_number") or ""
        try:
            born = parse_resident_id(raw).birth_date if raw else None
        except ValidationError:
            born = None
        if born is not None and f"{born:%Y-%m}" == text:
            return born.isoformat()
        problems["birth_date"] = _("出生日期只有年月（%(month)s），请填写完整的出生日期。") % {"month": text}
        return ""

    def prepare(self, row: TableRow) -> PreparedRow:
        """The row as ``PersonForm`` data, the problems found before the form, the ID hash."""
        problems: dict[str, str] = {}
        data: dict[str, Any] = {
            "living_status": c.LivingStatus.LIVING,
            "verification": c.Verification.SELF_REPORTED,
            "source": c.Source.IMPORT,
        }
        columns = row.layout.columns
        document = normalize.document_number(row.value("id_number"))
        if document.is_damaged:
            problems["id_number"] = _(
                "证件号码被表格软件存成了数字，末几位可能已丢失：请把该列设为文本格式，按证件原样重新填写。"
            )
        elif not document.text:
            problems["id_number"] = _("请填写证件号码（导入时用它查重）。")
        else:
            data["id_number"] = document.text
        for col in COLUMNS:
            if col.kind == "id_number" or col.field in HOUSEHOLD_FIELDS:
                continue
            if col.field not in columns:
                if col.kind == "federation" and self.default_federation is not None:
                    data[col.field] = str(self.default_federation)
                continue
            value = row.value(col.field)
            if col.kind == "date":
                data[col.field] = self._birth_date(value, data, problems)
            elif col.kind == "year":
                data[col.field] = normalize.year_text(value)
            elif col.kind == "choice":
                data[col.field] = _choice_code(col.field, _text(value))
            elif col.kind == "country":
                data[col.field] = _country_code(_text(value))
            elif col.kind == "hardship":
                parts = [p for p in _LIST_SEPARATORS.split(_text(value)) if p]
                data[col.field] = [_choice_code(col.field, p) for p in parts]
                if parts:
                    data["is_in_hardship"] = "on"
            elif col.kind == "federation":
                name = _text(value)
                if not name and self.default_federation is not None:
                    data[col.field] = str(self.default_federation)
                    continue
                pk, reason = self.federations.resolve(name)
                if pk is None:
                    problems[col.field] = reason
                else:
                    data[col.field] = str(pk)
            elif col.field in ("phone", "phone_alt"):
                data[col.field] = normalize.phone_text(value)
            elif col.field == "name":
                data[col.field] = normalize.name_text(value)
            else:
                data[col.field] = _text(value)
        data["id_type"] = data.get("id_type") or c.IdType.RESIDENT_ID
        data["sex"] = data.get("sex") or c.Sex.UNKNOWN
        if not data.get("nationality") and data.get("category") != c.Category.FOREIGN_CHINESE:
            data["nationality"] = "CN"  # the model's default, which the web form starts with
        digest = None
        if data.get("id_number"):
            normalized = normalized_document(data["id_type"], data["id_number"])
            digest = lookup_hash(Kind.ID_NUMBER, normalized) if normalized else None
        household = self._household(row, problems)
        return PreparedRow(row=row, data=data, problems=problems, id_hash=digest, household=household)

    def _household(self, row: TableRow, problems: dict[str, str]) -> tuple[str, str]:
        """(户号, relation code) of the row; a relation that is not one, or one without a 户号,
        is a problem of the row."""
        key = _text(row.value("household_key"))[:40]
        said = _text(row.value("household_relation"))
        relation = _choice_code("household_relation", said)
        if said and relation not in c.HouseholdRelation.values:
            problems["household_relation"] = _("无法识别的与户主关系“%(value)s”，可填：%(choices)s。") % {
                "value": said,
                "choices": "、".join(str(label) for _code, label in c.HouseholdRelation.choices),
            }
        elif relation and not key:
            problems["household_key"] = _("填写了与户主关系，但没有填户号：同一户的人员请填同一户号。")
        return key, relation

    def precheck(self, rows: list[TableRow]) -> list[Prechecked]:
        """What each row gives on its own: prepared and validated by the form. Reads nothing
        from the database, so it may run in another process (``check_rows`` with workers)."""
        out: list[Prechecked] = []
        for row in rows:
            prepared = self.prepare(row)
            form = self.pool.bind(prepared.data)
            if form.is_valid() and not prepared.problems:
                valid = ValidPerson(
                    entry=entry_keys(form.cleaned_data), person_data=form.person_data(), household=prepared.household
                )
                out.append(Prechecked(prepared.id_hash, [], valid))
                continue
            issues = [self._issue(row, name, reason) for name, reason in prepared.problems.items()]
            for name, messages in form.errors.items():
                if name in prepared.problems:
                    continue  # already explained, more precisely
                # The first message says what is wrong with the cell; a later one (from the rules
                # across fields) would only repeat it in other words.
                issues.append(self._issue(row, name, str(messages[0])))
            out.append(Prechecked(prepared.id_hash, issues, None))
        return out

    def finish(self, rows: list[TableRow], prechecked: list[Prechecked]) -> list[tuple[list[RowIssue], Any]]:
        """The verdict on each row: its ID number already in the registry (one query for the
        chunk) or above in the file makes it a duplicate, whatever the form said; otherwise the
        form's verdict."""
        self.existing_hashes |= hashes_in_registry(p.id_hash for p in prechecked if p.id_hash)
        return [self._verdict(row, p) for row, p in zip(rows, prechecked, strict=True)]

    def _verdict(self, row: TableRow, p: Prechecked) -> tuple[list[RowIssue], ValidPerson | None]:
        digest = p.id_hash
        if digest is not None and digest in self.existing_hashes:
            reason = _("该证件号码已在侨情库中登记，本行不再导入。")
            return [self._issue(row, "id_number", reason, duplicate=True)], None
        if digest is not None and digest in self.seen:
            sheet, number = self.seen[digest]
            where = _row_label(sheet, number, other_sheet=sheet != row.sheet)
            reason = _("与%(where)s的证件号码相同，本行不再导入。") % {"where": where}
            return [self._issue(row, "id_number", reason, duplicate=True)], None
        if p.valid is not None and p.valid.household[0]:
            issue = self._household_issue(row, p.valid)
            if issue is not None:
                return [issue], None
        if digest is not None:
            self.seen[digest] = row.ref
        return p.issues, p.valid

    def _household_issue(self, row: TableRow, valid: ValidPerson) -> RowIssue | None:
        """The rules across the rows of one 户号: one federation, at most one head. A row that
        breaks them is returned; the others of the household are imported."""
        key, relation = valid.household
        federation_id = valid.person_data["federation"].pk
        group = self.households.setdefault(key, {"federation": federation_id, "rows": [], "head": None})
        if group["federation"] != federation_id:
            sheet, number = group["rows"][0]
            where = _row_label(sheet, number, other_sheet=sheet != row.sheet)
            reason = _("同一户（户号 %(key)s）的人员须属于同一侨联，与%(where)s不同。") % {"key": key, "where": where}
            return self._issue(row, "federation", reason)
        if relation == c.HouseholdRelation.HEAD:
            if group["head"] is not None:
                sheet, number = group["head"]
                where = _row_label(sheet, number, other_sheet=sheet != row.sheet)
                reason = _("户号 %(key)s 已有户主（%(where)s），一户只能有一位户主。") % {"key": key, "where": where}
                return self._issue(row, "household_relation", reason)
            group["head"] = row.ref
        group["rows"].append(row.ref)
        return None

    def check_chunk(self, rows: list[TableRow]) -> list[tuple[list[RowIssue], Any]]:
        return self.finish(rows, self.precheck(rows))

    def warnings(self, valid: list[tuple[TableRow, ValidPerson]]) -> dict[RowRef, list[RowIssue]]:
        return self.duplicate_warnings(valid)

    def build(self, payload: ValidPerson) -> Person:
        key, relation = payload.household
        person = Person(
            created_by=self.actor, **{**payload.person_data, "source": c.Source.IMPORT, "household_relation": relation}
        )
        person.import_household_key = key  # PersonKind.insert puts the person into that household
        return person

    def duplicate_warnings(self, valid: list[tuple[TableRow, ValidPerson]]) -> dict[RowRef, list[RowIssue]]:
        """Warnings for valid rows that may be persons already in the registry, found for the
        whole list in one lookup (``duplicates.candidates_for_rows``) and one more for which of
        the candidates the importer may see: those are named with their number, the others
        only counted per federation."""
        found = candidates_for_rows([payload.entry for _row, payload in valid])
        if not found:
            return {}
        names = visible_names(user=self.actor, person_ids=(m.person_id for ms in found.values() for m in ms))
        warnings: dict[RowRef, list[RowIssue]] = {}
        for index, matches in found.items():
            row = valid[index][0]
            warnings[row.ref] = self._candidate_issues(row, matches, names)
        return warnings

    def _candidate_issues(self, row: TableRow, matches: list[Match], names: dict[int, str]) -> list[RowIssue]:
        issues: list[RowIssue] = []
        hidden: dict[tuple[str, str], int] = {}
        for match in matches:
            name = names.get(match.person_id)
            if name is None or len(issues) == self.WARNED_CANDIDATES:
                key = (match.federation_name, match.reason)
                hidden[key] = hidden.get(key, 0) + 1
                continue
            reason = _(
                "疑似与侨情库中的 %(name)s（编号 %(id)s，%(federation)s）为同一人：%(why)s。本行仍会导入，请核对。"
            ) % {
                "name": name,
                "id": match.person_id,
                "federation": match.federation_name,
                "why": match.reason,
            }
            issues.append(self._warning(row, reason))
        for (federation_name, why), count in hidden.items():
            reason = _("%(federation)s已有 %(count)s 名疑似同一人（%(why)s）。本行仍会导入，请核对。") % {
                "federation": federation_name,
                "count": count,
                "why": why,
            }
            issues.append(self._warning(row, reason))
        return issues

    def _warning(self, row: TableRow, reason: str) -> RowIssue:
        issue = self._issue(row, "name", reason)
        issue.is_warning = True
        return issue


def hashes_in_registry(digests: Iterable[str], *, chunk: int = 500) -> set[str]:
    """Which of these ID number hashes are already in the registry. ID numbers are unique across
    the whole registry, so this looks past the jurisdiction; it answers yes or no, nothing more."""
    unique = sorted(set(digests))
    found: set[str] = set()
    for i in range(0, len(unique), chunk):
        found.update(
            Person.objects.filter(id_number_hash__in=unique[i : i + chunk]).values_list("id_number_hash", flat=True)
        )
    return found


def _chunks(rows: Iterator[TableRow], size: int) -> Iterator[list[TableRow]]:
    chunk: list[TableRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Checking chunks side by side ---------------------------------------------------------------------

_FORKED_CHECKER: Checker | None = None  # the checker a worker process inherited
_INHERITED_CONNECTIONS: list[Any] = []  # kept referenced in workers, never closed there


def _worker_start() -> None:
    """A forked worker must never use (nor close) the job's database connections: it drops
    them, keeping a reference so that they are not finalized (which would end the job's
    session); workers leave through ``os._exit``. Were it to query, it would connect anew."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _INHERITED_CONNECTIONS.append(connection.connection)
            connection.connection = None


def _worker_precheck(rows: list[TableRow]) -> list[Any]:
    assert _FORKED_CHECKER is not None
    return _FORKED_CHECKER.precheck(rows)


def _checked_chunks(
    checker: Checker, chunks: Iterator[list[TableRow]], known: Mapping[RowRef, Any]
) -> Iterator[tuple[list[TableRow], list[TableRow], list[tuple[list[RowIssue], Any]]]]:
    """(chunk, its rows to check, their verdicts), chunk after chunk in file order. When the
    checker can split its work (``precheck`` without the database, ``finish`` with it), the
    file is larger than one chunk and ``QIAOLIAN_IMPORT_WORKERS`` > 1, the prechecks run in
    forked worker processes, a few chunks ahead of the job, which looks the chunks up and
    inserts them in order; at most two chunks per worker are in flight, so memory stays flat."""
    global _FORKED_CHECKER
    workers = settings.QIAOLIAN_IMPORT_WORKERS
    splits = hasattr(checker, "precheck") and hasattr(checker, "finish")
    pool = None
    pending: deque = deque()
    try:
        for chunk in chunks:
            todo = [row for row in chunk if row.ref not in known]
            if pool is None and splits and workers > 1 and len(chunk) == CHUNK_ROWS:
                _FORKED_CHECKER = checker
                pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
            if pool is None:
                yield chunk, todo, checker.check_chunk(todo)
                continue
            pending.append((chunk, todo, pool.apply_async(_worker_precheck, (todo,))))
            if len(pending) >= 2 * workers:
                chunk, todo, job = pending.popleft()
                yield chunk, todo, checker.finish(todo, job.get())
        while pending:
            chunk, todo, job = pending.popleft()
            yield chunk, todo, checker.finish(todo, job.get())
    finally:
        _FORKED_CHECKER = None
        if pool is not None:
            pool.terminate()
            pool.join()


def check_rows(
    *,
    table: Table,
    actor,
    kind: ImportKind | None = None,
    options: Mapping[str, Any] | None = None,
    known_issues: dict[RowRef, list[RowIssue]] | None = None,
    keep_persons: bool = False,
    keep_rejected: bool = False,
    default_federation: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_persons: Callable[[list[Any]], None] | None = None,
) -> CheckOutcome:
    """Check every data row of ``table`` for ``actor`` as rows of ``kind`` (persons when not
    given), a chunk of rows at a time (the file is streamed, not held). Rows in
    ``known_issues`` (the preview's verdict, at commit) keep their issues unchecked, so a commit
    never imports a row the preview listed. With ``keep_persons`` the records of the valid rows
    are built too (not saved); with ``keep_rejected`` the rows not imported are kept for the
    rejects workbook. Valid rows with warnings (e.g. may be persons already in the registry)
    are valid all the same; their warnings are in ``outcome.warnings``. With ``on_persons``, the
    records of each chunk's valid rows are built and handed to it (and not kept): the commit
    inserts them chunk by chunk, so memory does not grow with the file."""
    kind = kind or PERSONS
    known = known_issues or {}
    checker = kind.checker(actor=actor, default_federation=default_federation, options=options or {})
    outcome = CheckOutcome()
    for chunk, todo, verdicts in _checked_chunks(checker, _chunks(table.rows(), CHUNK_ROWS), known):
        results = dict(zip((row.ref for row in todo), verdicts, strict=True))
        checked: list[tuple[TableRow, list[RowIssue], Any]] = [
            (row, known[row.ref], None) if row.ref in known else (row, *results[row.ref]) for row in chunk
        ]
        warnings = checker.warnings([(row, payload) for row, _issues, payload in checked if payload is not None])
        built: list[Any] = []
        for row, issues, payload in checked:
            outcome.total += 1
            if payload is not None:
                outcome.valid += 1
                if row.ref in warnings:
                    outcome.warnings[row.ref] = warnings[row.ref]
                    outcome.warned += 1
                if keep_persons or on_persons is not None:
                    built.append(checker.build(payload))
            else:
                outcome.issues[row.ref] = issues
                if keep_rejected:
                    outcome.rejected.append(row)
                if any(i.is_duplicate for i in issues):
                    outcome.duplicates += 1
                else:
                    outcome.invalid += 1
            if progress is not None and outcome.total % PROGRESS_EVERY == 0:
                progress(outcome.total)
        if on_persons is not None:
            on_persons(built)
        elif keep_persons:
            outcome.persons.extend(built)
    if progress is not None:
        progress(outcome.total)
    return outcome


def commit_rows(
    *,
    table: Table,
    actor,
    kind: ImportKind | None = None,
    options: Mapping[str, Any] | None = None,
    batch: ImportBatch | None = None,
    known_issues: dict[RowRef, list[RowIssue]] | None = None,
    default_federation: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[CheckOutcome, int]:
    """Check every row again and insert the valid ones chunk by chunk, as the rows are read; the
    outcome (rows not imported kept for the rejects workbook) and the number inserted. The
    caller holds the transaction: all the rows or none."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("commit_rows() needs the caller's transaction")
    kind = kind or PERSONS
    imported = 0

    def insert(records: list[Any]) -> None:
        nonlocal imported
        if records:
            imported += kind.insert(actor=actor, records=records, batch=batch)

    outcome = check_rows(
        table=table,
        actor=actor,
        kind=kind,
        options=options,
        known_issues=known_issues,
        keep_rejected=True,
        default_federation=default_federation,
        progress=progress,
        on_persons=insert,
    )
    return outcome, imported


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


def _rejects_columns(table: Table) -> tuple[list[str], dict[str, list[int]]]:
    """The columns of the rejects workbook: every sheet's columns, those that feed the same field
    (or have the same header) in several sheets once, under the first sheet's header; for each
    sheet, where each of its columns goes."""
    headers: list[str] = []
    slots: dict[tuple[str, str, int], int] = {}
    placement: dict[str, list[int]] = {}
    for layout in table.sheets:
        counts: dict[tuple[str, str], int] = {}
        places = []
        for header, field_name in zip(layout.headers, layout.fields, strict=True):
            base = ("field", field_name) if field_name else ("header", header)
            counts[base] = counts.get(base, 0) + 1
            key = (*base, counts[base])
            if key not in slots:
                slots[key] = len(headers)
                headers.append(header)
            places.append(slots[key])
        placement[layout.name] = places
    return headers, placement


def rejects_workbook(table: Table, outcome: CheckOutcome, kind: ImportKind | None = None) -> bytes:
    """The rows not imported (``outcome.rejected``), as they were in the file, with their sheet
    (when the file has several), row number and reasons. It reads back as an import file."""

    buffer = io.BytesIO()
    book = tabular.export_workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    out = book.add_worksheet(_("未导入的行"))
    formats = {
        "head": book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1}),
        "reason_head": book.add_format({"bold": True, "bg_color": "#FDE2E1", "border": 1}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "text": book.add_format({"num_format": "@"}),
    }
    headers, placement = _rejects_columns(table)
    with_sheet = len(table.sheets) > 1
    width = len(headers)
    for col, header in enumerate(headers):
        out.write_string(0, col, header, formats["head"])
    extra = [SHEET_HEADER] if with_sheet else []
    for offset, header in enumerate([*extra, ROW_NUMBER_HEADER, REASON_HEADER]):
        out.write_string(0, width + offset, header, formats["reason_head"])
    text_fields = [col.field for col in (kind or PERSONS).columns if col.is_text_format]
    for layout in table.sheets:
        for field_name in text_fields:
            index = layout.columns.get(field_name)
            if index is not None:
                target = placement[layout.name][index]
                out.set_column(target, target, 22, formats["text"])
    for out_row, row in enumerate(outcome.rejected, start=1):
        places = placement[row.sheet]
        for col, value in enumerate(row.cells[: len(places)]):
            _write_cell(out, out_row, places[col], value, formats)
        col = width
        if with_sheet:
            out.write_string(out_row, col, row.sheet)
            col += 1
        out.write_number(out_row, col, row.number)
        out.write_string(out_row, col + 1, _reason_text(outcome.issues.get(row.ref, [])))
    out.set_column(width + len(extra) + 1, width + len(extra) + 1, 60)
    out.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


class PersonKind(ImportKind):
    """Registry persons (侨情人员): ``RowChecker`` checks the rows with ``PersonForm``;
    ``persons_bulk_create`` inserts them (encryption, blind indexes, search keys)."""

    key = "persons"
    label = gettext_lazy("侨情人员")
    noun = gettext_lazy("人员")
    permission = "registry.import_person"
    rollback_permission = "registry.change_person"
    columns = COLUMNS
    template_sheet = gettext_lazy("人员信息")
    upload_help = (
        gettext_lazy(
            "请使用导入模板；红色列（姓名、证件号码、身份类别、所属侨联）必须填写。各镇自己的表格也可以直接上传："
            "系统会找到表头行，认出常见的列名（如“身份证号”“联系电话”），认不出的列可在检查结果页指定。"
        ),
        gettext_lazy("证件号码已在侨情库中的人员不会重复导入；同一文件可以放心重复上传。"),
        gettext_lazy("海外亲属在“海外亲属”标签页另行导入（先导入人员）；同一工作簿中的海外亲属工作表在这里不读。"),
    )

    @property
    def template_notes(self) -> tuple[str, ...]:  # type: ignore[override]
        return (
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
            _(
                "9. 海外亲属不在本表中填写：请用“海外亲属”导入模板另行填写，在批量导入的“海外亲属”标签页上传"
                "（先导入人员，再导入海外亲属）。"
            ),
            _(
                "10. 家庭户：同一户的人员填同一“户号”（只在本文件内有效，如 1、2、3），并填“与户主关系”；"
                "导入时每个户号建为一个家庭户，以户主的姓名和住址命名。一户只能有一位户主，同一户的人员须属于同一侨联。"
            ),
        )

    def code_lists(self, *, user) -> dict[str, list[str]]:
        lists: dict[str, list[str]] = {
            name: [str(label) for _code, label in choices]
            for name, choices in _CHOICES.items()
            if name != "hardship_types"
        }
        lists["federation"] = [f.name for f in federation_choices(user=user)]
        countries_zh = country_names_zh()
        for col in COLUMNS:
            if col.kind == "country":
                lists[col.field] = countries_zh
        return lists

    def rolled_back_message(self, count: int) -> str:
        return _("已撤销：删除了本批导入的 %(count)s 人。") % {"count": count}

    def read_table(self, content: bytes, file_name: str, *, overrides: Mapping[str, str] | None = None) -> Table:
        """The file's persons sheets. A workbook that holds the overseas relatives too (海外亲属
        beside 人员信息) has that sheet matched by the columns both share (外文名, 职业, 备注):
        a sheet with neither 姓名 nor 证件号码 is left out when another sheet has them (it is
        imported on the relatives tab)."""
        table = super().read_table(content, file_name, overrides=overrides)
        persons = [layout for layout in table.sheets if {"name", "id_number"} & set(layout.fields)]
        if persons and len(persons) < len(table.sheets):
            table.sheets = persons
        return table

    def checker(self, *, actor, default_federation: int | None, options: Mapping[str, Any]) -> RowChecker:
        return RowChecker(actor=actor, default_federation=default_federation)

    def insert(self, *, actor, records: list[Person], batch) -> int:
        households_attach(persons=records, batch=batch)
        return persons_bulk_create(actor=actor, persons=records, batch=batch, with_ids=False)

    def rollback(self, *, batch) -> int:
        """The persons of the batch, when none is in use: changed, archived, in a household or
        referred to by any record (``records_in_use``)."""
        person_ids = list(Person._base_manager.filter(import_batch=batch).values_list("pk", flat=True))
        since = batch.finished_at or batch.created_at
        # In a household of its own batch is not "in use"; in any other household it is.
        elsewhere = models.Q(household__isnull=False) & ~models.Q(household__import_batch=batch)
        in_use = records_in_use(Person, person_ids, since, changed=models.Q(is_archived=True) | elsewhere)
        joined = Person._base_manager.filter(household__import_batch=batch).exclude(import_batch=batch)
        if joined.exists():
            raise ValidationError(
                _("不能撤销：本批导入建立的家庭户中已加入了其他人员。请先把他们移出这些家庭户，或保留本批次。"),
                code="in_use",
            )
        if in_use:
            raise ValidationError(
                _(
                    "不能撤销：本批导入的 %(total)s 人中有 %(count)s 人在导入后已被修改、归档、编入家庭户"
                    "或被其他记录引用（如走访、帮扶、海外亲属）。请先处理这些人员，或保留本批次。"
                )
                % {"total": len(person_ids), "count": len(in_use)},
                code="in_use",
            )
        deleted = delete_records(Person, person_ids)
        Household._base_manager.filter(import_batch=batch).delete()  # now without members
        return deleted


PERSONS = register(PersonKind())


def kind_of(batch: ImportBatch) -> ImportKind:
    return get_kind(batch.kind)


def read_table(
    content: bytes, file_name: str, *, overrides: Mapping[str, str] | None = None, kind: ImportKind | None = None
) -> Table:
    """The sheets of an uploaded file with the columns of ``kind`` (persons when not given) found
    in each (``overrides``: the user's corrections, header → field or ""), or a
    ``ValidationError`` that says in Chinese what is wrong (unknown type, unreadable, no header
    row)."""
    return (kind or PERSONS).read_table(content, file_name, overrides=overrides)


def field_choices(kind: ImportKind | None = None) -> list[tuple[str, str]]:
    """What a file column can be mapped to: each column of the kind, or nothing."""
    return (kind or PERSONS).field_choices()


def import_template_xlsx(*, user, kind: ImportKind | None = None) -> bytes:
    """The template workbook of ``kind`` (persons when not given)."""
    return (kind or PERSONS).template_xlsx(user=user)


# Services: upload, check, remap, confirm, commit, cancel, roll back ------------------------------


def _require_importer(actor, kind: ImportKind | None = None) -> None:
    require_perm(actor, (kind or PERSONS).permission)
    if getattr(actor, "federation_id", None) is None:
        raise PermissionDenied("no federation")


def _read_upload(upload: UploadedFile) -> tuple[str, bytes]:
    name = clean(os.path.basename(upload.name or ""))
    ext = tabular.extension(name)
    if ext not in ALLOWED_EXTENSIONS:
        raise _file_error(
            _("不支持的文件类型“%(ext)s”：请上传 Excel 或 WPS 表格（.xlsx、.xls、.ods）或 CSV 文件。")
            % {"ext": ext or _("无扩展名")},
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
    return name, content


def import_batch_create(
    *,
    actor,
    upload: UploadedFile,
    federation: Federation | None = None,
    in_background: bool = True,
    kind: ImportKind | None = None,
    options: Mapping[str, Any] | None = None,
) -> ImportBatch:
    """Store an uploaded file as a new batch and start its check in the background. A file that
    cannot be imported at all (unreadable, no header row, no data row) is refused with a
    ``ValidationError`` and nothing is stored. A file missing a required column is stored: the
    user can say on the preview which column it is. ``federation`` (the command line's
    --federation) makes the batch that federation's and fills a blank 所属侨联 with it.
    ``kind``: what the rows are (persons when not given); ``options``: what the kind asked for
    at upload (``ImportKind.clean_options``), kept on the batch."""
    kind = kind or PERSONS
    _require_importer(actor, kind)
    if federation is not None:
        require_in_scope(actor, federation.pk)
    name, content = _read_upload(upload)
    table = kind.read_table(content, name)
    total = table.row_count()
    if not total:
        raise _file_error(_("文件中没有数据行：请在表头下面逐行填写%(noun)s。") % {"noun": kind.noun}, "no_rows")
    message = " ".join(m for m in (missing_columns_message(table), ignored_columns_message(table)) if m)
    with transaction.atomic():
        batch = ImportBatch(
            kind=kind.key,
            options=dict(options or {}),
            federation_id=federation.pk if federation is not None else actor.federation_id,
            fills_federation=federation is not None,
            created_by=actor,
            file_name=name[:200],
            total_rows=total,
            message=message,
            columns_found=[list(pair) for pair in table.mapping()],
            sheet_names=[layout.name for layout in table.sheets],
        )
        batch.file.save(f"{uuid.uuid4().hex}{tabular.extension(name)}", ContentFile(content), save=False)
        batch.save()
        if in_background:
            transaction.on_commit(partial(_enqueue_check, batch.pk))
    return batch


def _enqueue_check(batch_id: int) -> None:
    from qiaolian.registry.tasks import import_batch_check_task

    import_batch_check_task.enqueue(batch_id)


def _enqueue_commit(batch_id: int, actor_id: int) -> None:
    from qiaolian.registry.tasks import import_batch_commit_task

    import_batch_commit_task.enqueue(batch_id, actor_id)


def batch_table(batch: ImportBatch) -> Table:
    """The batch's file, read with the batch's column mapping."""
    with batch.file.open("rb") as handle:
        content = handle.read()
    return kind_of(batch).read_table(content, batch.file_name or batch.file.name, overrides=batch.column_overrides)


def _progress_writer(batch_id: int) -> Callable[[int], None]:
    def write(done: int) -> None:
        ImportBatch.objects.filter(pk=batch_id).update(processed_rows=done)
        job_test_pause()

    return write


@contextmanager
def _side_progress(batch_id: int) -> Iterator[Callable[[int], None] | None]:
    """Progress of a commit, whose transaction hides its own writes until the end: on
    PostgreSQL written through a connection of its own (committed at once, so the page shows
    it); on SQLite, whose one writer is the commit itself, not written until the end."""
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        yield None
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = ImportBatch._meta.db_table

    def write(done: int) -> None:
        with side.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET processed_rows = %s WHERE id = %s", [done, batch_id])
        job_test_pause()

    try:
        yield write
    finally:
        side.close()


def _issue_rows(batch: ImportBatch, outcome: CheckOutcome) -> list[ImportIssue]:
    """The rows not imported, then the rows imported with warnings, each in file order."""
    return [
        ImportIssue(
            batch=batch,
            sheet=sheet[:100],
            row_number=row_number,
            column=issue.column[:40],
            value=issue.value[:200],
            reason=issue.reason[:300],
            is_duplicate=issue.is_duplicate,
            is_warning=issue.is_warning,
        )
        for found in (outcome.issues, outcome.warnings)
        for (sheet, row_number), issues in found.items()
        for issue in issues
    ]


def _stored_issues(batch: ImportBatch) -> dict[RowRef, list[RowIssue]]:
    """The preview's verdict on the rows it found not importable (warnings are not verdicts)."""
    issues: dict[RowRef, list[RowIssue]] = {}
    for issue in batch.issues.filter(is_warning=False).order_by("id"):
        issues.setdefault((issue.sheet, issue.row_number), []).append(
            RowIssue(column=issue.column, value=issue.value, reason=issue.reason, is_duplicate=issue.is_duplicate)
        )
    return issues


def _fail(batch_id: int, message: str) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
    )
    return ImportBatch.objects.get(pk=batch_id)


def _default_federation(batch: ImportBatch) -> int | None:
    return batch.federation_id if batch.fills_federation else None


def import_batch_check(*, batch_id: int) -> ImportBatch:
    """Check every row of an uploaded batch (background job). Ends CHECKED with the counts and
    an issue for every row that would not be imported, or FAILED with a message."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKING):
        return batch  # already done (a repeated delivery of the job)
    ImportBatch.objects.filter(pk=batch_id).update(status=ImportStatus.CHECKING, processed_rows=0)
    try:
        table = batch_table(batch)
        outcome = check_rows(
            table=table,
            actor=batch.created_by,
            kind=kind_of(batch),
            options=batch.options,
            default_federation=_default_federation(batch),
            progress=_progress_writer(batch_id),
        )
        message = " ".join(m for m in (missing_columns_message(table), ignored_columns_message(table)) if m)
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
                warned_rows=outcome.warned,
                message=message,
                columns_found=[list(pair) for pair in table.mapping()],
                sheet_names=[layout.name for layout in table.sheets],
            )
    except ValidationError as error:
        return _fail(batch_id, " ".join(error.messages))
    except Exception:
        logger.exception("import batch %s: check failed", batch_id)
        return _fail(batch_id, _("检查时出错，未导入任何数据。请重新上传；如仍出错，请联系系统管理员。"))
    return ImportBatch.objects.get(pk=batch_id)


def import_batch_remap(
    *, actor, batch: ImportBatch, mapping: Mapping[str, str], in_background: bool = True
) -> ImportBatch:
    """The user corrects which file column feeds which field (header → field, "" = not
    imported); the batch is checked again in the background with that mapping. Only a batch
    waiting for confirmation (or whose check failed) can be remapped."""
    kind = kind_of(batch)
    _require_importer(actor, kind)
    require_in_scope(actor, batch.federation_id)
    known = {field_name for field_name, _label in kind.field_choices()}
    overrides = {
        clean(str(header)): value for header, value in mapping.items() if value in known and clean(str(header))
    }
    chosen = [value for value in overrides.values() if value]
    if len(chosen) != len(set(chosen)):
        raise ValidationError(_("同一项不能对应两列，请检查列对应。"), code="mapping")
    if not batch.file:
        raise ValidationError(_("该批次的文件已删除，请重新上传。"), code="state")
    with transaction.atomic():
        updated = ImportBatch.objects.filter(
            pk=batch.pk, status__in=(ImportStatus.CHECKED, ImportStatus.FAILED)
        ).update(
            status=ImportStatus.UPLOADED,
            column_overrides=overrides,
            processed_rows=0,
            valid_rows=0,
            invalid_rows=0,
            duplicate_rows=0,
            warned_rows=0,
            finished_at=None,
            message="",
        )
        if not updated:
            raise ValidationError(_("只有待确认的批次可以调整列对应。"), code="state")
        batch.issues.all().delete()
        if in_background:
            transaction.on_commit(partial(_enqueue_check, batch.pk))
    batch.refresh_from_db()
    return batch


def import_batch_confirm(*, actor, batch: ImportBatch, in_background: bool = True) -> ImportBatch:
    """The user confirms a checked batch: the import runs in the background."""
    _require_importer(actor, kind_of(batch))
    require_in_scope(actor, batch.federation_id)
    started = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING, processed_rows=0
    )
    if not started:
        raise ValidationError(_("该批次现在不能导入（只有检查完成、待确认的批次可以导入）。"), code="state")
    if in_background:
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
        kind = kind_of(batch)
        _require_importer(actor, kind)
        require_in_scope(actor, batch.federation_id)
        table = batch_table(batch)
        with transaction.atomic(), _side_progress(batch_id) as progress:
            outcome, imported = commit_rows(
                table=table,
                actor=actor,
                kind=kind,
                options=batch.options,
                batch=batch,
                known_issues=_stored_issues(batch),
                default_federation=_default_federation(batch),
                progress=progress,
            )
            rejects = rejects_workbook(table, outcome, kind) if outcome.issues else b""
            audit_record(
                actor=actor,
                action=Action.IMPORT,
                target=batch,
                federation_id=batch.federation_id,
                data={
                    "kind": kind.key,
                    "options": batch.options,
                    "file_name": batch.file_name,
                    "rows": outcome.total,
                    "imported": imported,
                    "invalid": outcome.invalid,
                    "duplicates": outcome.duplicates,
                    "columns": batch.column_overrides,
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
            batch.warned_rows = outcome.warned
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
        noun = get_kind(batch.kind).noun if batch.kind else PERSONS.noun
        return _fail(batch_id, _("导入失败，没有写入任何%(noun)s：%(reason)s") % {"noun": noun, "reason": reason})
    return batch


def import_batch_cancel(*, actor, batch: ImportBatch) -> ImportBatch:
    """Drop a checked batch without importing; the uploaded file is deleted."""
    _require_importer(actor, kind_of(batch))
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


def import_batch_rollback(*, actor, batch: ImportBatch) -> ImportBatch:
    """Undo an imported batch as a whole: the records it imported are deleted by its kind
    (``ImportKind.rollback``), in one transaction with one audit entry, when nothing has come to
    refer to any of them and none has been changed since. Otherwise nothing is deleted and the
    message says how many are in use (they must be dealt with one by one, or the batch kept)."""
    kind = kind_of(batch)
    _require_importer(actor, kind)
    require_perm(actor, kind.rollback_permission)
    require_in_scope(actor, batch.federation_id)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().filter(pk=batch.pk, status=ImportStatus.DONE).first()
        if locked is None:
            raise ValidationError(_("只有已导入的批次可以撤销。"), code="state")
        deleted = kind.rollback(batch=locked)
        locked.status = ImportStatus.ROLLED_BACK
        locked.rolled_back_at = timezone.now()
        locked.message = kind.rolled_back_message(deleted)
        locked.save(update_fields=["status", "rolled_back_at", "message"])
        audit_record(
            actor=actor,
            action=Action.DELETE,
            target=locked,
            federation_id=locked.federation_id,
            data={
                "kind": "import_rollback",
                "import_kind": kind.key,
                "file_name": locked.file_name,
                "deleted": deleted,
            },
        )
    batch.refresh_from_db()
    return batch


def import_rejects_open(*, actor, batch: ImportBatch) -> File:
    """The workbook of rows not imported (they hold personal data as uploaded): the download is
    an export and is audited."""
    _require_importer(actor, kind_of(batch))
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
    ``kind`` is "errors", "duplicates", "warnings" (importable rows that may be persons already
    in the registry) or "" for all."""
    qs = batch.issues.all()
    if kind == "errors":
        qs = qs.filter(is_duplicate=False, is_warning=False)
    elif kind == "duplicates":
        qs = qs.filter(is_duplicate=True)
    elif kind == "warnings":
        qs = qs.filter(is_warning=True)
    return qs


def import_file_preview(
    *,
    actor,
    content: bytes,
    file_name: str,
    federation: Federation | None = None,
    kind: ImportKind | None = None,
    options: Mapping[str, Any] | None = None,
):
    """Check a file without writing anything (the command line's preview): the table and the
    outcome, as the background check would find them."""
    kind = kind or PERSONS
    _require_importer(actor, kind)
    if federation is not None:
        require_in_scope(actor, federation.pk)
    table = kind.read_table(content, file_name)
    outcome = check_rows(
        table=table,
        actor=actor,
        kind=kind,
        options=options,
        default_federation=federation.pk if federation else None,
    )
    return table, outcome
