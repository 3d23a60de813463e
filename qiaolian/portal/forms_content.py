"""Staff forms for portal content: news and privacy notice versions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiaolian.activities.selectors import activity_scope
from qiaolian.core.forms import ServiceModelForm
from qiaolian.orgs.selectors import federation_choices
from qiaolian.portal.models import News, PrivacyNotice


class NewsForm(ServiceModelForm):
    class Meta:
        model = News
        fields = ["federation", "title", "title_en", "body", "body_en", "activity"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10}), "body_en": forms.Textarea(attrs={"rows": 10})}
        help_texts = {"title_en": _("英文页面显示；留空时显示中文标题"), "activity": _("选填：新闻所报道的活动")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federation_choices(user=user)
        # recent activities (two years back) keep the list short; the current link stays selectable
        recent = activity_scope(user=user).filter(starts_at__gte=timezone.now() - dt.timedelta(days=730))
        if self.instance.activity_id:
            recent = recent | activity_scope(user=user).filter(pk=self.instance.activity_id)
        self.fields["activity"].queryset = recent.order_by("-starts_at")
        self.fields["activity"].required = False
        if len(self.fields["federation"].queryset) == 1 and not self.initial.get("federation"):
            self.initial["federation"] = self.fields["federation"].queryset[0].pk


class PrivacyNoticeForm(ServiceModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ["version", "published_at", "text", "text_en"]
        widgets = {
            "published_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "text": forms.Textarea(attrs={"rows": 16}),
            "text_en": forms.Textarea(attrs={"rows": 16}),
        }
        help_texts = {
            "version": _("如 1.1、2.0"),
            "published_at": _("到此时间起作为现行版本；此前的同意仍按原版本记录，用户下次登录时须重新同意"),
            "text": _("繁體页面由简体自动转换"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if not self.is_bound:
            self.initial.setdefault("published_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
