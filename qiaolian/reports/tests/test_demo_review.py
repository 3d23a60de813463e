"""The review of the Jinshan demo, December 2017 – December 2022, gives back the seed's figures
(PRODUCT.md §2) — in the JSON figures and in the .docx text read back with python-docx — and
every figure equals its indicator's value. One module: the demo is built once."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qiaolian.reports.indicators import indicator_value
from qiaolian.reports.review import build_review, review_json
from qiaolian.reports.tests.conftest import demo_federation

START, END = dt.date(2017, 12, 1), dt.date(2022, 12, 31)


@pytest.fixture(scope="module")
def review(demo, django_db_blocker):
    from qiaolian.accounts.models import User

    with django_db_blocker.unblock():
        admin = User.objects.get(username="admin")
        with CaptureQueriesContext(connection) as queries:
            built = build_review(user=admin, start=START, end=END)
        built.query_count = len(queries)
        return built


@pytest.fixture(scope="module")
def data(review):
    return review_json(review)


@pytest.fixture(scope="module")
def docx_text(review, django_db_blocker):
    import docx

    from qiaolian.reports.review_docx import render_docx

    with django_db_blocker.unblock():
        document = docx.Document(io.BytesIO(render_docx(review)))
    return "\n".join(p.text for p in document.paragraphs)


def _figures(data, code, group=None):
    return [f for f in data["figures"] if f["code"] == code and f["group"] == group]


def _whole_period(data, code, group=None):
    found = [f for f in _figures(data, code, group) if f["from"] == "2017-12-01" and f["to"] == "2022-12-31"]
    assert len(found) == 1, (code, group)
    return found[0]


def _marked(text: str, figure: dict) -> bool:
    return f"{figure['value']}[{figure['n']}]" in text


pytestmark = pytest.mark.django_db


def test_competition_projects_1658_overseas_and_177_from_hong_kong_and_macao(data, docx_text):
    overseas = _whole_period(data, "contests.projects_overseas")
    hkm = _whole_period(data, "contests.projects_hk_macao")
    assert overseas["value"] == 1658 and hkm["value"] == 177
    assert overseas["unit"] == "个" and overseas["federation"]["name"] == "金山区归国华侨联合会"
    assert _marked(docx_text, overseas) and _marked(docx_text, hkm)
    assert "共吸引海外项目1658[" in docx_text and "港澳项目177[" in docx_text


def test_contest_entries_over_2000_stated_as_2000_odd_and_exactly(data, docx_text):
    entries = _whole_period(data, "contests.entries")
    assert entries["value"] >= 2000
    assert f"2000余件（共{entries['value']}[{entries['n']}]件）" in docx_text
    by_year = [f for f in data["figures"] if f["code"] == "contests.entries" and f["group"] is not None]
    assert sum(f["value"] for f in by_year) == entries["value"]


def test_law_month_campaign_in_each_year(data, docx_text):
    law = [f for f in _figures_any_group(data, "activities.by_campaign") if "侨法宣传月" in (f["group"] or "")]
    years = {int(f["from"][:4]): f for f in law}
    assert set(years) >= {2018, 2019, 2020, 2021, 2022}
    for year in range(2018, 2023):
        figure = years[year]
        assert figure["value"] > 0 and figure["from"] == f"{year}-01-01" and figure["to"] == f"{year}-12-31"
        assert f"{year}年{figure['value']}[{figure['n']}]项" in docx_text
    assert "每年3月开展“侨法宣传月”活动" in docx_text


def _figures_any_group(data, code):
    return [f for f in data["figures"] if f["code"] == code]


def test_2022_elections_of_all_grassroots_federations(data, docx_text):
    held = [f for f in _figures(data, "orgs.elections", "town") if f["from"] == "2022-01-01"]
    due = [f for f in _figures(data, "orgs.terms_due", "town") if f["from"] == "2022-01-01"]
    assert len(held) == 1 and len(due) == 1
    assert held[0]["value"] == due[0]["value"] >= 11
    assert re.search(rf"2022年街镇/园区级侨联组织{held[0]['value']}\[{held[0]['n']}\]个（当年届满", docx_text)
    assert "全部完成换届" in docx_text


def test_2022_online_camp(data, docx_text):
    online = [f for f in _figures(data, "liaison.camps", "online") if f["from"] == "2022-01-01"]
    assert len(online) == 1 and online[0]["value"] >= 1
    assert f"2022年线上{online[0]['value']}[{online[0]['n']}]期" in docx_text
    assert "网上夏令营" in docx_text


def test_new_overseas_stations_at_shihua_and_caojing_and_the_joint_work_with_pinghu(data, docx_text):
    places = {f["federation"]["name"] for f in _figures(data, "orgs.stations", "new_overseas")}
    assert demo_federation("石化街道").name in places and demo_federation("漕泾镇").name in places
    assert "“新侨驿站”设在石化街道" in docx_text and "漕泾镇" in docx_text
    pinghu = _whole_period(data, "activities.joint", "平湖市侨联")
    assert pinghu["value"] > 0 and _marked(docx_text, pinghu)


def test_every_figure_equals_its_indicator_and_the_build_reads_few_queries(review, data, demo):
    from qiaolian.accounts.models import User

    admin = User.objects.get(username="admin")
    assert len(data["figures"]) > 100
    for figure in review.figures:
        result = indicator_value(
            code=figure.code,
            user=admin,
            start=figure.start or START,
            end=figure.end or END,
            federation=figure.federation_id,
            group=figure.group,
        )
        assert result.value == figure.value, figure
    cited = {int(n) for s in data["sections"] for p in s["paragraphs"] for n in re.findall(r"\[(\d+)\]", p)}
    assert cited == {f["n"] for f in data["figures"]}
    # aggregates only: no query per record
    assert review.query_count < 200


def test_every_project_has_a_section_in_the_seeds_order(data, docx_text):
    titles = [s["title"] for s in data["sections"]]
    assert titles[2:6] == ["一、凝心工程", "二、聚力工程", "三、惠侨工程", "四、强基工程"]
    assert data["title"] == "金山区侨联五年工作回顾（2017年12月—2022年12月）"
    assert docx_text.splitlines()[0] == data["title"]
    for title in ("简介", "五年工作回顾", "展望", "附录一 数据来源", "附录二 分年数据表与图表"):
        assert title in docx_text
    assert "后疫情时代统战侨务工作的探索与实践" in docx_text
    assert [t["key"] for t in data["tables"]] == ["ningxin", "juli", "huiqiao", "qiangji"]
