"""The staff site's base view and its home page."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Count
from django.views.generic import TemplateView

from qiaolian.registry.choices import Category
from qiaolian.registry.selectors import person_scope


class StaffMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Signed-in staff with the named permission; anything else is refused before the view runs.
    Records outside the user's jurisdiction are never reached: views read through selectors."""

    permission_required = "accounts.use_staff_site"
    raise_exception = False

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()


class HomeView(StaffMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("registry.view_person"):
            persons = person_scope(user=user)
            labels = dict(Category.choices)
            by_category = persons.order_by().values("category").annotate(n=Count("id")).order_by("-n")
            ctx["person_total"] = persons.count()
            ctx["by_category"] = [{"label": labels.get(r["category"], r["category"]), **r} for r in by_category]
            ctx["hardship_total"] = persons.filter(is_in_hardship=True).count()
            by_fed = persons.order_by().values("federation__short_name").annotate(n=Count("id")).order_by("-n")
            ctx["by_federation"] = list(by_fed[:12])
        return ctx
