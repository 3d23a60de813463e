"""API of the search box: ``GET /search?q=&kind=`` — the same ``search`` selector as the page,
so the same jurisdiction, the same per-kind view permissions and only masked personal data."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qiaolian.core.permissions import require_perm
from qiaolian.search.selectors import DEFAULT_LIMIT, search

router = Router(tags=["检索"])

KindParam = Literal["person", "enterprise", "case", "activity"]


class SearchParams(Schema):
    q: str = Field(
        "",
        max_length=100,
        description="姓名（简繁均可）、拼音或首字母、企业名称或统一社会信用代码、"
        "案件编号或事由、活动名称、18位身份证号码或电话号码",
    )
    kind: KindParam | None = Field(
        None, description="只查一类：person 侨情人员 · enterprise 侨企 · case 诉求案件 · activity 活动"
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=50, description="每类最多返回条数")


class SearchHitOut(Schema):
    kind: KindParam
    id: int
    label: str = Field(description="姓名或名称")
    detail: str = Field(description="所属侨联、类别等；证件号码和电话为脱敏值")
    url: str = Field(description="工作平台中该记录的页面")


class SearchGroupOut(Schema):
    kind: KindParam
    label: str
    count: int = Field(description="符合条件的数量（超过 100 时为 100，且 count_is_capped 为 true）")
    count_is_capped: bool
    items: list[SearchHitOut]


class SearchOut(Schema):
    query: str
    groups: list[SearchGroupOut] = Field(description="用户有权查看的各类记录，只含其管辖范围内的")


@router.get("/search", response=SearchOut, summary="全局检索（人员、侨企、案件、活动）")
def search_records(request: HttpRequest, params: Query[SearchParams]):
    require_perm(request.user, "accounts.use_staff_site")
    results = search(user=request.user, query=params.q, kind=params.kind or "", limit=params.limit)
    if results.problem:
        raise ValidationError({"q": results.problem})
    return {
        "query": results.query.text,
        "groups": [
            {
                "kind": group.kind,
                "label": group.label,
                "count": group.count,
                "count_is_capped": group.count_is_capped,
                "items": [vars(hit) for hit in group.hits],
            }
            for group in results.groups
        ],
    }
