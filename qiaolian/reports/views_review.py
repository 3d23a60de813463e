"""The review page (五年工作回顾): period and federation pickers, an HTML preview whose markers
link to each figure's "why this number" page, background jobs for .docx/.pdf with progress and
download, and the JSON directly. Thin views: ``review.build_review`` writes the document,
``services_review`` makes and opens the files (downloads are audited as exports)."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from qiaolian.core.views import StaffMixin
from qiaolian.reports import services_review
from qiaolian.reports.forms import PeriodForm
from qiaolian.reports.review import build_review, paragraph_html, review_json
from qiaolian.reports.selectors import federation_for, period_presets

PERMISSION = "reports.view_indicators"


def _term() -> tuple[dt.date, dt.date]:
    preset = {p.key: p for p in period_presets()}["term"]
    return preset.start, preset.end


def _period(request, form: PeriodForm) -> tuple[dt.date, dt.date]:
    """The form's period; without one the five-year review's term (2017年12月—2022年12月)."""
    if not any(k in request.GET for k in ("from", "to", "date_from", "date_to", "preset")):
        return _term()
    return form.period()


def _dates(data) -> tuple[dt.date, dt.date]:
    start, end = _term()
    try:
        start = dt.date.fromisoformat(data.get("from") or start.isoformat())
        end = dt.date.fromisoformat(data.get("to") or end.isoformat())
    except ValueError:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD。"), code="date") from None
    return start, end


class ReviewView(StaffMixin, TemplateView):
    permission_required = PERMISSION
    template_name = "reports/review.html"

    def get_context_data(self, **kwargs):
        from django.http import Http404

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = PeriodForm(self.request.GET or None, user=user)
        if form.is_bound and not form.is_valid() and "federation" in form.errors:
            raise Http404("federation")
        start, end = _period(self.request, form)
        federation = federation_for(user=user, federation=form.federation_id())
        review = build_review(user=user, start=start, end=end, federation=federation)
        sections = [
            SimpleNamespace(
                key=s.key, title=s.title, level=s.level, html=[paragraph_html(p, review) for p in s.paragraphs]
            )
            for s in review.sections
        ]
        query = f"from={start.isoformat()}&to={end.isoformat()}"
        ctx.update(
            form=form,
            review=review,
            sections=sections,
            federation=federation,
            start=start,
            end=end,
            query=query,
            documents=services_review.review_documents(user=user, federation=federation),
        )
        return ctx


class ReviewJsonView(StaffMixin, View):
    """The review's figures as JSON, downloaded directly (audited as an export)."""

    permission_required = PERMISSION

    def load_objects(self, *, federation: int) -> None:
        self.federation = federation_for(user=self.request.user, federation=federation)

    def get(self, request, federation: int):
        try:
            start, end = _dates(request.GET)
        except ValidationError as error:
            return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
        if start > end:
            return HttpResponse(_("结束日期不能早于开始日期。"), status=400, content_type="text/plain; charset=utf-8")
        review = build_review(user=request.user, start=start, end=end, federation=self.federation)
        services_review.review_export_recorded(
            actor=request.user, federation=self.federation, start=start, end=end, fmt="json"
        )
        response = HttpResponse(
            json.dumps(review_json(review), ensure_ascii=False, indent=2), content_type="application/json"
        )
        name = f"review-{self.federation.code}-{start:%Y%m%d}-{end:%Y%m%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ReviewStartView(StaffMixin, View):
    """Start making a .docx or .pdf in the background; back to the page, which shows progress."""

    permission_required = PERMISSION
    http_method_names = ["post"]

    def load_objects(self, *, federation: int) -> None:
        self.federation = federation_for(user=self.request.user, federation=federation)

    def post(self, request, federation: int):
        back = reverse("reports:review")
        try:
            start, end = _dates(request.POST)
            document = services_review.review_document_start(
                actor=request.user,
                start=start,
                end=end,
                fmt=request.POST.get("format", ""),
                federation=self.federation,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{back}?federation={self.federation.pk}")
        messages.success(request, _("已开始生成文档，完成后可在下方下载。"))
        query = f"from={document.start.isoformat()}&to={document.end.isoformat()}&federation={self.federation.pk}"
        return redirect(f"{back}?{query}#documents")


class ReviewDocumentView(StaffMixin, View):
    """One document's row (status, progress, download), polled by htmx while it is being made."""

    permission_required = PERMISSION

    def load_objects(self, *, pk: int) -> None:
        self.document = services_review.review_document_for(user=self.request.user, pk=pk)

    def get(self, request, pk: int):
        return render(request, "reports/review.html#document", {"document": self.document})


class ReviewDownloadView(StaffMixin, View):
    permission_required = PERMISSION

    def load_objects(self, *, pk: int) -> None:
        self.document = services_review.review_document_for(user=self.request.user, pk=pk)

    def get(self, request, pk: int):
        document = self.document
        try:
            handle = services_review.review_document_open(actor=request.user, document=document)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{reverse('reports:review')}?federation={document.federation_id}")
        name = _("%(name)s工作回顾-%(start)s-%(end)s.%(ext)s") % {
            "name": document.federation.short_name or document.federation.name,
            "start": f"{document.start:%Y%m}",
            "end": f"{document.end:%Y%m}",
            "ext": document.format,
        }
        return FileResponse(
            handle,
            as_attachment=True,
            filename=name,
            content_type=services_review.CONTENT_TYPES.get(document.format, "application/octet-stream"),
        )
