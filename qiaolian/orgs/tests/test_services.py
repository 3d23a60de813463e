import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from qiaolian.core.jurisdiction import forget_scope, scope_for
from qiaolian.orgs import services
from qiaolian.orgs.models import Federation

pytestmark = pytest.mark.django_db


def test_paths_follow_the_tree(jinshan):
    assert jinshan.zhujing_village.path.startswith(jinshan.zhujing.path)
    assert jinshan.zhujing.path.startswith(jinshan.district.path)


def test_moving_a_federation_moves_its_subtree(jinshan):
    admin = jinshan.user("admin")
    services.federation_update(actor=admin, federation=jinshan.zhujing, parent=jinshan.shihua)
    village = Federation.objects.get(pk=jinshan.zhujing_village.pk)
    assert village.path.startswith(Federation.objects.get(pk=jinshan.shihua.pk).path)
    shihua_user = jinshan.user("shihua")
    forget_scope(shihua_user)
    assert village.pk in scope_for(shihua_user).federation_ids


def test_a_federation_cannot_move_below_itself(jinshan):
    with pytest.raises(ValidationError):
        services.federation_update(
            actor=jinshan.user("admin"), federation=jinshan.zhujing, parent=jinshan.zhujing_village
        )


def test_only_district_admin_changes_federations(jinshan):
    with pytest.raises(PermissionDenied):
        services.federation_update(actor=jinshan.user("zhujing"), federation=jinshan.zhujing, notes="x")


def test_town_staff_manage_their_own_stations_only(jinshan):
    zhujing = jinshan.user("zhujing")
    station = services.station_create(actor=zhujing, federation=jinshan.zhujing, name="朱泾镇侨之家", kind="home")
    assert station.pk
    with pytest.raises(Http404):
        services.station_create(actor=zhujing, federation=jinshan.shihua, name="石化侨之家", kind="home")


def test_term_must_end_after_it_starts(jinshan):
    with pytest.raises(ValidationError):
        services.term_create(
            actor=jinshan.user("admin"),
            federation=jinshan.zhujing,
            number=5,
            starts_on=dt.date(2022, 1, 1),
            ends_on=dt.date(2021, 1, 1),
        )


def test_term_list_flags_terms_due_for_election(client, jinshan):
    admin = jinshan.user("admin")
    today = dt.date.today()
    services.term_create(
        actor=admin,
        federation=jinshan.zhujing,
        number=6,
        starts_on=today.replace(year=today.year - 5),
        ends_on=today + dt.timedelta(days=60),
    )
    services.term_create(
        actor=admin,
        federation=jinshan.shihua,
        number=5,
        starts_on=today.replace(year=today.year - 6),
        ends_on=today - dt.timedelta(days=10),
    )
    client.force_login(admin)
    page = client.get(reverse("orgs:term_list")).content.decode()
    assert "即将届满" in page and "已届满，待换届" in page


def test_federation_form_reports_duplicate_code(client, jinshan):
    client.force_login(jinshan.user("admin"))
    response = client.post(
        reverse("orgs:federation_create"),
        {
            "name": "新建侨联",
            "short_name": "新建",
            "level": "town",
            "kind": "town",
            "code": jinshan.zhujing.code,
            "parent": jinshan.district.pk,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert not Federation.objects.filter(name="新建侨联").exists()
