"""Reads for reports: the federations a user may report on, the period presets, and the rows of
the "why this number" list. Figures themselves come from ``indicators.indicator_value``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qiaolian.orgs.models import Federation, Level
from qiaolian.reports.indicators import Indicator
from qiaolian.reports.rules import is_leader


def federation_choices(*, user) -> list[Federation]:
    """Federations a report can be made for: the district and town levels within the user's
    jurisdiction (a town user: its own federation, and below it nothing reportable)."""
    qs = Federation.objects.visible_to(user).filter(level__in=(Level.DISTRICT, Level.TOWN))
    own = getattr(user, "federation_id", None)
    return sorted(qs, key=lambda f: (f.pk != own, f.path))


def federation_for(*, user, federation=None) -> Federation:
    """``federation`` (an instance or id) if the user may see it, else 404; default the user's own."""
    pk = getattr(federation, "pk", federation)
    if pk is None:
        pk = getattr(user, "federation_id", None)
    found = Federation.objects.visible_to(user).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404("federation")
    if isinstance(federation, Federation):
        return federation  # the caller's instance, with what it has read already (its subtree)
    return found


@dataclass(frozen=True)
class Preset:
    key: str
    label: str | Promise
    start: dt.date
    end: dt.date


def period_presets(today: dt.date | None = None) -> list[Preset]:
    today = today or timezone.localdate()
    y = today.year
    return [
        Preset("this_year", _("今年"), dt.date(y, 1, 1), dt.date(y, 12, 31)),
        Preset("last_year", _("去年"), dt.date(y - 1, 1, 1), dt.date(y - 1, 12, 31)),
        Preset("2018_2022", _("2018—2022年"), dt.date(2018, 1, 1), dt.date(2022, 12, 31)),
        Preset("term", _("2017年12月—2022年12月（五年回顾）"), dt.date(2017, 12, 1), dt.date(2022, 12, 31)),
    ]


@dataclass
class RecordRow:
    pk: int
    kind: str
    text: str
    date: object
    federation: str
    url: str


def _walk(obj, path: str):
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def may_see_names(user, indicator: Indicator) -> bool:
    """Persons' names (str of a personal record) only for roles that may open those records;
    never for leaders, who read figures (docs/reports.md)."""
    if not indicator.personal:
        return True
    return not is_leader(user) and bool(indicator.open_perm) and user.has_perm(indicator.open_perm)


def record_rows(*, user, indicator: Indicator, records) -> list[RecordRow]:
    """Rows for the record list and its export: masked fields render masked through str()."""
    names = may_see_names(user, indicator)
    may_open = bool(indicator.open_perm) and user.has_perm(indicator.open_perm)
    kind = str(indicator.model_class._meta.verbose_name)
    place = indicator.place or indicator.model_class.jurisdiction_path
    place = place if isinstance(place, str) else place[0]
    rows = []
    for record in records:
        text = str(record) if names else f"{kind} #{record.pk}"
        url = ""
        if may_open and names and hasattr(record, "get_absolute_url"):
            url = record.get_absolute_url()
        day = _walk(record, indicator.date_field) if indicator.date_field else None
        if isinstance(day, dt.datetime):
            day = timezone.localtime(day).date()
        rows.append(RecordRow(record.pk, kind, text, day, str(_walk(record, place) or ""), url))
    return rows
