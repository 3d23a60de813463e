import rules

from qiaolian.accounts.models import Role
from qiaolian.accounts.rules import has_role, is_registry_editor

# Federation staff keep the 侨企 work of their jurisdiction (registry, visits, appeals, exhibitions,
# investment leads); leaders read it, with contact phones masked like everyone else's. Revealing a
# contact phone and exporting the list are for the staff who keep the records.
is_enterprise_reader = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.LEADER)

rules.add_perm("enterprises.view_enterprise", is_enterprise_reader)
rules.add_perm("enterprises.change_enterprise", is_registry_editor)
rules.add_perm("enterprises.reveal_enterprise", is_registry_editor)
rules.add_perm("enterprises.export_enterprise", is_registry_editor)
rules.add_perm("enterprises.view_lead", is_enterprise_reader)
rules.add_perm("enterprises.change_lead", is_registry_editor)
rules.add_perm("enterprises.view_stats", is_enterprise_reader)
