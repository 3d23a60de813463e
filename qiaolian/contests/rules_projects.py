"""Who may read, record and import projects of 上海海峡两岸青年创业大赛.

Which projects a permitted user reaches is the jurisdiction rule: a project belongs to the
federation that recommended it (``CompetitionProject.objects.visible_to(user)``).
"""

import rules

from qiaolian.accounts.models import Role
from qiaolian.accounts.rules import has_role, is_registry_editor

# Federation staff record and import projects in their jurisdiction; leaders read the figures.
is_project_reader = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.LEADER)

PERMS = {
    "contests.view_project": is_project_reader,
    "contests.change_project": is_registry_editor,
    "contests.import_project": is_registry_editor,
}
# contests/rules.py (loaded first, by the rules app) may already name some of these with the
# same predicates; each is added once, whichever module gets there first.
for _name, _predicate in PERMS.items():
    if not rules.perm_exists(_name):
        rules.add_perm(_name, _predicate)
