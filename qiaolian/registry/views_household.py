"""Pages for households (家庭户)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.core.fields import prefix_q
from qiaolian.core.paging import keyset_page
from qiaolian.core.text import search_key
from qiaolian.core.views import ServiceFormView, ServiceUpdateView, StaffMixin
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry import selectors, services
from qiaolian.registry.forms import HouseholdForm, HouseholdMemberForm
from qiaolian.registry.models import Household, Person
from qiaolian.registry.views import _person_or_404


def _household_or_404(user, pk: int) -> Household:
    household = selectors.household_scope(user=user).filter(pk=pk).first()
    if household is None:
        raise Http404
    return household


class HouseholdListView(StaffMixin, TemplateView):
    permission_required = "registry.view_household"
    template_name = "registry/household_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = selectors.household_scope(user=self.request.user).annotate(
            member_count=Count("members", filter=Q(members__is_archived=False))
        )
        query = self.request.GET.get("q", "").strip()
        if query:
            qs = qs.filter(prefix_q("label", search_key(query)) | prefix_q("label", query))
        ctx["q"] = query
        ctx["page"] = keyset_page(qs, order=("label", "id"), cursor=self.request.GET.get("cursor", ""))
        ctx["can_change"] = self.request.user.has_perm("registry.change_household")
        return ctx


class HouseholdDetailView(StaffMixin, TemplateView):
    permission_required = "registry.view_household"
    template_name = "registry/household_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        household = _household_or_404(user, pk)
        ctx["household"] = household
        ctx["members"] = selectors.household_members(user=user, household=household)
        ctx["can_change"] = user.has_perm("registry.change_household")
        ctx["member_form"] = HouseholdMemberForm()
        query = self.request.GET.get("member_q", "").strip()
        if query and ctx["can_change"]:
            cond = selectors.search_filter(query)
            candidates = selectors.person_scope(user=user).exclude(household=household)
            ctx["candidates"] = candidates.filter(cond)[:10] if cond is not None else []
            ctx["member_q"] = query
        return ctx


class HouseholdFormMixin:
    permission_required = "registry.change_household"
    form_class = HouseholdForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["federations"] = federation_choices(user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("家庭户"), reverse("registry:household_list"))]
        return ctx


class HouseholdCreateView(HouseholdFormMixin, ServiceFormView):
    page_title = gettext_lazy("新建家庭户")
    success_message = gettext_lazy("已新建家庭户 %(object)s。")

    def perform(self, form):
        return services.household_create(actor=self.request.user, data=form.household_data())


class HouseholdUpdateView(HouseholdFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存家庭户 %(object)s。")
    title_template = gettext_lazy("修改家庭户：%(object)s")

    def load_object(self, user, pk):
        return _household_or_404(user, pk)

    def perform(self, form):
        return services.household_update(actor=self.request.user, household=self.object, data=form.household_data())


class HouseholdMemberAddView(StaffMixin, View):
    permission_required = "registry.change_household"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        household = _household_or_404(request.user, pk)
        form = HouseholdMemberForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择人员和与户主关系。"))
            return redirect(household)
        try:
            person = selectors.person_scope(user=request.user).get(pk=form.cleaned_data["person"])
        except Person.DoesNotExist:
            raise Http404 from None
        try:
            services.household_set_member(
                actor=request.user, household=household, person=person, relation=form.cleaned_data["relation"]
            )
            messages.success(request, _("已将 %(name)s 加入本户。") % {"name": person.name})
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(household)


class HouseholdMemberRemoveView(StaffMixin, View):
    permission_required = "registry.change_household"
    http_method_names = ["post"]

    def post(self, request, pk: int, person_pk: int):
        household = _household_or_404(request.user, pk)
        person = _person_or_404(request.user, person_pk)
        if person.household_id != household.pk:
            raise Http404
        services.household_remove_member(actor=request.user, person=person)
        messages.success(request, _("已将 %(name)s 移出本户。") % {"name": person.name})
        return redirect(household)
