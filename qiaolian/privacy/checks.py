"""System checks of the privacy rules that a deployment's settings could break.

The audit log is the record of who saw and changed personal data; the Cybersecurity Law (Art. 21)
and 《个人信息保护法》 ask that such logs be kept at least six months. A deployment that sets
``QIAOLIAN_AUDIT_RETENTION_DAYS`` below 180 does not start (``manage.py check`` runs at start-up).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

AUDIT_RETENTION_MINIMUM_DAYS = 180


@checks.register(checks.Tags.security)
def audit_retention_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    days = getattr(settings, "QIAOLIAN_AUDIT_RETENTION_DAYS", 365)
    if not isinstance(days, int) or days < AUDIT_RETENTION_MINIMUM_DAYS:
        return [
            checks.Error(
                f"QIAOLIAN_AUDIT_RETENTION_DAYS is {days!r}: audit entries must be kept at least "
                f"{AUDIT_RETENTION_MINIMUM_DAYS} days.",
                hint="Set QIAOLIAN_AUDIT_RETENTION_DAYS to 180 or more (default 365).",
                id="qiaolian.privacy.E001",
            )
        ]
    return []


@checks.register()
def retention_days_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Overrides in ``QIAOLIAN_RETENTION_DAYS`` must name known rules and give whole days ≥ 0."""
    from qiaolian.privacy.retention import RULES

    overrides = getattr(settings, "QIAOLIAN_RETENTION_DAYS", {}) or {}
    known = {rule.key for rule in RULES}
    errors = []
    for key, days in overrides.items():
        if key not in known:
            errors.append(
                checks.Error(f"QIAOLIAN_RETENTION_DAYS names an unknown rule {key!r}.", id="qiaolian.privacy.E002")
            )
        elif not isinstance(days, int) or days < 0:
            errors.append(
                checks.Error(
                    f"QIAOLIAN_RETENTION_DAYS[{key!r}] must be a whole number of days ≥ 0.", id="qiaolian.privacy.E003"
                )
            )
    return errors
