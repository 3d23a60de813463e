from qiaolian.core.request_context import client_ip, reset_ip, set_ip


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_ip(token)


class StaffLanguageMiddleware:
    """The staff site speaks 简体中文 unless the user chose another language (the switch in the
    header stores the choice in a cookie). The browser's Accept-Language is not consulted: an
    office PC set up in English should not change the working language of the federation.

    The portal's pages carry their language in the path (/zh-hans/, /zh-hant/, /en/): there the
    path decides, so a link to an English page is English for whoever opens it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        prefix = request.path_info.split("/", 2)[1] if request.path_info.count("/") >= 2 else ""
        if prefix in settings.PORTAL_LANGUAGES:
            language = prefix
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            available = {code for code, _name in settings.LANGUAGES}
            language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response


# Faults: the database away, the disk full -------------------------------------------------------

FAULT_ATTRIBUTE = "_qiaolian_fault"


def fault_response(request, exc: BaseException):
    """A clean page for a fault of the machine rather than of the code, or None: the database not
    answering (503 with Retry-After: the load balancer and the user try again) and a full disk
    (507: nothing was saved, an administrator must make room). JSON for the API."""
    import errno

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse, JsonResponse
    from django.template.loader import render_to_string
    from django.utils.translation import gettext as _

    if isinstance(exc, OperationalError | InterfaceError):
        status, title = 503, _("数据库暂时不可用")
        message = _("数据库暂时不可用，请稍后重试。")
    elif isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        status, title = 507, _("存储空间不足")
        message = _("服务器存储空间不足，文件未保存，请联系管理员。")
    else:
        return None
    if request.path_info.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message}, status=status)
    else:
        # no request context: the page must not need the database (no user, no session)
        html = render_to_string("core/fault.html", {"title": title, "message": message, "status": status})
        response = HttpResponse(html, status=status)
    if status == 503:
        response.headers["Retry-After"] = "10"
    response.headers["Cache-Control"] = "no-store"
    return response


def _remember_fault(sender, request=None, **kwargs) -> None:
    """An exception raised outside the view (a middleware reading the session, say) becomes a 500
    page before ``FaultMiddleware`` sees it: remember it on the request so that it can tell."""
    import sys

    exc = sys.exc_info()[1]
    if request is not None and exc is not None:
        setattr(request, FAULT_ATTRIBUTE, exc)


class FaultMiddleware:
    """Outermost: turns a database outage into 503 and a full disk into 507 with a page that says
    so (``fault_response``), wherever in the request the error was raised, never a traceback."""

    def __init__(self, get_response):
        from django.core.signals import got_request_exception

        got_request_exception.connect(_remember_fault, dispatch_uid="qiaolian-fault")
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500:
            exc = getattr(request, FAULT_ATTRIBUTE, None)
            if exc is not None:
                return fault_response(request, exc) or response
        return response

    def process_exception(self, request, exc):
        return fault_response(request, exc)


class NulByteMiddleware:
    """A NUL character in a query string or a JSON body is never data (PostgreSQL text cannot
    hold it, and the query would fail with a server error): refuse the request up front, 422 with
    the API's error shape under /api/, 400 elsewhere. Nothing reaches the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "").lower()
        body = b""
        if request.content_type == "application/json":
            body = request.body
        if "%00" in query or "\x00" in query or b"\\u0000" in body or b"\x00" in body:
            from django.http import HttpResponseBadRequest, JsonResponse
            from django.utils.translation import gettext as _

            message = _("请求中含有无效字符（NUL），未处理。")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": [{"field": None, "message": message}]}, status=422)
            return HttpResponseBadRequest(message)
        return self.get_response(request)
