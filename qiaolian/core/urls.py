from django.urls import path

from qiaolian.core import health, views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", health.health, name="health"),
    path("readyz", health.ready, name="ready"),
]
