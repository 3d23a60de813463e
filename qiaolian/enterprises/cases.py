"""The link from an enterprise appeal (诉求) to the case engine (``qiaolian.casework``).

Each appeal raised at a visit is handled as a case of type 企业诉求 (W6: logged at a visit →
triaged → forwarded → answered → closed → followed up). The case is opened through the engine's
own service, ``casework.services.case_open(*, actor, data) -> Case``, inside the transaction that
records the appeal, so an appeal never exists without its case (nor a case without its appeal).
Where the engine is not installed the appeal is still recorded, with no case.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

APPEAL_CASE_TYPE = "enterprise_appeal"
# A case "resolved" for the statistics: answered and closed (办结), or closed and followed up
# (回访); a case the engine declined to accept is closed but not resolved.
RESOLVED_STATES = ("resolved", "followed_up")


def case_open_function():
    """``casework.services.case_open``, or None while the case engine does not provide it."""
    try:
        services = import_module("qiaolian.casework.services")
    except ImportError:
        return None
    return getattr(services, "case_open", None)


def appeal_channel() -> str:
    """The engine's channel for appeals met at an enterprise visit (企业走访), else its 来访."""
    try:
        channel = import_module("qiaolian.casework.models").Channel
    except (ImportError, AttributeError):
        return "visit"
    return str(getattr(channel, "ENTERPRISE_VISIT", "visit"))


def appeal_case_data(*, appeal, enterprise, visit) -> dict[str, Any]:
    """What the case engine is told about an appeal."""
    return {
        "type": APPEAL_CASE_TYPE,
        "federation": enterprise.federation,
        "title": appeal.title,
        "description": appeal.description,
        "channel": appeal_channel(),
        "enterprise": enterprise,
        "received_on": visit.visited_on,
        "appeal_topic": appeal.topic,
        "requester_name": (enterprise.contact_name or enterprise.legal_representative or enterprise.name)[:60],
    }
