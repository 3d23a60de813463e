import rules

from qiaolian.accounts.rules import is_registry_editor, is_registry_viewer

rules.add_perm("registry.view_person", is_registry_viewer)
rules.add_perm("registry.change_person", is_registry_editor)
rules.add_perm("registry.reveal_person", is_registry_editor)
rules.add_perm("registry.export_person", is_registry_editor)
rules.add_perm("registry.import_person", is_registry_editor)
rules.add_perm("registry.view_household", is_registry_viewer)
rules.add_perm("registry.change_household", is_registry_editor)
