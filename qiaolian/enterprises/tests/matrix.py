"""This app's part of the permission matrices (qiaolian/core/tests/test_matrix.py and
test_api_matrix.py)."""

import datetime as dt

from qiaolian.enterprises import services
from qiaolian.testing import Route

ROUTES = {
    "enterprises:enterprise_list": Route("enterprises.view_enterprise"),
    "enterprises:enterprise_create": Route("enterprises.change_enterprise"),
    "enterprises:enterprise_export": Route("enterprises.export_enterprise"),
    "enterprises:stats": Route("enterprises.view_stats"),
    "enterprises:enterprise_detail": Route("enterprises.view_enterprise", "enterprise"),
    "enterprises:enterprise_edit": Route("enterprises.change_enterprise", "enterprise"),
    "enterprises:enterprise_reveal": Route("enterprises.reveal_enterprise", "enterprise", "post", ("contact_phone",)),
    "enterprises:exhibition_add": Route("enterprises.change_enterprise", "enterprise", "post"),
    "enterprises:exhibition_remove": Route("enterprises.change_enterprise", "exhibition", "post"),
    "enterprises:visit_create": Route("enterprises.change_enterprise", "enterprise"),
    "enterprises:visit_list": Route("enterprises.view_enterprise"),
    "enterprises:visit_detail": Route("enterprises.view_enterprise", "visit"),
    "enterprises:visit_edit": Route("enterprises.change_enterprise", "visit"),
    "enterprises:appeal_add": Route("enterprises.change_enterprise", "visit", "post"),
    "enterprises:lead_list": Route("enterprises.view_lead"),
    "enterprises:lead_create": Route("enterprises.change_lead"),
    "enterprises:lead_detail": Route("enterprises.view_lead", "lead"),
    "enterprises:lead_edit": Route("enterprises.change_lead", "lead"),
    "enterprises:lead_advance": Route("enterprises.change_lead", "lead", "post"),
}

API_OPERATIONS = {
    ("get", "/enterprises"): ("enterprises.view_enterprise", None, None),
    ("post", "/enterprises"): ("enterprises.change_enterprise", None, {}),
    ("get", "/enterprises/stats"): ("enterprises.view_stats", None, None),
    ("get", "/enterprises/{enterprise_id}"): ("enterprises.view_enterprise", "enterprise", None),
    ("patch", "/enterprises/{enterprise_id}"): ("enterprises.change_enterprise", "enterprise", {}),
    ("post", "/enterprises/{enterprise_id}/reveal"): (
        "enterprises.reveal_enterprise",
        "enterprise",
        {"field": "contact_phone"},
    ),
    ("get", "/enterprises/{enterprise_id}/visits"): ("enterprises.view_enterprise", "enterprise", None),
    ("post", "/enterprises/{enterprise_id}/visits"): ("enterprises.change_enterprise", "enterprise", {}),
    ("post", "/enterprises/{enterprise_id}/exhibitions"): ("enterprises.change_enterprise", "enterprise", {}),
    ("get", "/enterprise-visits"): ("enterprises.view_enterprise", None, None),
    ("get", "/enterprise-exhibitions"): ("enterprises.view_enterprise", None, None),
    ("get", "/investment-leads"): ("enterprises.view_lead", None, None),
    ("get", "/investment-leads/{lead_id}"): ("enterprises.view_lead", "lead", None),
}

# Valid codes (GB 32100 check digits), one per town of the matrix.
CREDIT_CODES = {"朱泾": "91310116MA1JA0AA75", "石化": "91310116MA1JB0BB6G"}
PHONES = {"朱泾": "+8613916670001", "石化": "+8613916670002"}


def records(js, federation, tag, admin) -> dict:
    enterprise = services.enterprise_create(
        actor=admin,
        data={
            "federation": federation,
            "name": f"{tag}侨资精密机械有限公司",
            "credit_code": CREDIT_CODES[tag],
            "investor_type": "overseas",
            "investor_origin": "foreign_chinese",
            "investor_country": "SG",
            "industry": "heavy",
            "contact_name": "陈经理",
            "contact_phone": PHONES[tag],
        },
    )
    exhibition = services.exhibition_add(actor=admin, enterprise=enterprise, data={"year": 2019, "booth": "4.1馆"})
    visit = services.visit_record(
        actor=admin,
        enterprise=enterprise,
        data={"visited_on": dt.date(2021, 5, 12), "visitors": [admin], "notes": "了解生产经营情况"},
    )
    lead = services.lead_create(
        actor=admin,
        data={
            "federation": federation,
            "project": f"{tag}新加坡精密模具项目",
            "investor_country": "SG",
            "industry": "heavy",
            "introduced_on": dt.date(2020, 9, 1),
            "introducer_name": "新加坡上海公会 林会长",
        },
    )
    return {"enterprise": enterprise, "exhibition": exhibition, "visit": visit, "lead": lead}
