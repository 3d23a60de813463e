from django.urls import path

from qiaolian.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.PairListView.as_view(), name="pair_list"),
    path("pairs/<int:pk>/", views.PairDetailView.as_view(), name="pair_detail"),
    path("pairs/<int:pk>/merge/", views.PairMergeView.as_view(), name="pair_merge"),
    path("pairs/<int:pk>/distinct/", views.PairDistinctView.as_view(), name="pair_distinct"),
    path("merges/", views.MergeListView.as_view(), name="merge_list"),
    path("merges/<int:pk>/", views.MergeDetailView.as_view(), name="merge_detail"),
    path("merges/<int:pk>/undo/", views.MergeUndoView.as_view(), name="merge_undo"),
    path("runs/start/", views.RunStartView.as_view(), name="run_start"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/progress/", views.RunProgressView.as_view(), name="run_progress"),
]
