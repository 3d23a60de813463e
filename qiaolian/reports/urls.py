from django.urls import include, path

from qiaolian.reports import views

app_name = "reports"
urlpatterns = [
    path("indicators/", views.CatalogueView.as_view(), name="indicator_list"),
    path("indicators/<int:federation>/<str:code>/", views.IndicatorDetailView.as_view(), name="indicator_detail"),
    path(
        "indicators/<int:federation>/<str:code>/export.xlsx",
        views.IndicatorExportView.as_view(),
        name="indicator_export",
    ),
    path("", include("qiaolian.reports.urls_dashboard")),
    path("", include("qiaolian.reports.urls_review")),
    path("", include("qiaolian.reports.urls_tables")),
]
