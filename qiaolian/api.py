"""The REST API under /api/v1/ (django-ninja); each app adds its router.

Authentication: a bearer token (``Authorization: Bearer ql_…``, made by the ``api_token``
command) or the staff site's session cookie, with the CSRF token (``X-CSRFToken``) on unsafe
methods. Either way the signed-in user is ``request.user`` in the handlers.

Errors are JSON with Chinese messages (the staff site's language):
401 not signed in · 403 the role may not do this · 404 absent or outside the user's jurisdiction
(never 403 for another town's record) · 409 conflict with a stored record · 422 bad input, as
``{"detail": [{"field": "id_number", "message": "身份证号码校验位错误，请核对最后一位。"}]}``
(``field`` is null when the problem is not one field's). Writes are single service calls, each
in one transaction: a request that fails writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from qiaolian.accounts.services import api_token_user
from qiaolian.activities.api import router as activities_router
from qiaolian.advocacy.api import router as advocacy_router
from qiaolian.aid.api import router as aid_router
from qiaolian.casework.api import router as casework_router
from qiaolian.contests.api import router as contests_router
from qiaolian.contests.api_projects import router as projects_router
from qiaolian.core.api import ErrorOut
from qiaolian.enterprises.api import router as enterprises_router
from qiaolian.liaison.api import router as liaison_router
from qiaolian.orgs.api import router as orgs_router
from qiaolian.registry.api import router as registry_router
from qiaolian.reports.api import router as reports_router
from qiaolian.search.api import router as search_router


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: an unrevoked token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token.strip())
        if user is not None:
            request.user = user
        return user


class StaffSessionAuth(SessionAuth):
    """The staff site's session. Unsafe methods must carry the CSRF token, as forms do.

    A request that carries an ``Authorization`` header is judged by that header alone, so a bad
    token is a 401 even from a browser that is signed in."""

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF 校验失败：使用登录会话调用接口时，请在请求头 X-CSRFToken 中提供 CSRF 令牌。"))
        return user


# The errors every operation can answer with, documented in the OpenAPI document (an operation may
# declare more in its ``response={...}``). 404 where the path names a record; 400 and 409 where a
# request body is read or written.
ERROR_RESPONSES = {
    400: "请求内容不是有效的 JSON",
    401: "未登录或接口令牌无效",
    403: "角色无权执行此操作",
    404: "记录不存在或不在本人的管辖范围内",
    409: "与已有记录冲突，未保存任何内容",
    422: "输入有误（逐字段说明）",
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the error responses each operation really returns (see the module doc)."""
    error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in error.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault("ErrorOut", error)
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation or not operation.get("security"):
                continue
            codes = [401, 403, 422]
            if "{" in path:
                codes.append(404)
            for parameter in operation.get("parameters", []):
                # ``{int:…}`` path parameters match digits only: another value is not this operation
                if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer":
                    parameter["schema"].setdefault("minimum", 0)
            if "requestBody" in operation:
                codes += [400, 409]
            declared = {str(code) for code in operation["responses"]}
            for code in codes:
                if str(code) not in declared:
                    operation["responses"][code] = {"description": ERROR_RESPONSES[code], "content": content}
    return schema


class QiaolianAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None):
        return document_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = QiaolianAPI(
    title="Qiaolian API",
    version="1",
    description=(
        "金山区侨联工作平台接口。认证：Bearer 令牌或登录会话（修改类请求需带 X-CSRFToken）。"
        "权限与数据范围与页面一致：其他街镇的记录返回 404；证件号码、电话、住址只返回脱敏值，"
        "查看原值须调用 /persons/{id}/reveal（记入审计日志）。"
    ),
    urls_namespace="api",
    auth=[BearerTokenAuth(), StaffSessionAuth()],
)
api.add_router("/", registry_router)
api.add_router("/", orgs_router)
api.add_router("/", advocacy_router)
api.add_router("/", liaison_router)
api.add_router("/", activities_router)
api.add_router("/", enterprises_router)
api.add_router("/", casework_router)
api.add_router("/", aid_router)
api.add_router("/", contests_router)
api.add_router("/", projects_router)
api.add_router("/", reports_router)
api.add_router("/", search_router)


# Errors -----------------------------------------------------------------------------------------


def _error(request: HttpRequest, status: int, detail: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


def field_errors(error: DjangoValidationError) -> list[dict[str, str | None]]:
    """A Django ValidationError (from a form or a service) as the API's list of field errors."""
    if hasattr(error, "error_dict"):
        return [
            {"field": None if name == "__all__" else name, "message": message}
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in error.messages]


def _schema_message(error: dict[str, Any]) -> str:
    """A Chinese message for one pydantic error (its English text is not for our users)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    simple = {
        "missing": _("请填写该字段。"),
        "extra_forbidden": _("不支持该字段。"),
        "string_type": _("应为文本。"),
        "int_type": _("应为整数。"),
        "int_parsing": _("应为整数。"),
        "int_from_float": _("应为整数。"),
        "bool_type": _("应为 true 或 false。"),
        "bool_parsing": _("应为 true 或 false。"),
        "date_type": _("日期格式应为 YYYY-MM-DD。"),
        "date_parsing": _("日期格式应为 YYYY-MM-DD。"),
        "date_from_datetime_parsing": _("日期格式应为 YYYY-MM-DD。"),
        "date_from_datetime_inexact": _("日期格式应为 YYYY-MM-DD。"),
        "list_type": _("应为列表。"),
        "model_attributes_type": _("应为 JSON 对象。"),
        "dict_type": _("应为 JSON 对象。"),
        "model_type": _("应为 JSON 对象。"),
        "json_invalid": _("请求内容不是有效的 JSON。"),
    }
    if kind in simple:
        return simple[kind]
    if kind in ("enum", "literal_error"):
        return _("应为以下值之一：%(values)s。") % {"values": ctx.get("expected", "")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("不能小于 %(limit)s。") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("不能大于 %(limit)s。") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind == "string_too_long":
        return _("不能超过 %(n)s 个字符。") % {"n": ctx.get("max_length")}
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])
    return _("格式不正确。")


def _schema_field(error: dict[str, Any]) -> str | None:
    """The top-level field an error is about: ``("body", "payload", "name")`` → ``name``."""
    loc = [str(part) for part in error.get("loc", ())]
    source, rest = (loc[0], loc[1:]) if loc else ("", [])
    if source == "body" and rest:
        rest = rest[1:]  # the handler's parameter name
    return rest[0] if rest else None


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, _("请先登录，或在请求头 Authorization 中提供有效的接口令牌（Bearer）。"))
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("请求内容不是有效的 JSON。")
    return _error(request, exc.status_code, message)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, _("您的角色没有权限执行此操作。"))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _("未找到该记录。"))


@api.exception_handler(ObjectDoesNotExist)
def on_does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return _error(request, 404, _("未找到该记录。"))


@api.exception_handler(DjangoValidationError)
def on_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return _error(request, 422, field_errors(exc))


@api.exception_handler(NinjaValidationError)
def on_schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail, seen = [], set()
    for error in exc.errors:
        item = {"field": _schema_field(error), "message": _schema_message(error)}
        key = (item["field"], item["message"])
        if key not in seen:
            seen.add(key)
            detail.append(item)
    return _error(request, 422, detail)


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """A number too large for the database, or a date beyond the calendar, from the request."""
    return _error(request, 422, [{"field": None, "message": _("数值或日期超出可处理的范围。")}])


@api.exception_handler(IntegrityError)
def on_conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    return _error(request, 409, _("与已有记录冲突（可能刚被他人录入），未保存任何内容，请刷新后重试。"))
