from django.urls import path

from qiaolian.casework import views
from qiaolian.casework.models import CaseType

app_name = "casework"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("rights/", views.CaseListView.as_view(fixed_type=CaseType.RIGHTS), name="rights_list"),
    path("appeals/", views.CaseListView.as_view(fixed_type=CaseType.ENTERPRISE_APPEAL), name="appeal_list"),
    path("new/", views.CaseCreateView.as_view(), name="case_create"),
    path("new/people/", views.PersonSearchView.as_view(), name="person_search"),
    path("deadlines/", views.DeadlinesView.as_view(), name="deadlines"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/edit/", views.CaseUpdateView.as_view(), name="case_edit"),
    path("<int:pk>/transition/", views.CaseTransitionView.as_view(), name="case_transition"),
    path("<int:pk>/notes/", views.CaseNoteView.as_view(), name="case_note"),
    path("<int:pk>/attachments/", views.CaseAttachmentView.as_view(), name="case_attachment"),
    path("<int:pk>/reveal/", views.CaseRevealView.as_view(), name="case_reveal"),
    path("attachments/<int:pk>/", views.AttachmentFileView.as_view(), name="attachment_file"),
    path("persons/<int:person_pk>/", views.PersonCasesView.as_view(), name="person_cases"),
]
