import pytest
from django.contrib.auth.models import AnonymousUser

from qiaolian.core.jurisdiction import scope_for
from qiaolian.registry.models import Person
from qiaolian.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_district_users_see_everything(jinshan):
    assert scope_for(jinshan.user("admin")).everything
    assert scope_for(jinshan.user("staff")).everything


def test_town_user_sees_own_federation_and_below(jinshan):
    scope = scope_for(jinshan.user("zhujing"))
    assert not scope.everything
    assert scope.federation_ids == {jinshan.zhujing.pk, jinshan.zhujing_village.pk}


def test_no_user_or_no_federation_sees_nothing(jinshan):
    assert scope_for(None).is_empty
    assert scope_for(AnonymousUser()).is_empty
    assert scope_for(jinshan.user("public")).is_empty
    inactive = jinshan.user("zhujing")
    inactive.is_active = False
    assert scope_for(inactive).is_empty


def test_visible_to_filters_by_subtree(jinshan):
    own = PersonFactory(federation=jinshan.zhujing)
    below = PersonFactory(federation=jinshan.zhujing_village)
    foreign = PersonFactory(federation=jinshan.shihua)
    visible = set(Person.objects.visible_to(jinshan.user("zhujing")).values_list("pk", flat=True))
    assert visible == {own.pk, below.pk}
    assert foreign.pk in set(Person.objects.visible_to(jinshan.user("staff")).values_list("pk", flat=True))


def test_views_and_api_never_query_models_directly():
    """Every page and endpoint reads through a selector (CONVENTIONS §3): no `.objects.` in them."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in list(root.glob("*/views*.py")) + list(root.glob("*/api.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if ".objects." in line and not line.strip().startswith("#"):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []
