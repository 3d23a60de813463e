from django.urls import path

from qiaolian.portal import views_staff_content as views

urlpatterns: list = [
    path("news/", views.NewsListView.as_view(), name="news_list"),
    path("news/new/", views.NewsCreateView.as_view(), name="news_create"),
    path("news/<int:pk>/", views.NewsUpdateView.as_view(), name="news_edit"),
    path("news/<int:pk>/publish/", views.NewsPublishView.as_view(), name="news_publish"),
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/new/", views.NoticeCreateView.as_view(), name="notice_create"),
]
