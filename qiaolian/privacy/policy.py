"""Where a registry person's data lives, and what export and erasure do with each place: one table.

《个人信息保护法》 Art. 45 (查阅、复制) and Art. 47 (删除). Every model with a relation to
``registry.Person`` is listed here with the path from the model to the person and what erasure
does to its rows:

- ``delete``: the rows go (their files after commit);
- ``anonymize``: the personal fields are cleared or replaced by a placeholder, the rest of the row
  stays as a work record and for statistics;
- ``detach``: only the link to the person (and, where a handler says so, fields that repeat the
  person's name or phone) is cleared: the row is someone else's record (an enterprise);
- ``keep``: exported as the person's data, left as it is (the row holds nothing personal, or is
  someone else's record, e.g. a judge's score of a contest entry).

``follow`` marks holdings whose own dependent rows are the person's data too (the timeline of the
person's case): every relation pointing at such a model must be declared as well. The test
``test_every_relation_to_a_person_is_covered`` walks ``django.apps.get_models()`` and fails for a
relation missing here, so a new model holding person data cannot be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from qiaolian.privacy.anonymize import ANONYMIZED, ERASED


class Act(models.TextChoices):
    DELETE = "delete", _("删除")
    ANONYMIZE = "anonymize", _("匿名化")
    DETACH = "detach", _("解除关联")
    KEEP = "keep", _("保留（仅导出）")


@dataclass(frozen=True)
class Holding:
    model: str  # "app_label.ModelName"
    path: str  # from the model to the person ("" = the person's own row)
    act: str
    clear: tuple[str, ...] = ()
    replace: tuple[tuple[str, str], ...] = ()
    follow: bool = False
    handler: str = ""  # a function in ``privacy.services`` that does more than clear/replace
    forward: bool = False  # reached through the person's own foreign key, not a relation to it
    why: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.model, self.path)

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def rows(self, person) -> models.QuerySet:
        manager = self.model_class()._base_manager
        if not self.path:
            return manager.filter(pk=person.pk)
        return manager.filter(**{self.path: person}).distinct()

    @property
    def depth(self) -> int:
        """Erasure works from the deepest holdings up, so a parent's link is still there when its
        children are looked up; the person's own row comes last."""
        return -1 if not self.path else self.path.count("__")


H = Holding
POLICY: tuple[Holding, ...] = (
    # The person and the records reached through the person's own foreign keys.
    H("registry.Person", "", Act.ANONYMIZE, handler="person_anonymize",
      why="保留统计字段（所属侨联、性别、出生年份、身份类别、国籍等），清除姓名、证件、联系方式等并归档"),
    H("registry.Household", "members", Act.ANONYMIZE, handler="household_scrub", forward=True,
      why="本人为唯一成员时清除住址；户名中的姓名替换为占位符"),
    H("registry.ImportBatch", "persons", Act.KEEP, handler="import_issues_scrub", forward=True,
      why="导入批次仅记录文件与计数；问题行中与本人姓名、证件、电话相同的单元格内容清除"),
    # Relations to the person.
    H("registry.OverseasTie", "person", Act.DELETE, why="本人的海外亲属信息"),
    H("registry.OverseasTie", "relative_person", Act.ANONYMIZE, clear=("relative_person", "foreign_name"),
      replace=(("name", ERASED),), why="他人登记本人为其海外亲属：保留关系类别，清除姓名"),
    H("orgs.CommitteeMember", "person", Act.ANONYMIZE, clear=("person",), replace=(("name", ERASED),),
      why="委员会席位保留（组织沿革），清除姓名"),
    H("orgs.GroupMember", "person", Act.ANONYMIZE, clear=("person",), replace=(("name", ERASED),)),
    H("orgs.MentoringPair", "mentor_person", Act.ANONYMIZE, clear=("mentor_person",),
      replace=(("mentor_name", ERASED),)),
    H("orgs.MentoringPair", "mentee_person", Act.ANONYMIZE, clear=("mentee_person",),
      replace=(("mentee_name", ERASED),)),
    H("liaison.OverseasContact", "person", Act.ANONYMIZE,
      clear=("person", "foreign_name", "phone", "city", "organization", "position", "notes"),
      replace=(("name", ERASED),), follow=True, why="保留国家/地区与类别用于统计"),
    H("liaison.Interaction", "contact__person", Act.ANONYMIZE, replace=(("summary", ANONYMIZED),)),
    H("liaison.FollowUp", "contact__person", Act.ANONYMIZE, replace=(("what", ANONYMIZED),)),
    H("enterprises.InvestmentLead", "introducer_contact__person", Act.ANONYMIZE, clear=("introducer_contact",),
      replace=(("introducer_name", ERASED),), why="招商线索属企业工作记录，仅清除引荐人"),
    H("activities.Registration", "person", Act.ANONYMIZE, clear=("organization", "account"),
      replace=(("name", ERASED),), follow=True, why="保留参加人次统计"),
    H("activities.SessionAttendance", "registration__person", Act.KEEP, why="仅有场次与登记编号"),
    H("enterprises.Enterprise", "person", Act.DETACH, clear=("person",), handler="enterprise_scrub",
      why="企业是独立主体：解除关联，联系人/法定代表人为本人时清除"),
    H("casework.Case", "person", Act.ANONYMIZE, handler="cases_anonymize", follow=True,
      why="保留案件类型、类别、办理单位、日期、状态、结果、满意度与金额"),
    H("casework.CaseEvent", "case__person", Act.ANONYMIZE, clear=("note", "reply")),
    H("casework.CaseNote", "case__person", Act.ANONYMIZE, replace=(("body", ANONYMIZED),)),
    H("casework.CaseAttachment", "case__person", Act.DELETE),
    H("enterprises.Appeal", "case__person", Act.KEEP, why="企业诉求属企业记录"),
    H("aid.Nomination", "person", Act.ANONYMIZE, clear=("reason", "decision_note", "household"), follow=True,
      why="保留专项、类别、困难类型、金额与状态（帮扶统计）"),
    H("aid.HandOver", "nomination__person", Act.ANONYMIZE, clear=("photo", "signature", "received_by", "note"),
      why="删除照片与签名，保留发放金额与日期"),
    H("contests.Entry", "person", Act.ANONYMIZE, clear=("person", "account", "author_phone", "author_email"),
      replace=(("author_name", ERASED),), follow=True, why="作品与评审结果保留，清除作者身份"),
    H("contests.EntryFile", "entry__person", Act.KEEP, why="作品文件（著作权）"),
    H("contests.Score", "entry__person", Act.KEEP, why="评委评分"),
    H("contests.Objection", "entry__person", Act.KEEP, why="异议由他人提出"),
    H("portal.PortalProfile", "person", Act.ANONYMIZE, handler="portal_accounts_close",
      why="关联的门户账号按本人注销处理：资料清除、账号停用、同意撤回"),
    H("linkage.CandidatePair", "person_a", Act.DELETE, why="查重候选对"),
    H("linkage.CandidatePair", "person_b", Act.DELETE),
    H("linkage.Merge", "survivor", Act.ANONYMIZE, clear=("merged_snapshot", "survivor_before", "merged_before"),
      follow=True, handler="merged_persons_anonymize",
      why="合并记录保留，快照清除（此后不能撤销合并）；并入本人的重复人员一并匿名化"),
    H("linkage.Merge", "merged", Act.ANONYMIZE, clear=("merged_snapshot", "survivor_before", "merged_before"),
      follow=True),
    H("linkage.MergeLink", "merge__survivor", Act.ANONYMIZE, clear=("old_value", "row_data", "extra")),
    H("linkage.MergeLink", "merge__merged", Act.ANONYMIZE, clear=("old_value", "row_data", "extra")),
)  # fmt: skip
POLICY_BY_KEY = {h.key: h for h in POLICY}


def erase_order() -> list[Holding]:
    return sorted(POLICY, key=lambda h: -h.depth)


def person_relations() -> set[tuple[str, str]]:
    """Every (model, path) through which a row points at a person: the direct relations to
    ``registry.Person`` and, through holdings marked ``follow``, the relations to those."""
    found: set[tuple[str, str]] = set()
    frontier = [("registry.Person", "")]
    seen = set()
    while frontier:
        label, path = frontier.pop()
        if (label, path) in seen:
            continue
        seen.add((label, path))
        target = apps.get_model(label)
        for model in apps.get_models():
            fields = [*model._meta.concrete_fields, *model._meta.local_many_to_many]
            for field in fields:
                if not field.is_relation or field.related_model is not target:
                    continue
                relation = (model._meta.label, f"{field.name}__{path}" if path else field.name)
                found.add(relation)
                holding = POLICY_BY_KEY.get(relation)
                if holding is not None and holding.follow:
                    frontier.append(relation)
    return found
