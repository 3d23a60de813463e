"""Forms of the 侨企 pages. The API validates through the same forms (``core.api.bound_form``),
so a rule and its message live in one place."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from qiaolian.core.forms import BLANK_LABEL, ServiceModelForm
from qiaolian.enterprises.models import (
    CIIE,
    AppealTopic,
    Enterprise,
    Industry,
    InvestmentLead,
    InvestorOrigin,
    InvestorType,
    LeadStage,
    Visit,
)
from qiaolian.enterprises.validators import parse_credit_code

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _all(choices) -> list:
    return [("", _("全部")), *choices]


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


def _country_choices(blank=None) -> list:
    return [("", blank or _("全部")), *list(countries)]


def _year_choices(years) -> list:
    return [("", _("全部")), *((str(y), str(y)) for y in years)]


# Enterprises --------------------------------------------------------------------------------

ENTERPRISE_FIELDSETS = [
    (_("企业信息"), ["federation", "name", "credit_code", "industry", "address", "established_on", "is_active"]),
    (_("投资方"), ["investor_type", "investor_origin", "investor_country", "registered_capital", "employees"]),
    (_("法定代表人与联系人"), ["legal_representative", "contact_name", "contact_phone", "person"]),
    (_("其他"), ["notes"]),
]


class EnterpriseForm(ServiceModelForm):
    """Create or edit an enterprise. The contact phone starts empty on edit: leaving it empty
    keeps the stored value, shown masked beside the field."""

    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        required=False,
        max_length=30,
        help_text=_("18位，含最后一位校验位；尚未取得可暂不填写"),
    )
    contact_phone = forms.CharField(
        label=_("联系电话"), required=False, max_length=40, help_text=_("手机或固话；境外号码请带国家代码，如 +852")
    )

    class Meta:
        model = Enterprise
        fields = [
            "federation", "name", "credit_code", "investor_type", "investor_origin", "investor_country",
            "industry", "address", "established_on", "registered_capital", "employees", "legal_representative",
            "contact_name", "contact_phone", "person", "notes", "is_active",
        ]  # fmt: skip
        widgets = {
            "established_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "person": forms.NumberInput(),
        }

    def __init__(self, *args, federations=None, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        if persons is not None:
            self.fields["person"].queryset = persons
        self.fields["investor_country"].choices = _country_choices(BLANK_LABEL)
        self.fields["person"].help_text = _("创办人或投资人已在侨情库登记时，填写其人员编号（选填）。")
        self.fields["person"].error_messages["invalid_choice"] = _("侨情库中没有该人员编号，或不在您的管辖范围内。")
        self.fields["registered_capital"].widget.attrs["min"] = "0"
        self.fields["employees"].widget.attrs["min"] = "0"
        if self.instance.pk:
            self.initial["contact_phone"] = ""
            stored = self.instance.contact_phone
            if stored:
                self.fields["contact_phone"].help_text = _("已登记：%(masked)s。留空表示不修改。") % {
                    "masked": stored.masked
                }

    def clean_credit_code(self):
        value = (self.cleaned_data.get("credit_code") or "").strip()
        return parse_credit_code(value) if value else ""

    def clean_established_on(self):
        day = self.cleaned_data.get("established_on")
        if day and day > dt.date.today():
            raise forms.ValidationError(_("成立日期不能晚于今天。"))
        return day

    def clean_registered_capital(self):
        value = self.cleaned_data.get("registered_capital")
        if value is not None and value < 0:
            raise forms.ValidationError(_("注册资本不能为负数。"))
        return value


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label=_("企业名称/拼音/信用代码"), required=False, max_length=60)
    investor_type = forms.ChoiceField(label=_("企业类型"), required=False, choices=_all(InvestorType.choices))
    investor_origin = forms.ChoiceField(label=_("投资方身份"), required=False, choices=_all(InvestorOrigin.choices))
    country = forms.ChoiceField(label=_("投资方国家/地区"), required=False)
    industry = forms.ChoiceField(label=_("行业"), required=False, choices=_all(Industry.choices))
    federation = forms.ModelChoiceField(label=_("所属侨联"), required=False, queryset=None, empty_label=_("全部"))
    ciie_year = forms.TypedChoiceField(label=_("参加进博会"), required=False, coerce=int, empty_value=None)
    active = forms.ChoiceField(
        label=_("经营状态"), required=False, choices=[("", _("全部")), ("1", _("在营")), ("0", _("已停业/迁出"))]
    )

    def __init__(self, *args, federations=None, ciie_years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations
        self.fields["country"].choices = _country_choices()
        self.fields["ciie_year"].choices = _year_choices(ciie_years)
        _style(self)

    def as_audit(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: str(v) for k, v in data.items() if v not in (None, "")}


class ExhibitionForm(forms.Form):
    year = forms.IntegerField(
        label=_("年份"), min_value=1990, max_value=2100, error_messages={"required": _("请填写年份。")}
    )
    exhibition = forms.CharField(
        label=_("展会/项目"),
        max_length=80,
        initial=CIIE,
        error_messages={"required": _("请填写展会或项目名称。")},
        widget=forms.TextInput(attrs={"list": "exhibition-names"}),
    )
    booth = forms.CharField(label=_("展位"), max_length=60, required=False)
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)


# Visits and appeals -------------------------------------------------------------------------


class VisitForm(ServiceModelForm):
    class Meta:
        model = Visit
        fields = ["visited_on", "visitors", "visitor_names", "received_by", "notes"]
        widgets = {
            "visited_on": DATE,
            "visitors": forms.SelectMultiple(attrs={"size": 6}),
            "notes": forms.Textarea(attrs={"rows": 4, "placeholder": _("企业经营情况、了解到的困难、宣传的政策等")}),
        }

    def __init__(self, *args, visitors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visitors is not None:
            self.fields["visitors"].queryset = visitors
        self.fields["visitors"].label_from_instance = lambda u: f"{u} · {u.federation.short_name}"
        self.fields["visitors"].help_text = _("系统中的工作人员，按住 Ctrl（Mac 为 ⌘）可多选。")
        self.fields["visitors"].error_messages["invalid_choice"] = _("所选走访人员不在可选范围内。")

    def clean_visited_on(self):
        day = self.cleaned_data.get("visited_on")
        if day and day > dt.date.today():
            raise forms.ValidationError(_("走访日期不能晚于今天。"))
        return day

    def clean(self):
        data = super().clean()
        if not data.get("visitors") and not (data.get("visitor_names") or "").strip() and "visitors" not in self.errors:
            self.add_error("visitors", _("请选择走访人员，或在“其他走访人员”中填写姓名。"))
        return data

    def service_data(self) -> dict:
        data = super().service_data()
        data["visitors"] = list(data.get("visitors") or [])
        return data


class AppealForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("诉求类别"),
        choices=[("", BLANK_LABEL), *AppealTopic.choices],
        error_messages={"required": _("请选择诉求类别。")},
    )
    title = forms.CharField(label=_("诉求事由"), max_length=120, error_messages={"required": _("请填写诉求事由。")})
    description = forms.CharField(
        label=_("诉求内容"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写诉求内容。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class AppealRowForm(AppealForm):
    """One row of appeals on the visit form: a row left empty is no appeal, a row begun must be
    completed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def clean(self):
        data = super().clean()
        if any((data.get(name) or "").strip() for name in ("topic", "title", "description")):
            for name in ("topic", "title", "description"):
                if not (data.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, AppealForm.base_fields[name].error_messages["required"])
        return data


class BaseAppealFormSet(forms.BaseFormSet):
    def appeals(self) -> list[dict]:
        """The appeals filled in (blank rows are left out)."""
        return [
            {k: form.cleaned_data[k] for k in ("topic", "title", "description")}
            for form in self.forms
            if form.cleaned_data and (form.cleaned_data.get("title") or "").strip()
        ]


AppealFormSet = forms.formset_factory(AppealRowForm, formset=BaseAppealFormSet, extra=2, max_num=20, validate_max=True)


class VisitFilterForm(forms.Form):
    q = forms.CharField(label=_("企业"), required=False, max_length=60)
    year = forms.TypedChoiceField(label=_("年份"), required=False, coerce=int, empty_value=None)
    federation = forms.ModelChoiceField(label=_("所属侨联"), required=False, queryset=None, empty_label=_("全部"))
    with_appeals = forms.BooleanField(label=_("只看有诉求的走访"), required=False)

    def __init__(self, *args, federations=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations
        self.fields["year"].choices = _year_choices(years)
        _style(self)
        self.fields["with_appeals"].widget.attrs["class"] = "form-check-input"


# Investment leads ---------------------------------------------------------------------------

LEAD_FIELDSETS = [
    (_("项目"), ["federation", "project", "industry", "amount", "introduced_on"]),
    (_("投资方与引荐人"), ["investor", "investor_country", "introducer_contact", "introducer_name"]),
    (_("其他"), ["notes"]),
]


class LeadForm(ServiceModelForm):
    class Meta:
        model = InvestmentLead
        fields = [
            "federation", "project", "investor", "investor_country", "industry", "amount", "introduced_on",
            "introducer_contact", "introducer_name", "notes",
        ]  # fmt: skip
        widgets = {"introduced_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, federations=None, contacts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        if contacts is not None:
            self.fields["introducer_contact"].queryset = contacts
        self.fields["investor_country"].choices = _country_choices(BLANK_LABEL)
        self.fields["introducer_contact"].label_from_instance = lambda c: f"{c.name} · {c.country.name}"
        self.fields["introducer_contact"].error_messages["invalid_choice"] = _(
            "所选海外联系人不存在或不在您的管辖范围内。"
        )
        self.fields["amount"].widget.attrs["min"] = "0"

    def clean_introduced_on(self):
        day = self.cleaned_data.get("introduced_on")
        if day and day > dt.date.today():
            raise forms.ValidationError(_("引荐日期不能晚于今天。"))
        return day

    def clean_amount(self):
        value = self.cleaned_data.get("amount")
        if value is not None and value < 0:
            raise forms.ValidationError(_("意向投资额不能为负数。"))
        return value

    def clean(self):
        data = super().clean()
        named = data.get("introducer_contact") or (data.get("introducer_name") or "").strip()
        if not named and "introducer_contact" not in self.errors:
            self.add_error("introducer_contact", _("请选择引荐人（海外联系人），或在“引荐人”中填写姓名和身份。"))
        return data


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("项目/投资方/引荐人"), required=False, max_length=60)
    stage = forms.ChoiceField(label=_("进展"), required=False, choices=_all(LeadStage.choices))
    country = forms.ChoiceField(label=_("投资方国家/地区"), required=False)
    industry = forms.ChoiceField(label=_("行业"), required=False, choices=_all(Industry.choices))
    year = forms.TypedChoiceField(label=_("引荐年份"), required=False, coerce=int, empty_value=None)
    federation = forms.ModelChoiceField(label=_("跟进侨联"), required=False, queryset=None, empty_label=_("全部"))

    def __init__(self, *args, federations=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations
        self.fields["country"].choices = _country_choices()
        self.fields["year"].choices = _year_choices(years)
        _style(self)


class LeadAdvanceForm(forms.Form):
    to_stage = forms.ChoiceField(
        label=_("新进展"), choices=LeadStage.choices, error_messages={"required": _("请选择新进展。")}
    )
    on = forms.DateField(
        label=_("日期"), widget=DATE, initial=dt.date.today, error_messages={"required": _("请填写日期。")}
    )
    enterprise = forms.ModelChoiceField(
        label=_("落地企业"),
        required=False,
        queryset=None,
        empty_label=BLANK_LABEL,
        help_text=_("项目落地时选择；企业须先在侨资企业中登记"),
        error_messages={"invalid_choice": _("所选企业不存在或不在您的管辖范围内。")},
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=300,
        help_text=_("终止时请写明原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, stages=None, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stages is not None:
            self.fields["to_stage"].choices = [(s, LeadStage(s).label) for s in stages]
        self.fields["enterprise"].queryset = enterprises
        _style(self)
