"""Seed the standards checklist (侨之家规范化建设) with the 五有 items, the 侨法宣传角 and the
display board. Administrators may change scores, texts and which items are active later."""

from django.db import migrations

ITEMS = [
    # code, text, max score, for 侨之家, for 新侨驿站
    ("organization", "有组织：建有侨联组织或侨联小组，有明确的负责人", 16, True, True),
    ("team", "有队伍：有联络员、志愿者等相对稳定的工作队伍", 16, True, True),
    ("funding", "有经费：有相对稳定的工作经费来源", 16, True, True),
    ("venue", "有阵地：有固定的活动场所和必要设施", 16, True, True),
    ("activities", "有活动：经常性开展为侨服务和联谊活动", 16, True, True),
    ("law_corner", "侨法宣传角：设侨法宣传角，资料齐全并及时更新", 10, True, False),
    ("display_board", "展示板：设侨务工作展示板，内容规范", 10, True, True),
]


def seed(apps, schema_editor):
    ChecklistItem = apps.get_model("orgs", "ChecklistItem")
    for order, (code, text, max_score, home, new_overseas) in enumerate(ITEMS, start=1):
        ChecklistItem.objects.update_or_create(
            code=code,
            defaults={
                "text": text,
                "max_score": max_score,
                "applies_to_home": home,
                "applies_to_new_overseas": new_overseas,
                "sort_order": order * 10,
                "is_active": True,
            },
        )


def unseed(apps, schema_editor):
    ChecklistItem = apps.get_model("orgs", "ChecklistItem")
    used = apps.get_model("orgs", "AssessmentScore").objects.values("item_id")
    ChecklistItem.objects.filter(code__in=[row[0] for row in ITEMS]).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_grassroots")]
    operations = [migrations.RunPython(seed, unseed)]
