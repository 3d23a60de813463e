from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from qiaolian.api import api

urlpatterns = [
    path("", include("qiaolian.core.urls")),
    path("accounts/", include("qiaolian.accounts.urls")),
    path("orgs/", include("qiaolian.orgs.urls")),
    path("registry/", include("qiaolian.registry.urls")),
    path("audit/", include("qiaolian.audit.urls")),
    path("advocacy/", include("qiaolian.advocacy.urls")),
    path("liaison/", include("qiaolian.liaison.urls")),
    path("activities/", include("qiaolian.activities.urls")),
    path("enterprises/", include("qiaolian.enterprises.urls")),
    path("cases/", include("qiaolian.casework.urls")),
    path("aid/", include("qiaolian.aid.urls")),
    path("contests/", include("qiaolian.contests.urls")),
    path("portal-admin/", include("qiaolian.portal.urls_staff")),
    path("reports/", include("qiaolian.reports.urls")),
    path("search/", include("qiaolian.search.urls")),
    path("linkage/", include("qiaolian.linkage.urls")),
    path("privacy/", include("qiaolian.privacy.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
# The public portal, in each of settings.PORTAL_LANGUAGES under its prefix.
urlpatterns += i18n_patterns(path("", include("qiaolian.portal.urls")), prefix_default_language=True)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
