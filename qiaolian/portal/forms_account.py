"""Forms of the portal's account pages. They parse input; the services decide (and check again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from qiaolian.orgs.models import Federation, Level
from qiaolian.portal.services import is_minor


def _required(field: forms.Field, message) -> forms.Field:
    field.error_messages["required"] = message
    return field


class SignupForm(forms.Form):
    contact = _required(
        forms.CharField(
            label=_("电子邮箱或手机号码"),
            max_length=120,
            help_text=_("中国大陆手机号可直接填写；境外号码请带国家代码，如 +1、+852。"),
            widget=forms.TextInput(attrs={"autocomplete": "username"}),
        ),
        _("请填写电子邮箱或手机号码。"),
    )
    display_name = _required(forms.CharField(label=_("姓名或称呼"), max_length=60), _("请填写姓名或称呼。"))
    password1 = _required(
        forms.CharField(
            label=_("密码"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=_("至少 10 位，不要只用数字或常见密码。"),
        ),
        _("请设置密码。"),
    )
    password2 = _required(
        forms.CharField(
            label=_("再次输入密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
        ),
        _("请再次输入密码。"),
    )
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("选填。未满 14 周岁的用户须由监护人同意后注册。"),
    )
    country = forms.ChoiceField(label=_("居住国家/地区"), required=False)
    city = forms.CharField(label=_("城市"), max_length=60, required=False)
    federation = forms.ModelChoiceField(
        label=_("所属街镇侨联"),
        queryset=Federation.objects.none(),
        required=False,
        empty_label=_("不选择（由区侨联受理）"),
    )
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=60, required=False)
    guardian_relation = forms.CharField(
        label=_("与监护人关系"), max_length=30, required=False, help_text=_("如 父亲、母亲")
    )
    guardian_contact = forms.CharField(label=_("监护人联系电话"), max_length=40, required=False)
    guardian_consent = forms.BooleanField(
        label=_(
            "我是上述未成年人的监护人，已阅读隐私政策，单独同意金山区侨联处理其个人信息"
            "（未满 14 周岁未成年人的个人信息属于敏感个人信息）。"
        ),
        required=False,
    )
    accept_privacy = _required(
        forms.BooleanField(label=_("我已阅读并同意《隐私政策》。"), required=True),
        _("请阅读并同意隐私政策。"),
    )
    notice_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("请选择")), *list(countries)]
        self.fields["federation"].queryset = Federation.objects.filter(level=Level.TOWN, is_active=True).order_by(
            "path"
        )

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        if is_minor(data.get("birth_date")):
            if not (data.get("guardian_name") or "").strip():
                self.add_error("guardian_name", _("未满 14 周岁须填写监护人姓名。"))
            if not (data.get("guardian_relation") or "").strip():
                self.add_error("guardian_relation", _("未满 14 周岁须填写与监护人的关系。"))
            if not (data.get("guardian_contact") or "").strip():
                self.add_error("guardian_contact", _("未满 14 周岁须填写监护人联系方式。"))
            if not data.get("guardian_consent"):
                self.add_error("guardian_consent", _("未满 14 周岁的用户须由监护人单独同意处理其个人信息后才能注册。"))
        return data


class CodeForm(forms.Form):
    code = _required(
        forms.CharField(
            label=_("验证码"),
            max_length=12,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        ),
        _("请填写验证码。"),
    )


class LoginForm(forms.Form):
    contact = _required(
        forms.CharField(
            label=_("电子邮箱或手机号码"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "username"})
        ),
        _("请填写电子邮箱或手机号码。"),
    )
    password = _required(
        forms.CharField(
            label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
        ),
        _("请填写密码。"),
    )


class ResetRequestForm(forms.Form):
    contact = _required(
        forms.CharField(label=_("注册时使用的电子邮箱或手机号码"), max_length=120),
        _("请填写电子邮箱或手机号码。"),
    )


class ResetConfirmForm(CodeForm):
    password1 = _required(
        forms.CharField(
            label=_("新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
        ),
        _("请设置新密码。"),
    )
    password2 = _required(
        forms.CharField(
            label=_("再次输入新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
        ),
        _("请再次输入新密码。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class ConsentForm(forms.Form):
    accept_privacy = _required(
        forms.BooleanField(label=_("我已阅读并同意新版《隐私政策》。"), required=True),
        _("请阅读并同意隐私政策。"),
    )
    notice_version = forms.CharField(widget=forms.HiddenInput, required=False)
