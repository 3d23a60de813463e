"""The one rule of who sees what, shared by every app (CONVENTIONS §3).

A user works in one federation and sees the records of that federation and of every federation
below it. The district federation sits at the root, so district users see everything through the
same rule. No user, an inactive user or a user without a federation sees nothing (fail closed).

Every model that belongs to a place names the path to its federation in ``jurisdiction_path``
(or a tuple of paths, for a record several federations share: it is visible through any of them);
``ScopedQuerySet.visible_to(user)`` turns the user into a filter on that path. Selectors start
from it; pages, API, exports and reports go through selectors.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Scope:
    everything: bool
    federation_ids: frozenset[int]

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.federation_ids

    def allows(self, federation_id: int | None) -> bool:
        return self.everything or (federation_id is not None and federation_id in self.federation_ids)


NOTHING = Scope(everything=False, federation_ids=frozenset())
_CACHE_ATTR = "_qiaolian_scope"


def scope_for(user) -> Scope:
    """The federations whose records ``user`` may see, resolved once per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = NOTHING
    federation_id = getattr(user, "federation_id", None)
    if federation_id is not None:
        federation_model = apps.get_model("orgs", "Federation")
        root = federation_model.objects.filter(pk=federation_id).values("path", "parent_id").first()
        if root is not None:
            if root["parent_id"] is None:
                scope = Scope(everything=True, federation_ids=frozenset())
            else:
                ids = federation_model.objects.filter(path__startswith=root["path"]).values_list("id", flat=True)
                scope = Scope(everything=False, federation_ids=frozenset(ids))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how its rows reach a federation (``Model.jurisdiction_path``)."""

    def visible_to(self, user) -> ScopedQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.is_empty:
            return self.none()
        paths = self.model.jurisdiction_path
        if isinstance(paths, str):
            return self.filter(**{f"{paths}__in": scope.federation_ids})
        # a record several federations share (a case handed from a town to the district)
        condition = models.Q()
        for path in paths:
            condition |= models.Q(**{f"{path}__in": scope.federation_ids})
        return self.filter(condition)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
