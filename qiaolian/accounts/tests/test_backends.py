"""Permissions come from roles (accounts/rules.py) only; the password backend grants none of
Django's permission rows and asks the database nothing when a rule says no."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Permission
from django.test import RequestFactory

from qiaolian.accounts.backends import PasswordBackend
from qiaolian.core.nav import sidebar_for
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_password_sign_in_goes_through_the_backend(jinshan):
    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username="zhujing", password=PASSWORD)
    assert user == jinshan.user("zhujing")
    assert user.backend == "qiaolian.accounts.backends.PasswordBackend"
    assert authenticate(request, username="zhujing", password="not-it") is None


def test_permission_rows_grant_nothing(jinshan):
    leader = jinshan.user("leader")
    assert not leader.has_perm("accounts.manage_users")
    leader.user_permissions.add(Permission.objects.get(codename="view_user"))
    leader = type(leader).objects.get(pk=leader.pk)
    assert not leader.has_perm("accounts.view_user")
    assert PasswordBackend().get_all_permissions(leader) == set()
    assert not PasswordBackend().with_perm("accounts.view_user").exists()


def test_role_permissions_still_hold_and_the_menu_needs_no_queries(jinshan, django_assert_num_queries):
    admin, town = jinshan.user("admin"), jinshan.user("zhujing")
    assert admin.has_perm("accounts.manage_users") and not town.has_perm("accounts.manage_users")
    with django_assert_num_queries(0):
        labels = [item["url"] for group in sidebar_for(town, "/registry/persons/") for item in group["items"]]
    assert "/registry/persons/" in labels
    assert "/accounts/users/" not in labels
    assert "/accounts/users/" in [item["url"] for group in sidebar_for(admin, "/") for item in group["items"]]
