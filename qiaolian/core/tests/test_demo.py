"""The Jinshan demo generator (PRODUCT.md §6): organization, accounts, registry, determinism."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from stdnum import numdb
from stdnum.cn import ric

from qiaolian.accounts.models import Role, User
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.audit.services import audit_verify
from qiaolian.core.validators import parse_resident_id
from qiaolian.demo import build_demo
from qiaolian.demo.geography import TOWNS
from qiaolian.linkage.models import CandidatePair
from qiaolian.orgs.models import (
    CommitteeMember,
    CommitteeRole,
    Federation,
    FederationKind,
    Level,
    PartnerFederation,
    Station,
    StationKind,
    Term,
)
from qiaolian.registry import choices as c
from qiaolian.registry.models import Household, OverseasTie, Person

SCALE = 0.05  # 150 persons: every rule, fast enough to build in each test
TOWN_NAMES = [
    "石化街道",
    "朱泾镇",
    "枫泾镇",
    "张堰镇",
    "亭林镇",
    "吕巷镇",
    "廊下镇",
    "金山卫镇",
    "漕泾镇",
    "山阳镇",
    "金山工业区",
]


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One build for the read-only tests of a class, rolled back after the class (each test still
    runs in its own nested transaction through ``db``)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(seed=2017, scale=SCALE)
        transaction.set_rollback(True)


def _assert_valid_resident_id(number: str) -> None:
    """``stdnum.cn.ric.validate``, except that the area code need not have existed in the birth
    year: numbers were first issued in the 1980s, so a Jinshan native born in 1935 has the code of
    金山县 (310228, 1982–1997), which stdnum's database dates from 1982. The code must still be a
    real one, and a retired county code cannot belong to someone born after it was retired."""
    try:
        ric.validate(number)
        return
    except ric.InvalidComponent:
        pass
    assert len(number) == 18 and number[:17].isdigit()
    assert number[-1] == ric.calc_check_digit(number)
    ric.get_birth_date(number)
    county = next((p["county"] for _part, p in numdb.get("cn/loc").info(number[:6]) if "county" in p), "")
    assert county, number
    if county.startswith("[") and county[1 : county.index("]")].split("-")[1]:
        assert ric.get_birth_date(number).year <= int(county[1 : county.index("]")].split("-")[1]), number


def _plain(value) -> str:
    """A protected value as text; "" for a person without one (a planted duplicate's ID number)."""
    return value.reveal() if value else ""


def _registry_snapshot() -> list[tuple]:
    rows: list[tuple] = [
        (p.name, p.sex, p.birth_date, p.category, p.federation.code, _plain(p.id_number), p.address.reveal())
        for p in Person.objects.select_related("federation").order_by("id")
    ]
    rows += [
        (t.person.name, t.name, t.relation, str(t.country), t.city, t.emigrated_year)
        for t in OverseasTie.objects.select_related("person").order_by("id")
    ]
    rows += [(m.term.number, m.name, m.role) for m in CommitteeMember.objects.select_related("term").order_by("id")]
    return rows


def _build_and_roll_back(seed: int) -> list[tuple]:
    with transaction.atomic():
        build_demo(seed=seed, scale=SCALE)
        snapshot = _registry_snapshot()
        transaction.set_rollback(True)
    return snapshot


@pytest.mark.usefixtures("db")
class TestDemoAtSmallScale:
    """Read-only checks on one build at scale 0.05 (150 persons)."""

    def test_demo_builds_the_district_its_eleven_towns_and_community_groups(self, demo):
        district = Federation.objects.get(parent=None)
        assert (district.name, district.short_name, district.code) == ("金山区归国华侨联合会", "金山区侨联", "310116")
        towns = list(Federation.objects.filter(level=Level.TOWN).order_by("sort_order"))
        assert [t.short_name for t in towns] == TOWN_NAMES
        assert all(t.parent_id == district.pk for t in towns)
        kinds = {t.short_name: t.kind for t in towns}
        assert kinds["石化街道"] == FederationKind.STREET
        assert kinds["金山工业区"] == FederationKind.PARK
        assert "上海湾区高新技术产业开发区" in Federation.objects.get(short_name="金山工业区").alias_list()
        assert {k for n, k in kinds.items() if n not in ("石化街道", "金山工业区")} == {FederationKind.TOWN}
        assert all(t.established_on and t.established_on.year <= 2017 for t in towns)  # 全覆盖 in 2017
        groups = Federation.objects.filter(level=Level.COMMUNITY)
        assert groups.count() >= 3
        assert all(g.parent.level == Level.TOWN and g.path.startswith(g.parent.path) for g in groups)
        assert demo.towns == 11

    def test_demo_has_stations_the_partner_and_the_terms_of_the_seed(self, demo):
        new_overseas = Station.objects.filter(kind=StationKind.NEW_OVERSEAS).select_related("federation")
        assert sorted(s.federation.short_name for s in new_overseas) == ["漕泾镇", "石化街道"]
        assert "众创空间" in new_overseas.get(federation__short_name="漕泾镇").host_venue
        homes = Station.objects.filter(kind=StationKind.HOME)
        towns_with_home = set()
        for station in homes.select_related("federation__parent"):
            town = station.federation if station.federation.level == Level.TOWN else station.federation.parent
            towns_with_home.add(town.short_name)
        assert len(towns_with_home) >= 8
        assert all("党群服务" in s.host_venue or "活动" in s.host_venue for s in homes)

        partner = PartnerFederation.objects.get()
        assert (partner.name, partner.brand) == ("平湖市侨联", "金平果")
        assert "浙江" in partner.region and "平湖" in partner.region

        fifth = Term.objects.get(federation__parent=None, number=5)
        sixth = Term.objects.get(federation__parent=None, number=6)
        assert (fifth.starts_on.year, fifth.starts_on.month) == (2017, 12)
        assert (fifth.ends_on.year, fifth.ends_on.month) == (2022, 11)
        assert str(sixth.starts_on) == "2022-11-22" and (sixth.ends_on.year, sixth.ends_on.month) == (2027, 11)
        for term in (fifth, sixth):
            roles = list(term.members.values_list("role", flat=True))
            assert roles.count(CommitteeRole.CHAIR) == 1
            assert roles.count(CommitteeRole.SECRETARY_GENERAL) == 1
            assert roles.count(CommitteeRole.VICE_CHAIR) >= 2
            assert CommitteeRole.STANDING in roles and CommitteeRole.MEMBER in roles
            assert term.members.filter(role=CommitteeRole.VICE_CHAIR, is_full_time=True).count() == 1
        for town in Federation.objects.filter(level=Level.TOWN):
            elected = town.terms.get(starts_on__year=2022)
            assert elected.members.filter(role=CommitteeRole.CHAIR).exists()
            assert town.terms.filter(starts_on__year=2017).exists()

    def test_demo_accounts_have_their_roles_federations_and_the_demo_password(self, demo, client):
        expected = {
            "admin": (Role.DISTRICT_ADMIN, "金山区侨联"),
            "staff": (Role.DISTRICT_STAFF, "金山区侨联"),
            "zhujing": (Role.TOWN_STAFF, "朱泾镇"),
            "shihua": (Role.TOWN_STAFF, "石化街道"),
            "leader": (Role.LEADER, "金山区侨联"),
            "auditor": (Role.AUDITOR, "金山区侨联"),
        }
        for username, (role, federation) in expected.items():
            user = User.objects.select_related("federation").get(username=username)
            assert (user.role, user.federation.short_name) == (role, federation)
            assert user.check_password(settings.QIAOLIAN_DEMO_PASSWORD)
            assert user.display_name
        response = client.post(
            reverse("accounts:login"), {"username": "zhujing", "password": settings.QIAOLIAN_DEMO_PASSWORD}
        )
        assert response.status_code == 302
        assert client.get(reverse("core:home")).status_code == 200
        assert [row[0] for row in demo.accounts] == list(expected)
        assert demo.password == settings.QIAOLIAN_DEMO_PASSWORD

    def test_every_resident_id_is_valid_unique_and_matches_birth_date_and_sex(self, demo):
        persons = list(Person.objects.all())
        assert len(persons) == demo.persons == round(3000 * SCALE)
        numbers = []
        without_number = [p for p in persons if not p.id_number]
        # Only the planted duplicates lack a number (a second record cannot repeat it): 1.5 %, at least 6.
        assert 0 < len(without_number) <= max(6, round(0.015 * len(persons)))
        for person in persons:
            assert person.birth_date.year >= 1930 and person.birth_date.year <= 2010
            if not person.id_number:
                continue
            if person.id_type != c.IdType.RESIDENT_ID:
                assert person.category in (c.Category.OVERSEAS_CHINESE, c.Category.FOREIGN_CHINESE, c.Category.HK_MACAO)
                continue
            number = person.id_number.reveal()
            _assert_valid_resident_id(number)
            assert ric.get_birth_date(number) == person.birth_date
            assert person.sex == (c.Sex.MALE if int(number[16]) % 2 else c.Sex.FEMALE)
            parsed = parse_resident_id(number)  # the platform's own check, as imports and forms use it
            assert (parsed.birth_date, parsed.sex) == (person.birth_date, person.sex)
            numbers.append(number)
        assert len(set(numbers)) == len(numbers)
        assert sum(n.startswith(("310228", "310116")) for n in numbers) > len(numbers) * 0.7

    def test_persons_live_in_towns_or_community_groups_at_addresses_in_their_town(self, demo):
        for person in Person.objects.select_related("federation__parent"):
            assert person.federation.level in (Level.TOWN, Level.COMMUNITY)
            town = person.federation if person.federation.level == Level.TOWN else person.federation.parent
            assert person.address.reveal().startswith(f"上海市金山区{town.short_name}")
            if person.phone:
                assert person.phone.reveal().startswith("+86")
        for household in Household.objects.prefetch_related("members"):
            members = list(household.members.all())
            assert len(members) >= 2
            assert [m.household_relation for m in members].count(c.HouseholdRelation.HEAD) == 1
            assert {m.address.reveal() for m in members} == {household.address.reveal()}

    def test_registry_is_pinned_for_seed_2017_at_small_scale(self, demo):
        """Catches nondeterminism across processes (hash seeds, database order). A deliberate change
        to the generator changes this digest: update it in the same commit."""
        digest = hashlib.sha256(
            repr([(p.name, _plain(p.id_number)) for p in Person.objects.order_by("id")]).encode()
        ).hexdigest()
        assert digest == PINNED_DIGEST

    def test_the_build_writes_one_import_entry_and_keeps_the_audit_chain_valid(self, demo):
        report = audit_verify()
        assert report.ok, report.reason
        entry = AuditEntry.objects.get(action=Action.IMPORT)
        assert entry.data["persons"] == demo.persons and entry.data["overseas_ties"] == demo.overseas_ties
        assert entry.actor.username == "admin"

    def test_demo_data_if_empty_does_nothing_on_a_populated_database(self, demo):
        counts = (Federation.objects.count(), Person.objects.count(), AuditEntry.objects.count())
        out = io.StringIO()
        call_command("demo_data", "--if-empty", stdout=out)
        assert (Federation.objects.count(), Person.objects.count(), AuditEntry.objects.count()) == counts
        with pytest.raises(CommandError):
            call_command("demo_data", stdout=io.StringIO())


def test_the_registry_has_realistic_categories_ties_and_hardship(db):
    summary = build_demo(seed=2017, scale=0.2)
    persons = list(Person.objects.prefetch_related("overseas_ties"))
    by_category = dict(summary.by_category)
    assert by_category["侨眷"] > len(persons) / 2
    assert by_category["侨眷"] > by_category["归侨"] > by_category["留学回国人员"]
    for person in persons:
        ties = list(person.overseas_ties.all())
        if person.category == c.Category.RELATIVE and person.verification != c.Verification.EVIDENCE_PENDING:
            assert 1 <= len(ties) <= 3
        if person.category == c.Category.HK_MACAO_RELATIVE and ties:
            assert {str(t.country) for t in ties} <= {"HK", "MO"}
        if person.category == c.Category.RETURNEE:
            assert person.returned_from and person.returned_year
            assert person.birth_date.year < person.returned_year <= 2022
    relatives = [p for p in persons if p.category == c.Category.RELATIVE]
    assert sum(1 for p in relatives if p.overseas_ties.all()) >= 0.95 * len(relatives)
    countries = {str(t.country) for t in OverseasTie.objects.all()}
    assert {"US", "CA", "AU", "JP", "GB", "SG"} <= countries
    hardship = [p for p in persons if p.is_in_hardship]
    assert 0.03 * len(persons) <= len(hardship) <= 0.05 * len(persons)
    assert all(p.hardship_types and p.hardship_note for p in hardship)
    assert any(p.living_status == c.LivingStatus.DECEASED and p.deceased_on for p in persons)


def test_same_seed_and_scale_give_the_same_data_and_another_seed_does_not(db):
    first = _build_and_roll_back(2017)
    again = _build_and_roll_back(2017)
    other = _build_and_roll_back(2018)
    assert first == again
    assert [row[:2] for row in first[:20]] != [row[:2] for row in other[:20]]


def test_demo_data_command_prints_the_summary_and_the_accounts_with_the_password(db):
    out = io.StringIO()
    call_command("demo_data", "--scale", "0.02", "--seed", "7", stdout=out)
    text = out.getvalue()
    assert "人员 60 人" in text
    assert settings.QIAOLIAN_DEMO_PASSWORD in text
    for username in ("admin", "staff", "zhujing", "shihua", "leader", "auditor"):
        assert username in text
    assert all(t.short_name in text for t in TOWNS)
    # The planted duplicates are already in the review queue.
    assert CandidatePair.objects.count() >= 6
    assert f"查重：找出 {CandidatePair.objects.count()} 对疑似重复人员" in text


PINNED_DIGEST = "d891df33317085913d2968bb58a29b9f9ad9ab0560058292794af77f39bdacc5"
