"""The seed's own classification of all work: every activity, campaign and service is filed
under one of the four projects, and reports group by it (PRODUCT.md §2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Project(models.TextChoices):
    NINGXIN = "ningxin", _("凝心工程")
    JULI = "juli", _("聚力工程")
    HUIQIAO = "huiqiao", _("惠侨工程")
    QIANGJI = "qiangji", _("强基工程")
