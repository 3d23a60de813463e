"""The five-year review (五年工作回顾), generated from records.

``build_review(user=, start=, end=, federation=)`` reads every figure through the indicator
catalogue (``indicators.indicator_value`` and ``IndicatorValue.grouped``) with the user's
jurisdiction, and writes plain factual sentences from them in the order of the seed document:
the title, 简介, 五年工作回顾 (an opening paragraph, then one section per project: 凝心, 聚力,
惠侨, 强基), 展望 (the work plan whose years follow the period), and the appendices: every
figure numbered with its indicator, period, federation, value and "why this number" link (A),
and per-year tables and charts (B). Each number in the text carries a marker ``[n]`` that points
to its appendix-A entry.

The renderers (review_docx, review_pdf, the page and ``review_json``) only lay the document out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import override

from qiaolian.core.projects import Project
from qiaolian.orgs.models import Federation
from qiaolian.reports import prefetch
from qiaolian.reports.indicators import BY_CODE, IndicatorValue, NotApplicable, indicator_value
from qiaolian.reports.selectors import federation_for

# The start of "everything up to the period's end" (stations opened up to then).
STOCK_START = dt.date(1900, 1, 1)
MARKER = re.compile(r"\[(\d+)\]")
NUMERALS = "零一二三四五六七八九十"
CAMPAIGN_LAW_MONTH = "侨法宣传月"


# The document ----------------------------------------------------------------------------------


@dataclass
class Figure:
    """One number of the review: indicator ``code`` for ``federation`` and the period (a breakdown
    ``group`` when given); ``value`` equals ``indicator_value(...)`` for the same arguments."""

    n: int
    code: str
    name: str
    value: int | Decimal | None
    unit: str
    start: dt.date | None  # None: a stock (现有数), no period
    end: dt.date | None
    federation_id: int
    federation: str
    url: str
    group: str | None = None
    group_label: str = ""

    @property
    def is_stock(self) -> bool:
        return self.start is None

    def period_label(self) -> str:
        if self.start is None:
            return _("现有数")
        if self.start == STOCK_START:
            return _("截至%(end)s") % {"end": f"{self.end:%Y-%m-%d}"}
        return _("%(start)s至%(end)s") % {"start": f"{self.start:%Y-%m-%d}", "end": f"{self.end:%Y-%m-%d}"}

    def display(self) -> str:
        return fmt(self.value, BY_CODE[self.code].decimals)


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    level: int = 1


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Chart:
    key: str
    title: str
    unit: str
    categories: list[str]
    series: list[tuple[str, list[float]]]
    stacked: bool = True


@dataclass
class Plan:
    title: str
    start_year: int
    end_year: int
    summary: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Review:
    title: str
    federation_id: int
    federation_name: str
    start: dt.date
    end: dt.date
    generated_on: dt.date
    period_label: str
    intro: Section
    retrospect: Section  # 五年工作回顾: the opening paragraph
    projects: list[Section]  # one per project, level 2
    outlook: Section
    plan: Plan | None
    figures: list[Figure]
    tables: list[Table]
    charts: list[Chart]

    @property
    def sections(self) -> list[Section]:
        return [self.intro, self.retrospect, *self.projects, self.outlook]

    def figure(self, n: int) -> Figure:
        return self.figures[n - 1]

    def text(self) -> str:
        """The body as plain text (tests, search)."""
        lines = [self.title]
        for section in self.sections:
            lines.append(section.title)
            lines.extend(section.paragraphs)
        return "\n".join(lines)


# Formatting ------------------------------------------------------------------------------------


def fmt(value, decimals: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal) or decimals:
        value = Decimal(value)
        if value == value.to_integral_value():  # whole yuan: 76000元, not 76000.00元
            return str(int(value))
        return f"{value:.{decimals or 2}f}"
    return str(value)


def approx(value: int) -> str:
    """The seed's "2000余" style: the value rounded down to its leading digit(s)."""
    if value < 100:
        return str(value)
    magnitude = 10 ** (len(str(value)) - 1)
    low = value // magnitude * magnitude
    if low == value:
        return str(value)
    return _("%(n)s余") % {"n": low}


def _date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _month(day: dt.date) -> str:
    return f"{day.year}年{day.month}月"


def _period_label(start: dt.date, end: dt.date) -> str:
    last_day = (end + dt.timedelta(days=1)).day == 1
    if start.day == 1 and last_day:
        return f"{_month(start)}—{_month(end)}"
    return f"{_date(start)}—{_date(end)}"


def _years_word(start: dt.date, end: dt.date) -> str:
    years = round(((end - start).days + 1) / 365.25)
    if 1 <= years <= 10:
        return _("%(n)s年") % {"n": NUMERALS[years]}
    return ""


def short_name(federation: Federation) -> str:
    short = federation.short_name or federation.name
    return short if short.endswith("侨联") else f"{short}侨联"


def _join(parts: list[str]) -> str:
    return "、".join(p for p in parts if p)


def paragraph_html(text: str, review: Review, *, anchor: bool = False) -> SafeString:
    """A paragraph with each ``[n]`` as a superscript link: to the figure's "why this number"
    page, or with ``anchor`` to its appendix-A entry (the PDF)."""
    out, last = [], 0
    for match in MARKER.finditer(text):
        out.append(escape(text[last : match.start()]))
        n = int(match.group(1))
        href = f"#fig-{n}" if anchor else review.figure(n).url
        out.append(f'<sup class="fig-ref"><a href="{escape(href)}">[{n}]</a></sup>')
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def split_markers(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, is_marker) pieces, for renderers that set markers in superscript."""
    pieces, last = [], 0
    for match in MARKER.finditer(text):
        if match.start() > last:
            pieces.append((text[last : match.start()], False))
        pieces.append((match.group(0), True))
        last = match.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


# Building --------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, *, user, start: dt.date, end: dt.date, federation: Federation):
        self.user, self.start, self.end, self.federation = user, start, end, federation
        self.figures: list[Figure] = []
        self._seen: dict[tuple, int] = {}
        self._values: dict[tuple, IndicatorValue | None] = {}
        self._grouped: dict[tuple, dict] = {}
        self.asked: list[prefetch.Request] = []  # the figures read, in order: the next build's plan
        self.years = list(range(start.year, end.year + 1))
        self.period_label = _period_label(start, end)
        self.years_word = _years_word(start, end)

    # Reading -----------------------------------------------------------------------------------

    def iv(self, code: str, start: dt.date | None = None, end: dt.date | None = None) -> IndicatorValue | None:
        start, end = start or self.start, end or self.end
        key = (code, start, end)
        if key not in self._values:
            self.asked.append((code, start, end, prefetch.VALUE))
            try:
                self._values[key] = indicator_value(
                    code=code, user=self.user, start=start, end=end, federation=self.federation
                )
            except NotApplicable:
                self._values[key] = None
        return self._values[key]

    def value(self, code: str, start=None, end=None):
        result = self.iv(code, start, end)
        return None if result is None else result.value

    def breakdown(self, code: str, start=None, end=None) -> dict:
        result = self.iv(code, start, end)
        if result is None:
            return {}
        self.asked.append((code, result.start, result.end, prefetch.BREAKDOWN))
        return result.breakdown

    def grouped(self, code: str, *fields: str, start=None, end=None) -> dict:
        key = (code, fields, start, end)
        if key not in self._grouped:
            result = self.iv(code, start, end)
            if result is not None:
                self.asked.append((code, result.start, result.end, tuple(fields)))
            self._grouped[key] = {} if result is None else result.grouped(*fields)
        return self._grouped[key]

    def label(self, code: str, key) -> str:
        if key is None or key == "":
            return _("（未填）")
        result = self.iv(code)
        labels = result.labels if result is not None else {}
        return str(labels.get(key, key))

    def year_period(self, year: int) -> tuple[dt.date, dt.date]:
        return max(self.start, dt.date(year, 1, 1)), min(self.end, dt.date(year, 12, 31))

    def year_label(self, year: int) -> str:
        start, end = self.year_period(year)
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            return f"{year}年"
        if start.month == end.month:
            return f"{year}年{start.month}月"
        return f"{year}年{start.month}—{end.month}月"

    # Figures -----------------------------------------------------------------------------------

    def fig(
        self,
        code: str,
        value,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        group=None,
        federation: Federation | None = None,
    ) -> str:
        """Register a figure and return its value with its marker, e.g. ``1658[12]``."""
        indicator = BY_CODE[code]
        federation = federation or self.federation
        start, end = start or self.start, end or self.end
        if indicator.date_field is None:
            start = end = None
        if value is None and indicator.measure in ("count", "distinct", "sum"):
            value = 0
        group_text = None if group is None else str(group)
        key = (code, start, end, group_text, federation.pk)
        if key not in self._seen:
            query = "" if start is None else f"from={start.isoformat()}&to={end.isoformat()}"
            if start is None:
                query = f"from={self.start.isoformat()}&to={self.end.isoformat()}"
            if group_text is not None:
                query += f"&group={quote(group_text)}"
            url = reverse("reports:indicator_detail", args=[federation.pk, code]) + "?" + query
            n = len(self.figures) + 1
            self.figures.append(
                Figure(
                    n=n,
                    code=code,
                    name=str(indicator.name),
                    value=value,
                    unit=str(indicator.unit),
                    start=start,
                    end=end,
                    federation_id=federation.pk,
                    federation=federation.name,
                    url=url,
                    group=group_text,
                    group_label="" if group is None else self.label(code, group),
                )
            )
            self._seen[key] = n
        n = self._seen[key]
        return f"{fmt(value, indicator.decimals)}[{n}]"

    def total(self, code: str, start=None, end=None) -> str:
        return self.fig(code, self.value(code, start, end), start=start, end=end)

    def part(self, code: str, key, start=None, end=None) -> str:
        return self.fig(code, self.breakdown(code, start, end).get(key), start=start, end=end, group=key)

    def parts(self, code: str, unit: str, *, limit: int = 6, labels: dict | None = None) -> str:
        """ "label N unit[n]、…" for the largest groups of the breakdown."""
        items = [(k, v) for k, v in self.breakdown(code).items() if v]
        out = []
        for key, _v in items[:limit]:
            name = (labels or {}).get(key) or self.label(code, key)
            out.append(f"{name}{self.part(code, key)}{unit}")
        return _join(out)

    def applies(self, code: str) -> bool:
        return self.iv(code) is not None


# The text --------------------------------------------------------------------------------------


def _intro(b: _Builder, short: str, children: list[Federation]) -> Section:
    f = b.federation
    paragraphs = []
    text = _("%(name)s（简称%(short)s）联系本地区归侨侨眷和海外侨胞。") % {"name": f.name, "short": short}
    if children:
        names = [c.short_name or c.name for c in children[:12]]
        more = _("等") if len(children) > 12 else ""
        text += _("下设%(names)s%(more)s基层侨联组织。") % {"names": _join(names), "more": more}
    paragraphs.append(text)

    persons = b.value("persons.by_category")
    today = _date(b_today())
    if persons:
        text = _("截至%(today)s，侨情数据库登记在册的各类人员%(total)s人，其中%(parts)s。") % {
            "today": today,
            "total": b.total("persons.by_category"),
            "parts": b.parts("persons.by_category", _("人"), limit=8),
        }
    else:
        text = _("截至%(today)s，侨情数据库尚未登记人员（%(total)s人）。") % {
            "today": today,
            "total": b.total("persons.by_category"),
        }
    relatives = b.value("persons.overseas_relatives")
    if relatives:
        text += _("登记海外亲属%(n)s人，所在国家和地区中人数较多的是%(parts)s。") % {
            "n": b.total("persons.overseas_relatives"),
            "parts": b.parts("persons.overseas_relatives", _("人"), limit=6),
        }
    else:
        text += _("尚未登记海外亲属（%(n)s人）。") % {"n": b.total("persons.overseas_relatives")}
    paragraphs.append(text)

    paragraphs.append(_stations_text(b))
    return Section("intro", _("简介"), paragraphs)


def b_today() -> dt.date:
    return timezone.localdate()


def _stations_text(b: _Builder) -> str:
    kinds = b.breakdown("orgs.stations", STOCK_START, b.end)
    home = b.fig("orgs.stations", kinds.get("home"), start=STOCK_START, end=b.end, group="home")
    new = b.fig("orgs.stations", kinds.get("new_overseas"), start=STOCK_START, end=b.end, group="new_overseas")
    text = _("截至%(end)s，已命名“侨之家”%(home)s个、“新侨驿站”%(new)s个。") % {
        "end": _date(b.end),
        "home": home,
        "new": new,
    }
    by_child = b.grouped("orgs.stations", "kind", "child", start=STOCK_START, end=b.end)
    places = {child: n for (kind, child), n in by_child.items() if kind == "new_overseas" and n}
    if places and b.federation.children.exists():
        names = {f.pk: f for f in Federation.objects.visible_to(b.user).filter(pk__in=places)}
        located = []
        for pk, n in sorted(places.items(), key=lambda kv: names[kv[0]].path if kv[0] in names else ""):
            place = names.get(pk)
            if place is None or place.pk == b.federation.pk:
                continue
            count = b.fig("orgs.stations", n, start=STOCK_START, end=b.end, group="new_overseas", federation=place)
            located.append(_("%(place)s（%(n)s个）") % {"place": place.short_name or place.name, "n": count})
        if located:
            text += _("“新侨驿站”设在%(places)s。") % {"places": _join(located)}
    return text


def _opening(b: _Builder, short: str) -> Section:
    acts = b.value("activities.by_project") or 0
    paragraphs = []
    if acts:
        by_project = _join([f"{p.label}{b.part('activities.by_project', p.value)}{_('项')}" for p in Project])
        text = _(
            "%(period)s，%(short)s围绕凝心、聚力、惠侨、强基四项工程开展工作，共组织活动%(acts)s项，其中%(parts)s；"
            "登记参与活动%(people)s人、%(regs)s人次，线上覆盖%(online)s人次，现场覆盖%(audience)s人次。"
        ) % {
            "period": b.period_label,
            "short": short,
            "acts": b.total("activities.by_project"),
            "parts": by_project,
            "people": b.total("activities.participants"),
            "regs": b.total("activities.registrations"),
            "online": b.total("activities.online_reach"),
            "audience": b.total("activities.audience"),
        }
        kinds = b.parts("activities.by_kind", _("项"), limit=5)
        if kinds:
            text += _("按活动类型，较多的是%(kinds)s。") % {"kinds": kinds}
    else:
        text = _("%(period)s，%(short)s未录入活动（%(acts)s项）。") % {
            "period": b.period_label,
            "short": short,
            "acts": b.total("activities.by_project"),
        }
    paragraphs.append(text)
    return Section("retrospect", _("%(years)s工作回顾") % {"years": b.years_word}, paragraphs)


def _project_activities(b: _Builder, project: Project) -> str:
    acts = b.breakdown("activities.by_project").get(project.value) or 0
    if not acts:
        return _("期内%(project)s未录入活动（%(n)s项）。") % {
            "project": project.label,
            "n": b.part("activities.by_project", project.value),
        }
    text = _("期内%(project)s开展活动%(acts)s项，参与%(people)s人") % {
        "project": project.label,
        "acts": b.part("activities.by_project", project.value),
        "people": b.part("activities.participants", project.value),
    }
    audience = b.breakdown("activities.audience").get(project.value)
    if audience:
        text += _("，现场覆盖%(n)s人次") % {"n": b.part("activities.audience", project.value)}
    return text + "。"


def _ningxin(b: _Builder) -> list[str]:
    paragraphs = [_project_activities(b, Project.NINGXIN)]
    online = b.value("activities.online_reach")
    if online:
        paragraphs.append(
            _("线上线下结合开展宣传教育，线上覆盖%(online)s人次（%(modes)s），现场覆盖%(audience)s人次。")
            % {
                "online": b.total("activities.online_reach"),
                "modes": b.parts("activities.online_reach", _("人次")),
                "audience": b.total("activities.audience"),
            }
        )
    else:
        paragraphs.append(_("期内未填报线上覆盖人次（%(n)s人次）。") % {"n": b.total("activities.online_reach")})
    campaigns = [
        (title, n) for title, n in b.breakdown("activities.by_campaign").items() if CAMPAIGN_LAW_MONTH not in title
    ]
    if campaigns:
        listed = _join(
            [_("%(title)s%(n)s项") % {"title": t, "n": b.part("activities.by_campaign", t)} for t, _n in campaigns[:4]]
        )
        paragraphs.append(_("围绕专题开展专项活动：%(list)s。") % {"list": listed})
    return paragraphs


def _juli(b: _Builder) -> list[str]:
    paragraphs = [_project_activities(b, Project.JULI)]
    visits = b.value("enterprises.visits")
    text = _("走访侨资企业%(visits)s次") % {"visits": b.total("enterprises.visits")}
    if visits:
        text += _("（%(parts)s）") % {"parts": b.parts("enterprises.visits", _("次"))}
    raised = b.value("enterprises.appeals_raised")
    text += _("；收集企业诉求%(raised)s件，期内办结%(resolved)s件") % {
        "raised": b.total("enterprises.appeals_raised"),
        "resolved": b.total("enterprises.appeals_resolved"),
    }
    days = b.breakdown("casework.days_to_resolve").get("enterprise_appeal")
    if raised and days is not None:
        text += _("，企业诉求案件平均办理用时%(days)s个工作日") % {
            "days": b.part("casework.days_to_resolve", "enterprise_appeal")
        }
    leads = b.value("enterprises.investment_leads")
    text += _("；以侨引侨，引荐招商引资线索%(leads)s条") % {"leads": b.total("enterprises.investment_leads")}
    if leads:
        text += _("（%(parts)s）") % {"parts": b.parts("enterprises.investment_leads", _("条"))}
    paragraphs.append(text + "。")

    overseas = b.value("contests.projects_overseas")
    hkm = b.value("contests.projects_hk_macao")
    if overseas or hkm:
        text = _(
            "依托创业大赛吸引海外和港澳项目，期内各届大赛共吸引海外项目%(overseas)s个、港澳项目%(hkm)s个（%(hk)s），参赛项目共%(all)s个。"
        ) % {
            "overseas": b.total("contests.projects_overseas"),
            "hkm": b.total("contests.projects_hk_macao"),
            "hk": b.parts("contests.projects_hk_macao", _("个")),
            "all": b.total("contests.projects_by_region"),
        }
        countries = b.parts("contests.projects_overseas", _("个"), limit=5)
        if countries:
            text += _("海外项目较多的来源国家是%(parts)s。") % {"parts": countries}
    else:
        text = _("期内未录入创业大赛海外和港澳项目（海外%(o)s个、港澳%(h)s个）。") % {
            "o": b.total("contests.projects_overseas"),
            "h": b.total("contests.projects_hk_macao"),
        }
    exhibitors = b.value("enterprises.exhibitors")
    if exhibitors:
        text += _("支持侨资企业参展%(n)s家次，其中%(parts)s。") % {
            "n": b.total("enterprises.exhibitors"),
            "parts": b.parts("enterprises.exhibitors", _("家次")),
        }
    else:
        text += _("期内未录入侨资企业参展（%(n)s家次）。") % {"n": b.total("enterprises.exhibitors")}
    paragraphs.append(text)

    submitted = b.value("advocacy.opinions_submitted")
    text = _("报送社情民意信息%(sub)s篇，被采用%(adopted)s篇") % {
        "sub": b.total("advocacy.opinions_submitted"),
        "adopted": b.total("advocacy.opinions_adopted"),
    }
    if submitted and b.value("advocacy.opinions_adopted"):
        text += _("（%(parts)s）") % {"parts": b.parts("advocacy.opinions_adopted", _("篇"))}
    reports = b.iv("advocacy.research_reports")
    text += _("；开展涉侨调查研究，形成调研报告%(n)s篇") % {"n": b.total("advocacy.research_reports")}
    if reports is not None and reports.value:
        titles = list(reports.records.order_by("completed_on", "pk").values_list("title", flat=True)[:3])
        text += _("，包括%(titles)s等") % {"titles": "".join(f"《{t}》" for t in titles)}
    paragraphs.append(text + "。")
    return paragraphs


def _huiqiao(b: _Builder) -> list[str]:
    paragraphs = [_project_activities(b, Project.HUIQIAO)]
    by_year = b.grouped("activities.by_campaign", "year", "campaign__title")
    law = sorted((year, title, n) for (year, title), n in by_year.items() if CAMPAIGN_LAW_MONTH in (title or ""))
    items = []
    for year in b.years:
        found = [(t, n) for y, t, n in law if y == year]
        start, end = b.year_period(year)
        if not found:
            if start.month <= 3 <= end.month:
                items.append(_("%(year)s年未录入") % {"year": year})
            continue
        for title, n in found:
            count = b.fig("activities.by_campaign", n, start=start, end=end, group=title)
            if title.startswith(f"{year}年"):
                items.append(_("%(year)s年%(n)s项") % {"year": year, "n": count})
            else:
                items.append(_("%(year)s年“%(title)s”%(n)s项") % {"year": year, "title": title, "n": count})
    if law:
        paragraphs.append(_("每年3月开展“侨法宣传月”活动，各年活动项数：%(items)s。") % {"items": _join(items)})
    else:
        paragraphs.append(_("期内未录入“侨法宣传月”专项活动。"))

    recipients = b.value("aid.recipients")
    if recipients:
        text = _("帮扶慰问困难归侨侨眷%(n)s人（%(parts)s），发放慰问金%(amount)s元（%(amounts)s）") % {
            "n": b.total("aid.recipients"),
            "parts": b.parts("aid.recipients", _("人")),
            "amount": b.total("aid.amount"),
            "amounts": b.parts("aid.amount", _("元")),
        }
    else:
        text = _("期内未录入帮扶慰问发放（%(n)s人）") % {"n": b.total("aid.recipients")}
    text += _("；接收捐赠%(n)s笔，金额%(amount)s元。") % {
        "n": b.total("aid.donations"),
        "amount": b.total("aid.donation_amount"),
    }
    paragraphs.append(text)

    cases = b.value("casework.by_type")
    if cases:
        text = _(
            "受理侨益维护、咨询、帮扶申请等案件%(n)s件（%(types)s）；按目前状态，%(states)s；超期%(overdue)s件"
        ) % {
            "n": b.total("casework.by_type"),
            "types": b.parts("casework.by_type", _("件")),
            "states": b.parts("casework.by_state", _("件")),
            "overdue": b.total("casework.overdue"),
        }
        if b.value("casework.days_to_resolve") is not None:
            text += _("；期内办结案件平均办理用时%(days)s个工作日") % {"days": b.total("casework.days_to_resolve")}
        paragraphs.append(text + "。")
    else:
        paragraphs.append(_("期内未受理案件（%(n)s件）。") % {"n": b.total("casework.by_type")})

    if b.applies("contests.entries"):
        entries = b.value("contests.entries") or 0
        if entries:
            years = sorted(b.breakdown("contests.entries").items(), key=lambda kv: (kv[0] is None, kv[0]))
            listed = _join(
                [_("%(year)s年度%(n)s件") % {"year": y, "n": b.part("contests.entries", y)} for y, n in years if n]
            )
            paragraphs.append(
                _("每年举办摄影、微视频大赛，期内共收到投稿%(approx)s件（共%(n)s件），各年度大赛投稿：%(years)s。")
                % {"approx": approx(entries), "n": b.total("contests.entries"), "years": listed}
            )
        else:
            paragraphs.append(_("期内未收到大赛投稿（%(n)s件）。") % {"n": b.total("contests.entries")})

    camps = b.value("liaison.camps")
    if camps:
        modes = b.grouped("liaison.camps", "year", "mode")
        listed = []
        for (year, mode), n in sorted(modes.items()):
            start, end = b.year_period(year)
            count = b.fig("liaison.camps", n, start=start, end=end, group=mode)
            listed.append(
                _("%(year)s年%(mode)s%(n)s期") % {"year": year, "mode": b.label("liaison.camps", mode), "n": count}
            )
        text = _("举办海外华裔青少年夏令营%(n)s期（%(list)s）") % {"n": b.total("liaison.camps"), "list": _join(listed)}
        online = b.iv("liaison.camps").records.filter(mode="online").order_by("starts_on")
        titles = list(online.values_list("title", flat=True)[:2])
        if titles:
            text += _("，其中线上营为%(titles)s") % {"titles": _join(titles)}
        text += _("；参营营员%(n)s人") % {"n": b.total("liaison.campers")}
        countries = b.parts("liaison.campers", _("人"), limit=5)
        if countries:
            text += _("，来自%(parts)s等国家和地区") % {"parts": countries}
        paragraphs.append(text + "。")
    else:
        paragraphs.append(_("期内未录入夏令营（%(n)s期）。") % {"n": b.total("liaison.camps")})

    contacts = b.value("liaison.contacts")
    if contacts:
        paragraphs.append(
            _("拓展港澳和海外联谊，现有海外（含港澳）联系人%(n)s人，较多的国家和地区是%(parts)s。")
            % {"n": b.total("liaison.contacts"), "parts": b.parts("liaison.contacts", _("人"), limit=6)}
        )
    return paragraphs


def _qiangji(b: _Builder) -> list[str]:
    paragraphs = [_project_activities(b, Project.QIANGJI)]
    trainings = b.grouped("activities.trainings", "year")
    trainees = b.grouped("activities.trainees", "year")
    if b.value("activities.trainings"):
        items = []
        for year in b.years:
            n = trainings.get((year,))
            if not n:
                continue
            start, end = b.year_period(year)
            items.append(
                _("%(year)s年%(n)s期%(people)s人")
                % {
                    "year": year,
                    "n": b.fig("activities.trainings", n, start=start, end=end),
                    "people": b.fig("activities.trainees", trainees.get((year,)), start=start, end=end),
                }
            )
        paragraphs.append(
            _("举办侨务干部等培训%(n)s期，培训%(people)s人（同一人参加多期只计一次）；各年：%(items)s。")
            % {"n": b.total("activities.trainings"), "people": b.total("activities.trainees"), "items": _join(items)}
        )
    else:
        paragraphs.append(_("期内未录入培训（%(n)s期）。") % {"n": b.total("activities.trainings")})

    elections = b.grouped("orgs.elections", "year", "federation__level")
    due = b.grouped("orgs.terms_due", "year", "federation__level")
    if elections:
        items = []
        for (year, level), n in sorted(elections.items()):
            start, end = b.year_period(year)
            held = b.fig("orgs.elections", n, start=start, end=end, group=level)
            level_label = b.label("orgs.elections", level)
            text = _("%(year)s年%(level)s侨联组织%(n)s个") % {"year": year, "level": level_label, "n": held}
            owed = due.get((year, level))
            if owed:
                owed_text = b.fig("orgs.terms_due", owed, start=start, end=end, group=level)
                if n >= owed:
                    text += _("（当年届满%(due)s个，全部完成换届）") % {"due": owed_text}
                else:
                    text += _("（当年届满%(due)s个）") % {"due": owed_text}
            items.append(text)
        paragraphs.append(
            _("指导基层侨联按期换届，期内完成换届选举%(n)s个：%(items)s。")
            % {"n": b.total("orgs.elections"), "items": _join(items)}
        )
    else:
        paragraphs.append(_("期内未录入换届选举（%(n)s个）。") % {"n": b.total("orgs.elections")})

    opened = b.value("orgs.stations")
    if opened:
        paragraphs.append(
            _("推进阵地建设，期内新命名“侨之家”“新侨驿站”%(n)s个（%(parts)s）。")
            % {"n": b.total("orgs.stations"), "parts": b.parts("orgs.stations", _("个"))}
        )
    else:
        paragraphs.append(_("期内未新命名“侨之家”“新侨驿站”（%(n)s个）。") % {"n": b.total("orgs.stations")})

    joint = b.value("activities.joint")
    if joint:
        paragraphs.append(
            _("开展毗邻合作和区域联动，与合作侨联联合开展活动%(n)s项，其中与%(parts)s。")
            % {"n": b.total("activities.joint"), "parts": b.parts("activities.joint", _("项"))}
        )
    else:
        paragraphs.append(_("期内未录入与合作侨联联合开展的活动（%(n)s项）。") % {"n": b.total("activities.joint")})
    return paragraphs


def _outlook(b: _Builder, short: str) -> tuple[Section, Plan | None]:
    from qiaolian.reports.models import WorkPlan

    plan = (
        WorkPlan.objects.visible_to(b.user)
        .filter(federation=b.federation, start_year__gt=b.end.year)
        .order_by("start_year")
        .prefetch_related("targets")
        .first()
    )
    if plan is None:
        return Section("outlook", _("展望"), [_("尚未录入%(short)s下一阶段的工作规划。") % {"short": short}]), None
    paragraphs = [
        _("%(short)s已制定《%(title)s》（%(a)s—%(b)s年）。")
        % {
            "short": short,
            "title": plan.title,
            "a": plan.start_year,
            "b": plan.end_year,
        }
    ]
    paragraphs.extend(p.strip() for p in plan.summary.splitlines() if p.strip())
    years = list(plan.years)
    targets: dict[str, dict[int, Decimal]] = {}
    for target in plan.targets.all():
        targets.setdefault(target.indicator, {})[target.year] = target.value
    rows = []
    for code, values in targets.items():
        indicator = BY_CODE.get(code)
        name = str(indicator.name) if indicator else code
        unit = str(indicator.unit) if indicator else ""
        decimals = indicator.decimals if indicator else 2
        rows.append([name, unit, *[fmt(values.get(y), decimals) if y in values else "—" for y in years]])
    if rows:
        paragraphs.append(_("规划目标见下表。"))
    header = [_("指标"), _("单位"), *[f"{y}年" for y in years]]
    return Section("outlook", _("展望"), paragraphs), Plan(
        plan.title, plan.start_year, plan.end_year, plan.summary, header, rows
    )


# Appendix B ------------------------------------------------------------------------------------

# (project, [(code, breakdown key or None, label)]) rows per year
TABLE_ROWS: list[tuple[Project, list[tuple[str, str | None]]]] = [
    (
        Project.NINGXIN,
        [
            ("activities.by_project", "ningxin"),
            ("activities.participants", "ningxin"),
            ("activities.audience", "ningxin"),
            ("activities.online_reach", None),
        ],
    ),
    (
        Project.JULI,
        [
            ("activities.by_project", "juli"),
            ("activities.participants", "juli"),
            ("enterprises.visits", None),
            ("enterprises.appeals_raised", None),
            ("enterprises.appeals_resolved", None),
            ("enterprises.investment_leads", None),
            ("contests.projects_overseas", None),
            ("contests.projects_hk_macao", None),
            ("enterprises.exhibitors", None),
            ("advocacy.opinions_submitted", None),
            ("advocacy.opinions_adopted", None),
            ("advocacy.research_reports", None),
        ],
    ),
    (
        Project.HUIQIAO,
        [
            ("activities.by_project", "huiqiao"),
            ("activities.participants", "huiqiao"),
            ("aid.recipients", None),
            ("aid.amount", None),
            ("aid.donations", None),
            ("casework.by_type", None),
            ("casework.overdue", None),
            ("contests.entries", None),
            ("liaison.camps", None),
            ("liaison.campers", None),
        ],
    ),
    (
        Project.QIANGJI,
        [
            ("activities.by_project", "qiangji"),
            ("activities.participants", "qiangji"),
            ("activities.trainings", None),
            ("activities.trainees", None),
            ("orgs.elections", None),
            ("orgs.stations", None),
            ("activities.joint", None),
        ],
    ),
]


def _per_year(b: _Builder, code: str, key: str | None) -> dict[int, object]:
    indicator = BY_CODE[code]
    if key is None:
        return {k[0]: v for k, v in b.grouped(code, "year").items()}
    return {year: v for (year, k), v in b.grouped(code, "year", indicator.breakdown).items() if k == key}


def _tables(b: _Builder) -> list[Table]:
    tables = []
    header = [_("指标"), _("单位"), *[b.year_label(y) for y in b.years], _("合计")]
    for project, rows in TABLE_ROWS:
        body = []
        for code, key in rows:
            if not b.applies(code):
                continue
            indicator = BY_CODE[code]
            per_year = _per_year(b, code, key)
            total = b.breakdown(code).get(key) if key else b.value(code)
            name = str(indicator.name)
            if key:
                name = _("%(name)s：%(group)s") % {"name": name, "group": b.label(code, key)}
            cells = [
                fmt(per_year.get(y) or (0 if indicator.measure != "avg" else None), indicator.decimals) for y in b.years
            ]
            total_value = total if total is not None or indicator.measure == "avg" else 0
            body.append([name, str(indicator.unit), *cells, fmt(total_value, indicator.decimals)])
        tables.append(
            Table(
                project.value,
                _("表%(n)s %(project)s主要指标（分年）") % {"n": len(tables) + 1, "project": project.label},
                header,
                body,
                _("人数为去重人数，合计为全期去重数，不等于各年之和。"),
            )
        )
    return tables


def _charts(b: _Builder) -> list[Chart]:
    years = [str(y) for y in b.years]
    charts = []
    by_project = b.grouped("activities.by_project", "year", "project")
    charts.append(
        Chart(
            "activities",
            _("各年活动项数（按工程）"),
            _("项"),
            years,
            [(str(p.label), [float(by_project.get((y, p.value)) or 0) for y in b.years]) for p in Project],
        )
    )
    if b.applies("contests.entries"):
        entries = b.grouped("contests.entries", "year")
        charts.append(
            Chart(
                "entries",
                _("各年大赛投稿作品（按投稿日期）"),
                _("件"),
                years,
                [(_("投稿作品"), [float(entries.get((y,)) or 0) for y in b.years])],
            )
        )
    regions = b.grouped("contests.projects_by_region", "year", "source_region")
    keys = sorted({k for _y, k in regions}, key=lambda k: -sum(v for (y, kk), v in regions.items() if kk == k))
    charts.append(
        Chart(
            "projects",
            _("各年创业大赛项目（按来源地区）"),
            _("个"),
            years,
            [
                (b.label("contests.projects_by_region", k), [float(regions.get((y, k)) or 0) for y in b.years])
                for k in keys
            ],
        )
    )
    aid = b.grouped("aid.amount", "year", "nomination__campaign__kind")
    kinds = sorted({k for _y, k in aid}, key=lambda k: str(k))
    charts.append(
        Chart(
            "aid",
            _("各年发放慰问金（按帮扶类型）"),
            _("元"),
            years,
            [(b.label("aid.amount", k), [float(aid.get((y, k)) or 0) for y in b.years]) for k in kinds],
        )
    )
    return charts


# The entry points ------------------------------------------------------------------------------


def build_review(*, user, start: dt.date, end: dt.date, federation=None) -> Review:
    """The review of ``federation`` (default: the user's own; outside the user's jurisdiction:
    Http404) for ``start``–``end``, every figure read through the indicator catalogue."""
    if start > end:
        raise ValueError("start after end")
    with override("zh-hans"):
        federation = federation_for(user=user, federation=federation)
        where = {"federation_id": federation.pk, "start": start, "end": end}
        if prefetch.can_prefetch():
            # the figures the review read last time, counted side by side before it reads them
            prefetch.prefetch(prefetch.plan_get("review", **where), user=user, federation=federation)
        b = _Builder(user=user, start=start, end=end, federation=federation)
        short = short_name(federation)
        children = list(Federation.objects.visible_to(user).filter(parent=federation).order_by("sort_order", "path"))
        title = _("%(short)s%(years)s工作回顾（%(period)s）") % {
            "short": short,
            "years": b.years_word,
            "period": b.period_label,
        }
        intro = _intro(b, short, children)
        retrospect = _opening(b, short)
        projects = []
        for n, (project, write) in enumerate(
            [
                (Project.NINGXIN, _ningxin),
                (Project.JULI, _juli),
                (Project.HUIQIAO, _huiqiao),
                (Project.QIANGJI, _qiangji),
            ],
            start=1,
        ):
            projects.append(Section(project.value, f"{NUMERALS[n]}、{project.label}", write(b), level=2))
        outlook, plan = _outlook(b, short)
        tables = _tables(b)
        charts = _charts(b)
        sections = [intro, retrospect, *projects, outlook]
        figures = _renumber(b.figures, sections)
        prefetch.plan_set("review", asked=b.asked, **where)
        return Review(
            title=title,
            federation_id=federation.pk,
            federation_name=federation.name,
            start=start,
            end=end,
            generated_on=b_today(),
            period_label=b.period_label,
            intro=intro,
            retrospect=retrospect,
            projects=projects,
            outlook=outlook,
            plan=plan,
            figures=figures,
            tables=tables,
            charts=charts,
        )


def _renumber(figures: list[Figure], sections: list[Section]) -> list[Figure]:
    """Number the figures in the order the text first mentions them (the appendix follows the
    reading order), and rewrite the markers to match."""
    order: dict[int, int] = {}
    for section in sections:
        for paragraph in section.paragraphs:
            for match in MARKER.finditer(paragraph):
                order.setdefault(int(match.group(1)), len(order) + 1)
    for figure in figures:
        order.setdefault(figure.n, len(order) + 1)
    for section in sections:
        section.paragraphs = [MARKER.sub(lambda m: f"[{order[int(m.group(1))]}]", p) for p in section.paragraphs]
    for figure in figures:
        figure.n = order[figure.n]
    return sorted(figures, key=lambda f: f.n)


def _number(value):
    if value is None or isinstance(value, int):
        return value
    return float(value)


def review_json(review: Review) -> dict:
    """The review as JSON: the same sections, figures, tables and plan as the documents."""
    return {
        "title": review.title,
        "federation": {"id": review.federation_id, "name": review.federation_name},
        "period": {"from": review.start.isoformat(), "to": review.end.isoformat()},
        "generated_on": review.generated_on.isoformat(),
        "sections": [
            {"key": s.key, "title": s.title, "level": s.level, "paragraphs": list(s.paragraphs)}
            for s in review.sections
        ],
        "figures": [
            {
                "n": f.n,
                "code": f.code,
                "name": f.name,
                "value": _number(f.value),
                "unit": f.unit,
                "from": f.start.isoformat() if f.start else None,
                "to": f.end.isoformat() if f.end else None,
                "federation": {"id": f.federation_id, "name": f.federation},
                "group": f.group,
                "group_label": f.group_label,
                "url": f.url,
            }
            for f in review.figures
        ],
        "tables": [
            {"key": t.key, "title": t.title, "header": t.header, "rows": t.rows, "note": t.note} for t in review.tables
        ],
        "charts": [
            {
                "key": c.key,
                "title": c.title,
                "unit": c.unit,
                "categories": c.categories,
                "series": [{"name": name, "values": values} for name, values in c.series],
            }
            for c in review.charts
        ],
        "plan": None
        if review.plan is None
        else {
            "title": review.plan.title,
            "start_year": review.plan.start_year,
            "end_year": review.plan.end_year,
            "summary": review.plan.summary,
            "header": review.plan.header,
            "rows": review.plan.rows,
        },
    }
