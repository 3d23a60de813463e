import rules

from qiaolian.accounts.models import Role
from qiaolian.accounts.rules import has_role

# Federation staff read their figures and the records behind them; leaders read the figures and
# the list of counted records without persons' names (docs/reports.md).
is_report_reader = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.LEADER)
is_leader = has_role(Role.LEADER)

rules.add_perm("reports.view_indicators", is_report_reader)

# Work plans (工作规划): read by every report reader; written by district staff for any plan in
# their jurisdiction and by town staff for their own federation's plans (the services check the
# jurisdiction; this predicate adds "own federation" for town staff).
is_district_planner = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF)
is_town_staff = has_role(Role.TOWN_STAFF)


@rules.predicate
def is_own_federations_plan(user, plan) -> bool:
    if plan is None:
        return True
    return getattr(plan, "federation_id", None) == getattr(user, "federation_id", None)


rules.add_perm("reports.view_plan", is_report_reader)
rules.add_perm("reports.change_plan", is_district_planner | (is_town_staff & is_own_federations_plan))
