import rules

from qiaolian.accounts.models import Role
from qiaolian.accounts.rules import has_role, is_registry_editor

# District and town staff run contests in their jurisdiction; leaders read. Judges score the
# entries of the contests they are assigned to (the assignment is checked where the contest is
# loaded: a contest the judge is not on does not exist for them).
is_contest_reader = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.LEADER)
is_judge = has_role(Role.JUDGE)


@rules.predicate
def is_assigned_judge(user, contest) -> bool:
    """Without a contest: the role alone; with one: the user must be on its panel."""
    if contest is None:
        return True
    return contest.judges.filter(pk=user.pk).exists()


rules.add_perm("contests.view_contest", is_contest_reader)
rules.add_perm("contests.change_contest", is_registry_editor)
rules.add_perm("contests.judge", is_judge & is_assigned_judge)

# The entrepreneurship competition's projects keep their permissions beside their code; the rules
# app discovers only this module, so it loads them.
from qiaolian.contests import rules_projects  # noqa: E402, F401
