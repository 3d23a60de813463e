"""Import of the organizer's spreadsheet of 上海海峡两岸青年创业大赛 projects.

The organizer's summary sheet is not our template: one or two merged title rows stand above the
header, the column names vary (项目名称 / 项目名, 负责人 / 项目负责人 / 联系人 …), the source
region and countries are written in Chinese, a 合计 row closes the table and the team sits in one
cell as "张三（美国）、李四（中国）". The flow:

1. ``import_upload`` — the file is read at once (type, size, header row, required columns); a
   bad file is refused with a message and nothing is kept. A good one is kept in the default
   storage under a random token, with the recommending federation and the uploader.
2. ``import_preview`` — every data row is checked with the rules of the staff form
   (``services_projects.project_problems``), against projects already recorded and against the
   rows above it; problems are listed per cell. Nothing is written.
3. ``import_commit`` — the file is read and checked again, the valid rows are inserted in one
   transaction with one audit entry (``import_ref`` = "file.xlsx:row"), the rows not imported are
   kept as a workbook with a reason column, and the uploaded file is deleted.

Blank rows and 合计/总计/小计 rows are not data rows; every data row ends up imported or rejected.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import re
import secrets
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.contests import services_projects
from qiaolian.contests.models import (
    CompetitionProject,
    ProjectField,
    ProjectOutcome,
    ProjectStage,
    ReferralChannel,
    SourceRegion,
)
from qiaolian.core import tabular
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.masking import Kind, mask
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.core.text import clean, search_key
from qiaolian.core.validators import parse_phone
from qiaolian.orgs.models import Federation
from qiaolian.registry.importing import FederationIndex

ALLOWED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
HEADER_SEARCH_ROWS = 20
MIN_HEADER_MATCHES = 3
STORAGE_DIR = "imports/competition-projects"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP_DAYS = 7
ROW_NUMBER_HEADER = "行号"
REASON_HEADER = "未导入原因"
TOTAL_WORDS = ("合计", "总计", "小计", "共计")
_YEAR = re.compile(r"(\d{4})")
_MEMBER_SPLIT = re.compile(r"[、,，;；/\n]+")
_MEMBER = re.compile(r"^(?P<name>[^（(]+?)\s*(?:[（(](?P<country>[^）)]*)[）)])?\s*$")


# Columns -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the organizer's sheet: the field it feeds and the headers it goes by (part
    of the file format, so not translated)."""

    field: str
    headers: tuple[str, ...]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("year", ("年度", "届别", "年份", "届（年度）", "参赛年度"), required=True),
    Column("name", ("项目名称", "项目名"), required=True),
    Column("leader_name", ("负责人", "项目负责人", "联系人", "负责人姓名"), required=True),
    Column("source_region", ("来源", "来源地区", "项目来源", "来源地"), required=True),
    Column("country", ("国家", "国别", "所在国家", "来源国家", "国家/地区", "国家（地区）")),
    Column("field", ("领域", "行业", "所属领域", "所属行业")),
    Column("stage", ("阶段", "项目阶段", "发展阶段")),
    Column("referral_channel", ("推荐渠道", "推荐单位", "推荐方")),
    Column("outcome", ("结果", "参赛结果", "获奖情况", "比赛结果")),
    Column("members", ("团队成员", "成员", "团队")),
    Column("leader_phone", ("电话", "联系电话", "手机", "负责人电话", "手机号码")),
    Column("federation", ("推荐侨联", "所属侨联")),
    Column("summary", ("项目简介", "简介", "项目介绍")),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
FIELD_LABELS = {
    "year": gettext_lazy("年度"),
    "name": gettext_lazy("项目名称"),
    "leader_name": gettext_lazy("负责人"),
    "source_region": gettext_lazy("来源地区"),
    "country": gettext_lazy("国家"),
    "field": gettext_lazy("领域"),
    "stage": gettext_lazy("阶段"),
    "referral_channel": gettext_lazy("推荐渠道"),
    "outcome": gettext_lazy("参赛结果"),
    "members": gettext_lazy("团队成员"),
    "leader_phone": gettext_lazy("电话"),
    "federation": gettext_lazy("推荐侨联"),
    "summary": gettext_lazy("项目简介"),
}


def _key(text: Any) -> str:
    key = search_key(str(text or ""))
    for mark in ("*", "＊", "(必填)", "（必填）"):
        key = key.replace(search_key(mark), "")
    return key


@cache
def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for col in COLUMNS:
        for header in col.headers:
            index.setdefault(_key(header), col.field)
    return index


# Values ------------------------------------------------------------------------------------------

REGION_WORDS = {
    "海外": SourceRegion.OVERSEAS,
    "国外": SourceRegion.OVERSEAS,
    "境外": SourceRegion.OVERSEAS,
    "海外地区": SourceRegion.OVERSEAS,
    "香港": SourceRegion.HONG_KONG,
    "中国香港": SourceRegion.HONG_KONG,
    "香港特别行政区": SourceRegion.HONG_KONG,
    "澳门": SourceRegion.MACAO,
    "中国澳门": SourceRegion.MACAO,
    "澳门特别行政区": SourceRegion.MACAO,
    "台湾": SourceRegion.TAIWAN,
    "中国台湾": SourceRegion.TAIWAN,
    "台湾地区": SourceRegion.TAIWAN,
    "内地": SourceRegion.MAINLAND,
    "大陆": SourceRegion.MAINLAND,
    "中国内地": SourceRegion.MAINLAND,
    "中国大陆": SourceRegion.MAINLAND,
    "国内": SourceRegion.MAINLAND,
}
AMBIGUOUS_REGIONS = ("港澳", "港澳地区", "港澳台")
CHOICE_WORDS: dict[str, dict[str, str]] = {
    "field": {
        "信息技术": ProjectField.IT,
        "互联网": ProjectField.IT,
        "it": ProjectField.IT,
        "电子信息": ProjectField.IT,
        "ai": ProjectField.AI,
        "人工智能": ProjectField.AI,
        "生物医药": ProjectField.BIO,
        "医疗健康": ProjectField.BIO,
        "大健康": ProjectField.BIO,
        "生命健康": ProjectField.BIO,
        "智能制造": ProjectField.MANUFACTURING,
        "高端装备": ProjectField.MANUFACTURING,
        "新能源": ProjectField.ENERGY,
        "新材料": ProjectField.ENERGY,
        "节能环保": ProjectField.ENERGY,
        "文创": ProjectField.CULTURE,
        "文化": ProjectField.CULTURE,
        "服务业": ProjectField.SERVICES,
        "现代服务业": ProjectField.SERVICES,
        "农业": ProjectField.AGRICULTURE,
        "食品": ProjectField.AGRICULTURE,
    },
    "stage": {
        "创意": ProjectStage.IDEA,
        "概念": ProjectStage.IDEA,
        "创意组": ProjectStage.IDEA,
        "研发": ProjectStage.PROTOTYPE,
        "研发阶段": ProjectStage.PROTOTYPE,
        "原型": ProjectStage.PROTOTYPE,
        "初创": ProjectStage.STARTUP,
        "初创期": ProjectStage.STARTUP,
        "初创组": ProjectStage.STARTUP,
        "成长": ProjectStage.GROWTH,
        "成长期": ProjectStage.GROWTH,
        "成长组": ProjectStage.GROWTH,
    },
    "referral_channel": {
        "侨联": ReferralChannel.FEDERATION,
        "海外社团": ReferralChannel.ASSOCIATION,
        "社团推荐": ReferralChannel.ASSOCIATION,
        "高校": ReferralChannel.STUDENTS,
        "留学生组织": ReferralChannel.STUDENTS,
        "港澳机构": ReferralChannel.HK_MACAO,
        "合作单位": ReferralChannel.PARTNER,
        "自主报名": ReferralChannel.SELF,
        "自荐": ReferralChannel.SELF,
        "自行报名": ReferralChannel.SELF,
    },
    "outcome": {
        "报名": ProjectOutcome.REGISTERED,
        "初赛": ProjectOutcome.PRELIMINARY,
        "复赛": ProjectOutcome.SEMIFINAL,
        "进入复赛": ProjectOutcome.SEMIFINAL,
        "决赛": ProjectOutcome.FINAL,
        "进入决赛": ProjectOutcome.FINAL,
        "落地": ProjectOutcome.SETTLED,
        "已落地": ProjectOutcome.SETTLED,
        "退赛": ProjectOutcome.WITHDRAWN,
        "放弃": ProjectOutcome.WITHDRAWN,
    },
}
# Words inside longer text (a referring body's name, "二等奖") that settle the value.
CHOICE_KEYWORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "referral_channel": (
        ("侨联", ReferralChannel.FEDERATION),
        ("港澳", ReferralChannel.HK_MACAO),
        ("大学", ReferralChannel.STUDENTS),
        ("学院", ReferralChannel.STUDENTS),
        ("学联", ReferralChannel.STUDENTS),
        ("留学", ReferralChannel.STUDENTS),
        ("协会", ReferralChannel.ASSOCIATION),
        ("商会", ReferralChannel.ASSOCIATION),
        ("社团", ReferralChannel.ASSOCIATION),
        ("联合会", ReferralChannel.ASSOCIATION),
        ("同乡会", ReferralChannel.ASSOCIATION),
    ),
    "outcome": (("奖", ProjectOutcome.AWARDED), ("落地", ProjectOutcome.SETTLED), ("决赛", ProjectOutcome.FINAL)),
}
_CHOICES = {
    "field": ProjectField.choices,
    "stage": ProjectStage.choices,
    "referral_channel": ReferralChannel.choices,
    "outcome": ProjectOutcome.choices,
}
# What a blank cell means (the importing federation recommended it; the field is unknown).
DEFAULTS = {
    "field": ProjectField.OTHER,
    "referral_channel": ReferralChannel.FEDERATION,
    "outcome": ProjectOutcome.REGISTERED,
}
COUNTRY_ALIASES = {
    "US": ("美利坚合众国", "美國", "USA", "America"),
    "GB": ("英格兰", "大不列颠", "UK", "Britain", "England"),
    "KR": ("南韩", "大韩民国", "Korea"),
    "AU": ("澳洲",),
    "NZ": ("纽西兰",),
    "RU": ("俄罗斯联邦",),
    "NL": ("Holland",),
    "HK": ("中国香港",),
    "MO": ("中国澳门",),
    "TW": ("中国台湾",),
    "CN": ("中国内地", "中国大陆", "内地", "大陆"),
}


@cache
def _choice_index(name: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels = [(code, str(label)) for code, label in _CHOICES[name]]
        for code, label in labels:
            index.setdefault(_key(code), code)
            index.setdefault(_key(label), code)
            for part in label.split("/"):
                index.setdefault(_key(part), code)
    for word, code in CHOICE_WORDS.get(name, {}).items():
        index.setdefault(_key(word), code)
    return index


@cache
def country_index() -> dict[str, str]:
    """Chinese name (from django_countries' zh-hans catalogue), English name or ISO code → code."""
    index: dict[str, str] = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for country in countries:
                index.setdefault(_key(country.name), country.code)
    for country in countries:
        index.setdefault(_key(country.code), country.code)
        alpha3 = countries.alpha3(country.code)
        if alpha3:
            index.setdefault(_key(alpha3), country.code)
    for code, names in COUNTRY_ALIASES.items():
        for name in names:
            index.setdefault(_key(name), code)
    return index


def _text(value: Any) -> str:
    """A cell as text; spreadsheet readers give whole numbers as floats (2019.0 → "2019")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean(str(value))


def _choice(name: str, text: str) -> str | None:
    key = _key(text)
    code = _choice_index(name).get(key)
    if code:
        return code
    for word, value in CHOICE_KEYWORDS.get(name, ()):
        if word in key:
            return value
    return None


def _year(text: str) -> int | None:
    match = _YEAR.search(clean(text))
    return int(match.group(1)) if match else None


# Reading the file --------------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    header_row: int  # as the spreadsheet numbers it
    columns: dict[str, int]  # field → column index
    rows: list[tuple[int, list[Any]]]  # (row number, cells) of the non-blank rows below the header
    ignored_headers: list[str] = field(default_factory=list)


def _extension(file_name: str) -> str:
    return os.path.splitext(file_name or "")[1].lower()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(content: bytes, file_name: str) -> Table:
    """The rows of the organizer's sheet, or a ValidationError saying in Chinese what is wrong."""
    ext = _extension(file_name)
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("不支持的文件类型“%(ext)s”：请上传 Excel（.xlsx、.xls）、.ods 或 CSV 文件。")
            % {"ext": ext or _("无扩展名")},
            code="file_type",
        )
    if not content:
        raise ValidationError(_("文件是空的。"), code="empty")
    table = tabular.first_sheet_rows(content, is_csv=ext == ".csv")
    header_at = None
    index = _header_index()
    for i, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        if sum(1 for v in cells if _key(v) in index) >= MIN_HEADER_MATCHES:
            header_at = i
            break
    if header_at is None:
        raise ValidationError(
            _("找不到表头行：前 %(n)s 行中没有一行包含项目名称、负责人、来源地区、年度等列名。")
            % {"n": HEADER_SEARCH_ROWS},
            code="no_header",
        )
    headers = [_text(v) for v in table[header_at]]
    columns: dict[str, int] = {}
    ignored = []
    for i, header in enumerate(headers):
        name = index.get(_key(header))
        if name and name not in columns:
            columns[name] = i
        elif header:
            ignored.append(header)
    missing = [col.headers[0] for col in COLUMNS if col.required and col.field not in columns]
    if missing:
        raise ValidationError(
            _("缺少必需的列：%(columns)s。") % {"columns": "、".join(missing)},
            code="missing_columns",
        )
    rows = []
    for number, cells in enumerate(table[header_at + 1 :], start=header_at + 2):
        if all(_is_blank(v) for v in cells):
            continue
        first = next((_text(v).replace(" ", "") for v in cells if not _is_blank(v)), "")
        if first.startswith(TOTAL_WORDS):
            continue
        rows.append((number, list(cells) + [""] * (len(headers) - len(cells))))
    if not rows:
        raise ValidationError(_("表头下面没有数据行。"), code="no_rows")
    return Table(headers=headers, header_row=header_at + 1, columns=columns, rows=rows, ignored_headers=ignored)


# Checking rows -----------------------------------------------------------------------------------


@dataclass
class Cell:
    field: str
    text: str  # as shown: the phone masked
    problem: str = ""


@dataclass
class Row:
    number: int
    cells: list[Cell]
    problems: dict[str, str]  # field ("" for the row as a whole) → message
    data: dict[str, Any] = field(default_factory=dict)
    members: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def row_problem(self) -> str:
        return self.problems.get("", "")

    def reason(self) -> str:
        parts = []
        for name, message in self.problems.items():
            parts.append(f"{FIELD_LABELS.get(name, name)}：{message}" if name else message)
        return "；".join(parts)


@dataclass
class Preview:
    file_name: str
    table: Table
    rows: list[Row]

    @property
    def valid_rows(self) -> list[Row]:
        return [r for r in self.rows if r.is_valid]

    @property
    def invalid_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.is_valid]

    @property
    def shown_fields(self) -> list[str]:
        return [c.field for c in COLUMNS if c.field in self.table.columns]


def _members(text: str, leader_name: str) -> tuple[list[dict[str, Any]], str]:
    """ "张三（美国）、李四（中国）" → members, or a problem naming what could not be read."""
    members, unknown = [], []
    for part in _MEMBER_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        match = _MEMBER.match(part)
        if not match:
            unknown.append(part)
            continue
        name = clean(match.group("name"))
        country_text = clean(match.group("country") or "")
        code = ""
        if country_text:
            code = country_index().get(_key(country_text), "")
            if not code:
                unknown.append(country_text)
                continue
        members.append(
            {
                "name": name,
                "role": "",
                "nationality": code,
                "is_leader": bool(leader_name) and _key(name) == _key(leader_name),
            }
        )
    if unknown:
        return members, _("无法识别的成员或国家：%(items)s（格式如：张三（美国）、李四（中国））") % {
            "items": "、".join(unknown)
        }
    return members, ""


class RowChecker:
    """Checks the rows of one file for one user: the values, the rules of the staff form, and
    duplicates against recorded projects (district-wide, as the rule is) and earlier rows."""

    def __init__(self, *, user, federation: Federation, table: Table):
        self.user = user
        self.federation = federation
        self.table = table
        self.federations = FederationIndex(user) if "federation" in table.columns else None
        years = set()
        for _number, cells in table.rows:
            year = _year(_text(self._raw(cells, "year")))
            if year:
                years.add(year)
        self.recorded = {
            (y, _key(n), _key(leader))
            for y, n, leader in CompetitionProject.objects.filter(year__in=years).values_list(
                "year", "name", "leader_name"
            )
        }
        self.seen: dict[tuple, int] = {}
        self.federation_cache: dict[int, Federation] = {}

    def _raw(self, cells: list[Any], name: str) -> Any:
        i = self.table.columns.get(name)
        return cells[i] if i is not None and i < len(cells) else ""

    def check(self, number: int, cells: list[Any]) -> Row:
        texts = {name: _text(self._raw(cells, name)) for name in self.table.columns}
        problems: dict[str, str] = {}
        data: dict[str, Any] = {}

        data["name"] = texts.get("name", "")
        if not data["name"]:
            problems["name"] = _("请填写项目名称。")
        elif len(data["name"]) > 150:
            problems["name"] = _("项目名称不能超过 150 个字。")
        data["leader_name"] = texts.get("leader_name", "")
        if not data["leader_name"]:
            problems["leader_name"] = _("请填写负责人。")
        elif len(data["leader_name"]) > 60:
            problems["leader_name"] = _("负责人姓名不能超过 60 个字。")

        year_text = texts.get("year", "")
        year = _year(year_text)
        if not year_text:
            problems["year"] = _("请填写年度。")
        elif year is None:
            problems["year"] = _("无法识别年度“%(value)s”，请填写四位年份，如 2019。") % {"value": year_text}
        data["year"] = year

        region_text = texts.get("source_region", "")
        country_text = texts.get("country", "")
        region = REGION_WORDS.get(region_text.replace(" ", ""))
        country = ""
        if country_text:
            country = country_index().get(_key(country_text), "")
            if not country:
                problems["country"] = _("未知的国家：%(value)s") % {"value": country_text}
        if not region_text:
            problems["source_region"] = _("请填写来源地区（海外、香港、澳门、台湾或内地）。")
        elif region_text.replace(" ", "") in AMBIGUOUS_REGIONS:
            problems["source_region"] = _("“%(value)s”不能确定是香港还是澳门（或台湾），请写明其中一个。") % {
                "value": region_text
            }
        elif region is None:
            # A country written in the region column: an overseas project from that country.
            as_country = country_index().get(_key(region_text), "")
            if as_country and as_country not in services_projects.NOT_OVERSEAS:
                region = SourceRegion.OVERSEAS
                country = country or as_country
            else:
                problems["source_region"] = _("无法识别来源地区“%(value)s”：应为海外、香港、澳门、台湾或内地。") % {
                    "value": region_text
                }
        data["source_region"] = region or ""
        data["country"] = country
        if region and "country" not in problems:
            for name, message in services_projects.project_problems(
                year=year, source_region=region, country=country
            ).items():
                problems.setdefault(name, message)
        elif year is not None and "year" not in problems:
            message = services_projects.project_problems(year=year, source_region="", country="").get("year")
            if message:
                problems["year"] = message

        for name in ("field", "stage", "referral_channel", "outcome"):
            text = texts.get(name, "")
            if not text:
                if name in DEFAULTS:
                    data[name] = DEFAULTS[name]
                else:
                    problems[name] = _("请填写阶段（创意阶段、产品研发、初创运营或成长扩张）。")
                continue
            code = _choice(name, text)
            if code is None:
                labels = "、".join(str(label) for _code, label in _CHOICES[name])
                problems[name] = _("无法识别“%(value)s”，应为：%(labels)s。") % {"value": text, "labels": labels}
            data[name] = code or ""

        phone_text = texts.get("leader_phone", "")
        data["leader_phone"] = ""
        if phone_text:
            try:
                data["leader_phone"] = parse_phone(phone_text)
            except ValidationError:
                problems["leader_phone"] = _("电话号码无效（境外号码请带国家代码，如 +1、+852）。")

        data["summary"] = texts.get("summary", "")
        data["federation"] = self.federation
        if self.federations is not None and texts.get("federation"):
            pk, message = self.federations.resolve(texts["federation"])
            if message:
                problems["federation"] = message
            else:
                if pk not in self.federation_cache:
                    self.federation_cache[pk] = Federation.objects.get(pk=pk)
                data["federation"] = self.federation_cache[pk]

        members: list[dict[str, Any]] = []
        if texts.get("members"):
            members, message = _members(texts["members"], data["leader_name"])
            if message:
                problems["members"] = message

        if year and data["name"] and data["leader_name"] and "name" not in problems:
            key = (year, _key(data["name"]), _key(data["leader_name"]))
            if key in self.recorded:
                problems["name"] = services_projects.duplicate_message(
                    year=year, name=data["name"], leader_name=data["leader_name"]
                )
            elif key in self.seen:
                problems["name"] = _("与第 %(row)s 行是同一项目（年度、项目名称、负责人相同）。") % {
                    "row": self.seen[key]
                }
            else:
                self.seen[key] = number

        shown = []
        for name in (c.field for c in COLUMNS if c.field in self.table.columns):
            text = texts.get(name, "")
            if name == "leader_phone" and text:
                text = mask(Kind.PHONE, data["leader_phone"]) if data["leader_phone"] else mask(Kind.PHONE, text)
            shown.append(Cell(name, text, problems.get(name, "")))
        return Row(number=number, cells=shown, problems=problems, data=data, members=members)


def check_table(*, user, federation: Federation, table: Table) -> list[Row]:
    checker = RowChecker(user=user, federation=federation, table=table)
    return [checker.check(number, cells) for number, cells in table.rows]


# Kept uploads ------------------------------------------------------------------------------------


@dataclass
class Upload:
    """An uploaded file waiting for its preview and commit, known by a random token."""

    token: str
    file_name: str
    federation_id: int
    created_by_id: int | None
    created_at: str
    status: str = "uploaded"  # → "done"
    imported: int = 0
    rejected: int = 0

    @property
    def is_done(self) -> bool:
        return self.status == "done"

    @property
    def federation(self) -> Federation:
        return Federation.objects.get(pk=self.federation_id)

    @property
    def import_ref_stem(self) -> str:
        return self.file_name


def _path(token: str, name: str) -> str:
    return f"{STORAGE_DIR}/{token}/{name}"


def _save_meta(upload: Upload) -> None:
    path = _path(upload.token, "meta.json")
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(json.dumps(upload.__dict__, ensure_ascii=False).encode()))


def _read(path: str) -> bytes:
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def _source_path(upload: Upload) -> str:
    return _path(upload.token, "source" + _extension(upload.file_name))


def _purge_old() -> None:
    """Forget uploads left unconfirmed for a week (best effort: a storage that cannot list keeps them)."""
    try:
        tokens, _files = default_storage.listdir(STORAGE_DIR)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    limit = timezone.now() - dt.timedelta(days=KEEP_DAYS)
    for token in tokens:
        try:
            meta = json.loads(_read(_path(token, "meta.json")))
            if dt.datetime.fromisoformat(meta["created_at"]) >= limit:
                continue
            for name in default_storage.listdir(f"{STORAGE_DIR}/{token}")[1]:
                default_storage.delete(_path(token, name))
        except (FileNotFoundError, KeyError, ValueError, OSError):
            continue


def import_upload(*, actor, upload: UploadedFile, federation: Federation) -> Upload:
    """Read the file now (a bad file is refused, nothing kept) and keep it for the preview."""
    require_perm(actor, "contests.import_project")
    require_in_scope(actor, getattr(federation, "pk", None))
    limit = settings.QIAOLIAN_IMPORT_MAX_BYTES
    if upload.size and upload.size > limit:
        raise ValidationError(_("文件超过 %(limit)s，请拆分后分批导入。") % {"limit": filesizeformat(limit)})
    content = upload.read()
    file_name = os.path.basename(upload.name or "import.xlsx")
    read_table(content, file_name)
    _purge_old()
    kept = Upload(
        token=secrets.token_hex(16),
        file_name=file_name,
        federation_id=federation.pk,
        created_by_id=getattr(actor, "pk", None),
        created_at=timezone.now().isoformat(),
    )
    default_storage.save(_source_path(kept), ContentFile(content))
    _save_meta(kept)
    return kept


def import_get(*, user, token: str) -> Upload:
    """The kept upload named by ``token`` if it belongs to the user's jurisdiction (404 otherwise)."""
    if not TOKEN.match(token or ""):
        raise Http404("no such import")
    try:
        meta = json.loads(_read(_path(token, "meta.json")))
    except (FileNotFoundError, ValueError, OSError):
        raise Http404("no such import") from None
    upload = Upload(**meta)
    if not scope_for(user).allows(upload.federation_id):
        raise Http404("no such import")
    return upload


def import_preview(*, user, upload: Upload) -> Preview:
    """Every data row with its problems per cell. Writes nothing."""
    require_perm(user, "contests.import_project")
    try:
        content = _read(_source_path(upload))
    except (FileNotFoundError, OSError):
        raise ValidationError(_("上传的文件已不在，请重新上传。"), code="gone") from None
    table = read_table(content, upload.file_name)
    return Preview(upload.file_name, table, check_table(user=user, federation=upload.federation, table=table))


def rejects_workbook(preview: Preview) -> bytes:
    """The rows not imported, as they were in the file, with their row number and reason."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(_("未导入的行"))
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    reason_head = book.add_format({"bold": True, "bg_color": "#FDE2E1", "border": 1})
    table = preview.table
    width = len(table.headers)
    for col, header in enumerate(table.headers):
        sheet.write_string(0, col, header, head)
    sheet.write_string(0, width, _(ROW_NUMBER_HEADER), reason_head)
    sheet.write_string(0, width + 1, _(REASON_HEADER), reason_head)
    by_number = dict(table.rows)
    for out, row in enumerate(preview.invalid_rows, start=1):
        cells = by_number[row.number]
        for col in range(width):
            value = _text(cells[col]) if col < len(cells) else ""
            if value:
                sheet.write_string(out, col, value)
        sheet.write_number(out, width, row.number)
        sheet.write_string(out, width + 1, row.reason())
    sheet.set_column(0, width - 1, 14)
    sheet.set_column(width + 1, width + 1, 60)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def import_commit(*, actor, upload: Upload) -> Upload:
    """Import the valid rows in one transaction; keep the others as a workbook with reasons."""
    require_perm(actor, "contests.import_project")
    require_in_scope(actor, upload.federation_id)
    if upload.is_done:
        raise ValidationError(_("该文件已经导入过了。"))
    preview = import_preview(user=actor, upload=upload)
    valid = preview.valid_rows
    try:
        with transaction.atomic():
            services_projects.projects_bulk_create(
                actor=actor,
                rows=[(row.data, row.members, f"{upload.file_name}:{row.number}"[:120]) for row in valid],
                source=upload.file_name,
            )
    except IntegrityError:  # the same project recorded meanwhile (or a second click): nothing written
        raise ValidationError(_("导入期间有项目被他人录入，未导入任何行。请刷新后重新检查。")) from None
    default_storage.save(_path(upload.token, "rejects.xlsx"), ContentFile(rejects_workbook(preview)))
    default_storage.delete(_source_path(upload))
    upload.status, upload.imported, upload.rejected = "done", len(valid), len(preview.invalid_rows)
    _save_meta(upload)
    return upload


def import_rejects(*, actor, upload: Upload) -> bytes:
    """The rejected rows of a committed upload (the download is audited: it holds phone numbers)."""
    require_perm(actor, "contests.import_project")
    require_in_scope(actor, upload.federation_id)
    path = _path(upload.token, "rejects.xlsx")
    if not upload.is_done or not default_storage.exists(path):
        raise Http404("no rejects")
    content = _read(path)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Action.EXPORT,
            federation_id=upload.federation_id,
            data={"kind": "competition_project_rejects", "source": upload.file_name, "rows": upload.rejected},
        )
    return content
