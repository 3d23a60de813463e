import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qiaolian.audit.models import AuditEntry
from qiaolian.liaison import selectors, services
from qiaolian.liaison.models import Interaction, OverseasAssociation, OverseasContact
from qiaolian.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PHONE = "+14155550199"


def make_association(js, *, user="staff", federation=None, **extra):
    actor = js.user(user)
    data = {
        "federation": federation or actor.federation,
        "name": "美国上海联谊会",
        "type": "hometown",
        "country": "US",
        "city": "纽约",
        **extra,
    }
    return services.association_create(actor=actor, data=data)


def make_contact(js, *, user="staff", federation=None, **extra):
    actor = js.user(user)
    data = {
        "federation": federation or actor.federation,
        "name": "周明华",
        "foreign_name": "Michael Zhou",
        "kind": "talent",
        "country": "US",
        "phone": PHONE,
        **extra,
    }
    return services.contact_create(actor=actor, data=data)


def test_contact_phone_is_protected_indexed_and_masked(jinshan):
    contact = make_contact(jinshan)
    contact.refresh_from_db()
    assert contact.phone.reveal() == PHONE and PHONE not in str(contact.phone)
    assert contact.phone_hash
    entry = AuditEntry.objects.filter(target_type="liaison.overseascontact").get()
    assert PHONE not in str(entry.data)


def test_bad_phone_names_the_field_and_writes_nothing(jinshan):
    with pytest.raises(ValidationError) as error:
        make_contact(jinshan, phone="12345")
    assert "phone" in error.value.error_dict
    assert OverseasContact.objects.count() == 0


def test_a_registry_person_outside_the_jurisdiction_cannot_be_linked(jinshan):
    foreign = PersonFactory(federation=jinshan.shihua)
    with pytest.raises(ValidationError) as error:
        make_contact(jinshan, user="zhujing", person=foreign)
    assert "person" in error.value.error_dict
    own = PersonFactory(federation=jinshan.zhujing)
    assert make_contact(jinshan, user="zhujing", person=own).person == own


def test_interaction_updates_the_associations_last_contact_and_follow_ups_fall_due(jinshan):
    staff = jinshan.user("staff")
    association = make_association(jinshan)
    contact = make_contact(jinshan, association=association)
    services.interaction_add(
        actor=staff, contact=contact, occurred_on=dt.date(2021, 5, 4), kind="video", summary="线上交流"
    )
    association.refresh_from_db()
    assert association.last_contact_on == dt.date(2021, 5, 4)
    with pytest.raises(ValidationError) as error:
        services.interaction_add(
            actor=staff, contact=contact, occurred_on=dt.date(2999, 1, 1), kind="phone", summary="x"
        )
    assert "occurred_on" in error.value.error_dict
    due = services.follow_up_add(actor=staff, contact=contact, due_on=dt.date(2022, 1, 1), what="寄送侨刊")
    services.follow_up_add(actor=staff, contact=contact, due_on=dt.date(2099, 1, 1), what="以后再说")
    assert list(selectors.follow_ups_due(user=staff)) == [due]
    services.follow_up_complete(actor=staff, follow_up=due)
    assert list(selectors.follow_ups_due(user=staff)) == []
    with pytest.raises(ValidationError):
        services.follow_up_complete(actor=staff, follow_up=due)


def test_association_list_filters_by_country_type_and_name(client, jinshan):
    make_association(jinshan)
    make_association(jinshan, name="日本华侨华人联合会", type="federation", country="JP", city="东京")
    client.force_login(jinshan.user("leader"))
    url = reverse("liaison:association_list")
    assert "日本华侨华人联合会" not in client.get(url, {"country": "US"}).content.decode()
    assert "美国上海联谊会" not in client.get(url, {"type": "federation"}).content.decode()
    page = client.get(url, {"q": "日本"}).content.decode()
    assert "日本华侨华人联合会" in page and "美国上海联谊会" not in page


def test_contact_pages_create_log_and_complete(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    response = client.post(
        reverse("liaison:contact_create"),
        {
            "federation": jinshan.zhujing.pk,
            "name": "沈佳怡",
            "kind": "student",
            "country": "GB",
            "phone": "+447911123456",
        },
    )
    assert response.status_code == 302
    contact = OverseasContact.objects.get(name="沈佳怡")
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "+447911123456" not in page and "7911123456" not in page
    url = reverse("liaison:contact_action", args=[contact.pk, "interaction"])
    bad = client.post(url, {"occurred_on": "2022-03-01", "kind": "phone", "summary": ""})
    assert bad.status_code == 200 and "summary" in bad.context["interaction_form"].errors
    assert Interaction.objects.count() == 0
    client.post(url, {"occurred_on": "2022-03-01", "kind": "phone", "summary": "电话问候"})
    assert Interaction.objects.get().staff == jinshan.user("zhujing")
    client.post(
        reverse("liaison:contact_action", args=[contact.pk, "followup"]), {"due_on": "2022-03-10", "what": "寄资料"}
    )
    follow_up = contact.follow_ups.get()
    assert "寄资料" in client.get(reverse("liaison:followup_list")).content.decode()
    client.post(reverse("liaison:followup_complete", args=[follow_up.pk]))
    follow_up.refresh_from_db()
    assert follow_up.done and follow_up.done_on


def test_contact_edit_keeps_the_phone_when_left_empty(client, jinshan):
    contact = make_contact(jinshan)
    client.force_login(jinshan.user("staff"))
    response = client.get(reverse("liaison:contact_edit", args=[contact.pk]))
    assert PHONE not in response.content.decode()
    client.post(
        reverse("liaison:contact_edit", args=[contact.pk]),
        {"federation": contact.federation_id, "name": "周明华", "kind": "leader", "country": "US", "phone": ""},
    )
    contact.refresh_from_db()
    assert contact.kind == "leader" and contact.phone.reveal() == PHONE


def test_another_towns_contact_and_association_are_not_found(client, jinshan):
    association = make_association(jinshan, user="shihua")
    contact = make_contact(jinshan, user="shihua")
    follow_up = services.follow_up_add(
        actor=jinshan.user("shihua"), contact=contact, due_on=dt.date(2020, 1, 1), what="x"
    )
    client.force_login(jinshan.user("zhujing"))
    assert client.get(reverse("liaison:contact_detail", args=[contact.pk])).status_code == 404
    assert client.get(reverse("liaison:contact_edit", args=[contact.pk])).status_code == 404
    assert client.get(reverse("liaison:association_detail", args=[association.pk])).status_code == 404
    assert client.post(reverse("liaison:followup_complete", args=[follow_up.pk])).status_code == 404
    url = reverse("liaison:contact_action", args=[contact.pk, "interaction"])
    assert client.post(url, {"occurred_on": "2022-03-01", "kind": "phone", "summary": "x"}).status_code == 404
    assert contact.name not in client.get(reverse("liaison:contact_list")).content.decode()
    assert client.get("/api/v1/contacts").json()["count"] == 0
    # A zhujing contact cannot be filed under an association of 石化.
    with pytest.raises(Exception):  # noqa: B017 - Http404 from the scope check
        make_contact(jinshan, user="zhujing", association=association)
    assert OverseasAssociation.objects.count() == 1 and Interaction.objects.count() == 0


def test_station_manager_and_judge_cannot_open_liaison(client, jinshan):
    for role in ("station", "judge", "cppcc"):
        client.force_login(jinshan.user(role))
        assert client.get(reverse("liaison:contact_list")).status_code == 403
    client.force_login(jinshan.user("leader"))
    assert client.get(reverse("liaison:contact_list")).status_code == 200
    assert client.get(reverse("liaison:contact_create")).status_code == 403
