"""Builders for enterprise records in tests: they go through the services, as pages do."""

from __future__ import annotations

import datetime as dt
import itertools

from stdnum.cn import uscc

from qiaolian.enterprises import services

_serial = itertools.count(1)


def credit_code(serial: int | None = None, *, area: str = "310116") -> str:
    """A valid 统一社会信用代码 (GB 32100 check digit) for a company registered in ``area``."""
    n = next(_serial) if serial is None else serial
    body = f"91{area}MA1{n % 1000000:06d}"
    return body + uscc.calc_check_digit(body)


def make_enterprise(js, *, user="staff", federation=None, **extra):
    actor = js.user(user)
    data = {
        "federation": federation or actor.federation,
        "name": "上海金山精密机械有限公司",
        "credit_code": credit_code(),
        "investor_type": "overseas",
        "investor_origin": "foreign_chinese",
        "investor_country": "SG",
        "industry": "heavy",
        "contact_name": "陈经理",
        "contact_phone": "+8613812345678",
        **extra,
    }
    return services.enterprise_create(actor=actor, data=data)


def make_visit(js, enterprise, *, user="staff", appeals=(), **extra):
    actor = js.user(user)
    data = {"visited_on": dt.date(2021, 6, 8), "visitors": [actor], "notes": "了解生产经营和用工情况", **extra}
    return services.visit_record(actor=actor, enterprise=enterprise, data=data, appeals=list(appeals))


def appeal(topic="finance", title="流动资金贷款", description="希望协调银行延长贷款期限"):
    return {"topic": topic, "title": title, "description": description}


def make_lead(js, *, user="staff", federation=None, **extra):
    actor = js.user(user)
    data = {
        "federation": federation or actor.federation,
        "project": "新加坡精密模具项目",
        "investor": "新加坡某模具集团",
        "investor_country": "SG",
        "industry": "heavy",
        "amount": 5000,
        "introduced_on": dt.date(2019, 4, 10),
        "introducer_name": "新加坡上海公会 林会长",
        **extra,
    }
    return services.lead_create(actor=actor, data=data)
