"""The staff site's base view and its home page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from qiaolian.registry.choices import Category
from qiaolian.registry.selectors import person_scope


class StaffMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Signed-in staff with the named permission; anything else is refused before the view runs.
    Records outside the user's jurisdiction are never reached: views read through selectors."""

    permission_required = "accounts.use_staff_site"
    raise_exception = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not self.has_permission():
            return self.handle_no_permission()
        self.load_objects(**kwargs)
        return super(PermissionRequiredMixin, self).dispatch(request, *args, **kwargs)

    def load_objects(self, **kwargs) -> None:
        """Hook: fetch the records named in the URL through selectors (404 outside jurisdiction).
        Runs only after the permission check, so a role without the right gets 403 first."""

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


def apply_validation_error(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: field errors inline, the rest at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ServiceFormView(StaffMixin, FormView):
    """A form page whose valid input goes to one service call.

    Subclasses give ``perform(form)`` (call the service, return the saved object) and may give
    ``fieldsets`` [(title, [field names])] for the generic template. A ValidationError from the
    service lands on the form; nothing is written in that case (services are atomic)."""

    template_name = "components/form_page.html"
    fieldsets: list[tuple[str, list[str]]] | None = None
    success_message = ""
    page_title = ""
    cancel_url = ""

    def form_valid(self, form):
        try:
            obj = self.perform(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message % {"object": obj})
        return redirect(self.get_success_url(obj))

    def get_success_url(self, obj=None):
        return obj.get_absolute_url()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        if self.fieldsets:
            ctx["fieldsets"] = [
                (title, [form[name] for name in names if name in form.fields]) for title, names in self.fieldsets
            ]
        else:
            ctx["fieldsets"] = [("", list(form))]
        ctx["page_title"] = self.page_title
        ctx["cancel_url"] = self.cancel_url or self.request.META.get("HTTP_REFERER", "")
        return ctx


class ServiceUpdateView(ServiceFormView):
    """Edit one record. The subclass gives ``load_object(user, pk)`` (through a selector, so a
    record outside the user's jurisdiction is a 404; it runs after the permission check) and
    ``perform(form)``; the record is ``self.object``, bound to the form, named in the page title
    and the target of "cancel"."""

    title_template = gettext_lazy("修改：%(object)s")
    success_message = gettext_lazy("已保存 %(object)s。")

    def load_objects(self, **kwargs) -> None:
        self.object = self.load_object(self.request.user, kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = self.title_template % {"object": self.object}
        ctx["cancel_url"] = self.object.get_absolute_url()
        return ctx
