from django.urls import path
from django.views.generic import TemplateView

urlpatterns: list = [
    path("", TemplateView.as_view(template_name="portal/home.html"), name="home"),
]
