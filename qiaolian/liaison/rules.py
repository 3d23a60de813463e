import rules

from qiaolian.accounts.models import Role
from qiaolian.accounts.rules import has_role, is_registry_editor

is_liaison_reader = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.LEADER)

# District users and town staff keep the liaison work in their jurisdiction; leaders read it.
for _kind in ("association", "contact", "camp"):
    rules.add_perm(f"liaison.view_{_kind}", is_liaison_reader)
    rules.add_perm(f"liaison.change_{_kind}", is_registry_editor)
