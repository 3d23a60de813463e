from django.urls import include, path

from qiaolian.registry import views

app_name = "registry"
urlpatterns = [
    path("persons/", views.PersonListView.as_view(), name="person_list"),
    path("", include("qiaolian.registry.urls_import")),
]
