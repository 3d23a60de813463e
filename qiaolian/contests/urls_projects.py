from django.urls import path

from qiaolian.contests import views_projects as views

# The organizer's spreadsheet is imported on the shared import pages (registry:import_list,
# ?kind=projects).
urlpatterns = [
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("projects/export.xlsx", views.ProjectExportView.as_view(), name="project_export"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project_edit"),
]
