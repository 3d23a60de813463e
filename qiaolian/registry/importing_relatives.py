"""Import of overseas relatives (海外亲属) of persons already in the registry.

Each row is one overseas relative of one registry person, the domestic relative (国内亲属),
named by that person's ID number. The batch engine of ``registry.importing`` runs it like any
kind (upload, check, preview, confirm, commit, rejects, roll back); this module says what the
rows are:

- the person is found by the keyed hash of the ID number (``lookup_hash``), for a chunk of rows
  in one query, among the persons the importer may see (``selectors.person_scope``). A number
  not in the registry and a number of a person outside the importer's jurisdiction get the same
  reason, so a town learns nothing about another town's persons;
- an optional 国内亲属姓名 must be the person's name (compared simplified: 陳 = 陈);
- the relative's cells are checked by ``OverseasTieForm``, the staff form, with its messages;
- the same relative (same person, same name compared simplified, same relation) already stored,
  or earlier in the file, is a duplicate and not imported;
- valid rows are inserted in bulk, stamped with their batch, as ``overseas_tie_create`` would
  save them (the service does nothing else but its per-record audit entry; the engine writes one
  for the batch). A batch is rolled back unless one of its relatives was changed since.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.core import normalize
from qiaolian.core.importkinds import (
    LIST_SEPARATORS,
    Column,
    FormChecker,
    FormKind,
    FormPool,
    RowIssue,
    changed_in_audit,
    delete_records,
    insert_in_batches,
    records_in_use,
    register,
    row_label,
)
from qiaolian.core.masking import Kind
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.core.protected import lookup_hash
from qiaolian.core.tabular import Table, TableRow
from qiaolian.core.validators import normalize_document_number, parse_resident_id
from qiaolian.registry import choices as c
from qiaolian.registry.forms import OverseasTieForm
from qiaolian.registry.models import OverseasTie, Person
from qiaolian.registry.selectors import person_scope

COLUMNS: tuple[Column, ...] = (
    Column(
        "国内亲属证件号码",
        "id_number",
        "id_number",
        required=True,
        aliases=(
            "国内亲属身份证号码",
            "国内亲属身份证号",
            "侨眷身份证号",
            "侨眷身份证号码",
            "侨眷证件号码",
            "身份证号码",
            "身份证号",
            "公民身份号码",
            "证件号码",
            "证件号",
            "身份证",
        ),
        hint=gettext_lazy("必填：侨情库中已登记的国内亲属（侨眷）本人的证件号码，请以文本格式填写"),
        width=22,
    ),
    Column(
        "国内亲属姓名",
        "person_name",
        "name",
        aliases=("侨眷姓名", "国内亲属", "国内亲属中文姓名"),
        hint=gettext_lazy("可不填；填写时须与侨情库登记的姓名一致，用于核对证件号码"),
        width=10,
    ),
    Column(
        "海外亲属姓名",
        "name",
        "name",
        required=True,
        aliases=("海外亲属", "海外亲属中文姓名", "亲属姓名", "海外亲属名字"),
        width=10,
    ),
    Column("外文名", "foreign_name", aliases=("外文姓名", "英文名", "英文姓名", "海外亲属外文名"), width=16),
    Column(
        "关系",
        "relation",
        "choice",
        required=True,
        aliases=("与国内亲属关系", "与侨眷关系", "亲属关系", "与本人关系", "海外亲属关系", "称谓"),
        hint=gettext_lazy("海外亲属是国内亲属的什么人，如 儿子、女儿、配偶、兄弟、姐妹、父亲、母亲"),
        width=10,
    ),
    Column(
        "亲属身份",
        "status",
        "choice",
        required=True,
        aliases=("海外亲属身份", "身份", "侨胞身份"),
        hint=gettext_lazy("华侨、外籍华人、港澳同胞、留学人员、归侨"),
        width=10,
    ),
    Column(
        "所在国家/地区",
        "country",
        "country",
        required=True,
        aliases=(
            "所在国家",
            "所在国",
            "所在国家（地区）",
            "所在地区",
            "国家/地区",
            "国家（地区）",
            "国家",
            "侨居国",
            "侨居国家/地区",
            "居住国家/地区",
            "居住国",
        ),
        hint=gettext_lazy("中文名、英文名或两位/三位代码，如 美国、United States、US、香港"),
        width=14,
    ),
    Column("城市", "city", aliases=("所在城市", "居住城市"), width=12),
    Column(
        "出国年份",
        "emigrated_year",
        "year",
        aliases=("出国时间", "出国年月", "出国日期", "出境年份", "出境时间"),
        hint=gettext_lazy("如 1990；写成日期（1990-05-01）时取年份"),
        width=8,
    ),
    Column("出国方式", "emigration_mode", "choice", aliases=("出国途径", "出国原因", "出境方式"), width=12),
    Column("职业", "occupation", aliases=("海外亲属职业", "从事职业"), width=14),
    Column("所在社团", "associations", aliases=("社团", "侨团", "所在侨团", "参加社团", "社团任职"), width=20),
    Column(
        "扶养年限",
        "support_years",
        "number",
        aliases=("扶养年数",),
        hint=gettext_lazy("关系为扶养关系亲属时必填，须满5年"),
        width=8,
    ),
    Column("备注", "notes", width=24),
)

# Fields a persons list has no column for: a sheet with none of them is not a relatives list
# (e.g. the 人员信息 sheet of a workbook that holds both), see ``RelativeKind.read_table``.
RELATIVE_ONLY_FIELDS = frozenset(
    {"person_name", "name", "relation", "status", "emigrated_year", "emigration_mode", "associations", "support_years"}
)

R = c.RelativeRelation
S = c.RelativeStatus
M = c.EmigrationMode
# Words offices write besides the labels of the code lists (traditional characters are read as
# simplified). A word that could be two relations (子女, 兄弟姐妹) is not guessed: the form names it.
SYNONYMS: dict[str, dict[str, str]] = {
    "relation": {
        **dict.fromkeys(("儿子", "长子", "次子", "三子", "幼子", "独子", "养子", "继子"), R.SON),
        **dict.fromkeys(("女儿", "长女", "次女", "三女", "幼女", "独女", "养女", "继女"), R.DAUGHTER),
        **dict.fromkeys(("丈夫", "妻子", "夫", "妻", "夫妻", "老公", "老伴", "爱人"), R.SPOUSE),
        **dict.fromkeys(("父亲", "爸爸", "养父", "继父"), R.FATHER),
        **dict.fromkeys(("母亲", "妈妈", "养母", "继母"), R.MOTHER),
        **dict.fromkeys(("儿媳", "媳妇", "女婿", "儿媳妇"), R.CHILD_SPOUSE),
        **dict.fromkeys(("兄", "弟", "哥哥", "弟弟", "兄长", "胞兄", "胞弟"), R.BROTHER),
        **dict.fromkeys(("姐", "妹", "姐姐", "妹妹", "胞姐", "胞妹"), R.SISTER),
        **dict.fromkeys(("祖父", "祖母", "爷爷", "奶奶"), R.GRANDPARENT),
        **dict.fromkeys(("外祖父", "外祖母", "外公", "外婆"), R.MATERNAL_GRANDPARENT),
        **dict.fromkeys(("孙子", "孙女"), R.GRANDCHILD),
        **dict.fromkeys(("外孙", "外孙子", "外孙女"), R.MATERNAL_GRANDCHILD),
        **dict.fromkeys(("扶养", "扶养关系", "扶养亲属"), R.SUPPORT),
    },
    "status": {
        **dict.fromkeys(("侨胞", "海外华侨"), S.OVERSEAS_CHINESE),
        **dict.fromkeys(("外籍", "华人", "外籍华裔", "华裔", "已入外籍"), S.FOREIGN_CHINESE),
        **dict.fromkeys(("港澳", "香港同胞", "澳门同胞", "港胞", "澳胞"), S.HK_MACAO),
        **dict.fromkeys(("留学", "留学生", "在外留学"), S.STUDENT_ABROAD),
    },
    "emigration_mode": {
        **dict.fromkeys(("定居", "移民", "投亲", "家庭团聚", "团聚"), M.SETTLEMENT),
        **dict.fromkeys(("读书", "求学", "留学生"), M.STUDY),
        **dict.fromkeys(("务工", "打工", "劳务输出", "出国劳务"), M.LABOUR),
        **dict.fromkeys(("经商", "投资", "商务"), M.BUSINESS),
        **dict.fromkeys(("结婚", "嫁娶", "涉外婚姻"), M.MARRIAGE),
    },
}


def document_hash(raw: str) -> tuple[str | None, str]:
    """The registry hash of an ID number as a person's record stores it (a resident ID in its
    18-digit form, another document upper-case without spaces), or (None, the reason)."""
    if not raw:
        return None, _("请填写国内亲属的证件号码（用它找到侨情库中的人员）。")
    try:
        number = parse_resident_id(raw).number
    except ValidationError as error:
        compact = raw.replace(" ", "")
        looks_resident = compact.isdigit() and len(compact) in (15, 18)
        looks_resident |= len(compact) == 18 and compact[:17].isdigit() and compact[17] in "Xx"
        if looks_resident:
            return None, error.messages[0]  # a resident ID with a wrong digit: say which
        number = normalize_document_number(raw)
    return lookup_hash(Kind.ID_NUMBER, number), ""


def tie_key(person_id: int, name: str, relation: str) -> str:
    """What makes two relatives the same: the person, the name compared simplified, the relation."""
    return f"{person_id}|{normalize.name_key(name)}|{relation}"


@dataclass(frozen=True)
class RegisteredPerson:
    pk: int
    name: str
    name_keys: frozenset[str]  # the name and former names, as compared


@dataclass
class RelativeRow:
    """A valid row: the form that checked it and the person it belongs to."""

    form: OverseasTieForm
    person: RegisteredPerson


class RelativeChecker(FormChecker):
    """``FormChecker`` with the person of each row: a chunk's ID numbers are looked up in one
    query among the persons the importer may see, and the relatives those persons already have
    in one more."""

    kind: RelativeKind

    NOT_FOUND = gettext_lazy(
        "侨情库中没有该证件号码的人员，或该人员不在您的管辖范围内。请先登记或导入国内亲属本人，再导入其海外亲属。"
    )

    def __init__(self, kind: RelativeKind, **kwargs: Any):
        super().__init__(kind, **kwargs)
        self.pool = FormPool(self.prototype)

    def form_for(self, data: dict[str, Any]) -> OverseasTieForm:
        """``OverseasTieForm`` re-bound to a row's data (``FormPool``): it validates exactly as
        a new form would, without deep-copying its fields (and ~250 countries) per row."""
        return self.pool.bind(data)

    def cell(self, col: Column, value: Any, problems: dict[str, str], form_field: forms.Field | None) -> Any:
        if col.field == "emigrated_year":
            return emigration_year_text(value)
        if col.field == "support_years":
            return normalize.year_text(value)  # 8 or 8年
        return super().cell(col, value, problems, form_field)

    def persons_by_hash(self, digests: Iterable[str]) -> dict[str, RegisteredPerson]:
        """The persons the importer may see with these ID number hashes, in one query (archived
        ones too: the staff form adds relatives to them as well)."""
        unique = sorted(set(digests))
        if not unique:
            return {}
        rows = (
            person_scope(user=self.actor, include_archived=True)
            .filter(id_number_hash__in=unique)
            .values_list("id_number_hash", "pk", "name", "former_names")
        )
        found: dict[str, RegisteredPerson] = {}
        for digest, pk, name, former in rows:
            keys = {normalize.name_key(name)}
            keys.update(normalize.name_key(part) for part in LIST_SEPARATORS.split(former or "") if part)
            found[digest] = RegisteredPerson(pk, name, frozenset(keys - {""}))
        return found

    @staticmethod
    def stored_keys(person_ids: Iterable[int]) -> set[str]:
        """The relatives these persons already have, as ``tie_key``s, in one query."""
        ids = sorted(set(person_ids))
        if not ids:
            return set()
        ties = OverseasTie._base_manager.filter(person_id__in=ids).values_list("person_id", "name", "relation")
        return {tie_key(person_id, name, relation) for person_id, name, relation in ties}

    def check_chunk(self, rows: list[TableRow]) -> list[tuple[list[RowIssue], Any]]:
        prepared = []
        for row in rows:
            data, problems = self.data_of(row)
            digest = None
            if "id_number" not in problems:
                digest, reason = document_hash(data.get("id_number", ""))
                if reason:
                    problems["id_number"] = reason
            prepared.append((row, data, problems, digest))
        persons = self.persons_by_hash(digest for *_rest, digest in prepared if digest)
        stored = self.stored_keys(person.pk for person in persons.values())
        return [
            self.check_row(row, data, problems, persons.get(digest), digest, stored)
            for row, data, problems, digest in prepared
        ]

    def check_row(
        self,
        row: TableRow,
        data: dict[str, Any],
        problems: dict[str, str],
        person: RegisteredPerson | None,
        digest: str | None,
        stored: set[str],
    ) -> tuple[list[RowIssue], RelativeRow | None]:
        if digest is not None and person is None:
            problems["id_number"] = str(self.NOT_FOUND)
        given_name = data.get("person_name") or ""
        if person is not None and given_name and normalize.name_key(given_name) not in person.name_keys:
            problems["person_name"] = _(
                "国内亲属姓名与该证件号码登记的人员（%(name)s）不一致，请核对证件号码和姓名。"
            ) % {"name": person.name}
        form = self.form_for(data)
        if not form.is_valid() or problems or person is None:
            issues = [self.issue(row, name, reason) for name, reason in problems.items()]
            for name, messages in form.errors.items():
                if name not in problems:
                    issues.append(self.issue(row, name, str(messages[0])))
            return issues, None
        key = tie_key(person.pk, form.cleaned_data["name"], form.cleaned_data["relation"])
        if key in stored:
            return [self.issue(row, "name", str(self.kind.stored_reason), duplicate=True)], None
        if key in self.seen:
            sheet, number = self.seen[key]
            where = row_label(sheet, number, other_sheet=sheet != row.sheet)
            return [self.issue(row, "name", self.kind.repeated_reason % {"where": where}, duplicate=True)], None
        self.seen[key] = row.ref
        return [], RelativeRow(form=form, person=person)

    def build(self, payload: RelativeRow) -> OverseasTie:
        # As ``overseas_tie_create`` builds it from the form's cleaned data.
        return OverseasTie(person_id=payload.person.pk, **payload.form.cleaned_data)


def emigration_year_text(value: Any) -> str:
    """出国年份 as a year: 1990, 1990.0, 1990年; a date (a date cell, an Excel serial number,
    1990-05-01, 1990年5月, 1990.05) gives its year. Anything else is passed on for the form to
    name."""
    if normalize.is_number_cell(value):
        number = float(value)
        if number.is_integer() and 1000 <= number <= 2999:
            return str(int(number))
        if number.is_integer() and 10_000_101 <= number <= 99_991_231:
            return str(int(number))[:4]  # 19900501 typed as a number
        day = normalize.excel_serial_date(number)  # a date Excel shows as a bare number
        return str(day.year) if day is not None else normalize.text(value)
    text = normalize.date_text(value, allow_month=True)
    if len(text) >= 7 and text[:4].isdigit() and text[4] == "-":
        return text[:4]
    return normalize.year_text(value)


class RelativeKind(FormKind):
    """Overseas relatives (海外亲属) of registry persons: ``OverseasTieForm`` checks the rows,
    ``RelativeChecker`` finds each row's person within the importer's jurisdiction."""

    key = "relatives"
    label = gettext_lazy("海外亲属")
    noun = gettext_lazy("海外亲属")
    permission = "registry.import_person"
    rollback_permission = "registry.change_person"
    columns = COLUMNS
    template_sheet = gettext_lazy("海外亲属")
    form_class = OverseasTieForm
    key_field = "name"
    stored_reason = gettext_lazy("该国内亲属已登记同名、同关系的海外亲属，本行不再导入。")
    synonyms = SYNONYMS
    upload_help = (
        gettext_lazy(
            "每行一位海外亲属，用“国内亲属证件号码”找到侨情库中已登记的国内亲属（侨眷）本人：须先登记或导入人员，"
            "再在此导入其海外亲属。红色列（国内亲属证件号码、海外亲属姓名、关系、亲属身份、所在国家/地区）必须填写。"
        ),
        gettext_lazy(
            "人员名单和海外亲属放在同一个工作簿里时，两个工作表分别导入：人员在“侨情人员”标签页，海外亲属在本标签页"
            "（本页只读取有海外亲属列的工作表）。"
        ),
        gettext_lazy("同一国内亲属下姓名和关系相同的海外亲属已登记的，不会重复导入；同一文件可以放心重复上传。"),
    )

    @property
    def repeated_reason(self) -> str:  # type: ignore[override]
        return _("与%(where)s是同一位海外亲属（国内亲属、姓名、关系相同），本行不再导入。")

    @property
    def template_notes(self) -> tuple[str, ...]:  # type: ignore[override]
        return (
            _("海外亲属导入模板填写说明"),
            _(
                "1. 请在“海外亲属”工作表中每行填写一位海外亲属，不要修改第一行的列名。红色列名为必填列。"
                "一位国内亲属有几位海外亲属，就填几行，每行都填国内亲属的证件号码。"
            ),
            _(
                "2. 国内亲属证件号码：侨情库中已登记、且在您管辖范围内的人员本人的证件号码。请先在“侨情人员”标签页"
                "导入人员名单，再在“海外亲属”标签页导入本表。国内亲属姓名可不填，填写时须与登记的姓名一致（繁简体均可）。"
            ),
            _("3. 证件号码请按文本填写（本模板已设为文本格式），不要让表格软件存成数字，否则末几位会丢失。"),
            _("4. 关系指海外亲属是国内亲属的什么人，如 儿子、女儿、配偶、兄弟、姐妹、父亲、母亲。可选：%(labels)s。")
            % {"labels": "、".join(str(label) for _code, label in c.RelativeRelation.choices)},
            _("5. 亲属身份可选：%(labels)s。")
            % {"labels": "、".join(str(label) for _code, label in c.RelativeStatus.choices)},
            _("6. 所在国家/地区可填中文名、英文名或两位/三位代码，如 美国、United States、US、香港。"),
            _("7. 出国年份填四位年份，如 1990；关系为扶养关系亲属时须填扶养年限（5年以上）。"),
            _("8. 同一国内亲属下姓名和关系相同的海外亲属已登记的，不会重复导入。"),
            _("9. 上传后系统先逐行检查并列出有问题的行，确认后才导入；未导入的行可下载，改正后再次导入。"),
        )

    def defaults(self, *, actor, options: Mapping[str, Any]) -> dict[str, Any]:
        return {"state": c.TieState.ACTIVE}

    def checker(self, *, actor, default_federation: int | None, options: Mapping[str, Any]) -> RelativeChecker:
        return RelativeChecker(self, actor=actor, default_federation=default_federation, options=options)

    def read_table(self, content: bytes, file_name: str, *, overrides: Mapping[str, str] | None = None) -> Table:
        """The file's sheets with relatives columns. A workbook that holds the persons list too
        (人员信息 beside 海外亲属) has its persons sheet matched by the columns both share
        (证件号码, 外文名, 职业, 备注): such a sheet, with none of the relatives' own columns, is
        left out when another sheet has them."""
        table = super().read_table(content, file_name, overrides=overrides)
        relatives = [layout for layout in table.sheets if RELATIVE_ONLY_FIELDS & set(layout.fields)]
        if relatives and len(relatives) < len(table.sheets):
            table.sheets = relatives
        return table

    def insert(self, *, actor, records: list[OverseasTie], batch) -> int:
        """Bulk insert. The person of every record was found within the importer's jurisdiction
        by this very check; the rules of ``overseas_tie_create`` (permission, the person's
        federation in scope) are applied again to the chunk, in one query."""
        require_perm(actor, "registry.change_person")
        person_ids = {record.person_id for record in records}
        federations = Person._base_manager.filter(pk__in=person_ids).values_list("federation_id", flat=True)
        for federation_id in set(federations):
            require_in_scope(actor, federation_id)
        return insert_in_batches(OverseasTie, records, batch=batch)

    def rollback(self, *, batch) -> int:
        """The relatives of the batch, unless one of them has been changed since the import (the
        audit log has a change of it), linked to a registry person, or is referred to by another
        record; then nothing is deleted."""
        ids = list(OverseasTie._base_manager.filter(import_batch=batch).values_list("pk", flat=True))
        since = batch.finished_at or batch.created_at
        in_use = records_in_use(OverseasTie, ids, since, changed=models.Q(relative_person__isnull=False))
        in_use |= changed_in_audit(OverseasTie, ids, since)
        if in_use:
            raise ValidationError(
                _(
                    "不能撤销：本批导入的 %(total)s 条海外亲属中有 %(count)s 条在导入后已被修改或被其他记录引用。"
                    "请先处理这些记录，或保留本批次。"
                )
                % {"total": len(ids), "count": len(in_use)},
                code="in_use",
            )
        return delete_records(OverseasTie, ids)


RELATIVES = register(RelativeKind())
