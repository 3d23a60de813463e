"""The search keys of records whose own tables have none (cases and activities).

Persons and enterprises carry their normalized keys in their own rows (``name_key``,
``name_pinyin``, ``name_initials``, set by their services, bulk paths included). A case's or an
activity's title is stored as typed, so the normalized form (one script, case-folded, pinyin
and initials beside it) lives here, one row per record, kept by signals (``signals.py``) and
rebuilt by ``manage.py search_rebuild``. Rows here carry no federation: every search still
starts from the owning app's selector and only uses this table to narrow it by id.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from qiaolian.core.fields import SearchKeyField


class KeyKind(models.TextChoices):
    CASE = "case", _("诉求案件")
    ACTIVITY = "activity", _("活动")


class TitleKey(models.Model):
    kind = models.CharField(_("类别"), max_length=16, choices=KeyKind.choices)
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    key = SearchKeyField(max_length=200)
    pinyin = SearchKeyField(max_length=600)
    initials = SearchKeyField(max_length=200)

    class Meta:
        verbose_name = _("标题检索键")
        verbose_name_plural = _("标题检索键")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_titlekey_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.key}"
