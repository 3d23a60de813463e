"""Contests' part of the permission matrices (core/tests/test_matrix.py and test_api_matrix.py).

``records`` builds, in the given federation, a contest in judging (through the services: set up,
announced, opened, screened) with one eligible entry and its file, the fixture's judge on the
panel (so judge routes are reachable for them in either federation), and an objection."""

from qiaolian.contests import services
from qiaolian.contests.models import ContestStatus, Objection
from qiaolian.contests.tests.factories import contest_make, entry_make
from qiaolian.testing import Route

ROUTES = {
    "contests:contest_list": Route("contests.view_contest"),
    "contests:contest_export": Route("contests.view_contest"),
    "contests:contest_create": Route("contests.change_contest"),
    "contests:contest_detail": Route("contests.view_contest", "contest"),
    "contests:contest_edit": Route("contests.change_contest", "contest"),
    "contests:contest_transition": Route("contests.change_contest", "contest", "post"),
    "contests:entry_list": Route("contests.view_contest", "contest"),
    "contests:entry_export": Route("contests.view_contest", "contest"),
    "contests:entry_screen_bulk": Route("contests.change_contest", "contest", "post"),
    "contests:results_compute": Route("contests.change_contest", "contest", "post"),
    "contests:awards_set": Route("contests.change_contest", "contest", "post"),
    "contests:awards_suggest": Route("contests.change_contest", "contest", "post"),
    "contests:contest_certificates": Route("contests.view_contest", "contest", "get", ("zh",)),
    "contests:entry_detail": Route("contests.view_contest", "contest_entry"),
    "contests:entry_screen": Route("contests.change_contest", "contest_entry", "post"),
    "contests:objection_add": Route("contests.change_contest", "contest_entry", "post"),
    "contests:entry_certificate": Route("contests.view_contest", "contest_entry", "get", ("zh",)),
    "contests:entry_file": Route("contests.view_contest", "contest_file", "get", ("web",)),
    "contests:objection_resolve": Route("contests.change_contest", "contest_objection", "post"),
    "contests:judging_list": Route("contests.judge"),
    "contests:judging_entries": Route("contests.judge", "contest"),
    "contests:judging_score": Route("contests.judge", "contest_entry"),
    "contests:judging_file": Route("contests.judge", "contest_file", "get", ("web",)),
}

API_OPERATIONS = {
    ("get", "/contests"): ("contests.view_contest", None, None),
    ("get", "/contests/{contest_id}"): ("contests.view_contest", "contest", None),
    ("get", "/contests/{contest_id}/entries"): ("contests.view_contest", "contest", None),
    ("get", "/contests/{contest_id}/results"): ("contests.view_contest", "contest", None),
    ("get", "/contest-entries/{contest_entry_id}"): ("contests.view_contest", "contest_entry", None),
    ("get", "/judging/contests/{contest_id}/entries"): ("contests.judge", "contest", None),
    ("put", "/judging/entries/{contest_entry_id}/scores"): ("contests.judge", "contest_entry", {"scores": []}),
}


def records(js, federation, tag, admin) -> dict:
    contest = contest_make(federation=federation, title=f"{tag}摄影大赛")
    for to in (ContestStatus.ANNOUNCED, ContestStatus.OPEN, ContestStatus.SCREENING):
        services.contest_transition(actor=admin, contest=contest, to=to)
    contest.refresh_from_db()
    entry = entry_make(contest=contest, author_name=f"{tag}作者")
    services.entries_screen(actor=admin, contest=contest, entries=[entry], eligible=True)
    contest.judges.add(js.user("judge"))
    services.contest_transition(actor=admin, contest=contest, to=ContestStatus.JUDGING)
    contest.refresh_from_db()
    entry.refresh_from_db()
    objection = Objection.objects.create(entry=entry, raised_by=f"{tag}异议人", reason="构图与往届获奖作品雷同")
    return {
        "contest": contest,
        "contest_entry": entry,
        "contest_file": entry.files.first(),
        "contest_objection": objection,
    }
