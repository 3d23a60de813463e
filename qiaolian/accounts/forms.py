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
