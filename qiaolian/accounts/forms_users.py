"""Forms of the account pages (district administrator). They only parse input: the services
check role against federation, password strength, self-protection and jurisdiction."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.accounts.models import Role, User
from qiaolian.accounts.selectors import UserFilters
from qiaolian.core.forms import ServiceModelForm


class FederationChoiceField(forms.ModelChoiceField):
    """Federations indented by their place in the tree."""

    def label_from_instance(self, obj) -> str:
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


PASSWORD_WIDGET = forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False)


class PasswordPairMixin:
    """Two password inputs that must match; strength is checked by the service, so its
    messages land on ``password``."""

    def clean(self):
        data = super().clean()
        first, second = data.get("password"), data.get("password_confirm")
        if first and second and first != second:
            self.add_error("password_confirm", _("两次输入的密码不一致。"))
        return data


def _password_fields(label) -> tuple[forms.CharField, forms.CharField]:
    return (
        forms.CharField(
            label=label,
            strip=False,
            widget=PASSWORD_WIDGET,
            help_text=gettext_lazy("至少 10 位，不能全是数字，不能与用户名相近或过于常见。"),
        ),
        forms.CharField(label=gettext_lazy("再次输入密码"), strip=False, widget=PASSWORD_WIDGET),
    )


class UserFormMixin:
    def _setup_federation(self, federations) -> None:
        field = self.fields["federation"]
        self.fields["federation"] = FederationChoiceField(
            queryset=federations if federations is not None else field.queryset,
            required=False,
            label=field.label,
            empty_label=gettext_lazy("无（公众用户）"),
            help_text=gettext_lazy(
                "区侨联管理员、工作人员、领导和审计员选区侨联；街镇/园区工作人员和阵地负责人选所在街镇或村居。"
            ),
        )
        self.fields["display_name"].required = True


class UserCreateForm(PasswordPairMixin, UserFormMixin, ServiceModelForm):
    password, password_confirm = _password_fields(gettext_lazy("初始密码"))

    class Meta:
        model = User
        fields = ["username", "display_name", "role", "federation"]

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_federation(federations)
        self.fields["role"].initial = Role.TOWN_STAFF
        self.fields["username"].help_text = _("登录用，建议用姓名拼音，如 zhangwei；只能用字母、数字和 @/./+/-/_。")

    def service_data(self) -> dict:
        return {**super().service_data(), "password": self.cleaned_data["password"]}


class UserUpdateForm(UserFormMixin, ServiceModelForm):
    class Meta:
        model = User
        fields = ["display_name", "role", "federation", "is_active"]

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_federation(federations)
        self.fields["is_active"].label = _("在用")
        self.fields["is_active"].help_text = _("取消勾选即停用：不能再登录，已登录的会话随之失效；账号和记录都会保留。")


class UserPasswordForm(PasswordPairMixin, forms.Form):
    password, password_confirm = _password_fields(gettext_lazy("新密码"))


class UserFilterForm(forms.Form):
    """The list page's search and filters, parsed into the selector's ``UserFilters``."""

    ACTIVE_CHOICES = [("", gettext_lazy("全部")), ("1", gettext_lazy("在用")), ("0", gettext_lazy("已停用"))]

    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("用户名或姓名"), "type": "search"}),
    )
    role = forms.ChoiceField(label=gettext_lazy("角色"), required=False, choices=[("", gettext_lazy("全部"))])
    federation = FederationChoiceField(
        label=gettext_lazy("所在侨联"),
        required=False,
        queryset=None,
        empty_label=gettext_lazy("全部"),
    )
    active = forms.ChoiceField(label=gettext_lazy("状态"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, federations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("全部")), *Role.choices]
        self.fields["federation"].queryset = federations
        for name in ("role", "federation", "active"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs["class"] = "form-control"

    def filters(self) -> UserFilters:
        if not self.is_valid():
            return UserFilters()
        data = self.cleaned_data
        active = {"1": True, "0": False}.get(data["active"])
        return UserFilters(query=data["q"].strip(), role=data["role"], federation=data["federation"], is_active=active)
