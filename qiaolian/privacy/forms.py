from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureConfirmForm(forms.Form):
    confirm_name = forms.CharField(
        label=_("请输入该人员的姓名以确认"),
        max_length=60,
        help_text=_("删除后不能恢复。"),
    )
