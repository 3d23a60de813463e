from django.urls import path

from qiaolian.aid import views

app_name = "aid"
urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign_list"),
    path("new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("<int:pk>/edit/", views.CampaignUpdateView.as_view(), name="campaign_edit"),
    path("<int:pk>/status/", views.CampaignTransitionView.as_view(), name="campaign_transition"),
    path("<int:pk>/standards/", views.StandardAddView.as_view(), name="standard_add"),
    path("<int:pk>/nominate/", views.NominateView.as_view(), name="nominate"),
    path("<int:pk>/people/", views.PersonSearchView.as_view(), name="person_search"),
    path("<int:pk>/approve/", views.BulkApproveView.as_view(), name="bulk_approve"),
    path("<int:pk>/handovers/", views.BulkHandOverView.as_view(), name="bulk_handover"),
    path("<int:pk>/sheet/<slug:fmt>/", views.SheetView.as_view(), name="sheet"),
    path("standards/<int:pk>/remove/", views.StandardRemoveView.as_view(), name="standard_remove"),
    path("nominations/", views.NominationListView.as_view(), name="nomination_list"),
    path("nominations/<int:pk>/", views.NominationDetailView.as_view(), name="nomination_detail"),
    path("nominations/<int:pk>/approve/", views.NominationApproveView.as_view(), name="nomination_approve"),
    path("nominations/<int:pk>/decide/", views.NominationDecideView.as_view(), name="nomination_decide"),
    path("nominations/<int:pk>/withdraw/", views.NominationWithdrawView.as_view(), name="nomination_withdraw"),
    path("nominations/<int:pk>/handover/", views.HandOverView.as_view(), name="handover"),
    path("handovers/<int:pk>/<slug:which>/", views.HandOverFileView.as_view(), name="handover_file"),
    path("persons/<int:person_pk>/", views.PersonAidView.as_view(), name="person_aid"),
    path("donations/", views.DonationListView.as_view(), name="donation_list"),
    path("donations/new/", views.DonationCreateView.as_view(), name="donation_create"),
    path("donations/<int:pk>/", views.DonationDetailView.as_view(), name="donation_detail"),
    path("donations/<int:pk>/edit/", views.DonationUpdateView.as_view(), name="donation_edit"),
    path("donations/<int:pk>/allocate/", views.AllocationAddView.as_view(), name="allocation_add"),
    path("allocations/<int:pk>/remove/", views.AllocationRemoveView.as_view(), name="allocation_remove"),
]
