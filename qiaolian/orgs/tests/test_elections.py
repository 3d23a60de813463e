"""Elections (换届): the service, the due list and the pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qiaolian.audit.models import AuditEntry
from qiaolian.orgs import selectors, services
from qiaolian.orgs.forms import parse_committee_lines
from qiaolian.orgs.models import CommitteeMember, CommitteeRole, Election, ElectionMethod, Term

pytestmark = pytest.mark.django_db

MEMBERS = [{"role": CommitteeRole.CHAIR, "name": "张伟"}, {"role": CommitteeRole.MEMBER, "name": "李娜"}]


@pytest.fixture
def old_term(jinshan):
    return services.term_create(
        actor=jinshan.user("admin"),
        federation=jinshan.zhujing,
        number=2,
        starts_on=dt.date(2017, 9, 20),
        ends_on=dt.date(2022, 9, 19),
        congress_name="朱泾镇侨联第二次归侨侨眷代表大会",
    )


def _record(jinshan, actor="zhujing", **overrides):
    data = {
        "federation": jinshan.zhujing,
        "held_on": dt.date(2022, 7, 20),
        "method": ElectionMethod.UNCONTESTED,
        "congress_name": "朱泾镇侨联第三次归侨侨眷代表大会",
        "delegate_count": 80,
        "new_term_number": 3,
        "new_term_ends_on": dt.date(2027, 7, 19),
        "members": MEMBERS,
    }
    data.update(overrides)
    return services.election_record(actor=jinshan.user(actor), **data)


def test_election_closes_the_previous_term_and_opens_the_next_with_its_committee(jinshan, old_term):
    before = AuditEntry.objects.count()
    election = _record(jinshan)
    old_term.refresh_from_db()
    assert old_term.ends_on == dt.date(2022, 7, 19)
    assert election.previous_term == old_term
    term = election.term
    assert (term.number, term.starts_on, term.ends_on) == (3, dt.date(2022, 7, 20), dt.date(2027, 7, 19))
    assert [(m.role, m.name, m.sort_order) for m in term.members.order_by("sort_order")] == [
        ("chair", "张伟", 1),
        ("member", "李娜", 2),
    ]
    # previous term changed, new term, two members, the election
    assert AuditEntry.objects.count() - before == 5


def test_election_keeps_an_earlier_end_of_the_previous_term(jinshan, old_term):
    _record(jinshan, held_on=dt.date(2022, 10, 8), new_term_ends_on=dt.date(2027, 10, 7))
    old_term.refresh_from_db()
    assert old_term.ends_on == dt.date(2022, 9, 19)


def test_first_election_of_a_federation_needs_no_previous_term(jinshan):
    election = _record(jinshan, federation=jinshan.shihua, actor="shihua", new_term_number=1)
    assert election.previous_term is None and election.term.number == 1


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"held_on": dt.date(2017, 9, 1)}, "held_on", "选举日期应晚于上一届"),
        ({"new_term_number": 2}, "new_term_number", "届次不能重复"),
        ({"new_term_number": 1}, "new_term_number", "应大于上一届"),
        ({"new_term_ends_on": dt.date(2022, 7, 20)}, "new_term_ends_on", "届满日期应晚于选举日期"),
        ({"members": [{"role": "boss", "name": "张伟"}]}, "members", "第1位委员"),
    ],
)
def test_refused_elections_name_the_field_and_write_nothing(jinshan, old_term, overrides, field, words):
    counts = (
        Term.objects.count(),
        CommitteeMember.objects.count(),
        Election.objects.count(),
        AuditEntry.objects.count(),
    )
    with pytest.raises(ValidationError) as caught:
        _record(jinshan, **overrides)
    assert field in caught.value.message_dict
    assert words in " ".join(caught.value.message_dict[field])
    old_term.refresh_from_db()
    assert old_term.ends_on == dt.date(2022, 9, 19)
    assert counts == (
        Term.objects.count(),
        CommitteeMember.objects.count(),
        Election.objects.count(),
        AuditEntry.objects.count(),
    )


def test_a_failure_after_the_first_writes_rolls_everything_back(jinshan, old_term, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_document_add", broken)
    with pytest.raises(RuntimeError):
        _record(jinshan, documents=[("批复", SimpleUploadedFile("pifu.pdf", b"%PDF"))])
    old_term.refresh_from_db()
    assert old_term.ends_on == dt.date(2022, 9, 19)
    assert not Term.objects.filter(number=3).exists() and not Election.objects.exists()


def test_town_user_cannot_record_an_election_of_another_town(jinshan, old_term):
    from django.http import Http404

    with pytest.raises(Http404):
        _record(jinshan, actor="shihua")


def test_committee_lines_are_parsed_with_roles_and_positions():
    members = parse_committee_lines("主席 张伟 镇党委统战委员\n\n专职副主席　李娜\n委员 王芳")
    assert members == [
        {"role": "chair", "name": "张伟", "is_full_time": False, "position": "镇党委统战委员"},
        {"role": "vice_chair", "name": "李娜", "is_full_time": True, "position": ""},
        {"role": "member", "name": "王芳", "is_full_time": False, "position": ""},
    ]
    with pytest.raises(ValidationError, match="第2行"):
        parse_committee_lines("主席 张伟\n理事 李娜")


def test_due_list_has_terms_ending_within_six_months_or_ended(jinshan, old_term):
    admin = jinshan.user("admin")
    services.term_create(
        actor=admin, federation=jinshan.shihua, number=1, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2025, 1, 1)
    )
    services.term_create(
        actor=admin,
        federation=jinshan.district,
        number=6,
        starts_on=dt.date(2022, 11, 22),
        ends_on=dt.date(2027, 11, 21),
    )
    today = dt.date(2022, 6, 1)
    due = selectors.elections_due(user=admin, today=today)
    assert [(row.federation, row.status) for row in due] == [(jinshan.zhujing, "expiring")]
    due = selectors.elections_due(user=admin, today=dt.date(2025, 3, 1))
    assert [(row.federation, row.status) for row in due] == [(jinshan.zhujing, "expired"), (jinshan.shihua, "expired")]
    # the latest term counts: after the election the town is no longer due
    _record(jinshan)
    assert [row.federation for row in selectors.elections_due(user=admin, today=dt.date(2022, 8, 1))] == []
    # a town user sees only their own town
    assert (
        selectors.elections_due(user=jinshan.user("shihua"), today=dt.date(2025, 3, 1))[0].federation == jinshan.shihua
    )


def _login(client, jinshan, username):
    client.force_login(jinshan.user(username))


def test_election_pages_list_filter_show_and_record(jinshan, old_term, client):
    election = _record(jinshan, documents=[("批复", SimpleUploadedFile("pifu.pdf", b"%PDF-1.4"))])
    _login(client, jinshan, "zhujing")
    page = client.get(reverse("orgs:election_list"), {"year": 2022, "federation": jinshan.zhujing.pk})
    assert page.status_code == 200 and "朱泾镇侨联第三次归侨侨眷代表大会" in page.content.decode()
    other = client.get(reverse("orgs:election_list"), {"federation": jinshan.shihua.pk})  # not a choice for them
    assert other.context["form"].errors and "朱泾镇侨联第三次" in other.content.decode()
    _login(client, jinshan, "admin")
    assert (
        "朱泾镇侨联第三次"
        not in client.get(reverse("orgs:election_list"), {"federation": jinshan.shihua.pk}).content.decode()
    )
    _login(client, jinshan, "zhujing")
    detail = client.get(reverse("orgs:election_detail", args=[election.pk])).content.decode()
    assert "张伟" in detail and "批复" in detail and "2022年7月20日" in detail
    document = election.documents.get()
    download = client.get(reverse("orgs:election_document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"
    assert client.get(reverse("orgs:election_due")).status_code == 200
    form = client.get(reverse("orgs:election_create"), {"federation": jinshan.zhujing.pk}).content.decode()
    assert 'value="4"' in form and "朱泾镇侨联第四次" in form  # the next term and its congress are proposed

    response = client.post(
        reverse("orgs:election_create"),
        {
            "federation": jinshan.zhujing.pk,
            "held_on": "2027-07-10",
            "congress_name": "朱泾镇侨联第四次归侨侨眷代表大会",
            "method": "contested",
            "new_term_number": "4",
            "members": "主席 陈静\n委员 刘洋 朱泾镇某公司总经理",
        },
    )
    assert response.status_code == 302
    new = Election.objects.get(term__number=4)
    assert new.term.ends_on == dt.date(2032, 7, 9)
    assert new.term.members.count() == 2


def test_election_form_shows_the_service_refusal_on_its_field(jinshan, old_term, client):
    _login(client, jinshan, "zhujing")
    response = client.post(
        reverse("orgs:election_create"),
        {
            "federation": jinshan.zhujing.pk,
            "held_on": "2017-01-01",
            "congress_name": "x",
            "method": "uncontested",
            "new_term_number": "2",
            "members": "书记 张三",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "无法识别职务" in errors["members"][0]
    assert not Election.objects.exists()


def test_town_user_cannot_see_another_towns_election_or_its_documents(jinshan, old_term, client):
    election = _record(jinshan, documents=[("批复", SimpleUploadedFile("pifu.pdf", b"%PDF"))])
    _login(client, jinshan, "shihua")
    assert client.get(reverse("orgs:election_detail", args=[election.pk])).status_code == 404
    document = election.documents.get()
    assert client.get(reverse("orgs:election_document_download", args=[document.pk])).status_code == 404
    upload = SimpleUploadedFile("x.pdf", b"x")
    url = reverse("orgs:election_document_add", args=[election.pk])
    assert client.post(url, {"file": upload}).status_code == 404
    assert "朱泾镇侨联第三次" not in client.get(reverse("orgs:election_list")).content.decode()
    _login(client, jinshan, "leader")
    assert client.post(url, {"file": SimpleUploadedFile("x.pdf", b"x")}).status_code == 403
    assert client.get(reverse("orgs:election_create")).status_code == 403


def test_committee_lines_are_read_in_chinese_whatever_the_page_language():
    from django.utils import translation

    from qiaolian.orgs.forms import parse_committee_lines

    with translation.override("en"):
        members = parse_committee_lines("主席 张三 镇党委统战委员\n专职副主席 李四\nmember 王五")
    assert [(m["role"], m["name"], m["is_full_time"]) for m in members] == [
        ("chair", "张三", False),
        ("vice_chair", "李四", True),
        ("member", "王五", False),
    ]
