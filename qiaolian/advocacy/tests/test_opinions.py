import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from qiaolian.advocacy import selectors, services
from qiaolian.advocacy.models import OpinionStatus
from qiaolian.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def draft(js, *, author="staff", federation=None, **extra):
    user = js.user(author)
    data = {
        "federation": federation or user.federation,
        "title": "关于优化侨企融资服务的建议",
        "category": "business",
        "body": "情况：……分析：……建议：……",
        "author_name": "王委员",
        "author_kind": "cppcc_member",
        **extra,
    }
    return services.opinion_create(actor=user, data=data)


def test_workflow_from_draft_to_instruction_is_audited(jinshan):
    staff = jinshan.user("staff")
    report = draft(jinshan)
    services.opinion_send_for_review(actor=staff, report=report)
    services.opinion_submit(actor=staff, report=report, submitted_on=dt.date(2021, 3, 1), submitted_to="区政协")
    services.opinion_record_outcome(
        actor=staff, report=report, adopted=True, decided_on=dt.date(2021, 4, 1), level="city", adopted_by="市政协"
    )
    services.opinion_record_instruction(
        actor=staff,
        report=report,
        instruction_on=dt.date(2021, 4, 20),
        instruction_by="副市长",
        instruction="请相关部门研究落实。",
    )
    report.refresh_from_db()
    assert report.status == OpinionStatus.ADOPTED and report.adoption_level == "city"
    assert AuditEntry.objects.filter(target_type="advocacy.opinionreport", target_id=str(report.pk)).count() == 5


def test_illegal_steps_are_refused_and_leave_no_trace(jinshan):
    staff = jinshan.user("staff")
    report = draft(jinshan)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        services.opinion_record_outcome(
            actor=staff, report=report, adopted=True, decided_on=dt.date(2021, 1, 1), level="district"
        )
    with pytest.raises(ValidationError):
        services.opinion_record_instruction(
            actor=staff, report=report, instruction_on=dt.date(2021, 1, 1), instruction_by="x", instruction="y"
        )
    services.opinion_submit(actor=staff, report=report, submitted_on=dt.date(2021, 3, 1), submitted_to="区政协")
    with pytest.raises(ValidationError) as early:
        services.opinion_record_outcome(
            actor=staff, report=report, adopted=True, decided_on=dt.date(2021, 2, 1), level="district"
        )
    assert "decided_on" in early.value.error_dict
    with pytest.raises(ValidationError):
        services.opinion_update(actor=staff, report=report, data={"title": "改标题"})
    report.refresh_from_db()
    assert report.status == OpinionStatus.SUBMITTED
    assert AuditEntry.objects.count() == before + 1


def test_body_over_the_limit_names_the_field(jinshan):
    with pytest.raises(ValidationError) as error:
        draft(jinshan, body="字" * 1600)
    assert "body" in error.value.error_dict


def test_cppcc_member_writes_under_own_name_and_sees_only_own_reports(jinshan):
    member = jinshan.user("cppcc")
    own = services.opinion_create(actor=member, data={"title": "侨眷子女入学", "category": "culture", "body": "……"})
    assert own.author_user == member and own.author_kind == "cppcc_member"
    other = draft(jinshan)
    visible = set(selectors.opinion_scope(user=member).values_list("pk", flat=True))
    assert visible == {own.pk}
    with pytest.raises(PermissionDenied):
        services.opinion_submit(actor=member, report=own, submitted_on=dt.date(2022, 1, 1), submitted_to="区政协")
    with pytest.raises(PermissionDenied):
        services.opinion_update(actor=member, report=other, data={"title": "x"})


def test_town_user_sees_own_town_only(jinshan, client):
    own = draft(jinshan, author="staff", federation=jinshan.zhujing)
    foreign = draft(jinshan, author="staff", federation=jinshan.shihua)
    client.force_login(jinshan.user("zhujing"))
    page = client.get(reverse("advocacy:opinion_list")).content.decode()
    assert reverse("advocacy:opinion_detail", args=[own.pk]) in page
    assert reverse("advocacy:opinion_detail", args=[foreign.pk]) not in page
    assert client.get(reverse("advocacy:opinion_detail", args=[foreign.pk])).status_code == 404
    with pytest.raises(Http404):
        services.opinion_create(
            actor=jinshan.user("zhujing"),
            data={
                "federation": jinshan.shihua,
                "title": "x",
                "category": "other",
                "body": "x",
                "author_name": "x",
                "author_kind": "informant",
            },
        )


def test_counts_by_year_and_author(jinshan):
    staff = jinshan.user("staff")
    for year, adopt in ((2019, True), (2019, False), (2020, True)):
        report = draft(jinshan)
        services.opinion_submit(actor=staff, report=report, submitted_on=dt.date(year, 5, 1), submitted_to="区政协")
        services.opinion_record_outcome(
            actor=staff, report=report, adopted=adopt, decided_on=dt.date(year, 6, 1), level="district" if adopt else ""
        )
    draft(jinshan)  # not submitted: not counted
    rows = {r["year"]: r for r in selectors.opinion_counts_by_year(user=staff)}
    assert rows[2019]["submitted"] == 2 and rows[2019]["adopted"] == 1 and rows[2020]["district"] == 1
    assert selectors.opinion_counts_by_author(user=staff) == [
        {"author_name": "王委员", "author_kind": "cppcc_member", "submitted": 3, "adopted": 2}
    ]


def test_pages_walk_the_workflow_and_show_errors_inline(jinshan, client):
    client.force_login(jinshan.user("staff"))
    response = client.post(
        reverse("advocacy:opinion_create"),
        {
            "federation": jinshan.district.pk,
            "title": "关于侨法宣传进社区的建议",
            "category": "rights",
            "author_name": "李信息员",
            "author_kind": "informant",
            "body": "建议……",
        },
    )
    assert response.status_code == 302
    report = selectors.opinion_scope(user=jinshan.user("staff")).get(title="关于侨法宣传进社区的建议")
    url = reverse("advocacy:opinion_action", args=[report.pk, "submit"])
    bad = client.post(url, {"submitted_on": "2099-01-01", "submitted_to": "区政协"})
    assert bad.status_code == 200 and "报送日期不能晚于今天" in bad.content.decode()
    client.post(url, {"submitted_on": "2022-03-05", "submitted_to": "区政协"})
    report.refresh_from_db()
    assert report.status == OpinionStatus.SUBMITTED


def test_research_report_with_real_pdf_and_refusal_of_fake(jinshan, client):
    client.force_login(jinshan.user("staff"))
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("advocacy:research_create"),
        {
            "federation": jinshan.district.pk,
            "title": "后疫情时代统战侨务工作的探索与实践",
            "authors": "区侨联课题组",
            "completed_on": "2021-11-30",
            "abstract": "……",
            "file": fake,
        },
    )
    assert response.status_code == 200 and "PDF 或 Word" in response.content.decode()
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%...", content_type="application/pdf")
    response = client.post(
        reverse("advocacy:research_create"),
        {
            "federation": jinshan.district.pk,
            "title": "后疫情时代统战侨务工作的探索与实践",
            "authors": "区侨联课题组",
            "completed_on": "2021-11-30",
            "abstract": "……",
            "file": pdf,
        },
    )
    assert response.status_code == 302
    report = selectors.research_list(user=jinshan.user("staff")).get()
    download = client.get(reverse("advocacy:research_file", args=[report.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(jinshan.user("judge"))
    assert client.get(reverse("advocacy:research_file", args=[report.pk])).status_code == 403
