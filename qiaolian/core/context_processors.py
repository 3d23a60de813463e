from django.conf import settings

from qiaolian.core.nav import sidebar_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_title": settings.SITE_TITLE}
    return {"site_title": settings.SITE_TITLE, "sidebar": sidebar_for(user, request.path)}
