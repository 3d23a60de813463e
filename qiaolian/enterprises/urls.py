from django.urls import path

from qiaolian.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("new/", views.EnterpriseCreateView.as_view(), name="enterprise_create"),
    path("export/", views.EnterpriseExportView.as_view(), name="enterprise_export"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("<int:pk>/edit/", views.EnterpriseUpdateView.as_view(), name="enterprise_edit"),
    path("<int:pk>/reveal/<str:field>/", views.EnterpriseRevealView.as_view(), name="enterprise_reveal"),
    path("<int:pk>/exhibitions/", views.ExhibitionAddView.as_view(), name="exhibition_add"),
    path("<int:pk>/visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("exhibitions/<int:pk>/remove/", views.ExhibitionRemoveView.as_view(), name="exhibition_remove"),
    path("visits/", views.VisitListView.as_view(), name="visit_list"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<int:pk>/edit/", views.VisitUpdateView.as_view(), name="visit_edit"),
    path("visits/<int:pk>/appeals/", views.AppealAddView.as_view(), name="appeal_add"),
    path("leads/", views.LeadListView.as_view(), name="lead_list"),
    path("leads/new/", views.LeadCreateView.as_view(), name="lead_create"),
    path("leads/<int:pk>/", views.LeadDetailView.as_view(), name="lead_detail"),
    path("leads/<int:pk>/edit/", views.LeadUpdateView.as_view(), name="lead_edit"),
    path("leads/<int:pk>/stage/", views.LeadAdvanceView.as_view(), name="lead_advance"),
]
