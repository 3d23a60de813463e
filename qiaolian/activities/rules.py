import rules

from qiaolian.accounts.models import Role
from qiaolian.accounts.rules import has_role, is_district_admin, is_registry_editor, is_registry_viewer

is_activity_reader = has_role(
    Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.STATION_MANAGER, Role.LEADER
)

# Federation staff plan, record and report activities in their jurisdiction; a station's
# volunteers register people and run the check-in desk; leaders read.
rules.add_perm("activities.view_activity", is_activity_reader)
rules.add_perm("activities.change_activity", is_registry_editor)
rules.add_perm("activities.register", is_registry_viewer)
rules.add_perm("activities.check_in", is_registry_viewer)
rules.add_perm("activities.view_campaign", is_activity_reader)
rules.add_perm("activities.change_campaign", is_registry_editor)
rules.add_perm("activities.manage_brands", is_district_admin)
