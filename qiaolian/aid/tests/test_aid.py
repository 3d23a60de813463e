import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from qiaolian.aid import selectors, services, sheets
from qiaolian.aid.eligibility import eligibility_problems, standard_for
from qiaolian.aid.models import Campaign, HandOver, Nomination, NominationStatus, Standard
from qiaolian.aid.tests.factories import household, needy, winter
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def png(name="visit.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def nominate(js, campaign, person, user="zhujing", **kw) -> Nomination:
    return services.nomination_create(actor=js.user(user), campaign=campaign, person=person, **kw)


def approve(js, nomination, user="staff", **kw) -> Nomination:
    return services.nomination_approve(actor=js.user(user), nomination=nomination, **kw)


# Campaigns ----------------------------------------------------------------------------------


def test_campaign_of_a_seasonal_kind_is_filed_under_its_brand_and_year(jinshan):
    campaign = winter(jinshan)
    assert campaign.brand is not None and campaign.brand.name == "冬送温暖"
    assert campaign.year == 2021
    assert AuditEntry.objects.filter(target_type="aid.campaign", action=Action.CREATE).exists()


def test_town_staff_cannot_set_up_a_campaign(jinshan):
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            actor=jinshan.user("zhujing"),
            data={
                "federation": jinshan.zhujing,
                "title": "x",
                "kind": "winter",
                "starts_on": dt.date(2021, 12, 1),
                "ends_on": dt.date(2021, 12, 31),
                "budget": Decimal("1"),
            },
        )


def test_campaign_dates_and_ages_are_checked(jinshan):
    with pytest.raises(ValidationError) as error:
        winter(jinshan, ends_on=dt.date(2021, 11, 1), standard=None)
    assert "结束日期不能早于开始日期" in str(error.value.message_dict["ends_on"])
    with pytest.raises(ValidationError) as error:
        winter(jinshan, min_age=80, max_age=70, standard=None)
    assert "max_age" in error.value.message_dict
    assert not Campaign.objects.exists()


def test_budget_cannot_be_lowered_below_what_is_approved(jinshan):
    campaign = winter(jinshan, budget="2000")
    approve(jinshan, nominate(jinshan, campaign, needy(jinshan.zhujing)))
    with pytest.raises(ValidationError) as error:
        services.campaign_update(actor=jinshan.user("staff"), campaign=campaign, data={"budget": Decimal("500")})
    assert "已审批 800.00 元" in error.value.message_dict["budget"][0]
    campaign.refresh_from_db()
    assert campaign.budget == Decimal("2000")


def test_once_per_household_cannot_change_after_nominations(jinshan):
    campaign = winter(jinshan)
    nominate(jinshan, campaign, needy(jinshan.zhujing))
    with pytest.raises(ValidationError) as error:
        services.campaign_update(actor=jinshan.user("staff"), campaign=campaign, data={"per_household": True})
    assert "per_household" in error.value.message_dict


def test_archiving_needs_every_nomination_settled_and_then_freezes_the_campaign(jinshan):
    campaign = winter(jinshan)
    nomination = nominate(jinshan, campaign, needy(jinshan.zhujing))
    staff = jinshan.user("staff")
    services.campaign_transition(actor=staff, campaign=campaign, to="closed")
    with pytest.raises(ValidationError, match="待审批或已审批未发放"):
        services.campaign_transition(actor=staff, campaign=campaign, to="archived")
    services.nomination_decide(actor=staff, nomination=nomination, to="rejected", note="已享受其他救助")
    services.campaign_transition(actor=staff, campaign=campaign, to="archived")
    with pytest.raises(ValidationError, match="已归档"):
        services.standard_add(actor=staff, campaign=campaign, data={"label": "x", "amount": 1})


# Eligibility and nomination -----------------------------------------------------------------


def test_town_user_nominates_an_eligible_person_of_their_town(jinshan):
    campaign = winter(jinshan)
    person = needy(jinshan.zhujing_village, household=household(jinshan.zhujing_village))
    nomination = nominate(jinshan, campaign, person, reason="高龄独居")
    assert nomination.status == NominationStatus.NOMINATED
    assert nomination.federation == jinshan.zhujing_village
    assert nomination.household == person.household
    assert nomination.hardship_types == ["elderly", "ill"]
    assert AuditEntry.objects.filter(target_type="aid.nomination", target_id=str(nomination.pk)).exists()


def test_refusal_names_every_rule_the_person_fails(jinshan):
    campaign = winter(jinshan, min_age=70, categories=["returnee"], hardship_types=["alone"], standard=None)
    young = PersonFactory(federation=jinshan.zhujing, name="李明", birth_date=dt.date(1980, 1, 1), category="relative")
    with pytest.raises(ValidationError) as error:
        nominate(jinshan, campaign, young)
    message = error.value.message_dict["person"][0]
    assert "李明 不符合本专项条件" in message
    expected = ("困难情况", "困难类型", "身份类别：本专项限 归侨，该人员为 侨眷", "年龄：本专项限 70 周岁及以上")
    for part in (*expected, "41 周岁"):
        assert part in message
    assert not Nomination.objects.exists()


def test_deceased_and_unknown_age_are_refused_with_the_reason(jinshan):
    campaign = winter(jinshan, min_age=70, standard=None)
    dead = needy(jinshan.zhujing, living_status="deceased")
    unknown = needy(jinshan.zhujing, birth_date=None, id_number=None)
    assert any("已故" in p for p in eligibility_problems(campaign, dead))
    assert any("未登记出生日期" in p for p in eligibility_problems(campaign, unknown))


def test_town_user_cannot_nominate_a_person_of_another_town(jinshan):
    campaign = winter(jinshan)
    with pytest.raises(ValidationError) as error:
        nominate(jinshan, campaign, needy(jinshan.shihua))
    assert "不在您的管辖范围内" in error.value.message_dict["person"][0]


def test_a_town_campaign_takes_only_its_own_people(jinshan):
    campaign = winter(jinshan, federation=jinshan.zhujing, standard=None)
    with pytest.raises(ValidationError) as error:
        nominate(jinshan, campaign, needy(jinshan.shihua), user="staff")
    assert "不在本专项的范围" in error.value.message_dict["person"][0]


def test_a_person_is_nominated_once_per_campaign_and_again_after_rejection(jinshan):
    campaign = winter(jinshan)
    person = needy(jinshan.zhujing)
    first = nominate(jinshan, campaign, person)
    with pytest.raises(ValidationError) as error:
        nominate(jinshan, campaign, person, user="staff")
    assert "已由朱泾镇提名（待审批" in error.value.message_dict["person"][0]
    services.nomination_decide(actor=jinshan.user("staff"), nomination=first, to="rejected", note="材料不全")
    again = nominate(jinshan, campaign, person)
    assert again.pk != first.pk


def test_several_nominated_at_once_all_or_none(jinshan):
    campaign = winter(jinshan)
    fine = needy(jinshan.zhujing, "王大爷")
    not_needy = PersonFactory(federation=jinshan.zhujing, name="赵先生")
    with pytest.raises(ValidationError) as error:
        services.nominations_create(actor=jinshan.user("zhujing"), campaign=campaign, persons=[fine, not_needy])
    assert "赵先生 不符合本专项条件" in str(error.value)
    assert not Nomination.objects.exists()
    made = services.nominations_create(actor=jinshan.user("zhujing"), campaign=campaign, persons=[fine])
    assert [n.person for n in made] == [fine]


def test_closed_campaign_takes_no_more_nominations(jinshan):
    campaign = winter(jinshan)
    services.campaign_transition(actor=jinshan.user("staff"), campaign=campaign, to="closed")
    with pytest.raises(ValidationError, match="不再接受提名"):
        nominate(jinshan, campaign, needy(jinshan.zhujing))


def test_station_volunteers_neither_nominate_nor_see_aid(jinshan):
    campaign = winter(jinshan)
    station = jinshan.user("station")
    with pytest.raises(PermissionDenied):
        services.nomination_create(actor=station, campaign=campaign, person=needy(jinshan.zhujing))
    nominate(jinshan, campaign, needy(jinshan.zhujing))
    assert not selectors.nomination_scope(user=station).exists()
    assert not selectors.campaign_scope(user=station).exists()


def test_candidates_are_the_eligible_not_yet_nominated_in_the_users_jurisdiction(jinshan):
    campaign = winter(jinshan, min_age=75, standard=None)
    old = needy(jinshan.zhujing, "甲", born=1930)
    needy(jinshan.zhujing, "乙", born=1960)  # too young
    PersonFactory(federation=jinshan.zhujing, name="丙", birth_date=dt.date(1930, 1, 1))  # not in hardship
    needy(jinshan.shihua, "丁", born=1930)  # another town
    taken = needy(jinshan.zhujing, "戊", born=1931)
    nominate(jinshan, campaign, taken)
    assert [p.name for p in selectors.candidate_list(user=jinshan.user("zhujing"), campaign=campaign)] == [old.name]


# Standards and approval ---------------------------------------------------------------------


def test_the_most_specific_standard_applies(jinshan):
    campaign = winter(jinshan, standard="500")
    staff = jinshan.user("staff")
    services.standard_add(
        actor=staff, campaign=campaign, data={"label": "高龄归侨", "category": "returnee", "amount": 1000}
    )
    alone = {"label": "孤寡", "hardship_type": "alone", "amount": 800}
    services.standard_add(actor=staff, campaign=campaign, data=alone)
    standards = list(Standard.objects.filter(campaign=campaign))
    assert standard_for(standards, category="returnee", hardship_types=["alone"]).label == "高龄归侨"
    assert standard_for(standards, category="relative", hardship_types=["alone"]).label == "孤寡"
    assert standard_for(standards, category="relative", hardship_types=["ill"]).label == "困难归侨侨眷"
    nomination = nominate(jinshan, campaign, needy(jinshan.zhujing, category="returnee"))
    approved = approve(jinshan, nomination)
    assert (approved.status, approved.amount, approved.standard.label) == ("approved", Decimal("1000.00"), "高龄归侨")


def test_amount_can_be_changed_within_the_single_share_limit(jinshan):
    campaign = winter(jinshan, max_amount=Decimal("1000"))
    nomination = nominate(jinshan, campaign, needy(jinshan.zhujing))
    with pytest.raises(ValidationError) as error:
        approve(jinshan, nomination, amount="1200")
    assert "超过本专项的单份上限 1,000.00 元" in error.value.message_dict["amount"][0]
    approved = approve(jinshan, nomination, amount="950", note="患病住院，酌情提高")
    assert approved.amount == Decimal("950.00")
    assert approved.goods == "大米一袋、食用油一桶"


def test_town_staff_cannot_approve(jinshan):
    nomination = nominate(jinshan, winter(jinshan), needy(jinshan.zhujing))
    with pytest.raises(PermissionDenied):
        approve(jinshan, nomination, user="zhujing")


def test_over_budget_approval_is_refused_with_a_clear_message_and_leaves_no_trace(jinshan):
    campaign = winter(jinshan, budget="1500")
    first = nominate(jinshan, campaign, needy(jinshan.zhujing, "钱阿婆"))
    second = nominate(jinshan, campaign, needy(jinshan.zhujing, "孙阿公"))
    approve(jinshan, first)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        approve(jinshan, second)
    message = error.value.message_dict["amount"][0]
    assert message == (
        "超出预算：本专项预算 1,500.00 元，已审批 800.00 元，剩余 700.00 元，孙阿公 的审批金额 800.00 元超出剩余预算。"
    )
    second.refresh_from_db()
    assert (second.status, second.amount, second.decided_at) == ("nominated", None, None)
    assert AuditEntry.objects.count() == audit_before
    assert selectors.budget_used(campaign=campaign) == Decimal("800")
    approve(jinshan, second, amount="700")  # what is left can still be approved
    assert selectors.budget_used(campaign=campaign) == campaign.budget


def test_approving_several_at_their_standards_is_all_or_none(jinshan):
    campaign = winter(jinshan, budget="2000")
    picked = [nominate(jinshan, campaign, needy(jinshan.zhujing, f"对象{i}")) for i in range(3)]
    with pytest.raises(ValidationError) as error:
        services.nominations_approve(actor=jinshan.user("staff"), campaign=campaign, nominations=picked)
    assert "所选 3 人按标准共需 2,400.00 元" in error.value.messages[0]
    assert not Nomination.objects.filter(status="approved").exists()
    done = services.nominations_approve(actor=jinshan.user("staff"), campaign=campaign, nominations=picked[:2])
    assert {n.status for n in done} == {"approved"}


def test_one_share_per_household_when_the_campaign_says_so(jinshan):
    campaign = winter(jinshan, per_household=True)
    home = household(jinshan.zhujing)
    husband = nominate(jinshan, campaign, needy(jinshan.zhujing, "周先生", household=home))
    wife = nominate(jinshan, campaign, needy(jinshan.zhujing, "吴女士", household=home))
    approve(jinshan, husband)
    with pytest.raises(ValidationError, match="同户家庭成员 周先生 已获批"):
        approve(jinshan, wife)
    other = winter(jinshan, title="2022年夏送凉", kind="summer")  # not once per household
    approve(jinshan, nominate(jinshan, other, husband.person))
    approve(jinshan, nominate(jinshan, other, wife.person))


def test_the_database_holds_one_open_nomination_per_person(jinshan):
    campaign = winter(jinshan)
    nomination = nominate(jinshan, campaign, needy(jinshan.zhujing))
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.create(
            campaign=campaign,
            person=nomination.person,
            federation=nomination.federation,
            category="relative",
            status="approved",
            amount=1,
            nominated_at=timezone.now(),
        )


def test_the_database_holds_one_approved_share_per_household(jinshan):
    campaign = winter(jinshan, per_household=True)
    home = household(jinshan.zhujing)
    a = nominate(jinshan, campaign, needy(jinshan.zhujing, "甲", household=home))
    b = nominate(jinshan, campaign, needy(jinshan.zhujing, "乙", household=home))
    Nomination.objects.filter(pk=a.pk).update(status="approved", amount=800)
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.filter(pk=b.pk).update(status="approved", amount=800)


def test_revoking_an_approval_frees_the_budget(jinshan):
    campaign = winter(jinshan, budget="800")
    first = approve(jinshan, nominate(jinshan, campaign, needy(jinshan.zhujing, "甲")))
    second = nominate(jinshan, campaign, needy(jinshan.zhujing, "乙"))
    with pytest.raises(ValidationError):
        approve(jinshan, second)
    with pytest.raises(ValidationError, match="撤销审批的理由"):
        services.nomination_decide(actor=jinshan.user("staff"), nomination=first, to="nominated")
    services.nomination_decide(actor=jinshan.user("staff"), nomination=first, to="nominated", note="已迁居外区")
    assert approve(jinshan, second).status == "approved"


def test_nominating_federation_may_withdraw_before_approval_only(jinshan):
    campaign = winter(jinshan)
    pending = nominate(jinshan, campaign, needy(jinshan.zhujing, "甲"))
    approved = approve(jinshan, nominate(jinshan, campaign, needy(jinshan.zhujing, "乙")))
    assert services.nomination_withdraw(actor=jinshan.user("zhujing"), nomination=pending).status == "withdrawn"
    with pytest.raises(ValidationError, match="不能撤回"):
        services.nomination_withdraw(actor=jinshan.user("zhujing"), nomination=approved)


# Hand-over ----------------------------------------------------------------------------------


def test_handover_records_the_visit_and_marks_delivered(jinshan):
    nomination = approve(jinshan, nominate(jinshan, winter(jinshan), needy(jinshan.zhujing)))
    handover = services.handover_record(
        actor=jinshan.user("zhujing"),
        nomination=nomination,
        data={
            "visited_on": dt.date(2021, 12, 20),
            "visitors": "朱泾镇侨联 李干事",
            "cash_amount": Decimal("800"),
            "photo": png(),
            "signature": png("sign.png"),
        },
    )
    nomination.refresh_from_db()
    assert nomination.status == "delivered"
    assert handover.goods == "大米一袋、食用油一桶"  # the approved goods unless told otherwise
    assert handover.is_receipted
    assert handover.recorded_by == jinshan.user("zhujing")


def test_handover_is_refused_before_approval_and_above_the_approved_amount(jinshan):
    campaign = winter(jinshan)
    pending = nominate(jinshan, campaign, needy(jinshan.zhujing, "甲"))
    data = {"visited_on": dt.date(2021, 12, 20), "visitors": "李干事", "cash_amount": 800}
    with pytest.raises(ValidationError, match="审批通过后才能登记发放"):
        services.handover_record(actor=jinshan.user("zhujing"), nomination=pending, data=data)
    approved = approve(jinshan, nominate(jinshan, campaign, needy(jinshan.zhujing, "乙")))
    with pytest.raises(ValidationError) as error:
        services.handover_record(
            actor=jinshan.user("zhujing"),
            nomination=approved,
            data={**data, "cash_amount": 900, "visited_on": dt.date(2021, 11, 1), "visitors": ""},
        )
    errors = error.value.message_dict
    assert "超过审批金额 800.00 元" in errors["cash_amount"][0]
    assert "不能早于本专项的开始日期" in errors["visited_on"][0]
    assert errors["visitors"] == ["请填写走访人员。"]
    assert not HandOver.objects.exists()


def test_handover_outside_jurisdiction_is_not_found(jinshan):
    nomination = approve(jinshan, nominate(jinshan, winter(jinshan), needy(jinshan.zhujing)))
    with pytest.raises(Http404):
        services.handover_record(
            actor=jinshan.user("shihua"),
            nomination=nomination,
            data={"visited_on": dt.date(2021, 12, 20), "visitors": "x", "cash_amount": 800},
        )


# Figures ------------------------------------------------------------------------------------


def _served_campaign(js):
    campaign = winter(js, budget="100000")
    home = household(js.zhujing_village)
    rows = [
        (js.zhujing, "甲", "returnee", None),
        (js.zhujing_village, "乙", "relative", home),
        (js.zhujing_village, "丙", "relative", home),
        (js.shihua, "丁", "relative", None),
    ]
    made = []
    for federation, name, category, home_ in rows:
        user = "shihua" if federation == js.shihua else "zhujing"
        person = needy(federation, name, category=category, household=home_)
        made.append(approve(js, nominate(js, campaign, person, user=user)))
    nominate(js, campaign, needy(js.shihua, "戊"), user="shihua")  # pending
    services.handover_record(
        actor=js.user("zhujing"),
        nomination=made[0],
        data={"visited_on": dt.date(2021, 12, 15), "visitors": "李干事", "cash_amount": 800},
    )
    return campaign


def test_tally_counts_recipients_households_and_amounts_by_town_and_category(jinshan):
    campaign = _served_campaign(jinshan)
    staff = jinshan.user("staff")
    towns = {t.key: t for t in selectors.aid_tally(user=staff, by="town", campaign_id=campaign.pk)}
    zhujing, shihua = towns[jinshan.zhujing.pk], towns[jinshan.shihua.pk]
    assert (zhujing.approved, zhujing.households, zhujing.amount) == (3, 2, Decimal("2400"))
    assert (zhujing.delivered, zhujing.cash) == (1, Decimal("800"))
    assert (shihua.nominated, shihua.approved, shihua.pending) == (2, 1, 1)
    categories = {t.key: t.approved for t in selectors.aid_tally(user=staff, by="category", campaign_id=campaign.pk)}
    assert categories == {"returnee": 1, "relative": 3}
    totals = selectors.aid_totals(user=staff, campaign_id=campaign.pk)
    assert (totals.approved, totals.households, totals.amount) == (4, 3, Decimal("3200"))


def test_town_user_counts_and_sees_only_their_own_nominations(jinshan):
    campaign = _served_campaign(jinshan)
    zhujing = jinshan.user("zhujing")
    names = {n.person.name for n in selectors.nomination_list(user=zhujing)}
    assert names == {"甲", "乙", "丙"}
    assert selectors.aid_totals(user=zhujing, campaign_id=campaign.pk).approved == 3
    assert selectors.budget_used(campaign=campaign) == Decimal("3200")  # the budget counts everyone's


def test_leader_reads_the_figures_but_not_the_names(jinshan, client):
    campaign = _served_campaign(jinshan)
    leader = jinshan.user("leader")
    assert selectors.aid_totals(user=leader, campaign_id=campaign.pk).approved == 4
    assert not selectors.nomination_scope(user=leader).exists()
    client.force_login(leader)
    page = client.get(reverse("aid:campaign_detail", args=[campaign.pk])).content.decode()
    assert "3,200" in page and "甲" not in page
    assert client.get(reverse("aid:nomination_list")).status_code == 403
    assert client.get(reverse("aid:stats")).status_code == 200


# The sign-off sheet -------------------------------------------------------------------------


def test_signoff_sheet_xlsx_has_one_sheet_per_town_masked_ids_and_is_audited(jinshan):
    campaign = _served_campaign(jinshan)
    staff = jinshan.user("staff")
    content, name = services.signoff_sheet_export(actor=staff, campaign=campaign, federation_id=None, fmt="xlsx")
    assert name == "2021年冬送温暖-签收表-各街镇.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["朱泾镇", "石化街道"]
    cells = [str(c.value) for row in book["朱泾镇"].iter_rows() for c in row if c.value is not None]
    text = " ".join(cells)
    assert "2021年冬送温暖 慰问金（品）签收表" in text
    for nomination in Nomination.objects.filter(federation__path__startswith=jinshan.zhujing.path):
        plain = nomination.person.id_number.reveal()
        assert plain not in text and str(nomination.person.id_number) in text
        assert nomination.person.name in cells
    assert "戊" not in " ".join(str(c.value) for row in book["石化街道"].iter_rows() for c in row)  # not approved
    assert "合计：3 人" in text
    entry = AuditEntry.objects.filter(action=Action.EXPORT, target_type="aid.campaign").get()
    assert entry.data["format"] == "xlsx" and entry.data["rows"] == 4


def test_town_user_gets_only_their_own_town_on_the_sheet(jinshan):
    campaign = _served_campaign(jinshan)
    with pytest.raises(Http404):
        services.signoff_sheet_export(
            actor=jinshan.user("zhujing"), campaign=campaign, federation_id=jinshan.shihua.pk, fmt="xlsx"
        )
    content, name = services.signoff_sheet_export(
        actor=jinshan.user("zhujing"), campaign=campaign, federation_id=jinshan.zhujing.pk, fmt="xlsx"
    )
    assert name.endswith("朱泾镇.xlsx")
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["朱泾镇"]


def test_signoff_sheet_pdf_is_rendered_from_masked_rows(jinshan):
    campaign = _served_campaign(jinshan)
    staff = jinshan.user("staff")
    nominations = selectors.sheet_nominations(user=staff, campaign=campaign, federation_id=jinshan.zhujing.pk)
    parts = sheets.sections(nominations, federation_id=jinshan.zhujing.pk)
    html = render_to_string(
        sheets.TEMPLATE,
        {"campaign": campaign, "title": sheets.title_of(campaign), "sections": parts, "headers": [], "made_on": None},
    )
    person = Nomination.objects.get(person__name="乙").person
    assert str(person.id_number) in html and person.id_number.reveal() not in html
    assert "待泾村" in html or person.household.area in html
    content, name = services.signoff_sheet_export(
        actor=staff, campaign=campaign, federation_id=jinshan.zhujing.pk, fmt="pdf"
    )
    assert content.startswith(b"%PDF") and name.endswith(".pdf")


# Donations ----------------------------------------------------------------------------------


def _donation(js, amount="10000", **extra):
    return services.donation_create(
        actor=js.user("staff"),
        data={
            "federation": js.district,
            "donor_name": "美国上海联谊会",
            "donor_kind": "association",
            "received_on": dt.date(2020, 2, 5),
            "kind": "goods",
            "goods": "医用外科口罩 20000 只",
            "amount": Decimal(amount),
            "purpose": "抗击新冠肺炎疫情",
            **extra,
        },
    )


def test_allocations_never_exceed_what_was_received(jinshan):
    donation = _donation(jinshan)
    staff = jinshan.user("staff")
    services.allocation_add(
        actor=staff,
        donation=donation,
        data={"recipient": "金山区公共卫生中心", "allocated_on": dt.date(2020, 2, 6), "amount": Decimal("6000")},
    )
    with pytest.raises(ValidationError) as error:
        services.allocation_add(
            actor=staff,
            donation=donation,
            data={"recipient": "朱泾镇卫生服务中心", "allocated_on": dt.date(2020, 2, 7), "amount": Decimal("5000")},
        )
    assert error.value.message_dict["amount"] == [
        "超出可分配金额：本笔捐赠 10,000.00 元，已分配 6,000.00 元，尚余 4,000.00 元。"
    ]
    with pytest.raises(ValidationError) as error:
        services.donation_update(actor=staff, donation=donation, data={"amount": Decimal("5000")})
    assert "已分配 6,000.00 元" in error.value.message_dict["amount"][0]
    assert selectors.allocated_total(donation=donation) == Decimal("6000")


def test_allocation_names_one_destination_not_before_receipt(jinshan):
    donation = _donation(jinshan)
    campaign = winter(jinshan)
    with pytest.raises(ValidationError) as error:
        services.allocation_add(
            actor=jinshan.user("staff"),
            donation=donation,
            data={"campaign": campaign, "recipient": "某单位", "allocated_on": dt.date(2020, 1, 1), "amount": 10},
        )
    assert set(error.value.message_dict) == {"recipient", "allocated_on"}


def test_money_allocated_to_a_campaign_shows_as_its_donated_funds(jinshan):
    donation = _donation(jinshan, kind="money", goods="")
    campaign = winter(jinshan)
    services.allocation_add(
        actor=jinshan.user("staff"),
        donation=donation,
        data={"campaign": campaign, "allocated_on": dt.date(2021, 12, 1), "amount": Decimal("3000")},
    )
    assert selectors.campaign_budget(campaign=campaign).donated == Decimal("3000")


def test_goods_donation_needs_its_list_and_an_association_fills_the_donor(jinshan):
    from qiaolian.liaison.models import OverseasAssociation

    with pytest.raises(ValidationError) as error:
        _donation(jinshan, goods="")
    assert "goods" in error.value.message_dict
    association = OverseasAssociation.objects.create(
        federation=jinshan.district, name="日本上海同乡会", type="hometown", country="JP"
    )
    donation = _donation(jinshan, donor_name="", association=association)
    assert (donation.donor_name, str(donation.country)) == ("日本上海同乡会", "JP")


def test_town_user_sees_only_donations_of_their_jurisdiction(jinshan):
    _donation(jinshan)
    services.donation_create(
        actor=jinshan.user("zhujing"),
        data={
            "donor_name": "朱泾侨企",
            "donor_kind": "enterprise",
            "received_on": dt.date(2021, 1, 5),
            "kind": "money",
            "amount": Decimal("2000"),
        },
    )
    assert [d.donor_name for d in selectors.donation_list(user=jinshan.user("zhujing"))] == ["朱泾侨企"]
    assert selectors.donation_list(user=jinshan.user("staff")).count() == 2


# Pages --------------------------------------------------------------------------------------


def test_nominate_page_lists_candidates_and_nominates_the_ticked(jinshan, client):
    campaign = winter(jinshan)
    first, second = needy(jinshan.zhujing, "钱阿婆"), needy(jinshan.zhujing, "孙阿公")
    client.force_login(jinshan.user("zhujing"))
    url = reverse("aid:nominate", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "钱阿婆" in page and "孙阿公" in page
    response = client.post(url, {"mode": "bulk", "persons": [first.pk], "reason": "高龄"})
    assert response.status_code == 302
    assert [n.person for n in Nomination.objects.all()] == [first]
    response = client.post(url, {"mode": "bulk", "all": "1", "reason": ""})
    assert response.status_code == 302
    assert {n.person for n in Nomination.objects.all()} == {first, second}


def test_search_says_why_a_person_cannot_be_nominated(jinshan, client):
    campaign = winter(jinshan)
    PersonFactory(federation=jinshan.zhujing, name="郑先生")
    client.force_login(jinshan.user("zhujing"))
    page = client.get(reverse("aid:person_search", args=[campaign.pk]), {"q": "郑先生"}).content.decode()
    assert "不符合本专项条件" in page and "未登记为困难对象" in page


def test_approval_with_bad_amount_keeps_what_was_typed(jinshan, client):
    campaign = winter(jinshan, budget="1000")
    nomination = nominate(jinshan, campaign, needy(jinshan.zhujing))
    client.force_login(jinshan.user("staff"))
    response = client.post(
        reverse("aid:nomination_approve", args=[nomination.pk]),
        {"amount": "1200", "goods": "慰问品一份", "note": "特殊困难"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "超出预算" in page and 'value="1200"' in page and "特殊困难" in page
    nomination.refresh_from_db()
    assert nomination.status == "nominated"


def test_bulk_approval_from_the_list(jinshan, client):
    campaign = winter(jinshan)
    picked = [nominate(jinshan, campaign, needy(jinshan.zhujing, n)) for n in ("甲", "乙")]
    client.force_login(jinshan.user("staff"))
    response = client.post(
        reverse("aid:bulk_approve", args=[campaign.pk]), {"nomination": [n.pk for n in picked]}, follow=True
    )
    assert "已按标准审批 2 人，共 1,600.00 元。" in response.content.decode()


def test_handover_page_on_a_phone_records_photo_and_signature(jinshan, client):
    nomination = approve(jinshan, nominate(jinshan, winter(jinshan), needy(jinshan.zhujing)))
    client.force_login(jinshan.user("zhujing"))
    url = reverse("aid:handover", args=[nomination.pk])
    form = client.get(url).content.decode()
    assert 'capture="environment"' in form and 'value="800.00"' in form
    response = client.post(
        url,
        {
            "visited_on": "2021-12-20",
            "visitors": "朱泾镇侨联 李干事",
            "cash_amount": "800",
            "goods": "大米一袋",
            "photo": png(),
            "signature": png("sign.png"),
        },
    )
    assert response.status_code == 302
    handover = HandOver.objects.get()
    assert client.get(reverse("aid:handover_file", args=[handover.pk, "signature"])).status_code == 200
    assert client.get(reverse("aid:nomination_detail", args=[nomination.pk])).status_code == 200


def test_person_page_tab_shows_the_aid_history(jinshan, client):
    campaign = winter(jinshan)
    person = needy(jinshan.zhujing, "冯阿婆")
    approve(jinshan, nominate(jinshan, campaign, person))
    client.force_login(jinshan.user("zhujing"))
    page = client.get(reverse("aid:person_aid", args=[person.pk])).content.decode()
    assert "2021年冬送温暖" in page and "获得帮扶 1 次" in page
    detail = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert "帮扶记录" in detail
    client.force_login(jinshan.user("shihua"))
    assert client.get(reverse("aid:person_aid", args=[person.pk])).status_code == 404


def test_sheet_download_for_a_town_user(jinshan, client):
    campaign = _served_campaign(jinshan)
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("aid:sheet", args=[campaign.pk, "xlsx"]))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["朱泾镇"]
    foreign = client.get(reverse("aid:sheet", args=[campaign.pk, "xlsx"]), {"federation": jinshan.shihua.pk})
    assert foreign.status_code == 404


# API ----------------------------------------------------------------------------------------


def _api(client, user):
    from qiaolian.accounts.services import api_token_create

    _token, plain = api_token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_api_nominate_approve_and_hand_over(jinshan, client):
    campaign = winter(jinshan, budget="1000")
    person = needy(jinshan.zhujing)
    town = _api(client, jinshan.user("zhujing"))
    response = client.post(
        "/api/v1/aid/nominations",
        {"campaign_id": campaign.pk, "person_id": person.pk, "reason": "高龄"},
        content_type="application/json",
        **town,
    )
    assert response.status_code == 201, response.content
    nomination_id = response.json()["id"]
    again = client.post(
        "/api/v1/aid/nominations",
        {"campaign_id": campaign.pk, "person_id": person.pk},
        content_type="application/json",
        **town,
    )
    assert again.status_code == 422 and again.json()["detail"][0]["field"] == "person_id"
    district = _api(client, jinshan.user("staff"))
    approve_url = f"/api/v1/aid/nominations/{nomination_id}/approve"
    over = client.post(approve_url, {"amount": "1200"}, content_type="application/json", **district)
    assert over.status_code == 422 and "超出预算" in over.json()["detail"][0]["message"]
    ok = client.post(
        f"/api/v1/aid/nominations/{nomination_id}/approve", {}, content_type="application/json", **district
    )
    assert ok.status_code == 200 and ok.json()["status"]["code"] == "approved" and ok.json()["amount"] == "800.00"
    handed = client.post(
        f"/api/v1/aid/nominations/{nomination_id}/handover",
        {"visited_on": "2021-12-18", "visitors": "李干事", "cash_amount": "800"},
        content_type="application/json",
        **town,
    )
    assert handed.status_code == 200, handed.content
    body = client.get(f"/api/v1/aid/nominations/{nomination_id}", **town).json()
    assert body["status"]["code"] == "delivered" and body["handover"]["visitors"] == "李干事"
    assert person.id_number.reveal() not in str(body)
    stats = client.get("/api/v1/aid/stats?by=town", **district).json()
    assert stats == [
        {
            "key": jinshan.zhujing.pk,
            "nominated": 1,
            "approved": 1,
            "households": 1,
            "amount": "800.00",
            "delivered": 1,
            "cash": "800.00",
            "pending": 0,
            "persons": 1,
        }
    ]


def test_api_town_user_lists_only_own_nominations(jinshan, client):
    _served_campaign(jinshan)
    body = client.get("/api/v1/aid/nominations", **_api(client, jinshan.user("shihua"))).json()
    assert {item["person"]["name"] for item in body["items"]} == {"丁", "戊"}


def test_a_round_of_visits_is_recorded_at_once_for_approved_nominations_only(jinshan):
    campaign = winter(jinshan)
    approved = [approve(jinshan, nominate(jinshan, campaign, needy(jinshan.zhujing, n))) for n in ("甲", "乙")]
    pending = nominate(jinshan, campaign, needy(jinshan.zhujing, "丙"))
    town = jinshan.user("zhujing")
    with pytest.raises(ValidationError, match="以下人员不是“已审批、待发放”状态，未登记任何发放：丙"):
        services.handovers_record(
            actor=town,
            campaign=campaign,
            nominations=[*approved, pending],
            visited_on=dt.date(2021, 12, 10),
            visitors="李干事",
        )
    assert not HandOver.objects.exists()
    made = services.handovers_record(
        actor=town, campaign=campaign, nominations=approved, visited_on=dt.date(2021, 12, 10), visitors="李干事、王干事"
    )
    assert [h.cash_amount for h in made] == [Decimal("800.00")] * 2
    assert set(Nomination.objects.filter(status="delivered").values_list("pk", flat=True)) == {n.pk for n in approved}
    entry = AuditEntry.objects.filter(target_type="aid.campaign", action=Action.CREATE).order_by("-seq").first()
    assert [row["person"] for row in entry.data["handovers"]] == ["甲", "乙"]
    assert entry.federation_id == jinshan.zhujing.pk


def test_a_list_naming_someone_twice_or_ineligible_nominates_nobody(jinshan):
    campaign = winter(jinshan)
    person = needy(jinshan.zhujing, "甲")
    with pytest.raises(ValidationError, match="甲 在名单中出现了两次"):
        services.nominations_create(actor=jinshan.user("zhujing"), campaign=campaign, persons=[person, person])
    assert not Nomination.objects.exists()


def test_batch_hand_over_from_the_list_page(jinshan, client):
    campaign = winter(jinshan)
    picked = [approve(jinshan, nominate(jinshan, campaign, needy(jinshan.zhujing, n))) for n in ("甲", "乙")]
    client.force_login(jinshan.user("zhujing"))
    listing = client.get(reverse("aid:nomination_list"), {"campaign": campaign.pk}).content.decode()
    assert "登记所选已发放" in listing and "按标准审批所选" not in listing
    url = reverse("aid:bulk_handover", args=[campaign.pk])
    missing = client.post(url, {"nomination": [n.pk for n in picked], "visited_on": ""}, follow=True)
    assert "请填写走访日期" in missing.content.decode()
    done = client.post(
        url, {"nomination": [n.pk for n in picked], "visited_on": "2021-12-12", "visitors": "李干事"}, follow=True
    )
    assert "已登记 2 人的走访发放。" in done.content.decode()
