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
