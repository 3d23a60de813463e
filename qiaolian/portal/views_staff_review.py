"""Staff pages that review what portal users send: profile changes, the link of an account to a
registry person, and data-subject requests. Records come through ``review``'s selectors (the
record's federation within the user's jurisdiction, else 404); writes go to its services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from qiaolian.core.views import StaffMixin, apply_validation_error
from qiaolian.portal import review, selectors
from qiaolian.portal.forms_review import HandlingForm, LinkPersonForm, ReviewNoteForm
from qiaolian.portal.mine import profile_change_compare, profile_change_display
from qiaolian.portal.models import DataRequestStatus, ReviewStatus

PERM = "portal.review_accounts"


def _page(request, qs, per_page: int = 50):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


class ChangeListView(StaffMixin, TemplateView):
    permission_required = PERM
    template_name = "portal/staff/review_change_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", ReviewStatus.PENDING)
        page = _page(self.request, review.change_list(user=self.request.user, status=status))
        ctx.update(
            page=page,
            rows=[(c, profile_change_display(c.changes)) for c in page],
            status=status,
            statuses=ReviewStatus.choices,
        )
        return ctx


class ChangeMixin:
    def load_objects(self, **kwargs):
        self.change = review.change_get(user=self.request.user, pk=kwargs["pk"])


def change_context(request, change, form=None) -> dict:
    profile = selectors.profile_of(change.user_id)
    return {
        "change": change,
        "rows": profile_change_compare(change.changes, profile if change.status == ReviewStatus.PENDING else None),
        "profile": profile,
        "form": form or ReviewNoteForm(),
    }


class ChangeDetailView(ChangeMixin, StaffMixin, TemplateView):
    permission_required = PERM
    template_name = "portal/staff/review_change_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(change_context(self.request, self.change))
        return ctx


class ChangeDecideView(ChangeMixin, StaffMixin, View):
    """Approve (apply) or reject a profile change."""

    permission_required = PERM
    http_method_names = ["post"]
    approve = True

    def post(self, request, pk: int):
        form = ReviewNoteForm(request.POST)
        if form.is_valid():
            try:
                if self.approve:
                    review.change_approve(actor=request.user, change=self.change, note=form.cleaned_data["note"])
                    messages.success(request, _("已通过并更新资料。"))
                else:
                    review.change_reject(actor=request.user, change=self.change, note=form.cleaned_data["note"])
                    messages.success(request, _("已标记为不予通过。"))
                return redirect("portal_staff:change_detail", pk=pk)
            except ValidationError as error:
                apply_validation_error(form, error)
        return render(
            request,
            "portal/staff/review_change_detail.html",
            change_context(request, review.change_get(user=request.user, pk=pk), form),
        )


class AccountListView(StaffMixin, TemplateView):
    permission_required = PERM
    template_name = "portal/staff/review_account_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query, linked = self.request.GET.get("q", ""), self.request.GET.get("linked", "")
        ctx.update(
            page=_page(self.request, review.account_list(user=self.request.user, query=query, linked=linked)),
            q=query,
            linked=linked,
        )
        return ctx


class AccountMixin:
    def load_objects(self, **kwargs):
        self.profile = review.account_get(user=self.request.user, pk=kwargs["pk"])


def account_context(request, profile, form=None) -> dict:
    query = request.GET.get("q", "")
    return {
        "profile": profile,
        "account": profile.user,
        "q": query,
        "candidates": []
        if profile.person_id
        else list(review.person_candidates(user=request.user, profile=profile, query=query)),
        "form": form,
        "changes": review.change_scope(user=request.user).filter(user_id=profile.user_id)[:20],
        "requests": review.request_scope(user=request.user).filter(user_id=profile.user_id)[:20],
    }


class AccountDetailView(AccountMixin, StaffMixin, TemplateView):
    permission_required = PERM
    template_name = "portal/staff/review_account_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(account_context(self.request, self.profile))
        return ctx


class AccountLinkView(AccountMixin, StaffMixin, View):
    permission_required = PERM
    http_method_names = ["post"]

    def post(self, request, pk: int):
        from qiaolian.registry.selectors import person_scope

        form = LinkPersonForm(request.POST)
        if form.is_valid():
            person = person_scope(user=request.user).filter(pk=form.cleaned_data["person"]).first()
            try:
                review.account_link_person(actor=request.user, profile=self.profile, person=person)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("已关联侨情库人员 %(name)s。") % {"name": person.name})
                return redirect("portal_staff:account_detail", pk=pk)
        ctx = account_context(request, self.profile, form)
        return render(request, "portal/staff/review_account_detail.html", ctx)


class AccountUnlinkView(AccountMixin, StaffMixin, View):
    permission_required = PERM
    http_method_names = ["post"]

    def post(self, request, pk: int):
        try:
            review.account_unlink_person(actor=request.user, profile=self.profile)
            messages.success(request, _("已取消关联。"))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("portal_staff:account_detail", pk=pk)


class RequestListView(StaffMixin, TemplateView):
    permission_required = PERM
    template_name = "portal/staff/review_request_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", DataRequestStatus.RECEIVED)
        ctx.update(
            page=_page(self.request, review.request_list(user=self.request.user, status=status)),
            status=status,
            statuses=DataRequestStatus.choices,
        )
        return ctx


class RequestMixin:
    def load_objects(self, **kwargs):
        self.data_request = review.request_get(user=self.request.user, pk=kwargs["pk"])


def request_context(request, data_request, form=None) -> dict:
    profile = selectors.profile_of(data_request.user_id)
    return {"data_request": data_request, "profile": profile, "form": form or HandlingForm()}


class RequestDetailView(RequestMixin, StaffMixin, TemplateView):
    permission_required = PERM
    template_name = "portal/staff/review_request_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(request_context(self.request, self.data_request))
        return ctx


class RequestHandleView(RequestMixin, StaffMixin, View):
    """Fulfil (for a deletion: anonymize and detach) or refuse a data-subject request."""

    permission_required = PERM
    http_method_names = ["post"]
    fulfil = True

    def post(self, request, pk: int):
        form = HandlingForm(request.POST)
        if form.is_valid():
            try:
                if self.fulfil:
                    review.request_fulfil(
                        actor=request.user, request=self.data_request, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("已办理。"))
                else:
                    review.request_refuse(
                        actor=request.user, request=self.data_request, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("已标记为不予办理。"))
                return redirect("portal_staff:request_detail", pk=pk)
            except ValidationError as error:
                apply_validation_error(form, error)
        ctx = request_context(request, review.request_get(user=request.user, pk=pk), form)
        return render(request, "portal/staff/review_request_detail.html", ctx)
