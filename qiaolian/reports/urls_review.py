"""Routes of the reports app's review pages (included by reports/urls.py, names in "reports:")."""

from django.urls import path

from qiaolian.reports import views_review

urlpatterns: list = [
    path("review/", views_review.ReviewView.as_view(), name="review"),
    path("review/<int:federation>/review.json", views_review.ReviewJsonView.as_view(), name="review_json"),
    path("review/<int:federation>/documents/", views_review.ReviewStartView.as_view(), name="review_start"),
    path("review/documents/<int:pk>/", views_review.ReviewDocumentView.as_view(), name="review_document"),
    path("review/documents/<int:pk>/download", views_review.ReviewDownloadView.as_view(), name="review_download"),
]
