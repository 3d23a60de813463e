"""Background jobs of the reports (django-tasks): making a review document.

The argument is an id (JSON); the service enqueues the job with ``transaction.on_commit`` so a
worker never looks for a document that is not committed yet. The job records its own failure."""

from __future__ import annotations

from django_tasks import task

from qiaolian.reports import services_review


@task()
def review_document_task(document_id: int) -> str:
    return services_review.review_document_make(document_id=document_id).status
