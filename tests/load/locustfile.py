"""Load test (issue 8): staff users working in the staff site and the API at the same time.

Run by scripts/loadtest.sh, which prepares the database and the fixture file; by hand:

    LOAD_FIXTURE=var/loadtest/fixture.json locust -f tests/load/locustfile.py --headless \
        -u 50 -r 10 -t 2m --host http://127.0.0.1:8765

Each simulated user signs in through the login form (CSRF token from the page) with one of the
demo accounts (``LOAD_ACCOUNTS``, default district staff, two town staff and the district admin),
reads the ids it may work on from its own list pages (so town staff stay in their town), and
then works: search, lists with filters and paging, person and activity and case pages, the
dashboard, enterprises, the person API with a bearer token, and saves (a person's notes through
the edit form, a note on a case, a named guest registered for an activity). Every response that
is not 2xx (after redirects), that lands on the login page, or whose page shows an error counts
as a failure.

Two phases when LOAD_WORK_SECONDS is set (scripts/loadtest.sh sets it): the sign-in phase, in
which every user signs in and reads its lists (and those signed in already start working), and
the measured work phase, which starts when the last user is ready and lasts LOAD_WORK_SECONDS.
At the switch the statistics so far are written to LOAD_SIGNIN_CSV_stats.csv and
LOAD_SIGNIN_CSV_failures.csv (the columns of locust's own CSV files) plus the phase's length in
LOAD_SIGNIN_CSV.json, and locust's statistics start again from zero; the run then stops by itself.
So the figures of the work phase are 50 signed-in users working, not 50 Argon2 password checks
queued in the first seconds, and the sign-in figures are still reported on their own.

Environment: LOAD_FIXTURE (JSON from tests/load/prepare.py: API tokens and search terms),
LOAD_ACCOUNTS ("user:weight,…"), QIAOLIAN_DEMO_PASSWORD, LOAD_WAIT ("min,max" seconds of think
time between tasks, default "1,3"), LOAD_WORK_SECONDS and LOAD_SIGNIN_CSV (see above).
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import time
import uuid
from urllib.parse import urlencode

import gevent
from locust import HttpUser, between, events, task
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV
from lxml import html

PASSWORD = os.environ.get("QIAOLIAN_DEMO_PASSWORD", "Jinshan@2017")
ACCOUNTS = [
    (name, int(weight))
    for name, _sep, weight in (
        item.partition(":") for item in os.environ.get("LOAD_ACCOUNTS", "staff:4,zhujing:3,shihua:2,admin:1").split(",")
    )
]
WAIT_MIN, WAIT_MAX = (float(x) for x in os.environ.get("LOAD_WAIT", "1,3").split(","))
FIXTURE = {"tokens": {}, "people": []}
if os.environ.get("LOAD_FIXTURE"):
    with open(os.environ["LOAD_FIXTURE"], encoding="utf-8") as f:
        FIXTURE = json.load(f)

WORK_SECONDS = float(os.environ.get("LOAD_WORK_SECONDS") or 0)
SIGNIN_CSV = os.environ.get("LOAD_SIGNIN_CSV", "locust_signin")

CATEGORIES = ["returnee", "relative", "overseas_chinese", "foreign_chinese", "hk_macao", "student_abroad"]
AGE_BANDS = ["0-17", "18-34", "35-59", "60-79", "80-"]
COUNTRIES = ["US", "CA", "AU", "JP", "SG", "MY", "ID", "TH", "GB", "FR", "DE", "NL", "NZ"]
SURNAMES = ["张", "王", "李", "陈", "沈", "朱", "顾", "陆", "徐", "周"]
PERSON_TABS = ["profile", "household", "relatives", "history"]
# The tabs apps add to the person page load their content from these URLs (htmx).
PERSON_APP_TABS = ["/activities/persons/{pk}/", "/cases/persons/{pk}/", "/aid/persons/{pk}/"]
ACTIVITY_TABS = ["overview", "people", "sessions", "summary", "media"]

# A page that shows one of these failed even if its status is 200. The staff site's message
# boxes: ``alert-danger`` (form errors, error messages); a validation message that a save did not
# happen is checked per save task instead.
ERROR_MARKERS = ("alert alert-danger", "服务器错误", "Server Error", "Traceback")


def _ids(response, pattern: str) -> list[int]:
    return sorted({int(m) for m in re.findall(pattern, response.text)})


def _form_fields(form) -> dict[str, list[str]]:
    """What a browser would submit for ``form`` unchanged (lxml's form_values, as lists)."""
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    return data


class _Phases:
    """The switch from the sign-in phase to the measured work phase (module docstring)."""

    started = 0.0
    ready = 0
    switched = False


@events.test_start.add_listener
def _test_start(environment, **_kwargs):
    _Phases.started = time.monotonic()


def _user_ready(environment) -> None:
    _Phases.ready += 1
    runner = environment.runner
    if not WORK_SECONDS or _Phases.switched or _Phases.ready < runner.target_user_count:
        return
    _Phases.switched = True
    writer = StatsCSV(environment, PERCENTILES_TO_REPORT)
    with open(f"{SIGNIN_CSV}_stats.csv", "w", newline="", encoding="utf-8") as f:
        writer.requests_csv(csv.writer(f))
    with open(f"{SIGNIN_CSV}_failures.csv", "w", newline="", encoding="utf-8") as f:
        writer.failures_csv(csv.writer(f))
    with open(f"{SIGNIN_CSV}.json", "w", encoding="utf-8") as f:
        json.dump({"seconds": round(time.monotonic() - _Phases.started, 1), "users": _Phases.ready}, f)
    environment.runner.stats.clear_all()
    gevent.spawn_later(WORK_SECONDS, runner.quit)


class StaffUser(HttpUser):
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self):
        names = [name for name, _w in ACCOUNTS]
        self.username = random.choices(names, weights=[w for _n, w in ACCOUNTS])[0]
        self.token = FIXTURE["tokens"].get(self.username, "")
        self.persons: list[int] = []
        self.activities: list[int] = []
        self.open_activities: list[int] = []
        self.cases: list[int] = []
        self.login()
        self.collect()
        _user_ready(self.environment)

    # Helpers -----------------------------------------------------------------------------------

    def page(self, url: str, name: str, *, must_contain: str = "", **kwargs):
        """GET a staff page; failures as described in the module docstring. Returns the response."""
        with self.client.get(url, name=name, catch_response=True, **kwargs) as response:
            self.judge(response, must_contain=must_contain)
            return response

    def judge(self, response, *, must_contain: str = "", on_login_page: bool = False) -> bool:
        if response.status_code >= 400 or response.status_code == 0:
            response.failure(f"HTTP {response.status_code}")
            return False
        if "/accounts/login/" in response.url and not on_login_page:
            response.failure("sent to the login page (session lost)")
            return False
        text = response.text
        for marker in ERROR_MARKERS:
            if marker in text:
                response.failure(f"page shows an error ({marker})")
                return False
        if must_contain and must_contain not in text:
            response.failure(f"page lacks {must_contain!r}")
            return False
        response.success()
        return True

    def csrf_from(self, response) -> str:
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
        return m.group(1) if m else ""

    def login(self):
        with self.client.get("/accounts/login/", name="login: form", catch_response=True) as response:
            self.judge(response, on_login_page=True)
            token = self.csrf_from(response)
        with self.client.post(
            "/accounts/login/",
            name="login: post",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            catch_response=True,
        ) as response:
            if self.judge(response) and "/accounts/login/" not in response.url and not response.history:
                response.failure("login did not redirect")

    def collect(self):
        """Ids this user may see, from its own list pages (its jurisdiction)."""
        r = self.page("/registry/persons/?sort=updated", "person list")
        self.persons = _ids(r, r'href="/registry/persons/(\d+)/"')
        r = self.page("/activities/", "activity list")
        self.activities = _ids(r, r'href="/activities/(\d+)/"')
        for status in ("open", "held"):  # activities that still take people (planned ones are rare)
            r = self.page(f"/activities/?status={status}", "activity list")
            self.open_activities += _ids(r, r'href="/activities/(\d+)/"')
        r = self.page("/cases/", "case list")
        self.cases = _ids(r, r'href="/cases/(\d+)/"')

    def search_term(self) -> str:
        people = FIXTURE["people"]
        kind = random.choices(["name", "surname", "pinyin", "initials", "id", "phone", "case"], [5, 2, 3, 2, 2, 1, 1])[
            0
        ]
        if not people or kind == "surname":
            return random.choice(SURNAMES) + random.choice(["", "建", "国", "丽", "伟"])
        person = random.choice(people)
        if kind == "name":
            return person["name"]
        if kind == "pinyin":
            return person["pinyin"] or person["name"]
        if kind == "initials":
            return person["initials"] or person["name"]
        if kind == "id":
            return person["id_number"] or person["name"]
        if kind == "phone":
            return person["phone"] or person["name"]
        return random.choice(["QY2021", "QY2020", "QY2022"])

    # Reading -----------------------------------------------------------------------------------

    @task(12)
    def search(self):
        query = self.search_term()
        if random.random() < 0.3:  # the top bar's suggestions while typing, then the page
            self.page("/search/suggest/?" + urlencode({"q": query}), "search: suggest", headers={"HX-Request": "true"})
        self.page("/search/?" + urlencode({"q": query}), "search: page")

    @task(10)
    def person_list(self):
        params: dict[str, str] = {}
        choice = random.random()
        if choice < 0.3:
            params["category"] = random.choice(CATEGORIES)
        elif choice < 0.45:
            params["age"] = random.choice(AGE_BANDS)
        elif choice < 0.55:
            params["hardship"] = "yes"
        elif choice < 0.65:
            params["country"] = random.choice(COUNTRIES)
        elif choice < 0.75:
            params["q"] = random.choice(SURNAMES)
        if random.random() < 0.3:
            params["sort"] = random.choice(["newest", "updated"])
        r = self.page("/registry/persons/?" + urlencode(params), "person list")
        pages = random.choice([0, 0, 1, 2, 3])
        for _ in range(pages):  # follow 下一页 like a person paging through
            m = re.search(r'href="(\?[^"]*cursor=[^"]+)"[^>]*>\s*下一页', r.text)
            if not m:
                break
            r = self.page(
                "/registry/persons/" + html.fromstring(f'<a href="{m.group(1)}"></a>').get("href"),
                "person list: next page",
            )
        self.persons = sorted(set(self.persons) | set(_ids(r, r'href="/registry/persons/(\d+)/"')))[-500:]

    @task(10)
    def person_detail(self):
        if not self.persons:
            return
        pk = random.choice(self.persons)
        self.page(f"/registry/persons/{pk}/", "person detail")
        for _ in range(random.choice([0, 1, 2])):
            tab = random.choice(PERSON_TABS + ["app"] * 3)
            if tab == "app":
                url = random.choice(PERSON_APP_TABS).format(pk=pk)
                self.page(url, "person detail: app tab", headers={"HX-Request": "true"})
            else:
                self.page(f"/registry/persons/{pk}/?tab={tab}", "person detail: tab", headers={"HX-Request": "true"})

    @task(5)
    def activity_list(self):
        params = random.choice(
            [{}, {}, {"status": "reported"}, {"q": random.choice(["侨", "宣传", "培训"])}, {"kind": "training"}]
        )
        r = self.page("/activities/?" + urlencode(params), "activity list")
        self.activities = sorted(set(self.activities) | set(_ids(r, r'href="/activities/(\d+)/"')))[-300:]

    @task(5)
    def activity_detail(self):
        if not self.activities:
            return
        pk = random.choice(self.activities)
        tab = random.choice(ACTIVITY_TABS)
        self.page(f"/activities/{pk}/?tab={tab}", "activity detail")

    @task(4)
    def case_list(self):
        params = random.choice([{}, {}, {"state": "in_progress"}, {"type": "rights"}, {"q": "QY2021"}])
        r = self.page("/cases/?" + urlencode(params), "case list")
        self.cases = sorted(set(self.cases) | set(_ids(r, r'href="/cases/(\d+)/"')))[-300:]

    @task(3)
    def case_detail(self):
        if self.cases:
            self.page(f"/cases/{random.choice(self.cases)}/", "case detail")

    @task(3)
    def dashboard(self):
        self.page("/reports/dashboard/", "dashboard")

    @task(3)
    def enterprise_list(self):
        params = random.choice([{}, {}, {"q": random.choice(["科技", "贸易", "食品"])}])
        self.page("/enterprises/?" + urlencode(params), "enterprise list")

    @task(2)
    def home(self):
        self.page("/", "home")

    @task(6)
    def api_person_list(self):
        if not self.token:
            return
        params: dict[str, str] = {"limit": "50"}
        if random.random() < 0.4:
            params["category"] = random.choice(CATEGORIES)
        if random.random() < 0.2:
            params["q"] = random.choice(SURNAMES)
        headers = {"Authorization": f"Bearer {self.token}"}
        with self.client.get(
            "/api/v1/persons?" + urlencode(params), name="api: person list", headers=headers, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            body = response.json()
            if "items" not in body:
                response.failure("no items in the answer")
                return
            cursor = body.get("next_cursor")
        if cursor and random.random() < 0.5:
            params["cursor"] = cursor
            with self.client.get(
                "/api/v1/persons?" + urlencode(params), name="api: person list", headers=headers, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")

    # Saving ------------------------------------------------------------------------------------

    @task(3)
    def person_save(self):
        """Open a person's edit form, change the notes (and sometimes the phone), save."""
        if not self.persons:
            return
        pk = random.choice(self.persons)
        url = f"/registry/persons/{pk}/edit/"
        r = self.page(url, "save: person edit form", must_contain="csrfmiddlewaretoken")
        if not r.ok or "csrfmiddlewaretoken" not in r.text:
            return
        form = next(
            (f for f in html.fromstring(r.text).forms if f.get("method", "").lower() == "post" and "notes" in f.fields),
            None,
        )
        if form is None:
            return
        data = _form_fields(form)
        stamp = uuid.uuid4().hex[:8]
        data["notes"] = [f"压测备注 {stamp}"]
        if random.random() < 0.3:
            data["phone"] = [f"139{random.randrange(10**8):08d}"]
        with self.client.post(
            url, data=data, name="save: person", headers={"Referer": self.host + url}, catch_response=True
        ) as response:
            if not response.history and 'name="confirm_not_duplicate"' in response.text:
                # The registry has a likely duplicate of this person: the form asks to check and
                # confirm, as it would a clerk; that is the form working, and the clerk confirms.
                response.success()
                confirm = True
            else:
                confirm = False
                if self.judge(response) and not response.history:
                    response.failure("not saved (the form came back)")
        if confirm:
            data["confirm_not_duplicate"] = ["on"]
            data["csrfmiddlewaretoken"] = [self.csrf_from(response) or data["csrfmiddlewaretoken"][0]]
            with self.client.post(
                url, data=data, name="save: person", headers={"Referer": self.host + url}, catch_response=True
            ) as response:
                if self.judge(response) and not response.history:
                    response.failure("not saved (the form came back)")

    @task(2)
    def case_note(self):
        if not self.cases:
            return
        pk = random.choice(self.cases)
        r = self.page(f"/cases/{pk}/", "case detail")
        token = self.csrf_from(r)
        if not token or f"/cases/{pk}/notes/" not in r.text:
            return
        with self.client.post(
            f"/cases/{pk}/notes/",
            data={"csrfmiddlewaretoken": token, "body": f"压测：电话回访，情况已记录（{uuid.uuid4().hex[:6]}）"},
            name="save: case note",
            headers={"Referer": f"{self.host}/cases/{pk}/"},
            catch_response=True,
        ) as response:
            if self.judge(response) and not response.history:
                response.failure("not saved (the form came back)")

    @task(2)
    def activity_registration(self):
        """Register a named guest for an activity that still takes people."""
        if not self.open_activities:
            return
        pk = random.choice(self.open_activities)
        r = self.page(f"/activities/{pk}/?tab=people", "activity detail")
        token = self.csrf_from(r)
        if not token or f"/activities/{pk}/register/" not in r.text:
            return
        with self.client.post(
            f"/activities/{pk}/register/",
            data={
                "csrfmiddlewaretoken": token,
                "name": f"压测嘉宾{uuid.uuid4().hex[:6]}",
                "organization": "金山区侨联",
                "role": "participant",
            },
            name="save: activity registration",
            headers={"Referer": f"{self.host}/activities/{pk}/"},
            catch_response=True,
        ) as response:
            text = response.text
            if "名额已满" in text:  # a full activity says so; that is not a server fault
                self.open_activities.remove(pk)
                response.success()
                return
            if self.judge(response) and not response.history:
                response.failure("not saved (the form came back)")
