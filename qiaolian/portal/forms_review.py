"""Forms of the staff review pages (profile changes, account links, data-subject requests)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReviewNoteForm(forms.Form):
    note = forms.CharField(
        label=_("审核意见"),
        max_length=200,
        required=False,
        help_text=_("申请人会看到；不予通过时必须填写。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HandlingForm(forms.Form):
    reason = forms.CharField(
        label=_("处理说明"),
        max_length=200,
        required=False,
        help_text=_("申请人会看到；不予办理时必须写明理由。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LinkPersonForm(forms.Form):
    person = forms.IntegerField(label=_("侨情库人员"), widget=forms.HiddenInput)
    verified = forms.BooleanField(
        label=_("我已核实账号持有人的身份（如查验证件或电话核实），确认其为该人员"),
        error_messages={"required": _("请先核实身份并勾选确认。")},
    )
