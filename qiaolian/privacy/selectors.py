"""Reads of the privacy app, limited to what the user may see (CONVENTIONS §2, §3)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from qiaolian.privacy.models import RetentionRun
from qiaolian.privacy.policy import POLICY, Act, Holding
from qiaolian.privacy.retention import RULES, RetentionRule
from qiaolian.registry.models import Person


def person_for_request(*, user, pk: int) -> Person:
    """The person a data-subject request is about: 404 when absent or outside the user's
    jurisdiction (the same answer for both)."""
    person = Person.objects.visible_to(user).filter(pk=pk).select_related("federation").first()
    if person is None:
        raise Http404("not found")
    return person


@dataclass(frozen=True)
class HoldingCount:
    holding: Holding
    count: int

    @property
    def label(self) -> str:
        return str(self.holding.model_class()._meta.verbose_name)

    @property
    def act_label(self) -> str:
        return str(Act(self.holding.act).label)


def person_holdings(*, person: Person) -> list[HoldingCount]:
    """How many rows each place of the policy holds for ``person`` (only places with rows)."""
    counts = []
    for holding in POLICY:
        n = holding.rows(person).count()
        if n:
            counts.append(HoldingCount(holding, n))
    return counts


@dataclass(frozen=True)
class RuleStatus:
    rule: RetentionRule
    last_run: RetentionRun | None

    @property
    def model_label(self) -> str:
        return str(self.rule.model_class()._meta.verbose_name)


def retention_overview(*, user) -> list[RuleStatus]:
    """The retention rules with their last run; only for those who may see them."""
    if not user.has_perm("privacy.view_retention"):
        return []
    last: dict[str, RetentionRun] = {}
    for run in RetentionRun.objects.select_related("actor").order_by("rule", "-finished_at", "-id"):
        last.setdefault(run.rule, run)
    return [RuleStatus(rule, last.get(rule.key)) for rule in RULES]
