"""The portal's content pages (news, privacy notices) in the permission matrix
(qiaolian/core/tests/test_matrix.py). Privacy notices have no per-record page, so no kind of
theirs needs a place."""

from qiaolian.portal.models import News
from qiaolian.testing import Route

ROUTES: dict = {
    "portal_staff:news_list": Route("portal.manage_content"),
    "portal_staff:news_create": Route("portal.manage_content"),
    "portal_staff:news_edit": Route("portal.manage_content", "portal_news"),
    "portal_staff:news_publish": Route("portal.manage_content", "portal_news", "post"),
    "portal_staff:notice_list": Route("portal.manage_privacy_notice"),
    "portal_staff:notice_create": Route("portal.manage_privacy_notice"),
}
API_OPERATIONS: dict = {}


def records(js, federation, tag, admin) -> dict:
    news = News.objects.create(federation=federation, title=f"{tag}侨联新闻", body="正文", created_by=admin)
    return {"portal_news": news}
