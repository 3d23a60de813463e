"""What every app's API router shares: paging, coded values, references, and binding a page's
form to a JSON payload (so the API validates with the same rules and messages as the pages)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from qiaolian.core.paging import keyset_page

T = TypeVar("T")
F = TypeVar("F", bound=forms.BaseForm)
MAX_PAGE = 100


class Choice(Schema):
    """A coded value with its label in the user's language."""

    code: str
    label: str


class FederationRef(Schema):
    id: int
    name: str


class ErrorField(Schema):
    field: str | None = Field(description="出错的字段；不属于某一字段时为 null")
    message: str


class ErrorOut(Schema):
    """Every error response: a message (401, 403, 404, 409) or a list of field errors (422)."""

    detail: str | list[ErrorField]


# Years in query filters: a bound keeps dt.date(year, 1, 1) and the database's year lookups valid.
YEAR_MIN, YEAR_MAX = 1900, 2100


def year_field(default: int | None = None, *, description: str = "年份") -> Any:
    return Field(default, ge=YEAR_MIN, le=YEAR_MAX, description=description)


class PageQuery(Schema):
    cursor: str = Field("", description="上一页返回的 next_cursor（或 prev_cursor）")
    limit: int = Field(25, ge=1, le=MAX_PAGE, description="每页条数，最多 100")


class Page(Schema, Generic[T]):
    items: list[T]
    count: int = Field(description="符合条件的总数（超过 10000 时为 10000，且 count_is_capped 为 true）")
    count_is_capped: bool
    next_cursor: str | None
    prev_cursor: str | None


def choice_of(obj: Model, name: str) -> dict[str, str]:
    return {"code": getattr(obj, name), "label": str(getattr(obj, f"get_{name}_display")())}


def page_of(qs: QuerySet, params: PageQuery, *, order: tuple[str, ...]) -> dict[str, Any]:
    """One keyset page of ``qs`` (``order`` ends in a unique field)."""
    page = keyset_page(qs, order=order, cursor=params.cursor, size=params.limit)
    return {
        "items": page.rows,
        "count": page.total,
        "count_is_capped": page.total_is_capped,
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
    }


def subtree_filter(*, user, federation_id: int, field: str = "federation") -> Q:
    """Records of a visible federation and those below it; nothing for any other federation."""
    from qiaolian.orgs.selectors import federation_list

    root = federation_list(user=user).filter(pk=federation_id).values_list("path", flat=True).first()
    return Q(**{f"{field}__path__startswith": root}) if root else Q(pk__in=[])


def bound_form(form_class: type[F], payload: dict[str, Any], *, instance: Model | None = None, **kwargs: Any) -> F:
    """``form_class`` bound to an API payload and validated, or a ValidationError naming the
    fields. Fields the payload leaves out keep their current value (update) or their default
    (create), so a PATCH sends only what changes."""
    unbound = form_class(instance=instance, **kwargs)
    unknown = sorted(set(payload) - set(unbound.fields))
    if unknown:
        raise ValidationError({name: _("该字段在此不能填写或修改。") for name in unknown})
    data = {name: unbound[name].value() for name in unbound.fields}
    data.update(payload)
    form = form_class(data=data, instance=instance, **kwargs)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form
