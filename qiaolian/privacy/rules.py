import rules

from qiaolian.accounts.rules import is_district_admin, is_registry_editor

# Data-subject requests (查阅复制、删除) for a registry person, within the user's jurisdiction.
rules.add_perm("privacy.handle_request", is_registry_editor)
# The retention rules and their last runs.
rules.add_perm("privacy.view_retention", is_district_admin)
