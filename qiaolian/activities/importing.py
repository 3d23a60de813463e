"""Import of an activity's participants (活动参与人员) from a sign-in sheet or a registration list
(docs/import.md): the rows become registrations of the activity chosen at upload, through the
batch engine of ``registry.importing`` (preview, confirm, one transaction, one audit entry, roll
back as a whole).

Each row meets the rules of registering a participant by hand: ``RegistrationForm`` (姓名, 单位,
角色) and those of ``services.registration_add`` (the activity open for registration, a person
from the registry the user can see and not deceased, nobody twice, the capacity); a check-in
time those of ``services.check_in``. A row is linked to a person of the registry by its ID number
(blind index, one query per chunk) or, without one, by name and phone (as
``registry.duplicates`` matches them); a row that gives an ID number the user's registry does
not hold is registered by name, with a warning, as a guest or cadre would be at the desk.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.activities import services
from qiaolian.activities.forms import RegistrationForm
from qiaolian.activities.models import Activity, Registration, Role, SessionAttendance
from qiaolian.activities.selectors import activity_scope, registered_count
from qiaolian.core import normalize
from qiaolian.core.importkinds import (
    Column,
    FormChecker,
    FormKind,
    RowIssue,
    RowRef,
    changed_in_audit,
    delete_records,
    label_key,
    records_in_use,
    register,
    row_label,
)
from qiaolian.core.masking import Kind
from qiaolian.core.protected import lookup_hash
from qiaolian.core.tabular import TableRow
from qiaolian.core.text import search_key
from qiaolian.core.validators import normalize_document_number, parse_resident_id
from qiaolian.registry.models import Person
from qiaolian.registry.selectors import person_scope

PERSON_FIELDS = ("pk", "name", "name_key", "living_status")  # what a row needs of its person

COLUMNS: tuple[Column, ...] = (
    Column(
        "姓名",
        "name",
        "name",
        required=True,
        aliases=("姓 名", "名字", "中文姓名", "参会人员", "参加人员", "参会人", "报名人", "参与人员"),
        width=10,
    ),
    Column(
        "证件号码",
        "id_number",
        "id_number",
        aliases=("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号"),
        hint=gettext_lazy("选填，用于关联侨情库人员。请以文本格式填写，勿让表格软件存成数字"),
        width=22,
    ),
    Column(
        "手机",
        "phone",
        "phone",
        aliases=("联系电话", "手机号", "手机号码", "手机/电话", "电话", "联系方式"),
        hint=gettext_lazy("选填；未填证件号码时，按姓名与手机关联侨情库人员"),
        width=14,
    ),
    Column(
        "单位",
        "organization",
        aliases=("工作单位", "所在单位", "单位名称", "单位及职务", "工作单位及职务"),
        width=24,
    ),
    Column(
        "角色",
        "role",
        "choice",
        aliases=("参与角色", "参会身份", "参加身份", "人员类别"),
        hint=gettext_lazy("留空为参加者；嘉宾记为参加者，发言嘉宾、主讲人记为主讲/发言"),
        width=12,
    ),
    Column(
        "签到",
        "checked_in",
        aliases=("是否签到", "签到情况", "签到时间", "到会情况", "是否到会", "出席情况", "是否出席"),
        hint=gettext_lazy("是 / 否，或签到时间，如 2021-03-12 09:05；留空为未签到"),
        width=18,
    ),
)

# What sign-in sheets write besides the labels of the roles.
ROLE_SYNONYMS: dict[str, str] = {
    "参加": Role.PARTICIPANT,
    "参会": Role.PARTICIPANT,
    "参会人员": Role.PARTICIPANT,
    "参加人员": Role.PARTICIPANT,
    "嘉宾": Role.PARTICIPANT,
    "来宾": Role.PARTICIPANT,
    "特邀嘉宾": Role.PARTICIPANT,
    "观众": Role.PARTICIPANT,
    "群众": Role.PARTICIPANT,
    "代表": Role.PARTICIPANT,
    "发言嘉宾": Role.SPEAKER,
    "主讲嘉宾": Role.SPEAKER,
    "主讲": Role.SPEAKER,
    "主讲人": Role.SPEAKER,
    "发言": Role.SPEAKER,
    "发言人": Role.SPEAKER,
    "讲师": Role.SPEAKER,
    "宣讲人": Role.SPEAKER,
    "演员": Role.PERFORMER,
    "演出": Role.PERFORMER,
    "表演者": Role.PERFORMER,
    "志愿": Role.VOLUNTEER,
    "志愿服务": Role.VOLUNTEER,
    "工作人员": Role.ORGANIZER,
    "会务": Role.ORGANIZER,
    "组织": Role.ORGANIZER,
    "主持人": Role.ORGANIZER,
    "培训学员": Role.TRAINEE,
    "学员": Role.TRAINEE,
}
CHECKED_IN_WORDS = {
    label_key(w)
    for w in ("是", "已签到", "签到", "已到", "到", "到会", "已到会", "出席", "已出席", "实到", "参加", "√", "✓", "☑")
} | {"y", "yes", "true", "1"}
ABSENT_WORDS = {
    label_key(w) for w in ("否", "未签到", "未到", "未到会", "缺席", "未出席", "请假", "×", "✗", "-", "—", "/")
} | {"n", "no", "false", "0"}
_DATE_TIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?\s*(?:T|\s)?\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})"
    r"(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?)?\s*[秒分]?$"
)
_TIME = re.compile(r"^(\d{1,2})\s*[:：时点]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?)?\s*[秒分]?$")
_RESIDENT_ID_SHAPE = re.compile(r"^\d{15}$|^\d{17}[\dX]$")


@dataclass
class Participant:
    """A checked row, ready to be registered."""

    name: str
    organization: str
    role: str
    person_id: int | None
    checked_in_at: dt.datetime | None


def match_key(*, person_id: int | None, name: str, organization: str) -> str:
    """``services.participant_key`` compared the way names are (陳 = 陈, spaces left out): how a
    row is matched against the activity's registrations and the rows above it."""
    if person_id:
        return f"p{person_id}"
    return f"n:{search_key(name)}|{search_key(organization)}"


def _id_hash(number: str) -> tuple[str | None, str]:
    """(the blind index of the number as the registry stores it, why it is not a valid resident
    ID number when it looks like one)."""
    try:
        return lookup_hash(Kind.ID_NUMBER, parse_resident_id(number).number), ""
    except ValidationError as error:
        if _RESIDENT_ID_SHAPE.match(number):
            return None, error.messages[0]
    document = normalize_document_number(number)
    return (lookup_hash(Kind.ID_NUMBER, document) if len(document) >= 5 else None), ""


def _aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def check_in_moment(value: Any, activity: Activity) -> tuple[dt.datetime | None, str]:
    """The 签到 cell: (the check-in time or None, "") or (None, why it cannot be read). 是 checks
    in at the activity's start; a time alone is on the activity's first day; a date alone at the
    activity's starting hour."""
    start = timezone.localtime(activity.starts_at)
    if isinstance(value, bool):
        return (activity.starts_at if value else None), ""
    if isinstance(value, dt.datetime):
        return _aware(value), ""
    if isinstance(value, dt.date):
        return _aware(dt.datetime.combine(value, start.time().replace(tzinfo=None))), ""
    if isinstance(value, dt.time):
        return _aware(dt.datetime.combine(start.date(), value.replace(tzinfo=None))), ""
    if normalize.is_number_cell(value) and value not in (0, 1):
        number = float(value)
        seconds = dt.timedelta(seconds=round(number % 1 * 86400))
        if 0 < number < 1:  # a time of day (a fraction of a day)
            return _aware(dt.datetime.combine(start.date(), dt.time()) + seconds), ""
        day = normalize.excel_serial_date(number)
        if day is not None:
            return _aware(dt.datetime.combine(day, dt.time()) + seconds), ""
    text = normalize.text(value)
    key = label_key(text)
    if not key or key in ABSENT_WORDS:
        return None, ""
    if key in CHECKED_IN_WORDS:
        return activity.starts_at, ""
    try:
        if match := _DATE_TIME.match(text):
            year, month, day_of_month, hour, minute, second = (int(g or 0) for g in match.groups())
            return _aware(dt.datetime(year, month, day_of_month, hour, minute, second)), ""
        if match := _TIME.match(text):
            hour, minute, second = (int(g or 0) for g in match.groups())
            return _aware(dt.datetime.combine(start.date(), dt.time(hour, minute, second))), ""
        day = normalize.parse_date(text)
        if day is not None:
            return _aware(dt.datetime.combine(day, start.time().replace(tzinfo=None))), ""
    except ValueError:
        pass
    return None, _("无法识别“%(value)s”：请填写“是”或“否”，或签到时间（如 2021-03-12 09:05）。") % {"value": text}


class ParticipantChecker(FormChecker):
    """Rows of participants of one activity: each row's cells through ``RegistrationForm``, then
    its person looked up (ID numbers and name + phone, one query each per chunk, among the
    persons the user may see), then the rules of ``registration_add`` and ``check_in``."""

    def __init__(self, kind: ParticipantKind, *, actor, default_federation: int | None, options: Mapping[str, Any]):
        super().__init__(kind, actor=actor, default_federation=default_federation, options=options)
        self.activity = kind.activity_for(user=actor, options=self.options)
        if closed := services.closed_message(self.activity):
            raise ValidationError(closed, code="closed")
        self.persons = person_scope(user=actor)
        self.now = timezone.now()
        self.seats = (
            None
            if self.activity.capacity is None
            else max(0, self.activity.capacity - registered_count(activity=self.activity))
        )
        # The activity's registrations, read once, and the rows above, by match key: a person of
        # the registry by ``p<id>``, a participant by name only by name and organization. A
        # person's name and organization (``aliases``) match only participants by name only:
        # two persons of the same name and organization are two people.
        self.stored: dict[str, Registration] = {}
        self.stored_aliases: dict[str, Registration] = {}
        for registration in Registration.objects.filter(activity=self.activity).only(
            "person_id", "name", "organization", "role", "created_at"
        ):
            name, organization = registration.name, registration.organization
            key = match_key(person_id=registration.person_id, name=name, organization=organization)
            self.stored.setdefault(key, registration)
            if registration.person_id:
                self.stored_aliases.setdefault(
                    match_key(person_id=None, name=name, organization=organization), registration
                )
        self.seen_aliases: dict[str, RowRef] = {}
        self.pending_warnings: dict[RowRef, list[RowIssue]] = {}

    # Persons of the registry, a chunk at a time.

    def _persons_by_id(self, hashes: set[str]) -> dict[str, Person]:
        """ID number hash → the visible person with that number (one query)."""
        if not hashes:
            return {}
        found = self.persons.filter(id_number_hash__in=sorted(hashes)).only(*PERSON_FIELDS, "id_number_hash")
        return {person.id_number_hash: person for person in found}

    def _persons_by_phone(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], list[Person]]:
        """(name key, phone hash) → the visible persons of that name with that phone, 手机 or
        其他电话 (one query), as ``registry.duplicates`` matches a name and a phone."""
        if not pairs:
            return {}
        names = sorted({name for name, _phone in pairs})
        phones = sorted({phone for _name, phone in pairs})
        candidates = self.persons.filter(
            Q(phone_hash__in=phones) | Q(phone_alt_hash__in=phones), name_key__in=names
        ).only(*PERSON_FIELDS, "phone_hash", "phone_alt_hash")
        found: dict[tuple[str, str], list[Person]] = {}
        for person in candidates.order_by("pk"):
            for phone in {person.phone_hash, person.phone_alt_hash} - {None, ""}:
                if (person.name_key, phone) in pairs:
                    found.setdefault((person.name_key, phone), []).append(person)
        return found

    # Rows.

    def _warning(self, row: TableRow, field_name: str, reason: str) -> RowIssue:
        issue = self.issue(row, field_name, reason)
        issue.is_warning = True
        return issue

    def check_chunk(self, rows: list[TableRow]) -> list[tuple[list[RowIssue], Any]]:
        prepared = []
        for row in rows:
            data, problems = self.data_of(row)
            moment = None
            if "checked_in" in row.layout.columns:
                moment, problem = check_in_moment(row.value("checked_in"), self.activity)
                if problem:
                    problems["checked_in"] = problem
            number = data.get("id_number") or ""
            id_hash, id_problem = _id_hash(number) if number and "id_number" not in problems else (None, "")
            phone = data.get("phone") or ""
            phone_hash = lookup_hash(Kind.PHONE, phone) if phone.startswith("+") else None
            name_key = search_key(data.get("name") or "")[:60]
            prepared.append((row, data, problems, moment, id_hash, id_problem, name_key, phone_hash))
        by_id = self._persons_by_id({p[4] for p in prepared if p[4]})
        by_phone = self._persons_by_phone(
            {(p[6], p[7]) for p in prepared if p[7] and p[6] and not p[1].get("id_number")}
        )
        return [self._check(*p, by_id=by_id, by_phone=by_phone) for p in prepared]

    def _check(
        self,
        row: TableRow,
        data: dict[str, Any],
        problems: dict[str, str],
        moment: dt.datetime | None,
        id_hash: str | None,
        id_problem: str,
        name_key: str,
        phone_hash: str | None,
        *,
        by_id: dict[str, Person],
        by_phone: dict[tuple[str, str], list[Person]],
    ) -> tuple[list[RowIssue], Participant | None]:
        form = self.kind.form_class(data=data, **self.form_kwargs)
        if not form.is_valid() or problems:
            issues = [self.issue(row, name, reason) for name, reason in problems.items()]
            issues += [self.issue(row, name, str(messages[0])) for name, messages in form.errors.items()]
            return issues, None
        name, organization = form.cleaned_data["name"].strip(), form.cleaned_data["organization"].strip()
        warnings: list[RowIssue] = []
        person = None
        if data.get("id_number"):
            person = by_id.get(id_hash) if id_hash else None
            if person is None:
                reason = (
                    _("证件号码有误（%(reason)s），本行按姓名登记，不关联侨情库人员。请核对。")
                    % {"reason": id_problem.rstrip("。")}
                    if id_problem
                    else _("在您可查看的侨情库中没有该证件号码，本行按姓名登记，不关联侨情库人员。请核对。")
                )
                warnings.append(self._warning(row, "id_number", reason))
            elif person.name_key != name_key:
                reason = _("证件号码对应侨情库中的“%(person)s”，与本行姓名“%(name)s”不符，请核对。") % {
                    "person": person.name,
                    "name": name,
                }
                return [self.issue(row, "id_number", reason)], None
        elif phone_hash:
            found = by_phone.get((name_key, phone_hash), [])
            if len(found) == 1:
                person = found[0]
            elif found:
                reason = _("侨情库中有 %(count)s 名姓名、手机都相同的人员，本行按姓名登记，不关联侨情库人员。") % {
                    "count": len(found)
                }
                warnings.append(self._warning(row, "phone", reason))
        if person is not None:
            if deceased := services.deceased_message(person):
                return [self.issue(row, "id_number" if data.get("id_number") else "name", deceased)], None
            name = person.name  # as ``registration_add`` registers a person of the registry
        if moment is not None and (
            late := services.check_in_time_error(activity=self.activity, at=moment, now=self.now)
        ):
            return [self.issue(row, "checked_in", late)], None
        person_id = person.pk if person is not None else None
        # What this row is matched on: its own keys against everyone; a person's name and
        # organization (as the registry and as the row write the name) only against
        # participants by name only, and a name-only row's also against persons' names.
        keys = [match_key(person_id=person_id, name=name, organization=organization)]
        if phone_hash and name_key:
            keys.append(f"t:{name_key}|{phone_hash}")
        aliases = []
        if person is not None:
            aliases = list(
                dict.fromkeys(
                    match_key(person_id=None, name=n, organization=organization) for n in (name, data["name"])
                )
            )
        field_name = "id_number" if person is not None and data.get("id_number") else "name"
        stored = [self.stored.get(key) for key in [*keys, *aliases]]
        if person is None:
            stored.append(self.stored_aliases.get(keys[0]))
        existing = next((r for r in stored if r is not None), None)
        if existing is not None:
            reason = services.already_registered_message(name=name, existing=existing)
            return [self.issue(row, field_name, reason, duplicate=True)], None
        above = [self.seen.get(key) for key in [*keys, *aliases]]
        if person is None:
            above.append(self.seen_aliases.get(keys[0]))
        first = next((ref for ref in above if ref is not None), None)
        if first is not None:
            sheet, number = first
            where = row_label(sheet, number, other_sheet=sheet != row.sheet)
            reason = _("与%(where)s是同一参与人员，本行不再导入。") % {"where": where}
            return [self.issue(row, field_name, reason, duplicate=True)], None
        if self.seats is not None:
            if self.seats == 0:
                return [self.issue(row, "", services.capacity_message(self.activity))], None
            self.seats -= 1
        for key in keys:
            self.seen.setdefault(key, row.ref)
        for key in aliases:
            self.seen_aliases.setdefault(key, row.ref)
        if warnings:
            self.pending_warnings[row.ref] = warnings
        participant = Participant(
            name=name,
            organization=organization,
            role=form.cleaned_data["role"],
            person_id=person_id,
            checked_in_at=moment,
        )
        return [], participant

    def warnings(self, valid: list[tuple[TableRow, Any]]) -> dict[RowRef, list[RowIssue]]:
        found = {}
        for row, _payload in valid:
            issues = self.pending_warnings.pop(row.ref, None)
            if issues:
                found[row.ref] = issues
        return found

    def build(self, payload: Participant) -> Registration:
        return Registration(
            activity=self.activity,
            person_id=payload.person_id,
            name=payload.name,
            organization=payload.organization,
            role=payload.role,
            checked_in_at=payload.checked_in_at,
            checked_in_by=self.actor if payload.checked_in_at else None,
        )


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Activity) -> str:
        return _("%(title)s（%(date)s，%(federation)s）") % {
            "title": obj.title,
            "date": f"{timezone.localtime(obj.starts_at):%Y-%m-%d}",
            "federation": obj.federation.short_name or obj.federation.name,
        }


class ParticipantKind(FormKind):
    """Activity participants (活动参与人员): rows of a sign-in sheet or a registration list become
    registrations of the activity chosen at upload (``services.registrations_import``)."""

    key = "participants"
    label = gettext_lazy("活动参与人员")
    noun = gettext_lazy("参与人员")
    # The staff who plan and record activities (the roles that may import persons too).
    permission = "activities.change_activity"
    rollback_permission = "activities.change_activity"
    columns = COLUMNS
    template_sheet = gettext_lazy("参与人员")
    form_class = RegistrationForm
    key_field = "name"
    synonyms = {"role": ROLE_SYNONYMS}
    upload_help = (
        gettext_lazy(
            "先选择活动，再上传签到表或报名册；只有姓名必须填写。各单位自己的表格也可以直接上传："
            "系统会找到表头行，认出常见的列名（如“身份证号”“工作单位”“是否签到”）。"
        ),
        gettext_lazy(
            "填写证件号码（或手机）的人员会关联到侨情库；已登记参加该活动的人员不会重复导入，同一文件可以放心重复上传。"
        ),
    )

    @property
    def template_notes(self) -> tuple[str, ...]:  # type: ignore[override]
        return (
            _("活动参与人员导入模板填写说明"),
            _(
                "1. 上传时先选择活动，本表每行填写一名参加该活动的人员，不要修改第一行的列名。"
                "红色列名（姓名）为必填列。"
            ),
            _(
                "2. 证件号码选填，只用于关联侨情库人员，不另行保存："
                "号码在您可查看的侨情库中找到时，按侨情库中的姓名登记；"
                "姓名与侨情库不符的行不导入，请核对；该人员在侨情库中登记为已故的行不导入。"
            ),
            _(
                "3. 证件号码在您可查看的侨情库中找不到（或号码有误）的，本行仍按姓名和单位登记（如来宾、干部），"
                "检查结果中会提示，可在确认导入前核对。证件号码被表格软件存成数字的行不导入，请设为文本格式后重新填写。"
            ),
            _("4. 未填证件号码时，姓名与手机都和侨情库中一名人员相同的，关联该人员；手机不另行保存。"),
            _("5. 角色可选：%(roles)s；留空为参加者。“嘉宾”“来宾”记为参加者，“发言嘉宾”“主讲人”记为主讲/发言。")
            % {"roles": "、".join(str(label) for _code, label in Role.choices)},
            _(
                "6. 签到填“是”或“否”，或签到时间（如 2021-03-12 09:05，只写 09:05 表示活动当天）；"
                "填“是”时签到时间记为活动开始时间。"
                "签到时间须在活动日期内，且不晚于现在；留空为未签到。"
            ),
            _(
                "7. 同一人员（同一侨情库人员，或姓名与单位相同，或姓名与手机相同）已登记参加该活动的，"
                "或在本表中重复出现的，"
                "只导入一次；活动设有名额的，超出名额的行不导入。"
            ),
            _(
                "8. 上传后系统先逐行检查并列出有问题的行，确认后才导入；每人获得签到码；"
                "未导入的行可下载，改正后再次导入。"
            ),
        )

    # The activity, asked for at upload.

    @staticmethod
    def activities(*, user):
        """The activities whose participants ``user`` may import: in their jurisdiction (the
        activities selector) and still open for registration."""
        return activity_scope(user=user).filter(status__in=services.OPEN_FOR_PEOPLE).order_by("-starts_at", "-id")

    def option_fields(self, *, user) -> dict[str, forms.Field]:
        return {
            "activity": ActivityChoiceField(
                label=_("活动"),
                queryset=self.activities(user=user),
                empty_label=_("请选择活动"),
                help_text=_("导入的人员登记为该活动的参与人员；只能选择您管辖范围内、尚未总结或归档的活动。"),
                error_messages={
                    "required": _("请选择活动。"),
                    "invalid_choice": _("所选活动不存在、不在您的管辖范围内，或已不能再登记参与人员。"),
                },
            )
        }

    def clean_options(self, *, user, data: Mapping[str, Any]) -> dict[str, Any]:
        activity = data.get("activity")
        return {"activity": activity.pk} if activity is not None else {}

    def describe_options(self, options: Mapping[str, Any]) -> str:
        pk = options.get("activity")
        if not pk:
            return ""
        # The batch's page, already limited to the user's jurisdiction, names its activity.
        found = Activity.objects.filter(pk=pk).values("title", "starts_at").first()
        if found is None:
            return _("活动：已删除（编号 %(id)s）") % {"id": pk}
        return _("活动：%(title)s（%(date)s）") % {
            "title": found["title"],
            "date": f"{timezone.localtime(found['starts_at']):%Y-%m-%d}",
        }

    def activity_for(self, *, user, options: Mapping[str, Any]) -> Activity:
        """The batch's activity as ``user`` sees it, or a ``ValidationError``."""
        activity = activity_scope(user=user).filter(pk=options.get("activity") or 0).first()
        if activity is None:
            raise ValidationError(_("所选活动不存在或不在您的管辖范围内。"), code="activity")
        return activity

    def adjust_data(self, data: dict[str, Any], *, problems: dict[str, str], checker: FormChecker) -> dict[str, Any]:
        if not data.get("role"):
            data["role"] = Role.PARTICIPANT  # a blank cell, as the web form's initial value
        return data

    def code_lists(self, *, user) -> dict[str, list[str]]:
        return {"role": [str(label) for _code, label in Role.choices], "checked_in": ["是", "否"]}

    # The work.

    def checker(self, *, actor, default_federation: int | None, options: Mapping[str, Any]) -> ParticipantChecker:
        return ParticipantChecker(self, actor=actor, default_federation=default_federation, options=options)

    def insert(self, *, actor, records: list[Registration], batch) -> int:
        if not records:
            return 0
        return services.registrations_import(
            actor=actor, activity=records[0].activity, registrations=records, batch=batch
        )

    def rollback(self, *, batch) -> int:
        """The batch's registrations, unless one is in use: checked in or otherwise changed since
        (an audit entry of its own after the import), linked to a portal account, or referred
        to (attendance of a session)."""
        ids = list(Registration._base_manager.filter(import_batch=batch).values_list("pk", flat=True))
        since = batch.finished_at or batch.created_at
        in_use = records_in_use(Registration, ids, since, changed=Q(account__isnull=False))
        in_use |= changed_in_audit(Registration, ids, since)
        for i in range(0, len(ids), 1000):
            part = ids[i : i + 1000]
            # Attendance points here without a reverse name (related_name="+"), which
            # ``records_in_use`` does not follow.
            attended = SessionAttendance.objects.filter(registration_id__in=part).values_list(
                "registration_id", flat=True
            )
            in_use.update(attended.distinct())
        if in_use:
            raise ValidationError(
                _(
                    "不能撤销：本批导入的 %(total)s 名参与人员中有 %(count)s 名在导入后已签到、被修改或有出勤记录。"
                    "请先处理这些人员，或保留本批次。"
                )
                % {"total": len(ids), "count": len(in_use)},
                code="in_use",
            )
        return delete_records(Registration, ids)

    def rolled_back_message(self, count: int) -> str:
        return _("已撤销：删除了本批导入的 %(count)s 名参与人员。") % {"count": count}


PARTICIPANTS = register(ParticipantKind())
