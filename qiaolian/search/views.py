"""The search page (/search/?q=…&kind=…) and the top hits under the top bar's box (htmx)."""

from __future__ import annotations

from django.views.generic import TemplateView

from qiaolian.core.views import StaffMixin
from qiaolian.search.selectors import SearchKind, kinds_for, search

KIND_PAGE_LIMIT = 50
SUGGEST_LIMIT = 3


class SearchView(StaffMixin, TemplateView):
    """Every kind the user may see, grouped, with capped counts; ``kind`` shows more of one kind.
    Reachable by every staff role: what each role finds is decided per kind by the selectors."""

    template_name = "search/results.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [f"{self.template_name}#results"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.get("q", "")
        allowed = kinds_for(user)
        kind = self.request.GET.get("kind", "")
        if kind not in allowed:
            kind = ""
        overview = search(user=user, query=query)
        groups = overview.groups
        if kind:
            groups = search(user=user, query=query, kind=kind, limit=KIND_PAGE_LIMIT).groups
        ctx.update(
            q=query,
            kind=kind,
            results=overview,
            tabs=overview.groups,
            groups=groups,
            kind_labels=dict(SearchKind.choices),
            more_limit=KIND_PAGE_LIMIT,
        )
        return ctx


class SuggestView(StaffMixin, TemplateView):
    """The first few hits of each kind, for the dropdown under the top bar's search box."""

    template_name = "search/suggest.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        ctx.update(q=query, results=search(user=self.request.user, query=query, limit=SUGGEST_LIMIT))
        return ctx
