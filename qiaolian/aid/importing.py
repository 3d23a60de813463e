"""Import of an aid recipients list (帮扶对象名单/慰问名单) into a campaign, as nominations.

A town keeps its list for the season in a spreadsheet: who (name and ID number), which hardship,
why, sometimes how much and what goods. Each row names a person of the registry by 证件号码
(required): the number is looked up by its keyed hash (``core.protected.lookup_hash``), one query
per chunk, among the persons the uploader may see (``registry.selectors.person_scope``); a number
that is not in the registry, or belongs to a person outside the uploader's jurisdiction, is the
row's reason. A 姓名 given in the row must be the registry's name (traditional and simplified
characters compare equal: ``core.normalize.name_key``), or the row is held back: a wrong name
usually means a wrong number.

Each person then meets the very rules of nominating on the web (``aid.services``): the
campaign's eligibility rules, the campaign's federation subtree, one open nomination per person
and campaign (a repeat in the file, or a nomination already stored, is a duplicate). In a
once-per-household campaign a second member of a household is nominated as on the web, with a
warning: only one of them can be approved. Nominations are built by the service's own builder
(federation, household, category and hardship types taken from the registry), start as 待审批 as
the web's bulk nomination leaves them, and are inserted in bulk, stamped with their batch; the
engine (``registry.importing``) writes the one audit entry of the batch.

The optional columns: 困难类型 (must be among the types the registry holds for the person; the
nomination then records those, which decides the standard proposed at approval), 提名理由,
慰问金额 and 慰问品 (the town's proposal: read with the approval form's rules, not above the
campaign's single-share limit; the district's approval sets the amount).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.aid import services
from qiaolian.aid.forms import ApprovalForm, NominationForm
from qiaolian.aid.models import OPEN_STATES, Campaign, CampaignStatus, Nomination, NominationStatus
from qiaolian.core import normalize
from qiaolian.core.importkinds import (
    ID_NUMBER_ALIASES,
    LIST_SEPARATORS,
    Checker,
    Column,
    ImportKind,
    RowIssue,
    RowRef,
    delete_batch_records,
    insert_in_batches,
    label_index,
    label_key,
    masked,
    register,
    row_label,
)
from qiaolian.core.masking import Kind
from qiaolian.core.protected import lookup_hash
from qiaolian.core.tabular import TableRow
from qiaolian.registry import choices as c
from qiaolian.registry.importing import hashes_in_registry, normalized_document
from qiaolian.registry.models import Person

RESIDENT_ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dX]$")
HARDSHIP_SYNONYMS = {"低保": c.Hardship.LOW_INCOME, "低收入": c.Hardship.LOW_INCOME, "因病": c.Hardship.ILLNESS_POVERTY}

COLUMNS: tuple[Column, ...] = (
    Column(
        "姓名",
        "name",
        "name",
        aliases=("中文姓名", "名字", "姓 名", "帮扶对象", "慰问对象", "对象姓名"),
        hint=gettext_lazy("选填；填写时须与侨情库中该证件号码人员的姓名一致"),
        width=10,
    ),
    Column(
        "证件号码",
        "id_number",
        "id_number",
        required=True,
        aliases=ID_NUMBER_ALIASES,
        hint=gettext_lazy("必填，用于在侨情库中找到该人员。请以文本格式填写，勿让表格软件存成数字"),
        width=22,
    ),
    Column(
        "困难类型",
        "hardship_types",
        "hardship",
        aliases=("困难类别", "致困原因", "困难情况类型"),
        hint=gettext_lazy("选填，多个用逗号或顿号分隔；须是侨情库中已登记的困难类型"),
        width=14,
    ),
    Column(
        "提名理由",
        "reason",
        aliases=("情况说明", "困难情况", "推荐理由", "理由", "家庭情况"),
        width=30,
    ),
    Column(
        "慰问金额",
        "amount",
        "number",
        aliases=("金额", "慰问金", "慰问金额(元)", "慰问金(元)", "金额(元)"),
        hint=gettext_lazy("选填，单位为元；审批时由区侨联按标准确定"),
        width=10,
    ),
    Column("慰问品", "goods", aliases=("慰问物品", "物品", "慰问物资"), width=20),
)
COLUMN_BY_FIELD = {col.field: col for col in COLUMNS}


def nominable_campaigns(*, user) -> QuerySet[Campaign]:
    """The campaigns ``user`` may nominate into: those they see (``aid.selectors.campaign_scope``:
    their own and those of the federations above them) that are taking nominations."""
    from qiaolian.aid.selectors import campaign_scope

    if not (user and user.has_perm("aid.nominate")):
        return Campaign.objects.none()
    return campaign_scope(user=user).filter(status=CampaignStatus.OPEN).order_by("-starts_on", "-id")


def _id_hashes(number: str) -> list[str]:
    """The keyed hashes the registry may hold for this number: as a resident ID (a 15-digit one
    upgraded to 18 digits, as ``PersonForm`` stores it) and as another document's number."""
    hashes: list[str] = []
    for id_type in (c.IdType.RESIDENT_ID, c.IdType.OTHER):
        normalized = normalized_document(id_type, number)
        if normalized:
            digest = lookup_hash(Kind.ID_NUMBER, normalized)
            if digest not in hashes:
                hashes.append(digest)
    return hashes


def _amount_text(value: Any) -> str:
    """A money cell as a form reads it: 800、800.00、1,200、800元、¥800 → a plain number."""
    text = normalize.text(value).replace(",", "").replace("，", "").replace(" ", "")
    return text.removesuffix("元").lstrip("¥").strip()


@dataclass
class Recipient:
    """An importable row: the person and what the row says about the nomination."""

    person: Person
    hardship_types: list[str] | None  # None: as the registry has them
    reason: str
    amount: Decimal | None
    goods: str


@dataclass
class _Prepared:
    row: TableRow
    hashes: list[str]
    name: str
    hardship_types: list[str] | None
    reason: str
    amount: Decimal | None
    goods: str
    problems: dict[str, str]  # field → reason, found in the cells themselves


class RecipientChecker(Checker):
    """Rows of a recipients list checked for one uploader and one campaign, a chunk at a time:
    the ID numbers of a chunk looked up in one query, then each person put through the web's
    nomination rules (``services.nominee_context`` / ``services.nominee_problem``)."""

    def __init__(self, *, actor, options: Mapping[str, Any]):
        self.actor = actor
        campaign = Campaign.objects.select_related("federation").filter(pk=options.get("campaign") or 0).first()
        if campaign is None:
            raise ValidationError(_("所选帮扶专项不存在或不在您的管辖范围内。"))
        services.require_visible_campaign(actor, campaign)
        services.require_open_for_nominations(campaign)
        self.campaign = campaign
        self.seen: dict[int, RowRef] = {}  # person id → the first importable row naming them
        self.household_rows: dict[int, RowRef] = {}  # household id → the first row of that household
        self.hardship_index = label_index(c.Hardship.choices, HARDSHIP_SYNONYMS)
        self.hardship_labels = dict(c.Hardship.choices)
        self.reason_field = NominationForm.base_fields["reason"]
        self.amount_field = ApprovalForm.base_fields["amount"]
        self.goods_field = ApprovalForm.base_fields["goods"]

    # Cells.

    def _clean(self, form_field: forms.Field, value: Any, name: str, problems: dict[str, str]) -> Any:
        """A cell through the web form's own field: its rules, its messages."""
        try:
            return form_field.clean(value)
        except ValidationError as error:
            problems[name] = error.messages[0]
            return None

    def prepare(self, row: TableRow) -> _Prepared:
        problems: dict[str, str] = {}
        document = normalize.document_number(row.value("id_number"))
        hashes: list[str] = []
        if document.is_damaged:
            problems["id_number"] = _(
                "证件号码被表格软件存成了数字，末几位可能已丢失：请把该列设为文本格式，按证件原样重新填写。"
            )
        elif not document.text:
            problems["id_number"] = _("请填写证件号码（用它在侨情库中找到该人员）。")
        else:
            hashes = _id_hashes(document.text)
            if not hashes:
                problems["id_number"] = _("证件号码格式不正确，请核对。")
        hardship_types = None
        parts = [p for p in LIST_SEPARATORS.split(normalize.text(row.value("hardship_types"))) if p]
        if parts:
            unknown = [p for p in parts if label_key(p) not in self.hardship_index]
            if unknown:
                problems["hardship_types"] = _("未知的困难类型：%(types)s。可填：%(choices)s。") % {
                    "types": "、".join(unknown),
                    "choices": "、".join(str(label) for label in self.hardship_labels.values()),
                }
            else:
                hardship_types = list(dict.fromkeys(self.hardship_index[label_key(p)] for p in parts))
        reason = self._clean(self.reason_field, normalize.text(row.value("reason")), "reason", problems) or ""
        amount = self._clean(self.amount_field, _amount_text(row.value("amount")), "amount", problems)
        if amount is not None and self.campaign.max_amount is not None and amount > self.campaign.max_amount:
            problems["amount"] = _("慰问金额 %(amount)s 元超过本专项的单份上限 %(max)s 元。") % {
                "amount": services.yuan(amount),
                "max": services.yuan(self.campaign.max_amount),
            }
        goods = self._clean(self.goods_field, normalize.text(row.value("goods")), "goods", problems) or ""
        return _Prepared(
            row=row,
            hashes=hashes,
            name=normalize.name_text(row.value("name")),
            hardship_types=hardship_types,
            reason=reason,
            amount=amount,
            goods=goods,
            problems=problems,
        )

    def issue(self, row: TableRow, field_name: str | None, reason: str, *, duplicate: bool = False) -> RowIssue:
        col = COLUMN_BY_FIELD.get(field_name or "")
        if col is None:
            return RowIssue(column="", value="", reason=reason, is_duplicate=duplicate)
        plain = normalize.text(row.value(col.field))
        return RowIssue(column=col.header, value=masked(col, plain), reason=reason, is_duplicate=duplicate)

    # Rows.

    def _persons(self, prepared: list[_Prepared]) -> tuple[dict[str, Person], set[str]]:
        """The chunk's persons by ID hash, among those the uploader may see (one query), and the
        hashes of the others that are in the registry all the same (outside the jurisdiction)."""
        from qiaolian.registry.selectors import person_scope

        wanted = {digest for p in prepared for digest in p.hashes}
        if not wanted:
            return {}, set()
        found: dict[str, Person] = {}
        visible = (
            person_scope(user=self.actor, include_archived=True)
            .filter(id_number_hash__in=sorted(wanted))
            .select_related("federation", "household")
        )
        for person in visible:
            found[person.id_number_hash] = person
        elsewhere = hashes_in_registry(wanted - set(found)) if wanted - set(found) else set()
        return found, elsewhere

    def check_chunk(self, rows: list[TableRow]) -> list[tuple[list[RowIssue], Recipient | None]]:
        prepared = [self.prepare(row) for row in rows]
        by_hash, elsewhere = self._persons(prepared)
        persons = {id(p): next((by_hash[h] for h in p.hashes if h in by_hash), None) for p in prepared}
        allowed, taken = services.nominee_context(
            self.actor, self.campaign, list({x.pk: x for x in persons.values() if x is not None}.values())
        )
        results: list[tuple[list[RowIssue], Recipient | None]] = []
        for p in prepared:
            person = persons[id(p)]
            issues = [self.issue(p.row, name, reason) for name, reason in p.problems.items()]
            if person is None:
                if "id_number" not in p.problems:
                    issues.append(self.issue(p.row, "id_number", self._missing_reason(p, elsewhere)))
                results.append((issues, None))
                continue
            issues.extend(self._person_issues(p, person, allowed=allowed, taken=taken))
            if issues:
                results.append((issues, None))
                continue
            self.seen[person.pk] = p.row.ref
            recipient = Recipient(
                person=person,
                hardship_types=p.hardship_types,
                reason=p.reason,
                amount=p.amount,
                goods=p.goods,
            )
            results.append(([], recipient))
        return results

    def _missing_reason(self, p: _Prepared, elsewhere: set[str]) -> str:
        if any(h in elsewhere for h in p.hashes):
            return _("该证件号码的人员不在您的管辖范围内，不能由您提名。")
        number = normalize.document_number(p.row.value("id_number")).text
        if RESIDENT_ID_LIKE.match(number) and normalized_document(c.IdType.RESIDENT_ID, number) is None:
            return _("不是有效的居民身份证号码（校验位或出生日期不对），侨情库中也没有这个号码，请核对。")
        return _("侨情库中没有这个证件号码的人员：请先在侨情库中登记（或导入）该人员，再导入名单。")

    def _person_issues(
        self, p: _Prepared, person: Person, *, allowed: set[int], taken: dict[int, Nomination]
    ) -> list[RowIssue]:
        """The row's problems with the person it names: the name, the web's nomination rules
        (every failing rule named), the hardship types, and repeats (duplicates)."""
        issues: list[RowIssue] = []
        if p.name and normalize.name_key(p.name) != normalize.name_key(person.name):
            issues.append(
                self.issue(
                    p.row,
                    "name",
                    _("姓名与侨情库不符：该证件号码在侨情库中登记的姓名是“%(name)s”，请核对姓名和证件号码。")
                    % {"name": person.name},
                )
            )
        problem = services.nominee_problem(self.campaign, person, allowed=allowed, taken={})
        if problem:
            issues.append(self.issue(p.row, "id_number", problem))
            return issues
        if p.hardship_types is not None:
            registered = set(person.hardship_types or [])
            extra = [t for t in p.hardship_types if t not in registered]
            if extra:
                has = "、".join(str(self.hardship_labels.get(t, t)) for t in person.hardship_types or [])
                issues.append(
                    self.issue(
                        p.row,
                        "hardship_types",
                        _(
                            "侨情库中该人员未登记困难类型“%(types)s”（已登记：%(has)s）。"
                            "请先在人员信息中更新困难情况，或按侨情库填写。"
                        )
                        % {
                            "types": "、".join(str(self.hardship_labels[t]) for t in extra),
                            "has": has or _("无"),
                        },
                    )
                )
        if person.pk in self.seen:
            sheet, number = self.seen[person.pk]
            where = row_label(sheet, number, other_sheet=sheet != p.row.sheet)
            reason = _("%(name)s 在名单中出现了两次（与%(where)s为同一人），本行不再导入。") % {
                "name": person.name,
                "where": where,
            }
            issues.append(self.issue(p.row, "id_number", reason, duplicate=True))
            return issues
        problem = services.nominee_problem(self.campaign, person, allowed=allowed, taken=taken)
        if problem:
            issues.append(self.issue(p.row, "id_number", problem, duplicate=True))
        return issues

    def warnings(self, valid: list[tuple[TableRow, Recipient]]) -> dict[RowRef, list[RowIssue]]:
        """In a once-per-household campaign, rows whose household has another member nominated
        (in the file or already): nominated all the same, as on the web; only one can be approved."""
        if not self.campaign.per_household:
            return {}
        households = {r.person.household_id for _row, r in valid if r.person.household_id}
        stored: dict[int, int] = {}
        if households:
            rows = (
                Nomination.objects.filter(campaign=self.campaign, household_id__in=households, status__in=OPEN_STATES)
                .values_list("household_id", "person_id")
                .order_by()
            )
            for household_id, person_id in rows:
                stored.setdefault(household_id, person_id)
        warnings: dict[RowRef, list[RowIssue]] = {}
        for row, recipient in valid:
            household_id = recipient.person.household_id
            if not household_id:
                continue
            first = self.household_rows.get(household_id)
            if first is not None and first != row.ref:
                where = row_label(first[0], first[1], other_sheet=first[0] != row.sheet)
                reason = _("本专项每户限一份：%(name)s 与%(where)s同户，审批时只能批准其中一人。本行仍会导入。") % {
                    "name": recipient.person.name,
                    "where": where,
                }
            elif first is None and household_id in stored:
                reason = _(
                    "本专项每户限一份：%(name)s 的家庭户已有成员被提名，审批时只能批准其中一人。本行仍会导入。"
                ) % {"name": recipient.person.name}
            else:
                reason = ""
            self.household_rows.setdefault(household_id, row.ref)
            if reason:
                issue = self.issue(row, "id_number", reason)
                issue.is_warning = True
                warnings[row.ref] = [issue]
        return warnings

    def build(self, payload: Recipient) -> Nomination:
        nomination = services.new_nomination(self.actor, self.campaign, payload.person, payload.reason, None)
        if payload.hardship_types is not None:
            nomination.hardship_types = payload.hardship_types
        nomination.amount = payload.amount
        nomination.goods = payload.goods
        return nomination


class RecipientKind(ImportKind):
    """Aid recipients (帮扶对象): rows naming registry persons, nominated into one campaign."""

    key = "aid_recipients"
    label = gettext_lazy("帮扶对象")
    noun = gettext_lazy("帮扶对象")
    permission = "aid.nominate"
    rollback_permission = "aid.nominate"
    columns = COLUMNS
    template_sheet = gettext_lazy("帮扶对象名单")
    upload_help = (
        gettext_lazy(
            "先选择帮扶专项，再上传名单；每行一人，按证件号码在侨情库中找到该人员（红色列“证件号码”必须填写）。"
            "各镇自己的慰问名单也可以直接上传，标题行、合计行可以保留。"
        ),
        gettext_lazy(
            "每人都按网页提名的规则检查（本专项的条件、是否已提名等），不符合的行列出原因、不导入；"
            "已在本专项提名的人员不会重复导入，同一文件可以放心重复上传。导入后为“待审批”，由区侨联审批。"
        ),
    )

    @property
    def template_notes(self) -> tuple[str, ...]:  # type: ignore[override]
        return (
            _("帮扶对象（慰问名单）导入模板填写说明"),
            _("1. 请在“帮扶对象名单”工作表中每行填写一人，不要修改第一行的列名。红色列名为必填列。"),
            _("2. 证件号码必填：系统按证件号码在侨情库中找到该人员，人员须已在侨情库中登记、且在您的管辖范围内。"),
            _("3. 姓名选填；填写时须与侨情库中的姓名一致（繁体、简体均可），不一致的行不导入，请核对证件号码。"),
            _("4. 每人须符合所选帮扶专项的条件（困难情况、困难类型、身份类别、年龄等）；已提名的人员不会重复导入。"),
            _("5. 困难类型选填，可填多个，用逗号或顿号分隔，须是侨情库中已登记的类型。可选：%(types)s。")
            % {"types": "、".join(str(label) for _code, label in c.Hardship.choices)},
            _("6. 慰问金额（元）和慰问品选填，为提名单位的建议；审批时由区侨联按本专项标准确定。"),
            _("7. 证件号码请按文本填写（本模板已设为文本格式），不要让表格软件存成数字，否则末几位会丢失。"),
            _("8. 上传后系统先逐行检查并列出有问题的行，确认后才导入；未导入的行可下载，改正后再次导入。"),
        )

    def option_fields(self, *, user) -> dict[str, forms.Field]:
        return {
            "campaign": forms.ModelChoiceField(
                label=_("帮扶专项"),
                queryset=nominable_campaigns(user=user),
                empty_label=_("请选择帮扶专项"),
                help_text=_("名单中的人员将提名到这个专项（只列出您可以提名、正在提名中的专项）。"),
                error_messages={
                    "required": _("请选择帮扶专项。"),
                    "invalid_choice": _("所选帮扶专项不存在、不在您的管辖范围内或已截止提名。"),
                },
            )
        }

    def clean_options(self, *, user, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"campaign": data["campaign"].pk}

    def describe_options(self, options: Mapping[str, Any]) -> str:
        # A campaign's title is not personal data; the batch's page is shown only to its uploader's
        # jurisdiction already.
        title = Campaign.objects.filter(pk=options.get("campaign") or 0).values_list("title", flat=True).first()
        return _("帮扶专项：%(title)s") % {"title": title} if title else ""

    def rolled_back_message(self, count: int) -> str:
        return _("已撤销：删除了本批导入的 %(count)s 条帮扶提名。") % {"count": count}

    def checker(self, *, actor, default_federation: int | None, options: Mapping[str, Any]) -> RecipientChecker:
        return RecipientChecker(actor=actor, options=options)

    def insert(self, *, actor, records: list[Nomination], batch) -> int:
        try:
            with transaction.atomic():
                return insert_in_batches(Nomination, records, batch=batch)
        except IntegrityError:  # someone nominated one of them a moment ago (aid_nomination_open_once)
            raise ValidationError(_("名单中有人刚刚已被提名，未提名任何人，请重新上传检查。")) from None

    def rollback(self, *, batch) -> int:
        """The batch's nominations, unless one has been decided, withdrawn or handed over since."""
        changed = ~models.Q(status=NominationStatus.NOMINATED) | models.Q(decided_at__isnull=False)
        return delete_batch_records(Nomination, batch=batch, noun=_("帮扶提名"), changed=changed)


AID_RECIPIENTS = register(RecipientKind())
