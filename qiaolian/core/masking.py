"""How each kind of personal data is shown when it is not revealed: one rule per kind."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ID_NUMBER = "id_number", _("证件号码")
    PHONE = "phone", _("电话")
    ADDRESS = "address", _("地址")


def mask_id_number(value: str) -> str:
    """``310228195003021234`` → ``310228********1234``; short documents keep their ends only."""
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) > 4:
        return value[:1] + "*" * (len(value) - 3) + value[-2:]
    return "*" * len(value)


def mask_phone(value: str) -> str:
    """``+8613812345678`` → ``138****5678``; foreign numbers keep the country code and the end.
    At least two characters are always hidden (a short number is not shown whole)."""
    if value.startswith("+86") and len(value) > 9:
        rest = value[3:]
        national = rest if rest.startswith("1") else "0" + rest  # mobiles; landlines keep the 0
        if len(national) >= 9:
            return national[:3] + "****" + national[-4:]
    if len(value) > 8:
        return value[:4] + "*" * (len(value) - 7) + value[-3:]
    return "*" * len(value)


def mask_address(value: str) -> str:
    """The first half of the address, at most 6 characters (a one-character value not at all)."""
    keep = min(6, len(value) // 2)
    return value[:keep] + "****"


MASKERS = {Kind.ID_NUMBER: mask_id_number, Kind.PHONE: mask_phone, Kind.ADDRESS: mask_address}


def mask(kind: str, value: str) -> str:
    if not value:
        return ""
    return MASKERS[Kind(kind)](value)
