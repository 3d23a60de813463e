"""Routes of the reports app's review pages (included by reports/urls.py, names in "reports:")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
