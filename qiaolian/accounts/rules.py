"""Role predicates: what each role may do, named once and used by views, API and templates.

Which records a permitted user may touch is the jurisdiction rule (core.jurisdiction); these
predicates say which kinds of action a role may take at all.
"""

import rules

from qiaolian.accounts.models import Role


def has_role(*roles):
    names = {str(r) for r in roles}

    @rules.predicate(name=f"has_role({','.join(sorted(names))})")
    def predicate(user) -> bool:
        return bool(user and user.is_authenticated and user.is_active and user.role in names)

    return predicate


is_district_admin = has_role(Role.DISTRICT_ADMIN)
is_district_user = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF)
is_registry_editor = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF)
is_registry_viewer = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.STATION_MANAGER)
is_org_viewer = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.STATION_MANAGER, Role.LEADER)
is_auditor = has_role(Role.AUDITOR)
is_staff_member = has_role(*(r for r in Role if r != Role.PUBLIC))

rules.add_perm("accounts.use_staff_site", is_staff_member)
rules.add_perm("accounts.create_token", is_staff_member)
rules.add_perm("accounts.manage_users", is_district_admin)
