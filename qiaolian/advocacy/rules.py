import rules

from qiaolian.accounts.models import Role
from qiaolian.accounts.rules import has_role, is_district_user, is_registry_editor

is_cppcc_member = has_role(Role.CPPCC_MEMBER)
is_opinion_reader = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.LEADER, Role.CPPCC_MEMBER)


@rules.predicate
def is_author(user, report) -> bool:
    return report is not None and report.author_user_id == user.pk


# Federation staff write and collect reports in their jurisdiction and the district records what
# became of them; a CPPCC member drafts and follows their own.
rules.add_perm("advocacy.view_opinion", is_opinion_reader)
rules.add_perm("advocacy.change_opinion", is_registry_editor | is_cppcc_member)
rules.add_perm("advocacy.edit_opinion", is_registry_editor | (is_cppcc_member & is_author))
rules.add_perm("advocacy.record_outcome", is_district_user)
rules.add_perm(
    "advocacy.view_research",
    has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.LEADER, Role.CPPCC_MEMBER),
)
rules.add_perm("advocacy.change_research", is_district_user)
