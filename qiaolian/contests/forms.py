"""Forms of the staff contest pages: they validate input; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from qiaolian.accounts.models import Role, User
from qiaolian.contests.models import Award, CategoryKind, Contest, ContestStatus, EntryStatus
from qiaolian.contests.selectors import ContestFilters, EntryFilters
from qiaolian.contests.services import criteria_weight_error
from qiaolian.core.forms import BLANK_LABEL, ServiceModelForm

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ContestFilterForm(forms.Form):
    q = forms.CharField(label=_("名称"), required=False, max_length=60)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *ContestStatus.choices])
    federation = forms.ModelChoiceField(label=_("主办侨联"), required=False, queryset=None, empty_label=_("全部侨联"))

    def __init__(self, *args, years=(), federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部年度")), *[(y, y) for y in years]]
        self.fields["federation"].queryset = federations

    def filters(self) -> ContestFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return ContestFilters(
            query=(data.get("q") or "").strip(),
            year=data.get("year"),
            status=data.get("status") or "",
            federation_id=getattr(data.get("federation"), "pk", None),
        )

    def as_audit(self) -> dict:
        return {k: v for k, v in self.data.items() if v and k != "cursor"}


class ContestForm(ServiceModelForm):
    judges = forms.ModelMultipleChoiceField(
        label=_("评委"), required=False, queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Contest
        fields = [
            "federation",
            "title",
            "title_en",
            "year",
            "project",
            "opens_at",
            "closes_at",
            "max_entries_per_author",
            "theme",
            "theme_en",
            "eligibility",
            "eligibility_en",
            "rules",
            "rules_en",
        ]
        widgets = {
            "opens_at": DATETIME,
            "closes_at": DATETIME,
            "theme": forms.Textarea(attrs={"rows": 3}),
            "theme_en": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
            "eligibility_en": forms.Textarea(attrs={"rows": 2}),
            "rules": forms.Textarea(attrs={"rows": 5}),
            "rules_en": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations
        self.fields["judges"].queryset = User.objects.filter(role=Role.JUDGE, is_active=True).order_by(
            "display_name", "username"
        )
        if self.instance.pk:
            self.initial.setdefault("judges", list(self.instance.judges.values_list("pk", flat=True)))
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("征集截止时间须晚于开始时间。"))
        return data


class RowForm(forms.Form):
    """A row of a table of inputs (categories, criteria): compact inputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            if isinstance(f.widget, forms.Select):
                f.widget.attrs["class"] = "form-select form-select-sm"
            elif isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs["class"] = "form-check-input"
            elif not f.widget.is_hidden:
                f.widget.attrs["class"] = "form-control form-control-sm"
                f.widget.attrs["aria-label"] = str(f.label)
                if name in ("min_files", "max_files"):
                    f.widget.attrs["style"] = "width: 4.5rem; display: inline-block"

    def has_changed(self) -> bool:
        """A row counts once it has a name (or is an existing row); blank extra rows are ignored."""
        if not self.is_bound:
            return False
        return bool((self.data.get(self.add_prefix("name")) or "").strip() or self.data.get(self.add_prefix("id")))


class CategoryForm(RowForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("组别"), max_length=60)
    name_en = forms.CharField(label=_("英文名称"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("作品类型"), choices=[("", BLANK_LABEL), *CategoryKind.choices])
    min_files = forms.IntegerField(label=_("最少文件数"), min_value=1, max_value=20, initial=1)
    max_files = forms.IntegerField(label=_("最多文件数"), min_value=1, max_value=20, initial=1)
    max_file_mb = forms.IntegerField(label=_("单个文件上限（MB）"), min_value=1, max_value=2048, initial=20)
    min_long_side = forms.IntegerField(label=_("图片长边下限（像素）"), min_value=0, max_value=20000, initial=1000)
    max_duration_seconds = forms.IntegerField(
        label=_("视频时长上限（秒）"), min_value=1, max_value=7200, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("min_files") and data.get("max_files") and data["max_files"] < data["min_files"]:
            self.add_error("max_files", _("最多文件数不能少于最少文件数。"))
        if data.get("kind") == CategoryKind.VIDEO and not data.get("max_duration_seconds"):
            self.add_error("max_duration_seconds", _("微视频组别请填写时长上限。"))
        return data


class CriterionForm(RowForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("评分项"), max_length=60)
    name_en = forms.CharField(label=_("英文名称"), max_length=100, required=False)
    weight = forms.IntegerField(label=_("权重（%）"), min_value=1, max_value=100)
    max_score = forms.IntegerField(label=_("满分"), min_value=1, max_value=100, initial=10)


class BaseRowFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """The kept rows as dicts for the service (blank extra rows and deleted rows left out)."""
        rows = []
        for form in self.forms:
            if not form.has_changed() and not form.cleaned_data.get("id"):
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            if not data.get("id"):
                data.pop("id", None)
            rows.append(data)
        return rows


class BaseCriterionFormSet(BaseRowFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = self.rows()
        if rows:
            message = criteria_weight_error(r["weight"] for r in rows)
            if message:
                raise forms.ValidationError(message)


CategoryFormSet = forms.formset_factory(CategoryForm, formset=BaseRowFormSet, extra=1, can_delete=True)
CriterionFormSet = forms.formset_factory(CriterionForm, formset=BaseCriterionFormSet, extra=1, can_delete=True)


class EntryFilterForm(forms.Form):
    q = forms.CharField(label=_("编号/名称/作者"), required=False, max_length=60)
    category = forms.TypedChoiceField(label=_("组别"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *EntryStatus.choices])
    award = forms.ChoiceField(
        label=_("奖项"),
        required=False,
        choices=[("", _("全部")), ("any", _("获奖作品")), ("none", _("未获奖")), *Award.choices],
    )
    country = forms.ChoiceField(label=_("国家/地区"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("全部组别")), *[(c.pk, c.name) for c in categories]]
        self.fields["country"].choices = [("", _("全部国家/地区")), *list(countries)]

    def filters(self) -> EntryFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return EntryFilters(
            query=(data.get("q") or "").strip(),
            category_id=data.get("category"),
            status=data.get("status") or "",
            award=data.get("award") or "",
            country=data.get("country") or "",
        )

    def as_audit(self) -> dict:
        return {k: v for k, v in self.data.items() if v and k != "cursor"}


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(choices=[("eligible", _("审查通过")), ("ineligible", _("不符合要求"))])
    reason = forms.CharField(label=_("不符合原因"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "ineligible" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("请填写不符合要求的原因。"))
        return data


class AwardSuggestForm(forms.Form):
    first = forms.IntegerField(label=_("一等奖"), min_value=0, max_value=100, initial=1)
    second = forms.IntegerField(label=_("二等奖"), min_value=0, max_value=100, initial=2)
    third = forms.IntegerField(label=_("三等奖"), min_value=0, max_value=100, initial=3)
    excellence = forms.IntegerField(label=_("优秀奖"), min_value=0, max_value=500, initial=5)


class ObjectionForm(forms.Form):
    raised_by = forms.CharField(label=_("异议人"), max_length=60)
    contact = forms.CharField(label=_("联系方式"), max_length=100, required=False)
    reason = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ObjectionResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("处理结果"),
        choices=[("1", _("异议成立")), ("0", _("异议不成立"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}))


class ScoreForm(forms.Form):
    """One field per criterion of the contest: 0 … max score, one decimal."""

    comment = forms.CharField(label=_("评语"), max_length=200, required=False)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"criterion_{c.pk}"] = forms.DecimalField(
                label=c.name,
                min_value=0,
                max_value=c.max_score,
                decimal_places=1,
                max_digits=5,
                help_text=_("满分 %(max)s，权重 %(weight)s%%") % {"max": c.max_score, "weight": c.weight},
                widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": c.max_score}),
                error_messages={
                    "required": _("请为“%(name)s”打分。") % {"name": c.name},
                    "max_value": _("分数不能超过 %(max)s。") % {"max": c.max_score},
                    "min_value": _("分数不能小于 0。"),
                    "max_decimal_places": _("最多保留一位小数。"),
                },
            )
        order = [f"criterion_{c.pk}" for c in self.criteria] + ["comment"]
        self.order_fields(order)

    def values(self) -> dict[int, object]:
        return {c.pk: self.cleaned_data.get(f"criterion_{c.pk}") for c in self.criteria}
