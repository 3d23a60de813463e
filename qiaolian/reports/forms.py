"""The period and federation pickers of the indicator pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiaolian.reports.selectors import federation_choices, period_presets


class PeriodForm(forms.Form):
    """From/to dates (default: the current year), a preset, and a federation within the user's
    jurisdiction (default: the user's own). Invalid input falls back to the defaults."""

    preset = forms.ChoiceField(label=_("常用期间"), required=False)
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    federation = forms.TypedChoiceField(label=_("侨联组织"), coerce=int, required=False)

    def __init__(self, data=None, *, user, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None:
            # the API and links use from/to
            for short, long in (("from", "date_from"), ("to", "date_to")):
                if short in data and long not in data:
                    data[long] = data[short]
        presets = period_presets()
        if data is not None and not data.get("preset"):
            # dates that are a preset's show as that preset
            span = (data.get("date_from"), data.get("date_to"))
            match = next((p.key for p in presets if span == (p.start.isoformat(), p.end.isoformat())), None)
            if match:
                data["preset"] = match
        super().__init__(data, **kwargs)
        self.user = user
        self.presets = presets
        if data is None:
            self.fields["preset"].initial = "this_year"
        self.fields["preset"].choices = [("", _("自定义")), *[(p.key, p.label) for p in self.presets]]
        self.federations = federation_choices(user=user)
        self.fields["federation"].choices = [(f.pk, f.name) for f in self.federations]

    def clean(self):
        data = super().clean()
        preset = {p.key: p for p in self.presets}.get(data.get("preset") or "")
        if preset:
            data["date_from"], data["date_to"] = preset.start, preset.end
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        year = timezone.localdate().year
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if self.is_bound and self.is_valid():
            start = self.cleaned_data.get("date_from") or start
            end = self.cleaned_data.get("date_to") or end
        return start, end

    def federation_id(self) -> int | None:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("federation"):
            return self.cleaned_data["federation"]
        return getattr(self.user, "federation_id", None)
