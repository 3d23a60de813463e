import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from qiaolian.activities.models import Activity, ActivityKind, Brand, Campaign, Mode, Role, Status
from qiaolian.core.forms import ServiceModelForm
from qiaolian.core.projects import Project

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _all(choices) -> list:
    return [("", _("全部")), *choices]


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


class ActivityForm(ServiceModelForm):
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME, input_formats=DATETIME_FORMATS)

    class Meta:
        model = Activity
        fields = [
            "federation", "title", "kind", "project", "campaign", "brand",
            "co_federations", "partners", "stations", "other_organizers",
            "mode", "place", "online_platform", "starts_at", "ends_at", "capacity", "budget", "is_published",
        ]  # fmt: skip
        widgets = {
            "co_federations": forms.SelectMultiple(attrs={"size": 6}),
            "partners": forms.CheckboxSelectMultiple,
            "stations": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, federations=None, campaigns=None, brands=None, co_federations=None,
                 partners=None, stations=None, **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("federation", federations),
            ("campaign", campaigns),
            ("brand", brands),
            ("co_federations", co_federations),
            ("partners", partners),
            ("stations", stations),
        ):
            if queryset is not None:
                self.fields[name].queryset = queryset
        self.fields["co_federations"].help_text = _("按住 Ctrl（Mac 为 ⌘）可多选。")
        self.fields["stations"].help_text = _("在侨之家或新侨驿站举办时选择，按住 Ctrl 可多选。")
        self.fields["campaign"].help_text = _("如 2022年侨法宣传月；活动日期须在专项起止日期内。")

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("结束时间不能早于开始时间。"))
        return data


class ReportForm(forms.Form):
    summary = forms.CharField(
        label=_("活动总结"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请填写活动总结。")},
    )
    audience = forms.IntegerField(label=_("现场人数"), required=False, min_value=0, help_text=_("未逐一登记的到场人数"))
    online_views = forms.IntegerField(label=_("线上观看/参与人次"), required=False, min_value=0)
    is_published = forms.BooleanField(label=_("在门户发布"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class RegistrationForm(forms.Form):
    """A named participant who is not picked from the registry (a cadre, a guest)."""

    name = forms.CharField(label=_("姓名"), max_length=60, error_messages={"required": _("请填写姓名。")})
    organization = forms.CharField(label=_("单位"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices, initial=Role.PARTICIPANT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class PersonPickForm(forms.Form):
    """A person picked from the registry search; only persons the user may see are accepted."""

    person = forms.ModelChoiceField(
        label=_("侨情库人员"),
        queryset=None,
        error_messages={
            "required": _("请从侨情库选择人员。"),
            "invalid_choice": _("所选侨情库人员不存在或不在您的管辖范围内。"),
        },
    )
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices, initial=Role.PARTICIPANT)

    def __init__(self, *args, user=None, **kwargs):
        from qiaolian.registry.selectors import person_scope

        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = person_scope(user=user)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("签到码"),
        max_length=20,
        error_messages={"required": _("请输入或扫描签到码。")},
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg text-center font-monospace",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autofocus": True,
                "inputmode": "latin",
                "placeholder": "ABCD6789",
            }
        ),
    )


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("时间"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    topic = forms.CharField(label=_("主题"), max_length=150)
    speaker = forms.CharField(label=_("主讲人"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class PhotoForm(forms.Form):
    image = forms.ImageField(
        label=_("照片"),
        error_messages={
            "required": _("请选择照片。"),
            "invalid_image": _("上传的文件不是可识别的图片，请上传 JPG 或 PNG 照片。"),
        },
    )
    caption = forms.CharField(label=_("说明"), max_length=150, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["image"].widget.attrs["accept"] = "image/*"


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件"), error_messages={"required": _("请选择文件。")})
    title = forms.CharField(label=_("名称"), max_length=150, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ActivityFilterForm(forms.Form):
    q = forms.CharField(label=_("名称或地点"), required=False, max_length=60)
    project = forms.ChoiceField(label=_("所属工程"), required=False, choices=_all(Project.choices))
    kind = forms.ChoiceField(label=_("活动类型"), required=False, choices=_all(ActivityKind.choices))
    campaign = forms.ModelChoiceField(label=_("所属专项"), required=False, queryset=Campaign.objects.none())
    brand = forms.ModelChoiceField(label=_("品牌/系列"), required=False, queryset=Brand.objects.none())
    federation = forms.ModelChoiceField(label=_("主办侨联"), required=False, queryset=None)
    own = forms.BooleanField(label=_("不含下级组织"), required=False)
    mode = forms.ChoiceField(label=_("形式"), required=False, choices=_all(Mode.choices))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_all(Status.choices))
    date_from = forms.DateField(label=_("开始日期自"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("至"), required=False, widget=DATE)
    station = forms.IntegerField(required=False, widget=forms.HiddenInput)
    partner = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, federations=None, campaigns=None, brands=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations
        self.fields["campaign"].queryset = campaigns
        self.fields["brand"].queryset = brands
        for name in ("campaign", "brand", "federation"):
            self.fields[name].empty_label = _("全部")
        _style(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


class CampaignForm(ServiceModelForm):
    class Meta:
        model = Campaign
        fields = ["federation", "title", "brand", "project", "starts_on", "ends_on", "description"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, federations=None, brands=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        if brands is not None:
            self.fields["brand"].queryset = brands

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return data


class BrandForm(ServiceModelForm):
    class Meta:
        model = Brand
        fields = ["name", "project", "description", "is_active", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


def month_of(value: str | None, today: dt.date) -> tuple[int, int]:
    """``YYYY-MM`` from the calendar's query string, or this month."""
    try:
        year, month = (int(part) for part in (value or "").split("-", 1))
        if 1900 < year < 2200 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return today.year, today.month
