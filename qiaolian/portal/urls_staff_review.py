"""Staff review of portal accounts (views_staff_review), under /portal-admin/."""

from django.urls import path

from qiaolian.portal import views_staff_review as v

urlpatterns: list = [
    path("changes/", v.ChangeListView.as_view(), name="change_list"),
    path("changes/<int:pk>/", v.ChangeDetailView.as_view(), name="change_detail"),
    path("changes/<int:pk>/approve/", v.ChangeDecideView.as_view(approve=True), name="change_approve"),
    path("changes/<int:pk>/reject/", v.ChangeDecideView.as_view(approve=False), name="change_reject"),
    path("accounts/", v.AccountListView.as_view(), name="account_list"),
    path("accounts/<int:pk>/", v.AccountDetailView.as_view(), name="account_detail"),
    path("accounts/<int:pk>/link/", v.AccountLinkView.as_view(), name="account_link"),
    path("accounts/<int:pk>/unlink/", v.AccountUnlinkView.as_view(), name="account_unlink"),
    path("requests/", v.RequestListView.as_view(), name="request_list"),
    path("requests/<int:pk>/", v.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/fulfil/", v.RequestHandleView.as_view(fulfil=True), name="request_fulfil"),
    path("requests/<int:pk>/refuse/", v.RequestHandleView.as_view(fulfil=False), name="request_refuse"),
]
