"""Forms of the entrepreneurship competition's projects: the project with its team and the list's
filters. The import checks its rows with ``ProjectForm`` too (``contests.importing``). The rules
across fields are the service's (``project_problems``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from qiaolian.contests import services_projects
from qiaolian.contests.models import (
    CompetitionProject,
    ProjectField,
    ProjectOutcome,
    ProjectStage,
    ReferralChannel,
    SourceRegion,
)
from qiaolian.contests.selectors_projects import HK_MACAO, ProjectFilters
from qiaolian.core.forms import BLANK_LABEL, ServiceModelForm
from qiaolian.core.text import clean
from qiaolian.core.validators import parse_phone

PROJECT_FIELDSETS = [
    (_("项目"), ["federation", "year", "name", "field", "stage", "summary"]),
    (_("来源与推荐"), ["source_region", "country", "referral_channel", "outcome"]),
    (_("负责人"), ["leader_name", "leader_phone"]),
]


def _all(choices) -> list:
    return [("", _("全部")), *choices]


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput | forms.HiddenInput):
            continue
        field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


def country_choices() -> list[tuple[str, str]]:
    return [(c.code, str(c.name)) for c in countries]


class ProjectForm(ServiceModelForm):
    leader_phone = forms.CharField(label=_("负责人电话"), required=False, max_length=40)

    class Meta:
        model = CompetitionProject
        fields = list(services_projects.PROJECT_FIELDS)
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, federations=None, check_duplicates: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_edit = bool(self.instance and self.instance.pk)
        # The import looks recorded projects up a chunk of rows at a time (contests.importing).
        self.check_duplicates = check_duplicates
        if federations is not None:
            self.fields["federation"].queryset = federations
        year_attrs = {"min": services_projects.YEAR_MIN, "max": services_projects.year_max()}
        self.fields["year"].widget.attrs.update(year_attrs)
        self.fields["country"].help_text = _("海外项目必填；香港、澳门、台湾、内地项目不填外国国家。")
        self.initial["leader_phone"] = ""
        stored = self.instance.leader_phone if self.is_edit else None
        if stored:
            hint = _("已登记：%(masked)s。留空表示不修改。") % {"masked": stored.masked}
            self.fields["leader_phone"].help_text = hint
        else:
            self.fields["leader_phone"].help_text = _("境外号码请带国家代码，如 +1、+852。")

    def clean_name(self) -> str:
        return clean(self.cleaned_data.get("name") or "")

    def clean_leader_name(self) -> str:
        return clean(self.cleaned_data.get("leader_name") or "")

    def clean_leader_phone(self) -> str:
        value = (self.cleaned_data.get("leader_phone") or "").strip()
        return parse_phone(value) if value else ""

    def clean(self):
        data = super().clean()
        problems = services_projects.project_problems(
            year=data.get("year"), source_region=data.get("source_region") or "", country=data.get("country") or ""
        )
        for name, message in problems.items():
            if name not in self.errors:
                self.add_error(name, message)
        year, name, leader = data.get("year"), data.get("name"), data.get("leader_name")
        if self.check_duplicates and year and name and leader and "year" not in self.errors:
            exclude = self.instance.pk if self.is_edit else None
            if services_projects.project_duplicate(year=year, name=name, leader_name=leader, exclude_pk=exclude):
                self.add_error("name", services_projects.duplicate_message(year=year, name=name, leader_name=leader))
        return data

    def project_data(self) -> dict:
        data = self.service_data()
        if self.is_edit and not data.get("leader_phone"):
            data.pop("leader_phone", None)
        return data


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60, required=False)
    role = forms.CharField(label=_("分工"), max_length=40, required=False)
    nationality = forms.ChoiceField(label=_("国籍/地区"), required=False, choices=())
    is_leader = forms.BooleanField(label=_("负责人"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", BLANK_LABEL), *country_choices()]
        _style(self)
        self.fields["is_leader"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        has_other = data.get("role") or data.get("nationality") or data.get("is_leader")
        if has_other and not clean(data.get("name") or "") and not data.get("DELETE"):
            self.add_error("name", _("请填写成员姓名，或清空这一行。"))
        return data


class BaseMemberFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("删除")

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if sum(1 for m in self.members() if m["is_leader"]) > 1:
            raise ValidationError(_("团队中只能有一位负责人。"))

    def members(self) -> list[dict]:
        out = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not clean(data.get("name") or ""):
                continue
            out.append({k: data.get(k) or ("" if k != "is_leader" else False) for k in services_projects.MEMBER_FIELDS})
        return out


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=2, can_delete=True, max_num=30, validate_max=True
)


def member_initial(project: CompetitionProject) -> list[dict]:
    return [
        {"name": m.name, "role": m.role, "nationality": m.nationality.code or "", "is_leader": m.is_leader}
        for m in project.members.all()
    ]


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("项目名称或负责人"), required=False, max_length=60)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    source_region = forms.ChoiceField(label=_("来源地区"), required=False)
    country = forms.ChoiceField(label=_("来源国家"), required=False)
    field = forms.ChoiceField(label=_("领域"), required=False, choices=_all(ProjectField.choices))
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=_all(ProjectStage.choices))
    referral_channel = forms.ChoiceField(label=_("推荐渠道"), required=False, choices=_all(ReferralChannel.choices))
    outcome = forms.ChoiceField(label=_("参赛结果"), required=False, choices=_all(ProjectOutcome.choices))
    federation = forms.ModelChoiceField(label=_("推荐侨联"), required=False, queryset=None, empty_label=_("全部"))

    def __init__(self, *args, federations=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations
        self.fields["year"].choices = _all([(y, str(y)) for y in years])
        self.fields["source_region"].choices = _all([*SourceRegion.choices, (HK_MACAO, _("港澳（香港+澳门）"))])
        self.fields["country"].choices = _all(country_choices())
        _style(self)

    def filters(self) -> ProjectFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return ProjectFilters(
            query=(data.get("q") or "").strip(),
            year=data.get("year"),
            source_region=data.get("source_region") or "",
            country=data.get("country") or "",
            field=data.get("field") or "",
            stage=data.get("stage") or "",
            referral_channel=data.get("referral_channel") or "",
            outcome=data.get("outcome") or "",
            federation_id=getattr(data.get("federation"), "pk", None),
        )
