from django.urls import path
from django.views.generic import TemplateView

app_name = "orgs"
_t = TemplateView.as_view(template_name="base.html")
urlpatterns = [
    path("federations/", _t, name="federation_list"),
    path("terms/", _t, name="term_list"),
    path("stations/", _t, name="station_list"),
    path("partners/", _t, name="partner_list"),
]
