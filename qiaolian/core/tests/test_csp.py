"""Content-Security-Policy without inline script (docs/security.md, OWASP ASVS V14.4/V50):
every page carries the policy, and neither the templates nor the rendered pages contain an
inline <script> (other than JSON data blocks) or an inline event handler (on*=), which the
policy would block."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from qiaolian.core.tests.test_matrix import ROUTES, _records, _url

PACKAGE_DIR = Path(settings.BASE_DIR) / "qiaolian"
# GET routes without arguments that are not pages (downloads, redirects with side effects).
SKIP = {"accounts:logout", "portal:logout"}


class _InlineFinder(HTMLParser):
    """Collects inline scripts and inline event-handler attributes of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, _value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":
            self.problems.append(f"<script {names}> without src")
        if tag in ("a", "form", "iframe") and "javascript:" in (names.get("href") or names.get("action") or ""):
            self.problems.append(f"<{tag}> with a javascript: URL")
        for name, value in attrs:
            if name == "hx-on" or name.startswith(("hx-on:", "hx-on-")):
                self.problems.append(f"<{tag} {name}> (htmx eval)")
            if name in ("hx-vals", "hx-vars") and (value or "").lstrip().startswith(("js:", "javascript:")):
                self.problems.append(f"<{tag} {name}=js:…> (htmx eval)")


def inline_problems(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.problems


def test_the_finder_sees_what_the_policy_would_block():
    assert inline_problems('<script>alert(1)</script><button onclick="x()">') == [
        "<script {}> without src",
        "<button onclick=…>",
    ]
    assert inline_problems('<div hx-vals="js:{a: 1}"></div><div hx-on:click="x()"></div>')
    assert not inline_problems(
        '<script src="/static/a.js" defer></script><script type="application/json" id="d">{"a": 1}</script>'
        '<button data-confirm="确定？" data-print>'
    )


# In template source: a <script> tag without src= (json_script makes its tags when rendered) and
# an attribute on…= (after white space, so data-on… or words like "one" do not count).
TEMPLATE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
TEMPLATE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
TEMPLATE_HTMX_EVAL = re.compile(r"\bhx-on[:\-=]|hx-vals=['\"]\s*js:", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.html")):
        if "static" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (TEMPLATE_SCRIPT, TEMPLATE_HANDLER, TEMPLATE_HTMX_EVAL):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(PACKAGE_DIR)}:{line}: {match.group(0)[:80]}")
    assert not found, "inline script in templates:\n" + "\n".join(found)


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def routes_without_arguments() -> list[str]:
    names = []
    for name in sorted(set(_walk(get_resolver().url_patterns))):
        try:
            reverse(name)
        except NoReverseMatch:
            continue
        if name not in SKIP:
            names.append(name)
    return names


def directives(header: str) -> dict[str, str]:
    """A Content-Security-Policy header as {directive: sources}."""
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def _check_page(response, label: str, failures: list[str]) -> None:
    if response.status_code != 200 or response.streaming:
        return
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    policy = directives(response.get("Content-Security-Policy", ""))
    if policy.get("script-src") != "'self'":
        failures.append(f"{label}: Content-Security-Policy missing or weak: {policy!r}")
    for problem in inline_problems(response.content.decode(errors="replace")):
        failures.append(f"{label}: {problem}")


@pytest.mark.django_db
def test_every_page_an_admin_opens_has_the_policy_and_no_inline_script(client, jinshan):
    """Every GET route without arguments, and every record page of the permission matrix (with
    one record of each kind), rendered for the district administrator."""
    client.force_login(jinshan.user("admin"))
    client.raise_request_exception = False  # list every broken page, not only the first
    records = _records(jinshan, jinshan.zhujing, "朱泾")
    failures: list[str] = []
    seen = 0
    pages = [(name, reverse(name)) for name in routes_without_arguments()]
    pages += [
        (name, _url(name, route, records))
        for name, route in sorted(ROUTES.items())
        if route.method == "get" and route.kind is not None
    ]
    for name, url in pages:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{name} {url}: HTTP {response.status_code}")
        _check_page(response, f"{name} {url}", failures)
        seen += response.status_code == 200
    assert seen > 100, f"only {seen} pages rendered"
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_portal_pages_have_the_policy_and_no_inline_script(client, jinshan):
    failures: list[str] = []
    for name in routes_without_arguments():
        if not name.startswith("portal:"):
            continue
        _check_page(client.get(reverse(name)), f"anonymous {name}", failures)
    assert not failures, "\n".join(failures)


def test_policy_has_the_directives_of_the_brief(client, db):
    response = client.get(reverse("accounts:login"))
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["Permissions-Policy"].startswith("camera=(self)")
    assert "microphone=()" in response["Permissions-Policy"]
