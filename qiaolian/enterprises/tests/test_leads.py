"""Investment leads introduced through overseas Chinese (以侨引侨) and exhibitions (进博会 …)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.enterprises import selectors, services
from qiaolian.enterprises.models import CIIE, ExhibitionParticipation, LeadEvent
from qiaolian.enterprises.tests.factories import make_enterprise, make_lead
from qiaolian.liaison import services as liaison_services

pytestmark = pytest.mark.django_db


def make_contact(js, federation):
    return liaison_services.contact_create(
        actor=js.user("admin"),
        data={"federation": federation, "name": "林志强", "kind": "leader", "country": "SG"},
    )


# Leads --------------------------------------------------------------------------------------


def test_a_lead_names_its_introducer_a_contact_or_a_name(jinshan):
    with pytest.raises(ValidationError) as error:
        make_lead(jinshan, introducer_name="")
    assert "introducer_contact" in error.value.error_dict
    contact = make_contact(jinshan, jinshan.district)
    lead = make_lead(jinshan, introducer_name="", introducer_contact=contact)
    assert lead.introducer_display == "林志强" and lead.stage == "contact"
    assert LeadEvent.objects.get(lead=lead).to_stage == "contact"


def test_a_town_cannot_name_a_contact_it_does_not_see(jinshan):
    foreign = make_contact(jinshan, jinshan.shihua)
    with pytest.raises(ValidationError) as error:
        make_lead(jinshan, user="zhujing", introducer_contact=foreign)
    assert "introducer_contact" in error.value.error_dict


def test_stages_move_forward_to_landing_with_the_enterprise(jinshan):
    staff = jinshan.user("staff")
    lead = make_lead(jinshan)
    with pytest.raises(ValidationError):
        services.lead_advance(actor=staff, lead=lead, to_stage="landed", on=dt.date(2019, 5, 1))
    services.lead_advance(actor=staff, lead=lead, to_stage="negotiating", on=dt.date(2019, 5, 1))
    with pytest.raises(ValidationError) as error:
        services.lead_advance(actor=staff, lead=lead, to_stage="signed", on=dt.date(2019, 4, 1))
    assert "on" in error.value.error_dict
    services.lead_advance(actor=staff, lead=lead, to_stage="signed", on=dt.date(2019, 11, 6), note="进博会现场签约")
    with pytest.raises(ValidationError) as error:
        services.lead_advance(actor=staff, lead=lead, to_stage="landed", on=dt.date(2020, 8, 1))
    assert "enterprise" in error.value.error_dict
    enterprise = make_enterprise(jinshan)
    lead = services.lead_advance(
        actor=staff, lead=lead, to_stage="landed", on=dt.date(2020, 8, 1), enterprise=enterprise
    )
    assert (lead.stage, lead.signed_on, lead.landed_on, lead.enterprise) == (
        "landed",
        dt.date(2019, 11, 6),
        dt.date(2020, 8, 1),
        enterprise,
    )
    assert [e.to_stage for e in lead.events.all()] == ["contact", "negotiating", "signed", "landed"]
    with pytest.raises(ValidationError):
        services.lead_advance(actor=staff, lead=lead, to_stage="dropped", on=dt.date(2021, 1, 1), note="x")
    assert list(selectors.enterprise_leads(user=staff, enterprise=enterprise)) == [lead]


def test_dropping_needs_a_reason(jinshan):
    staff = jinshan.user("staff")
    lead = make_lead(jinshan)
    with pytest.raises(ValidationError) as error:
        services.lead_advance(actor=staff, lead=lead, to_stage="dropped", on=dt.date(2020, 3, 1))
    assert "note" in error.value.error_dict
    lead = services.lead_advance(actor=staff, lead=lead, to_stage="dropped", on=dt.date(2020, 3, 1), note="疫情影响")
    assert lead.drop_reason == "疫情影响" and lead.dropped_on == dt.date(2020, 3, 1)


def test_a_town_cannot_land_a_lead_on_another_towns_enterprise(jinshan):
    zhujing = jinshan.user("zhujing")
    lead = make_lead(jinshan, user="zhujing")
    services.lead_advance(actor=zhujing, lead=lead, to_stage="signed", on=dt.date(2019, 6, 1))
    foreign = make_enterprise(jinshan, user="shihua")
    with pytest.raises(ValidationError) as error:
        services.lead_advance(actor=zhujing, lead=lead, to_stage="landed", on=dt.date(2019, 7, 1), enterprise=foreign)
    assert "enterprise" in error.value.error_dict


def test_leads_by_year_count_outcomes_and_amounts(jinshan):
    staff = jinshan.user("staff")
    enterprise = make_enterprise(jinshan)
    landed = make_lead(jinshan, amount=3000)
    services.lead_advance(actor=staff, lead=landed, to_stage="signed", on=dt.date(2019, 6, 1))
    services.lead_advance(actor=staff, lead=landed, to_stage="landed", on=dt.date(2020, 1, 6), enterprise=enterprise)
    dropped = make_lead(jinshan, project="澳门会展项目", amount=800)
    services.lead_advance(actor=staff, lead=dropped, to_stage="signed", on=dt.date(2019, 8, 1))
    services.lead_advance(actor=staff, lead=dropped, to_stage="dropped", on=dt.date(2020, 2, 1), note="投资方撤回")
    make_lead(jinshan, project="日本医疗器械项目", amount=None, introduced_on=dt.date(2021, 2, 2))
    rows = selectors.leads_by_year(user=staff)
    assert rows[2019]["leads"] == 2 and rows[2019]["signed"] == 2
    assert rows[2019]["landed"] == 1 and rows[2019]["dropped"] == 1
    assert rows[2019]["landed_amount"] == 3000 and rows[2019]["amount"] == 3800
    assert rows[2021]["leads"] == 1


def test_lead_pages_create_advance_and_keep_input_on_error(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    data = {
        "federation": jinshan.zhujing.pk,
        "project": "德国汽车零部件项目",
        "investor_country": "DE",
        "industry": "heavy",
        "introduced_on": "2021-04-02",
        "introducer_name": "",
    }
    bad = client.post(reverse("enterprises:lead_create"), data)
    assert bad.status_code == 200 and "请选择引荐人" in bad.content.decode()
    assert "德国汽车零部件项目" in bad.content.decode()
    data["introducer_name"] = "德国华侨华人联合会 王会长"
    response = client.post(reverse("enterprises:lead_create"), data)
    lead = selectors.lead_list(user=jinshan.user("zhujing")).get()
    assert response["Location"] == lead.get_absolute_url()
    url = reverse("enterprises:lead_advance", args=[lead.pk])
    bad = client.post(url, {"to_stage": "dropped", "on": "2021-05-01", "note": ""})
    assert bad.status_code == 200 and "请填写终止原因。" in bad.content.decode()
    ok = client.post(url, {"to_stage": "negotiating", "on": "2021-05-01", "note": "赴金山考察"})
    assert ok.status_code == 302
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "考察洽谈" in page and "赴金山考察" in page
    client.force_login(jinshan.user("shihua"))
    assert client.get(lead.get_absolute_url()).status_code == 404


def test_leaders_read_leads_but_do_not_change_them(jinshan):
    lead = make_lead(jinshan)
    assert list(selectors.lead_list(user=jinshan.user("leader"))) == [lead]
    with pytest.raises(PermissionDenied):
        make_lead(jinshan, user="leader")


# Exhibitions --------------------------------------------------------------------------------


def test_ciie_participation_by_year_is_unique_and_starts_in_2018(jinshan):
    staff = jinshan.user("staff")
    enterprise = make_enterprise(jinshan)
    row = services.exhibition_add(actor=staff, enterprise=enterprise, data={"year": 2018, "booth": "7.2馆"})
    assert row.exhibition == CIIE and row.is_ciie
    with pytest.raises(ValidationError) as error:
        services.exhibition_add(actor=staff, enterprise=enterprise, data={"year": 2018, "exhibition": CIIE})
    assert "year" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.exhibition_add(actor=staff, enterprise=enterprise, data={"year": 2017})
    assert "2018" in error.value.message_dict["year"][0]
    other = services.exhibition_add(
        actor=staff, enterprise=enterprise, data={"year": 2017, "exhibition": " “一带一路”国际合作 "}
    )
    assert other.exhibition == "“一带一路”国际合作" and not other.is_ciie


def test_exhibitors_per_year_count_distinct_enterprises(jinshan):
    staff = jinshan.user("staff")
    a, b = make_enterprise(jinshan, name="甲"), make_enterprise(jinshan, name="乙", federation=jinshan.shihua)
    for enterprise, year in ((a, 2019), (b, 2019), (a, 2020)):
        services.exhibition_add(actor=staff, enterprise=enterprise, data={"year": year})
    services.exhibition_add(actor=staff, enterprise=b, data={"year": 2019, "exhibition": "“一带一路”国际合作"})
    rows = {(r["exhibition"], r["year"]): r["enterprises"] for r in selectors.exhibitors_by_year(user=staff)}
    assert rows == {(CIIE, 2019): 2, (CIIE, 2020): 1, ("“一带一路”国际合作", 2019): 1}
    town = {
        (r["exhibition"], r["year"]): r["enterprises"]
        for r in selectors.exhibitors_by_year(user=jinshan.user("shihua"))
    }
    assert town == {(CIIE, 2019): 1, ("“一带一路”国际合作", 2019): 1}


def test_exhibition_pages_add_and_remove_with_audit(client, jinshan):
    enterprise = make_enterprise(jinshan)
    client.force_login(jinshan.user("staff"))
    bad = client.post(reverse("enterprises:exhibition_add", args=[enterprise.pk]), {"year": "2016", "exhibition": CIIE})
    assert bad.status_code == 200 and "自2018年起举办" in bad.content.decode()
    client.post(reverse("enterprises:exhibition_add", args=[enterprise.pk]), {"year": "2021", "exhibition": CIIE})
    row = ExhibitionParticipation.objects.get()
    response = client.post(reverse("enterprises:exhibition_remove", args=[row.pk]))
    assert response.status_code == 302 and not ExhibitionParticipation.objects.exists()
    entry = AuditEntry.objects.get(action=Action.DELETE)
    assert entry.data["before"]["year"] == 2021 and entry.data["before"]["enterprise"] == enterprise.name
