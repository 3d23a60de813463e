import rules

from qiaolian.accounts.models import Role
from qiaolian.accounts.rules import has_role

# Federation staff read their figures and the records behind them; leaders read the figures and
# the list of counted records without persons' names (docs/reports.md).
is_report_reader = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.LEADER)
is_leader = has_role(Role.LEADER)

rules.add_perm("reports.view_indicators", is_report_reader)
