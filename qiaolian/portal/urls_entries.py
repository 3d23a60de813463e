"""Contest entries on the portal: the submission form, chunked uploads, the author's entries."""

from django.urls import path

from qiaolian.portal import views_entries as views

urlpatterns: list = [
    path("contests/<int:contest_pk>/submit/", views.EntryCreateView.as_view(), name="entry_create"),
    path("uploads/", views.UploadStartView.as_view(), name="upload_start"),
    path("uploads/<uuid:pk>/", views.UploadStatusView.as_view(), name="upload_status"),
    path("uploads/<uuid:pk>/chunk/", views.UploadChunkView.as_view(), name="upload_chunk"),
    path("my/entries/", views.MyEntryListView.as_view(), name="my_entries"),
    path("my/entries/<int:pk>/", views.MyEntryDetailView.as_view(), name="my_entry_detail"),
    path("my/entries/<int:pk>/withdraw/", views.MyEntryWithdrawView.as_view(), name="my_entry_withdraw"),
    path("my/entries/files/<int:pk>/<str:variant>/", views.MyEntryFileView.as_view(), name="my_entry_file"),
]
