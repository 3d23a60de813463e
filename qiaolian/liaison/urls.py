from django.urls import path

from qiaolian.liaison import views

app_name = "liaison"
urlpatterns = [
    path("associations/", views.AssociationListView.as_view(), name="association_list"),
    path("associations/new/", views.AssociationCreateView.as_view(), name="association_create"),
    path("associations/<int:pk>/", views.AssociationDetailView.as_view(), name="association_detail"),
    path("associations/<int:pk>/edit/", views.AssociationUpdateView.as_view(), name="association_edit"),
    path("contacts/", views.ContactListView.as_view(), name="contact_list"),
    path("contacts/new/", views.ContactCreateView.as_view(), name="contact_create"),
    path("contacts/<int:pk>/", views.ContactDetailView.as_view(), name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/<slug:step>/", views.ContactActionView.as_view(), name="contact_action"),
    path("followups/", views.FollowUpListView.as_view(), name="followup_list"),
    path("followups/<int:pk>/done/", views.FollowUpCompleteView.as_view(), name="followup_complete"),
    path("camps/", views.CampListView.as_view(), name="camp_list"),
    path("camps/new/", views.CampCreateView.as_view(), name="camp_create"),
    path("camps/<int:pk>/", views.CampDetailView.as_view(), name="camp_detail"),
    path("camps/<int:pk>/edit/", views.CampUpdateView.as_view(), name="camp_edit"),
    path("camps/<int:pk>/enrol/", views.EnrolmentCreateView.as_view(), name="enrolment_create"),
    path("camps/<int:pk>/certificates/", views.CampCertificatesView.as_view(), name="camp_certificates"),
    path("camps/<int:pk>/<slug:step>/", views.CampActionView.as_view(), name="camp_action"),
    path("enrolments/<int:pk>/status/", views.EnrolmentStatusView.as_view(), name="enrolment_status"),
    path("enrolments/<int:pk>/certificate/", views.EnrolmentCertificateView.as_view(), name="enrolment_certificate"),
]
