"""What an import of one kind of record needs, apart from the batch it runs in.

``registry.importing`` runs every import as a batch (upload, background check, preview with
every problem per cell, column mapping, confirm, commit in one transaction, rejects workbook,
roll back as a whole). What differs between persons, enterprises, activity participants, aid
recipients … is said once per kind by an ``ImportKind``:

- its columns (header, synonyms, required, how a cell is read);
- how a chunk of rows is checked (``Checker``): which rows are importable, the issue per cell
  of the others, the warnings of rows imported all the same;
- how the checked rows are inserted, and how a batch of them is rolled back;
- the template workbook, and the options the upload asks for (e.g. which activity).

``FormKind`` does all of it for a record kind that has a staff ``ModelForm``: every row meets
the very rules and messages of the web form. A kind registers itself in its app's
``AppConfig.ready`` with ``register``; ``kinds_for(user)`` lists the ones a user may import.

Pure helpers shared by the kinds live here too: the federation index (所属侨联 by any of its
names, within the uploader's jurisdiction), the code-list and country indexes.
"""

from __future__ import annotations

import copy
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_countries import countries

from qiaolian.core import normalize, tabular
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.masking import Kind, mask
from qiaolian.core.tabular import ColumnSpec, Table, TableRow
from qiaolian.orgs.models import Federation

RowRef = tuple[str, int]  # (sheet name, row number as the spreadsheet shows it)
ROW_NUMBER_HEADER = "行号"
REASON_HEADER = "未导入原因"
SHEET_HEADER = "工作表"
# Columns the rejects workbook adds, and a serial column many offices keep: ignored on reading.
SILENT_HEADERS = (ROW_NUMBER_HEADER, REASON_HEADER, SHEET_HEADER, "序号", "编号")
LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
# What offices call a resident ID number column.
ID_NUMBER_ALIASES = ("身份证号码", "身份证号", "公民身份号码", "公民身份证号码", "身份证", "证件号")

# Fields whose cells are masked wherever an issue quotes them.
MASKED_FIELDS = {
    "id_number": Kind.ID_NUMBER,
    "phone": Kind.PHONE,
    "phone_alt": Kind.PHONE,
    "contact_phone": Kind.PHONE,
    "address": Kind.ADDRESS,
}


@dataclass(frozen=True)
class Column:
    """One column of a kind's template: its header (part of the file format, so not
    translated), the form field it feeds and how its cells are read. ``kind`` is one of text,
    name, choice, date, year, number, bool, id_number, protected, phone, country, federation,
    hardship (a list of codes)."""

    header: str
    field: str
    kind: str = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint: str | Promise = ""
    width: int = 12

    @property
    def mask_kind(self) -> str | None:
        if self.kind == "phone":
            return Kind.PHONE
        return MASKED_FIELDS.get(self.field)

    @property
    def is_text_format(self) -> bool:
        """Kept as text in the template and the rejects workbook (long numbers lose digits)."""
        return self.kind in ("id_number", "protected", "phone")

    @property
    def spec(self) -> ColumnSpec:
        return ColumnSpec(field=self.field, header=self.header, synonyms=self.aliases, required=self.required)


@dataclass
class RowIssue:
    column: str
    value: str  # masked for protected columns
    reason: str
    is_duplicate: bool = False
    is_warning: bool = False  # the row is imported all the same


def masked(col: Column | None, text: str) -> str:
    if col is not None and col.mask_kind and text:
        return mask(col.mask_kind, text)
    return text


def row_label(sheet: str, number: int, *, other_sheet: bool) -> str:
    if other_sheet:
        return _("工作表“%(sheet)s”第 %(row)s 行") % {"sheet": sheet, "row": number}
    return _("第 %(row)s 行") % {"row": number}


# Code lists, countries, federations -----------------------------------------------------------


def label_key(text: str) -> str:
    """How labels and names are compared: simplified, case-folded, without spaces."""
    return normalize.label_key(text)


def label_index(choices: Iterable[tuple[Any, Any]], synonyms: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Label (and code) → code, with each part of a label such as 高中/中专 on its own. Labels
    are read in Chinese and in English whatever language is active, so the index is the same
    for every user."""
    choices = list(choices)
    index: dict[str, Any] = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels = [(code, str(label)) for code, label in choices if code not in ("", None)]
        for code, label in labels:
            index.setdefault(label_key(str(code)), code)
            index.setdefault(label_key(label), code)
        for code, label in labels:
            for part in label.split("/"):
                index.setdefault(label_key(part), code)
    for word, code in (synonyms or {}).items():
        index.setdefault(label_key(word), code)
    return index


COUNTRY_ALIASES = {
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
def country_index() -> dict[str, str]:
    """Chinese name, English name, ISO alpha-2 or alpha-3 code → alpha-2 code."""
    index: dict[str, str] = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for country in countries:
                index.setdefault(label_key(str(country.name)), country.code)
    for country in countries:
        index.setdefault(label_key(country.code), country.code)
        alpha3 = countries.alpha3(country.code)
        if alpha3:
            index.setdefault(label_key(alpha3), country.code)
    for code, names in COUNTRY_ALIASES.items():
        for name in names:
            index.setdefault(label_key(name), code)
    return index


def country_code(text: str) -> str:
    """The alpha-2 code for a country written any common way; unknown text is passed on so the
    form's message names it."""
    return country_index().get(label_key(text), text) if text else ""


def country_names_zh() -> list[str]:
    with translation.override("zh-hans"):
        return [str(country.name) for country in countries]


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
                    self.by_key.setdefault(label_key(name), set()).add(fed.pk)

    @staticmethod
    def _all_federation_names_unscoped() -> QuerySet[Federation]:
        """Every federation's names, past the jurisdiction rule on purpose: only to tell an
        unknown name from one outside the user's jurisdiction (organization names are public)."""
        return Federation.objects.only("pk", "name", "short_name", "aliases", "is_active")

    def resolve(self, text: str) -> tuple[int | None, str]:
        """(federation id, "") or (None, the reason in Chinese)."""
        if not text:
            return None, _("请填写所属侨联。")
        found = self.by_key.get(label_key(text), set())
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


# Records in use --------------------------------------------------------------------------------


def _reverse_relations(model: type[models.Model]) -> list:
    """Every foreign key and one-to-one pointing at ``model``, hidden ones (related_name "+")
    included: a reference is a reference, whether or not it has a reverse accessor."""
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if (f.one_to_many or f.one_to_one) and f.auto_created and not f.concrete
    ]


def records_in_use(
    model: type[models.Model], ids: list[int], since, *, changed: models.Q | None = None, chunk: int = 1000
) -> set[int]:
    """Which of these records something has come to refer to, or someone has changed, since the
    import: every relation pointing at the model is looked at, whatever app it belongs to.
    Past the jurisdiction on purpose: a reference from anywhere keeps a record. ``changed`` adds
    a condition of the record's own (e.g. archived); ``updated_at`` is used when the model has it."""
    in_use: set[int] = set()
    field_names = {f.name for f in model._meta.get_fields()}
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        for relation in _reverse_relations(model):
            name = relation.field.name
            values = relation.related_model._base_manager.filter(**{f"{name}__in": part}).values_list(name, flat=True)
            in_use.update(v for v in values.distinct() if v is not None)
        for relation in model._meta.many_to_many:
            linked = model._base_manager.filter(pk__in=part, **{f"{relation.name}__isnull": False})
            in_use.update(linked.values_list("pk", flat=True))
        condition = changed or models.Q(pk__in=[])
        if "updated_at" in field_names:
            condition |= models.Q(updated_at__gt=since)
        in_use.update(model._base_manager.filter(pk__in=part).filter(condition).values_list("pk", flat=True))
    return in_use


# Forms re-bound row after row -----------------------------------------------------------------


class FormPool:
    """A staff form built once per file and re-bound for each row, so every row meets the very
    rules and messages of the web form at a fraction of the cost:

    - building a form deep-copies its fields (over half the time of a row); cleaning keeps no
      state in the fields, so a shallow copy of one built form, given the row's data (and, for
      a model form, a new instance), validates exactly as a new form would (each kind's tests
      compare the two);
    - the code-list fields (countries above all) re-normalize their lazy choices on every check:
      the prototype holds them as a list, the same choices;
    - the model choice fields named in ``read_once`` (e.g. ``federation``: a handful of rows)
      look their value up among the rows read once, instead of one query per row, with the
      field's own error for a value not among them.

    Not for a form with disabled or file fields (their cleaning reads the bound field's
    initial value): refused at once."""

    def __init__(self, form: forms.BaseForm, *, read_once: Iterable[str] = ()):
        if any(f.disabled or isinstance(f, forms.FileField) for f in form.fields.values()):
            raise ImproperlyConfigured(f"{type(form).__name__}: a re-bound form has no disabled or file fields")
        for form_field in form.fields.values():
            if isinstance(form_field, forms.ChoiceField) and not isinstance(form_field, forms.ModelChoiceField):
                form_field.choices = list(form_field.choices)
        for name in read_once:
            _read_choices_once(form.fields[name])
        self.prototype = form

    def bind(self, data: Mapping[str, Any]) -> forms.BaseForm:
        form = copy.copy(self.prototype)
        form.data = data
        form._errors = None
        form._bound_fields_cache = {}
        if isinstance(form, forms.BaseModelForm):
            form.instance = form._meta.model()
        return form


def _read_choices_once(field: forms.ModelChoiceField) -> None:
    key = field.to_field_name or "pk"
    by_key = {str(getattr(obj, key)): obj for obj in field.queryset}

    def to_python(value):
        if value in field.empty_values:
            return None
        try:
            return by_key[str(getattr(value, key, value))]
        except KeyError:
            raise ValidationError(
                field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None

    field.to_python = to_python


# Kinds -----------------------------------------------------------------------------------------


class Checker(ABC):
    """Checks rows of one file for one user, a chunk at a time. ``check_chunk`` gives, per row,
    its issues (none when it can be imported) and, when importable, a payload ``build`` turns
    into an unsaved record. State kept across chunks (e.g. keys seen above) finds repeats within
    the file."""

    @abstractmethod
    def check_chunk(self, rows: list[TableRow]) -> list[tuple[list[RowIssue], Any]]:
        """Per row of ``rows``: (issues, None) or ([], payload)."""

    def warnings(self, valid: list[tuple[TableRow, Any]]) -> dict[RowRef, list[RowIssue]]:
        """Warnings for importable rows (imported all the same); none by default."""
        return {}

    @abstractmethod
    def build(self, payload: Any) -> models.Model:
        """The unsaved record of an importable row."""


class ImportKind(ABC):
    """One kind of record that can be imported. Subclasses set the class attributes and
    implement ``checker``, ``insert`` and ``rollback``."""

    key: ClassVar[str]
    label: ClassVar[str | Promise]  # e.g. 侨情人员
    noun: ClassVar[str | Promise]  # what a row is, in the messages: 人员, 企业 …
    permission: ClassVar[str]  # needed to import this kind
    rollback_permission: ClassVar[str]  # needed, besides ``permission``, to roll a batch back
    columns: ClassVar[tuple[Column, ...]]
    template_sheet: ClassVar[str | Promise]
    template_notes: ClassVar[tuple[str | Promise, ...]] = ()
    upload_help: ClassVar[tuple[str | Promise, ...]] = ()

    @property
    def column_by_field(self) -> dict[str, Column]:
        return {col.field: col for col in self.columns}

    @property
    def specs(self) -> tuple[ColumnSpec, ...]:
        return tuple(col.spec for col in self.columns)

    def read_table(self, content: bytes, file_name: str, *, overrides: Mapping[str, str] | None = None) -> Table:
        """The sheets of an uploaded file with this kind's columns found in each, or a
        ``ValidationError`` that says in Chinese what is wrong."""
        return tabular.open_table(content, file_name, self.specs, overrides=overrides, silent_headers=SILENT_HEADERS)

    def field_choices(self) -> list[tuple[str, str]]:
        """What a file column can be mapped to: each column of the kind, or nothing."""
        return [("", _("不导入")), *((col.field, col.header) for col in self.columns)]

    def required_headers(self) -> list[str]:
        return [col.header for col in self.columns if col.required]

    # Options asked for at upload (e.g. the activity whose participants these are).

    def option_fields(self, *, user) -> dict[str, forms.Field]:
        return {}

    def clean_options(self, *, user, data: Mapping[str, Any]) -> dict[str, Any]:
        """The upload form's cleaned options as JSON for the batch (ids, not objects)."""
        return {}

    def describe_options(self, options: Mapping[str, Any]) -> str:
        """One line naming the options, for the batch's page ("" when none)."""
        return ""

    # The work.

    @abstractmethod
    def checker(self, *, actor, default_federation: int | None, options: Mapping[str, Any]) -> Checker:
        """The checker of one file for ``actor``."""

    @abstractmethod
    def insert(self, *, actor, records: list[models.Model], batch) -> int:
        """Write the records of a chunk (the caller holds the transaction); how many."""

    @abstractmethod
    def rollback(self, *, batch) -> int:
        """Delete what ``batch`` imported and return how many; a ``ValidationError`` (nothing
        deleted) when some of it is in use."""

    def rolled_back_message(self, count: int) -> str:
        return _("已撤销：删除了本批导入的 %(count)s 条%(noun)s记录。") % {"count": count, "noun": self.noun}

    def code_lists(self, *, user) -> dict[str, list[str]]:
        """Drop-down lists of the template, per column field."""
        return {}

    def template_xlsx(self, *, user) -> bytes:
        """The template workbook: the columns in Chinese (required ones in red), drop-down lists,
        long-number columns formatted as text, and the notes."""
        import xlsxwriter

        buffer = io.BytesIO()
        book = tabular.export_workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
        data = book.add_worksheet(str(self.template_sheet))
        notes = book.add_worksheet(_("填写说明"))
        lists = book.add_worksheet(_("代码表"))
        head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        head_required = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "font_color": "#C00000"})
        text = book.add_format({"num_format": "@"})
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        max_row = 20000
        list_ranges: dict[str, str] = {}
        for col_index, (name, values) in enumerate(self.code_lists(user=user).items()):
            lists.write_string(0, col_index, name)
            for row, value in enumerate(values, start=1):
                lists.write_string(row, col_index, value)
            if values:
                letter = xlsxwriter.utility.xl_col_to_name(col_index)
                list_ranges[name] = f"='{lists.get_name()}'!${letter}$2:${letter}${len(values) + 1}"
        lists.hide()
        for col_index, col in enumerate(self.columns):
            data.write_string(0, col_index, col.header, head_required if col.required else head)
            cell_format = text if col.is_text_format else date if col.kind == "date" else None
            data.set_column(col_index, col_index, col.width, cell_format)
            if col.hint:
                data.write_comment(0, col_index, str(col.hint))
            source = list_ranges.get(col.field)
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
        for row, line in enumerate(self.template_notes):
            notes.write_string(row, 0, str(line))
        book.close()
        return buffer.getvalue()


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    _KINDS[kind.key] = kind
    return kind


def get_kind(key: str) -> ImportKind:
    """The kind named ``key``; ``KeyError`` when there is none."""
    return _KINDS[key]


def all_kinds() -> list[ImportKind]:
    return list(_KINDS.values())


def kinds_for(user) -> list[ImportKind]:
    """The kinds ``user`` may import, in the order they were registered."""
    if getattr(user, "federation_id", None) is None:
        return []
    return [kind for kind in _KINDS.values() if user.has_perm(kind.permission)]


# A kind built on a staff ModelForm ----------------------------------------------------------------


class FormChecker(Checker):
    """Rows of a ``FormKind`` as data of its form: cells normalized by column kind, the form's
    rules applied, repeats within the file and records already stored (by the kind's natural
    key) reported as duplicates."""

    def __init__(self, kind: FormKind, *, actor, default_federation: int | None, options: Mapping[str, Any]):
        self.kind = kind
        self.actor = actor
        self.default_federation = default_federation
        self.options = dict(options)
        self.federations = FederationIndex(actor)
        self.form_kwargs = kind.form_kwargs(actor=actor, options=self.options)
        self.seen: dict[str, RowRef] = {}
        self.columns = kind.column_by_field
        self._choices: dict[str, dict[str, Any]] = {}
        self.prototype = kind.form_class(data={}, **self.form_kwargs)  # its fields' choices, read once

    # Cells.

    def choice_code(self, field_name: str, text: str, form_field: forms.Field | None) -> Any:
        if not text:
            return ""
        if field_name not in self._choices:
            choices = getattr(form_field, "choices", []) if form_field is not None else []
            self._choices[field_name] = label_index(choices, self.kind.synonyms.get(field_name))
        return self._choices[field_name].get(label_key(text), text)

    def cell(self, col: Column, value: Any, problems: dict[str, str], form_field: forms.Field | None) -> Any:
        text = normalize.text(value)
        if col.kind == "date":
            return normalize.date_text(value)
        if col.kind == "year":
            return normalize.year_text(value)
        if col.kind == "choice":
            return self.choice_code(col.field, text, form_field)
        if col.kind == "hardship":
            return [self.choice_code(col.field, part, form_field) for part in LIST_SEPARATORS.split(text) if part]
        if col.kind == "country":
            return country_code(text)
        if col.kind == "phone":
            return normalize.phone_text(value)
        if col.kind == "name":
            return normalize.name_text(value)
        if col.kind == "id_number":
            document = normalize.document_number(value)
            if document.is_damaged:
                problems[col.field] = _(
                    "证件号码被表格软件存成了数字，末几位可能已丢失：请把该列设为文本格式，按证件原样重新填写。"
                )
            return document.text
        if col.kind == "bool":
            return "on" if label_key(text) in {"是", "yes", "y", "true", "1", "√", "✓"} else ""
        if col.kind == "number":
            return text.replace(",", "").replace("，", "")
        if col.kind == "federation":
            if not text and self.default_federation is not None:
                return str(self.default_federation)
            pk, reason = self.federations.resolve(text)
            if pk is None:
                problems[col.field] = reason
                return ""
            return str(pk)
        return text

    def issue(self, row: TableRow, field_name: str | None, reason: str, *, duplicate: bool = False) -> RowIssue:
        if not field_name or field_name == "__all__":
            return RowIssue(column="", value="", reason=reason, is_duplicate=duplicate)
        col = self.columns.get(field_name)
        plain = normalize.text(row.value(field_name)) if col else ""
        if col is not None and col.mask_kind and plain:
            reason = reason.replace(plain, mask(col.mask_kind, plain))  # messages may quote the value
        header = col.header if col else str(self.kind.form_class.base_fields[field_name].label)
        return RowIssue(column=header, value=masked(col, plain), reason=reason, is_duplicate=duplicate)

    def data_of(self, row: TableRow) -> tuple[dict[str, Any], dict[str, str]]:
        problems: dict[str, str] = {}
        data = dict(self.kind.defaults(actor=self.actor, options=self.options))
        present = row.layout.columns
        for col in self.kind.columns:
            if col.field not in present:
                if col.kind == "federation" and self.default_federation is not None:
                    data[col.field] = str(self.default_federation)
                continue
            data[col.field] = self.cell(col, row.value(col.field), problems, self.prototype.fields.get(col.field))
        return self.kind.adjust_data(data, problems=problems, checker=self), problems

    # Rows.

    def check_chunk(self, rows: list[TableRow]) -> list[tuple[list[RowIssue], Any]]:
        prepared = [(row, *self.data_of(row)) for row in rows]
        results: list[tuple[list[RowIssue], Any]] = []
        valid: list[tuple[TableRow, forms.BaseForm]] = []
        for row, data, problems in prepared:
            form = self.kind.form_class(data=data, **self.form_kwargs)
            if form.is_valid() and not problems:
                results.append(([], form))
                valid.append((row, form))
                continue
            issues = [self.issue(row, name, reason) for name, reason in problems.items()]
            for name, messages in form.errors.items():
                if name not in problems:
                    issues.append(self.issue(row, name, str(messages[0])))
            results.append((issues, None))
        keys = {id(form): self.kind.natural_key(form.cleaned_data) for _row, form in valid}
        stored = self.kind.existing_keys({key for key in keys.values() if key}, checker=self)
        by_form = {id(form): row for row, form in valid}
        for index, (_issues, form) in enumerate(results):
            if form is None:
                continue
            key, row = keys[id(form)], by_form[id(form)]
            if key is None:
                continue
            if key in stored:
                reason = self.kind.stored_reason
                results[index] = ([self.issue(row, self.kind.key_field, str(reason), duplicate=True)], None)
            elif key in self.seen:
                sheet, number = self.seen[key]
                where = row_label(sheet, number, other_sheet=sheet != row.sheet)
                reason = self.kind.repeated_reason % {"where": where}
                results[index] = ([self.issue(row, self.kind.key_field, reason, duplicate=True)], None)
            else:
                self.seen[key] = row.ref
        return results

    def build(self, payload: forms.BaseModelForm) -> models.Model:
        return self.kind.build(payload, actor=self.actor, options=self.options)


class FormKind(ImportKind):
    """An import kind whose rows are validated by a staff ``ModelForm`` (``form_class``). Besides
    the ``ImportKind`` attributes, a subclass says:

    - ``form_kwargs``: what the form is built with (e.g. the user's federations);
    - ``defaults``: form data every row starts from;
    - ``natural_key`` / ``existing_keys`` / ``key_field``: what makes two rows the same record,
      and which are stored already (both reported as duplicates, not imported);
    - ``build``: the unsaved record from a valid form (``form.save(commit=False)`` by default);
    - ``insert`` and ``rollback`` (``ImportKind``)."""

    form_class: ClassVar[type[forms.BaseModelForm]]
    key_field: ClassVar[str] = ""
    stored_reason: ClassVar[str | Promise] = ""
    repeated_reason: ClassVar[str] = ""
    synonyms: ClassVar[dict[str, dict[str, Any]]] = {}

    def form_kwargs(self, *, actor, options: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    def defaults(self, *, actor, options: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    def adjust_data(self, data: dict[str, Any], *, problems: dict[str, str], checker: FormChecker) -> dict[str, Any]:
        """A hook for rules across cells before the form runs (e.g. a default from another cell)."""
        return data

    def natural_key(self, cleaned_data: Mapping[str, Any]) -> str | None:
        return None

    def existing_keys(self, keys: set[str], *, checker: FormChecker) -> set[str]:
        return set()

    def build(self, form: forms.BaseModelForm, *, actor, options: Mapping[str, Any]) -> models.Model:
        return form.save(commit=False)

    def checker(self, *, actor, default_federation: int | None, options: Mapping[str, Any]) -> Checker:
        return FormChecker(self, actor=actor, default_federation=default_federation, options=options)

    def code_lists(self, *, user) -> dict[str, list[str]]:
        """Drop-downs from the form's choice fields, federations and countries."""
        form = self.form_class(data={}, **self.form_kwargs(actor=user, options={}))
        lists: dict[str, list[str]] = {}
        for col in self.columns:
            if col.kind == "federation":
                lists[col.field] = [f.name for f in self._federations(user)]
            elif col.kind == "country":
                lists[col.field] = country_names_zh()
            elif col.kind == "choice" and col.field in form.fields:
                choices = getattr(form.fields[col.field], "choices", [])
                lists[col.field] = [str(label) for code, label in choices if code not in ("", None)]
        return lists

    @staticmethod
    def _federations(user) -> Iterable[Federation]:
        from qiaolian.orgs.selectors import federation_choices

        return federation_choices(user=user)


def insert_in_batches(
    model: type[models.Model], records: list[models.Model], *, batch, after: Callable[[list], None] | None = None
) -> int:
    """``bulk_create`` of records stamped with their import batch; ``after`` gets the saved
    records (with primary keys on PostgreSQL and SQLite), e.g. to index them for search."""
    for record in records:
        record.import_batch = batch
    saved = model.objects.bulk_create(records, batch_size=500)
    if after is not None:
        after(saved)
    return len(saved)


def changed_in_audit(model: type[models.Model], ids: list[int], since, *, chunk: int = 1000) -> set[int]:
    """Which of these records the audit log shows changed (修改) after ``since``: for models
    without ``updated_at``, whose later edits only the audit log knows of."""
    from qiaolian.audit.models import Action, AuditEntry

    target_type = model._meta.label_lower
    changed: set[int] = set()
    for i in range(0, len(ids), chunk):
        part = [str(pk) for pk in ids[i : i + chunk]]
        found = AuditEntry.objects.filter(
            target_type=target_type, target_id__in=part, action=Action.CHANGE, at__gt=since
        ).values_list("target_id", flat=True)
        changed.update(int(pk) for pk in found)
    return changed


def delete_records(model: type[models.Model], ids: list[int], *, chunk: int = 1000) -> int:
    """Delete these records (a chunk of ids at a time); how many of ``model`` went."""
    deleted = 0
    for i in range(0, len(ids), chunk):
        deleted += model._base_manager.filter(pk__in=ids[i : i + chunk]).delete()[1].get(model._meta.label, 0)
    return deleted


def delete_batch_records(
    model: type[models.Model], *, batch, noun: str | Promise, changed: models.Q | None = None
) -> int:
    """Delete the records ``batch`` imported, when none is in use (``records_in_use``); otherwise
    a ``ValidationError`` saying how many are, and nothing deleted."""
    ids = list(model._base_manager.filter(import_batch=batch).values_list("pk", flat=True))
    since = batch.finished_at or batch.created_at
    in_use = records_in_use(model, ids, since, changed=changed)
    if in_use:
        raise ValidationError(
            _(
                "不能撤销：本批导入的 %(total)s 条%(noun)s中有 %(count)s 条在导入后已被修改或被其他记录引用。"
                "请先处理这些记录，或保留本批次。"
            )
            % {"total": len(ids), "count": len(in_use), "noun": noun},
            code="in_use",
        )
    return delete_records(model, ids)
