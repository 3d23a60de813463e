"""A campaign's eligibility rules and standards applied to a person of the registry.

Pure functions over the records: the nomination service refuses a person for every rule that
fails (each named in the message), the candidate list shows only those who pass, and approval
proposes the amount of the standard that fits best.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from qiaolian.aid.models import Campaign, Standard
from qiaolian.registry import choices as c


def _labels(choices, values: Iterable[str]) -> str:
    names = dict(choices)
    return "、".join(str(names.get(v, v)) for v in values)


def rules_summary(campaign: Campaign) -> list[str]:
    """The campaign's rules in words, for its page and the nomination form."""
    lines = [_("在世、未迁出、未归档的侨情库人员")]
    if campaign.requires_hardship:
        lines.append(_("已登记为困难归侨侨眷"))
    if campaign.hardship_types:
        lines.append(
            _("困难类型为：%(types)s（之一）") % {"types": _labels(c.Hardship.choices, campaign.hardship_types)}
        )
    if campaign.categories:
        lines.append(_("身份类别为：%(cats)s（之一）") % {"cats": _labels(c.Category.choices, campaign.categories)})
    if campaign.min_age is not None and campaign.max_age is not None:
        lines.append(
            _("年龄 %(lo)s–%(hi)s 周岁（按 %(day)s 计）")
            % {"lo": campaign.min_age, "hi": campaign.max_age, "day": campaign.starts_on}
        )
    elif campaign.min_age is not None:
        lines.append(_("年满 %(lo)s 周岁（按 %(day)s 计）") % {"lo": campaign.min_age, "day": campaign.starts_on})
    elif campaign.max_age is not None:
        lines.append(_("不超过 %(hi)s 周岁（按 %(day)s 计）") % {"hi": campaign.max_age, "day": campaign.starts_on})
    if campaign.per_household:
        lines.append(_("每户限一份"))
    return lines


def eligibility_problems(campaign: Campaign, person) -> list[str]:
    """Every rule of the campaign that ``person`` does not meet, as a sentence naming the rule and
    what the registry says; an empty list means eligible."""
    problems: list[str] = []
    if person.is_archived:
        problems.append(_("该人员已归档，不能提名。"))
    if person.living_status != c.LivingStatus.LIVING:
        problems.append(
            _("生存状态：该人员登记为“%(state)s”，只能提名在世且未迁出的人员。")
            % {"state": person.get_living_status_display()}
        )
    if campaign.requires_hardship and not person.is_in_hardship:
        problems.append(_("困难情况：本专项限困难归侨侨眷，该人员未登记为困难对象（请先在人员信息中登记困难情况）。"))
    if campaign.hardship_types:
        mine = list(person.hardship_types or [])
        if not set(mine) & set(campaign.hardship_types):
            problems.append(
                _("困难类型：本专项限 %(wanted)s，该人员登记的困难类型为 %(has)s。")
                % {
                    "wanted": _labels(c.Hardship.choices, campaign.hardship_types),
                    "has": _labels(c.Hardship.choices, mine) if mine else _("（无）"),
                }
            )
    if campaign.categories and person.category not in campaign.categories:
        problems.append(
            _("身份类别：本专项限 %(wanted)s，该人员为 %(has)s。")
            % {"wanted": _labels(c.Category.choices, campaign.categories), "has": person.get_category_display()}
        )
    if campaign.min_age is not None or campaign.max_age is not None:
        age = person.age_on(campaign.starts_on)
        if age is None:
            problems.append(_("年龄：本专项有年龄条件，该人员未登记出生日期，无法核对。"))
        elif campaign.min_age is not None and age < campaign.min_age:
            problems.append(
                _("年龄：本专项限 %(lo)s 周岁及以上（按 %(day)s 计），该人员当时 %(age)s 周岁。")
                % {"lo": campaign.min_age, "day": campaign.starts_on, "age": age}
            )
        elif campaign.max_age is not None and age > campaign.max_age:
            problems.append(
                _("年龄：本专项限 %(hi)s 周岁及以下（按 %(day)s 计），该人员当时 %(age)s 周岁。")
                % {"hi": campaign.max_age, "day": campaign.starts_on, "age": age}
            )
    return problems


def standard_for(standards: Iterable[Standard], *, category: str, hardship_types: Iterable[str]) -> Standard | None:
    """The most specific standard that fits a recipient (category and hardship type, then
    category, then hardship type, then the general one); among equally specific ones, the
    higher amount."""
    kinds = set(hardship_types or [])
    fitting = [
        s
        for s in standards
        if (not s.category or s.category == category) and (not s.hardship_type or s.hardship_type in kinds)
    ]
    if not fitting:
        return None
    return max(fitting, key=lambda s: (s.specificity, s.amount, -s.pk if s.pk else 0))
