"""Staff pages of contests (urls_contests) and of the entrepreneurship competition (urls_projects)."""

from qiaolian.contests import urls_contests, urls_projects

app_name = "contests"
urlpatterns = [*urls_contests.urlpatterns, *urls_projects.urlpatterns]
