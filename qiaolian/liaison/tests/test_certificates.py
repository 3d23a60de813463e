"""Completion certificates (结营证书) of youth camps: content in both languages, who gets one, the
download. The content is checked on the HTML the PDF is made from; only the download tests make a
PDF (WeasyPrint takes about a second each)."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from qiaolian.core.pdf import pdf_response
from qiaolian.core.tests.test_translations import catalogue, english_mo  # noqa: F401  (fixtures)
from qiaolian.liaison import selectors
from qiaolian.liaison.certificates import (
    certificate_html,
    certificate_language,
    certificate_number,
    date_range,
    name_in_pinyin,
    seal_characters,
)
from qiaolian.liaison.tests.test_camps import enrol, make_camp

pytestmark = pytest.mark.django_db

TITLE = "“寻根中国·相约上海”海外华裔青少年夏令营"


@pytest.fixture
def camp(jinshan):
    """A camp of 朱泾镇侨联 (make_camp's dates: 10–20 July 2019) with two attended campers and one
    who was admitted but did not come."""
    camp = make_camp(jinshan, user="zhujing", capacity=5, organizer="上海市侨联")
    enrol(jinshan, camp, user="zhujing", status="attended")  # 陈思远 / Ethan Chen, US
    enrol(jinshan, camp, user="zhujing", name="林可欣", foreign_name="", country="CA", status="attended")
    enrol(jinshan, camp, user="zhujing", name="王小明", foreign_name="", country="AU", status="admitted")
    return camp


def _eligible(jinshan, camp, user="zhujing"):
    return list(selectors.certificate_enrolments(user=jinshan.user(user), camp=camp))


# Who gets one ---------------------------------------------------------------------------------


def test_only_attended_campers_in_the_users_jurisdiction_get_a_certificate(jinshan, camp):
    assert [e.name for e in _eligible(jinshan, camp)] == ["林可欣", "陈思远"]
    assert [e.name for e in _eligible(jinshan, camp, "admin")] == ["林可欣", "陈思远"]  # the district sees it
    assert _eligible(jinshan, camp, "shihua") == []  # another town
    assert _eligible(jinshan, camp, "judge") == []  # no liaison.view_camp


# What it says ---------------------------------------------------------------------------------


def test_chinese_certificate_names_the_camper_camp_dates_organizer_and_host(jinshan, camp):
    chen = next(e for e in _eligible(jinshan, camp) if e.name == "陈思远")
    html = certificate_html(camp=camp, enrolments=[chen], language="zh")

    assert '<html lang="zh-Hans">' in html
    assert "结营证书" in html and "兹证明" in html
    assert "陈思远" in html and "Ethan Chen" in html and "美国" in html
    statement = "于2019年7月10日至7月20日参加由上海市侨联主办、朱泾镇侨联承办的" + TITLE
    assert statement + "，圆满完成全部营期活动，特发此证。" in html
    assert "2019年7月20日" in html  # issued on the last day
    assert f"JS-{camp.pk:04d}-{chen.pk:06d}" in html
    assert "<title>结营证书：陈思远</title>" in html
    assert "Certificate" not in html


def test_english_certificate_uses_the_foreign_name_or_pinyin_and_english_country(jinshan, camp, english_mo):  # noqa: F811
    html = certificate_html(camp=camp, enrolments=_eligible(jinshan, camp), language="en")

    assert '<html lang="en">' in html
    assert html.count("Certificate of Completion</h1>") == 2  # one page each
    assert "This is to certify that" in html
    assert "Ethan Chen" in html and "Lin Kexin" in html  # foreign name, else pinyin surname first
    assert "United States of America" in html and "Canada" in html
    assert f"took part in {TITLE} (10–20 July 2019), organized by 上海市侨联 and hosted by 朱泾镇侨联" in html
    assert "20 July 2019" in html
    assert f"<title>Certificate of Completion: {camp.title}</title>" in html
    assert "结营证书" not in html and "兹证明" not in html and "美国" not in html


def test_a_camp_without_organizer_names_only_the_host(jinshan):
    camp = make_camp(jinshan, organizer="", title="2022年“忆乡情·寻根金山”线上夏令营", mode="online")
    attended = enrol(jinshan, camp, status="attended")
    html = certificate_html(camp=camp, enrolments=[attended], language="zh")
    assert "参加金山区归国华侨联合会承办的2022年“忆乡情·寻根金山”线上夏令营，圆满完成" in html
    assert "主办" not in html


def test_an_unknown_language_is_chinese(jinshan, camp):
    assert [certificate_language(v) for v in ("zh", "en", "fr", "", None, "EN")] == ["zh", "en", "zh", "zh", "zh", "zh"]
    html = certificate_html(camp=camp, enrolments=_eligible(jinshan, camp)[:1], language="de")
    assert "结营证书" in html


@pytest.mark.parametrize(
    ("name", "pinyin"),
    [
        ("陈思远", "Chen Siyuan"),
        ("欧阳娜娜", "Ouyang Nana"),
        ("曾小贤", "Zeng Xiaoxian"),  # read as a surname
        ("吕冰", "Lyu Bing"),  # ü as on a passport
        ("張偉", "Zhang Wei"),  # traditional characters
        ("Anna Lee", "Anna Lee"),
        ("陈David", "陈David"),  # not all Chinese: left as written
    ],
)
def test_name_in_pinyin_is_surname_first_in_title_case(name, pinyin):
    assert name_in_pinyin(name) == pinyin


@pytest.mark.parametrize(
    ("start", "end", "zh", "en"),
    [
        (dt.date(2019, 7, 15), dt.date(2019, 7, 22), "2019年7月15日至7月22日", "15–22 July 2019"),
        (dt.date(2022, 7, 28), dt.date(2022, 8, 3), "2022年7月28日至8月3日", "28 July – 3 August 2022"),
        (
            dt.date(2019, 12, 30),
            dt.date(2020, 1, 2),
            "2019年12月30日至2020年1月2日",
            "30 December 2019 – 2 January 2020",
        ),
        (dt.date(2022, 7, 30), dt.date(2022, 7, 30), "2022年7月30日", "30 July 2022"),
    ],
)
def test_camp_dates_in_chinese_and_english(start, end, zh, en):
    assert date_range(start, end, "zh") == zh
    assert date_range(start, end, "en") == en


def test_the_seal_spreads_the_federation_name_over_the_top_of_the_circle():
    ring = seal_characters("金山区归国华侨联合会")
    assert "".join(ch for ch, _angle in ring) == "金山区归国华侨联合会"
    angles = [angle for _ch, angle in ring]
    assert angles == sorted(angles) and angles[0] == -angles[-1] and angles[-1] <= 115


def test_one_page_per_camper_and_a_document_title(jinshan, camp):
    from weasyprint import HTML

    html = certificate_html(camp=camp, enrolments=_eligible(jinshan, camp), language="zh")
    document = HTML(string=html).render()
    assert len(document.pages) == 2
    assert document.metadata.title == f"结营证书：{TITLE}"
    assert [entry[0] for entry in document.make_bookmark_tree()] == ["林可欣", "陈思远"]  # the outline names them


# The download ---------------------------------------------------------------------------------


def test_pdf_response_names_the_file_in_utf8_with_an_ascii_fallback():
    response = pdf_response(b"%PDF-1.7 x", "结营证书-Chen Siyuan.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Chen Siyuan.pdf\"; filename*=UTF-8''" + quote("结营证书-Chen Siyuan.pdf")
    )
    assert "no-store" in response["Cache-Control"]
    assert 'filename="a_b.pdf"' in pdf_response(b"", 'a/b"')["Content-Disposition"]


def test_camp_certificates_download_as_one_pdf(client, jinshan, camp):
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("liaison:camp_certificates", args=[camp.pk]), {"lang": "zh"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f"filename*=UTF-8''{quote(f'结营证书-{TITLE}.pdf')}" in response["Content-Disposition"]


def test_one_campers_english_certificate_is_named_after_the_camper(client, jinshan, camp, english_mo):  # noqa: F811
    chen = next(e for e in _eligible(jinshan, camp) if e.name == "陈思远")
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("liaison:enrolment_certificate", args=[chen.pk]), {"lang": "en"})

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert "filename*=UTF-8''Certificate%20of%20Completion%20-%20Ethan%20Chen.pdf" in response["Content-Disposition"]


def test_a_camper_who_did_not_attend_gets_no_certificate_but_a_message(client, jinshan, camp):
    absent = camp.enrolments.get(name="王小明")
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("liaison:enrolment_certificate", args=[absent.pk]), {"lang": "zh"})

    assert response.status_code == 302 and response["Location"] == camp.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "王小明的状态是“已录取”：只有已参营的营员才能获得结营证书。"
    ]


def test_a_camp_without_attended_campers_gets_a_message(client, jinshan):
    camp = make_camp(jinshan)
    enrol(jinshan, camp, status="admitted")
    client.force_login(jinshan.user("staff"))
    response = client.get(reverse("liaison:camp_certificates", args=[camp.pk]), follow=True)

    assert response.redirect_chain == [(camp.get_absolute_url(), 302)]
    assert "没有可出具的结营证书" in response.content.decode()
    assert reverse("liaison:camp_certificates", args=[camp.pk]) not in response.content.decode()


def test_another_towns_camp_certificates_are_not_found(client, jinshan):
    camp = make_camp(jinshan, user="shihua")
    attended = enrol(jinshan, camp, user="shihua", status="attended")
    client.force_login(jinshan.user("zhujing"))
    assert client.get(reverse("liaison:camp_certificates", args=[camp.pk])).status_code == 404
    assert client.get(reverse("liaison:enrolment_certificate", args=[attended.pk])).status_code == 404


def test_a_role_without_camp_access_is_refused_before_the_record_is_looked_up(client, jinshan, camp):
    attended = _eligible(jinshan, camp)[0]
    client.force_login(jinshan.user("judge"))
    assert client.get(reverse("liaison:camp_certificates", args=[camp.pk])).status_code == 403
    assert client.get(reverse("liaison:enrolment_certificate", args=[attended.pk])).status_code == 403
    assert client.get(reverse("liaison:enrolment_certificate", args=[987654])).status_code == 403


def test_camp_page_offers_certificates_for_attended_campers_only(client, jinshan, camp):
    client.force_login(jinshan.user("zhujing"))
    page = client.get(reverse("liaison:camp_detail", args=[camp.pk])).content.decode()

    assert "结营证书（中文）" in page and "结营证书（英文）" in page
    assert f"{reverse('liaison:camp_certificates', args=[camp.pk])}?lang=en" in page
    for enrolment in camp.enrolments.all():
        link = f"{reverse('liaison:enrolment_certificate', args=[enrolment.pk])}?lang=zh"
        assert (link in page) == (enrolment.status == "attended"), enrolment.name


def test_certificate_number_is_zero_padded(jinshan, camp):
    chen = camp.enrolments.get(name="陈思远")
    assert certificate_number(chen) == f"JS-{camp.pk:04d}-{chen.pk:06d}"
    assert len(certificate_number(chen)) == len("JS-0000-000000")
