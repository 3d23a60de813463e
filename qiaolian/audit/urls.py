from django.urls import path

from qiaolian.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.EntryListView.as_view(), name="entry_list"),
    path("<int:seq>/", views.EntryDetailView.as_view(), name="entry_detail"),
]
