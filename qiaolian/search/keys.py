"""Keeping ``TitleKey`` rows in step with the titles of cases and activities."""

from __future__ import annotations

from django.apps import apps

from qiaolian.core.text import initials_key, pinyin_key, search_key
from qiaolian.search.models import KeyKind, TitleKey

# kind → (app label, model name, title field)
TITLED = {
    KeyKind.CASE: ("casework", "Case", "title"),
    KeyKind.ACTIVITY: ("activities", "Activity", "title"),
}


def title_keys(title: str) -> dict[str, str]:
    return {
        "key": search_key(title)[:200],
        "pinyin": pinyin_key(title)[:600],
        "initials": initials_key(title)[:200],
    }


def title_key_store(*, kind: str, object_id: int, title: str) -> None:
    TitleKey.objects.update_or_create(kind=kind, object_id=object_id, defaults=title_keys(title))


def title_key_remove(*, kind: str, object_id: int) -> None:
    TitleKey.objects.filter(kind=kind, object_id=object_id).delete()


def title_keys_rebuild(*, using: str = "default", batch_size: int = 2000) -> dict[str, int]:
    """Every case's and activity's key written again from its title; stale rows removed."""
    counts = {}
    for kind, (app_label, model_name, field) in TITLED.items():
        model = apps.get_model(app_label, model_name)
        TitleKey.objects.using(using).filter(kind=kind).delete()
        rows = [
            TitleKey(kind=kind, object_id=pk, **title_keys(title))
            for pk, title in model._default_manager.using(using).order_by("pk").values_list("pk", field).iterator()
        ]
        TitleKey.objects.using(using).bulk_create(rows, batch_size=batch_size)
        counts[str(kind)] = len(rows)
    return counts
