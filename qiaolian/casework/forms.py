"""Forms of the case pages: opening a case (its fields depend on the type), correcting it, the
steps of the workflow (built from the step's details in ``services.TRANSITIONS``), notes,
attachments and the list's filters. The services check everything again; forms only parse."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiaolian.casework.models import (
    TYPE_RULES,
    AppealTopic,
    Case,
    CaseType,
    ConsultationTopic,
    Outcome,
    RightsCategory,
    Satisfaction,
    State,
    SuggestionTopic,
)
from qiaolian.casework.services import DETAIL_MESSAGES, Step
from qiaolian.core.forms import BLANK_LABEL, ServiceModelForm
from qiaolian.registry.choices import Hardship

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

COMMON_FIELDS = [
    "federation", "title", "description", "channel", "received_on",
    "requester_name", "requester_phone", "person", "enterprise",
]  # fmt: skip
TYPE_FIELD_ORDER = [
    "category", "appeal_topic", "consultation_topic", "hardship_type", "suggestion_topic",
    "opposing_party", "amount_involved", "amount_requested", "is_cross_border",
]  # fmt: skip


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput | forms.RadioSelect | forms.HiddenInput):
            continue
        field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


def type_fields(case_type: str) -> list[str]:
    """The type's own fields in the order the form shows them (the enterprise is common)."""
    own = TYPE_RULES[case_type].fields
    return [name for name in TYPE_FIELD_ORDER if name in own]


class CaseForm(ServiceModelForm):
    """Open a case of one type, or correct one (``instance``: type, receiving federation and the
    day of receipt are then fixed). The phone starts empty on edit: leaving it empty keeps the
    stored number, shown masked beside the field."""

    requester_phone = forms.CharField(
        label=_("联系电话"), required=False, max_length=40, help_text=_("境外号码请带国家代码，如 +1、+852")
    )

    class Meta:
        model = Case
        fields = [*COMMON_FIELDS, *TYPE_FIELD_ORDER]
        widgets = {
            "received_on": DATE,
            "description": forms.Textarea(attrs={"rows": 5}),
            "person": forms.HiddenInput,
        }

    def __init__(self, *args, case_type: str, federations=None, persons=None, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        rule = TYPE_RULES[case_type]
        keep = set(COMMON_FIELDS) | set(rule.fields)
        if self.instance.pk:
            keep -= {"federation", "received_on"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in rule.required:
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = _("%(type)s须填写“%(label)s”。") % {
                "type": CaseType(case_type).label,
                "label": self.fields[name].label,
            }
        self.fields["requester_name"].required = False
        self.fields["requester_name"].help_text = _("关联侨情库人员时可留空，自动取其姓名")
        if "federation" in self.fields:
            self.fields["federation"].required = False  # the service takes the user's own by default
            if federations is not None:
                self.fields["federation"].queryset = federations
        if "received_on" in self.fields:
            self.fields["received_on"].required = False
            self.fields["received_on"].help_text = _("办理期限自受理日期起按工作日计算（不含节假日，含调休上班日）")
            self.initial.setdefault("received_on", timezone.localdate())
        if persons is not None:
            self.fields["person"].queryset = persons
        self.fields["person"].error_messages["invalid_choice"] = _("所选侨情库人员不存在或不在您的管辖范围内。")
        if enterprises is not None:
            self.fields["enterprise"].queryset = enterprises
        self.fields["enterprise"].empty_label = BLANK_LABEL if case_type == CaseType.ENTERPRISE_APPEAL else _("不关联")
        self.fields["enterprise"].error_messages["invalid_choice"] = _("所选企业不存在或不在您的管辖范围内。")
        self.initial["requester_phone"] = ""
        stored = self.instance.requester_phone if self.instance.pk else None
        if stored:
            self.fields["requester_phone"].help_text = _("已登记：%(masked)s。留空表示不修改。") % {
                "masked": stored.masked
            }

    def common_fields(self) -> list:
        return [self[name] for name in COMMON_FIELDS if name in self.fields and name != "person"]

    def own_fields(self) -> list:
        return [self[name] for name in type_fields(self.case_type) if name in self.fields]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}
        if not self.instance.pk:
            data["type"] = self.case_type
        return data


# The steps of the workflow ------------------------------------------------------------------

DETAIL_FIELDS = {
    "assignee": lambda: forms.ModelChoiceField(label=_("承办人"), queryset=None, required=False),
    "handling_federation": lambda: forms.ModelChoiceField(
        label=_("承办侨联"),
        queryset=None,
        required=False,
        help_text=_("移交其他侨联办理时选择（如街镇移交区侨联）；两级侨联都能看到本案件"),
    ),
    "reason": lambda: forms.CharField(label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 3})),
    "department": lambda: forms.CharField(
        label=_("转办单位"), max_length=100, help_text=_("如 区住房保障房屋管理局、区人力资源社会保障局、区法院")
    ),
    "reply": lambda: forms.CharField(label=_("部门答复"), widget=forms.Textarea(attrs={"rows": 3})),
    "outcome": lambda: forms.ChoiceField(label=_("办理结果"), choices=[("", BLANK_LABEL), *Outcome.choices]),
    "resolution": lambda: forms.CharField(label=_("办结情况"), widget=forms.Textarea(attrs={"rows": 3})),
    "satisfaction": lambda: forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect
    ),
    "note": lambda: forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})),
    "on": lambda: forms.DateField(
        label=_("办理日期"), required=False, widget=DATE, help_text=_("默认今天；补录时填写实际日期")
    ),
}


class StepForm(forms.Form):
    """The details of one step (``services.Step``), prefixed by its target state so that the
    case page can hold one form per allowed step."""

    def __init__(self, *args, to: str, step: Step, assignees=None, federations=None, prefixed=True, **kwargs):
        super().__init__(*args, prefix=f"step-{to}" if prefixed else None, **kwargs)
        self.to, self.step = to, step
        for name in step.details:
            field = DETAIL_FIELDS[name]()
            if name in DETAIL_MESSAGES:
                field.error_messages["required"] = DETAIL_MESSAGES[name]
            self.fields[name] = field
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = assignees
            self.fields["assignee"].empty_label = _("（不指定）")
            self.fields["assignee"].label_from_instance = lambda u: f"{u}（{u.federation.short_name or u.federation}）"
        if "handling_federation" in self.fields:
            self.fields["handling_federation"].queryset = federations
            self.fields["handling_federation"].empty_label = _("（不移交）")
        self.initial.setdefault("on", timezone.localdate())
        _style(self)

    def details(self) -> dict:
        """What ``case_transition`` takes: the filled-in details (empty optional ones left out)."""
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("备注内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写备注内容。")},
    )
    is_visible_to_requester = forms.BooleanField(
        label=_("当事人可见"), required=False, help_text=_("不勾选为内部备注，仅工作人员可见")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件"), error_messages={"required": _("请选择文件。")})
    title = forms.CharField(label=_("名称"), max_length=150, required=False, help_text=_("留空则用文件名"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


# The list's filters -------------------------------------------------------------------------


def topic_choices() -> list:
    """Every type's own categories, grouped by type ("category:property" …)."""
    groups = [
        (CaseType.RIGHTS.label, "category", RightsCategory.choices),
        (CaseType.ENTERPRISE_APPEAL.label, "appeal_topic", AppealTopic.choices),
        (CaseType.CONSULTATION.label, "consultation_topic", ConsultationTopic.choices),
        (CaseType.AID_REQUEST.label, "hardship_type", Hardship.choices),
        (CaseType.SUGGESTION.label, "suggestion_topic", SuggestionTopic.choices),
    ]
    return [
        ("", _("全部")),
        *((label, [(f"{name}:{value}", text) for value, text in choices]) for label, name, choices in groups),
    ]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("编号、事由、当事人或电话"), required=False, max_length=60)
    type = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *CaseType.choices])
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *State.choices])
    topic = forms.ChoiceField(label=_("类别"), required=False)
    federation = forms.ModelChoiceField(label=_("受理或承办侨联"), required=False, queryset=None)
    deadline = forms.ChoiceField(
        label=_("期限"),
        required=False,
        choices=[
            ("", _("全部")),
            ("open", _("办理中（未办结）")),
            ("due_soon", _("即将到期（3 个工作日内）")),
            ("overdue", _("已超期")),
        ],
    )
    date_from = forms.DateField(label=_("受理日期自"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("至"), required=False, widget=DATE)
    mine = forms.BooleanField(label=_("只看我承办的"), required=False)

    def __init__(self, *args, federations=None, fixed_type: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations
        self.fields["federation"].empty_label = _("全部")
        choices = topic_choices()
        if fixed_type:
            del self.fields["type"]
            label = CaseType(fixed_type).label
            choices = [choices[0], *(group for group in choices[1:] if group[0] == label)]
        self.fields["topic"].choices = choices
        _style(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data
