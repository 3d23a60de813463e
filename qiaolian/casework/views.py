"""Pages of the case engine: lists (all cases, 侨益维护, 企业诉求), opening a case per type, the
case page with its timeline, time in each state, notes, attachments and the steps the user may
take; deadlines; statistics; the person page's tab."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.accounts.reauth import RecentAuthRequiredMixin
from qiaolian.casework import selectors, services
from qiaolian.casework.forms import AttachmentForm, CaseFilterForm, CaseForm, NoteForm, StepForm
from qiaolian.casework.models import (
    OPEN_STATES,
    TYPE_RULES,
    Case,
    CaseAttachment,
    CaseType,
    Outcome,
    RightsCategory,
    Satisfaction,
    State,
    deadline_days,
)
from qiaolian.core.downloads import serve_upload
from qiaolian.core.paging import keyset_page
from qiaolian.core.views import ServiceFormView, ServiceUpdateView, StaffMixin, apply_validation_error
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry.selectors import PersonFilters, person_get, person_list, person_scope

VIEW = "casework.view_case"
CHANGE = "casework.change_case"


def _case_or_404(user, pk: int) -> Case:
    try:
        return selectors.case_get(user=user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def _url_or_blank(obj) -> str:
    """The record's page, if its app has one yet."""
    try:
        return obj.get_absolute_url() if obj is not None else ""
    except NoReverseMatch:
        return ""


# Lists --------------------------------------------------------------------------------------

LIST_TITLES = {
    "": gettext_lazy("诉求与维权"),
    CaseType.RIGHTS: gettext_lazy("侨益维护"),
    CaseType.ENTERPRISE_APPEAL: gettext_lazy("企业诉求"),
}
LIST_URLS = {
    "": "casework:case_list",
    CaseType.RIGHTS: "casework:rights_list",
    CaseType.ENTERPRISE_APPEAL: "casework:appeal_list",
}


def _filters_from(form: CaseFilterForm, fixed_type: str) -> selectors.CaseFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.CaseFilters(
        query=(data.get("q") or "").strip(),
        type=fixed_type or data.get("type") or "",
        state=data.get("state") or "",
        topic=data.get("topic") or "",
        federation_id=getattr(data.get("federation"), "pk", None),
        deadline=data.get("deadline") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        mine=bool(data.get("mine")),
    )


class CaseListView(StaffMixin, TemplateView):
    """Cases with filters; the 侨益维护 and 企业诉求 entries of the sidebar are this list with the
    type fixed."""

    permission_required = VIEW
    template_name = "casework/case_list.html"
    fixed_type = ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = CaseFilterForm(
            self.request.GET or None, federations=federation_choices(user=user), fixed_type=self.fixed_type
        )
        filters = _filters_from(form, self.fixed_type)
        today = timezone.localdate()
        ctx.update(
            form=form,
            page=keyset_page(
                selectors.case_list(user=user, filters=filters, today=today),
                order=("-received_on", "-id"),
                cursor=self.request.GET.get("cursor", ""),
            ),
            totals=selectors.case_totals(user=user, filters=filters, today=today),
            today=today,
            fixed_type=self.fixed_type,
            list_title=LIST_TITLES[self.fixed_type],
            list_url=reverse(LIST_URLS[self.fixed_type]),
            can_open=user.has_perm("casework.open_case"),
            open_types=[self.fixed_type] if self.fixed_type else CaseType.values,
            type_labels=dict(CaseType.choices),
        )
        return ctx


class DeadlinesView(StaffMixin, TemplateView):
    """Open cases past their deadline, those due within three working days, and resolved cases
    waiting for the follow-up call."""

    permission_required = VIEW
    template_name = "casework/deadlines.html"
    LIMIT = 300

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        overdue = selectors.overdue_cases(user=user, today=today)
        due_soon = selectors.due_soon_cases(user=user, today=today)
        follow_up = selectors.awaiting_follow_up(user=user)
        ctx.update(
            today=today,
            due_soon_limit=selectors.due_soon_limit(today),
            overdue=[(c, selectors.deadline_status(c, today=today)) for c in overdue[: self.LIMIT]],
            overdue_count=overdue.count(),
            due_soon=[(c, selectors.deadline_status(c, today=today)) for c in due_soon[: self.LIMIT]],
            due_soon_count=due_soon.count(),
            follow_up=list(follow_up[: self.LIMIT]),
            follow_up_count=follow_up.count(),
        )
        return ctx


# Opening and correcting ---------------------------------------------------------------------


class CaseFormMixin:
    """The case form for a type; the view gives ``case_type()`` (from the URL when opening, the
    case's own when correcting)."""

    template_name = "casework/case_form.html"
    form_class = CaseForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs.update(
            case_type=self.case_type(),
            federations=federation_choices(user=user),
            persons=person_scope(user=user),
            enterprises=selectors.enterprise_choices(user=user),
        )
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        user = self.request.user
        value = form["person"].value()
        picked = selectors.person_choice(user=user, pk=int(value)) if str(value or "").isdigit() else None
        case_type = self.case_type()
        ctx.update(
            case_type=case_type,
            type_label=CaseType(case_type).label,
            deadline=deadline_days(case_type),
            picked_person=picked,
            breadcrumbs=[(_("诉求与维权"), reverse("casework:case_list"))],
        )
        return ctx


class CaseCreateView(CaseFormMixin, ServiceFormView):
    permission_required = "casework.open_case"
    success_message = gettext_lazy("已受理 %(object)s。")

    def case_type(self) -> str:
        value = self.request.GET.get("type", "")
        return value if value in TYPE_RULES else CaseType.RIGHTS

    def get_initial(self):
        initial = super().get_initial()
        user = self.request.user
        if user.federation_id:
            initial["federation"] = user.federation_id
        person_id = self.request.GET.get("person", "")
        if person_id.isdigit() and selectors.person_choice(user=user, pk=int(person_id)) is not None:
            initial["person"] = int(person_id)
        enterprise_id = self.request.GET.get("enterprise", "")
        if enterprise_id.isdigit():
            initial["enterprise"] = int(enterprise_id)
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("受理%(type)s") % {"type": ctx["type_label"]}
        ctx["type_tabs"] = [(value, label) for value, label in CaseType.choices]
        ctx["cancel_url"] = reverse("casework:case_list")
        return ctx

    def perform(self, form):
        return services.case_open(actor=self.request.user, data=form.service_data())


class CaseUpdateView(CaseFormMixin, ServiceUpdateView):
    permission_required = CHANGE
    success_message = gettext_lazy("已保存 %(object)s。")

    def case_type(self) -> str:
        return self.object.type

    def load_object(self, user, pk):
        return _case_or_404(user, pk)

    def perform(self, form):
        return services.case_update(actor=self.request.user, case=self.object, data=form.service_data())


class PersonSearchView(StaffMixin, TemplateView):
    """htmx, on the case form: persons matching a name, pinyin or initials (``person_q``), one
    picked (``pick``), or the empty picker again (``clear``)."""

    permission_required = "casework.open_case"
    template_name = "casework/_person_picker.html"

    def get_template_names(self):
        if self.request.GET.get("person_q") is not None:
            return ["casework/_person_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        pick = self.request.GET.get("pick", "")
        query = (self.request.GET.get("person_q") or "").strip()
        ctx["picked_person"] = selectors.person_choice(user=user, pk=int(pick)) if pick.isdigit() else None
        ctx["query"] = query
        ctx["people"] = list(person_list(user=user, filters=PersonFilters(query=query))[:10]) if query else []
        return ctx


# The case page ------------------------------------------------------------------------------


def case_context(user, case: Case, *, step_forms: dict | None = None, note_form=None, attachment_form=None, tab=""):
    """What the case page shows; a step with bad input passes its bound form back."""
    today = timezone.localdate()
    events = list(selectors.case_events(user=user, case=case))
    steps = services.allowed_steps(case, user)
    needs_people = any("assignee" in step.details for _to, step in steps)
    assignees = selectors.assignee_choices(user=user) if needs_people else None
    federations = selectors.handling_federation_choices(user=user) if needs_people else None
    bound = step_forms or {}
    forms = [
        (
            to,
            step,
            bound.get(to) or StepForm(to=to, step=step, assignees=assignees, federations=federations),
        )
        for to, step in steps
    ]
    notes = list(selectors.case_notes(user=user, case=case))
    return {
        "case": case,
        "today": today,
        "events": events,
        "spells": selectors.time_in_states(case, events, today=today),
        "deadline": selectors.deadline_status(case, today=today),
        "deadline_days": deadline_days(case.type),
        "step_forms": forms,
        "active_step": tab if tab in {to for to, _s, _f in forms} else (forms[0][0] if forms else ""),
        "notes": notes,
        "attachments": list(selectors.case_attachments(user=user, case=case)),
        "note_form": note_form or NoteForm(),
        "attachment_form": attachment_form or AttachmentForm(),
        "can_change": user.has_perm(CHANGE),
        "can_reveal": user.has_perm("casework.reveal_case"),
        "person_url": reverse("registry:person_detail", args=[case.person_id]) if case.person_id else "",
        "enterprise_url": _url_or_blank(case.enterprise),
        "open_states": OPEN_STATES,
    }


class CaseMixin:
    def load_objects(self, **kwargs):
        self.case = _case_or_404(self.request.user, kwargs["pk"])


class CaseDetailView(CaseMixin, StaffMixin, TemplateView):
    permission_required = VIEW
    template_name = "casework/case_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(case_context(self.request.user, self.case))
        return ctx


class CaseTransitionView(CaseMixin, StaffMixin, View):
    """One step of the workflow from the case page. Bad details re-render the page with the
    step's form and its messages; a step the case cannot take is refused with a message and
    changes nothing."""

    permission_required = CHANGE
    http_method_names = ["post"]

    def post(self, request, pk: int):
        user, case = request.user, self.case
        to = request.POST.get("to", "")
        step = services.TRANSITIONS.get((case.state, to))
        if step is None or not user.has_perm(step.perm):
            try:
                services.case_transition(actor=user, case=case, to=to)
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
            return redirect(case)
        needs_people = "assignee" in step.details
        form = StepForm(
            request.POST,
            to=to,
            step=step,
            assignees=selectors.assignee_choices(user=user) if needs_people else None,
            federations=selectors.handling_federation_choices(user=user) if needs_people else None,
        )
        if form.is_valid():
            try:
                case = services.case_transition(actor=user, case=case, to=to, **form.details())
                messages.success(
                    request,
                    _("%(number)s：%(step)s完成，当前状态“%(state)s”。")
                    % {"number": case.number, "step": step.label, "state": case.get_state_display()},
                )
                return redirect(case)
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    messages.error(request, "；".join(error.messages))
                    return redirect(case)
                apply_validation_error(form, error)
        context = case_context(user, case, step_forms={to: form}, tab=to)
        return render(request, CaseDetailView.template_name, context)


class CaseNoteView(CaseMixin, StaffMixin, View):
    permission_required = CHANGE
    http_method_names = ["post"]

    def post(self, request, pk: int):
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                services.note_add(actor=request.user, case=self.case, **form.cleaned_data)
                messages.success(request, _("备注已保存。"))
                return redirect(f"{self.case.get_absolute_url()}#notes")
            except ValidationError as error:
                apply_validation_error(form, error)
        return render(request, CaseDetailView.template_name, case_context(request.user, self.case, note_form=form))


class CaseAttachmentView(CaseMixin, StaffMixin, View):
    permission_required = CHANGE
    http_method_names = ["post"]

    def post(self, request, pk: int):
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.attachment_add(actor=request.user, case=self.case, **form.cleaned_data)
                messages.success(request, _("附件已上传。"))
                return redirect(f"{self.case.get_absolute_url()}#attachments")
            except ValidationError as error:
                apply_validation_error(form, error)
        return render(
            request, CaseDetailView.template_name, case_context(request.user, self.case, attachment_form=form)
        )


class AttachmentFileView(StaffMixin, View):
    permission_required = VIEW

    def get(self, request, pk: int):
        try:
            attachment = selectors.attachment_get(user=request.user, pk=pk)
        except CaseAttachment.DoesNotExist:
            raise Http404 from None
        return serve_upload(attachment.file, as_attachment=True, cache_control="private, no-store")


class CaseRevealView(CaseMixin, StaffMixin, RecentAuthRequiredMixin, View):
    """The requester's phone in full, in place (htmx); the service writes the audit entry."""

    permission_required = "casework.reveal_case"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        value = services.case_reveal_phone(actor=request.user, case=self.case)
        return render(request, "casework/_revealed.html", {"field": "requester_phone", "value": value})


# Statistics ---------------------------------------------------------------------------------


class StatsView(StaffMixin, TemplateView):
    """Figures only (leaders see this page and no case): cases by type and state, by year with
    the average working days to resolve, overdue now, categories, outcomes and satisfaction."""

    permission_required = "casework.view_stats"
    template_name = "casework/stats.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        by_state = selectors.case_counts_by_state(user=user)
        states = [s for s in State.values if any(key[1] == s for key in by_state)]
        type_rows = []
        for value, label in CaseType.choices:
            cells = [by_state.get((value, s), 0) for s in states]
            if sum(cells):
                type_rows.append({"type": value, "label": label, "cells": cells, "total": sum(cells)})
        years: dict[int, dict] = {}
        for row in selectors.case_counts_by_year(user=user, today=today):
            years.setdefault(row.year, {})[row.type] = row
        year_rows = []
        for year in sorted(years):
            by_type = years[year]
            received = sum(r.received for r in by_type.values())
            resolved = sum(r.resolved for r in by_type.values())
            weighted = [(r.average_days_to_close, r.resolved) for r in by_type.values() if r.average_days_to_close]
            average = round(sum(a * n for a, n in weighted) / sum(n for _a, n in weighted), 1) if weighted else None
            year_rows.append(
                {
                    "year": year,
                    "cells": [by_type.get(t) for t in CaseType.values],
                    "received": received,
                    "resolved": resolved,
                    "average": average,
                    "overdue": sum(r.overdue_now for r in by_type.values()),
                }
            )
        ctx.update(
            today=today,
            totals=selectors.case_totals(user=user, today=today),
            states=[(s, State(s).label) for s in states],
            type_rows=type_rows,
            state_totals=[sum(r["cells"][i] for r in type_rows) for i in range(len(states))],
            type_labels=CaseType.choices,
            year_rows=year_rows,
            categories=self._labelled(
                selectors.case_counts_by(user=user, field_name="category", types=(CaseType.RIGHTS,)),
                RightsCategory.choices,
            ),
            outcomes=self._labelled(selectors.case_counts_by(user=user, field_name="outcome"), Outcome.choices),
            satisfaction=self._labelled(
                selectors.case_counts_by(user=user, field_name="satisfaction"), Satisfaction.choices
            ),
            can_open_cases=user.has_perm(VIEW),
        )
        return ctx

    @staticmethod
    def _labelled(counts: dict[str, int], choices) -> list[tuple[str, str, int, int]]:
        """(code, label, count, percent) in code-list order, without empty rows."""
        total = sum(counts.values()) or 1
        return [(v, label, counts[v], round(100 * counts[v] / total)) for v, label in choices if counts.get(v)]


# The person page ----------------------------------------------------------------------------


class PersonCasesView(StaffMixin, TemplateView):
    """The person page's tab: the person's cases (htmx fragment)."""

    permission_required = (VIEW, "registry.view_person")
    template_name = "casework/_person_cases.html"

    def load_objects(self, **kwargs):
        from qiaolian.registry.models import Person

        try:
            self.person = person_get(user=self.request.user, pk=kwargs["person_pk"])
        except Person.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            person=self.person,
            cases=list(selectors.person_cases(user=user, person_id=self.person.pk)[:200]),
            today=timezone.localdate(),
            can_open=user.has_perm("casework.open_case"),
        )
        return ctx
