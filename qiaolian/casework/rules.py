import rules

from qiaolian.accounts.models import Role
from qiaolian.accounts.rules import has_role, is_registry_editor

# Cases hold people's personal matters (property, family, money, health): district staff and the
# town staff handle them in their jurisdiction and see them in full. Leaders read figures only
# (the statistics page), never a case (DOMAIN.md: leaders get figures, no personal data).
# Station volunteers do not handle cases.
is_case_stats_reader = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.LEADER)

rules.add_perm("casework.view_case", is_registry_editor)
rules.add_perm("casework.open_case", is_registry_editor)
rules.add_perm("casework.change_case", is_registry_editor)
rules.add_perm("casework.reject_case", is_registry_editor)
rules.add_perm("casework.reveal_case", is_registry_editor)
rules.add_perm("casework.view_stats", is_case_stats_reader)
