import datetime as dt
import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.core.forms import ServiceModelForm
from qiaolian.orgs.models import (
    CommitteeMember,
    CommitteeRole,
    ElectionMethod,
    Federation,
    Group,
    GroupKind,
    GroupMember,
    MentoringPair,
    PartnerFederation,
    Station,
    Term,
)

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


def _chinese_required(form: forms.Form) -> None:
    for field in form.fields.values():
        label = field.label or ""
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            field.error_messages["required"] = _("请选择%(label)s。") % {"label": label}
        else:
            field.error_messages["required"] = _("请填写%(label)s。") % {"label": label}
        if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
            field.empty_label = _("请选择")


# Elections -------------------------------------------------------------------------------------

MEMBER_LINE = re.compile(r"[\s\u3000]+")
FULL_TIME_PREFIX = "专职"


def committee_roles_by_label() -> dict[str, str]:
    """Role words as they are written on a committee list: the Chinese titles, whatever language
    the page is in (a list pasted from a document is in Chinese), and the role codes."""
    from django.utils import translation

    with translation.override("zh-hans"):
        roles = {str(label): value for value, label in CommitteeRole.choices}
    return {**roles, **{value: value for value in CommitteeRole.values}}


def parse_committee_lines(text: str) -> list[dict]:
    """ "职务 姓名 [工作单位及职务]" per line → member dicts for ``election_record``. A role written
    as 专职副主席 seats a full-time vice chair. Raises ValidationError naming the line."""
    roles = committee_roles_by_label()
    members = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = MEMBER_LINE.split(line, maxsplit=2)
        if len(parts) < 2:
            raise forms.ValidationError(
                _("第%(line)s行“%(text)s”：请按“职务 姓名”填写，中间用空格分开。") % {"line": number, "text": line}
            )
        label, name = parts[0], parts[1]
        full_time = label.startswith(FULL_TIME_PREFIX) and label != FULL_TIME_PREFIX
        role = roles.get(label[len(FULL_TIME_PREFIX) :] if full_time else label)
        if role is None:
            raise forms.ValidationError(
                _("第%(line)s行：无法识别职务“%(role)s”，可用的职务：%(roles)s。")
                % {"line": number, "role": label, "roles": "、".join(r for r in roles if r not in CommitteeRole.values)}
            )
        if len(name) > 60:
            raise forms.ValidationError(_("第%(line)s行：姓名过长。") % {"line": number})
        members.append(
            {
                "role": role,
                "name": name,
                "is_full_time": full_time,
                "position": parts[2][:150] if len(parts) > 2 else "",
            }
        )
    return members


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ElectionForm(forms.Form):
    federation = forms.ModelChoiceField(label=gettext_lazy("侨联组织"), queryset=Federation.objects.none())
    held_on = forms.DateField(label=gettext_lazy("选举日期"), widget=DATE)
    congress_name = forms.CharField(
        label=gettext_lazy("代表大会"), max_length=100, help_text=gettext_lazy("如 朱泾镇侨联第三次归侨侨眷代表大会")
    )
    method = forms.ChoiceField(label=gettext_lazy("选举方式"), choices=ElectionMethod.choices, widget=forms.RadioSelect)
    method_note = forms.CharField(label=gettext_lazy("选举方式说明"), max_length=200, required=False)
    delegate_count = forms.IntegerField(label=gettext_lazy("代表人数"), min_value=1, required=False)
    new_term_number = forms.IntegerField(label=gettext_lazy("新一届届次"), min_value=1)
    new_term_ends_on = forms.DateField(
        label=gettext_lazy("新一届届满日期"),
        widget=DATE,
        required=False,
        help_text=gettext_lazy("留空则按五年任期计算（选举日期五年后的前一天）。"),
    )
    members = forms.CharField(
        label=gettext_lazy("当选委员"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 10, "placeholder": gettext_lazy("主席 张三 镇党委统战委员\n副主席 李四\n委员 王五")}
        ),
        help_text=gettext_lazy(
            "每行一人：职务 姓名 [工作单位及职务]，用空格分开；"
            "职务可写 主席、专职副主席、副主席、秘书长、常委、委员、名誉主席、顾问。"
        ),
    )
    notes = forms.CharField(label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    documents = MultipleFileField(
        label=gettext_lazy("换届材料"),
        required=False,
        help_text=gettext_lazy("可多选：请示、批复、选举结果报告、代表名单等。"),
    )

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        _chinese_required(self)

    def clean_members(self):
        return parse_committee_lines(self.cleaned_data.get("members") or "")

    def clean(self):
        data = super().clean()
        held_on = data.get("held_on")
        if held_on and not data.get("new_term_ends_on") and "new_term_ends_on" not in self.errors:
            try:
                data["new_term_ends_on"] = held_on.replace(year=held_on.year + 5) - dt.timedelta(days=1)
            except ValueError:  # 29 February
                data["new_term_ends_on"] = dt.date(held_on.year + 5, 2, 28)
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["documents"] = [(upload.name, upload) for upload in data.pop("documents", [])]
        return data


class ElectionDocumentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=150, required=False)
    file = forms.FileField(label=gettext_lazy("文件"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _chinese_required(self)


class ElectionFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), required=False, coerce=int, empty_value=None)
    federation = forms.ModelChoiceField(
        label=gettext_lazy("侨联组织"), required=False, queryset=Federation.objects.none()
    )

    def __init__(self, *args, years=(), federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部年度")), *[(y, str(y)) for y in years]]
        if federations is not None:
            self.fields["federation"].queryset = federations
        self.fields["federation"].empty_label = _("全部")


# Station assessments ---------------------------------------------------------------------------


class StationAssessmentForm(forms.Form):
    """One score (and note) per applicable checklist item, fields ``score_<code>``/``note_<code>``."""

    assessed_on = forms.DateField(label=gettext_lazy("考评日期"), widget=DATE)
    assessor = forms.CharField(label=gettext_lazy("考评人"), max_length=100)
    notes = forms.CharField(label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"score_{item.code}"] = forms.IntegerField(
                label=item.text,
                widget=forms.NumberInput(attrs={"min": 0, "max": item.max_score, "step": 1}),
                error_messages={"invalid": _("“%(item)s”的得分应为整数。") % {"item": item.text}},
            )
            self.fields[f"note_{item.code}"] = forms.CharField(
                label=_("%(item)s 说明") % {"item": item.text}, max_length=200, required=False
            )
        _chinese_required(self)
        for item in self.items:
            self.fields[f"score_{item.code}"].error_messages["required"] = _("请填写“%(item)s”的得分。") % {
                "item": item.text
            }

    def rows(self):
        return [(item, self[f"score_{item.code}"], self[f"note_{item.code}"]) for item in self.items]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "assessed_on": data["assessed_on"],
            "assessor": data["assessor"],
            "notes": data.get("notes", ""),
            "scores": {
                item.code: (data[f"score_{item.code}"], data.get(f"note_{item.code}", "")) for item in self.items
            },
        }


# Groups ----------------------------------------------------------------------------------------


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.birth_date.year}）" if obj.birth_date else obj.name


class GroupForm(ServiceModelForm):
    class Meta:
        model = Group
        fields = ["kind", "name", "federation", "partner", "founded_on", "is_active", "description"]
        widgets = {"founded_on": DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, federations=None, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        if partners is not None:
            self.fields["partner"].queryset = partners
        self.fields["partner"].empty_label = _("无")

    def clean(self):
        data = super().clean()
        if data.get("federation") and data.get("name"):
            clash = Group.objects.filter(federation=data["federation"], name=data["name"]).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("该侨联下已有同名团体。"))
        return data


class GroupMemberForm(ServiceModelForm):
    person = PersonChoiceField(label=gettext_lazy("侨情库人员"), required=False, queryset=GroupMember.objects.none())

    class Meta:
        model = GroupMember
        fields = ["name", "person", "role", "joined_on", "left_on"]
        widgets = {"joined_on": DATE, "left_on": DATE}

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("选择了侨情库人员时可不填")
        if persons is not None:
            self.fields["person"].queryset = persons
        self.fields["person"].empty_label = _("不关联")


class MentoringPairForm(ServiceModelForm):
    mentor_person = PersonChoiceField(
        label=gettext_lazy("导师（侨情库）"), required=False, queryset=MentoringPair.objects.none()
    )
    mentee_person = PersonChoiceField(
        label=gettext_lazy("学员（侨情库）"), required=False, queryset=MentoringPair.objects.none()
    )

    class Meta:
        model = MentoringPair
        fields = ["mentor_name", "mentor_person", "mentee_name", "mentee_person", "partner_side", "started_on", "notes"]
        widgets = {"started_on": DATE}

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        for side in ("mentor", "mentee"):
            self.fields[f"{side}_name"].required = False
            if persons is not None:
                self.fields[f"{side}_person"].queryset = persons
            self.fields[f"{side}_person"].empty_label = _("不关联")


class GroupFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"), required=False, choices=[("", gettext_lazy("全部")), *GroupKind.choices]
    )
