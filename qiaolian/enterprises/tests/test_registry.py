"""The 侨企 registry: credit codes, protected contact phones, search, jurisdiction, reveal, export."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.enterprises import selectors, services
from qiaolian.enterprises.models import Enterprise
from qiaolian.enterprises.tests.factories import credit_code, make_enterprise
from qiaolian.enterprises.validators import parse_credit_code
from qiaolian.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PHONE = "+8613812345678"


# Credit codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["91110000600037341L", "91310116MA1JA0AA75", " 9131 0116-MA1J A0AA75 ", "91310116ma1ja0aa75"]
)
def test_valid_credit_codes_are_normalized(value):
    assert parse_credit_code(value) == "".join(value.split()).replace("-", "").upper()


def test_wrong_check_digit_names_the_digit_expected():
    with pytest.raises(ValidationError) as error:
        parse_credit_code("91110000600037341M")
    assert error.value.code == "checksum"
    assert "校验位错误" in error.value.messages[0] and "“L”" in error.value.messages[0]


@pytest.mark.parametrize(
    ("value", "code"),
    [("9111000060003734", "length"), ("A1110000600037341L", "format"), ("91110000I00037341L", "format")],
)
def test_malformed_credit_codes_say_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as error:
        parse_credit_code(value)
    assert error.value.code == code


def test_service_refuses_a_wrong_check_digit_and_writes_nothing(jinshan):
    with pytest.raises(ValidationError) as error:
        make_enterprise(jinshan, credit_code="91310116MA1JA0AA76")
    assert "credit_code" in error.value.error_dict
    assert Enterprise.objects.count() == 0
    assert not AuditEntry.objects.filter(target_type="enterprises.enterprise").exists()


def test_credit_code_is_unique_and_a_foreign_holder_is_not_named(jinshan):
    code = credit_code()
    make_enterprise(jinshan, user="shihua", name="石化某化工有限公司", credit_code=code)
    with pytest.raises(ValidationError) as error:
        make_enterprise(jinshan, user="zhujing", credit_code=code)
    message = error.value.message_dict["credit_code"][0]
    assert "其他侨联" in message and "石化某化工" not in message
    with pytest.raises(ValidationError) as error:
        make_enterprise(jinshan, user="staff", credit_code=code.lower())
    assert "石化某化工有限公司" in error.value.message_dict["credit_code"][0]


def test_an_enterprise_keeps_its_own_code_on_edit_and_may_have_none(jinshan):
    enterprise = make_enterprise(jinshan)
    services.enterprise_update(
        actor=jinshan.user("staff"), enterprise=enterprise, data={"credit_code": enterprise.credit_code}
    )
    blank = make_enterprise(jinshan, name="新侨创业工作室", credit_code="")
    other = make_enterprise(jinshan, name="另一工作室", credit_code="")
    assert blank.credit_code is None and other.credit_code is None


# Protected contact phone --------------------------------------------------------------------


def test_contact_phone_is_encrypted_indexed_masked_and_not_in_the_audit_log(jinshan):
    enterprise = make_enterprise(jinshan, contact_phone="138 1234 5678")
    enterprise.refresh_from_db()
    assert enterprise.contact_phone.reveal() == PHONE
    assert str(enterprise.contact_phone) == "138****5678"
    assert enterprise.contact_phone_hash
    entry = AuditEntry.objects.get(target_type="enterprises.enterprise", action=Action.CREATE)
    assert PHONE not in str(entry.data) and "138****5678" in str(entry.data)


def test_bad_phone_names_the_field(jinshan):
    with pytest.raises(ValidationError) as error:
        make_enterprise(jinshan, contact_phone="12345")
    assert "contact_phone" in error.value.error_dict


def test_empty_phone_on_edit_keeps_the_stored_one(jinshan):
    enterprise = make_enterprise(jinshan)
    services.enterprise_update(
        actor=jinshan.user("staff"), enterprise=enterprise, data={"contact_phone": "", "employees": 80}
    )
    enterprise.refresh_from_db()
    assert enterprise.contact_phone.reveal() == PHONE and enterprise.employees == 80


def test_reveal_is_audited_and_limited_to_permitted_roles_in_scope(jinshan):
    enterprise = make_enterprise(jinshan, user="zhujing")
    value = services.enterprise_reveal(actor=jinshan.user("zhujing"), enterprise=enterprise, field="contact_phone")
    assert value == "138 1234 5678"
    entry = AuditEntry.objects.get(action=Action.REVEAL, target_id=str(enterprise.pk))
    assert entry.target_type == "enterprises.enterprise" and entry.data == {"field": "contact_phone"}
    assert PHONE not in str(entry.data)
    with pytest.raises(PermissionDenied):
        services.enterprise_reveal(actor=jinshan.user("leader"), enterprise=enterprise, field="contact_phone")
    with pytest.raises(Http404):
        services.enterprise_reveal(actor=jinshan.user("shihua"), enterprise=enterprise, field="contact_phone")
    with pytest.raises(ValidationError):
        services.enterprise_reveal(actor=jinshan.user("zhujing"), enterprise=enterprise, field="credit_code")
    assert AuditEntry.objects.filter(action=Action.REVEAL).count() == 1


def test_reveal_page_shows_the_number_in_place_and_logs_it(client, jinshan):
    enterprise = make_enterprise(jinshan)
    client.force_login(jinshan.user("staff"))
    detail = client.get(enterprise.get_absolute_url()).content.decode()
    assert "138****5678" in detail and "13812345678" not in detail and "138 1234 5678" not in detail
    response = client.post(reverse("enterprises:enterprise_reveal", args=[enterprise.pk, "contact_phone"]))
    assert response.status_code == 200 and "138 1234 5678" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(action=Action.REVEAL, target_id=str(enterprise.pk)).exists()
    client.force_login(jinshan.user("leader"))
    assert "data-reveal" not in client.get(enterprise.get_absolute_url()).content.decode()


def test_contact_phone_never_appears_unmasked_on_pages_api_or_export(client, jinshan):
    enterprise = make_enterprise(jinshan)
    plain = ("13812345678", "138 1234 5678", PHONE)
    client.force_login(jinshan.user("staff"))
    bodies = [
        client.get(reverse("enterprises:enterprise_list")).content,
        client.get(enterprise.get_absolute_url()).content,
        client.get(reverse("enterprises:enterprise_edit", args=[enterprise.pk])).content,
        client.get("/api/v1/enterprises").content,
        client.get(f"/api/v1/enterprises/{enterprise.pk}").content,
    ]
    for body in bodies:
        assert not any(p in body.decode() for p in plain)
    export = client.get(reverse("enterprises:enterprise_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "138****5678" in cells and not any(p in cell for cell in cells for p in plain)


def test_export_is_audited_with_its_filters(client, jinshan):
    make_enterprise(jinshan, name="甲公司")
    make_enterprise(jinshan, name="乙公司", investor_type="hk_macao", investor_country="HK")
    client.force_login(jinshan.user("staff"))
    export = client.get(reverse("enterprises:enterprise_export"), {"investor_type": "hk_macao"})
    names = [r[0].value for r in openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2)]
    assert names == ["乙公司"]
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.data["kind"] == "enterprises" and entry.data["rows"] == 1
    assert entry.data["filters"] == {"investor_type": "hk_macao"}


# Jurisdiction ------------------------------------------------------------------------------


def test_town_user_sees_only_its_own_enterprises(client, jinshan):
    own = make_enterprise(jinshan, user="zhujing", name="朱泾侨资纺织有限公司")
    village = make_enterprise(jinshan, user="staff", federation=jinshan.zhujing_village, name="待泾村侨属农场")
    foreign = make_enterprise(jinshan, user="shihua", name="石化侨资化工有限公司")
    zhujing = jinshan.user("zhujing")
    assert set(selectors.enterprise_list(user=zhujing)) == {own, village}
    assert set(selectors.enterprise_list(user=jinshan.user("staff"))) == {own, village, foreign}
    client.force_login(zhujing)
    listing = client.get(reverse("enterprises:enterprise_list")).content.decode()
    assert own.name in listing and foreign.name not in listing
    by_code = client.get(reverse("enterprises:enterprise_list"), {"q": foreign.credit_code}).content.decode()
    assert foreign.name not in by_code
    assert client.get(foreign.get_absolute_url()).status_code == 404
    assert client.get(reverse("enterprises:enterprise_edit", args=[foreign.pk])).status_code == 404
    api = client.get("/api/v1/enterprises").json()
    assert {item["id"] for item in api["items"]} == {own.pk, village.pk}
    assert client.get(f"/api/v1/enterprises/{foreign.pk}").status_code == 404
    export = client.get(reverse("enterprises:enterprise_export"))
    assert foreign.name.encode() not in export.content


def test_town_user_cannot_file_an_enterprise_under_another_town(jinshan):
    with pytest.raises(Http404):
        make_enterprise(jinshan, user="zhujing", federation=jinshan.shihua)


def test_a_registry_person_outside_the_jurisdiction_cannot_be_linked(jinshan):
    foreign = PersonFactory(federation=jinshan.shihua)
    with pytest.raises(ValidationError) as error:
        make_enterprise(jinshan, user="zhujing", person=foreign)
    assert "person" in error.value.error_dict


def test_leaders_read_but_do_not_write(jinshan):
    with pytest.raises(PermissionDenied):
        make_enterprise(jinshan, user="leader")
    make_enterprise(jinshan)
    assert selectors.enterprise_list(user=jinshan.user("leader")).count() == 1
    assert selectors.enterprise_list(user=jinshan.user("station")).count() == 0


# Search and filters -------------------------------------------------------------------------


def test_search_by_name_pinyin_initials_credit_code_and_phone(jinshan):
    staff = jinshan.user("staff")
    target = make_enterprise(jinshan, name="上海枫泾侨丰食品有限公司", contact_phone="13900001111")
    make_enterprise(jinshan, name="金山卫港澳物流有限公司", contact_phone="13900002222")

    def found(q):
        return list(selectors.enterprise_list(user=staff, filters=selectors.EnterpriseFilters(query=q)))

    assert found("侨丰") == [target]
    assert found("僑豐") == [target]  # traditional characters match too
    assert found("qiaofeng") == [target]
    assert found("shfjqf") == [target]
    assert found(target.credit_code) == [target]
    assert found(target.credit_code[:17]) == [target]  # the start of a code
    assert found("139 0000 1111") == [target]
    assert found("不存在的公司") == []


def test_filters_by_type_origin_country_industry_federation_and_ciie_year(jinshan):
    staff = jinshan.user("staff")
    a = make_enterprise(jinshan, federation=jinshan.zhujing, investor_country="US", industry="biomedicine")
    b = make_enterprise(
        jinshan, federation=jinshan.shihua, investor_type="hk_macao", investor_origin="hk_macao", investor_country="HK"
    )
    services.exhibition_add(actor=staff, enterprise=a, data={"year": 2020})
    services.exhibition_add(actor=staff, enterprise=b, data={"year": 2020, "exhibition": "“一带一路”国际合作"})

    def found(**kw):
        return set(selectors.enterprise_list(user=staff, filters=selectors.EnterpriseFilters(**kw)))

    assert found(investor_type="hk_macao") == {b}
    assert found(investor_origin="foreign_chinese") == {a}
    assert found(country="US") == {a}
    assert found(industry="biomedicine") == {a}
    assert found(federation_id=jinshan.zhujing.pk) == {a}
    assert found(exhibition_year=2020) == {a}  # the CIIE only
    assert found(exhibition_year=2021) == set()


# Pages --------------------------------------------------------------------------------------


def test_create_page_with_a_wrong_check_digit_keeps_what_was_typed(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    response = client.post(
        reverse("enterprises:enterprise_create"),
        {
            "federation": jinshan.zhujing.pk,
            "name": "朱泾新侨科技有限公司",
            "credit_code": "91310116MA1JA0AA76",
            "investor_type": "new_overseas",
            "industry": "high_tech",
            "contact_phone": "13812345678",
            "is_active": "on",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "校验位错误" in body and "朱泾新侨科技有限公司" in body and "91310116MA1JA0AA76" in body
    assert Enterprise.objects.count() == 0


def test_create_and_edit_through_the_pages(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    response = client.post(
        reverse("enterprises:enterprise_create"),
        {
            "federation": jinshan.zhujing.pk,
            "name": "朱泾新侨科技有限公司",
            "credit_code": "91310116ma1ja0aa75",
            "investor_type": "new_overseas",
            "investor_country": "CA",
            "industry": "high_tech",
            "contact_name": "李总",
            "contact_phone": "13812345678",
            "is_active": "on",
        },
    )
    enterprise = Enterprise.objects.get()
    assert response.status_code == 302 and response["Location"] == enterprise.get_absolute_url()
    assert enterprise.credit_code == "91310116MA1JA0AA75" and enterprise.name_initials == "zjxqkjyxgs"
    edit = client.get(reverse("enterprises:enterprise_edit", args=[enterprise.pk])).content.decode()
    assert "已登记：138****5678" in edit
    page = client.get(enterprise.get_absolute_url()).content.decode()
    assert "朱泾新侨科技有限公司" in page and "加拿大" in page
