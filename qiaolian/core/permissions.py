"""Guards that services use before they write (views check the same predicates to shape pages)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from qiaolian.core.jurisdiction import scope_for


def require_perm(user, perm: str, obj=None) -> None:
    if not (user and user.has_perm(perm, obj)):
        raise PermissionDenied(perm)


def require_in_scope(user, federation_id: int | None) -> None:
    """A record outside the user's federations does not exist for them (404, never 403)."""
    if not scope_for(user).allows(federation_id):
        raise Http404("not found")
