from django.urls import path

from qiaolian.registry import views_import

urlpatterns = [
    path("imports/", views_import.ImportListView.as_view(), name="import_list"),
    path("imports/template.xlsx", views_import.ImportTemplateView.as_view(), name="import_template"),
    path("imports/<int:pk>/", views_import.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/progress/", views_import.ImportProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/confirm/", views_import.ImportConfirmView.as_view(), name="import_confirm"),
    path("imports/<int:pk>/cancel/", views_import.ImportCancelView.as_view(), name="import_cancel"),
    path("imports/<int:pk>/rejects.xlsx", views_import.ImportRejectsView.as_view(), name="import_rejects"),
    path("imports/<int:pk>/mapping/", views_import.ImportMappingView.as_view(), name="import_mapping"),
    path("imports/<int:pk>/rollback/", views_import.ImportRollbackView.as_view(), name="import_rollback"),
]
