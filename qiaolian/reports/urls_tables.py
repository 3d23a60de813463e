"""Routes of the reports app's tables pages (included by reports/urls.py, names in "reports:")."""

from django.urls import path

from qiaolian.reports import views_tables

urlpatterns: list = [
    path("tables/", views_tables.TablesView.as_view(), name="tables"),
    path("tables/export.xlsx", views_tables.TablesExportView.as_view(), name="tables_export"),
]
