from django import forms
from django.utils.translation import gettext_lazy

from qiaolian.audit.models import Action
from qiaolian.audit.selectors import AuditFilters

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("操作"),
        required=False,
        choices=[("", gettext_lazy("全部")), *Action.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    actor = forms.CharField(
        label=gettext_lazy("操作人账号"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    target_type = forms.ChoiceField(
        label=gettext_lazy("对象类型"),
        required=False,
        choices=[
            ("", gettext_lazy("全部")),
            ("registry.person", gettext_lazy("人员")),
            ("registry.household", gettext_lazy("家庭户")),
            ("registry.overseastie", gettext_lazy("海外亲属")),
            ("orgs.federation", gettext_lazy("侨联组织")),
            ("orgs.station", gettext_lazy("阵地")),
            ("orgs.term", gettext_lazy("届次")),
            ("accounts.user", gettext_lazy("用户")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    target_id = forms.CharField(
        label=gettext_lazy("对象编号"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    date_from = forms.DateField(label=gettext_lazy("开始日期"), required=False, widget=DATE)
    date_to = forms.DateField(label=gettext_lazy("结束日期"), required=False, widget=DATE)

    def filters(self) -> AuditFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return AuditFilters(
            action=data.get("action") or "",
            actor=(data.get("actor") or "").strip(),
            target_type=data.get("target_type") or "",
            target_id=(data.get("target_id") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
