"""The "my" pages of a signed-in portal user (views_my), and the self-service registration and
camp application reached from the public lists."""

from django.urls import path, re_path

from qiaolian.portal import views_my as v

urlpatterns: list = [
    path("my/", v.my_home, name="my_home"),
    path("my/profile/", v.my_profile, name="my_profile"),
    path("my/registrations/", v.my_registrations, name="my_registrations"),
    path("my/registrations/<int:pk>/", v.my_ticket, name="my_ticket"),
    path("activities/<int:activity_pk>/register/", v.activity_register, name="activity_register"),
    path("my/camps/", v.my_camps, name="my_camps"),
    path("my/camps/<int:pk>/", v.my_camp, name="my_camp"),
    path("camps/<int:camp_pk>/enrol/", v.camp_enrol, name="camp_enrol"),
    path("my/requests/", v.my_requests, name="my_requests"),
    path("my/requests/new/", v.request_create, name="request_create"),
    path("my/requests/<int:pk>/", v.my_request_detail, name="my_request_detail"),
    path("my/data/", v.my_data, name="my_data"),
    re_path(r"^my/data/download\.(?P<fmt>json|xlsx)$", v.my_data_download, name="my_data_download"),
    path("my/delete/", v.my_delete, name="my_delete"),
]
