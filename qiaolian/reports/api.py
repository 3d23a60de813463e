"""API of the indicator catalogue: what each indicator is, and its value for a period and a
federation with the ids of the records it counts (the same ``indicator_value`` as the pages)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from qiaolian.core.api import ErrorOut
from qiaolian.core.permissions import require_perm
from qiaolian.reports.indicators import CATALOGUE, NotApplicable, indicator_value

router = Router(tags=["统计指标"])


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    unit: str
    project: str
    levels: list[str]
    measure: str = Field(description="count 计数 · distinct 去重计数 · sum 求和 · avg 平均")
    breakdown: str | None


class ReportFederationOut(Schema):
    id: int
    name: str


class BreakdownItem(Schema):
    key: str
    label: str
    value: float | int | None


class IndicatorValueOut(Schema):
    code: str
    name: str
    value: float | int | None
    unit: str
    period: dict[str, dt.date]
    federation: ReportFederationOut
    breakdown: list[BreakdownItem]
    ids: list[int | str]


class ValueQuery(Schema):
    start: dt.date | None = Field(None, alias="from", description="开始日期（含），默认今年1月1日")
    end: dt.date | None = Field(None, alias="to", description="结束日期（含），默认今年12月31日")
    federation: int | None = Field(None, description="侨联组织 id，默认本人所在组织；含其下级组织")


def _number(value):
    if value is None or isinstance(value, int):
        return value
    return float(value)


@router.get("/indicators", response=list[IndicatorOut], summary="指标目录")
def indicator_catalogue(request: HttpRequest):
    require_perm(request.user, "reports.view_indicators")
    return [
        {
            "code": i.code,
            "name": str(i.name),
            "name_en": i.name_en,
            "unit": str(i.unit),
            "project": i.project,
            "levels": list(i.levels),
            "measure": i.measure,
            "breakdown": i.breakdown,
        }
        for i in CATALOGUE
    ]


@router.get(
    "/indicators/{indicator_id}",
    response=IndicatorValueOut,
    summary="指标取值及所计记录",
    description="indicator_id 为指标编码（如 persons.by_category）。不存在的编码、本人辖区以外的侨联组织返回 404。",
)
def indicator_detail(request: HttpRequest, indicator_id: str, params: Query[ValueQuery]):
    require_perm(request.user, "reports.view_indicators")
    year = timezone.localdate().year
    start = params.start or dt.date(year, 1, 1)
    end = params.end or dt.date(year, 12, 31)
    try:
        result = indicator_value(
            code=indicator_id, user=request.user, start=start, end=end, federation=params.federation
        )
    except NotApplicable:
        raise Http404(indicator_id) from None
    return {
        "code": result.indicator.code,
        "name": str(result.indicator.name),
        "value": _number(result.value),
        "unit": str(result.unit),
        "period": {"from": start, "to": end},
        "federation": {"id": result.federation.pk, "name": result.federation.name},
        "breakdown": [
            {"key": str(key), "label": str(label), "value": _number(value)}
            for key, label, value in result.breakdown_rows()
        ],
        "ids": result.ids,
    }


class ReviewQuery(Schema):
    start: dt.date | None = Field(None, alias="from", description="开始日期（含），默认 2017-12-01")
    end: dt.date | None = Field(None, alias="to", description="结束日期（含），默认 2022-12-31")
    federation: int | None = Field(None, description="侨联组织 id，默认本人所在组织；含其下级组织")


@router.get(
    "/reports/review",
    response={200: dict, 404: ErrorOut},
    summary="工作回顾（五年工作回顾）的正文与数据",
    description=(
        "由记录生成的工作回顾：标题、各部分段落（数字后的 [n] 对应 figures 中的条目）、每个数字的指标编码、期间、"
        "侨联组织、数值与“数字从何而来”链接，分年数据表与工作规划。本人辖区以外的侨联组织返回 404。"
    ),
)
def review(request: HttpRequest, params: Query[ReviewQuery]):
    from ninja.errors import HttpError

    from qiaolian.reports.review import build_review, review_json

    require_perm(request.user, "reports.view_indicators")
    start = params.start or dt.date(2017, 12, 1)
    end = params.end or dt.date(2022, 12, 31)
    if start > end:
        raise HttpError(422, "结束日期不能早于开始日期。")
    return review_json(build_review(user=request.user, start=start, end=end, federation=params.federation))
