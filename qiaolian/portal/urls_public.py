from django.urls import path

from qiaolian.portal import views_public as views

urlpatterns: list = [
    path("", views.home, name="home"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("news/", views.news_list, name="news_list"),
    path("news/<int:pk>/", views.news_detail, name="news_detail"),
    path("camps/", views.camp_list, name="camp_list"),
    path("camps/<int:pk>/", views.camp_detail, name="camp_detail"),
    path("contests/", views.contest_list, name="contest_list"),
    path("contests/<int:pk>/", views.contest_detail, name="contest_detail"),
    path("gallery/", views.gallery, name="gallery"),
    path("gallery/<int:pk>/", views.gallery_detail, name="gallery_detail"),
    path("gallery/files/<int:pk>/<str:variant>/", views.gallery_file, name="gallery_file"),
    path("privacy/", views.privacy_notice, name="privacy"),
]
