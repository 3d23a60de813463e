"""The entry form of the portal: what the author types and ticks, and the files.

Small files come in the multipart request (works without JavaScript); large videos are sent in
chunks beforehand by static/portal/upload.js, which puts the finished uploads' ids in
``upload_ids``. The declarations are never pre-ticked. All checks of content, counts, limits and
dates are made by ``contests.submission.entry_submit``; its errors are shown next to the fields.
"""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qiaolian.contests.models import Category, Contest
from qiaolian.portal.templatetags.portal import localized


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return localized(obj, "name")


class EntryForm(forms.Form):
    category = CategoryChoiceField(label=_("参赛组别"), queryset=Category.objects.none(), empty_label=None)
    title = forms.CharField(label=_("作品名称"), max_length=100)
    description = forms.CharField(
        label=_("作品说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    taken_on = forms.DateField(label=_("拍摄日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    taken_place = forms.CharField(label=_("拍摄地点"), max_length=100, required=False)
    files = MultipleFileField(
        label=_("作品文件"),
        required=False,
        help_text=_("图片须为 JPEG、PNG 或 HEIC 格式，视频须为 MP4 格式。"),
    )
    upload_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    originality_declared = forms.BooleanField(
        label=_("我声明：本作品为本人原创，未侵犯他人著作权，未在其他比赛中获奖。"), required=False
    )
    has_portraits = forms.BooleanField(label=_("作品中含有可辨认的人物肖像"), required=False)
    portrait_consent = forms.BooleanField(label=_("我已获得作品中人物本人（或其监护人）同意使用其肖像"), required=False)

    def __init__(self, *args, contest: Contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.contest = contest
        categories = Category.objects.filter(contest=contest).order_by("order", "id")
        self.fields["category"].queryset = categories
        self.fields["files"].widget.attrs["accept"] = "image/jpeg,image/png,image/heic,image/heif,video/mp4,.heic,.heif"
        if len(categories) == 1:
            self.fields["category"].initial = categories[0].pk

    def clean_upload_ids(self) -> list[uuid.UUID]:
        raw = [part.strip() for part in (self.cleaned_data.get("upload_ids") or "").split(",") if part.strip()]
        try:
            return [uuid.UUID(part) for part in raw[:20]]
        except ValueError:
            raise ValidationError(_("上传标识无效，请重新选择文件。")) from None

    def entry_data(self) -> dict:
        keys = ("title", "description", "taken_on", "taken_place", "originality_declared", "has_portraits")
        data = {key: self.cleaned_data.get(key) for key in keys}
        data["portrait_consent"] = self.cleaned_data.get("portrait_consent")
        return data
