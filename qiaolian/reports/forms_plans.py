"""Forms of the work plan pages: the plan itself and its targets as a grid (indicator × year)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from qiaolian.reports.models import WorkPlan
from qiaolian.reports.selectors import federation_choices
from qiaolian.reports.services import MAX_TARGET


class PlanForm(forms.ModelForm):
    """Federation (district or town within the user's jurisdiction; fixed once created), title,
    years and summary."""

    federation = forms.TypedChoiceField(label=_("侨联组织"), coerce=int)

    class Meta:
        model = WorkPlan
        fields = ["title", "start_year", "end_year", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.federations = {f.pk: f for f in federation_choices(user=user)}
        self.fields["federation"].choices = [(pk, f.name) for pk, f in self.federations.items()]
        self.order_fields(["federation", "title", "start_year", "end_year", "summary"])
        if self.instance.pk:
            del self.fields["federation"]
        for name in ("start_year", "end_year"):
            self.fields[name].widget.attrs.update(min=2000, max=2100)

    def clean_federation(self):
        return self.federations[self.cleaned_data["federation"]]

    def _post_clean(self):
        # the service validates and saves; the form only converts the input
        pass

    def plan_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items()}


def cell_name(code: str, year: int) -> str:
    return f"t__{code}__{year}"


class TargetGridForm(forms.Form):
    """One optional number per indicator and year. Bad cells keep what was typed and say why."""

    def __init__(self, *args, indicators, years, initial_values: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators, self.years = list(indicators), list(years)
        for indicator in self.indicators:
            for year in self.years:
                name = cell_name(indicator.code, year)
                value = initial_values.get((indicator.code, year))
                self.fields[name] = forms.CharField(
                    label=_("%(name)s（%(year)s年）") % {"name": indicator.name, "year": year},
                    required=False,
                    initial=_plain(value) if value is not None else "",
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control form-control-sm"}),
                )

    def rows(self) -> list[dict]:
        return [{"indicator": i, "cells": [self[cell_name(i.code, y)] for y in self.years]} for i in self.indicators]

    def clean(self):
        data = super().clean()
        targets = {}
        for indicator in self.indicators:
            decimals = 2 if indicator.measure in ("sum", "avg") else 0
            for year in self.years:
                name = cell_name(indicator.code, year)
                raw = (data.get(name) or "").strip().replace(",", "").replace("，", "")
                if raw == "":
                    targets[(indicator.code, year)] = None
                    continue
                try:
                    value = Decimal(raw)
                except InvalidOperation:
                    self.add_error(name, _("“%(raw)s”不是数字。") % {"raw": raw})
                    continue
                if not value.is_finite() or value < 0:
                    self.add_error(name, _("目标值应为不小于 0 的数。"))
                elif value > MAX_TARGET:
                    self.add_error(name, _("数值过大。"))
                elif decimals == 0 and value != value.to_integral_value():
                    self.add_error(name, _("此指标按%(unit)s计，请填整数。") % {"unit": indicator.unit})
                elif value.as_tuple().exponent < -2:
                    self.add_error(name, _("最多保留两位小数。"))
                else:
                    targets[(indicator.code, year)] = value
        self.targets = targets
        return data


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
