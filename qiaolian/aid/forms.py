from django import forms
from django.utils.translation import gettext_lazy as _

from qiaolian.aid.models import (
    AidKind,
    Campaign,
    CampaignStatus,
    Donation,
    DonationKind,
    NominationStatus,
)
from qiaolian.core.forms import ServiceModelForm
from qiaolian.registry import choices as c

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_ATTRS = {"inputmode": "decimal", "step": "0.01", "min": "0"}


def _all(choices) -> list:
    return [("", _("全部")), *choices]


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.CheckboxInput | forms.HiddenInput):
            continue
        field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


def _money_field(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=10,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
        error_messages={
            "invalid": _("请填写金额（元），如 800 或 800.00。"),
            "min_value": _("金额不能为负数。"),
            "max_decimal_places": _("金额最多保留两位小数。"),
            "max_digits": _("金额过大，请核对。"),
            "max_whole_digits": _("金额过大，请核对。"),
        },
        **kwargs,
    )


class CampaignForm(ServiceModelForm):
    hardship_types = forms.MultipleChoiceField(
        label=_("限困难类型"),
        required=False,
        choices=c.Hardship.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则不限"),
    )
    categories = forms.MultipleChoiceField(
        label=_("限身份类别"),
        required=False,
        choices=c.Category.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则不限"),
    )

    class Meta:
        model = Campaign
        fields = [
            "federation", "title", "kind", "year", "brand", "starts_on", "ends_on",
            "budget", "max_amount", "per_household",
            "requires_hardship", "hardship_types", "categories", "min_age", "max_age", "description",
        ]  # fmt: skip
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "budget": forms.NumberInput(attrs=MONEY_ATTRS),
            "max_amount": forms.NumberInput(attrs=MONEY_ATTRS),
        }

    def __init__(self, *args, federations=None, brands=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        if brands is not None:
            self.fields["brand"].queryset = brands
        self.fields["year"].required = False
        self.fields["year"].help_text = _("留空则取开始日期的年份")
        self.fields["brand"].help_text = _("冬送温暖、夏送凉、春节慰问留空时自动归入同名品牌")
        self.fields["title"].widget.attrs["placeholder"] = _("如 2022年冬送温暖")

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and high < low:
            self.add_error("max_age", _("最高年龄不能小于最低年龄。"))
        return data

    def service_data(self) -> dict:
        data = super().service_data()
        if not data.get("year"):
            data.pop("year", None)
        return data


class StandardForm(forms.Form):
    label = forms.CharField(
        label=_("对象"), max_length=60, error_messages={"required": _("请填写对象，如 孤寡高龄归侨。")}
    )
    category = forms.ChoiceField(label=_("身份类别"), required=False, choices=[("", _("不限")), *c.Category.choices])
    hardship_type = forms.ChoiceField(
        label=_("困难类型"), required=False, choices=[("", _("不限")), *c.Hardship.choices]
    )
    amount = _money_field(_("慰问金（元）"), required=False)
    goods = forms.CharField(label=_("慰问品"), max_length=150, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class NominationForm(forms.Form):
    """One person, picked in the registry search (only persons the user may see are accepted)."""

    person = forms.ModelChoiceField(
        label=_("帮扶对象"),
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("请从侨情库选择帮扶对象。"),
            "invalid_choice": _("所选侨情库人员不存在或不在您的管辖范围内。"),
        },
    )
    reason = forms.CharField(
        label=_("提名理由"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, **kwargs):
        from qiaolian.registry.selectors import person_scope

        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = person_scope(user=user, include_archived=True)
        _style(self)


class BulkNominationForm(forms.Form):
    """Several of the listed candidates at once."""

    persons = forms.ModelMultipleChoiceField(
        label=_("帮扶对象"),
        queryset=None,
        error_messages={
            "required": _("请至少勾选一人。"),
            "invalid_choice": _("所选侨情库人员不存在或不在您的管辖范围内。"),
            "invalid_pk_value": _("所选侨情库人员不存在或不在您的管辖范围内。"),
        },
    )
    reason = forms.CharField(label=_("提名理由"), required=False, max_length=500)

    def __init__(self, *args, user=None, **kwargs):
        from qiaolian.registry.selectors import person_scope

        super().__init__(*args, **kwargs)
        self.fields["persons"].queryset = person_scope(user=user)


class ApprovalForm(forms.Form):
    amount = _money_field(_("审批金额（元）"), required=False)
    goods = forms.CharField(label=_("慰问品"), max_length=150, required=False)
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class DecisionForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            (NominationStatus.DEFERRED, NominationStatus.DEFERRED.label),
            (NominationStatus.REJECTED, NominationStatus.REJECTED.label),
            (NominationStatus.NOMINATED, NominationStatus.NOMINATED.label),
        ]
    )
    note = forms.CharField(label=_("理由"), max_length=200, required=False)


class HandOverForm(forms.Form):
    visited_on = forms.DateField(
        label=_("走访日期"),
        widget=DATE,
        error_messages={"required": _("请填写走访日期。"), "invalid": _("日期格式应为 YYYY-MM-DD。")},
    )
    visitors = forms.CharField(
        label=_("走访人员"),
        max_length=150,
        error_messages={"required": _("请填写走访人员。")},
        help_text=_("如 区侨联 王主席、朱泾镇侨联 李干事"),
    )
    cash_amount = _money_field(_("实发慰问金（元）"), required=False)
    goods = forms.CharField(label=_("实发慰问品"), max_length=150, required=False)
    received_by = forms.CharField(
        label=_("代签人"), max_length=60, required=False, help_text=_("本人不能签收时填写，如 女儿 张丽")
    )
    photo = forms.ImageField(
        label=_("走访照片"),
        required=False,
        error_messages={"invalid_image": _("上传的文件不是可识别的图片，请上传 JPG 或 PNG 图片。")},
    )
    signature = forms.ImageField(
        label=_("签收签名（图片）"),
        required=False,
        help_text=_("在手机上拍摄签名或签收表，或上传签名板导出的图片"),
        error_messages={"invalid_image": _("上传的文件不是可识别的图片，请上传 JPG 或 PNG 图片。")},
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        for name in ("photo", "signature"):
            self.fields[name].widget.attrs.update(accept="image/*", capture="environment")


class BulkHandOverForm(forms.Form):
    visited_on = forms.DateField(
        label=_("走访日期"),
        widget=DATE,
        error_messages={"required": _("请填写走访日期。"), "invalid": _("走访日期格式应为 YYYY-MM-DD。")},
    )
    visitors = forms.CharField(label=_("走访人员"), max_length=150, error_messages={"required": _("请填写走访人员。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class NominationFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名、拼音或证件号"), required=False, max_length=60)
    campaign = forms.ModelChoiceField(label=_("帮扶专项"), required=False, queryset=None)
    federation = forms.ModelChoiceField(label=_("所属侨联"), required=False, queryset=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_all(NominationStatus.choices))

    def __init__(self, *args, campaigns=None, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["federation"].queryset = federations
        for name in ("campaign", "federation"):
            self.fields[name].empty_label = _("全部")
        _style(self)


class CampaignFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("帮扶类型"), required=False, choices=_all(AidKind.choices))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_all(CampaignStatus.choices))

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _all([(y, str(y)) for y in years])
        _style(self)


class DonationForm(ServiceModelForm):
    class Meta:
        model = Donation
        fields = [
            "federation", "donor_kind", "association", "donor_name", "country", "received_on", "kind",
            "amount", "goods", "purpose", "receipt_number", "notes",
        ]  # fmt: skip
        widgets = {
            "received_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "amount": forms.NumberInput(attrs=MONEY_ATTRS),
        }

    def __init__(self, *args, federations=None, associations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        if associations is not None:
            self.fields["association"].queryset = associations
        self.fields["donor_name"].required = False
        self.fields["donor_name"].help_text = _("选择了海外社团时可留空，自动取社团名称")

    def clean(self):
        data = super().clean()
        if not (data.get("donor_name") or "").strip() and not data.get("association"):
            self.add_error("donor_name", _("请填写捐赠方，或选择已登记的海外社团。"))
        if data.get("kind") == DonationKind.GOODS and not (data.get("goods") or "").strip():
            self.add_error("goods", _("捐赠物资的，请填写物资明细。"))
        return data

    def service_data(self) -> dict:
        data = super().service_data()
        data["donor_name"] = (data.get("donor_name") or "").strip()
        return data


class AllocationForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("转入帮扶专项"), required=False, queryset=None)
    recipient = forms.CharField(
        label=_("或 受赠单位/对象"), max_length=120, required=False, help_text=_("如 金山区公共卫生中心")
    )
    allocated_on = forms.DateField(
        label=_("拨付日期"),
        widget=DATE,
        error_messages={"required": _("请填写拨付日期。"), "invalid": _("日期格式应为 YYYY-MM-DD。")},
    )
    amount = _money_field(_("金额（元）"), required=True)
    description = forms.CharField(label=_("说明"), max_length=200, required=False, help_text=_("如 口罩 5000 只"))

    def __init__(self, *args, campaigns=None, instance=None, **kwargs):
        super().__init__(*args, **kwargs)  # ``instance``: the API's form binding passes one; not a model form
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].empty_label = _("（不转入专项）")
        self.fields["amount"].error_messages["required"] = _("请填写金额（元）。")
        _style(self)
