"""Generated review documents (ReviewDocument): start the background job, make the file, open it
for download (an export: audited, like other exports)."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core.jobs import job_test_pause
from qiaolian.orgs.models import Federation
from qiaolian.reports.models import ReviewDocument, ReviewFormat, ReviewStatus
from qiaolian.reports.selectors import federation_for

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ReviewFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReviewFormat.PDF: "application/pdf",
    ReviewFormat.JSON: "application/json",
}


def _require_reader(actor) -> None:
    if not actor.has_perm("reports.view_indicators"):
        raise PermissionDenied


def render_review(review, fmt: str) -> bytes:
    """The review in ``fmt`` (docx, pdf or json) as bytes."""
    if fmt == ReviewFormat.DOCX:
        from qiaolian.reports.review_docx import render_docx

        return render_docx(review)
    if fmt == ReviewFormat.PDF:
        from qiaolian.reports.review_pdf import render_pdf

        return render_pdf(review)
    if fmt == ReviewFormat.JSON:
        import json

        from qiaolian.reports.review import review_json

        return json.dumps(review_json(review), ensure_ascii=False, indent=2).encode()
    raise ValueError(fmt)


def review_document_start(
    *, actor, start: dt.date, end: dt.date, fmt: str, federation: Federation | int | None = None
) -> ReviewDocument:
    """Queue the making of a review document; the job runs after the transaction commits."""
    _require_reader(actor)
    federation = federation_for(user=actor, federation=federation)
    if fmt not in (ReviewFormat.DOCX, ReviewFormat.PDF):
        raise ValidationError({"format": _("请选择 Word（.docx）或 PDF 格式。")}, code="format")
    if start > end:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")}, code="period")
    with transaction.atomic():
        document = ReviewDocument.objects.create(
            federation=federation, start=start, end=end, format=fmt, created_by=actor
        )
        transaction.on_commit(partial(_enqueue, document.pk))
    return document


def _enqueue(document_id: int) -> None:
    from qiaolian.reports.tasks import review_document_task

    review_document_task.enqueue(document_id)


def _progress(document_id: int, percent: int, status: str = ReviewStatus.RUNNING) -> None:
    ReviewDocument.objects.filter(pk=document_id).update(status=status, progress=percent)
    job_test_pause()


def review_document_make(*, document_id: int) -> ReviewDocument:
    """Build the review as its maker sees it and store the file (the background job). Ends DONE
    with the file, or FAILED with a message; a repeated delivery of a finished job does nothing."""
    from qiaolian.reports.review import build_review

    document = ReviewDocument.objects.select_related("created_by", "federation").get(pk=document_id)
    if document.status in (ReviewStatus.DONE, ReviewStatus.FAILED):
        return document
    _progress(document_id, 5)
    try:
        actor = document.created_by
        if actor is None or not actor.is_active:
            raise PermissionDenied
        review = build_review(user=actor, start=document.start, end=document.end, federation=document.federation_id)
        _progress(document_id, 50)
        content = render_review(review, document.format)
        _progress(document_id, 90)
        name = f"review-{document.federation.code}-{document.start:%Y%m%d}-{document.end:%Y%m%d}.{document.format}"
        document.file.save(name, ContentFile(content), save=False)
        ReviewDocument.objects.filter(pk=document_id).update(
            file=document.file.name, status=ReviewStatus.DONE, progress=100, finished_at=timezone.now(), error=""
        )
    except Exception:
        logger.exception("review document %s failed", document_id)
        ReviewDocument.objects.filter(pk=document_id).update(
            status=ReviewStatus.FAILED,
            error=_("生成失败，请重试；如仍失败，请联系系统管理员。"),
            finished_at=timezone.now(),
        )
    return ReviewDocument.objects.get(pk=document_id)


def review_document_open(*, actor, document: ReviewDocument) -> File:
    """The finished file, for download (recorded in the audit log as an export)."""
    _require_reader(actor)
    federation_for(user=actor, federation=document.federation_id)
    if document.status != ReviewStatus.DONE or not document.file:
        raise ValidationError(_("该文档尚未生成完成。"), code="not_ready")
    handle = document.file.open("rb")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Action.EXPORT,
            target=document,
            federation_id=document.federation_id,
            data={"kind": "review", "format": document.format, "from": document.start, "to": document.end},
        )
    return handle


def review_export_recorded(*, actor, federation: Federation, start: dt.date, end: dt.date, fmt: str) -> None:
    """Record a direct download of the review (JSON) in the audit log."""
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        target=federation,
        federation_id=federation.pk,
        data={"kind": "review", "format": fmt, "from": start, "to": end},
    )


# Reads (the review pages read documents only through these) ------------------------------------


def review_documents(*, user, federation: Federation, limit: int = 10) -> list[ReviewDocument]:
    """The latest documents of ``federation`` the user may see."""
    qs = ReviewDocument.objects.visible_to(user).filter(federation=federation).select_related("created_by")
    return list(qs.order_by("-created_at", "-id")[:limit])


def review_document_for(*, user, pk: int) -> ReviewDocument:
    """One document within the user's jurisdiction, else 404."""
    from django.http import Http404

    document = ReviewDocument.objects.visible_to(user).select_related("federation").filter(pk=pk).first()
    if document is None:
        raise Http404("review document")
    return document
