"""Staff pages of contests (namespace "contests", mounted at /contests/)."""

from django.urls import path

from qiaolian.contests import views

urlpatterns = [
    path("", views.ContestListView.as_view(), name="contest_list"),
    path("export/", views.ContestExportView.as_view(), name="contest_export"),
    path("new/", views.ContestFormView.as_view(), name="contest_create"),
    path("<int:pk>/", views.ContestDetailView.as_view(), name="contest_detail"),
    path("<int:pk>/edit/", views.ContestFormView.as_view(), name="contest_edit"),
    path("<int:pk>/transition/", views.ContestTransitionView.as_view(), name="contest_transition"),
    path("<int:pk>/entries/", views.EntryListView.as_view(), name="entry_list"),
    path("<int:pk>/entries/export/", views.EntryExportView.as_view(), name="entry_export"),
    path("<int:pk>/entries/screen/", views.EntryScreenBulkView.as_view(), name="entry_screen_bulk"),
    path("<int:pk>/results/compute/", views.ResultsComputeView.as_view(), name="results_compute"),
    path("<int:pk>/awards/", views.AwardsView.as_view(), name="awards_set"),
    path("<int:pk>/awards/suggest/", views.AwardSuggestView.as_view(), name="awards_suggest"),
    path("<int:pk>/certificates/<str:lang>/", views.ContestCertificatesView.as_view(), name="contest_certificates"),
    path("entries/<int:pk>/", views.EntryDetailView.as_view(), name="entry_detail"),
    path("entries/<int:pk>/screen/", views.EntryScreenView.as_view(), name="entry_screen"),
    path("entries/<int:pk>/objections/", views.ObjectionAddView.as_view(), name="objection_add"),
    path("entries/<int:pk>/certificate/<str:lang>/", views.CertificateView.as_view(), name="entry_certificate"),
    path("files/<int:pk>/<str:variant>/", views.EntryFileView.as_view(), name="entry_file"),
    path("objections/<int:pk>/resolve/", views.ObjectionResolveView.as_view(), name="objection_resolve"),
    path("judging/", views.JudgingListView.as_view(), name="judging_list"),
    path("judging/<int:pk>/", views.JudgingEntriesView.as_view(), name="judging_entries"),
    path("judging/entries/<int:pk>/", views.JudgingScoreView.as_view(), name="judging_score"),
    path("judging/files/<int:pk>/<str:variant>/", views.JudgingFileView.as_view(), name="judging_file"),
]
