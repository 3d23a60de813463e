"""Cases for tests, opened through the service as a page would (number, deadline, timeline)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qiaolian.casework import services
from qiaolian.casework.models import Case

TYPE_DEFAULTS: dict[str, dict[str, Any]] = {
    "rights": {"category": "property"},
    "consultation": {"consultation_topic": "policy"},
    "aid_request": {"hardship_type": "ill"},
    "suggestion": {"suggestion_topic": "federation"},
    "enterprise_appeal": {"appeal_topic": "finance"},
}


def open_case(js, *, user: str = "zhujing", type: str = "rights", **data: Any) -> Case:
    actor = js.user(user)
    values: dict[str, Any] = {
        "type": type,
        "federation": actor.federation,
        "title": "归侨老宅拆迁补偿争议",
        "description": "当事人反映老宅拆迁补偿未按侨房政策计算，请求侨联协调。",
        "channel": "visit",
        "received_on": dt.date(2021, 9, 24),
        "requester_name": "陈国华",
        "requester_phone": "13812345678",
        **TYPE_DEFAULTS[type],
        **data,
    }
    return services.case_open(actor=actor, data=values)
