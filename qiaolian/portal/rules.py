"""Who may look after the portal: its news and privacy notices (manage_content,
manage_privacy_notice) and the review of portal accounts, profile changes and data-subject
requests (review_accounts)."""

import rules

from qiaolian.accounts.models import Role
from qiaolian.accounts.rules import has_role, is_district_user, is_registry_editor

# District administrators and staff, and the staff of a street/town federation (their own
# federation's news; jurisdiction limits which records they reach).
rules.add_perm("portal.manage_content", is_registry_editor)
rules.add_perm("portal.review_accounts", is_registry_editor)
# The privacy notice is the district federation's: one text for the whole portal.
rules.add_perm("portal.manage_privacy_notice", is_district_user)

is_portal_user = has_role(Role.PUBLIC)
rules.add_perm("portal.use_portal", is_portal_user)
