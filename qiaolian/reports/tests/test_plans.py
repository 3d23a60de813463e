"""Work plans: create and edit with clear validation messages, the targets grid (bad numbers are
reported and nothing is saved or lost), who may change which plan, and the audit trail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from qiaolian.audit.models import AuditEntry
from qiaolian.reports import services
from qiaolian.reports.forms_plans import cell_name
from qiaolian.reports.models import PlanTarget, WorkPlan

pytestmark = pytest.mark.django_db


def _plan(js, federation=None, start=2023, end=2027, user="admin", title="五年规划"):
    return services.plan_create(
        actor=js.user(user),
        data={"federation": federation or js.district, "title": title, "start_year": start, "end_year": end},
    )


def test_create_a_plan_through_the_page_then_fill_its_targets(client, jinshan):
    client.force_login(jinshan.user("admin"))
    response = client.post(
        reverse("reports:plan_create"),
        {
            "federation": jinshan.district.pk,
            "title": "金山区侨联2023—2027年工作规划",
            "start_year": 2023,
            "end_year": 2027,
            "summary": "按照“根”“魂”“梦”的工作主线开展工作。",
        },
    )
    plan = WorkPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:plan_targets", args=[plan.pk])
    assert plan.federation == jinshan.district and list(plan.years) == [2023, 2024, 2025, 2026, 2027]
    assert AuditEntry.objects.filter(action="create", target_id=str(plan.pk)).exists()
    grid = client.get(reverse("reports:plan_targets", args=[plan.pk]))
    assert grid.status_code == 200
    assert "contests.entries" in grid.content.decode()  # the district keeps the contest
    data = {
        cell_name("activities.by_project", 2023): "120",
        cell_name("activities.by_project", 2024): "1,260",
        cell_name("aid.amount", 2023): "85000.50",
    }
    response = client.post(reverse("reports:plan_targets", args=[plan.pk]), data)
    assert response.status_code == 302
    saved = {(t.indicator, t.year): t.value for t in plan.targets.all()}
    assert saved == {
        ("activities.by_project", 2023): Decimal(120),
        ("activities.by_project", 2024): Decimal(1260),
        ("aid.amount", 2023): Decimal("85000.50"),
    }
    entry = AuditEntry.objects.filter(action="change", target_id=str(plan.pk)).latest("seq")
    assert entry.data["targets"]["activities.by_project/2023"] == [None, "120"]
    # clearing a cell removes that target; the others stay
    data[cell_name("activities.by_project", 2024)] = ""
    client.post(reverse("reports:plan_targets", args=[plan.pk]), data)
    assert set(plan.targets.values_list("year", flat=True)) == {2023}
    detail = client.get(plan.get_absolute_url())
    assert detail.status_code == 200 and "根" in detail.content.decode()


def test_bad_numbers_in_the_grid_are_explained_and_nothing_is_saved_or_lost(client, jinshan):
    plan = _plan(jinshan)
    services.plan_targets_save(actor=jinshan.user("admin"), plan=plan, targets={("liaison.camps", 2023): Decimal(2)})
    client.force_login(jinshan.user("admin"))
    data = {
        cell_name("activities.by_project", 2023): "一百",
        cell_name("activities.by_project", 2024): "-3",
        cell_name("activities.participants", 2023): "12.5",
        cell_name("aid.amount", 2023): "100.123",
        cell_name("liaison.camps", 2023): "5",
        cell_name("casework.by_type", 2025): "40",
    }
    response = client.post(reverse("reports:plan_targets", args=[plan.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "“一百”不是数字" in body
    assert "目标值应为不小于 0 的数" in body
    assert "请填整数" in body
    assert "最多保留两位小数" in body
    assert "本次未保存任何目标" in body
    # what was typed is still there, and nothing changed in the database
    assert 'value="一百"' in body and 'value="40"' in body and 'value="12.5"' in body
    assert {(t.indicator, t.year): t.value for t in plan.targets.all()} == {("liaison.camps", 2023): Decimal(2)}


def test_plan_form_rejects_wrong_years_and_overlaps_with_clear_messages(client, jinshan):
    _plan(jinshan, start=2018, end=2022, title="第五届规划")
    client.force_login(jinshan.user("admin"))
    url = reverse("reports:plan_create")
    base = {"federation": jinshan.district.pk, "title": "新规划"}
    backwards = client.post(url, {**base, "start_year": 2027, "end_year": 2023})
    assert "截止年份不能早于起始年份" in backwards.content.decode()
    overlap = client.post(url, {**base, "start_year": 2022, "end_year": 2026})
    assert "与本组织已有的规划“第五届规划”（2018—2022年）年份重叠" in overlap.content.decode()
    too_long = client.post(url, {**base, "start_year": 2023, "end_year": 2040})
    assert "最多 10 年" in too_long.content.decode()
    assert WorkPlan.objects.count() == 1
    # a town may have its own plan for the same years
    assert (
        client.post(url, {**base, "federation": jinshan.zhujing.pk, "start_year": 2018, "end_year": 2022}).status_code
        == 302
    )


def test_editing_years_keeps_targets_unless_they_would_fall_outside(client, jinshan):
    plan = _plan(jinshan)
    services.plan_targets_save(
        actor=jinshan.user("admin"), plan=plan, targets={("activities.by_project", 2027): Decimal(10)}
    )
    client.force_login(jinshan.user("staff"))
    url = reverse("reports:plan_edit", args=[plan.pk])
    response = client.post(url, {"title": "改名", "start_year": 2023, "end_year": 2026, "summary": ""})
    assert response.status_code == 200
    assert "2027年已填有目标" in response.content.decode()
    plan.refresh_from_db()
    assert plan.end_year == 2027 and plan.title == "五年规划"
    response = client.post(url, {"title": "改名", "start_year": 2023, "end_year": 2028, "summary": "主线"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.end_year, plan.summary) == ("改名", 2028, "主线")
    assert plan.targets.count() == 1


def test_who_may_change_which_plan(client, jinshan):
    district_plan = _plan(jinshan)
    zj_plan = _plan(jinshan, jinshan.zhujing, user="zhujing", title="朱泾规划")
    sh_plan = _plan(jinshan, jinshan.shihua, title="石化规划")
    zhujing, leader = jinshan.user("zhujing"), jinshan.user("leader")
    assert zhujing.has_perm("reports.change_plan", zj_plan)
    assert not zhujing.has_perm("reports.change_plan", district_plan)
    assert jinshan.user("staff").has_perm("reports.change_plan", sh_plan)
    assert leader.has_perm("reports.view_plan") and not leader.has_perm("reports.change_plan")
    # a town user: its own plan only; the others do not exist for it
    with pytest.raises(Http404):
        _plan(jinshan, jinshan.shihua, user="zhujing", start=2030, end=2031)
    with pytest.raises(Http404):
        services.plan_targets_save(actor=zhujing, plan=sh_plan, targets={("liaison.camps", 2023): Decimal(1)})
    with pytest.raises(PermissionDenied):
        services.plan_update(actor=leader, plan=district_plan, data={"title": "x"})
    client.force_login(zhujing)
    listing = client.get(reverse("reports:plan_list")).content.decode()
    assert "朱泾规划" in listing and "石化规划" not in listing and "五年规划" not in listing
    assert client.get(reverse("reports:plan_detail", args=[sh_plan.pk])).status_code == 404
    assert client.get(reverse("reports:plan_targets", args=[district_plan.pk])).status_code == 404
    form = client.get(reverse("reports:plan_create")).context["form"]
    assert [pk for pk, _name in form.fields["federation"].choices] == [jinshan.zhujing.pk]
    foreign = client.post(
        reverse("reports:plan_create"),
        {"federation": jinshan.shihua.pk, "title": "x", "start_year": 2030, "end_year": 2031},
    )
    assert foreign.status_code == 200 and not WorkPlan.objects.filter(title="x").exists()
    # a town's grid offers only indicators kept at the town level
    grid = client.get(reverse("reports:plan_targets", args=[zj_plan.pk])).content.decode()
    assert "contests.entries" not in grid and "activities.by_project" in grid
    with pytest.raises(ValidationError):
        services.plan_targets_save(actor=zhujing, plan=zj_plan, targets={("contests.entries", 2023): Decimal(1)})
    with pytest.raises(ValidationError):
        services.plan_targets_save(actor=zhujing, plan=zj_plan, targets={("liaison.camps", 2030): Decimal(1)})
    assert not PlanTarget.objects.filter(plan=zj_plan).exists()
    # leaders read the plans, but may not open the forms
    client.force_login(leader)
    assert client.get(reverse("reports:plan_detail", args=[district_plan.pk])).status_code == 200
    assert client.get(reverse("reports:plan_targets", args=[district_plan.pk])).status_code == 403
