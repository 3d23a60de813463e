from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.core.forms import ServiceModelForm
from qiaolian.orgs.models import CommitteeMember, Federation, PartnerFederation, Station, Term

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FederationForm(ServiceModelForm):
    class Meta:
        model = Federation
        fields = [
            "name",
            "short_name",
            "aliases",
            "level",
            "kind",
            "code",
            "parent",
            "established_on",
            "address",
            "sort_order",
            "is_active",
            "notes",
        ]
        widgets = {"established_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("请选择")
        if self.instance.pk and self.instance.parent_id is None:
            self.fields.pop("parent")

    def clean(self):
        data = super().clean()
        for name in ("name", "code"):
            value = data.get(name)
            if value and Federation.objects.filter(**{name: value}).exclude(pk=self.instance.pk).exists():
                self.add_error(name, _("已有同名（同编码）的侨联组织。"))
        return data


class StationForm(ServiceModelForm):
    class Meta:
        model = Station
        fields = [
            "name",
            "kind",
            "federation",
            "host_venue",
            "address",
            "opened_on",
            "contact_name",
            "is_active",
            "notes",
        ]
        widgets = {"opened_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations

    def clean(self):
        data = super().clean()
        if data.get("federation") and data.get("name"):
            clash = Station.objects.filter(federation=data["federation"], name=data["name"]).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error("name", _("该侨联下已有同名阵地。"))
        return data


class TermForm(ServiceModelForm):
    class Meta:
        model = Term
        fields = ["federation", "number", "congress_name", "starts_on", "ends_on", "notes"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        if self.instance.pk:
            self.fields.pop("federation")

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("届满日期应晚于开始日期。"))
        federation = data.get("federation") or (self.instance.federation if self.instance.pk else None)
        number = data.get("number")
        if federation and number:
            clash = Term.objects.filter(federation=federation, number=number).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("number", _("该侨联已有这一届。"))
        return data


class CommitteeMemberForm(ServiceModelForm):
    class Meta:
        model = CommitteeMember
        fields = ["name", "role", "is_full_time", "position", "sort_order"]


class PartnerForm(ServiceModelForm):
    class Meta:
        model = PartnerFederation
        fields = ["name", "region", "brand", "since", "contact", "is_active", "notes"]
        widgets = {"since": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = self.cleaned_data["name"]
        if PartnerFederation.objects.filter(name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("已有同名的合作侨联。"))
        return name


class StationFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"),
        required=False,
        choices=[("", gettext_lazy("全部")), *Station._meta.get_field("kind").choices],
    )
