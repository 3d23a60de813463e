"""Import of the organizer's spreadsheet of 上海海峡两岸青年创业大赛 projects, as the import kind
"projects" of the shared batch engine (``registry.importing``: upload, background check, preview
with every issue per cell, column mapping, confirm, commit in one transaction with one audit entry,
rejects workbook, roll back as a whole; the CLI ``qiaolian import projects FILE``).

The organizer's summary sheet is not our template: merged title rows stand above the header, the
column names vary (项目名称 / 项目名, 负责人 / 项目负责人 / 联系人 …), the source region and the
countries are written in Chinese, a 合计 row closes the table and the team sits in one cell as
"张三（美国）、李四（中国）". What this module adds to the generic ``FormKind``:

- reading those cells (``ProjectKind.adjust_data``): the year as its first four digits (２０２１,
  2021年, 2021.0); 港澳 refused as ambiguous; a country written in the region column meaning an
  overseas project from there; countries by Chinese or English name, code or common alias; the
  code lists by label, synonym or a keyword inside longer text (…协会 = 海外社团推荐, 二等奖 =
  获奖); blanks that mean 其他 / 侨联推荐 / 已报名; the team parsed into members;
- the rules of the staff ``ProjectForm`` (``services_projects.project_problems``) for every row;
- duplicates: the same year + project name + leader already recorded (district-wide, as the rule
  is) or on a row above, compared without regard to spaces, case or traditional characters;
- the recommending federation: the upload option 推荐侨联 (or the uploader's own federation) for
  rows without a 推荐侨联 column or cell, a federation of the uploader's jurisdiction otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from qiaolian.contests import services_projects
from qiaolian.contests.forms_projects import ProjectForm
from qiaolian.contests.models import (
    CompetitionProject,
    ProjectField,
    ProjectOutcome,
    ProjectStage,
    ReferralChannel,
    SourceRegion,
)
from qiaolian.core import normalize
from qiaolian.core.importkinds import (
    Column,
    FormChecker,
    FormKind,
    RowIssue,
    country_code,
    delete_records,
    label_key,
    register,
)
from qiaolian.core.tabular import TableRow
from qiaolian.orgs.models import Federation
from qiaolian.orgs.selectors import federation_choices

# Keys of a row's form data the form itself does not read (``ProjectChecker.data_of``).
TEAM = "_team"  # the members parsed from 团队成员
ROW = "_row"  # (sheet, row number)

# Columns: the header of the template first, then the names organizers use. Part of the file
# format, so not translated.
COLUMNS: tuple[Column, ...] = (
    Column("年度", "year", "year", required=True, aliases=("届别", "年份", "届（年度）", "参赛年度", "届次"), width=8),
    Column("项目名称", "name", required=True, aliases=("项目名",), width=30),
    Column("负责人", "leader_name", "name", required=True, aliases=("项目负责人", "联系人", "负责人姓名"), width=10),
    Column(
        "来源地区",
        "source_region",
        "choice",
        required=True,
        aliases=("来源", "项目来源", "来源地"),
        hint=gettext_lazy("海外、香港、澳门、台湾或内地"),
        width=10,
    ),
    Column(
        "国家",
        "country",
        "country",
        aliases=("国别", "所在国家", "来源国家", "国家/地区", "国家（地区）"),
        hint=gettext_lazy("海外项目必填，如 美国、英国、澳大利亚"),
        width=12,
    ),
    Column("领域", "field", "choice", aliases=("行业", "所属领域", "所属行业"), width=14),
    Column("阶段", "stage", "choice", aliases=("项目阶段", "发展阶段"), width=10),
    Column("推荐渠道", "referral_channel", "choice", aliases=("推荐单位", "推荐方"), width=14),
    Column("参赛结果", "outcome", "choice", aliases=("结果", "获奖情况", "比赛结果"), width=10),
    Column(
        "团队成员",
        "members",
        aliases=("成员", "团队"),
        hint=gettext_lazy("写成 张三（美国）、李四（中国）"),
        width=30,
    ),
    Column("电话", "leader_phone", "phone", aliases=("联系电话", "手机", "负责人电话", "手机号码"), width=16),
    Column(
        "推荐侨联",
        "federation",
        "federation",
        aliases=("所属侨联",),
        hint=gettext_lazy("留空时记在上传时选择的推荐侨联名下"),
        width=16,
    ),
    Column("项目简介", "summary", aliases=("简介", "项目介绍"), width=40),
)

# Values --------------------------------------------------------------------------------------

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
CHOICES = {
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
# Names organizers write that the shared country index does not know.
COUNTRY_ALIASES = {
    "澳洲": "AU",
    "纽西兰": "NZ",
    "英格兰": "GB",
    "大不列颠": "GB",
    "苏格兰": "GB",
    "中国内地": "CN",
    "中国大陆": "CN",
    "内地": "CN",
    "大陆": "CN",
}
_YEAR = re.compile(r"(\d{4})")
_MEMBER_SPLIT = re.compile(r"[、,，;；/\n]+")
_MEMBER = re.compile(r"^(?P<name>[^（(]+?)\s*(?:[（(](?P<country>[^）)]*)[）)])?\s*$")


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(country.code for country in countries)


@cache
def _country_aliases() -> dict[str, str]:
    return {label_key(name): code for name, code in COUNTRY_ALIASES.items()}


def country_of(text: str) -> str:
    """The alpha-2 code of a country written any common way (美国, 美國, United States, US, USA,
    澳洲 …), or "" when it is not one."""
    if not text:
        return ""
    code = country_code(text)
    if code in _country_codes():
        return code
    return _country_aliases().get(label_key(text), "")


def year_of(text: str) -> str | None:
    """The year of a year cell as ``normalize.text`` gives it: its first four digits (2021,
    2021年, 2021届, 2021-09-01 from a date cell), or the year of an Excel date serial (44440, a
    date whose cell lost its format); None when there is none."""
    text = text or ""
    if text.isdigit() and len(text) == 5:
        day = normalize.excel_serial_date(float(text))
        if day is not None:
            return str(day.year)
    match = _YEAR.search(text)
    return match.group(1) if match else None


def members_of(text: str, leader_name: str) -> tuple[list[dict[str, Any]], str]:
    """ "张三（美国）、李四（中国）" → members (the one named as the leader marked so), and a
    problem naming what could not be read ("" when all could)."""
    members, unknown = [], []
    for part in _MEMBER_SPLIT.split(text or ""):
        part = part.strip()
        if not part:
            continue
        match = _MEMBER.match(part)
        if not match:
            unknown.append(part)
            continue
        name = match.group("name").strip()
        country_text = (match.group("country") or "").strip()
        code = country_of(country_text) if country_text else ""
        if country_text and not code:
            unknown.append(country_text)
            continue
        members.append(
            {
                "name": name,
                "role": "",
                "nationality": code,
                "is_leader": bool(leader_name) and label_key(name) == label_key(leader_name),
            }
        )
    if unknown:
        return members, _("无法识别的成员或国家：%(items)s（格式如：张三（美国）、李四（中国））") % {
            "items": "、".join(unknown)
        }
    return members, ""


def project_key(year: Any, name: str, leader_name: str) -> str:
    """What makes two rows one project: the year, the name and the leader, compared without
    regard to spaces, case or traditional characters."""
    return f"{year}|{label_key(name)}|{label_key(leader_name)}"


# The kind ------------------------------------------------------------------------------------


@dataclass
class ProjectRecord:
    """A checked row ready to insert: the project's data as the staff form cleaned it, its
    members and where it was in the file."""

    data: dict[str, Any]
    members: list[dict[str, Any]]
    sheet: str
    row: int


class ProjectChecker(FormChecker):
    """``FormChecker`` with the recommending federation of the upload and the service's
    duplicate message naming the project already recorded."""

    def __init__(self, kind: ProjectKind, *, actor, default_federation: int | None, options: Mapping[str, Any]):
        super().__init__(kind, actor=actor, default_federation=default_federation, options=options)
        # The federation chosen at upload, else the command line's --federation, else the
        # uploader's own: rows without a 推荐侨联 go there.
        self.default_federation = (
            self.options.get("federation") or default_federation or getattr(actor, "federation_id", None)
        )
        self.recorded: dict[str, tuple[int, str, str]] = {}  # key → (year, name, leader) stored
        self.years_read: set[int] = set()

    def data_of(self, row: TableRow) -> tuple[dict[str, Any], dict[str, str]]:
        data, problems = super().data_of(row)
        data[ROW] = row.ref
        return data, problems

    def issue(self, row: TableRow, field_name: str | None, reason: str, *, duplicate: bool = False) -> RowIssue:
        if duplicate and reason == str(self.kind.stored_reason):
            year = year_of(normalize.text(row.value("year")))
            key = project_key(year, normalize.text(row.value("name")), normalize.text(row.value("leader_name")))
            found = self.recorded.get(key)
            if found is not None:
                year_, name, leader = found
                reason = services_projects.duplicate_message(year=year_, name=name, leader_name=leader)
        return super().issue(row, field_name, reason, duplicate=duplicate)

    def projects_recorded(self, years: set[int]) -> None:
        todo = years - self.years_read
        if todo:
            for year, name, leader in services_projects.projects_recorded(years=todo):
                self.recorded.setdefault(project_key(year, name, leader), (year, name, leader))
            self.years_read |= todo


class ProjectKind(FormKind):
    """创业大赛项目: the rows are checked by ``ProjectForm`` (the staff form) after
    ``adjust_data`` has read the organizer's cells; ``services_projects.projects_bulk_create``
    inserts them with their teams."""

    key = "projects"
    label = gettext_lazy("创业大赛项目")
    noun = gettext_lazy("项目")
    permission = "contests.import_project"
    rollback_permission = "contests.change_project"
    columns = COLUMNS
    template_sheet = gettext_lazy("大赛项目")
    form_class = ProjectForm
    key_field = "name"
    stored_reason = gettext_lazy("该项目（年度、项目名称、负责人相同）已有记录，请勿重复录入。")
    repeated_reason = gettext_lazy("与%(where)s是同一项目（年度、项目名称、负责人相同）。")
    synonyms = {"source_region": REGION_WORDS, **CHOICE_WORDS}
    upload_help = (
        gettext_lazy(
            "可直接上传组委会的报名汇总表：表头上方的标题行会被跳过，常见列名（如“项目名”“项目负责人”“国别”"
            "“推荐单位”“获奖情况”）都能识别，认不出的列可在检查结果页指定。"
        ),
        gettext_lazy(
            "来源地区填 海外、香港、澳门、台湾 或 内地（“港澳”无法区分，会被列为问题行）；海外项目须填国家，"
            "如 美国、英国、澳大利亚。团队成员写成“张三（美国）、李四（中国）”。"
        ),
        gettext_lazy("同一年度、项目名称、负责人的项目已有记录的不会重复导入；同一文件可以放心重复上传。"),
    )

    @property
    def template_notes(self) -> tuple[str, ...]:  # type: ignore[override]
        return (
            _("创业大赛项目导入模板填写说明"),
            _("1. 请在“大赛项目”工作表中每行填写一个项目，不要修改第一行的列名。红色列名为必填列。"),
            _("2. 年度填四位年份，如 2021；同一年度、项目名称、负责人的项目只能录入一次。"),
            _("3. 来源地区填 海外、香港、澳门、台湾 或 内地；海外项目须填国家（中文名、英文名或代码均可）。"),
            _("4. 领域、推荐渠道、参赛结果留空时分别记为 其他、侨联推荐、已报名；阶段必须填写。"),
            _("5. 团队成员写在一格内，如 张三（美国）、李四（中国）；与负责人同名的成员记为负责人。"),
            _("6. 推荐侨联填写组织全称、简称或别名，须在您的管辖范围内；留空时记在上传时选择的推荐侨联名下。"),
            _("7. 上传后系统先逐行检查并列出有问题的行，确认后才导入；未导入的行可下载，改正后再次导入。"),
        )

    # Options asked for at upload.

    def option_fields(self, *, user) -> dict[str, forms.Field]:
        field = forms.ModelChoiceField(
            label=_("推荐侨联"),
            queryset=federation_choices(user=user),
            to_field_name="code",
            required=False,
            empty_label=_("（我所在的侨联）"),
            initial=getattr(user, "federation", None),
            help_text=_("表中没有“推荐侨联”列或该列留空时，项目记在这个侨联名下。"),
        )
        field.widget.attrs["class"] = "form-select"
        return {"federation": field}

    def clean_options(self, *, user, data: Mapping[str, Any]) -> dict[str, Any]:
        federation = data.get("federation")
        return {"federation": federation.pk} if federation is not None else {}

    def describe_options(self, options: Mapping[str, Any]) -> str:
        pk = options.get("federation")
        if not pk:
            return ""
        # Names the batch's own option (organization names are public).
        name = Federation.objects.filter(pk=pk).values_list("name", flat=True).first()
        return _("推荐侨联：%(name)s") % {"name": name or pk}

    # Checking.

    def form_kwargs(self, *, actor, options: Mapping[str, Any]) -> dict[str, Any]:
        # Recorded projects are looked up a chunk at a time (``existing_keys``), not per row.
        return {"federations": federation_choices(user=actor), "check_duplicates": False}

    def checker(self, *, actor, default_federation: int | None, options: Mapping[str, Any]) -> ProjectChecker:
        return ProjectChecker(self, actor=actor, default_federation=default_federation, options=options)

    def adjust_data(self, data: dict[str, Any], *, problems: dict[str, str], checker: FormChecker) -> dict[str, Any]:
        """The organizer's cells as ``ProjectForm`` data: year, region and country, code lists,
        the team. A cell that cannot be read gets its own message; the form's rules do the rest."""
        year_text = data.get("year") or ""
        if year_text:
            year = year_of(year_text)
            if year is None:
                problems["year"] = _("无法识别年度“%(value)s”，请填写四位年份，如 2019。") % {"value": year_text}
            else:
                data["year"] = year
        self._region_and_country(data, problems)
        for name, choices in CHOICES.items():
            value = data.get(name) or ""
            codes = {code for code, _label in choices}
            if not value:
                if name in DEFAULTS:
                    data[name] = DEFAULTS[name]
                continue
            if value in codes:
                continue
            key = label_key(value)
            code = next((code for word, code in CHOICE_KEYWORDS.get(name, ()) if word in key), None)
            if code is None:
                labels = "、".join(str(label) for _code, label in choices)
                problems[name] = _("无法识别“%(value)s”，应为：%(labels)s。") % {"value": value, "labels": labels}
            else:
                data[name] = code
        members: list[dict[str, Any]] = []
        if data.get("members"):
            members, message = members_of(data["members"], data.get("leader_name") or "")
            if not message:
                try:
                    services_projects.check_members(members)
                except ValidationError as error:
                    message = error.messages[0]
            if message:
                problems["members"] = message
        data[TEAM] = members
        return data

    @staticmethod
    def _region_and_country(data: dict[str, Any], problems: dict[str, str]) -> None:
        regions = set(SourceRegion.values)
        region = data.get("source_region") or ""
        country = data.get("country") or ""
        if country and country not in _country_codes():
            code = country_of(country)
            if code:
                country = code
            else:
                problems["country"] = _("未知的国家：%(value)s") % {"value": country}
        if region and region not in regions:
            if region.replace(" ", "") in AMBIGUOUS_REGIONS:
                problems["source_region"] = _("“%(value)s”不能确定是香港还是澳门（或台湾），请写明其中一个。") % {
                    "value": region
                }
            else:
                # A country written in the region column: an overseas project from that country.
                as_country = country_of(region)
                if as_country and as_country not in services_projects.NOT_OVERSEAS:
                    region = SourceRegion.OVERSEAS
                    country = country or as_country
                else:
                    problems["source_region"] = _("无法识别来源地区“%(value)s”：应为海外、香港、澳门、台湾或内地。") % {
                        "value": region
                    }
        data["source_region"] = region
        data["country"] = country

    def natural_key(self, cleaned_data: Mapping[str, Any]) -> str | None:
        year, name, leader = cleaned_data.get("year"), cleaned_data.get("name"), cleaned_data.get("leader_name")
        if not (year and name and leader):
            return None
        return project_key(year, name, leader)

    def existing_keys(self, keys: set[str], *, checker: FormChecker) -> set[str]:
        """Which keys are recorded already, by any federation (the rule is district-wide, like
        the database constraint; the message names only the project the row itself names)."""
        projects = cast(ProjectChecker, checker)
        projects.projects_recorded({int(key.split("|", 1)[0]) for key in keys})
        return {key for key in keys if key in projects.recorded}

    def build(self, form: forms.BaseModelForm, *, actor, options: Mapping[str, Any]) -> ProjectRecord:  # type: ignore[override]
        sheet, number = form.data[ROW]
        return ProjectRecord(data=form.project_data(), members=form.data[TEAM], sheet=sheet, row=number)

    # Writing.

    def insert(self, *, actor, records: list[ProjectRecord], batch) -> int:  # type: ignore[override]
        several_sheets = len(getattr(batch, "sheet_names", None) or []) > 1
        stem = getattr(batch, "file_name", "") or ""
        rows = []
        for record in records:
            where = f"{record.sheet}:{record.row}" if several_sheets else str(record.row)
            rows.append((record.data, record.members, f"{stem}:{where}"[-120:]))
        try:
            created = services_projects.projects_bulk_create(actor=actor, rows=rows, batch=batch)
        except IntegrityError:  # the same project recorded meanwhile: nothing of the batch is kept
            raise ValidationError(
                _("导入期间有项目被他人录入，未导入任何行。请重新上传检查。"), code="conflict"
            ) from None
        return len(created)

    def rollback(self, *, batch) -> int:
        """The batch's projects (their teams with them), when none has been changed since the
        import or come to be referred to by another record."""
        ids = list(CompetitionProject._base_manager.filter(import_batch=batch).values_list("pk", flat=True))
        in_use = services_projects.projects_in_use(ids=ids, since=batch.finished_at or batch.created_at)
        if in_use:
            raise ValidationError(
                _(
                    "不能撤销：本批导入的 %(total)s 个项目中有 %(count)s 个在导入后已被修改或被其他记录引用。"
                    "请先处理这些项目，或保留本批次。"
                )
                % {"total": len(ids), "count": len(in_use)},
                code="in_use",
            )
        return delete_records(CompetitionProject, ids)

    def rolled_back_message(self, count: int) -> str:
        return _("已撤销：删除了本批导入的 %(count)s 个项目及其团队成员。") % {"count": count}


PROJECTS = register(ProjectKind())
