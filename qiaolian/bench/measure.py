"""The measurements of ``qiaolian bench``, each against a baseline measured in the same run.

A measurement is a named spec: how to prepare it (which may find that the feature does not exist
yet: then it is reported "not available", never an error), what to time, how many times, and
optionally a target (a limit on one of its statistics) and the name of its baseline. Issue 7's
measurements (import throughput, record linkage, search, concurrent clients) are added the same
way: a function returning a ``Result`` and an entry in ``REGISTRY``.

Timings are wall-clock (``time.perf_counter``) on the same process and database; the queries of one
request are counted separately (so that counting does not slow the timed ones) and the Python
memory peak is taken by ``tracemalloc`` on one more run; ``maxrss_kb`` is the process's peak
resident size after the step (it only grows).
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

PERIOD = "from=2018-01-01&to=2022-12-31"
REVIEW_START, REVIEW_END = dt.date(2017, 12, 1), dt.date(2022, 12, 31)
INDICATOR_START, INDICATOR_END = dt.date(2018, 1, 1), dt.date(2022, 12, 31)


class NotAvailable(Exception):
    """The feature measured does not exist (yet) in this build."""


@dataclass
class Target:
    metric: str  # a field of Result ("p95_ms", "max_ms" …) or a key of its extra ("rows_per_second")
    limit: float
    label: str  # e.g. "p95 < 300 ms"
    higher: bool = False  # met above the limit (a throughput), not below it (a time)

    def met(self, value) -> bool:
        if value is None:
            return False
        return value >= self.limit if self.higher else value < self.limit


def metric_value(result, metric: str):
    """A result's figure named by a target: a field of Result or a key of its extra."""
    if hasattr(result, metric):
        return getattr(result, metric)
    return result.extra.get(metric)


@dataclass
class Result:
    name: str
    title: str
    status: str = "ok"  # ok | not_available | error
    detail: str = ""
    samples: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    max_ms: float | None = None
    mean_ms: float | None = None
    queries: int | None = None
    peak_python_kb: int | None = None
    maxrss_kb: int | None = None
    baseline: str | None = None
    target: dict | None = None
    passed: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Context:
    """What measurements share: the options of the run, and things prepared once (the review)."""

    requests: int = 30
    warmup: int = 3
    repeats: int = 3  # for the slow calls (review, catalogue)
    clients: int = 20  # concurrent clients of the load measurements
    load_seconds: float = 15.0  # how long each load measurement runs
    import_rows: int = 100_000  # rows of the spreadsheet the import measurements read
    isolate: bool = True  # run the import measurements in a child process (tests: in this one)
    shared: dict[str, Any] = field(default_factory=dict)


def _stats(result: Result, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    result.samples = len(ms)
    result.p50_ms = round(statistics.median(ms), 2)
    result.p95_ms = round(_percentile(ms, 95), 2)
    result.max_ms = round(ms[-1], 2)
    result.mean_ms = round(statistics.fmean(ms), 2)


def _percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (the value below which q % of the samples fall)."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil
    return sorted_values[int(rank) - 1]


def _maxrss_kb() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _peak_kb(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] // 1024
    finally:
        tracemalloc.stop()


def _queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def time_calls(result: Result, fn: Callable[[], Any], *, runs: int, warmup: int = 1) -> None:
    """Warm up, time ``runs`` calls, then count one call's queries and one call's memory peak."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    _stats(result, times)
    result.queries = _queries(fn)
    result.peak_python_kb = _peak_kb(fn)


def isolated(ctx: Context, work: Callable[[], dict]) -> dict:
    """``work()`` in a forked child (its own memory peak), its result dict with ``maxrss_kb``;
    without ``ctx.isolate``, in this process (a test's transaction is seen only from here)."""
    import json
    import os

    from django.db import connections

    if not ctx.isolate:
        return {**work(), "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}

    connections.close_all()  # the child must not share the parent's socket
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            out = work()
            out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        except BaseException as error:  # reported to the parent, never raised past the fork
            out = {"error": f"{type(error).__name__}: {error}"}
        with os.fdopen(write, "w") as pipe:
            pipe.write(json.dumps(out))
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    os.waitpid(pid, 0)
    out = json.loads(text or '{"error": "the child process died"}')
    if "error" in out:
        raise RuntimeError(out["error"])
    return out


# Requests through the whole Django stack -------------------------------------------------------


def _user(username: str):
    from qiaolian.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotAvailable(f"no user {username!r} (the demo accounts are created by the generator)")
    return user


def _client(username: str | None):
    from django.test import Client

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    if username:
        client.force_login(_user(username))
    return client


def _url(name: str, query: str = "") -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(name)
    except NoReverseMatch as error:
        raise NotAvailable(f"URL {name!r} does not exist yet") from error
    return f"{url}?{query}" if query else url


def request_measurement(
    name: str, title: str, url_name: str, *, user: str | None, query: str = "", cold: bool = False, **kw
) -> Spec:
    """GET ``url_name`` as ``user``; ``cold``: as the first request after the data changed (the
    figures cache's version moved before each request, so every figure is computed afresh)."""

    def run(ctx: Context, result: Result) -> None:
        from qiaolian.reports.figures import figures_changed

        url = _url(url_name, query)
        client = _client(user)

        def get() -> None:
            if cold:
                figures_changed()
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            response.content  # noqa: B018 - streamed responses render here

        runs, warmup = (ctx.repeats, 0) if cold else (ctx.requests, ctx.warmup)
        time_calls(result, get, runs=runs, warmup=warmup)
        result.extra["url"] = url
        result.extra["figures"] = "computed afresh (cold)" if cold else "kept (warm)"
        result.extra["user"] = user or "anonymous"

    return Spec(name, title, run, **kw)


# Calls ------------------------------------------------------------------------------------------


def _baseline_count(ctx: Context, result: Result) -> None:
    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM activities_registration")
            return int(cursor.fetchone()[0])

    time_calls(result, count, runs=max(5, ctx.repeats), warmup=1)
    result.extra["rows"] = count()


def _district_indicators(ctx: Context, result: Result) -> None:
    """Every indicator of the catalogue for the district over 2018–2022: value and breakdown."""
    from qiaolian.reports.indicators import CATALOGUE, indicator_value

    admin = _user("admin")
    per_code: dict[str, float] = {}

    def all_values() -> None:
        for indicator in CATALOGUE:
            t = time.perf_counter()
            value = indicator_value(code=indicator.code, user=admin, start=INDICATOR_START, end=INDICATOR_END)
            _ = value.breakdown
            per_code[indicator.code] = max(per_code.get(indicator.code, 0.0), time.perf_counter() - t)

    time_calls(result, all_values, runs=ctx.repeats, warmup=1)
    slowest = sorted(per_code.items(), key=lambda kv: -kv[1])[:8]
    result.extra["indicators"] = len(per_code)
    result.extra["slowest_ms"] = {code: round(s * 1000, 1) for code, s in slowest}


def _review_functions() -> tuple[Callable, Callable | None]:
    try:
        from qiaolian.reports.review import build_review
    except ImportError as error:
        raise NotAvailable("qiaolian.reports.review.build_review does not exist yet") from error
    try:
        from qiaolian.reports.review_docx import render_docx
    except ImportError:
        render_docx = None
    return build_review, render_docx


def _review_build(ctx: Context, result: Result, *, cold: bool = True) -> None:
    """The review's generation: ``cold`` as the first after a change of the data (every figure
    computed), else with the figures kept from the build before."""
    from qiaolian.reports.figures import figures_changed

    build_review, _render = _review_functions()
    admin = _user("admin")

    def build():
        if cold:
            figures_changed()
        ctx.shared["review"] = build_review(user=admin, start=REVIEW_START, end=REVIEW_END)
        return ctx.shared["review"]

    time_calls(result, build, runs=ctx.repeats, warmup=0 if cold else 1)
    result.extra["figures"] = "computed afresh (cold)" if cold else "kept (warm)"


def _review_docx(ctx: Context, result: Result) -> None:
    build_review, render_docx = _review_functions()
    if render_docx is None:
        raise NotAvailable("qiaolian.reports.review_docx.render_docx does not exist yet")
    review = ctx.shared.get("review") or build_review(user=_user("admin"), start=REVIEW_START, end=REVIEW_END)
    sizes = []

    def render() -> None:
        document = render_docx(review)
        sizes.append(len(document) if isinstance(document, bytes | bytearray) else 0)

    time_calls(result, render, runs=ctx.repeats, warmup=0)
    if sizes and sizes[-1]:
        result.extra["bytes"] = sizes[-1]


# Concurrent clients against gunicorn (qiaolian/bench/load.py) ---------------------------------


def load_measurement(name: str, title: str, path: str, *, user: str | None, api: bool = False, **kw) -> Spec:
    """``ctx.clients`` clients GET ``path`` back to back for ``ctx.load_seconds`` on a gunicorn
    server of the bench database, as ``user`` (a session cookie, or with ``api`` a bearer token)."""

    def run(ctx: Context, result: Result) -> None:
        from qiaolian.bench import load

        headers = {"Accept": "application/json" if api else "text/html"}
        if user and api:
            from qiaolian.accounts.services import api_token_create

            account = _user(user)
            headers["Authorization"] = f"Bearer {api_token_create(actor=None, user=account, name='bench')[1]}"
        elif user:
            _user(user)
            headers["Cookie"] = load.session_cookie(user)
        with load.server() as server:
            load.load(server.url, path, clients=2, seconds=2, headers=headers)  # warm the workers
            outcome = load.load(server.url, path, clients=ctx.clients, seconds=ctx.load_seconds, headers=headers)
            memory = server.peak_rss_kb()
        if not outcome.times:
            raise RuntimeError(f"no request succeeded ({outcome.first_error})")
        _stats(result, outcome.times)
        result.extra.update(
            url=path,
            user=user or "anonymous",
            clients=ctx.clients,
            seconds=round(outcome.seconds, 1),
            requests_per_second=outcome.rps,
            errors=outcome.errors,
            first_error=outcome.first_error,
            server_workers=load.WORKERS,
            server_peak_rss_kb=memory,
        )

    return Spec(name, title, run, group="load", **kw)


def elsewhere(module: str, name: str, *args) -> Callable[[Context, Result], None]:
    """A measurement written in another module of ``qiaolian.bench`` (imported when it runs, as
    that module imports this one); with ``args``, the measurement ``name(*args)`` returns."""

    def run(ctx: Context, result: Result) -> None:
        from importlib import import_module

        found = getattr(import_module(f"qiaolian.bench.{module}"), name)
        (found(*args) if args else found)(ctx, result)

    return run


SEARCH_TARGET = Target("p95_ms", 50, "p95 < 50 ms")
LINKAGE_TARGETS = (Target("max_ms", 300_000, "< 5 min"), Target("f1", 0.95, "F1 ≥ 0.95", higher=True))
IMPORT_TARGET = Target("rows_per_second", 20_000, "≥ 20,000 行/秒", higher=True)


# The registry ----------------------------------------------------------------------------------


@dataclass
class Spec:
    name: str
    title: str
    run: Callable[[Context, Result], None]
    baseline: str | None = None
    target: Target | None = None
    group: str = "reports"


REGISTRY: list[Spec] = [
    request_measurement("baseline_request", "框架基线：登录页（匿名 GET）", "accounts:login", user=None),
    Spec("baseline_count", "数据库基线：COUNT(*) 参与登记表", _baseline_count),
    request_measurement(
        "dashboard_district",
        "区级仪表盘（admin，2018–2022）",
        "reports:dashboard",
        user="admin",
        query=PERIOD,
        baseline="baseline_request",
        target=Target("p95_ms", 300, "p95 < 300 ms"),
    ),
    request_measurement(
        "dashboard_district_cold",
        "区级仪表盘，数据变动后的首次请求（admin，2018–2022）",
        "reports:dashboard",
        user="admin",
        query=PERIOD,
        cold=True,
        baseline="baseline_request",
    ),
    request_measurement(
        "dashboard_town",
        "街镇仪表盘（朱泾镇 zhujing，2018–2022）",
        "reports:dashboard",
        user="zhujing",
        query=PERIOD,
        baseline="baseline_request",
    ),
    request_measurement(
        "indicator_list",
        "指标目录页（admin）",
        "reports:indicator_list",
        user="admin",
        query=PERIOD,
        baseline="baseline_request",
    ),
    Spec(
        "indicators_district",
        "全部指标（区级，2018–2022，值与分列）",
        _district_indicators,
        baseline="baseline_count",
    ),
    Spec(
        "review_build",
        "五年工作回顾生成 build_review（2017-12 至 2022-12）",
        _review_build,
        baseline="baseline_count",
        target=Target("max_ms", 10_000, "< 10 s"),
    ),
    Spec(
        "review_build_warm",
        "五年工作回顾再次生成（数据未变，指标值已缓存）",
        lambda ctx, result: _review_build(ctx, result, cold=False),
        baseline="baseline_count",
    ),
    Spec("review_docx", "五年工作回顾 .docx 排版 render_docx", _review_docx, baseline="baseline_count"),
    Spec(
        "baseline_person_get",
        "数据库基线：按主键取一名人员",
        elsewhere("search", "baseline_person_get"),
        group="search",
    ),
    *(
        Spec(
            f"search_{field}",
            f"搜索框：{label}（区级 admin，人员、企业、个案、活动）",
            elsewhere("search", "search_measurement", field),
            baseline="baseline_person_get",
            target=SEARCH_TARGET,
            group="search",
        )
        for field, label in (
            ("name", "姓名汉字"),
            ("pinyin", "姓名全拼"),
            ("initials", "姓名拼音首字母"),
            ("id_number", "身份证号"),
            ("phone", "手机号"),
        )
    ),
    Spec(
        "import_copy",
        "导入基线：PostgreSQL COPY 同一 CSV（文本列）",
        elsewhere("importing", "measure_copy"),
        group="import",
    ),
    *(
        Spec(
            f"import_{kind}",
            f"侨情人员导入 .{kind}：读取、逐行校验（PersonForm）、查重、写入",
            elsewhere("importing", "import_measurement", kind),
            baseline="import_copy",
            target=target,
            group="import",
        )
        for kind, target in (("csv", IMPORT_TARGET), ("xlsx", None))  # the target is set for CSV
    ),
    Spec(
        "linkage",
        "查重（Splink/DuckDB）：全区在册人员，对照植入重复计算精确率、召回率、F1",
        elsewhere("linkage", "measure_linkage"),
        target=LINKAGE_TARGETS[0],
        group="linkage",
    ),
    Spec(
        "linkage_accuracy",
        "查重准确度（同一次运行的 F1，见 linkage）",
        elsewhere("linkage", "measure_accuracy"),
        target=LINKAGE_TARGETS[1],
        group="linkage",
    ),
    load_measurement("load_baseline", "并发基线：最小视图 /healthz（20 个并发客户端）", "/healthz", user=None),
    load_measurement(
        "load_person_list",
        "人员列表页（admin，20 个并发客户端）",
        "/registry/persons/",
        user="admin",
        baseline="load_baseline",
    ),
    load_measurement(
        "load_person_api",
        "人员列表 API /api/v1/persons（admin，20 个并发客户端）",
        "/api/v1/persons",
        user="admin",
        api=True,
        baseline="load_baseline",
    ),
]
BY_NAME = {spec.name: spec for spec in REGISTRY}


def run_measurements(
    *, only: list[str] | None = None, ctx: Context | None = None, write: Callable[[str], None] | None = None
) -> list[Result]:
    """Run the selected measurements (all by default) in registry order; baselines of selected
    measurements are always included so every figure has its floor beside it."""
    ctx = ctx or Context()
    write = write or (lambda s: None)
    wanted = set(only or BY_NAME)
    unknown = wanted - set(BY_NAME)
    if unknown:
        raise ValueError(f"unknown measurements: {', '.join(sorted(unknown))}")
    wanted |= {BY_NAME[n].baseline for n in wanted if BY_NAME[n].baseline}
    results = []
    for spec in REGISTRY:
        if spec.name not in wanted:
            continue
        result = Result(name=spec.name, title=spec.title, baseline=spec.baseline)
        if spec.target:
            result.target = asdict(spec.target)
        write(f"[measure] {spec.name} …")
        try:
            spec.run(ctx, result)
        except NotAvailable as error:
            result.status, result.detail = "not_available", str(error)
        except Exception as error:  # a failing feature is a result too, not the end of the run
            result.status, result.detail = "error", f"{type(error).__name__}: {error}"
        result.maxrss_kb = result.maxrss_kb or _maxrss_kb()  # a child process's own, when it ran in one
        if spec.target and result.status == "ok":
            result.passed = spec.target.met(metric_value(result, spec.target.metric))
        write(f"[measure] {spec.name}: {describe(result)}")
        results.append(result)
    return results


def describe(result: Result) -> str:
    if result.status != "ok":
        return f"{result.status} ({result.detail})"
    if result.p50_ms is None:  # a figure that is not a time (the linkage's F1)
        text = ", ".join(f"{k} {v}" for k, v in result.extra.items() if isinstance(v, int | float))
    else:
        text = f"p50 {result.p50_ms} ms, p95 {result.p95_ms} ms, max {result.max_ms} ms, n={result.samples}"
    if result.queries is not None:
        text += f", {result.queries} queries"
    if result.passed is not None:
        text += ", target met" if result.passed else ", TARGET MISSED"
    return text
