"""Where Jinshan's relatives abroad live, how they left, and where returnees came back from.

The weights describe a Shanghai suburb: relatives who left after 1979 (新侨) mostly went to the
United States, Japan, Australia, Canada and Europe to study, work or join family; the elderly
归侨 came back from South-East Asia in the 1950s–60s (Indonesia above all, after 1959–60),
from Vietnam around 1978, and a later, smaller group resettled from Japan, America and Europe.
"""

from __future__ import annotations

import random

import phonenumbers

from qiaolian.demo.rand import Weighted

CITIES: dict[str, Weighted[str]] = {
    "US": Weighted([("纽约", 25), ("洛杉矶", 20), ("旧金山", 18), ("圣何塞", 5), ("西雅图", 6), ("波士顿", 6),
                    ("芝加哥", 5), ("休斯敦", 4), ("费城", 3), ("华盛顿", 3), ("亚特兰大", 2), ("达拉斯", 2),
                    ("尔湾", 3)]),
    "CA": Weighted([("多伦多", 40), ("温哥华", 35), ("蒙特利尔", 8), ("卡尔加里", 7), ("渥太华", 5),
                    ("埃德蒙顿", 5)]),
    "AU": Weighted([("悉尼", 45), ("墨尔本", 35), ("布里斯班", 10), ("珀斯", 6), ("阿德莱德", 4)]),
    "JP": Weighted([("东京", 50), ("大阪", 15), ("横滨", 10), ("名古屋", 8), ("神户", 5), ("福冈", 4),
                    ("京都", 4), ("埼玉", 4)]),
    "GB": Weighted([("伦敦", 55), ("曼彻斯特", 12), ("伯明翰", 8), ("爱丁堡", 6), ("利物浦", 6),
                    ("格拉斯哥", 5), ("诺丁汉", 5), ("谢菲尔德", 3)]),
    "SG": Weighted([("新加坡", 1)]),
    "NZ": Weighted([("奥克兰", 70), ("惠灵顿", 15), ("基督城", 15)]),
    "DE": Weighted([("法兰克福", 20), ("柏林", 20), ("慕尼黑", 20), ("汉堡", 15), ("杜塞尔多夫", 15),
                    ("斯图加特", 10)]),
    "FR": Weighted([("巴黎", 75), ("里昂", 10), ("马赛", 5), ("波尔多", 5), ("图卢兹", 5)]),
    "NL": Weighted([("阿姆斯特丹", 45), ("鹿特丹", 30), ("海牙", 15), ("乌得勒支", 10)]),
    "IT": Weighted([("米兰", 35), ("罗马", 25), ("普拉托", 20), ("佛罗伦萨", 10), ("都灵", 10)]),
    "ES": Weighted([("马德里", 55), ("巴塞罗那", 45)]),
    "KR": Weighted([("首尔", 80), ("釜山", 20)]),
    "MY": Weighted([("吉隆坡", 50), ("槟城", 20), ("新山", 15), ("怡保", 8), ("马六甲", 7)]),
    "ID": Weighted([("雅加达", 55), ("泗水", 20), ("棉兰", 15), ("万隆", 10)]),
    "TH": Weighted([("曼谷", 85), ("清迈", 15)]),
    "PH": Weighted([("马尼拉", 1)]),
    "VN": Weighted([("胡志明市", 80), ("河内", 20)]),
    "MM": Weighted([("仰光", 80), ("曼德勒", 20)]),
    "KH": Weighted([("金边", 1)]),
    "LA": Weighted([("万象", 1)]),
    "IN": Weighted([("加尔各答", 80), ("孟买", 20)]),
    "IE": Weighted([("都柏林", 1)]),
    "SE": Weighted([("斯德哥尔摩", 1)]),
    "CH": Weighted([("苏黎世", 60), ("日内瓦", 40)]),
    "BE": Weighted([("布鲁塞尔", 60), ("安特卫普", 40)]),
    "AT": Weighted([("维也纳", 1)]),
    "RU": Weighted([("莫斯科", 70), ("圣彼得堡", 30)]),
    "AE": Weighted([("迪拜", 1)]),
    "BR": Weighted([("圣保罗", 1)]),
    "AR": Weighted([("布宜诺斯艾利斯", 1)]),
    "ZA": Weighted([("约翰内斯堡", 1)]),
    "HK": Weighted([("香港", 1)]),
    "MO": Weighted([("澳门", 1)]),
}  # fmt: skip

# Countries of the overseas relatives of 侨眷 (relatives who left mostly after 1979).
RELATIVE_COUNTRIES = Weighted(
    [("US", 24), ("JP", 16), ("AU", 13), ("CA", 11), ("GB", 5), ("SG", 5), ("NZ", 3.5), ("DE", 3),
     ("FR", 3), ("IT", 1.5), ("NL", 1.2), ("ES", 1), ("KR", 1.2), ("MY", 1.5), ("ID", 1.5), ("TH", 0.8),
     ("PH", 0.3), ("VN", 0.3), ("IE", 0.4), ("SE", 0.4), ("CH", 0.4), ("BE", 0.4), ("AT", 0.3),
     ("RU", 0.4), ("AE", 0.4), ("BR", 0.2), ("AR", 0.2), ("ZA", 0.2)]
)  # fmt: skip

HK_MACAO = Weighted([("HK", 85), ("MO", 15)])

# Where children go to study now (留学人员家属, students abroad).
STUDY_COUNTRIES = Weighted(
    [("GB", 22), ("US", 18), ("AU", 15), ("JP", 10), ("CA", 7), ("DE", 5), ("FR", 4), ("NL", 3), ("SG", 5),
     ("KR", 3), ("NZ", 2), ("IT", 1.5), ("RU", 1), ("CH", 1), ("IE", 1), ("SE", 1), ("MY", 1)]
)  # fmt: skip

# Returnees: three waves (first return year, last return year, weight, countries).
RETURNEE_WAVES: tuple[tuple[int, int, float, Weighted[str]], ...] = (
    (
        1950,
        1966,
        55,
        Weighted([("ID", 45), ("MY", 20), ("VN", 8), ("TH", 7), ("SG", 5), ("MM", 5), ("IN", 3), ("PH", 3),
                  ("KH", 2), ("JP", 2)]),
    ),
    (1967, 1985, 20, Weighted([("VN", 55), ("KH", 10), ("ID", 10), ("LA", 5), ("MM", 10), ("MY", 5), ("IN", 5)])),
    (
        1986,
        2021,
        25,
        Weighted([("JP", 30), ("US", 20), ("AU", 12), ("CA", 8), ("SG", 8), ("DE", 5), ("FR", 4), ("GB", 5),
                  ("NZ", 3), ("IT", 3), ("KR", 2)]),
    ),
)  # fmt: skip
RETURNEE_WAVE_PICK = Weighted([(i, w) for i, (_, _, w, _) in enumerate(RETURNEE_WAVES)])

# Peak years of the big returns: the years in a wave are drawn with these extra weights.
RETURN_YEAR_BOOST = {1952: 3.0, 1953: 2.5, 1954: 2.0, 1960: 5.0, 1961: 3.5, 1966: 1.5, 1978: 6.0, 1979: 3.0}

ASSOCIATIONS: dict[str, tuple[str, ...]] = {
    "US": ("美国上海联谊会", "美国华人协会", "北加州华人联合会"),
    "CA": ("加拿大上海联谊会", "多伦多华人联合总会"),
    "AU": ("澳大利亚上海同乡会", "悉尼华人联合会"),
    "JP": ("日本上海同乡会", "日本华侨华人联合会"),
    "GB": ("英国上海联谊会", "英国华人联合会"),
    "NZ": ("新西兰上海同乡会",),
    "SG": ("新加坡上海公会",),
    "DE": ("德国华侨华人联合会",),
    "FR": ("法国华侨华人会",),
    "NL": ("荷兰华侨华人总会",),
    "IT": ("意大利华侨华人联谊会",),
    "MY": ("马来西亚华人公会联谊会",),
    "ID": ("印尼华裔联谊会",),
    "HK": ("香港上海联谊会", "香港金山同乡会"),
    "MO": ("澳门上海联谊会",),
}

RELATIVE_OCCUPATIONS_WORKING = Weighted(
    [("工程师", 12), ("软件工程师", 8), ("公司职员", 14), ("医生", 5), ("护士", 3), ("会计师", 5), ("教师", 5),
     ("大学教师", 3), ("研究员", 4), ("餐馆经营者", 6), ("超市经营者", 2), ("贸易公司经理", 4), ("厨师", 3),
     ("律师", 2), ("金融从业人员", 4), ("建筑设计师", 2), ("自营商店", 3), ("家庭主妇", 3), ("技工", 4)]
)  # fmt: skip


def relative_occupation(rng: random.Random, age: int) -> str:
    if age < 23:
        return "学生"
    if age >= 65:
        return "退休"
    return RELATIVE_OCCUPATIONS_WORKING.pick(rng)


def city(rng: random.Random, country: str) -> str:
    weighted = CITIES.get(country)
    return weighted.pick(rng) if weighted else ""


def association(rng: random.Random, country: str) -> str:
    names = ASSOCIATIONS.get(country)
    return rng.choice(names) if names else ""


# Overseas numbers: (country calling code, leading digits, digits after them).
_OVERSEAS_PHONE: dict[str, tuple[int, tuple[str, ...], int]] = {
    "US": (1, ("212", "415", "626", "718", "206", "617", "408", "949"), 7),
    "CA": (1, ("416", "647", "604", "778", "514"), 7),
    "AU": (61, ("4",), 8),
    "JP": (81, ("90", "80", "70"), 8),
    "GB": (44, ("74", "75", "77", "78", "79"), 8),
    "SG": (65, ("8", "9"), 7),
    "NZ": (64, ("21",), 7),
    "HK": (852, ("5", "6", "9"), 7),
    "MO": (853, ("6",), 7),
    "MY": (60, ("12", "16", "17"), 7),
    "DE": (49, ("151", "160", "170"), 8),
    "FR": (33, ("6", "7"), 8),
}


def overseas_phone(rng: random.Random, country: str) -> str:
    """A valid mobile number in ``country`` (E.164), or "" where we have no pattern."""
    pattern = _OVERSEAS_PHONE.get(country)
    if pattern is None:
        return ""
    code, leads, rest = pattern
    for _ in range(20):
        lead = rng.choice(leads)
        first = str(rng.randint(2, 9)) if code == 1 else str(rng.randint(0, 9))
        digits = lead + first + "".join(str(rng.randint(0, 9)) for _ in range(rest - 1))
        number = f"+{code}{digits}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number
    return ""
