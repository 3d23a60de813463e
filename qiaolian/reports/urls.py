from django.urls import path

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
]
