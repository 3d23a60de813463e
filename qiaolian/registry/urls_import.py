from django.urls import path

from qiaolian.registry import views_import

urlpatterns = [
    path("imports/", views_import.ImportListView.as_view(), name="import_list"),
]
