"""Builders for aid tests: campaigns through the service (as the district would set them up) and
persons in hardship from the registry factory."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from qiaolian.aid import services
from qiaolian.aid.models import Campaign
from qiaolian.registry.tests.factories import HouseholdFactory, PersonFactory


def needy(federation, name: str = "张阿婆", *, born: int = 1938, types=("elderly", "ill"), **extra):
    """A living person of ``federation`` registered in hardship."""
    extra.setdefault("birth_date", dt.date(born, 5, 1))
    return PersonFactory(
        federation=federation,
        name=name,
        is_in_hardship=True,
        hardship_types=list(types),
        **extra,
    )


def household(federation, label: str = "王家户"):
    return HouseholdFactory(federation=federation, label=label)


def winter(js, *, budget="10000", standard="800", **extra) -> Campaign:
    """The district's 冬送温暖 of 2021 with one general standard (``standard`` 元 and rice)."""
    data = {
        "federation": js.district,
        "title": "2021年冬送温暖",
        "kind": "winter",
        "starts_on": dt.date(2021, 12, 1),
        "ends_on": dt.date(2022, 1, 31),
        "budget": Decimal(budget),
        **extra,
    }
    campaign = services.campaign_create(actor=js.user("staff"), data=data)
    if standard is not None:
        services.standard_add(
            actor=js.user("staff"),
            campaign=campaign,
            data={"label": "困难归侨侨眷", "amount": Decimal(standard), "goods": "大米一袋、食用油一桶"},
        )
    return campaign
