"""Who may do what in hardship aid (DOMAIN.md §6 roles; which records is the jurisdiction rule).

- The district (administrator and staff) sets up campaigns — budget, standards, eligibility —
  and approves: the money is the district's to commit, so approving is a district act.
- Town/park federation staff nominate persons of their own registry and record the visits and
  hand-overs in their jurisdiction, and print their sign-off sheets (签收表). District staff may do
  the same for any town.
- Leaders read campaigns and the figures (recipients, households, amounts), not the lists of
  names: "figures, no personal data".
- Station volunteers (侨之家/新侨驿站) do not see or record aid. Whom a federation helps, for
  which hardship and with how much money is sensitive personal information (PIPL Art. 28:
  finances, health), and handing over cash is an act the federation answers for; volunteers who
  come along on a visit are named among the visitors on the hand-over record instead.
- Donations: federation staff record what their federation received and where it went;
  leaders read them (donors are organizations and the allocations name campaigns or institutions).
"""

import rules

from qiaolian.accounts.models import Role
from qiaolian.accounts.rules import has_role, is_district_user, is_registry_editor

is_aid_reader = has_role(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.LEADER)

rules.add_perm("aid.view_campaign", is_aid_reader)
rules.add_perm("aid.change_campaign", is_district_user)
rules.add_perm("aid.view_nomination", is_registry_editor)
rules.add_perm("aid.nominate", is_registry_editor)
rules.add_perm("aid.approve", is_district_user)
rules.add_perm("aid.hand_over", is_registry_editor)
rules.add_perm("aid.export_sheet", is_registry_editor)
rules.add_perm("aid.view_donation", is_aid_reader)
rules.add_perm("aid.change_donation", is_registry_editor)
