"""The programmes and brands named in DOMAIN.md §4 and the seed (a configurable list)."""

from django.db import migrations

BRANDS = [
    ("侨法宣传月", "huiqiao", "每年3月在全市开展的侨法宣传活动：咨询、义诊、志愿服务、宣传资料、网上知识竞答。"),
    ("侨心向党", "ningxin", "“侨心向党”主题宣传教育活动。"),
    ("同舟讲坛", "ningxin", "面向侨界的形势任务宣讲与报告会系列。"),
    ("冬送温暖", "huiqiao", "冬季走访慰问困难归侨侨眷。"),
    ("夏送凉", "huiqiao", "夏季走访慰问困难归侨侨眷。"),
    ("春节慰问", "huiqiao", "春节前走访慰问老归侨、困难侨眷。"),
    ("寻根之旅", "huiqiao", "海外华裔青少年寻根之旅夏（冬）令营。"),
    ("金平果", "qiangji", "金山区侨联与平湖市侨联联合打造的区域合作品牌。"),
    ("新侨双创", "juli", "服务新侨创新创业。"),
    ("金侨文艺联盟", "ningxin", "金侨文艺联盟文艺巡演与展览。"),
]


def add(apps, schema_editor):
    Brand = apps.get_model("activities", "Brand")
    for order, (name, project, description) in enumerate(BRANDS, start=1):
        Brand.objects.get_or_create(
            name=name, defaults={"project": project, "description": description, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
