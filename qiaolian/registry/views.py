"""Pages of the registry: thin views over the selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.accounts.reauth import RecentAuthRequiredMixin
from qiaolian.audit.selectors import change_rows, entries_for_target
from qiaolian.core.nav import person_tabs
from qiaolian.core.paging import keyset_page
from qiaolian.core.views import ServiceFormView, ServiceUpdateView, StaffMixin
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry import selectors, services
from qiaolian.registry.choices import Hardship
from qiaolian.registry.forms import PERSON_FIELDSETS, ArchiveForm, OverseasTieForm, PersonFilterForm, PersonForm
from qiaolian.registry.models import OverseasTie, Person


def _person_or_404(user, pk: int) -> Person:
    try:
        return selectors.person_get(user=user, pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


def _tie_or_404(user, pk: int) -> OverseasTie:
    tie = selectors.tie_get(user=user, pk=pk)
    if tie is None:
        raise Http404
    return tie


class PersonListView(StaffMixin, TemplateView):
    permission_required = "registry.view_person"
    template_name = "registry/person_list.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return ["registry/person_list.html#results"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = PersonFilterForm(self.request.GET or None, federations=federation_choices(user=user))
        persons = selectors.person_list(user=user, filters=form.filters())
        ctx["form"] = form
        ctx["page"] = keyset_page(persons, order=form.order(), cursor=self.request.GET.get("cursor", ""), estimate=True)
        ctx["can_change"] = user.has_perm("registry.change_person")
        ctx["can_export"] = user.has_perm("registry.export_person")
        return ctx


class PersonExportView(StaffMixin, RecentAuthRequiredMixin, View):
    """The filtered list as .xlsx, masked; the export is written to the audit log."""

    permission_required = "registry.export_person"

    def get(self, request):
        form = PersonFilterForm(request.GET or None, federations=federation_choices(user=request.user))
        persons = selectors.person_list(user=request.user, filters=form.filters()).order_by(*form.order())
        content = services.persons_export_xlsx(
            actor=request.user, persons=persons.iterator(chunk_size=2000), filters=form.as_audit()
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="persons-{stamp}.xlsx"'
        return response


class PersonDetailView(StaffMixin, TemplateView):
    permission_required = "registry.view_person"
    template_name = "registry/person_detail.html"
    TABS = {
        "profile": gettext_lazy("基本信息"),
        "household": gettext_lazy("家庭户"),
        "relatives": gettext_lazy("海外亲属"),
        "history": gettext_lazy("历史记录"),
    }

    def get(self, request, *args, **kwargs):
        self.tab = request.GET.get("tab", "profile")
        self.app_tabs = {t.key: t for t in person_tabs() if request.user.has_perm(t.perm)}
        if self.tab not in self.TABS and self.tab not in self.app_tabs:
            self.tab = "profile"
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            name = "app" if self.tab in self.app_tabs else self.tab
            return [f"registry/person_detail.html#tab-{name}"]
        return [self.template_name]

    def get_context_data(self, pk: int, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        person = _person_or_404(user, pk)
        ctx.update(
            person=person,
            tab=self.tab,
            tabs=[
                *list(self.TABS.items())[:-1],
                *((t.key, t.label) for t in self.app_tabs.values()),
                *list(self.TABS.items())[-1:],
            ],
            app_tab_url=reverse(self.app_tabs[self.tab].url_name, args=[person.pk])
            if self.tab in self.app_tabs
            else "",
            can_change=user.has_perm("registry.change_person"),
            can_reveal=user.has_perm("registry.reveal_person"),
        )
        if self.tab == "household" and person.household_id:
            ctx["household_members"] = selectors.household_members(user=user, household=person.household)
        if self.tab == "relatives":
            ctx["ties"] = selectors.overseas_ties(user=user, person=person)
        if self.tab == "history":
            ctx["history"] = [
                (entry, change_rows(entry, Person, {"hardship_types": Hardship.choices}))
                for entry in entries_for_target(target=person)
            ]
        return ctx


class PersonRevealView(StaffMixin, RecentAuthRequiredMixin, View):
    """Show one protected value in place (htmx); the reveal is audited by the service."""

    permission_required = "registry.reveal_person"
    http_method_names = ["post"]

    def post(self, request, pk: int, field: str):
        person = _person_or_404(request.user, pk)
        try:
            value = services.person_reveal(actor=request.user, person=person, field=field)
        except ValidationError:
            raise Http404 from None
        return render(request, "registry/_revealed.html", {"field": field, "value": value})


class PersonCreateView(ServiceFormView):
    """Register a person. The form looks for persons already in the registry that may be the
    same one (``registry.duplicates``) and asks the user to confirm before saving."""

    permission_required = "registry.change_person"
    form_class = PersonForm
    template_name = "registry/person_form.html"
    fieldsets = PERSON_FIELDSETS
    page_title = gettext_lazy("登记人员")
    success_message = gettext_lazy("已登记 %(object)s。")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["federations"] = federation_choices(user=self.request.user)
        kwargs["user"] = self.request.user
        user_federation = self.request.user.federation
        if user_federation is not None and user_federation.parent_id is not None:
            kwargs.setdefault("initial", {})["federation"] = user_federation.pk
        return kwargs

    def perform(self, form):
        return services.person_create(actor=self.request.user, data=form.person_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("侨情人员"), reverse("registry:person_list"))]
        ctx["cancel_url"] = reverse("registry:person_list")
        return ctx


class PersonUpdateView(ServiceUpdateView):
    permission_required = "registry.change_person"
    form_class = PersonForm
    template_name = "registry/person_form.html"
    fieldsets = PERSON_FIELDSETS
    success_message = gettext_lazy("已保存 %(object)s 的修改。")

    def load_object(self, user, pk):
        return _person_or_404(user, pk)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "federations": federation_choices(user=self.request.user),
            "user": self.request.user,
        }

    def perform(self, form):
        return services.person_update(actor=self.request.user, person=self.object, data=form.person_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [
            (_("侨情人员"), reverse("registry:person_list")),
            (self.object.name, self.object.get_absolute_url()),
        ]
        return ctx


class PersonArchiveView(ServiceFormView):
    permission_required = "registry.change_person"
    form_class = ArchiveForm
    success_message = gettext_lazy("%(object)s 已归档，可在列表中勾选“包括已归档”查看。")

    def load_objects(self, **kwargs):
        self.person = _person_or_404(self.request.user, kwargs["pk"])

    def perform(self, form):
        return services.person_archive(actor=self.request.user, person=self.person, reason=form.cleaned_data["reason"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("归档：%(name)s") % {"name": self.person.name}
        ctx["breadcrumbs"] = [
            (_("侨情人员"), reverse("registry:person_list")),
            (self.person.name, self.person.get_absolute_url()),
        ]
        ctx["cancel_url"] = self.person.get_absolute_url()
        return ctx


class PersonRestoreView(StaffMixin, View):
    permission_required = "registry.change_person"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        person = _person_or_404(request.user, pk)
        try:
            services.person_restore(actor=request.user, person=person)
            messages.success(request, _("%(name)s 已恢复。") % {"name": person.name})
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(person)


class TieCreateView(ServiceFormView):
    permission_required = "registry.change_person"
    form_class = OverseasTieForm
    page_title = gettext_lazy("添加海外亲属")
    success_message = gettext_lazy("已添加海外亲属 %(object)s。")

    def load_objects(self, **kwargs):
        self.person = _person_or_404(self.request.user, kwargs["pk"])

    def perform(self, form):
        return services.overseas_tie_create(actor=self.request.user, person=self.person, data=form.cleaned_data)

    def get_success_url(self, obj=None):
        return reverse("registry:person_detail", args=[self.person.pk]) + "?tab=relatives"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("添加海外亲属：%(name)s") % {"name": self.person.name}
        ctx["breadcrumbs"] = [
            (_("侨情人员"), reverse("registry:person_list")),
            (self.person.name, self.person.get_absolute_url()),
        ]
        ctx["cancel_url"] = self.get_success_url()
        return ctx


class TieUpdateView(ServiceUpdateView):
    permission_required = "registry.change_person"
    form_class = OverseasTieForm
    success_message = gettext_lazy("已保存海外亲属 %(object)s。")

    def load_object(self, user, pk):
        return _tie_or_404(user, pk)

    def perform(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        return services.overseas_tie_update(actor=self.request.user, tie=self.object, data=data)

    def get_success_url(self, obj=None):
        return reverse("registry:person_detail", args=[self.object.person_id]) + "?tab=relatives"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("修改海外亲属：%(name)s") % {"name": self.object.name}
        ctx["breadcrumbs"] = [
            (_("侨情人员"), reverse("registry:person_list")),
            (self.object.person.name, self.object.person.get_absolute_url()),
        ]
        ctx["cancel_url"] = self.get_success_url()
        return ctx


class TieDeleteView(StaffMixin, View):
    permission_required = "registry.change_person"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        tie = _tie_or_404(request.user, pk)
        person_id = tie.person_id
        services.overseas_tie_delete(actor=request.user, tie=tie)
        messages.success(request, _("已删除海外亲属 %(name)s。") % {"name": tie.name})
        return redirect(reverse("registry:person_detail", args=[person_id]) + "?tab=relatives")
