"""The places of the demo: Jinshan district, its street, towns and park, their residential
areas (居民区) and villages (村), and the share of the registry each holds.

Codes are the statistical division codes of the street/towns (310116 + three digits); the
community codes add three more (0xx for 居民区, 2xx for 村). Road, area and village names are
the kind found in each town; the founding dates of the town federations are synthetic but follow
the seed: every street/town federation existed by 2017 ("2017年实现街镇一级侨联组织全覆盖").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from qiaolian.orgs.models import FederationKind

DISTRICT_NAME = "金山区归国华侨联合会"
DISTRICT_SHORT = "金山区侨联"
DISTRICT_CODE = "310116"
DISTRICT_ESTABLISHED = dt.date(1985, 6, 1)
DISTRICT_ADDRESS = "上海市金山区金山大道2000号"
# Area codes in resident ID numbers: 金山县 until 1997, 金山区 since.
OLD_AREA_CODE = "310228"
NEW_AREA_CODE = "310116"
AREA_CODE_SWITCH_YEAR = 1997
# County codes retired when the county became a district (金山 1997, 松江 1998, 奉贤 2001): a
# number issued afterwards, e.g. at the birth of a child, carries the district's code.
SUCCESSOR_AREA_CODES: dict[str, tuple[str, int]] = {
    "310228": ("310116", 1997),
    "310227": ("310117", 1998),
    "310226": ("310120", 2001),
}


@dataclass(frozen=True)
class Area:
    """A residential area or village of a town; ``has_group`` when it has its own 侨联小组."""

    name: str
    code: str
    is_village: bool
    has_group: bool = False
    group_established: dt.date | None = None


@dataclass(frozen=True)
class Station:
    name: str
    kind: str  # StationKind value
    host_venue: str
    opened_on: dt.date
    area: str = ""  # run by this area's group instead of the town federation
    notes: str = ""


@dataclass(frozen=True)
class Town:
    key: str
    short_name: str
    kind: str
    code: str
    established_on: dt.date
    term_2017: tuple[int, dt.date]  # number and first day of the term in force in December 2017
    elected_2022: dt.date  # the 2022 election (换届) of the federation
    share: float  # share of the district's registry
    urban_share: float  # share of its people living in 居民区 rather than villages
    roads: tuple[str, ...]
    areas: tuple[Area, ...]
    stations: tuple[Station, ...] = ()
    aliases: str = ""
    notes: str = ""
    office_road: str = field(default="")
    office_number: int = 1

    @property
    def federation_name(self) -> str:
        return f"{self.short_name}侨联"

    @property
    def plain_name(self) -> str:
        """朱泾镇 → 朱泾, 石化街道 → 石化: for names of schools and clinics."""
        for suffix in ("街道", "镇", "工业区"):
            if self.short_name.endswith(suffix):
                return self.short_name[: -len(suffix)] or self.short_name
        return self.short_name

    @property
    def communities(self) -> tuple[Area, ...]:
        return tuple(a for a in self.areas if not a.is_village)

    @property
    def villages(self) -> tuple[Area, ...]:
        return tuple(a for a in self.areas if a.is_village)

    @property
    def office_address(self) -> str:
        return f"上海市金山区{self.short_name}{self.office_road or self.roads[0]}{self.office_number}号"


def _areas(
    town_code: str,
    communities: list[str],
    villages: list[str],
    groups: dict[str, dt.date] | None = None,
) -> tuple[Area, ...]:
    groups = groups or {}
    out = [
        Area(f"{n}居民区", f"{town_code}{i:03d}", False, f"{n}居民区" in groups, groups.get(f"{n}居民区"))
        for i, n in enumerate(communities, start=1)
    ]
    out += [
        Area(f"{n}村", f"{town_code}{200 + i:03d}", True, f"{n}村" in groups, groups.get(f"{n}村"))
        for i, n in enumerate(villages, start=1)
    ]
    return tuple(out)


def _home(short: str, opened: dt.date, *, venue: str = "", area: str = "", name: str = "") -> Station:
    return Station(
        name=name or f"{short}侨之家",
        kind="home",
        host_venue=venue or f"{short}党群服务中心",
        opened_on=opened,
        area=area,
    )


TOWNS: tuple[Town, ...] = (
    Town(
        key="shihua",
        short_name="石化街道",
        kind=FederationKind.STREET,
        code="310116001",
        established_on=dt.date(2009, 6, 18),
        term_2017=(3, dt.date(2017, 9, 20)),
        elected_2022=dt.date(2022, 7, 20),
        share=0.22,
        urban_share=1.0,
        roads=(
            "卫零路",
            "卫清东路",
            "卫清西路",
            "蒙山路",
            "龙胜路",
            "板桥西路",
            "隆安路",
            "临潮街",
            "合浦路",
            "柳城路",
        ),
        areas=_areas(
            "310116001",
            ["海棠", "梅州", "卫清", "桥园", "合浦", "柳城", "山龙", "隆安", "东村", "三村", "四村", "七村", "九村"],
            [],
            {"海棠居民区": dt.date(2018, 10, 16), "梅州居民区": dt.date(2019, 5, 21)},
        ),
        stations=(
            _home("石化街道", dt.date(2018, 5, 18), venue="石化街道社区党群服务中心"),
            _home("海棠居民区", dt.date(2019, 9, 26), venue="海棠居民区党群服务站", area="海棠居民区"),
            Station(
                name="石化街道新侨驿站",
                kind="new_overseas",
                host_venue="石化街道党群服务中心（依托街道党群服务阵地）",
                opened_on=dt.date(2019, 11, 8),
                notes="依托街道党群服务阵地建立，为新侨和侨企提供政策解读、创业服务。",
            ),
        ),
        office_road="蒙山路",
        office_number=395,
    ),
    Town(
        key="zhujing",
        short_name="朱泾镇",
        kind=FederationKind.TOWN,
        code="310116101",
        established_on=dt.date(2012, 5, 16),
        term_2017=(2, dt.date(2017, 10, 12)),
        elected_2022=dt.date(2022, 7, 28),
        share=0.15,
        urban_share=0.65,
        roads=("人民路", "东林街", "西林街", "健康路", "罗星路", "万安街", "临源街", "公园路", "沈浦泾路", "亭枫公路"),
        areas=_areas(
            "310116101",
            ["东林", "西林", "罗星", "万联", "临源", "新汇"],
            ["待泾", "大茫", "秀州", "牡丹", "五龙", "温河", "民主", "新泾", "慧农", "长浜", "中达", "秀龙"],
            {"东林居民区": dt.date(2018, 6, 12), "待泾村": dt.date(2019, 4, 23)},
        ),
        stations=(
            _home("朱泾镇", dt.date(2018, 3, 28)),
            _home("东林居民区", dt.date(2019, 10, 15), venue="东林居民区党群服务站", area="东林居民区"),
        ),
        office_road="人民路",
        office_number=288,
    ),
    Town(
        key="fengjing",
        short_name="枫泾镇",
        kind=FederationKind.TOWN,
        code="310116102",
        established_on=dt.date(2016, 4, 12),
        term_2017=(2, dt.date(2017, 9, 8)),
        elected_2022=dt.date(2022, 8, 5),
        share=0.09,
        urban_share=0.5,
        roads=("枫阳路", "新枫路", "亭枫公路", "朱枫公路", "和平街", "北大街", "生产街", "环东一路"),
        areas=_areas(
            "310116102",
            ["枫阳", "新枫", "和平", "白牛", "兴塔"],
            ["中洪", "新元", "卫星", "韩坞", "五星", "新义", "团新", "兴塔", "菖梧", "贵泾", "泖桥"],
            {"新元村": dt.date(2019, 7, 9)},
        ),
        stations=(_home("枫泾镇", dt.date(2018, 9, 20)),),
        office_road="新枫路",
        office_number=118,
    ),
    Town(
        key="zhangyan",
        short_name="张堰镇",
        kind=FederationKind.TOWN,
        code="310116103",
        established_on=dt.date(2017, 3, 15),
        term_2017=(1, dt.date(2017, 3, 15)),
        elected_2022=dt.date(2022, 8, 18),
        share=0.06,
        urban_share=0.5,
        roads=("新华路", "东贤路", "松金公路", "振凯路", "留溪路"),
        areas=_areas("310116103", ["留溪", "新华", "东贤"], ["百家", "秦望", "建农", "旧港", "秦阳", "新秀", "花贤"]),
        stations=(_home("张堰镇", dt.date(2019, 4, 26)),),
        office_road="新华路",
        office_number=85,
    ),
    Town(
        key="tinglin",
        short_name="亭林镇",
        kind=FederationKind.TOWN,
        code="310116104",
        established_on=dt.date(2017, 4, 20),
        term_2017=(1, dt.date(2017, 4, 20)),
        elected_2022=dt.date(2022, 8, 25),
        share=0.09,
        urban_share=0.55,
        roads=("寺平南路", "南亭公路", "亭卫公路", "林盛路", "复兴路", "大亭公路", "松隐街"),
        areas=_areas(
            "310116104",
            ["林盛", "寺平", "亭园", "松隐"],
            ["金明", "后岗", "油车", "南星", "驳岸", "华新", "周栅", "金门", "中华", "红光", "东新"],
        ),
        stations=(_home("亭林镇", dt.date(2019, 6, 12)),),
        office_road="寺平南路",
        office_number=166,
    ),
    Town(
        key="lvxiang",
        short_name="吕巷镇",
        kind=FederationKind.TOWN,
        code="310116105",
        established_on=dt.date(2017, 5, 18),
        term_2017=(1, dt.date(2017, 5, 18)),
        elected_2022=dt.date(2022, 9, 6),
        share=0.05,
        urban_share=0.45,
        roads=("朱吕公路", "荡田路", "溪北路", "夏宁路", "吕青路"),
        areas=_areas(
            "310116105",
            ["吕巷", "干巷", "溪北"],
            ["和平", "太平", "夹漏", "龙跃", "白漾", "颜圩", "马新", "蒋庄", "姚家"],
        ),
        stations=(_home("吕巷镇", dt.date(2020, 7, 16)),),
        office_road="荡田路",
        office_number=52,
    ),
    Town(
        key="langxia",
        short_name="廊下镇",
        kind=FederationKind.TOWN,
        code="310116107",
        established_on=dt.date(2017, 6, 21),
        term_2017=(1, dt.date(2017, 6, 21)),
        elected_2022=dt.date(2022, 9, 15),
        share=0.03,
        urban_share=0.35,
        roads=("景乐路", "漕廊公路", "枫廊公路", "民主街", "南陆公路"),
        areas=_areas("310116107", ["廊下", "景阳"], ["中丰", "山塘", "南塘", "勇敢", "友好", "光明", "万春"]),
        office_road="景乐路",
        office_number=218,
    ),
    Town(
        key="jinshanwei",
        short_name="金山卫镇",
        kind=FederationKind.TOWN,
        code="310116109",
        established_on=dt.date(2014, 10, 15),
        term_2017=(2, dt.date(2017, 9, 28)),
        elected_2022=dt.date(2022, 8, 30),
        share=0.10,
        urban_share=0.5,
        roads=("古城路", "卫通路", "秋实路", "南门大街", "沪杭公路", "钱圩路"),
        areas=_areas(
            "310116109",
            ["城东", "城西", "秋实", "钱圩"],
            ["八二", "农建", "钱圩", "星火", "横召", "张桥", "塔港", "卫通", "金卫"],
        ),
        stations=(_home("金山卫镇", dt.date(2018, 11, 22)),),
        office_road="古城路",
        office_number=208,
    ),
    Town(
        key="caojing",
        short_name="漕泾镇",
        kind=FederationKind.TOWN,
        code="310116112",
        established_on=dt.date(2017, 7, 12),
        term_2017=(1, dt.date(2017, 7, 12)),
        elected_2022=dt.date(2022, 9, 20),
        share=0.05,
        urban_share=0.45,
        roads=("漕廊公路", "亭卫公路", "兴工路", "营房路", "海塘路"),
        areas=_areas(
            "310116112",
            ["漕泾", "阮巷"],
            ["金光", "沙积", "护塘", "阮巷", "花园", "水库", "海涯", "东海", "营房"],
        ),
        stations=(
            _home("漕泾镇", dt.date(2019, 8, 22)),
            Station(
                name="漕泾镇新侨驿站",
                kind="new_overseas",
                host_venue="漕泾镇工业园区众创空间",
                opened_on=dt.date(2021, 6, 18),
                notes="依托镇工业园区众创空间建立，服务新侨创业和侨企发展，以侨引侨。",
            ),
        ),
        office_road="漕廊公路",
        office_number=3588,
    ),
    Town(
        key="shanyang",
        short_name="山阳镇",
        kind=FederationKind.TOWN,
        code="310116113",
        established_on=dt.date(2015, 11, 20),
        term_2017=(2, dt.date(2017, 10, 19)),
        elected_2022=dt.date(2022, 8, 12),
        share=0.13,
        urban_share=0.8,
        roads=("龙皓路", "龙山路", "龙轩路", "龙航路", "板桥东路", "金山大道", "杭州湾大道", "亭卫公路"),
        areas=_areas(
            "310116113",
            ["龙皓", "龙山", "海欣", "山阳", "金豪", "海兴"],
            ["渔业", "中兴", "东方", "新江", "红旗"],
            {"渔业村": dt.date(2020, 5, 19)},
        ),
        stations=(
            _home("山阳镇", dt.date(2018, 8, 16)),
            _home("金山嘴渔村", dt.date(2020, 10, 23), venue="金山嘴渔村村民活动中心", area="渔业村"),
        ),
        office_road="龙皓路",
        office_number=1036,
    ),
    Town(
        key="gongyequ",
        short_name="金山工业区",
        kind=FederationKind.PARK,
        code="310116503",
        established_on=dt.date(2017, 8, 23),
        term_2017=(1, dt.date(2017, 8, 23)),
        elected_2022=dt.date(2022, 9, 27),
        share=0.03,
        urban_share=0.55,
        roads=("林慧路", "定业路", "金流路", "揽工路", "亭卫公路", "朱行老街"),
        areas=_areas("310116503", ["朱行", "恒心"], ["恒心", "高楼", "同凯", "八字", "朱行", "金来"]),
        aliases="上海湾区高新技术产业开发区、上海湾区高新区",
        notes="原朱行镇区域；现亦称上海湾区高新技术产业开发区。",
        office_road="林慧路",
        office_number=1666,
    ),
)

TOWNS_BY_KEY: dict[str, Town] = {t.key: t for t in TOWNS}

# Where people came from when they were not born in Jinshan: (ID area code, 籍贯, southern?).
MIGRANT_ORIGINS: tuple[tuple[str, str, bool, float], ...] = (
    ("330482", "浙江平湖", False, 8),
    ("330421", "浙江嘉善", False, 6),
    ("330402", "浙江嘉兴", False, 4),
    ("331121", "浙江青田", False, 2),
    ("330381", "浙江瑞安", False, 2),
    ("320583", "江苏昆山", False, 3),
    ("320506", "江苏苏州", False, 3),
    ("320681", "江苏启东", False, 4),
    ("320682", "江苏如皋", False, 3),
    ("320282", "江苏宜兴", False, 2),
    ("341221", "安徽临泉", False, 3),
    ("340321", "安徽怀远", False, 2),
    ("310227", "上海松江", False, 4),
    ("310226", "上海奉贤", False, 4),
    ("310104", "上海徐汇", False, 3),
    ("310110", "上海杨浦", False, 3),
    ("310105", "上海长宁", False, 2),
    ("350582", "福建晋江", True, 2),
    ("350181", "福建福清", True, 2),
    ("440781", "广东台山", True, 1),
    ("441403", "广东梅县", True, 1),
)

# 籍贯 of returned overseas Chinese: the 侨乡 their families left from (weights).
RETURNEE_ORIGINS: tuple[tuple[str, bool, float], ...] = (
    ("上海金山", False, 30),
    ("福建晋江", True, 10),
    ("福建南安", True, 6),
    ("福建福清", True, 6),
    ("福建安溪", True, 4),
    ("广东梅县", True, 8),
    ("广东台山", True, 6),
    ("广东潮州", True, 6),
    ("广东开平", True, 3),
    ("浙江青田", False, 5),
    ("浙江宁波", False, 6),
    ("江苏苏州", False, 4),
    ("海南文昌", True, 3),
)
