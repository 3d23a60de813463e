"""Signals of this app: titles of cases and activities follow every save (they are written
through their services with ``save()``; ``search_rebuild`` covers any bulk path), and the
database indexes are checked after every ``migrate``."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_migrate, post_save

from qiaolian.search.keys import TITLED, title_key_remove, title_key_store


def _on_save(kind: str, field: str):
    def receiver(sender, instance, raw=False, update_fields=None, **kwargs):
        if raw or (update_fields is not None and field not in update_fields):
            return
        title_key_store(kind=kind, object_id=instance.pk, title=getattr(instance, field))

    return receiver


def _on_delete(kind: str):
    def receiver(sender, instance, **kwargs):
        title_key_remove(kind=kind, object_id=instance.pk)

    return receiver


_receivers = []  # strong references: the receivers are closures


def connect() -> None:
    from django.apps import apps

    for kind, (app_label, model_name, field) in TITLED.items():
        model = apps.get_model(app_label, model_name)
        saved, deleted = _on_save(str(kind), field), _on_delete(str(kind))
        _receivers.extend([saved, deleted])
        post_save.connect(saved, sender=model, dispatch_uid=f"search-title-save-{kind}")
        post_delete.connect(deleted, sender=model, dispatch_uid=f"search-title-delete-{kind}")


def indexes_after_migrate(sender, using="default", plan=None, **kwargs):
    from qiaolian.search.indexes import ensure_indexes

    ensure_indexes(using)


def connect_migrate(app_config) -> None:
    post_migrate.connect(indexes_after_migrate, sender=app_config, dispatch_uid="search-indexes-after-migrate")
