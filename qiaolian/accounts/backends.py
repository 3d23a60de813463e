"""Sign-in with username and password, without Django's permission tables.

What a user may do comes from their role alone (accounts/rules.py, through django-rules); no
permission or group rows are ever granted. Django's ModelBackend would still look them up: every
``has_perm`` that the rules deny fell through to it, and the two queries it built for that cost
2–4 ms of every staff page (the navigation asks about some fifty entries). This backend keeps
ModelBackend's password checks (active users only, timing-safe for unknown usernames) and
answers every permission question with "none".
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return False

    def has_module_perms(self, user_obj, app_label) -> bool:
        return False

    def with_perm(self, perm, is_active=True, include_superusers=True, obj=None):
        return get_user_model()._default_manager.none()
