from django.urls import path

from qiaolian.orgs import views

app_name = "orgs"
urlpatterns = [
    path("federations/", views.FederationListView.as_view(), name="federation_list"),
    path("federations/new/", views.FederationCreateView.as_view(), name="federation_create"),
    path("federations/<int:pk>/", views.FederationDetailView.as_view(), name="federation_detail"),
    path("federations/<int:pk>/edit/", views.FederationUpdateView.as_view(), name="federation_edit"),
    path("stations/", views.StationListView.as_view(), name="station_list"),
    path("stations/new/", views.StationCreateView.as_view(), name="station_create"),
    path("stations/<int:pk>/", views.StationDetailView.as_view(), name="station_detail"),
    path("stations/<int:pk>/edit/", views.StationUpdateView.as_view(), name="station_edit"),
    path("terms/", views.TermListView.as_view(), name="term_list"),
    path("terms/new/", views.TermCreateView.as_view(), name="term_create"),
    path("terms/<int:pk>/", views.TermDetailView.as_view(), name="term_detail"),
    path("terms/<int:pk>/edit/", views.TermUpdateView.as_view(), name="term_edit"),
    path("terms/<int:pk>/members/add/", views.TermMemberAddView.as_view(), name="term_member_add"),
    path("members/<int:pk>/remove/", views.TermMemberRemoveView.as_view(), name="term_member_remove"),
    path("partners/", views.PartnerListView.as_view(), name="partner_list"),
    path("partners/new/", views.PartnerCreateView.as_view(), name="partner_create"),
    path("partners/<int:pk>/edit/", views.PartnerUpdateView.as_view(), name="partner_edit"),
    path("elections/", views.ElectionListView.as_view(), name="election_list"),
    path("elections/due/", views.ElectionDueView.as_view(), name="election_due"),
    path("elections/new/", views.ElectionCreateView.as_view(), name="election_create"),
    path("elections/<int:pk>/", views.ElectionDetailView.as_view(), name="election_detail"),
    path("elections/<int:pk>/documents/add/", views.ElectionDocumentAddView.as_view(), name="election_document_add"),
    path(
        "election-documents/<int:pk>/",
        views.ElectionDocumentDownloadView.as_view(),
        name="election_document_download",
    ),
    path(
        "stations/<int:pk>/assessments/new/",
        views.StationAssessmentCreateView.as_view(),
        name="station_assessment_create",
    ),
    path("groups/", views.GroupListView.as_view(), name="group_list"),
    path("groups/new/", views.GroupCreateView.as_view(), name="group_create"),
    path("groups/<int:pk>/", views.GroupDetailView.as_view(), name="group_detail"),
    path("groups/<int:pk>/edit/", views.GroupUpdateView.as_view(), name="group_edit"),
    path("groups/<int:pk>/members/add/", views.GroupMemberAddView.as_view(), name="group_member_add"),
    path("group-members/<int:pk>/remove/", views.GroupMemberRemoveView.as_view(), name="group_member_remove"),
    path("groups/<int:pk>/pairs/add/", views.MentoringPairAddView.as_view(), name="mentoring_pair_add"),
    path("pairs/<int:pk>/remove/", views.MentoringPairRemoveView.as_view(), name="mentoring_pair_remove"),
]
