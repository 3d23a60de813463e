"""Pages of the registry import: upload, preview with progress, confirm or cancel, downloads.

Thin views: a form parses the upload, services in ``registry.importing`` do the work, batches are
read through ``import_batch_list`` so another jurisdiction's batch is a 404.
"""

from __future__ import annotations

import os

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from qiaolian.core.paging import keyset_page
from qiaolian.core.views import StaffMixin
from qiaolian.registry import importing
from qiaolian.registry.models import ImportBatch, ImportStatus
from qiaolian.registry.selectors import import_batch_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ISSUE_KINDS = {"": gettext_lazy("全部"), "errors": gettext_lazy("有错误"), "duplicates": gettext_lazy("已在库中")}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("导入文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(importing.ALLOWED_EXTENSIONS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.QIAOLIAN_IMPORT_MAX_BYTES)
        self.fields["file"].help_text = _(
            "Excel 工作簿（.xlsx）或 CSV（UTF-8 或 GB18030 编码），不超过 %(limit)s。"
        ) % {"limit": limit}


def _batch_or_404(user, pk: int) -> ImportBatch:
    return get_object_or_404(import_batch_list(user=user), pk=pk)


class ImportListView(StaffMixin, FormView):
    """The user's batches (their jurisdiction's) and the upload form."""

    permission_required = "registry.import_person"
    template_name = "registry/import_list.html"
    form_class = ImportUploadForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page"] = keyset_page(
            import_batch_list(user=self.request.user),
            order=("-created_at", "-id"),
            cursor=self.request.GET.get("cursor", ""),
            size=20,
        )
        return ctx

    def form_valid(self, form):
        try:
            batch = importing.import_batch_create(actor=self.request.user, upload=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        messages.info(self.request, _("文件已上传，正在逐行检查。检查完成后请核对结果，再确认导入。"))
        return redirect("registry:import_detail", pk=batch.pk)


class ImportTemplateView(StaffMixin, View):
    permission_required = "registry.import_person"

    def get(self, request):
        content = importing.import_template_xlsx(user=request.user)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, _("侨情人员导入模板.xlsx"))
        return response


class ImportDetailView(StaffMixin, TemplateView):
    """The preview: progress while the job runs, then the counts and every issue, paged."""

    permission_required = "registry.import_person"
    template_name = "registry/import_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        batch = _batch_or_404(self.request.user, kwargs["pk"])
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in ISSUE_KINDS else ""
        ctx.update(
            batch=batch,
            kind=kind,
            kinds=list(ISSUE_KINDS.items()),
            page=keyset_page(
                importing.import_issues(batch=batch, kind=kind),
                order=("row_number", "id"),
                cursor=self.request.GET.get("cursor", ""),
                size=50,
            ),
            can_confirm=batch.status == ImportStatus.CHECKED,
        )
        return ctx


class ImportProgressView(StaffMixin, View):
    """The progress partial the preview polls; once the job is over the page reloads itself."""

    permission_required = "registry.import_person"

    def get(self, request, pk: int):
        batch = _batch_or_404(request.user, pk)
        response = render(request, "registry/import_detail.html#progress", {"batch": batch})
        if not batch.is_running and request.htmx:
            response["HX-Refresh"] = "true"
        return response


class ImportConfirmView(StaffMixin, View):
    permission_required = "registry.import_person"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        batch = _batch_or_404(request.user, pk)
        try:
            importing.import_batch_confirm(actor=request.user, batch=batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("registry:import_detail", pk=batch.pk)


class ImportCancelView(StaffMixin, View):
    permission_required = "registry.import_person"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        batch = _batch_or_404(request.user, pk)
        try:
            importing.import_batch_cancel(actor=request.user, batch=batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已取消该批次，没有导入任何人员，上传的文件已删除。"))
        return redirect("registry:import_detail", pk=batch.pk)


class ImportRejectsView(StaffMixin, View):
    """The rows not imported, with their reasons, as a workbook (the download is audited)."""

    permission_required = "registry.import_person"

    def get(self, request, pk: int):
        batch = _batch_or_404(request.user, pk)
        try:
            handle = importing.import_rejects_open(actor=request.user, batch=batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("registry:import_detail", pk=batch.pk)
        stem = os.path.splitext(batch.file_name)[0] or "import"
        return FileResponse(
            handle, as_attachment=True, filename=_("%(name)s-未导入的行.xlsx") % {"name": stem}, content_type=XLSX
        )
