"""Routes of the reports app's dashboard and work plan pages (included by reports/urls.py, names
in "reports:")."""

from django.urls import path

from qiaolian.reports import views_dashboard, views_plans

urlpatterns: list = [
    path("dashboard/", views_dashboard.DashboardView.as_view(), name="dashboard"),
    path("dashboard/progress/", views_dashboard.DashboardProgressView.as_view(), name="dashboard_progress"),
    path(
        "dashboard/<int:federation>/<slug:chart>.xlsx",
        views_dashboard.DashboardExportView.as_view(),
        name="dashboard_export",
    ),
    path("plans/", views_plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views_plans.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views_plans.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views_plans.PlanUpdateView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/targets/", views_plans.PlanTargetsView.as_view(), name="plan_targets"),
]
