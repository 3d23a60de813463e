"""Account management by the district administrator: pages, services and selectors."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from qiaolian.accounts import selectors, services
from qiaolian.accounts.models import Role, User
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Harbour-handover-2026"
NOT_ADMINS = ["staff", "zhujing", "shihua", "station", "leader", "judge", "cppcc", "auditor", "public"]


def login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def can_log_in(username, password=PASSWORD) -> bool:
    client = Client()
    return login(client, username, password).status_code == 302 and client.get(reverse("core:home")).status_code == 200


@pytest.fixture
def admin_client(client, jinshan):
    client.force_login(jinshan.user("admin"))
    return client


def create_form(jinshan, **overrides):
    data = {
        "username": "wanglei",
        "display_name": "王磊",
        "role": Role.TOWN_STAFF,
        "federation": jinshan.zhujing.pk,
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }
    return {**data, **overrides}


def edit_form(user, **overrides):
    data = {
        "display_name": user.display_name,
        "role": user.role,
        "federation": user.federation_id or "",
        "is_active": "on" if user.is_active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def audit_text(entry: AuditEntry) -> str:
    return json.dumps(entry.data, ensure_ascii=False)


# Creating accounts ----------------------------------------------------------------------------


def test_admin_creates_a_town_user_who_can_then_log_in(admin_client, jinshan):
    response = admin_client.post(reverse("accounts:user_create"), create_form(jinshan))

    user = User.objects.get(username="wanglei")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    assert (user.display_name, user.role, user.federation, user.is_active) == (
        "王磊",
        "town_staff",
        jinshan.zhujing,
        True,
    )
    assert can_log_in("wanglei", NEW_PASSWORD)
    page = admin_client.get(response["Location"])
    assert "安全途径" in page.content.decode()  # the reminder to hand the password over safely


def test_creating_an_account_is_audited_without_the_password(admin_client, jinshan):
    admin_client.post(reverse("accounts:user_create"), create_form(jinshan))

    user = User.objects.get(username="wanglei")
    entry = AuditEntry.objects.get(action=Action.CREATE, target_type="accounts.user", target_id=str(user.pk))
    assert entry.actor_name == "admin"
    assert entry.federation_id == jinshan.zhujing.pk
    assert entry.data["after"]["role"] == "town_staff"
    text = audit_text(entry)
    assert NEW_PASSWORD not in text and "argon2" not in text and "password" not in text


def test_town_role_with_the_district_federation_is_refused_naming_the_field(admin_client, jinshan):
    response = admin_client.post(reverse("accounts:user_create"), create_form(jinshan, federation=jinshan.district.pk))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["federation"]
    assert "所在侨联" in errors["federation"][0] and "街镇/园区" in errors["federation"][0]
    assert "所在侨联" in response.content.decode()
    assert not User.objects.filter(username="wanglei").exists()


def test_district_role_with_a_town_federation_is_refused_naming_the_field(admin_client, jinshan):
    form = create_form(jinshan, role=Role.DISTRICT_STAFF, federation=jinshan.shihua.pk)
    response = admin_client.post(reverse("accounts:user_create"), form)

    errors = response.context["form"].errors
    assert list(errors) == ["federation"]
    assert "区侨联" in errors["federation"][0] and "所在侨联" in errors["federation"][0]
    assert not User.objects.filter(username="wanglei").exists()


def test_public_user_has_no_federation(admin_client, jinshan):
    refused = admin_client.post(
        reverse("accounts:user_create"), create_form(jinshan, role=Role.PUBLIC, username="gongzhong")
    )
    assert "federation" in refused.context["form"].errors

    accepted = admin_client.post(
        reverse("accounts:user_create"), create_form(jinshan, role=Role.PUBLIC, username="gongzhong", federation="")
    )
    assert accepted.status_code == 302
    assert User.objects.get(username="gongzhong").federation is None


def test_staff_role_needs_a_federation(admin_client, jinshan):
    response = admin_client.post(reverse("accounts:user_create"), create_form(jinshan, federation=""))
    assert "所在侨联" in response.context["form"].errors["federation"][0]


def test_weak_password_is_refused_naming_the_field(admin_client, jinshan):
    form = create_form(jinshan, password="12345678", password_confirm="12345678")
    response = admin_client.post(reverse("accounts:user_create"), form)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["password"]
    body = response.content.decode()
    assert "初始密码" in body  # the error summary names the field by its label
    assert not User.objects.filter(username="wanglei").exists()


def test_mismatched_password_confirmation_is_refused(admin_client, jinshan):
    response = admin_client.post(reverse("accounts:user_create"), create_form(jinshan, password_confirm="Other-2026-x"))
    assert list(response.context["form"].errors) == ["password_confirm"]


def test_user_name_must_be_unique_ignoring_case(admin_client, jinshan):
    response = admin_client.post(reverse("accounts:user_create"), create_form(jinshan, username="ZHUJING"))
    assert "已被使用" in response.context["form"].errors["username"][0]


# Who may use the pages -------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_roles_other_than_district_admin_get_403_on_every_account_page(client, jinshan, role):
    client.force_login(jinshan.user(role))
    target = jinshan.user("zhujing")
    for name in ("accounts:user_list", "accounts:user_create"):
        assert client.get(reverse(name)).status_code == 403, name
    for name in ("accounts:user_detail", "accounts:user_edit", "accounts:user_password"):
        assert client.get(reverse(name, args=[target.pk])).status_code == 403, name
    assert client.post(reverse("accounts:user_create"), create_form(jinshan)).status_code == 403
    assert client.post(reverse("accounts:user_edit", args=[target.pk]), edit_form(target)).status_code == 403
    assert client.post(reverse("accounts:user_unlock", args=[target.pk])).status_code == 403
    assert not User.objects.filter(username="wanglei").exists()


def test_anonymous_visitor_is_sent_to_login(client, jinshan):
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_only_the_district_admin_sees_the_menu_entry(client, jinshan):
    client.force_login(jinshan.user("admin"))
    assert reverse("accounts:user_list") in client.get(reverse("core:home")).content.decode()
    client.force_login(jinshan.user("staff"))
    assert reverse("accounts:user_list") not in client.get(reverse("core:home")).content.decode()


def test_services_refuse_other_roles(jinshan):
    with pytest.raises(PermissionDenied):
        services.user_update(
            actor=jinshan.user("staff"),
            user=jinshan.user("zhujing"),
            display_name="x",
            role=Role.TOWN_STAFF,
            federation=jinshan.zhujing,
            is_active=False,
        )


# Editing and deactivating ----------------------------------------------------------------------


def test_admin_edits_name_role_and_federation_and_it_is_audited(admin_client, jinshan):
    target = jinshan.user("zhujing")
    form = edit_form(target, display_name="朱晓东", role=Role.STATION_MANAGER, federation=jinshan.zhujing_village.pk)
    response = admin_client.post(reverse("accounts:user_edit", args=[target.pk]), form)

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.display_name, target.role, target.federation) == (
        "朱晓东",
        "station_manager",
        jinshan.zhujing_village,
    )
    entry = AuditEntry.objects.filter(action=Action.CHANGE, target_id=str(target.pk)).latest("seq")
    assert set(entry.data["changes"]) == {"display_name", "role", "federation"}


def test_deactivated_user_can_no_longer_log_in_and_loses_open_sessions(admin_client, jinshan):
    target = jinshan.user("shihua")
    open_session = Client()
    assert login(open_session, "shihua").status_code == 302

    response = admin_client.post(reverse("accounts:user_edit", args=[target.pk]), edit_form(target, is_active=""))

    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert not can_log_in("shihua")
    assert open_session.get(reverse("core:home")).status_code == 302
    entry = AuditEntry.objects.filter(action=Action.CHANGE, target_id=str(target.pk)).latest("seq")
    assert entry.data["changes"] == {"is_active": {"before": True, "after": False}}


def test_reactivated_user_can_log_in_again(admin_client, jinshan):
    target = jinshan.user("shihua")
    admin_client.post(reverse("accounts:user_edit", args=[target.pk]), edit_form(target, is_active=""))
    target.refresh_from_db()
    admin_client.post(reverse("accounts:user_edit", args=[target.pk]), edit_form(target, is_active="on"))
    assert can_log_in("shihua")


def test_admin_cannot_deactivate_or_demote_themselves(admin_client, jinshan):
    make_user("admin2", Role.DISTRICT_ADMIN, jinshan.district)  # so that "the last admin" is not the reason
    me = jinshan.user("admin")
    url = reverse("accounts:user_edit", args=[me.pk])

    deactivate = admin_client.post(url, edit_form(me, is_active=""))
    assert "不能停用自己" in deactivate.context["form"].errors["is_active"][0]
    demote = admin_client.post(url, edit_form(me, role=Role.DISTRICT_STAFF))
    assert "不能更改自己的角色" in demote.context["form"].errors["role"][0]

    me.refresh_from_db()
    assert me.is_active and me.role == Role.DISTRICT_ADMIN
    renamed = admin_client.post(url, edit_form(me, display_name="陆敏"))
    assert renamed.status_code == 302


def test_last_active_district_admin_is_protected(admin_client, jinshan):
    me = jinshan.user("admin")
    response = admin_client.post(reverse("accounts:user_edit", args=[me.pk]), edit_form(me, is_active=""))
    assert "唯一在用的区侨联管理员" in response.context["form"].errors["is_active"][0]

    # An operator command (no acting user) is held to the same rule.
    for change in ({"role": Role.DISTRICT_STAFF, "is_active": True}, {"role": Role.DISTRICT_ADMIN, "is_active": False}):
        with pytest.raises(ValidationError) as refused:
            services.user_update(
                actor=None, user=me, display_name=me.display_name, federation=jinshan.district, **change
            )
        assert "唯一在用的区侨联管理员" in str(refused.value)
    me.refresh_from_db()
    assert me.is_active and me.role == Role.DISTRICT_ADMIN


def test_another_admin_can_be_deactivated_while_one_remains(admin_client, jinshan):
    other = make_user("admin2", Role.DISTRICT_ADMIN, jinshan.district)
    response = admin_client.post(reverse("accounts:user_edit", args=[other.pk]), edit_form(other, is_active=""))
    assert response.status_code == 302
    other.refresh_from_db()
    assert not other.is_active
    # Now admin is the last one: an inactive second admin does not count.
    me = jinshan.user("admin")
    with pytest.raises(ValidationError):
        services.user_update(
            actor=None, user=me, display_name="", role=Role.LEADER, federation=jinshan.district, is_active=True
        )


def test_edit_refuses_a_federation_that_does_not_fit_the_role(admin_client, jinshan):
    target = jinshan.user("staff")
    response = admin_client.post(
        reverse("accounts:user_edit", args=[target.pk]), edit_form(target, federation=jinshan.shihua.pk)
    )
    assert "所在侨联" in response.context["form"].errors["federation"][0]
    target.refresh_from_db()
    assert target.federation == jinshan.district


# Passwords -------------------------------------------------------------------------------------


def test_password_reset_works_and_is_audited_without_the_password(admin_client, jinshan):
    target = jinshan.user("zhujing")
    url = reverse("accounts:user_password", args=[target.pk])
    response = admin_client.post(url, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert response.status_code == 302
    assert can_log_in("zhujing", NEW_PASSWORD)
    assert not can_log_in("zhujing", PASSWORD)
    entry = AuditEntry.objects.get(action=Action.PASSWORD_CHANGE, target_id=str(target.pk))
    assert entry.actor_name == "admin"
    target.refresh_from_db()
    for entry in AuditEntry.objects.all():
        text = audit_text(entry)
        assert NEW_PASSWORD not in text and target.password not in text and "argon2" not in text


def test_password_reset_applies_the_validators(admin_client, jinshan):
    target = jinshan.user("zhujing")
    response = admin_client.post(
        reverse("accounts:user_password", args=[target.pk]),
        {"password": "zhujing123", "password_confirm": "zhujing123"},
    )
    assert list(response.context["form"].errors) == ["password"]
    assert "新密码" in response.content.decode()
    assert can_log_in("zhujing")


def test_admin_changes_own_password_on_the_password_page_not_here(admin_client, jinshan):
    me = jinshan.user("admin")
    response = admin_client.post(
        reverse("accounts:user_password", args=[me.pk]), {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "修改密码" in response.context["form"].non_field_errors()[0]


# Lock-outs -------------------------------------------------------------------------------------


def test_unlock_clears_the_axes_lock_out(admin_client, jinshan, settings):
    target = jinshan.user("shihua")
    locked = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(locked, "shihua", "wrong-password")
    assert login(locked, "shihua").status_code == 429

    listing = admin_client.get(reverse("accounts:user_list"), {"q": "shihua"}).content.decode()
    assert "已锁定" in listing
    detail = admin_client.get(reverse("accounts:user_detail", args=[target.pk]))
    assert detail.context["failures"].is_locked_out
    assert reverse("accounts:user_unlock", args=[target.pk]) in detail.content.decode()

    response = admin_client.post(reverse("accounts:user_unlock", args=[target.pk]))

    assert response.status_code == 302
    assert login(locked, "shihua").status_code == 302
    entry = AuditEntry.objects.filter(action=Action.CHANGE, target_id=str(target.pk)).latest("seq")
    assert entry.data == {"login_lockout_cleared": 1}


def test_unlock_is_offered_only_when_there_are_failed_logins(admin_client, jinshan):
    target = jinshan.user("shihua")
    url = reverse("accounts:user_unlock", args=[target.pk])
    assert url not in admin_client.get(reverse("accounts:user_detail", args=[target.pk])).content.decode()

    login(Client(), "shihua", "wrong-password")
    detail = admin_client.get(reverse("accounts:user_detail", args=[target.pk]))
    assert url in detail.content.decode()
    assert detail.context["failures"].count == 1 and not detail.context["failures"].is_locked_out


def test_unlocking_an_account_without_failures_changes_and_records_nothing(admin_client, jinshan):
    target = jinshan.user("shihua")
    before = AuditEntry.objects.count()
    response = admin_client.post(reverse("accounts:user_unlock", args=[target.pk]), follow=True)
    assert "无需解除" in response.content.decode()
    assert AuditEntry.objects.count() == before


# The list --------------------------------------------------------------------------------------


def rows(client, **params) -> list[str]:
    return [u.username for u in client.get(reverse("accounts:user_list"), params).context["page"].rows]


def test_list_filters_by_role_federation_and_state_and_searches(admin_client, jinshan):
    assert rows(admin_client, role=Role.TOWN_STAFF) == ["shihua", "zhujing"]
    assert rows(admin_client, federation=jinshan.zhujing.pk) == ["station", "zhujing"]
    assert rows(admin_client, q="zhu") == ["zhujing"]
    make_user("chenfang", Role.TOWN_STAFF, jinshan.shihua, display_name="陈芳", is_active=False)
    assert rows(admin_client, q="陈") == ["chenfang"]
    assert rows(admin_client, active="0") == ["chenfang"]
    assert "chenfang" not in rows(admin_client, active="1")
    assert len(rows(admin_client)) == 11  # every account, public users included


def test_list_pages_by_key(admin_client, jinshan):
    for i in range(30):
        make_user(f"user{i:02d}", Role.TOWN_STAFF, jinshan.shihua)
    first = admin_client.get(reverse("accounts:user_list")).context["page"]
    assert len(first.rows) == 25 and first.total == 40 and first.next_cursor
    second = admin_client.get(reverse("accounts:user_list"), {"cursor": first.next_cursor}).context["page"]
    names = [u.username for u in first.rows + second.rows]
    assert len(second.rows) == 15 and names == sorted(names) and len(set(names)) == 40


def test_list_filter_changes_swap_only_the_results(admin_client, jinshan):
    response = admin_client.get(reverse("accounts:user_list"), {"q": "zhujing"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "zhujing" in body and "<html" not in body


def test_services_refuse_an_unknown_role(jinshan):
    with pytest.raises(ValidationError) as refused:
        services.user_create(
            actor=jinshan.user("admin"),
            username="x1",
            display_name="x",
            role="superuser",
            federation=jinshan.district,
            password=NEW_PASSWORD,
        )
    assert "role" in refused.value.error_dict


def test_list_renders_roles_with_their_labels(admin_client, jinshan):
    body = admin_client.get(reverse("accounts:user_list")).content.decode()
    for role in (Role.DISTRICT_ADMIN, Role.TOWN_STAFF, Role.PUBLIC):
        assert str(role.label) in body


# Selectors: one place decides who sees what ---------------------------------------------------


def test_user_scope_fails_closed_for_everyone_but_district_admins(jinshan):
    for key in NOT_ADMINS:
        assert not selectors.user_scope(user=jinshan.user(key)).exists()
    assert not selectors.user_scope(user=None).exists()
    stray = make_user("stray-admin", Role.DISTRICT_ADMIN, None)
    assert not selectors.user_scope(user=stray).exists()


def test_user_scope_follows_the_federation_tree(jinshan):
    """Accounts reach their place through ``federation``; a (misplaced) administrator in a town
    sees that town's subtree and no public users."""
    town_admin = make_user("town-admin", Role.DISTRICT_ADMIN, jinshan.zhujing)
    village_user = make_user("village", Role.TOWN_STAFF, jinshan.zhujing_village)
    seen = set(selectors.user_scope(user=town_admin).values_list("username", flat=True))
    assert seen == {"zhujing", "station", "town-admin", village_user.username}
    assert selectors.user_get(user=town_admin, pk=jinshan.user("shihua").pk) is None
    everyone = selectors.user_scope(user=jinshan.user("admin"))
    assert everyone.filter(username="public").exists()


def test_admin_outside_the_scope_gets_404_not_403(client, jinshan):
    town_admin = make_user("town-admin", Role.DISTRICT_ADMIN, jinshan.zhujing)
    client.force_login(town_admin)
    assert client.get(reverse("accounts:user_detail", args=[jinshan.user("shihua").pk])).status_code == 404
    assert client.get(reverse("accounts:user_detail", args=[987654])).status_code == 404
