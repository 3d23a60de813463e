from django.urls import path

from qiaolian.privacy import views

app_name = "privacy"
urlpatterns = [
    path("retention/", views.RetentionView.as_view(), name="retention"),
    path("persons/<int:pk>/export/", views.PersonExportView.as_view(), name="person_export"),
    path("persons/<int:pk>/erase/", views.PersonEraseView.as_view(), name="person_erase"),
]
