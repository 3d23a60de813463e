import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from qiaolian.core.forms import ServiceModelForm
from qiaolian.liaison.models import (
    AssociationType,
    Camp,
    ContactKind,
    Enrolment,
    EnrolmentStatus,
    InteractionKind,
    OverseasAssociation,
    OverseasContact,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


def _country_choices():
    return [("", _("全部")), *list(countries)]


class AssociationForm(ServiceModelForm):
    class Meta:
        model = OverseasAssociation
        fields = [
            "federation", "name", "type", "country", "city", "leaders", "relationship", "last_contact_on", "notes",
        ]  # fmt: skip
        widgets = {"last_contact_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations

    def clean_last_contact_on(self):
        day = self.cleaned_data.get("last_contact_on")
        if day and day > dt.date.today():
            raise forms.ValidationError(_("最近联系日期不能晚于今天。"))
        return day


class AssociationFilterForm(forms.Form):
    q = forms.CharField(label=_("社团名称"), required=False, max_length=60)
    country = forms.ChoiceField(label=_("国家/地区"), required=False)
    type = forms.ChoiceField(label=_("社团类型"), required=False, choices=[("", _("全部")), *AssociationType.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices()
        _style(self)


class ContactForm(ServiceModelForm):
    """Create or edit a contact. The phone starts empty on edit: leaving it empty keeps the
    stored value, shown masked beside the field."""

    phone = forms.CharField(label=_("电话"), required=False, max_length=40, help_text=_("境外号码请带国家代码，如 +1"))

    class Meta:
        model = OverseasContact
        fields = [
            "federation", "name", "foreign_name", "kind", "country", "city", "association", "organization",
            "position", "person", "phone", "notes",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "person": forms.NumberInput()}

    def __init__(self, *args, federations=None, associations=None, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        if associations is not None:
            self.fields["association"].queryset = associations
        if persons is not None:
            self.fields["person"].queryset = persons
        self.fields["person"].help_text = _("如此人已在侨情库登记，填写其人员编号（选填）。")
        self.fields["person"].error_messages["invalid_choice"] = _("侨情库中没有该人员编号，或不在您的管辖范围内。")
        self.initial["phone"] = ""
        stored = self.instance.phone if self.instance.pk else None
        if stored:
            self.fields["phone"].help_text = _("已登记：%(masked)s。留空表示不修改。") % {"masked": stored.masked}

    def clean_person(self):
        return self.cleaned_data.get("person")


class ContactFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名或外文名"), required=False, max_length=60)
    country = forms.ChoiceField(label=_("国家/地区"), required=False)
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部")), *ContactKind.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices()
        _style(self)


class InteractionForm(forms.Form):
    occurred_on = forms.DateField(label=_("日期"), widget=DATE, initial=dt.date.today)
    kind = forms.ChoiceField(label=_("方式"), choices=InteractionKind.choices)
    summary = forms.CharField(label=_("内容摘要"), widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    due_on = forms.DateField(label=_("到期日"), widget=DATE)
    what = forms.CharField(label=_("跟进事项"), max_length=200)


class CampForm(ServiceModelForm):
    class Meta:
        model = Camp
        fields = [
            "federation", "title", "mode", "organizer", "starts_on", "ends_on", "capacity", "min_age", "max_age",
            "description",
        ]  # fmt: skip
        widgets = {"starts_on": DATE, "ends_on": DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations


class SessionForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE)
    topic = forms.CharField(label=_("主题"), max_length=120)


class EnrolmentForm(ServiceModelForm):
    passport_number = forms.CharField(label=_("护照号码"), required=False, max_length=30)

    class Meta:
        model = Enrolment
        fields = [
            "name", "foreign_name", "sex", "birth_date", "country", "city", "school", "chinese_level", "languages",
            "guardian_name", "guardian_relation", "guardian_consent", "passport_number", "status",
        ]  # fmt: skip
        widgets = {"birth_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (v, label) for v, label in EnrolmentStatus.choices if v != EnrolmentStatus.ATTENDED
        ]
        self.fields["guardian_consent"].help_text = _("未满 14 周岁须取得监护人同意（《个人信息保护法》第三十一条）。")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=EnrolmentStatus.choices)
