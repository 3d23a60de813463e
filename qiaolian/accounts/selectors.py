from __future__ import annotations

from django.db.models import QuerySet

from qiaolian.accounts.models import ApiToken


def token_list(*, user) -> QuerySet[ApiToken]:
    """A user's own API tokens (nobody lists anyone else's)."""
    if not (user and user.is_authenticated):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at")
