from django.urls import path

from qiaolian.advocacy import views

app_name = "advocacy"
urlpatterns = [
    path("opinions/", views.OpinionListView.as_view(), name="opinion_list"),
    path("opinions/new/", views.OpinionCreateView.as_view(), name="opinion_create"),
    path("opinions/<int:pk>/", views.OpinionDetailView.as_view(), name="opinion_detail"),
    path("opinions/<int:pk>/edit/", views.OpinionUpdateView.as_view(), name="opinion_edit"),
    path("opinions/<int:pk>/<slug:step>/", views.OpinionActionView.as_view(), name="opinion_action"),
    path("research/", views.ResearchListView.as_view(), name="research_list"),
    path("research/new/", views.ResearchCreateView.as_view(), name="research_create"),
    path("research/<int:pk>/", views.ResearchDetailView.as_view(), name="research_detail"),
    path("research/<int:pk>/edit/", views.ResearchUpdateView.as_view(), name="research_edit"),
    path("research/<int:pk>/file/", views.ResearchFileView.as_view(), name="research_file"),
]
