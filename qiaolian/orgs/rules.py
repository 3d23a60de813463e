import rules

from qiaolian.accounts.rules import is_district_admin, is_district_user, is_org_viewer, is_registry_editor

rules.add_perm("orgs.view_federation", is_org_viewer)
rules.add_perm("orgs.change_federation", is_district_admin)
rules.add_perm("orgs.view_station", is_org_viewer)
rules.add_perm("orgs.change_station", is_registry_editor)
rules.add_perm("orgs.view_term", is_org_viewer)
rules.add_perm("orgs.change_term", is_registry_editor)
rules.add_perm("orgs.view_partner", is_org_viewer)
rules.add_perm("orgs.change_partner", is_district_user)
rules.add_perm("orgs.view_group", is_org_viewer)
rules.add_perm("orgs.change_group", is_registry_editor)
