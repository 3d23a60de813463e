"""Pages of the registry import: upload, preview with progress, confirm or cancel, downloads.

Thin views: a form parses the upload, services in ``registry.importing`` do the work, batches are
read through ``import_batch_list`` so another jurisdiction's batch is a 404.
"""

from __future__ import annotations

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from qiaolian.core.importkinds import kinds_for
from qiaolian.core.paging import keyset_page
from qiaolian.core.views import StaffMixin
from qiaolian.registry import importing
from qiaolian.registry.forms_import import ImportMappingForm, ImportUploadForm
from qiaolian.registry.models import ImportBatch, ImportStatus
from qiaolian.registry.selectors import import_batch_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ISSUE_KINDS = {
    "": gettext_lazy("全部"),
    "errors": gettext_lazy("有错误"),
    "duplicates": gettext_lazy("已在库中"),
    "warnings": gettext_lazy("疑似重复（仍导入）"),
}


def _batch_or_404(user, pk: int) -> ImportBatch:
    """A batch of the user's jurisdiction, of a kind the user may import (404 otherwise)."""
    return get_object_or_404(import_batch_list(user=user), pk=pk)


class ImportMixin(StaffMixin):
    """Staff who may import at least one kind of record (``core.importkinds.kinds_for``)."""

    permission_required = "registry.import_any"


class ImportListView(ImportMixin, FormView):
    """One kind at a time (``?kind=``, tabs for the kinds the user may import): the upload form
    and the user's batches of that kind (their jurisdiction's)."""

    template_name = "registry/import_list.html"
    form_class = ImportUploadForm

    def load_objects(self, **kwargs) -> None:
        kinds = kinds_for(self.request.user)
        wanted = self.request.GET.get("kind") or self.request.POST.get("kind") or kinds[0].key
        self.kinds = kinds
        self.kind = next((kind for kind in kinds if kind.key == wanted), kinds[0])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "kind": self.kind, "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            kind=self.kind,
            kinds=self.kinds,
            page=keyset_page(
                import_batch_list(user=self.request.user).filter(kind=self.kind.key),
                order=("-created_at", "-id"),
                cursor=self.request.GET.get("cursor", ""),
                size=20,
            ),
        )
        return ctx

    def form_valid(self, form):
        try:
            batch = importing.import_batch_create(
                actor=self.request.user,
                upload=form.cleaned_data["file"],
                kind=self.kind,
                options=form.cleaned_data.get("options"),
            )
        except ValidationError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        messages.info(self.request, _("文件已上传，正在逐行检查。检查完成后请核对结果，再确认导入。"))
        return redirect("registry:import_detail", pk=batch.pk)


class ImportTemplateView(ImportMixin, View):
    """The template workbook of a kind (``?kind=``, persons by default)."""

    def get(self, request):
        kind = next((k for k in kinds_for(request.user) if k.key == request.GET.get("kind", "persons")), None)
        if kind is None:
            raise PermissionDenied
        content = importing.import_template_xlsx(user=request.user, kind=kind)
        response = HttpResponse(content, content_type=XLSX)
        name = _("%(kind)s导入模板.xlsx") % {"kind": kind.label}
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


class ImportDetailView(ImportMixin, TemplateView):
    """The preview: progress while the job runs, then the counts and every issue, paged."""

    template_name = "registry/import_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        batch = _batch_or_404(self.request.user, kwargs["pk"])
        import_kind = importing.kind_of(batch)
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in ISSUE_KINDS else ""
        can_remap = batch.status in (ImportStatus.CHECKED, ImportStatus.FAILED) and bool(batch.file)
        found = {field_name for _header, field_name in batch.columns_found or []}
        missing = [col.header for col in import_kind.columns if col.required and col.field not in found]
        ctx.update(
            batch=batch,
            import_kind=import_kind,
            options_text=import_kind.describe_options(batch.options or {}),
            kind=kind,
            kinds=list(ISSUE_KINDS.items()),
            page=keyset_page(
                importing.import_issues(batch=batch, kind=kind),
                order=("id",),
                cursor=self.request.GET.get("cursor", ""),
                size=50,
            ),
            can_confirm=batch.status == ImportStatus.CHECKED,
            can_remap=can_remap,
            mapping_first=can_remap and bool(missing),  # the user has to map a column first
            can_roll_back=batch.status == ImportStatus.DONE and batch.imported_rows > 0,
            mapping_form=ImportMappingForm(batch=batch),
            has_sheets=len(batch.sheet_names or []) > 1,
        )
        return ctx


class ImportProgressView(ImportMixin, View):
    """The progress partial the preview polls; once the job is over the page reloads itself."""

    def get(self, request, pk: int):
        batch = _batch_or_404(request.user, pk)
        response = render(request, "registry/import_detail.html#progress", {"batch": batch})
        if not batch.is_running and request.htmx:
            response["HX-Refresh"] = "true"
        return response


class ImportConfirmView(ImportMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        batch = _batch_or_404(request.user, pk)
        try:
            importing.import_batch_confirm(actor=request.user, batch=batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("registry:import_detail", pk=batch.pk)


class ImportCancelView(ImportMixin, View):
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


class ImportRejectsView(ImportMixin, View):
    """The rows not imported, with their reasons, as a workbook (the download is audited)."""

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


class ImportMappingView(ImportMixin, View):
    """The user corrects the column mapping; the batch is checked again in the background."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        batch = _batch_or_404(request.user, pk)
        form = ImportMappingForm(request.POST, batch=batch)
        if not form.is_valid():
            messages.error(request, " ".join(form.non_field_errors()) or _("列对应有误，请检查。"))
            return redirect("registry:import_detail", pk=batch.pk)
        try:
            importing.import_batch_remap(actor=request.user, batch=batch, mapping=form.cleaned_data["mapping"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, _("已按新的列对应重新检查，请稍候核对结果。"))
        return redirect("registry:import_detail", pk=batch.pk)


class ImportRollbackView(ImportMixin, View):
    """Undo an imported batch as a whole (refused when some of its persons are in use)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        batch = _batch_or_404(request.user, pk)
        try:
            batch = importing.import_batch_rollback(actor=request.user, batch=batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            messages.error(request, _("您没有撤销导入的权限。"))
        else:
            messages.success(request, batch.message)
        return redirect("registry:import_detail", pk=batch.pk)
