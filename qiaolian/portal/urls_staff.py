"""Staff pages that look after the portal: news and privacy notices (urls_staff_content), profile
changes, account links and data-subject requests (urls_staff_review)."""

from qiaolian.portal import urls_staff_content, urls_staff_review

app_name = "portal_staff"
urlpatterns = [*urls_staff_content.urlpatterns, *urls_staff_review.urlpatterns]
