"""Import of 侨资企业 (enterprises) from the template workbook or an office's own spreadsheet,
run as a batch of ``registry.importing`` (upload, background check, preview, confirm, commit,
roll back) through the ``enterprises`` kind (``core.importkinds``).

Each row meets the rules of the staff page: ``EnterpriseForm`` (required fields, the
统一社会信用代码 with its check digit, dates, amounts), then the checks of the service that
registers an enterprise (``services.check_enterprise``: name, contact phone, founding date).

What makes two rows the same enterprise: its 统一社会信用代码 when given (normalized: upper case,
half-width), otherwise its name (simplified, as searched) and 所属侨联. A code already stored
anywhere is a duplicate (codes are unique nationally; the import only says that it is stored,
not where); a name already stored in the same federation, for a row without a code, is one too.

A column 侨界人士证件号码 links the founder or investor to the registry: the numbers of a chunk
are looked up in one query among the persons the uploader may see (``registry.selectors``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.core import normalize
from qiaolian.core.importkinds import (
    Checker,
    Column,
    FormChecker,
    FormKind,
    FormPool,
    RowIssue,
    RowRef,
    delete_batch_records,
    insert_in_batches,
    label_key,
    register,
    row_label,
)
from qiaolian.core.masking import Kind
from qiaolian.core.protected import lookup_hash
from qiaolian.core.tabular import TableRow
from qiaolian.core.text import search_key
from qiaolian.core.validators import normalize_document_number, parse_resident_id
from qiaolian.enterprises import services
from qiaolian.enterprises.forms import EnterpriseForm
from qiaolian.enterprises.models import Enterprise, Industry, InvestorOrigin, InvestorType
from qiaolian.enterprises.selectors import enterprise_scope
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry.models import Person
from qiaolian.registry.selectors import person_scope


class PersonIdColumn(Column):
    """The ID number of a person in the registry: masked wherever an issue quotes it."""

    @property
    def mask_kind(self) -> str | None:
        return Kind.ID_NUMBER


COLUMNS: tuple[Column, ...] = (
    Column(
        "企业名称",
        "name",
        required=True,
        aliases=("单位名称", "公司名称", "企业全称", "单位全称"),
        hint=gettext_lazy("营业执照上的全称"),
        width=30,
    ),
    Column(
        "统一社会信用代码",
        "credit_code",
        "id_number",  # kept as text in the template, so an all-digit code keeps its digits
        aliases=("信用代码", "社会信用代码", "组织机构代码", "统一代码"),
        hint=gettext_lazy("18位，用于查重；尚未取得可暂不填写。请以文本格式填写"),
        width=22,
    ),
    Column(
        "企业类型",
        "investor_type",
        "choice",
        required=True,
        aliases=("投资方类型", "出资方", "企业类别", "侨企类型"),
        width=12,
    ),
    Column("投资方身份", "investor_origin", "choice", aliases=("投资人身份", "出资人身份"), width=12),
    Column(
        "投资方国家/地区",
        "investor_country",
        "country",
        aliases=("投资来源地", "来源国家（地区）", "来源国家/地区", "来源国家", "投资方国家（地区）", "投资方国家"),
        width=14,
    ),
    Column("行业", "industry", "choice", required=True, aliases=("所属行业", "行业类别"), width=12),
    Column(
        "所属侨联", "federation", "federation", required=True, aliases=("侨联组织", "所属组织", "所在侨联"), width=16
    ),
    Column("地址", "address", aliases=("注册地址", "经营地址", "企业地址", "住所"), width=30),
    Column(
        "成立日期",
        "established_on",
        "date",
        aliases=("注册日期", "成立时间", "注册时间"),
        hint=gettext_lazy("如 2015-03-02"),
        width=12,
    ),
    Column(
        "注册资本（万元）",
        "registered_capital",
        "number",
        aliases=("注册资本(万元)", "注册资金（万元）", "注册资金(万元)"),
        hint=gettext_lazy("单位：万元"),
        width=12,
    ),
    Column("员工人数", "employees", "number", aliases=("职工人数", "从业人数", "员工数"), width=10),
    Column("法定代表人", "legal_representative", "name", aliases=("法人", "法人代表"), width=10),
    Column("联系人", "contact_name", "name", aliases=("企业联系人",), width=10),
    Column(
        "联系电话",
        "contact_phone",
        "phone",
        aliases=("电话", "手机", "手机号码", "联系方式", "联系人电话"),
        hint=gettext_lazy("手机或固话；境外号码请带国家代码，如 +852"),
        width=16,
    ),
    PersonIdColumn(
        "侨界人士证件号码",
        "person",
        "id_number",
        aliases=("投资人证件号码", "创办人证件号码"),
        hint=gettext_lazy("创办人或投资人已在侨情库登记时填写其证件号码（选填），须在您的管辖范围内"),
        width=22,
    ),
    Column("在营", "is_active", aliases=("经营状态", "是否在营"), hint=gettext_lazy("是 / 否；留空表示在营"), width=8),
    Column("备注", "notes", width=24),
)

# Words offices write in these columns besides the labels of the code lists. A 出资方 column
# often names who invested (华侨, 港澳同胞 …) rather than the type of enterprise.
SYNONYMS: dict[str, dict[str, Any]] = {
    "investor_type": {
        "侨资企业": InvestorType.OVERSEAS,
        "华侨投资": InvestorType.OVERSEAS,
        "华侨": InvestorType.OVERSEAS,
        "外籍华人": InvestorType.OVERSEAS,
        "华人": InvestorType.OVERSEAS,
        "港资": InvestorType.HK_MACAO,
        "澳资": InvestorType.HK_MACAO,
        "港澳资企业": InvestorType.HK_MACAO,
        "港澳同胞": InvestorType.HK_MACAO,
        "侨属": InvestorType.FAMILY,
        "归侨侨眷": InvestorType.FAMILY,
        "侨眷": InvestorType.FAMILY,
        "新侨": InvestorType.NEW_OVERSEAS,
        "新侨创业企业": InvestorType.NEW_OVERSEAS,
        "留学归国人员": InvestorType.NEW_OVERSEAS,
    },
    "investor_origin": {
        "华人": InvestorOrigin.FOREIGN_CHINESE,
        "港澳": InvestorOrigin.HK_MACAO,
        "香港同胞": InvestorOrigin.HK_MACAO,
        "澳门同胞": InvestorOrigin.HK_MACAO,
        "台胞": InvestorOrigin.TAIWAN,
        "归侨": InvestorOrigin.RETURNEE,
        "侨眷": InvestorOrigin.RETURNEE,
        "留学人员": InvestorOrigin.STUDENT,
        "海归": InvestorOrigin.STUDENT,
    },
    "industry": {
        "农林牧渔": Industry.AGRICULTURE,
        "农林牧渔业": Industry.AGRICULTURE,
        "医药": Industry.BIOMEDICINE,
        "高新技术": Industry.HIGH_TECH,
        "高科技": Industry.HIGH_TECH,
        "信息技术": Industry.INTERNET,
        "房地产业": Industry.REAL_ESTATE,
        "金融业": Industry.FINANCE,
        "教育培训": Industry.EDUCATION,
        "科学研究": Industry.RESEARCH,
    },
}

ACTIVE_WORDS = {"是", "在营", "存续", "正常", "营业", "开业", "yes", "y", "1", "√", "✓"}
INACTIVE_WORDS = {"否", "停业", "歇业", "注销", "吊销", "迁出", "已停业", "已注销", "已迁出", "no", "n", "0", "×"}
_AMOUNT_UNITS = re.compile(r"\s*(万元|万|人|名)$")


@dataclass
class EnterpriseRow:
    """What a valid row becomes: the service's data, and the natural key."""

    data: dict[str, Any]
    key: str


def credit_codes_stored_anywhere(codes: set[str]) -> set[str]:
    """Which of these 统一社会信用代码 are already registered, in any jurisdiction (codes are
    unique nationally, so a repeat anywhere is a duplicate). Past the jurisdiction rule on
    purpose, and it answers yes or no only: which enterprise holds a code is never said."""
    found: set[str] = set()
    unique = sorted(codes)
    for i in range(0, len(unique), 500):
        found.update(
            Enterprise.objects.filter(credit_code__in=unique[i : i + 500]).values_list("credit_code", flat=True)
        )
    return found


def _person_hash(text: str) -> str:
    """The keyed hash of an ID number as the registry stores it: a resident ID in its 18-digit
    form (the legacy 15 digits upgraded), any other document as written, upper case."""
    try:
        number = parse_resident_id(text).number
    except ValidationError:
        number = normalize_document_number(text)
    return lookup_hash(Kind.ID_NUMBER, number)


class EnterpriseChecker(FormChecker):
    """``FormChecker`` with what enterprises need besides: the rules of the registering
    service, the persons of a chunk looked up in one query, stored codes in one query, and
    names already stored in the row's federation (for rows without a code) in one more."""

    kind: EnterpriseKind

    def __init__(self, kind: EnterpriseKind, *, actor, default_federation: int | None, options: Mapping[str, Any]):
        super().__init__(kind, actor=actor, default_federation=default_federation, options=options)
        self.pool = FormPool(self.prototype, read_once=("federation",))

    def form_for(self, data: dict[str, Any]) -> EnterpriseForm:
        """``EnterpriseForm`` re-bound to a row's data (``FormPool``: as the persons import
        does), its federations read once instead of one query per row."""
        return self.pool.bind(data)

    def cell(self, col: Column, value: Any, problems: dict[str, str], form_field: forms.Field | None) -> Any:
        if col.field == "credit_code":
            document = normalize.document_number(value)
            if document.is_damaged:
                problems[col.field] = _(
                    "统一社会信用代码被表格软件存成了数字，末几位可能已丢失：请把该列设为文本格式，按营业执照重新填写。"
                )
            return document.text
        if col.field in ("registered_capital", "employees"):
            return _AMOUNT_UNITS.sub("", super().cell(col, value, problems, form_field))
        if col.field == "is_active":
            word = label_key(normalize.text(value))
            if not word or word in ACTIVE_WORDS:
                return "on"
            if word in INACTIVE_WORDS:
                return ""
            problems[col.field] = _("无法识别的经营状态“%(value)s”：请填写“是”或“否”。") % {
                "value": normalize.text(value)
            }
            return "on"
        return super().cell(col, value, problems, form_field)

    def _persons_by_hash(self, digests: set[str]) -> dict[str, Person]:
        """The registry persons with these ID hashes that the uploader may see: one query."""
        if not digests:
            return {}
        persons = person_scope(user=self.actor).filter(id_number_hash__in=sorted(digests))
        return {person.id_number_hash: person for person in persons}

    def _names_stored(self, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], list[Enterprise]]:
        """Enterprises already registered under these (federation, name key) pairs, among those
        the uploader may see (the federations are within the jurisdiction): one query."""
        if not pairs:
            return {}
        found: dict[tuple[int, str], list[Enterprise]] = {}
        stored = enterprise_scope(user=self.actor).filter(
            federation_id__in={fed for fed, _key in pairs}, name_key__in={key for _fed, key in pairs}
        )
        for enterprise in stored.only("pk", "name", "name_key", "federation_id", "credit_code"):
            pair = (enterprise.federation_id, enterprise.name_key)
            if pair in pairs:
                found.setdefault(pair, []).append(enterprise)
        return found

    def check_chunk(self, rows: list[TableRow]) -> list[tuple[list[RowIssue], Any]]:
        prepared = [(row, *self.data_of(row)) for row in rows]
        digests: dict[int, str] = {}
        for index, (_row, data, problems) in enumerate(prepared):
            text = data.get("person") or ""
            if text and "person" not in problems:
                digests[index] = _person_hash(text)
        persons = self._persons_by_hash(set(digests.values()))

        results: list[tuple[list[RowIssue], Any]] = []
        valid: list[tuple[int, TableRow, EnterpriseRow]] = []
        for index, (row, data, problems) in enumerate(prepared):
            person = persons.get(digests[index]) if index in digests else None
            if index in digests and person is None:
                problems["person"] = _("侨情库中没有该证件号码的人员，或不在您的管辖范围内。")
            form = self.form_for({**data, "person": ""})
            form_ok = form.is_valid()
            service_data: dict[str, Any] = {}
            if form_ok and not problems:
                service_data = self._service_data(form, problems)
            if form_ok and not problems:
                service_data["person"] = person
                payload = EnterpriseRow(data=service_data, key=self.kind.natural_key(service_data))
                results.append(([], payload))
                valid.append((index, row, payload))
                continue
            issues = [self.issue(row, name, reason) for name, reason in problems.items()]
            for name, messages in form.errors.items():
                if name not in problems:
                    issues.append(self.issue(row, name, str(messages[0])))
            results.append((issues, None))

        codes = {p.data["credit_code"] for _i, _row, p in valid if p.data["credit_code"]}
        stored_codes = credit_codes_stored_anywhere(codes)
        names = self._names_stored({_name_pair(p.data) for _i, _row, p in valid if not p.data["credit_code"]})
        for index, row, payload in valid:
            code = payload.data["credit_code"]
            if code and code in stored_codes:
                reason = str(self.kind.stored_reason)
                results[index] = ([self.issue(row, "credit_code", reason, duplicate=True)], None)
            elif not code and _name_pair(payload.data) in names:
                reason = _("本侨联已登记同名企业，本行不再导入；如非同一企业，请填写统一社会信用代码。")
                results[index] = ([self.issue(row, "name", reason, duplicate=True)], None)
            elif payload.key in self.seen:
                sheet, number = self.seen[payload.key]
                where = row_label(sheet, number, other_sheet=sheet != row.sheet)
                if code:
                    reason = _("与%(where)s的统一社会信用代码相同，本行不再导入。") % {"where": where}
                else:
                    reason = _("与%(where)s的企业名称和所属侨联相同，本行不再导入。") % {"where": where}
                field_name = "credit_code" if code else "name"
                results[index] = ([self.issue(row, field_name, reason, duplicate=True)], None)
            else:
                self.seen[payload.key] = row.ref
        return results

    def _service_data(self, form: forms.BaseModelForm, problems: dict[str, str]) -> dict[str, Any]:
        """The form's data through the registering service's own checks (name, contact phone,
        founding date). The code (already parsed by the form) and the person (looked up for the
        chunk) are left out: the service would look each up again, one query per row."""
        data = form.service_data()
        code = data.pop("credit_code", "") or None
        data.pop("person", None)
        try:
            data = services.check_enterprise(self.actor, data)
        except ValidationError as error:
            found = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            for name, messages in found.items():
                problems[name if name in form.fields else "__all__"] = messages[0]
            return {}
        data["credit_code"] = code
        return data

    def warnings(self, valid: list[tuple[TableRow, Any]]) -> dict[RowRef, list[RowIssue]]:
        """A row with a code whose name is already registered in its federation (without that
        code) is imported all the same, with a warning to look at it."""
        pairs = {_name_pair(p.data) for _row, p in valid if p.data["credit_code"]}
        names = self._names_stored(pairs)
        warnings: dict[RowRef, list[RowIssue]] = {}
        for row, payload in valid:
            if not payload.data["credit_code"]:
                continue
            for enterprise in names.get(_name_pair(payload.data), []):
                if enterprise.credit_code:
                    reason = _(
                        "本侨联已登记同名企业（统一社会信用代码 %(code)s，编号 %(id)s），本行仍会导入，请核对。"
                    ) % {"code": enterprise.credit_code, "id": enterprise.pk}
                else:
                    reason = _("本侨联已登记同名企业（编号 %(id)s，未填信用代码），本行仍会导入，请核对。") % {
                        "id": enterprise.pk
                    }
                issue = self.issue(row, "name", reason)
                issue.is_warning = True
                warnings.setdefault(row.ref, []).append(issue)
        return warnings

    def build(self, payload: EnterpriseRow) -> Enterprise:
        return self.kind.build_record(payload, actor=self.actor)


def _name_pair(data: Mapping[str, Any]) -> tuple[int, str]:
    return (data["federation"].pk, search_key(data["name"])[:150])


class EnterpriseKind(FormKind):
    """侨资企业: rows checked with ``EnterpriseForm`` and the registering service's rules,
    inserted in bulk with the service's derived keys, rolled back as a batch."""

    key = "enterprises"
    label = gettext_lazy("侨资企业")
    noun = gettext_lazy("企业")
    permission = "enterprises.change_enterprise"  # what registering an enterprise needs
    rollback_permission = "enterprises.change_enterprise"
    columns = COLUMNS
    template_sheet = gettext_lazy("企业信息")
    form_class = EnterpriseForm
    key_field = "credit_code"
    stored_reason = gettext_lazy("该统一社会信用代码已登记，本行不再导入。")
    synonyms = SYNONYMS
    upload_help = (
        gettext_lazy(
            "请使用侨资企业导入模板；红色列（企业名称、企业类型、行业、所属侨联）必须填写。各镇自己的表格也可以直接上传："
            "系统会认出常见的列名（如“单位名称”“信用代码”“法人”），认不出的列可在检查结果页指定。"
        ),
        gettext_lazy(
            "统一社会信用代码已登记的企业不会重复导入；未填信用代码的，同一侨联中同名的企业视为重复。同一文件可以放心重复上传。"
        ),
    )
    template_notes = (
        gettext_lazy("侨资企业导入模板填写说明"),
        gettext_lazy("1. 请在“企业信息”工作表中每行填写一家企业，不要修改第一行的列名。红色列名为必填列。"),
        gettext_lazy(
            "2. 统一社会信用代码为18位（含最后一位校验位），用于查重：已登记的代码不会重复导入。"
            "请以文本格式填写（本模板已设为文本格式）。尚未取得的可暂不填写，此时同一侨联中同名的企业视为重复。"
        ),
        gettext_lazy("3. 企业类型可选：侨资、港澳资、侨属企业、新侨创业；行业按代码表填写。"),
        gettext_lazy("4. 所属侨联填写组织全称、简称或别名，须在您的管辖范围内。"),
        gettext_lazy("5. 投资方国家/地区可填中文名、英文名或两位/三位代码，如 新加坡、Singapore、SG。"),
        gettext_lazy("6. 成立日期可写成 2015-03-02、2015/3/2 或 2015年3月2日；注册资本以万元为单位。"),
        gettext_lazy(
            "7. 创办人或投资人已在侨情库登记的，可在“侨界人士证件号码”填写其证件号码，系统据此关联到侨情库人员。"
        ),
        gettext_lazy("8. 上传后系统先逐行检查并列出有问题的行，确认后才导入；未导入的行可下载，改正后再次导入。"),
    )

    def form_kwargs(self, *, actor, options: Mapping[str, Any]) -> dict[str, Any]:
        # The person is looked up for a chunk at a time (EnterpriseChecker), not by the form.
        return {"federations": federation_choices(user=actor), "persons": Person.objects.none()}

    def defaults(self, *, actor, options: Mapping[str, Any]) -> dict[str, Any]:
        return {"is_active": "on"}  # as the page starts: in business

    def natural_key(self, cleaned_data: Mapping[str, Any]) -> str | None:
        code = cleaned_data.get("credit_code")
        if code:
            return f"code:{code}"
        federation, name = _name_pair(cleaned_data)
        return f"name:{federation}:{name}"

    def checker(self, *, actor, default_federation: int | None, options: Mapping[str, Any]) -> Checker:
        return EnterpriseChecker(self, actor=actor, default_federation=default_federation, options=options)

    def code_lists(self, *, user) -> dict[str, list[str]]:
        lists = super().code_lists(user=user)
        lists["is_active"] = [_("是"), _("否")]
        return lists

    def build_record(self, payload: EnterpriseRow, *, actor) -> Enterprise:
        return Enterprise(created_by=actor if getattr(actor, "pk", None) else None, **payload.data)

    def insert(self, *, actor, records: list[Enterprise], batch) -> int:
        """Bulk insert with the keys the service derives on every write (search, pinyin); the
        contact phone is encrypted and hashed by its field. One audit entry for the whole batch
        is written by the engine."""
        for record in records:
            services.derive_keys(record)
        return insert_in_batches(Enterprise, records, batch=batch)

    def rollback(self, *, batch) -> int:
        """The batch's enterprises, when none has been changed since or come to be referred to
        (visits, appeals, exhibitions, investment leads …)."""
        return delete_batch_records(Enterprise, batch=batch, noun=self.noun)


ENTERPRISES = register(EnterpriseKind())
