from django.urls import path

from qiaolian.contests import views_projects as views

urlpatterns = [
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("projects/export.xlsx", views.ProjectExportView.as_view(), name="project_export"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project_edit"),
    path("projects/import/", views.ProjectImportView.as_view(), name="project_import"),
    path("projects/import/<str:token>/", views.ProjectImportPreviewView.as_view(), name="project_import_preview"),
    path(
        "projects/import/<str:token>/confirm/",
        views.ProjectImportConfirmView.as_view(),
        name="project_import_confirm",
    ),
    path(
        "projects/import/<str:token>/rejects.xlsx",
        views.ProjectImportRejectsView.as_view(),
        name="project_import_rejects",
    ),
]
