"""Who may review duplicates and merge persons: the roles that may change persons in the registry
(merging changes persons and moves their records); which persons is the jurisdiction rule."""

import rules

from qiaolian.accounts.rules import is_registry_editor

rules.add_perm("linkage.view_pair", is_registry_editor)
rules.add_perm("linkage.run_linkage", is_registry_editor)
rules.add_perm("linkage.merge_person", is_registry_editor)
