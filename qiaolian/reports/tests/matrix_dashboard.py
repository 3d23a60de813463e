"""The dashboard and work plan pages' part of this app's permission matrix (merged by matrix.py).

The chart export names the federation in its path (like the indicator pages), so own / foreign /
absent are checked there; the dashboard takes the federation as a query parameter."""

from qiaolian.testing import Route

ROUTES: dict = {
    "reports:dashboard": Route("reports.view_indicators"),
    "reports:dashboard_progress": Route("reports.view_indicators"),
    "reports:dashboard_export": Route("reports.view_indicators", "report_federation", "get", ("persons",)),
    "reports:plan_list": Route("reports.view_plan"),
    "reports:plan_create": Route("reports.change_plan"),
    "reports:plan_detail": Route("reports.view_plan", "plan"),
    "reports:plan_edit": Route("reports.change_plan", "plan"),
    "reports:plan_targets": Route("reports.change_plan", "plan"),
}
API_OPERATIONS: dict = {}


def records(js, federation, tag, admin) -> dict:
    from qiaolian.reports import services

    plan = services.plan_create(
        actor=admin,
        data={"federation": federation, "title": f"{tag}五年规划", "start_year": 2023, "end_year": 2027},
    )
    return {"plan": plan}
