from django.urls import path

from qiaolian.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.ActivityListView.as_view(), name="activity_list"),
    path("new/", views.ActivityCreateView.as_view(), name="activity_create"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("<int:pk>/edit/", views.ActivityUpdateView.as_view(), name="activity_edit"),
    path("<int:pk>/status/", views.ActivityTransitionView.as_view(), name="activity_transition"),
    path("<int:pk>/people/", views.PersonSearchView.as_view(), name="person_search"),
    path("<int:pk>/checkin/", views.CheckInDeskView.as_view(), name="checkin"),
    path("<int:pk>/<slug:step>/", views.ActivityStepView.as_view(), name="activity_step"),
    path("registrations/<int:pk>/", views.RegistrationTicketView.as_view(), name="registration_ticket"),
    path("registrations/<int:pk>/remove/", views.RegistrationRemoveView.as_view(), name="registration_remove"),
    path("c/<str:code>/", views.CheckInCodeView.as_view(), name="checkin_code"),
    path("photos/<int:pk>/", views.PhotoFileView.as_view(), name="photo_file"),
    path("photos/<int:pk>/remove/", views.PhotoRemoveView.as_view(), name="photo_remove"),
    path("attachments/<int:pk>/", views.AttachmentFileView.as_view(), name="attachment_file"),
    path("persons/<int:person_pk>/", views.PersonParticipationView.as_view(), name="person_participation"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignUpdateView.as_view(), name="campaign_edit"),
    path("brands/", views.BrandListView.as_view(), name="brand_list"),
    path("brands/new/", views.BrandCreateView.as_view(), name="brand_create"),
    path("brands/<int:pk>/edit/", views.BrandUpdateView.as_view(), name="brand_edit"),
]
