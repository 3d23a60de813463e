from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.accounts.models import Role


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": gettext_lazy("用户名或密码不正确。连续输错多次后账号将被暂时锁定。"),
        "inactive": gettext_lazy("该账号已停用，请联系区侨联管理员。"),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.role == Role.PUBLIC:
            raise ValidationError(_("公众账号请从侨联门户网站登录。"), code="public_user")


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("用途"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：数据对接、统计脚本")}),
    )


class TwoFactorCodeForm(forms.Form):
    """The six-digit code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=32,
        help_text=gettext_lazy("请输入身份验证器应用中显示的 6 位数字；手机不在身边时，可输入一个恢复码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false", "autocapitalize": "off"}
        ),
    )


class TwoFactorEnrolForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("6 位验证码"),
        max_length=12,
        help_text=gettext_lazy("添加账号后，输入应用中显示的 6 位数字以确认。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ConfirmIdentityForm(forms.Form):
    """Re-authentication: the password, and a code when the user has an authenticator."""

    password = forms.CharField(
        label=gettext_lazy("登录密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label=gettext_lazy("两步验证码"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("身份验证器中的 6 位数字，或一个恢复码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def __init__(self, *args, needs_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_code:
            self.fields["code"].required = True
        else:
            del self.fields["code"]
