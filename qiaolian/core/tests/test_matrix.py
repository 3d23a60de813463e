"""The permission matrix: every staff route × every role × own / foreign / absent record.

Routes are enumerated from the URL configuration, so a new route without an entry in ROUTES
fails ``test_every_staff_route_is_in_the_matrix``. Expected outcomes follow one rule:
anonymous → login; a role without the route's permission → 403; a record outside the user's
jurisdiction, or absent → 404 (never 403, which would confirm it exists); otherwise success.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from qiaolian.core.jurisdiction import scope_for
from qiaolian.orgs import services as org_services
from qiaolian.registry.models import ImportBatch
from qiaolian.registry.tests.factories import HouseholdFactory, OverseasTieFactory, PersonFactory, resident_id
from qiaolian.testing import Route, app_matrices, mark_recently_confirmed

pytestmark = pytest.mark.django_db

STAFF_NAMESPACES = {"core", "accounts", "orgs", "registry", "audit"}
# the code step of signing in belongs to signing in (it serves a half-signed-in session)
PUBLIC_ROUTES = {"accounts:login", "accounts:logout", "accounts:two_factor_verify", "core:health", "core:ready"}
ROLES = ["admin", "staff", "zhujing", "shihua", "station", "leader", "judge", "cppcc", "auditor", "public"]
ABSENT = 987654


ROUTES: dict[str, Route] = {
    "core:home": Route("accounts.use_staff_site"),
    "accounts:password_change": Route("accounts.use_staff_site"),
    "accounts:confirm": Route("accounts.use_staff_site"),
    "accounts:two_factor": Route("accounts.use_staff_site"),
    "accounts:two_factor_setup": Route("accounts.use_staff_site"),
    "accounts:two_factor_disable": Route("accounts.use_staff_site", method="post"),
    "accounts:two_factor_recovery_codes": Route("accounts.use_staff_site", method="post"),
    "accounts:token_list": Route("accounts.create_token"),
    "accounts:token_revoke": Route("accounts.create_token", "token", "post"),
    "accounts:user_list": Route("accounts.manage_users"),
    "accounts:user_create": Route("accounts.manage_users"),
    "accounts:user_detail": Route("accounts.manage_users", "user"),
    "accounts:user_edit": Route("accounts.manage_users", "user"),
    "accounts:user_password": Route("accounts.manage_users", "user"),
    "accounts:user_unlock": Route("accounts.manage_users", "user", "post"),
    "accounts:user_two_factor_reset": Route("accounts.manage_users", "user", "post"),
    "orgs:federation_list": Route("orgs.view_federation"),
    "orgs:federation_create": Route("orgs.change_federation"),
    "orgs:federation_detail": Route("orgs.view_federation", "federation"),
    "orgs:federation_edit": Route("orgs.change_federation", "federation"),
    "orgs:station_list": Route("orgs.view_station"),
    "orgs:station_create": Route("orgs.change_station"),
    "orgs:station_detail": Route("orgs.view_station", "station"),
    "orgs:station_edit": Route("orgs.change_station", "station"),
    "orgs:term_list": Route("orgs.view_term"),
    "orgs:term_create": Route("orgs.change_term"),
    "orgs:term_detail": Route("orgs.view_term", "term"),
    "orgs:term_edit": Route("orgs.change_term", "term"),
    "orgs:term_member_add": Route("orgs.change_term", "term", "post"),
    "orgs:term_member_remove": Route("orgs.change_term", "member", "post"),
    "orgs:election_list": Route("orgs.view_term"),
    "orgs:election_due": Route("orgs.view_term"),
    "orgs:election_create": Route("orgs.change_term"),
    "orgs:election_detail": Route("orgs.view_term", "election"),
    "orgs:election_document_add": Route("orgs.change_term", "election", "post"),
    "orgs:election_document_download": Route("orgs.view_term", "election_document"),
    "orgs:station_assessment_create": Route("orgs.change_station", "station"),
    "orgs:group_list": Route("orgs.view_group"),
    "orgs:group_create": Route("orgs.change_group"),
    "orgs:group_detail": Route("orgs.view_group", "group"),
    "orgs:group_edit": Route("orgs.change_group", "group"),
    "orgs:group_member_add": Route("orgs.change_group", "group", "post"),
    "orgs:group_member_remove": Route("orgs.change_group", "group_member", "post"),
    "orgs:mentoring_pair_add": Route("orgs.change_group", "group", "post"),
    "orgs:mentoring_pair_remove": Route("orgs.change_group", "mentoring_pair", "post"),
    "orgs:partner_list": Route("orgs.view_partner"),
    "orgs:partner_create": Route("orgs.change_partner"),
    "orgs:partner_edit": Route("orgs.change_partner", "partner"),
    "registry:person_list": Route("registry.view_person"),
    "registry:person_create": Route("registry.change_person"),
    "registry:person_export": Route("registry.export_person"),
    "registry:person_detail": Route("registry.view_person", "person"),
    "registry:person_edit": Route("registry.change_person", "person"),
    "registry:person_archive": Route("registry.change_person", "person"),
    "registry:person_restore": Route("registry.change_person", "person", "post"),
    "registry:person_reveal": Route("registry.reveal_person", "person", "post", ("id_number",)),
    "registry:tie_create": Route("registry.change_person", "person"),
    "registry:tie_edit": Route("registry.change_person", "tie"),
    "registry:tie_delete": Route("registry.change_person", "tie", "post"),
    "registry:household_list": Route("registry.view_household"),
    "registry:household_create": Route("registry.change_household"),
    "registry:household_detail": Route("registry.view_household", "household"),
    "registry:household_edit": Route("registry.change_household", "household"),
    "registry:household_member_add": Route("registry.change_household", "household", "post"),
    "registry:household_member_remove": Route("registry.change_household", "household", "post", ("member",)),
    "registry:import_list": Route("registry.import_person"),
    "registry:import_template": Route("registry.import_person"),
    "registry:import_detail": Route("registry.import_person", "import_batch"),
    "registry:import_progress": Route("registry.import_person", "import_batch"),
    "registry:import_rejects": Route("registry.import_person", "import_batch"),
    "registry:import_confirm": Route("registry.import_person", "import_batch", "post"),
    "registry:import_cancel": Route("registry.import_person", "import_batch", "post"),
    "audit:entry_list": Route("audit.view_entry"),
    "audit:entry_detail": Route("audit.view_entry", "audit_entry"),
}
# Apps added after the foundation keep their part of the matrix beside their tests, in
# ``<app>/tests/matrix.py``: ``ROUTES`` like the dict above and ``records(js, federation, tag, admin)``
# returning {kind: record} for their kinds.
APP_MATRICES = app_matrices()
for _module in APP_MATRICES:
    ROUTES.update(_module.ROUTES)
    STAFF_NAMESPACES.add(getattr(_module, "NAMESPACE", _module.__name__.split(".")[1]))

# Routes whose records are not tied to a place (partners, the audit log, one's own tokens) have
# no "foreign" record; they are listed here and only get the absent-record check.
UNPLACED = {"partner", "audit_entry", "token"}


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def staff_routes() -> set[str]:
    return {name for name in _walk(get_resolver().url_patterns) if name.split(":")[0] in STAFF_NAMESPACES}


def test_every_staff_route_is_in_the_matrix():
    missing = staff_routes() - set(ROUTES) - PUBLIC_ROUTES
    assert not missing, f"routes without a matrix entry: {sorted(missing)}"


def _records(js, federation, tag):
    """One record of every kind in ``federation``."""
    from qiaolian.accounts.models import Role
    from qiaolian.accounts.services import api_token_create, user_create
    from qiaolian.audit.models import AuditEntry

    admin = js.user("admin")
    person = PersonFactory(
        federation=federation,
        name=f"{tag}人员",
        birth_date=dt.date(1955, 5, 5),
        id_number=resident_id(dt.date(1955, 5, 5)),
        phone=f"+861390000{len(tag):04d}",
    )
    household = HouseholdFactory(federation=federation)
    member = PersonFactory(federation=federation, household=household, household_relation="spouse")
    tie = OverseasTieFactory(person=person)
    station = org_services.station_create(actor=admin, federation=federation, name=f"{tag}侨之家", kind="home")
    term = org_services.term_create(
        actor=admin, federation=federation, number=6, starts_on=dt.date(2022, 11, 1), ends_on=dt.date(2027, 10, 31)
    )
    seat = org_services.committee_member_add(actor=admin, term=term, name="王主席", role="chair")
    partner = org_services.partner_create(actor=admin, name=f"{tag}合作侨联", region="浙江省")
    election = org_services.election_record(
        actor=admin,
        federation=federation,
        held_on=dt.date(2027, 11, 20),
        method="contested",
        congress_name="第七次代表大会",
        new_term_number=7,
        new_term_ends_on=dt.date(2032, 11, 19),
        members=[{"role": "chair", "name": "李主席"}],
        documents=[("选举结果", ContentFile(b"%PDF-1.4 result", name="result.pdf"))],
    )
    group = org_services.group_create(actor=admin, federation=federation, name=f"{tag}文艺队", kind="arts")
    extra = {
        "election": election,
        "election_document": election.documents.first(),
        "group": group,
        "group_member": org_services.group_member_add(actor=admin, group=group, name="王队员", role="成员"),
        "mentoring_pair": org_services.mentoring_pair_add(actor=admin, group=group, mentor_name="甲", mentee_name="乙"),
    }
    for module in APP_MATRICES:
        extra.update(module.records(js, federation, tag, admin))
    return {
        **extra,
        "person": person,
        "household": household,
        "member": member,
        "tie": tie,
        "station": station,
        "term": term,
        "member_seat": seat,
        "federation": federation,
        "partner": partner,
        "audit_entry": AuditEntry.objects.order_by("-seq").first(),
        "token": api_token_create(actor=admin, user=admin, name="x")[0],
        "user": user_create(
            actor=admin,
            username=f"matrix-{federation.code}",
            display_name=f"{tag}工作人员",
            role=Role.TOWN_STAFF,
            federation=federation,
            password="Matrix-password-2026",
        ),
        "import_batch": ImportBatch.objects.create(
            federation=federation, created_by=admin, file_name=f"{tag}.xlsx", status="checked"
        ),
    }


@pytest.fixture
def world(jinshan):
    return {"own": _records(jinshan, jinshan.zhujing, "朱泾"), "foreign": _records(jinshan, jinshan.shihua, "石化")}


def _url(name: str, route: Route, records: dict | None) -> str:
    if route.kind is None:
        return reverse(name)
    if records is None:
        args = [ABSENT] + [ABSENT if a == "member" else a for a in route.extra]
        return reverse(name, args=args)
    key = "member_seat" if route.kind == "member" else route.kind
    args = [records[key].seq if key == "audit_entry" else records[key].pk]
    for extra in route.extra:
        args.append(records["member"].pk if extra == "member" else extra)
    return reverse(name, args=args)


def _expected(user, route: Route, records: dict | None) -> str:
    if user is None:
        return "login"
    if not user.has_perm("accounts.use_staff_site") or not user.has_perm(route.perm):
        return "forbidden"
    if route.kind is None:
        return "ok"
    if records is None:
        return "missing"
    if route.kind == "token":
        return "missing" if records["token"].user_id != user.pk else "ok"
    if route.kind in UNPLACED:
        return "ok"
    if not scope_for(user).allows(records["federation"].pk):
        return "missing"
    return "ok"


def _outcome(response) -> str:
    code = response.status_code
    if code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    if code == 403:
        return "forbidden"
    if code == 404:
        return "missing"
    if code in (200, 302):
        return "ok"
    return f"http {code}"


@pytest.mark.parametrize("role", [None, *ROLES])
def test_permission_matrix(client, jinshan, world, role):
    user = jinshan.user(role) if role else None
    if user is not None:
        client.force_login(user)
        mark_recently_confirmed(client)  # exports and reveals ask for the password after a while
    own_plain = {world["own"]["person"].id_number.reveal(), world["own"]["person"].phone.reveal()}
    failures = []
    # Reads first, then writes, removals last (they change what later requests find).
    order = sorted(
        ROUTES.items(), key=lambda kv: (kv[1].method == "post", "delete" in kv[0] or "remove" in kv[0], kv[0])
    )
    for name, route in order:
        cases = [("own", world["own"]), ("absent", None)]
        if route.kind and route.kind not in UNPLACED:
            cases.append(("foreign", world["foreign"]))
        for label, records in cases:
            if route.kind is None and label != "own":
                continue
            url = _url(name, route, records)
            response = getattr(client, route.method)(url)
            got, want = _outcome(response), _expected(user, route, records)
            if got != want:
                failures.append(f"{role} {name} [{label}] {url}: expected {want}, got {got}")
            if route.method == "get" and response.status_code == 200 and not response.streaming:
                body = response.content.decode(errors="ignore")
                leaked = [v for v in own_plain if v in body]
                if leaked:
                    failures.append(f"{role} {name}: page shows unmasked personal data")
    assert not failures, "\n".join(failures)


def test_zhujing_cannot_reach_shihua_persons_in_any_way(client, jinshan, world):
    client.force_login(jinshan.user("zhujing"))
    foreign = world["foreign"]["person"]
    detail_url = reverse("registry:person_detail", args=[foreign.pk])
    listing = client.get(reverse("registry:person_list"), {"q": foreign.name})
    assert detail_url not in listing.content.decode()
    by_id = client.get(reverse("registry:person_list"), {"q": foreign.id_number.reveal()})
    assert detail_url not in by_id.content.decode()
    everything = client.get(reverse("registry:person_list"))
    assert detail_url not in everything.content.decode()
    for name in ("registry:person_detail", "registry:person_edit", "registry:person_archive"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
    assert client.post(reverse("registry:person_reveal", args=[foreign.pk, "id_number"])).status_code == 404
    assert client.post(reverse("registry:person_edit", args=[foreign.pk]), {"name": "x"}).status_code == 404
    export = client.get(reverse("registry:person_export"))
    assert foreign.name.encode() not in export.content
    import io

    import openpyxl

    names = {row[0].value for row in openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2)}
    assert world["own"]["person"].name in names and foreign.name not in names
