from django.urls import include, path

from qiaolian.registry import views, views_household

app_name = "registry"
urlpatterns = [
    path("persons/", views.PersonListView.as_view(), name="person_list"),
    path("persons/new/", views.PersonCreateView.as_view(), name="person_create"),
    path("persons/export.xlsx", views.PersonExportView.as_view(), name="person_export"),
    path("persons/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("persons/<int:pk>/edit/", views.PersonUpdateView.as_view(), name="person_edit"),
    path("persons/<int:pk>/archive/", views.PersonArchiveView.as_view(), name="person_archive"),
    path("persons/<int:pk>/restore/", views.PersonRestoreView.as_view(), name="person_restore"),
    path("persons/<int:pk>/reveal/<str:field>/", views.PersonRevealView.as_view(), name="person_reveal"),
    path("persons/<int:pk>/relatives/new/", views.TieCreateView.as_view(), name="tie_create"),
    path("relatives/<int:pk>/edit/", views.TieUpdateView.as_view(), name="tie_edit"),
    path("relatives/<int:pk>/delete/", views.TieDeleteView.as_view(), name="tie_delete"),
    path("households/", views_household.HouseholdListView.as_view(), name="household_list"),
    path("households/new/", views_household.HouseholdCreateView.as_view(), name="household_create"),
    path("households/<int:pk>/", views_household.HouseholdDetailView.as_view(), name="household_detail"),
    path("households/<int:pk>/edit/", views_household.HouseholdUpdateView.as_view(), name="household_edit"),
    path(
        "households/<int:pk>/members/add/",
        views_household.HouseholdMemberAddView.as_view(),
        name="household_member_add",
    ),
    path(
        "households/<int:pk>/members/<int:person_pk>/remove/",
        views_household.HouseholdMemberRemoveView.as_view(),
        name="household_member_remove",
    ),
    path("", include("qiaolian.registry.urls_import")),
]
