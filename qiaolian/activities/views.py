"""Pages of activities, campaigns, participation and check-in."""

from __future__ import annotations

import calendar
import datetime as dt
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.activities import selectors, services
from qiaolian.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    AttachmentForm,
    BrandForm,
    CampaignForm,
    CheckInForm,
    PersonPickForm,
    PhotoForm,
    RegistrationForm,
    ReportForm,
    SessionForm,
    month_of,
)
from qiaolian.activities.models import Activity, ActivityKind, Attachment, Brand, Campaign, Photo, Registration, Status
from qiaolian.core import charts
from qiaolian.core.downloads import IMAGE_TYPES, serve_upload
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.paging import keyset_page
from qiaolian.core.projects import Project
from qiaolian.core.views import ServiceFormView, ServiceUpdateView, StaffMixin, apply_validation_error
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry.selectors import PersonFilters, person_get, person_list


def _get_or_404(getter, model, user, pk: int):
    try:
        return getter(user=user, pk=pk)
    except model.DoesNotExist:
        raise Http404 from None


def _filters_from(form: ActivityFilterForm) -> selectors.ActivityFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.ActivityFilters(
        query=(data.get("q") or "").strip(),
        project=data.get("project") or "",
        kind=data.get("kind") or "",
        campaign_id=getattr(data.get("campaign"), "pk", None),
        brand_id=getattr(data.get("brand"), "pk", None),
        federation_id=getattr(data.get("federation"), "pk", None),
        federation_own_only=bool(data.get("own")),
        station_id=data.get("station"),
        partner_id=data.get("partner"),
        mode=data.get("mode") or "",
        status=data.get("status") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )


def _filter_form(request) -> ActivityFilterForm:
    user = request.user
    return ActivityFilterForm(
        request.GET or None,
        federations=federation_choices(user=user),
        campaigns=selectors.campaign_scope(user=user),
        brands=selectors.brand_choices(),
    )


# Activities ---------------------------------------------------------------------------------


class ActivityListView(StaffMixin, TemplateView):
    permission_required = "activities.view_activity"
    template_name = "activities/activity_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = _filter_form(self.request)
        filters = _filters_from(form)
        activities = selectors.activity_list(user=user, filters=filters)
        ctx["form"] = form
        ctx["page"] = keyset_page(
            selectors.with_counts(activities),
            order=("-starts_at", "-id"),
            cursor=self.request.GET.get("cursor", ""),
        )
        ctx["totals"] = selectors.activity_totals(user=user, filters=filters)
        ctx["query"] = self.request.GET.urlencode()
        ctx["can_change"] = user.has_perm("activities.change_activity")
        return ctx


def activity_context(user, activity: Activity, **forms) -> dict:
    """What the activity page shows; a step with bad input passes its bound form back."""
    registrations = list(selectors.activity_registrations(user=user, activity=activity))
    sessions = list(selectors.activity_sessions(user=user, activity=activity))
    present = selectors.activity_attendance(user=user, activity=activity) if sessions else set()
    grid = [
        {"registration": r, "cells": [{"session": s, "present": (s.pk, r.pk) in present} for s in sessions]}
        for r in registrations
    ]
    per_session = [sum(1 for r in registrations if (s.pk, r.pk) in present) for s in sessions]
    checked_in = sum(1 for r in registrations if r.checked_in_at)
    photos = list(selectors.activity_photos(user=user, activity=activity))
    attachments = list(selectors.activity_attachments(user=user, activity=activity))
    can_change = user.has_perm("activities.change_activity")
    return {
        "activity": activity,
        "registrations": registrations,
        "checked_in": checked_in,
        "sessions": list(zip(sessions, per_session, strict=True)),
        "grid": grid,
        "photos": photos,
        "attachments": attachments,
        "media_count": len(photos) + len(attachments),
        "co_federations": list(activity.co_federations.all()),
        "partners": list(activity.partners.all()),
        "stations": list(activity.stations.all()),
        "transitions": [(to, Status(to).label) for to in services.TRANSITIONS.get(activity.status, ())],
        "open_for_people": activity.status in services.OPEN_FOR_PEOPLE,
        "can_change": can_change,
        "can_register": user.has_perm("activities.register"),
        "can_check_in": user.has_perm("activities.check_in"),
        "is_training": activity.kind == ActivityKind.TRAINING or bool(sessions),
        "registration_form": forms.get("registration_form") or RegistrationForm(),
        "session_form": forms.get("session_form")
        or SessionForm(initial={"starts_at": timezone.localtime(activity.starts_at).strftime("%Y-%m-%dT%H:%M")}),
        "report_form": forms.get("report_form")
        or ReportForm(
            initial={
                "summary": activity.summary,
                "audience": activity.audience,
                "online_views": activity.online_views,
                "is_published": activity.is_published,
            }
        ),
        "photo_form": forms.get("photo_form") or PhotoForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "tab": forms.get("tab", ""),
    }


class ActivityMixin:
    def load_objects(self, **kwargs):
        self.activity = _get_or_404(selectors.activity_get, Activity, self.request.user, kwargs["pk"])


class ActivityDetailView(ActivityMixin, StaffMixin, TemplateView):
    permission_required = "activities.view_activity"
    template_name = "activities/activity_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(activity_context(self.request.user, self.activity, tab=self.request.GET.get("tab", "")))
        return ctx


class ActivityFormMixin:
    permission_required = "activities.change_activity"
    form_class = ActivityForm
    fieldsets = [
        (gettext_lazy("基本信息"), ["federation", "title", "kind", "project", "campaign", "brand"]),
        (gettext_lazy("时间与地点"), ["mode", "place", "online_platform", "starts_at", "ends_at", "capacity"]),
        (gettext_lazy("协办与承办"), ["co_federations", "stations", "partners", "other_organizers"]),
        (gettext_lazy("其他"), ["budget", "is_published"]),
    ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs.update(
            federations=federation_choices(user=user),
            campaigns=selectors.campaign_scope(user=user),
            brands=selectors.brand_choices(),
            co_federations=selectors.co_federation_choices(),
            partners=selectors.partner_choices(),
            stations=selectors.station_choices(user=user),
        )
        if user.federation_id and "instance" not in kwargs:
            kwargs.setdefault("initial", {})["federation"] = user.federation_id
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("活动"), reverse("activities:activity_list"))]
        return ctx


class ActivityCreateView(ActivityFormMixin, ServiceFormView):
    page_title = gettext_lazy("新建活动")
    success_message = gettext_lazy("已新建活动“%(object)s”。")

    def get_initial(self):
        initial = super().get_initial()
        for name in ("campaign", "kind", "project"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        campaign_id = self.request.GET.get("campaign", "")
        if campaign_id.isdigit():
            campaign = selectors.campaign_scope(user=self.request.user).filter(pk=int(campaign_id)).first()
            if campaign is not None:
                initial.update(project=campaign.project, brand=campaign.brand_id)
        return initial

    def perform(self, form):
        return services.activity_create(actor=self.request.user, data=form.service_data())


class ActivityUpdateView(ActivityFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存活动“%(object)s”。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.activity_get, Activity, user, pk)

    def perform(self, form):
        return services.activity_update(actor=self.request.user, activity=self.object, data=form.service_data())


class ActivityTransitionView(ActivityMixin, StaffMixin, View):
    permission_required = "activities.change_activity"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        to = request.POST.get("to", "")
        try:
            services.activity_transition(actor=request.user, activity=self.activity, to=to)
            messages.success(request, _("活动状态已改为“%(state)s”。") % {"state": Status(to).label})
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(self.activity)


class ActivityStepView(ActivityMixin, StaffMixin, View):
    """From the activity page: the summary, a named participant, a session, attendance, a photo
    or an attachment. Bad input re-renders the page with the form and its messages."""

    permission_required = "activities.change_activity"
    http_method_names = ["post"]
    STEPS = {
        "report": (ReportForm, "report_form", "summary"),
        "register": (RegistrationForm, "registration_form", "people"),
        "session": (SessionForm, "session_form", "sessions"),
        "photo": (PhotoForm, "photo_form", "media"),
        "attachment": (AttachmentForm, "attachment_form", "media"),
    }

    def has_permission(self):
        step = self.kwargs.get("step")
        perm = "activities.register" if step in ("register", "pick") else self.permission_required
        return self.request.user.has_perm(perm)

    def post(self, request, pk: int, step: str):
        user, activity = request.user, self.activity
        if step == "attendance":
            return self.attendance(request)
        if step == "pick":
            return self.pick(request)
        if step not in self.STEPS:
            raise Http404
        form_class, form_name, tab = self.STEPS[step]
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if step == "report":
                    services.activity_report(actor=user, activity=activity, data=data)
                    messages.success(request, _("活动总结已保存。"))
                elif step == "register":
                    registration = services.registration_add(actor=user, activity=activity, **data)
                    messages.success(request, _("已登记 %(name)s。") % {"name": registration.name})
                elif step == "session":
                    services.session_add(actor=user, activity=activity, **data)
                    messages.success(request, _("已添加场次。"))
                elif step == "photo":
                    services.photo_add(actor=user, activity=activity, **data)
                    messages.success(request, _("照片已上传。"))
                else:
                    services.attachment_add(actor=user, activity=activity, **data)
                    messages.success(request, _("附件已上传。"))
                return redirect(f"{activity.get_absolute_url()}?tab={tab}")
            except ValidationError as error:
                apply_validation_error(form, error)
        context = activity_context(user, activity, **{form_name: form, "tab": tab})
        return render(request, ActivityDetailView.template_name, context, status=200)

    def pick(self, request):
        """A person picked in the registry search (the result list posts here)."""
        form = PersonPickForm(request.POST, user=request.user)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            data = form.cleaned_data
            registration = services.registration_add(
                actor=request.user, activity=self.activity, person=data["person"], role=data["role"]
            )
            messages.success(request, _("已登记 %(name)s。") % {"name": registration.name})
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(f"{self.activity.get_absolute_url()}?tab=people")

    def attendance(self, request):
        present = set()
        for key in request.POST.getlist("present"):
            session_id, _sep, registration_id = key.partition("-")
            if session_id.isdigit() and registration_id.isdigit():
                present.add((int(session_id), int(registration_id)))
        try:
            result = services.attendance_record(actor=request.user, activity=self.activity, present=present)
            messages.success(request, _("出勤已保存：新增 %(added)s 条，取消 %(removed)s 条。") % result)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(f"{self.activity.get_absolute_url()}?tab=sessions")


# Participation ------------------------------------------------------------------------------


class PersonSearchView(ActivityMixin, StaffMixin, TemplateView):
    """htmx: persons from the registry matching a name, pinyin or initials, to register."""

    permission_required = "activities.register"
    template_name = "activities/_person_results.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        query = (self.request.GET.get("q") or "").strip()
        people = []
        if query:
            people = list(person_list(user=user, filters=PersonFilters(query=query))[:15])
        taken = set(
            selectors.activity_registrations(user=user, activity=self.activity)
            .filter(person__isnull=False)
            .values_list("person_id", flat=True)
        )
        ctx.update(activity=self.activity, query=query, people=people, taken=taken, pick_form=PersonPickForm(user=user))
        return ctx


class RegistrationRemoveView(StaffMixin, View):
    permission_required = "activities.register"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        registration = _get_or_404(selectors.registration_get, Registration, request.user, pk)
        activity = registration.activity
        try:
            services.registration_remove(actor=request.user, registration=registration)
            messages.success(request, _("已取消 %(name)s 的登记。") % {"name": registration.name})
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(f"{activity.get_absolute_url()}?tab=people")


def qr_svg(data: str, scale: int = 6) -> str:
    return segno.make(data, error="m").svg_inline(scale=scale, border=2)


class RegistrationTicketView(StaffMixin, TemplateView):
    """A participant's check-in pass with the QR code (printable, or shown on a phone)."""

    permission_required = "activities.register"
    template_name = "activities/ticket.html"

    def load_objects(self, **kwargs):
        self.registration = _get_or_404(selectors.registration_get, Registration, self.request.user, kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        url = self.request.build_absolute_uri(reverse("activities:checkin_code", args=[self.registration.code]))
        ctx.update(registration=self.registration, activity=self.registration.activity, qr=mark_safe(qr_svg(url)))
        return ctx


def checkin_context(user, activity: Activity, form: CheckInForm | None = None, last: Registration | None = None):
    registrations = selectors.activity_registrations(user=user, activity=activity)
    recent = registrations.filter(checked_in_at__isnull=False).order_by("-checked_in_at", "-id")[:8]
    return {
        "activity": activity,
        "form": form or CheckInForm(),
        "last": last,
        "recent": list(recent),
        "registered": registrations.count(),
        "checked_in": registrations.filter(checked_in_at__isnull=False).count(),
        "open_for_people": activity.status in services.OPEN_FOR_PEOPLE,
    }


class CheckInDeskView(ActivityMixin, StaffMixin, View):
    """The check-in desk on a phone or laptop: scan the QR code or type the code."""

    permission_required = "activities.check_in"
    template_name = "activities/checkin.html"

    def get(self, request, pk: int):
        return render(request, self.template_name, checkin_context(request.user, self.activity))

    def post(self, request, pk: int):
        form = CheckInForm(request.POST)
        last = None
        if form.is_valid():
            try:
                last = services.check_in(actor=request.user, activity=self.activity, code=form.cleaned_data["code"])
                form = CheckInForm()
            except ValidationError as error:
                apply_validation_error(form, error)
        status = 200 if last or not form.errors else 422
        return render(
            request, self.template_name, checkin_context(request.user, self.activity, form, last), status=status
        )


class CheckInCodeView(StaffMixin, View):
    """Where a scanned QR code leads: the staff member confirms the check-in with one tap."""

    permission_required = "activities.check_in"
    template_name = "activities/checkin_confirm.html"

    def load_objects(self, **kwargs):
        self.registration = selectors.registration_by_code(user=self.request.user, code=kwargs["code"])
        if self.registration is None:
            raise Http404

    def get(self, request, code: str):
        return render(request, self.template_name, {"registration": self.registration})

    def post(self, request, code: str):
        registration = self.registration
        try:
            services.check_in(actor=request.user, activity=registration.activity, code=registration.code)
            messages.success(request, _("%(name)s 签到成功。") % {"name": registration.name})
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("activities:checkin", pk=registration.activity_id)


# Photos and attachments ---------------------------------------------------------------------


class PhotoFileView(StaffMixin, View):
    permission_required = "activities.view_activity"

    def get(self, request, pk: int):
        photo = _get_or_404(selectors.photo_get, Photo, request.user, pk)
        return serve_upload(photo.image, inline_types=IMAGE_TYPES)


class PhotoRemoveView(StaffMixin, View):
    permission_required = "activities.change_activity"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        photo = _get_or_404(selectors.photo_get, Photo, request.user, pk)
        activity = photo.activity
        services.photo_remove(actor=request.user, photo=photo)
        messages.success(request, _("照片已删除。"))
        return redirect(f"{activity.get_absolute_url()}?tab=media")


class AttachmentFileView(StaffMixin, View):
    permission_required = "activities.view_activity"

    def get(self, request, pk: int):
        attachment = _get_or_404(selectors.attachment_get, Attachment, request.user, pk)
        return serve_upload(attachment.file, as_attachment=True)


# Calendar -----------------------------------------------------------------------------------


class CalendarView(StaffMixin, TemplateView):
    permission_required = "activities.view_activity"
    template_name = "activities/calendar.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        year, month = month_of(self.request.GET.get("month"), today)
        form = _filter_form(self.request)
        activities = selectors.activity_month(user=user, year=year, month=month, filters=_filters_from(form))
        by_day: dict[dt.date, list[Activity]] = {}
        for activity in activities:
            by_day.setdefault(timezone.localtime(activity.starts_at).date(), []).append(activity)
        weeks = [
            [{"day": day, "in_month": day.month == month, "activities": by_day.get(day, [])} for day in week]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        previous = dt.date(year, month, 1) - dt.timedelta(days=1)
        following = dt.date(year, month, 28) + dt.timedelta(days=7)
        params = self.request.GET.copy()
        params.pop("month", None)
        ctx.update(
            form=form,
            weeks=weeks,
            month=dt.date(year, month, 1),
            today=today,
            previous=f"{previous:%Y-%m}",
            following=f"{following:%Y-%m}",
            this_month=f"{today:%Y-%m}",
            count=len(activities),
            params=params.urlencode(),
            weekdays=[_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")],
        )
        return ctx


# Statistics ---------------------------------------------------------------------------------


class StatsView(StaffMixin, TemplateView):
    """Activities, distinct participants and reach by year and by project, kind or federation.

    Above the table, two charts of the same figures: activities per year stacked by the chosen
    grouping (each segment opens the activity list filtered by that year and group) and
    participants and reach per year.
    """

    permission_required = "activities.view_activity"
    template_name = "activities/stats.html"
    GROUPS = {
        "project": gettext_lazy("所属工程"),
        "kind": gettext_lazy("活动类型"),
        "federation": gettext_lazy("主办侨联"),
    }
    CHARTS = {"activities-by-year": "activities_chart", "people-by-year": "people_chart"}

    def get(self, request, *args, **kwargs):
        chart = request.GET.get("export", "")
        if chart not in self.CHARTS:
            return super().get(request, *args, **kwargs)
        ctx = self.get_context_data(**kwargs)
        return charts.xlsx_response(ctx[self.CHARTS[chart]], f"{chart}-{ctx['by']}.xlsx")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        by = self.request.GET.get("by", "project")
        by = by if by in self.GROUPS else "project"
        years = sorted(selectors.activity_years(user=user))
        labels = self._labels(by, user)
        table: dict[object, dict[int, selectors.Tally]] = {}
        for year in years:
            for tally in selectors.activity_tally(user=user, by=by, filters=selectors.ActivityFilters(year=year)):
                table.setdefault(tally.key, {})[year] = tally
        rows = [
            {
                "key": key,
                "label": labels.get(key, key),
                "cells": [by_year.get(year) for year in years],
            }
            for key, by_year in sorted(table.items(), key=lambda item: str(labels.get(item[0], item[0])))
        ]
        totals = {t.key: t for t in selectors.activity_tally(user=user, by=by)}
        for row in rows:
            row["total"] = totals.get(row["key"])
        year_totals = {t.key: t for t in selectors.activity_tally(user=user, by="year")}
        year_cells = [year_totals.get(year) for year in years]
        ctx.update(
            by=by,
            groups=self.GROUPS,
            group_label=self.GROUPS[by],
            years=years,
            rows=rows,
            year_totals=year_cells,
            grand=selectors.activity_totals(user=user),
            activities_chart=self._activities_chart(user, by, years, rows),
            people_chart=self._people_chart(years, year_cells),
            activities_export="?" + urlencode({"by": by, "export": "activities-by-year"}),
            people_export="?" + urlencode({"by": by, "export": "people-by-year"}),
        )
        return ctx

    @staticmethod
    def _labels(by: str, user) -> dict:
        if by == "project":
            return dict(Project.choices)
        if by == "kind":
            return dict(ActivityKind.choices)
        return {f.pk: f.short_name or f.name for f in federation_choices(user=user)}

    def _activities_chart(self, user, by: str, years: list[int], rows: list[dict]) -> dict:
        base = reverse("activities:activity_list")
        # the statistics count each federation's own activities: its segment lists just those
        own = {"own": "on"} if by == "federation" else {}

        def url(year: int, key) -> str:
            query = urlencode({by: key, **own, "date_from": f"{year}-01-01", "date_to": f"{year}-12-31"})
            return f"{base}?{query}"

        series = [
            charts.Series(
                name=str(row["label"]),
                values=[cell.activities if cell else 0 for cell in row["cells"]],
                urls=[url(year, row["key"]) if cell else None for year, cell in zip(years, row["cells"], strict=True)],
            )
            for row in rows
        ]
        return charts.stacked_bar(
            title=_("各年活动项数（按%(group)s）") % {"group": self.GROUPS[by]},
            unit=_("项"),
            categories=[str(year) for year in years],
            series=series,
            category_label=_("年份"),
        )

    @staticmethod
    def _people_chart(years: list[int], cells: list) -> dict:
        return charts.bar(
            title=_("各年参与人数与覆盖人次"),
            categories=[str(year) for year in years],
            series=[
                charts.Series(name=_("登记参与人数"), values=[c.participants if c else 0 for c in cells], unit=_("人")),
                charts.Series(
                    name=_("现场及线上覆盖人次"),
                    values=[c.reach if c else 0 for c in cells],
                    unit=_("人次"),
                    kind="line",
                    axis=1,
                ),
            ],
            axis_names=[_("人"), _("人次")],
            category_label=_("年份"),
        )


# Person page --------------------------------------------------------------------------------


class PersonParticipationView(StaffMixin, TemplateView):
    """The person page's tab: every activity the person took part in (htmx fragment)."""

    permission_required = ("activities.view_activity", "registry.view_person")
    template_name = "activities/_person_participation.html"

    def load_objects(self, **kwargs):
        from qiaolian.registry.models import Person

        self.person = _get_or_404(person_get, Person, self.request.user, kwargs["person_pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = list(selectors.person_participation(user=self.request.user, person_id=self.person.pk)[:500])
        scope = scope_for(self.request.user)
        ctx.update(
            person=self.person,
            rows=[(r, scope.allows(r.activity.federation_id)) for r in rows],
            attended=sum(1 for r in rows if r.checked_in_at),
        )
        return ctx


# Campaigns and brands -----------------------------------------------------------------------


class CampaignListView(StaffMixin, TemplateView):
    permission_required = "activities.view_campaign"
    template_name = "activities/campaign_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.request.GET.get("year", "")
        project = self.request.GET.get("project", "")
        campaigns = selectors.campaign_list(
            user=user, year=int(year) if year.isdigit() else None, project=project if project in Project.values else ""
        )
        tallies = {t.key: t for t in selectors.activity_tally(user=user, by="campaign") if t.key is not None}
        ctx["rows"] = [(c, tallies.get(c.pk)) for c in campaigns[:300]]
        ctx["years"] = selectors.activity_years(user=user)
        ctx["year"], ctx["project"] = year, project
        ctx["projects"] = Project.choices
        ctx["can_change"] = user.has_perm("activities.change_campaign")
        ctx["can_manage_brands"] = user.has_perm("activities.manage_brands")
        return ctx


class CampaignDetailView(StaffMixin, TemplateView):
    permission_required = "activities.view_campaign"
    template_name = "activities/campaign_detail.html"

    def load_objects(self, **kwargs):
        self.campaign = _get_or_404(selectors.campaign_get, Campaign, self.request.user, kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, campaign = self.request.user, self.campaign
        filters = selectors.ActivityFilters(campaign_id=campaign.pk)
        ctx.update(
            campaign=campaign,
            activities=list(selectors.activity_list(user=user, filters=filters).order_by("starts_at", "id")[:500]),
            totals=selectors.activity_totals(user=user, filters=filters),
            by_federation=self._by_federation(user, filters),
            can_change=selectors.campaign_can_change(user=user, campaign=campaign),
            can_add=user.has_perm("activities.change_activity"),
        )
        return ctx

    @staticmethod
    def _by_federation(user, filters):
        names = {f.pk: f.short_name or f.name for f in federation_choices(user=user)}
        rows = [
            (names.get(t.key, t.key), t) for t in selectors.activity_tally(user=user, by="federation", filters=filters)
        ]
        return sorted(rows, key=lambda row: (-row[1].activities, str(row[0])))


class CampaignFormMixin:
    permission_required = "activities.change_campaign"
    form_class = CampaignForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs.update(federations=federation_choices(user=user), brands=selectors.brand_choices())
        if user.federation_id and "instance" not in kwargs:
            kwargs.setdefault("initial", {})["federation"] = user.federation_id
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("专项活动"), reverse("activities:campaign_list"))]
        return ctx


class CampaignCreateView(CampaignFormMixin, ServiceFormView):
    page_title = gettext_lazy("新建专项活动")
    success_message = gettext_lazy("已新建“%(object)s”。")

    def perform(self, form):
        return services.campaign_create(actor=self.request.user, data=form.service_data())


class CampaignUpdateView(CampaignFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存“%(object)s”。")

    def load_object(self, user, pk):
        campaign = _get_or_404(selectors.campaign_get, Campaign, user, pk)
        if not selectors.campaign_can_change(user=user, campaign=campaign):
            raise Http404
        return campaign

    def perform(self, form):
        return services.campaign_update(actor=self.request.user, campaign=self.object, data=form.service_data())


class BrandListView(StaffMixin, TemplateView):
    permission_required = "activities.view_campaign"
    template_name = "activities/brand_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["brands"] = selectors.brand_list()
        ctx["can_manage"] = self.request.user.has_perm("activities.manage_brands")
        return ctx


class BrandFormMixin:
    permission_required = "activities.manage_brands"
    form_class = BrandForm
    cancel_url = reverse_lazy("activities:brand_list")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("品牌/系列"), reverse("activities:brand_list"))]
        return ctx


class BrandCreateView(BrandFormMixin, ServiceFormView):
    page_title = gettext_lazy("新建品牌/系列")
    success_message = gettext_lazy("已新建“%(object)s”。")

    def perform(self, form):
        return services.brand_save(actor=self.request.user, data=form.service_data())


class BrandUpdateView(BrandFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存“%(object)s”。")

    def load_object(self, user, pk):
        try:
            return selectors.brand_get(pk=pk)
        except Brand.DoesNotExist:
            raise Http404 from None

    def perform(self, form):
        return services.brand_save(actor=self.request.user, brand=self.object, data=form.service_data())
