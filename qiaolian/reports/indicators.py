"""The one catalogue of indicators (指标): each figure the federation reports, defined once.

An indicator names the records it counts (a model, the record's own date field for the period,
fixed conditions) and how the value is computed from them (a count, a count of distinct keys,
a sum or an average of a field). Its records always start from ``Model.objects.visible_to(user)``
(the jurisdiction rule), are then limited to the chosen federation's subtree and to the period,
so a town user's figures never include another town's records. Pages, API, dashboards and the
review all read ``indicator_value``; no figure is computed anywhere else.

Period rules, by the type of the date field: a date counts when start ≤ date ≤ end; a date-time
when it falls on one of those days in Beijing time; a year (a record dated only by its year, like a
competition's projects) when start.year ≤ year ≤ end.year. An indicator without a date field is a
stock (现有数: persons, overseas relatives) and ignores the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.db.models import Avg, Count, F, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiaolian.core.projects import Project
from qiaolian.reports.figures import remembered

DISTRICT, TOWN = "district", "town"
BOTH = (DISTRICT, TOWN)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise
    name_en: str
    unit: str | Promise
    project: str  # core.projects.Project: the catalogue groups by it
    model: str  # "app.Model"
    date_field: str | None  # the record's own date for the period; None: a stock, period ignored
    where: Q | Callable[[dt.date, dt.date], Q] | None = None
    exclude: Q | None = None
    measure: str = "count"  # count | distinct | sum | avg
    of: str = "pk"  # the key (distinct) or the field (sum, avg)
    breakdown: str | None = None
    levels: tuple[str, ...] = BOTH
    place: str | tuple[str, ...] | None = None  # path(s) to the federation; the model's jurisdiction_path
    rows_distinct: bool = False  # the conditions cross a many-to-many relation
    personal: bool = False  # str(record) names a person: hidden from leaders (docs/reports.md)
    open_perm: str = ""  # permission to open a record's own page
    definition: str | Promise = ""  # 口径, shown on the "why this number" page
    decimals: int = 0

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def applies_to(self, federation) -> bool:
        return (DISTRICT if federation.parent_id is None else TOWN) in self.levels

    # The records ------------------------------------------------------------------------------

    def records(self, *, user, start: dt.date, end: dt.date, federation, own: bool = False) -> QuerySet:
        """The records this indicator counts for ``user`` in ``federation``'s subtree (with ``own``:
        kept at ``federation`` itself, 本级) and the period."""
        model = self.model_class
        qs = model.objects.visible_to(user)
        qs = qs.filter(self._place_q(model, federation, own=own))
        if self.date_field:
            qs = qs.filter(self._period_q(model, start, end))
        if self.where is not None:
            qs = qs.filter(self.where(start, end) if callable(self.where) else self.where)
        if self.exclude is not None:
            qs = qs.exclude(self.exclude)
        if self.rows_distinct:
            qs = model.objects.filter(pk__in=qs.values("pk"))
        return qs

    def _place_q(self, model, federation, *, own: bool = False) -> Q:
        paths = self.place or model.jurisdiction_path
        paths = (paths,) if isinstance(paths, str) else paths
        condition = Q()
        ids = None if own else subtree(federation)
        for path in paths:
            condition |= Q(**{path: federation}) if own else Q(**{f"{path}__in": ids})
        return condition

    def date_kind(self) -> str:
        if not self.date_field:
            return "none"
        target = resolve_field(self.model_class, self.date_field)
        if isinstance(target, models.DateTimeField):
            return "datetime"
        if isinstance(target, models.DateField):
            return "date"
        return "year"

    def _period_q(self, model, start: dt.date, end: dt.date) -> Q:
        name, kind = self.date_field, self.date_kind()
        if kind == "datetime":
            low, high = day_bounds(start, end)
            return Q(**{f"{name}__gte": low, f"{name}__lt": high})
        if kind == "date":
            return Q(**{f"{name}__gte": start, f"{name}__lte": end})
        return Q(**{f"{name}__gte": start.year, f"{name}__lte": end.year})

    # The value --------------------------------------------------------------------------------

    def _aggregate(self):
        if self.measure == "count":
            return Count("pk")
        if self.measure == "distinct":
            return Count(self.of, distinct=True)
        if self.measure == "sum":
            return Sum(self.of)
        if self.measure == "avg":
            return Avg(self.of)
        raise ValueError(f"unknown measure {self.measure!r}")

    def additive_breakdown(self) -> bool:
        """A count or sum whose breakdown follows forward relations only: its groups add up to
        the value exactly."""
        if not self.breakdown or self.measure not in ("count", "sum") or self.rows_distinct:
            return False
        model = self.model_class
        for part in self.breakdown.split("__")[:-1]:
            field = model._meta.get_field(part)
            if not (field.many_to_one or field.one_to_one) or field.auto_created:
                return False
            model = field.related_model
        return True

    def value_of(self, qs: QuerySet):
        return self._clean(qs.order_by().aggregate(v=self._aggregate())["v"])

    def _clean(self, value):
        if value is None:
            return 0 if self.measure in ("count", "distinct", "sum") else None
        if self.measure in ("sum", "avg"):
            return Decimal(str(value)).quantize(Decimal(1).scaleb(-self.decimals))
        return int(value)

    def breakdown_of(self, qs: QuerySet) -> dict:
        if not self.breakdown:
            return {}
        rows = qs.order_by().values(self.breakdown).annotate(v=self._aggregate()).order_by("-v", self.breakdown)
        return {row[self.breakdown]: self._clean(row["v"]) for row in rows}

    def counted(self, qs: QuerySet) -> QuerySet:
        """The records behind the value: every record for a count, sum or average; one record
        (the first) per distinct key for a count of distinct keys, so the list has ``value`` rows."""
        if self.measure != "distinct":
            return qs
        firsts = qs.order_by().values(self.of).annotate(first=Min("pk")).values("first")
        return self.model_class.objects.filter(pk__in=firsts)

    def grouped_of(self, qs: QuerySet, fields: tuple[str, ...], *, federation) -> dict[tuple, object]:
        """The value per combination of ``fields``, in one query. A field is the indicator's
        ``breakdown``; ``"month"`` or ``"year"`` of the record's own date (Beijing time, a date
        for a month); or ``"child"``: the id of the child of ``federation`` the record belongs to
        (the federation's own id for records kept at the federation itself)."""
        # Counts and sums by child federation: grouped by the record's own federation and added up
        # per child here, which spares the database a CASE of path patterns on every row.
        roll_up = "child" in fields and self.measure in ("count", "sum") and isinstance(self._place(), str)
        names, annotations = [], {}
        for name in fields:
            if name == self.breakdown:
                names.append(name)
            elif name == "child" and roll_up:
                annotations["g_child"] = F(self._place())
                names.append("g_child")
            else:
                annotations[f"g_{name}"] = self._group_expression(name, federation)
                names.append(f"g_{name}")
        rows = qs.order_by().annotate(**annotations).values(*names).annotate(v=self._aggregate())
        if not roll_up:
            return {tuple(row[n] for n in names): self._clean(row["v"]) for row in rows}
        child_of = _child_of(federation)
        at = names.index("g_child")
        totals: dict[tuple, object] = {}
        for row in rows:
            key = tuple(child_of[row[n]] if i == at else row[n] for i, n in enumerate(names))
            totals[key] = totals.get(key, 0) + (row["v"] or 0)
        return {key: self._clean(value) for key, value in totals.items()}

    def rollup_of(self, qs: QuerySet, start: dt.date, end: dt.date) -> Rollup | None:
        """A count of distinct keys with its breakdown, its years and its years × breakdown, all
        from one scan (PostgreSQL): each key's records fold into one bit mask of the (year, group)
        cells the key appears in, and the keys are then counted per cell and per margin over the
        masks. Counting the same keys three times over millions of records costs three scans and
        three sorts; this costs one scan and one hash aggregate. ``None`` where it does not apply:
        another database, a breakdown without choices to number the groups by, too many cells."""
        from django.db import connections

        if self.measure != "distinct" or connections[qs.db].vendor != "postgresql":
            return None
        kind = self.date_kind()
        years: list[int | None] = list(range(start.year, end.year + 1)) if kind != "none" else [None]
        groups: list = [ALL]
        if self.breakdown:
            target = resolve_field(self.model_class, self.breakdown)
            if target is None or not getattr(target, "choices", None):
                return None
            groups = [key for key, _label in target.flatchoices] + [None, OTHER]
        if len(years) * len(groups) > 62:
            return None
        from django.contrib.postgres.aggregates import BitOr
        from django.db.models import BigIntegerField, ExpressionWrapper, IntegerField, Value
        from django.db.models.functions import Cast

        width = len(groups)
        hop = self._shared_hop()
        if hop is None:  # the whole cell on each record
            cell = self._cell_expression(years, groups, self.date_field, self.breakdown)
            one = Cast(Value(1), BigIntegerField())
            bit = ExpressionWrapper(one.bitleftshift(Cast(cell, IntegerField())), output_field=BigIntegerField())
            inner = qs.order_by().values(self.of).annotate(_mask=BitOr(bit)).values("_mask")
            sql, params = inner.query.sql_with_params()
        else:
            sql, params = self._masks_through(qs, hop, years, groups)
        has_years, has_groups = years != [None], groups != [ALL]
        # (year or ALL, group or ALL) → the cells it covers
        wanted: dict[tuple, list[int]] = {}
        for i, year in enumerate(years):
            for j, group in enumerate(groups):
                index = i * width + j
                wanted.setdefault((year if has_years else ALL, group), []).append(index)
                if has_years and has_groups:
                    wanted.setdefault((year, ALL), []).append(index)
                    wanted.setdefault((ALL, group), []).append(index)
        from django.conf import settings
        from django.db import transaction

        with transaction.atomic(using=qs.db), connections[qs.db].cursor() as cursor:
            # a hash table of every participant: in memory, not spilled to disk in batches
            cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.QIAOLIAN_REPORT_WORK_MEM])
            # keys with the same cells counted together (10⁵ masks for 10⁶ keys); the cells and
            # margins are then added up here, cheaper than one FILTER per cell over every key
            cursor.execute(f"SELECT t._mask, COUNT(*) FROM ({sql}) t GROUP BY t._mask", params)
            rows = cursor.fetchall()
        keys_of_bit: dict[int, list[tuple]] = {}
        for key, indexes in wanted.items():
            for index in indexes:
                keys_of_bit.setdefault(index, []).append(key)
        counts: dict[tuple, int] = {}
        for mask, n in rows:
            found = set()
            while mask:
                low = mask & -mask
                found.update(keys_of_bit[low.bit_length() - 1])
                mask ^= low
            for key in found:
                counts[key] = counts.get(key, 0) + n
        total = sum(n for _mask, n in rows)
        return Rollup(
            total=total,
            counts=counts,
            has_years=has_years,
            has_groups=has_groups,
            exact=not counts.get((ALL, OTHER)) and not any(g == OTHER for _y, g in counts),
        )

    def _shared_hop(self) -> str | None:
        """The forward relation the record's date goes through (registration → activity), when
        the breakdown is on the record itself or goes through the same relation: the part of a
        cell that depends on the related row is then computed once per related row (50 000
        activities) instead of once per record (5 000 000 registrations)."""
        if not self.date_field or "__" not in self.date_field:
            return None
        hop = self.date_field.split("__", 1)[0]
        field = self.model_class._meta.get_field(hop)
        if not (field.many_to_one and not field.auto_created):
            return None
        if self.breakdown and "__" in self.breakdown and not self.breakdown.startswith(f"{hop}__"):
            return None
        return hop

    def _masks_through(self, qs: QuerySet, hop: str, years: list, groups: list) -> tuple[str, list]:
        """The SQL of one mask per key (see ``rollup_of``) where the cell's year, and its group
        when the breakdown goes through ``hop``, are numbered per related row in Python's
        reach: an array of (related id, cell base) joined to the records."""
        from django.db.models import Value

        related = self.model_class._meta.get_field(hop).related_model
        rest = self.date_field.split("__", 1)[1]
        through = bool(self.breakdown) and self.breakdown.startswith(f"{hop}__")
        on_record = bool(self.breakdown) and not through
        width = len(groups)
        base_groups = groups if through else [ALL]
        base = self._cell_expression(
            years, base_groups, rest, self.breakdown.split("__", 1)[1] if through else None, model=related
        )
        if not through:
            base = base * Value(width)
        # the related rows of the period's years: every one the records can point to
        first, last = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
        period = related.objects.order_by()
        if self.date_kind() == "datetime":
            low, high = day_bounds(first, last)
            period = period.filter(**{f"{rest}__gte": low, f"{rest}__lt": high})
        elif self.date_kind() == "date":
            period = period.filter(**{f"{rest}__gte": first, f"{rest}__lte": last})
        ids, bases = [], []
        for pk, cell in period.annotate(_cell=base).values_list("pk", "_cell").iterator(chunk_size=10_000):
            ids.append(pk)
            bases.append(cell)
        group = Value(0)
        if on_record:
            group = self._group_index(groups, self.breakdown)
        inner = qs.order_by().annotate(_g=group).values_list(self.of, hop, "_g")
        sql, params = inner.query.sql_with_params()
        sql = (
            "SELECT BIT_OR((1)::bigint << (c.base + q.g)) AS _mask "
            f"FROM ({sql}) AS q (k, fk, g) "
            "JOIN unnest(%s::bigint[], %s::integer[]) AS c (id, base) ON c.id = q.fk GROUP BY q.k"
        )
        return sql, [*params, ids, bases]

    def _group_index(self, groups: list, path: str):
        from django.db.models import Case, IntegerField, Value, When

        width = len(groups)
        whens = [When(**{path: key}, then=Value(i)) for i, key in enumerate(groups[:-2])]
        whens.append(When(**{f"{path}__isnull": True}, then=Value(width - 2)))
        return Case(*whens, default=Value(width - 1), output_field=IntegerField())

    def _cell_expression(self, years: list, groups: list, date_field: str | None, breakdown: str | None, *, model=None):
        """year index × len(groups) + group index, over ``date_field`` and ``breakdown`` of
        ``model`` (default: the indicator's own)."""
        from django.db.models import IntegerField, Value
        from django.db.models.functions import Cast

        width = len(groups)
        if years == [None]:
            year = Value(0)
        else:  # an integer: EXTRACT gives numeric, whose arithmetic on every row costs seconds
            year = Cast(self._year_expression(date_field, model), IntegerField()) - Value(years[0])
        group = Value(0) if groups == [ALL] else self._group_index(groups, breakdown)
        return year * Value(width) + group

    def _year_expression(self, date_field: str, model=None):
        from django.db.models import F
        from django.db.models.functions import ExtractYear

        target = resolve_field(model or self.model_class, date_field)
        if isinstance(target, models.DateTimeField):
            return ExtractYear(date_field, tzinfo=timezone.get_default_timezone())
        if isinstance(target, models.DateField):
            return ExtractYear(date_field)
        return F(date_field)

    def _place(self) -> str | tuple[str, ...]:
        return self.place or self.model_class.jurisdiction_path

    def _group_expression(self, name: str, federation):
        from django.db.models import Case, DateField, IntegerField, Value, When
        from django.db.models.functions import TruncMonth

        kind = self.date_kind()
        if name == "month" and kind in ("date", "datetime"):
            tz = timezone.get_default_timezone() if kind == "datetime" else None
            return TruncMonth(self.date_field, output_field=DateField(), tzinfo=tz)
        if name == "year" and kind != "none":
            return self._year_expression(self.date_field)
        if name == "child":
            place = self._place()
            place = place if isinstance(place, str) else place[0]
            whens = [
                When(**{f"{place}__path__startswith": child.path}, then=Value(child.pk))
                for child in federation.children.all()
            ]
            return Case(*whens, default=Value(federation.pk), output_field=IntegerField())
        raise ValueError(f"{self.code} cannot be grouped by {name!r}")

    def group_q(self, key: str) -> Q:
        """Records of one breakdown group (``key`` as text from a URL); ValueError when invalid."""
        if not self.breakdown:
            raise ValueError(f"{self.code} has no breakdown")
        target = resolve_field(self.model_class, self.breakdown)
        if key == "":
            return Q(**{f"{self.breakdown}__isnull": True}) | Q(**{self.breakdown: ""})
        if target is not None and not target.is_relation:
            from django.core.exceptions import ValidationError

            try:
                key = target.to_python(key)
            except ValidationError as error:
                raise ValueError(str(error)) from error
            if target.choices and key not in {k for k, _label in target.flatchoices}:
                raise ValueError(f"{key!r} is not a choice of {self.breakdown}")
        return Q(**{self.breakdown: key})

    def breakdown_labels(self) -> dict:
        if not self.breakdown:
            return {}
        target = resolve_field(self.model_class, self.breakdown)
        if target is not None and getattr(target, "choices", None):
            return {k: v for k, v in target.flatchoices}
        if target is not None and target.__class__.__name__ == "CountryField":
            from django_countries import countries

            return dict(countries)
        return {}


def resolve_field(model, path: str):
    """The model field at the end of ``a__b__c`` (None for ``pk`` or an unknown name)."""
    target = None
    for part in path.split("__"):
        if part == "pk":
            return model._meta.pk
        target = model._meta.get_field(part)
        if target.is_relation and target.related_model is not None and part != path.split("__")[-1]:
            model = target.related_model
    return target


def subtree(federation) -> QuerySet:
    """The ids of ``federation`` and every federation below it, as a subquery: records are limited
    by their federation's id (a semi-join on the small federation table), which spares every row a
    join and a pattern match on the federation's path."""
    from qiaolian.orgs.models import Federation

    return Federation.objects.filter(path__startswith=federation.path).values("pk")


def _child_of(federation) -> dict[int, int]:
    """Each federation of ``federation``'s subtree → the child of ``federation`` it is under
    (``federation`` itself for its own id)."""
    from qiaolian.orgs.models import Federation

    subtree = list(Federation.objects.filter(path__startswith=federation.path).values_list("pk", "path", "parent_id"))
    children = {path: pk for pk, path, parent in subtree if parent == federation.pk}
    found = {}
    for pk, path, _parent in subtree:
        found[pk] = next((child for prefix, child in children.items() if path.startswith(prefix)), federation.pk)
    return found


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of ``start`` to the start of the day after ``end``, in the site's time zone."""
    tz = timezone.get_default_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return low, high


# Conditions shared by several indicators ---------------------------------------------------------

HELD = ~Q(status="cancelled")
REG_HELD = ~Q(activity__status="cancelled")
CASE_OPEN = ("received", "assigned", "in_progress", "referred")


def _case_late(start: dt.date, end: dt.date) -> Q:
    """Closed after the deadline, or still open past it today."""
    from django.db.models import F

    today = timezone.localdate()
    return Q(closed_on__isnull=False, closed_on__gt=F("due_on")) | Q(state__in=CASE_OPEN, due_on__lt=today)


P = Project
REG = "activities.Registration"
ACT = "activities.Activity"

CATALOGUE: list[Indicator] = [
    # 凝心工程 ---------------------------------------------------------------------------------
    Indicator(
        "activities.by_project",
        _("活动项数（按所属工程）"),
        "Activities by project",
        pgettext_lazy("unit", "项"),
        P.NINGXIN,
        ACT,
        "starts_at",
        exclude=~HELD,
        breakdown="project",
        open_perm="activities.view_activity",
        definition=_("期内开始、未取消的活动，按所属工程分列。"),
    ),
    Indicator(
        "activities.by_kind",
        _("活动项数（按活动类型）"),
        "Activities by kind",
        pgettext_lazy("unit", "项"),
        P.NINGXIN,
        ACT,
        "starts_at",
        exclude=~HELD,
        breakdown="kind",
        open_perm="activities.view_activity",
        definition=_("期内开始、未取消的活动，按活动类型分列。"),
    ),
    Indicator(
        "activities.by_campaign",
        _("专项活动中的活动项数"),
        "Activities within campaigns",
        pgettext_lazy("unit", "项"),
        P.NINGXIN,
        ACT,
        "starts_at",
        where=Q(campaign__isnull=False),
        exclude=~HELD,
        breakdown="campaign__title",
        open_perm="activities.view_activity",
        definition=_("期内开始、未取消且属于某一专项活动（如侨法宣传月）的活动，按专项分列。"),
    ),
    Indicator(
        "activities.participants",
        _("活动参与人数"),
        "Activity participants",
        pgettext_lazy("unit", "人"),
        P.NINGXIN,
        REG,
        "activity__starts_at",
        exclude=~REG_HELD,
        measure="distinct",
        of="participant_key",
        breakdown="activity__project",
        personal=True,
        open_perm="activities.register",
        definition=_("期内未取消活动的登记参与者，同一人多次参加只计一次；分列时每个工程内各计一次。"),
    ),
    Indicator(
        "activities.registrations",
        _("活动参与人次"),
        "Activity registrations",
        pgettext_lazy("unit", "人次"),
        P.NINGXIN,
        REG,
        "activity__starts_at",
        exclude=~REG_HELD,
        breakdown="activity__project",
        personal=True,
        open_perm="activities.register",
        definition=_("期内未取消活动的参与登记条数。"),
    ),
    Indicator(
        "activities.online_reach",
        _("线上覆盖人次"),
        "Online reach",
        pgettext_lazy("unit", "人次"),
        P.NINGXIN,
        ACT,
        "starts_at",
        where=Q(online_views__isnull=False),
        exclude=~HELD,
        measure="sum",
        of="online_views",
        breakdown="mode",
        open_perm="activities.view_activity",
        definition=_("期内未取消活动填报的线上观看/参与人次之和（与活动统计的覆盖口径相同）。"),
    ),
    Indicator(
        "activities.audience",
        _("现场覆盖人次"),
        "On-site audience",
        pgettext_lazy("unit", "人次"),
        P.NINGXIN,
        ACT,
        "starts_at",
        where=Q(audience__isnull=False),
        exclude=~HELD,
        measure="sum",
        of="audience",
        breakdown="project",
        open_perm="activities.view_activity",
        definition=_("期内未取消活动填报的未逐一登记的现场人数之和。"),
    ),
    Indicator(
        "contests.entries",
        _("大赛投稿作品"),
        "Contest entries",
        pgettext_lazy("unit", "件"),
        P.NINGXIN,
        "contests.Entry",
        "submitted_at",
        exclude=Q(status="withdrawn"),
        breakdown="contest__year",
        levels=(DISTRICT,),
        personal=True,
        open_perm="contests.view_contest",
        definition=_("期内投稿、未撤回的大赛作品，按大赛年度分列；大赛由区侨联举办，只在区级统计。"),
    ),
    # 聚力工程 ---------------------------------------------------------------------------------
    Indicator(
        "contests.projects_overseas",
        _("创业大赛海外项目"),
        "Competition projects from overseas",
        pgettext_lazy("unit", "个"),
        P.JULI,
        "contests.CompetitionProject",
        "year",
        where=Q(source_region="overseas"),
        breakdown="country",
        open_perm="contests.view_project",
        definition=_("届（年度）在期内的创业大赛项目中来源地区为海外的，按来源国家分列。"),
    ),
    Indicator(
        "contests.projects_hk_macao",
        _("创业大赛港澳项目"),
        "Competition projects from Hong Kong and Macao",
        pgettext_lazy("unit", "个"),
        P.JULI,
        "contests.CompetitionProject",
        "year",
        where=Q(source_region__in=("hong_kong", "macao")),
        breakdown="source_region",
        open_perm="contests.view_project",
        definition=_("届（年度）在期内的创业大赛项目中来源地区为香港或澳门的。"),
    ),
    Indicator(
        "contests.projects_by_region",
        _("创业大赛项目（按来源地区）"),
        "Competition projects by source region",
        pgettext_lazy("unit", "个"),
        P.JULI,
        "contests.CompetitionProject",
        "year",
        breakdown="source_region",
        open_perm="contests.view_project",
        definition=_("届（年度）在期内的全部创业大赛项目，按来源地区分列。"),
    ),
    Indicator(
        "enterprises.visits",
        _("走访侨资企业"),
        "Enterprise visits",
        pgettext_lazy("unit", "次"),
        P.JULI,
        "enterprises.Visit",
        "visited_on",
        breakdown="enterprise__investor_type",
        open_perm="enterprises.view_enterprise",
        definition=_("期内的企业走访记录，按企业类型分列。"),
    ),
    Indicator(
        "enterprises.appeals_resolved",
        _("企业诉求办结"),
        "Enterprise appeals resolved",
        pgettext_lazy("unit", "件"),
        P.JULI,
        "enterprises.Appeal",
        "case__closed_on",
        where=Q(case__state__in=("resolved", "followed_up")),
        breakdown="topic",
        open_perm="enterprises.view_enterprise",
        definition=_("走访中收集、转为案件后在期内办结的企业诉求，按诉求类别分列。"),
    ),
    Indicator(
        "enterprises.appeals_raised",
        _("企业诉求提出"),
        "Enterprise appeals raised",
        pgettext_lazy("unit", "件"),
        P.JULI,
        "enterprises.Appeal",
        "raised_on",
        breakdown="topic",
        open_perm="enterprises.view_enterprise",
        definition=_("走访中收集、期内提出的企业诉求，按诉求类别分列。"),
    ),
    Indicator(
        "enterprises.exhibitors",
        _("侨企参展"),
        "Enterprises at exhibitions",
        pgettext_lazy("unit", "家次"),
        P.JULI,
        "enterprises.ExhibitionParticipation",
        "year",
        breakdown="exhibition",
        open_perm="enterprises.view_enterprise",
        definition=_("期内各年侨资企业参加进博会等展会、项目的记录，一家企业一年一个展会计一次。"),
    ),
    Indicator(
        "enterprises.investment_leads",
        _("招商引资线索"),
        "Investment leads",
        pgettext_lazy("unit", "条"),
        P.JULI,
        "enterprises.InvestmentLead",
        "introduced_on",
        breakdown="stage",
        open_perm="enterprises.view_enterprise",
        definition=_("期内引荐的招商引资线索，按当前进展分列。"),
    ),
    Indicator(
        "liaison.contacts",
        _("海外联系人（按国家/地区）"),
        "Overseas contacts by country or region",
        pgettext_lazy("unit", "人"),
        P.HUIQIAO,
        "liaison.OverseasContact",
        None,
        breakdown="country",
        personal=True,
        open_perm="liaison.view_contact",
        definition=_("现有海外（含港澳）联系人，按所在国家/地区分列；不受期间限制。"),
    ),
    Indicator(
        "liaison.camps",
        _("举办夏令营"),
        "Camps",
        pgettext_lazy("unit", "期"),
        P.HUIQIAO,
        "liaison.Camp",
        "starts_on",
        breakdown="mode",
        open_perm="liaison.view_camp",
        definition=_("期内开营的夏令营，按形式（线下/线上）分列。"),
    ),
    Indicator(
        "liaison.campers",
        _("夏令营营员"),
        "Campers",
        pgettext_lazy("unit", "人"),
        P.HUIQIAO,
        "liaison.Enrolment",
        "camp__starts_on",
        where=Q(status="attended"),
        breakdown="country",
        personal=True,
        open_perm="liaison.view_camp",
        definition=_("期内开营的夏令营中已参营的营员，按所在国家/地区分列。"),
    ),
    Indicator(
        "advocacy.opinions_submitted",
        _("报送社情民意"),
        "Public opinion reports submitted",
        pgettext_lazy("unit", "篇"),
        P.JULI,
        "advocacy.OpinionReport",
        "submitted_on",
        breakdown="category",
        open_perm="advocacy.view_opinion",
        definition=_("报送日期在期内的社情民意信息，按类别分列。"),
    ),
    Indicator(
        "advocacy.opinions_adopted",
        _("社情民意被采用"),
        "Public opinion reports adopted",
        pgettext_lazy("unit", "篇"),
        P.JULI,
        "advocacy.OpinionReport",
        "adopted_on",
        where=Q(status="adopted"),
        breakdown="adoption_level",
        open_perm="advocacy.view_opinion",
        definition=_("采用日期在期内、状态为已采用的社情民意信息，按采用层级分列。"),
    ),
    Indicator(
        "advocacy.research_reports",
        _("调研报告"),
        "Research reports",
        pgettext_lazy("unit", "篇"),
        P.JULI,
        "advocacy.ResearchReport",
        "completed_on",
        open_perm="advocacy.view_research",
        definition=_("完成日期在期内的调研报告。"),
    ),
    # 惠侨工程 ---------------------------------------------------------------------------------
    Indicator(
        "aid.recipients",
        _("帮扶慰问对象"),
        "Aid recipients",
        pgettext_lazy("unit", "人"),
        P.HUIQIAO,
        "aid.HandOver",
        "visited_on",
        measure="distinct",
        of="nomination__person",
        breakdown="nomination__campaign__kind",
        personal=True,
        open_perm="aid.view_campaign",
        definition=_("期内已发放（登记了走访发放）的帮扶对象，同一人多次受助只计一次。"),
    ),
    Indicator(
        "aid.amount",
        _("发放慰问金"),
        "Aid paid out",
        pgettext_lazy("unit", "元"),
        P.HUIQIAO,
        "aid.HandOver",
        "visited_on",
        measure="sum",
        of="cash_amount",
        breakdown="nomination__campaign__kind",
        personal=True,
        open_perm="aid.view_campaign",
        definition=_("期内走访发放登记的实发慰问金之和，按帮扶类型分列。"),
        decimals=2,
    ),
    Indicator(
        "aid.donations",
        _("接收捐赠"),
        "Donations received",
        pgettext_lazy("unit", "笔"),
        P.HUIQIAO,
        "aid.Donation",
        "received_on",
        breakdown="kind",
        open_perm="aid.view_donation",
        definition=_("接收日期在期内的捐赠，按捐赠形式分列。"),
    ),
    Indicator(
        "aid.donation_amount",
        _("捐赠金额"),
        "Donations, amount",
        pgettext_lazy("unit", "元"),
        P.HUIQIAO,
        "aid.Donation",
        "received_on",
        measure="sum",
        of="amount",
        breakdown="donor_kind",
        open_perm="aid.view_donation",
        definition=_("接收日期在期内的捐赠金额（物资按折合金额）之和，按捐赠方类型分列。"),
        decimals=2,
    ),
    Indicator(
        "casework.by_type",
        _("受理案件（按类型）"),
        "Cases by type",
        pgettext_lazy("unit", "件"),
        P.HUIQIAO,
        "casework.Case",
        "received_on",
        breakdown="type",
        personal=True,
        open_perm="casework.view_case",
        definition=_("受理日期在期内的案件（本级受理或承办），按类型分列。"),
    ),
    Indicator(
        "casework.by_state",
        _("受理案件（按状态）"),
        "Cases by state",
        pgettext_lazy("unit", "件"),
        P.HUIQIAO,
        "casework.Case",
        "received_on",
        breakdown="state",
        personal=True,
        open_perm="casework.view_case",
        definition=_("受理日期在期内的案件，按当前状态分列。"),
    ),
    Indicator(
        "casework.overdue",
        _("超期案件"),
        "Cases overdue",
        pgettext_lazy("unit", "件"),
        P.HUIQIAO,
        "casework.Case",
        "received_on",
        where=_case_late,
        breakdown="type",
        personal=True,
        open_perm="casework.view_case",
        definition=_("受理日期在期内、晚于办理期限办结或至今仍未办结且已过期限的案件。"),
    ),
    Indicator(
        "casework.days_to_resolve",
        _("案件平均办理用时"),
        "Average working days to resolve a case",
        pgettext_lazy("unit", "个工作日"),
        P.HUIQIAO,
        "casework.Case",
        "closed_on",
        where=Q(state__in=("resolved", "followed_up"), days_to_close__isnull=False),
        measure="avg",
        of="days_to_close",
        breakdown="type",
        personal=True,
        open_perm="casework.view_case",
        definition=_("办结日期在期内的已办结案件，办理用时（工作日）的平均数。"),
        decimals=1,
    ),
    # 强基工程 ---------------------------------------------------------------------------------
    Indicator(
        "persons.by_category",
        _("侨情人员（按身份类别）"),
        "Persons by category",
        pgettext_lazy("unit", "人"),
        P.QIANGJI,
        "registry.Person",
        None,
        where=Q(is_archived=False),
        breakdown="category",
        personal=True,
        open_perm="registry.view_person",
        definition=_("侨情数据库中未归档的人员（现有数，不随期间变化），按身份类别分列。"),
    ),
    Indicator(
        "persons.overseas_relatives",
        _("海外亲属（按国家/地区）"),
        "Overseas relatives by country",
        pgettext_lazy("unit", "人"),
        P.QIANGJI,
        "registry.OverseasTie",
        None,
        where=Q(person__is_archived=False),
        breakdown="country",
        personal=True,
        open_perm="registry.view_person",
        definition=_("未归档人员登记的海外亲属（现有数，不随期间变化），按所在国家/地区分列。"),
    ),
    Indicator(
        "orgs.elections",
        _("完成换届选举"),
        "Elections held",
        pgettext_lazy("unit", "个"),
        P.QIANGJI,
        "orgs.Election",
        "held_on",
        breakdown="federation__level",
        open_perm="orgs.view_term",
        definition=_("选举日期在期内的换届选举，按组织层级分列。"),
    ),
    Indicator(
        "orgs.terms_due",
        _("届满应换届"),
        "Terms falling due",
        pgettext_lazy("unit", "个"),
        P.QIANGJI,
        "orgs.Term",
        "ends_on",
        breakdown="federation__level",
        open_perm="orgs.view_term",
        definition=_("届满日期在期内的届次（应在期内换届），按组织层级分列。"),
    ),
    Indicator(
        "orgs.stations",
        _("命名侨之家/新侨驿站"),
        "Stations opened",
        pgettext_lazy("unit", "个"),
        P.QIANGJI,
        "orgs.Station",
        "opened_on",
        breakdown="kind",
        open_perm="orgs.view_station",
        definition=_("启用日期在期内的侨之家与新侨驿站，按类型分列。"),
    ),
    Indicator(
        "activities.trainings",
        _("举办培训"),
        "Trainings",
        pgettext_lazy("unit", "期"),
        P.QIANGJI,
        ACT,
        "starts_at",
        where=Q(kind="training"),
        exclude=~HELD,
        breakdown="project",
        open_perm="activities.view_activity",
        definition=_("期内开始、未取消、类型为培训的活动。"),
    ),
    Indicator(
        "activities.trainees",
        _("培训人数"),
        "Trainees",
        pgettext_lazy("unit", "人"),
        P.QIANGJI,
        REG,
        "activity__starts_at",
        where=Q(activity__kind="training"),
        exclude=~REG_HELD,
        measure="distinct",
        of="participant_key",
        breakdown="role",
        personal=True,
        open_perm="activities.register",
        definition=_("期内培训的登记参与者，同一人参加多期只计一次。"),
    ),
    Indicator(
        "activities.joint",
        _("与合作侨联联合开展活动"),
        "Joint activities with partner federations",
        pgettext_lazy("unit", "项"),
        P.QIANGJI,
        ACT,
        "starts_at",
        where=Q(partners__isnull=False),
        exclude=~HELD,
        breakdown="partners__name",
        rows_distinct=True,
        open_perm="activities.view_activity",
        definition=_("期内开始、未取消、有合作侨联参与的活动；按合作侨联分列时一项活动可计入多家。"),
    ),
]

BY_CODE: dict[str, Indicator] = {i.code: i for i in CATALOGUE}
assert len(BY_CODE) == len(CATALOGUE), "indicator codes must be unique"


ALL = "\x00all"  # a margin of a Rollup: every year, or every group
OTHER = "\x00other"  # a breakdown value outside the field's choices


@dataclass(frozen=True)
class Rollup:
    """Distinct counts by (year, group) and their margins (see ``Indicator.rollup_of``); ``ALL``
    stands for every year or every group. ``exact`` is false when some records' group is not one
    of the field's choices: anything by group is then counted the ordinary way."""

    total: int
    counts: dict[tuple, int]
    has_years: bool
    has_groups: bool
    exact: bool

    def breakdown(self) -> dict | None:
        if not (self.has_groups and self.exact):
            return None
        found = [(g, n) for (y, g), n in self.counts.items() if y == ALL and g != ALL]
        return dict(sorted(found, key=lambda kv: (-kv[1], kv[0] is None, kv[0] or "")))

    def grouped(self, fields: tuple[str, ...], breakdown: str | None) -> dict[tuple, int] | None:
        """``IndicatorValue.grouped`` for fields among "year" and the breakdown; None otherwise."""
        by_year, by_group = "year" in fields, breakdown is not None and breakdown in fields
        if len(set(fields)) != len(fields) or len(fields) != by_year + by_group:
            return None
        if (by_year and not self.has_years) or (by_group and not (self.has_groups and self.exact)):
            return None
        found = {}
        for (year, group), n in self.counts.items():
            if (year != ALL) == by_year and (group != ALL) == by_group:
                picked = {"year": year, breakdown: group}
                found[tuple(picked[f] for f in fields)] = n
        return found


@dataclass
class IndicatorValue:
    indicator: Indicator
    value: int | Decimal | None
    unit: str | Promise
    records: QuerySet  # the counted records (one per distinct key for a distinct count)
    start: dt.date
    end: dt.date
    federation: object
    records_url: str = ""
    matching: QuerySet | None = None  # every record the conditions select (the breakdown's base)
    key: tuple = ()  # what the figures depend on (figures.remembered), beside the data version

    @property
    def base(self) -> QuerySet:
        """Every record the conditions select (the records a breakdown or grouping counts)."""
        return self.matching if self.matching is not None else self.records

    @cached_property
    def rollup(self) -> Rollup | None:
        """A count of distinct keys by year and group, from one scan (``Indicator.rollup_of``)."""
        if self.indicator.measure != "distinct":
            return None
        return remembered(("rollup", *self.key), lambda: self.indicator.rollup_of(self.base, self.start, self.end))

    @cached_property
    def breakdown(self) -> dict:
        """The value per group of ``indicator.breakdown`` (computed when first read)."""
        found = self.rollup.breakdown() if self.rollup is not None else None
        if found is not None:
            return found
        return remembered(("breakdown", *self.key), lambda: self.indicator.breakdown_of(self.base))

    @cached_property
    def labels(self) -> dict:
        return self.indicator.breakdown_labels()

    @property
    def ids(self) -> list:
        return list(self.records.order_by("pk").values_list("pk", flat=True))

    def breakdown_rows(self) -> list[tuple]:
        return [(key, self.labels.get(key, key), value) for key, value in self.breakdown.items()]

    def grouped(self, *fields: str) -> dict[tuple, object]:
        """The value per combination of ``fields`` (see ``Indicator.grouped_of``): e.g.
        ``grouped("child", "category")`` gives headcounts by town and category in one query."""
        found = self.rollup.grouped(tuple(fields), self.indicator.breakdown) if self.rollup is not None else None
        if found is not None:
            return found
        return remembered(
            ("grouped", tuple(fields), *self.key),
            lambda: self.indicator.grouped_of(self.base, tuple(fields), federation=self.federation),
        )


def indicator_value(
    *,
    code: str,
    user,
    start: dt.date,
    end: dt.date,
    federation=None,
    group: str | None = None,
    own: bool = False,
) -> IndicatorValue:
    """The value of indicator ``code`` for ``user`` in ``federation`` (default: the user's own) and
    the period; with ``group``, of the records in that breakdown group only (the drill-down from a
    chart); with ``own``, of the records kept at the federation itself (本级), not below it. An
    unknown code, a federation outside the user's jurisdiction or an invalid group is ``Http404``;
    an indicator that does not apply to the federation's level is ``NotApplicable``."""
    from django.http import Http404
    from django.urls import reverse

    from qiaolian.reports.selectors import federation_for

    indicator = BY_CODE.get(code)
    if indicator is None:
        raise Http404(code)
    federation = federation_for(user=user, federation=federation)
    if not indicator.applies_to(federation):
        raise NotApplicable(code)
    qs = indicator.records(user=user, start=start, end=end, federation=federation, own=own)
    query = f"from={start.isoformat()}&to={end.isoformat()}" + ("&own=1" if own else "")
    if group is not None:
        try:
            qs = qs.filter(indicator.group_q(group))
        except ValueError as error:
            raise Http404("group") from error
        from urllib.parse import quote

        query += f"&group={quote(str(group))}"
    url = reverse("reports:indicator_detail", args=[federation.pk, code])
    result = IndicatorValue(
        indicator=indicator,
        value=None,
        unit=indicator.unit,
        records=indicator.counted(qs),
        matching=qs,
        start=start,
        end=end,
        federation=federation,
        records_url=f"{url}?{query}",
        # the user, with what decides their jurisdiction (a changed role or federation is a new key)
        key=(
            code,
            getattr(user, "pk", None),
            getattr(user, "role", None),
            getattr(user, "federation_id", None),
            federation.pk,
            start,
            end,
            group,
            own,
        ),
    )
    if indicator.additive_breakdown():
        # one grouped scan gives both the breakdown and, added up, the value
        result.value = indicator._clean(sum(result.breakdown.values()))
    elif result.rollup is not None:
        result.value = result.rollup.total  # the same scan gives the breakdown and the years
    else:
        result.value = remembered(("value", *result.key), lambda: indicator.value_of(qs))
    return result


class NotApplicable(Exception):
    """The indicator is not kept at the federation's level (e.g. contest entries below the district)."""
