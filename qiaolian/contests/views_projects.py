"""Staff pages of the entrepreneurship competition's projects: list with the summary table and
export, the project with its team, the form. The organizer's spreadsheet is imported on the shared
import pages (``/registry/imports/?kind=projects``: ``contests.importing``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from qiaolian.accounts.reauth import RecentAuthRequiredMixin
from qiaolian.contests import (
    rules_projects,  # noqa: F401  (until contests/rules.py imports it)
    selectors_projects,
    services_projects,
)
from qiaolian.contests.forms_projects import (
    PROJECT_FIELDSETS,
    MemberFormSet,
    ProjectFilterForm,
    ProjectForm,
    member_initial,
)
from qiaolian.contests.models import CompetitionProject
from qiaolian.core.paging import keyset_page
from qiaolian.core.views import StaffMixin, apply_validation_error
from qiaolian.orgs.selectors import federation_choices

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORDER = ("-year", "name", "id")


def _project_or_404(user, pk: int) -> CompetitionProject:
    try:
        return selectors_projects.project_get(user=user, pk=pk)
    except CompetitionProject.DoesNotExist:
        raise Http404 from None


def _filter_form(request) -> ProjectFilterForm:
    user = request.user
    return ProjectFilterForm(
        request.GET or None,
        federations=federation_choices(user=user),
        years=selectors_projects.project_years(user=user),
    )


class ProjectListView(StaffMixin, TemplateView):
    permission_required = "contests.view_project"
    template_name = "contests/projects/project_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = _filter_form(self.request)
        filters = form.filters()
        projects = selectors_projects.project_list(user=user, filters=filters)
        ctx["form"] = form
        ctx["page"] = keyset_page(projects, order=ORDER, cursor=self.request.GET.get("cursor", ""))
        ctx["summary_headers"], ctx["summary_rows"] = selectors_projects.project_summary(user=user, filters=filters)
        query = self.request.GET.copy()
        query.pop("cursor", None)
        ctx["query"] = query.urlencode()
        ctx["can_change"] = user.has_perm("contests.change_project")
        ctx["can_import"] = user.has_perm("contests.import_project")
        ctx["import_url"] = reverse("registry:import_list") + "?kind=projects"
        return ctx


class ProjectExportView(StaffMixin, RecentAuthRequiredMixin, View):
    permission_required = "contests.view_project"

    def get(self, request):
        form = _filter_form(request)
        filters = form.filters()
        projects = (
            selectors_projects.project_list(user=request.user, filters=filters)
            .prefetch_related("members")
            .order_by(*ORDER)
        )
        content = services_projects.projects_export_xlsx(
            actor=request.user, projects=projects, filters=filters.as_audit()
        )
        response = HttpResponse(content, content_type=XLSX)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = content_disposition_header(
            True, _("创业大赛项目-%(stamp)s.xlsx") % {"stamp": stamp}
        )
        return response


class ProjectDetailView(StaffMixin, TemplateView):
    permission_required = "contests.view_project"
    template_name = "contests/projects/project_detail.html"

    def load_objects(self, **kwargs):
        self.project = _project_or_404(self.request.user, kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["project"] = self.project
        ctx["members"] = list(selectors_projects.project_members(user=user, project=self.project))
        ctx["can_change"] = user.has_perm("contests.change_project")
        return ctx


class ProjectFormView(StaffMixin, TemplateView):
    """New project or edit, with its team as a formset; one service call saves both."""

    permission_required = "contests.change_project"
    template_name = "contests/projects/project_form.html"
    project: CompetitionProject | None = None

    def forms(self, data=None):
        user = self.request.user
        initial = {}
        if self.project is None and user.federation_id:
            initial = {"federation": user.federation_id, "year": timezone.localdate().year}
        form = ProjectForm(data, instance=self.project, federations=federation_choices(user=user), initial=initial)
        members = member_initial(self.project) if self.project else None
        formset = MemberFormSet(data, prefix="members", initial=members)
        return form, formset

    def get(self, request, *args, **kwargs):
        form, formset = self.forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                project = self.perform(form, formset)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("已保存 %(object)s。") % {"object": project})
                return redirect(project)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        ctx["fieldsets"] = [(title, [form[name] for name in names]) for title, names in PROJECT_FIELDSETS]
        ctx["project"] = self.project
        if self.project:
            ctx["page_title"] = _("修改：%(object)s") % {"object": self.project}
            ctx["cancel_url"] = self.project.get_absolute_url()
        else:
            ctx["page_title"] = _("录入创业大赛项目")
            ctx["cancel_url"] = reverse("contests:project_list")
        return ctx


class ProjectCreateView(ProjectFormView):
    def perform(self, form, formset) -> CompetitionProject:
        return services_projects.project_create(
            actor=self.request.user, data=form.project_data(), members=formset.members()
        )


class ProjectUpdateView(ProjectFormView):
    def load_objects(self, **kwargs):
        self.project = _project_or_404(self.request.user, kwargs["pk"])

    def perform(self, form, formset) -> CompetitionProject:
        return services_projects.project_update(
            actor=self.request.user, project=self.project, data=form.project_data(), members=formset.members()
        )
