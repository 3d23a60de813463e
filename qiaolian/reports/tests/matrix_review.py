"""The review pages' part of this app's permission matrix (merged by matrix.py).

The review page takes the federation as a query parameter (a foreign one is a 404, tested in
test_review.py); the JSON download and the start of a background job name it in the path
("report_federation"), and a generated document is a record of its own ("review_document")."""

import datetime as dt

from django.core.files.base import ContentFile

from qiaolian.testing import Route

PERM = "reports.view_indicators"

ROUTES = {
    "reports:review": Route(PERM),
    "reports:review_json": Route(PERM, "report_federation"),
    "reports:review_start": Route(PERM, "report_federation", "post"),
    "reports:review_document": Route(PERM, "review_document"),
    "reports:review_download": Route(PERM, "review_document"),
}
API_OPERATIONS = {
    ("get", "/reports/review"): (PERM, None, None),
}


def records(js, federation, tag, admin) -> dict:
    from qiaolian.reports.models import ReviewDocument, ReviewStatus

    document = ReviewDocument(
        federation=federation,
        start=dt.date(2017, 12, 1),
        end=dt.date(2022, 12, 31),
        format="docx",
        status=ReviewStatus.DONE,
        progress=100,
        created_by=admin,
    )
    document.file.save(f"review-{federation.code}.docx", ContentFile(b"PK docx"), save=False)
    document.save()
    return {"review_document": document}
