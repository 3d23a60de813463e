import pytest

from qiaolian.accounts.models import User
from qiaolian.advocacy import selectors
from qiaolian.demo import build_demo

pytestmark = pytest.mark.django_db


def test_demo_has_opinions_every_year_and_the_seed_research_report():
    build_demo(seed=2017, scale=0.05)
    staff = User.objects.get(username="staff")
    years = {row["year"]: row for row in selectors.opinion_counts_by_year(user=staff)}
    assert sorted(years) == [2018, 2019, 2020, 2021, 2022]
    assert all(row["submitted"] >= 8 and row["adopted"] >= 1 for row in years.values())
    titles = set(selectors.research_list(user=staff).values_list("title", flat=True))
    assert "后疫情时代统战侨务工作的探索与实践" in titles
