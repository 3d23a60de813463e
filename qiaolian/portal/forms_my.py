"""Forms of the "my" pages. They only parse input; the services in ``mine`` decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from qiaolian.casework.models import ConsultationTopic, RightsCategory, SuggestionTopic
from qiaolian.liaison.models import ChineseLevel
from qiaolian.registry.choices import Hardship, Sex

BLANK = [("", _("请选择"))]


class DateInput(forms.DateInput):
    input_type = "date"


def _required_messages(form: forms.Form) -> None:
    for field in form.fields.values():
        label = field.label or ""
        if isinstance(field, forms.ChoiceField):
            field.error_messages["required"] = _("请选择%(label)s。") % {"label": label}
        else:
            field.error_messages["required"] = _("请填写%(label)s。") % {"label": label}


class ProfileChangeForm(forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=60)
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=30,
        required=False,
        help_text=_("如需修改请填写新号码；境外号码请带国家代码，如 +1、+852。留空表示不修改。"),
    )
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DateInput)
    country = forms.ChoiceField(label=_("居住国家/地区"), required=False)
    city = forms.CharField(label=_("城市"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [*BLANK, *list(countries)]
        _required_messages(self)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("phone"):
            data.pop("phone", None)  # a masked number is shown; an empty box keeps it
        return data


class RegisterForm(forms.Form):
    """Confirms a self-registration (a button; nothing to fill in)."""


class EnrolmentForm(forms.Form):
    name = forms.CharField(label=_("营员中文姓名"), max_length=60)
    foreign_name = forms.CharField(label=_("外文名"), max_length=100, required=False)
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("出生日期"), widget=DateInput)
    country = forms.ChoiceField(label=_("国家/地区"))
    city = forms.CharField(label=_("城市"), max_length=60, required=False)
    school = forms.CharField(label=_("就读学校"), max_length=120, required=False)
    chinese_level = forms.ChoiceField(label=_("中文水平"), choices=BLANK + list(ChineseLevel.choices), required=False)
    languages = forms.CharField(label=_("语言"), max_length=100, required=False, help_text=_("如 英语、法语"))
    passport_number = forms.CharField(
        label=_("护照号码"),
        max_length=30,
        required=False,
        help_text=_("加密保存，页面上只显示部分号码。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    guardian_name = forms.CharField(
        label=_("监护人姓名"), max_length=60, required=False, help_text=_("营员开营时未满 14 周岁须填写。")
    )
    guardian_relation = forms.CharField(label=_("与监护人关系"), max_length=30, required=False)
    # never pre-ticked, and separate from anything else on the page (PIPL Art. 31)
    guardian_consent = forms.BooleanField(
        label=_("我是营员的监护人，同意侨联为本次报名处理营员的个人信息（未满 14 周岁须勾选）"),
        required=False,
        initial=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [*BLANK, *list(countries)]
        _required_messages(self)
        for name, field in self.fields.items():
            if name == "guardian_consent":
                field.widget.attrs["class"] = "form-check-input"
            else:
                css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


TOPIC_FIELDS = {
    "aid": "hardship_type",
    "rights": "category",
    "consultation": "consultation_topic",
    "suggestion": "suggestion_topic",
}


class RequestForm(forms.Form):
    KINDS = [
        ("aid", _("帮扶申请")),
        ("rights", _("侨益维护")),
        ("consultation", pgettext_lazy("request kind", "咨询")),
        ("suggestion", _("建言献策")),
    ]
    kind = forms.ChoiceField(
        label=_("申请类型"), choices=KINDS, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    hardship_type = forms.ChoiceField(label=_("困难类型"), choices=BLANK + list(Hardship.choices), required=False)
    category = forms.ChoiceField(label=_("维权类别"), choices=BLANK + list(RightsCategory.choices), required=False)
    consultation_topic = forms.ChoiceField(
        label=_("咨询事项"), choices=BLANK + list(ConsultationTopic.choices), required=False
    )
    suggestion_topic = forms.ChoiceField(
        label=_("建言领域"), choices=BLANK + list(SuggestionTopic.choices), required=False
    )
    title = forms.CharField(label=_("标题"), max_length=120, help_text=_("用一句话概括您的事项"))
    description = forms.CharField(label=_("具体内容"), widget=forms.Textarea(attrs={"rows": 6}))
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        required=False,
        help_text=_("留空则使用账号的手机号码。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required_messages(self)
        for name, field in self.fields.items():
            if name == "kind":
                continue
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in TOPIC_FIELDS:
            name = TOPIC_FIELDS[kind]
            if not data.get(name):
                self.add_error(name, _("请选择%(label)s。") % {"label": self.fields[name].label})
        return data

    def topic(self) -> str:
        return self.cleaned_data.get(TOPIC_FIELDS.get(self.cleaned_data.get("kind"), ""), "")


class DeletionForm(forms.Form):
    password = forms.CharField(
        label=_("当前密码"),
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )
    detail = forms.CharField(
        label=_("说明（可不填）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    confirm = forms.BooleanField(
        label=_("我知道注销后将无法登录，报名、申请等记录将与账号解除关联"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required_messages(self)
        self.fields["confirm"].error_messages["required"] = _("请勾选确认。")
