import rules

from qiaolian.accounts.rules import is_registry_editor, is_registry_viewer

rules.add_perm("registry.view_person", is_registry_viewer)
rules.add_perm("registry.change_person", is_registry_editor)
rules.add_perm("registry.reveal_person", is_registry_editor)
rules.add_perm("registry.export_person", is_registry_editor)
rules.add_perm("registry.import_person", is_registry_editor)


@rules.predicate
def may_import_some_kind(user) -> bool:
    """The import pages are open to whoever may import at least one kind of record."""
    from qiaolian.core.importkinds import kinds_for

    return bool(kinds_for(user))


rules.add_perm("registry.import_any", may_import_some_kind)
rules.add_perm("registry.view_household", is_registry_viewer)
rules.add_perm("registry.change_household", is_registry_editor)
