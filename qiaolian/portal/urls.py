"""The public portal, mounted under each language prefix (qiaolian/urls.py): public pages and
sign-up (urls_public, urls_account), "my" pages (urls_my) and contest entries (urls_entries)."""

from qiaolian.portal import urls_account, urls_entries, urls_my, urls_public

app_name = "portal"
urlpatterns = [
    *urls_public.urlpatterns,
    *urls_account.urlpatterns,
    *urls_my.urlpatterns,
    *urls_entries.urlpatterns,
]
