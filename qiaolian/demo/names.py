"""Chinese personal names for the demo: surnames by frequency, given names by era and sex.

The surname weights follow the order of frequency in the Jiangnan area (Shanghai's suburbs,
Jiaxing, Suzhou), where 张、王、陈、沈、朱、徐、陆、顾 lead; a second table gives the southern
surnames (Fujian, Guangdong) common among returned overseas Chinese. Given names are drawn from
lists typical of each birth cohort: 根生、秀英 for the 1930s–40s, 建国、美华 for the 1950s–60s,
卫东、红梅 for the late 1960s–70s, 俊杰、晓婷 for the 1980s–90s and 子轩、欣怡 after 1995.
"""

from __future__ import annotations

import random
from functools import cache

from pypinyin import lazy_pinyin

from qiaolian.demo.rand import Weighted, chance

JIANGNAN_SURNAMES = Weighted(
    [
        ("张", 6.0), ("王", 5.5), ("陈", 5.0), ("沈", 4.2), ("朱", 4.0), ("徐", 4.0), ("陆", 3.6),
        ("顾", 3.5), ("李", 3.4), ("周", 3.0), ("金", 2.8), ("杨", 2.5), ("吴", 2.5), ("姚", 2.3),
        ("蒋", 2.0), ("钱", 2.0), ("黄", 2.0), ("胡", 1.8), ("曹", 1.8), ("高", 1.6), ("孙", 1.6),
        ("刘", 1.6), ("马", 1.4), ("赵", 1.3), ("俞", 1.3), ("郁", 1.2), ("何", 1.2), ("潘", 1.2),
        ("施", 1.2), ("范", 1.1), ("许", 1.1), ("冯", 1.0), ("唐", 1.0), ("郭", 0.9), ("丁", 0.9),
        ("程", 0.8), ("卫", 0.8), ("倪", 0.8), ("戴", 0.8), ("严", 0.8), ("夏", 0.8), ("林", 0.8),
        ("邵", 0.7), ("叶", 0.7), ("袁", 0.7), ("盛", 0.7), ("蔡", 0.7), ("龚", 0.7), ("薛", 0.6),
        ("庄", 0.6), ("秦", 0.6), ("姜", 0.6), ("毛", 0.6), ("方", 0.6), ("汪", 0.6), ("宋", 0.6),
        ("奚", 0.5), ("殷", 0.5), ("卢", 0.5), ("吕", 0.5), ("谢", 0.5), ("曾", 0.4), ("彭", 0.4),
        ("韩", 0.4), ("邹", 0.4), ("任", 0.4), ("杜", 0.4), ("傅", 0.4), ("邱", 0.4), ("诸", 0.3),
        ("褚", 0.3), ("瞿", 0.3), ("包", 0.3), ("干", 0.2), ("柳", 0.2), ("茅", 0.2), ("浦", 0.2),
        ("须", 0.2), ("欧阳", 0.05), ("司马", 0.02),
    ]
)  # fmt: skip

SOUTHERN_SURNAMES = Weighted(
    [
        ("陈", 8.0), ("林", 7.0), ("黄", 6.0), ("李", 5.0), ("张", 3.5), ("吴", 3.0), ("郑", 3.0),
        ("蔡", 2.5), ("王", 2.5), ("许", 2.0), ("洪", 1.8), ("梁", 1.8), ("刘", 1.8), ("谢", 1.6),
        ("杨", 1.5), ("何", 1.5), ("罗", 1.4), ("苏", 1.3), ("庄", 1.2), ("邓", 1.2), ("曾", 1.2),
        ("叶", 1.1), ("周", 1.0), ("温", 0.8), ("卓", 0.6), ("萧", 0.6), ("方", 0.6), ("余", 0.6),
        ("施", 0.5), ("丘", 0.4), ("朱", 0.8), ("徐", 0.6),
    ]
)  # fmt: skip

# Given names by cohort: (first year of the cohort, male names, female names, share of
# one-character given names in that cohort).
_COHORTS: list[tuple[int, tuple[str, ...], tuple[str, ...], float]] = [
    (
        1900,
        (
            "根生", "金宝", "福林", "德明", "荣华", "宝林", "炳生", "文彬", "仁杰", "瑞昌", "锦堂",
            "伯年", "祖荣", "海生", "雪根", "水根", "金龙", "永福", "兴发", "耀祖", "家祥", "鸿生",
            "忠良", "志远", "振华", "荣生", "杏林", "云龙", "国栋", "桂林", "宝根", "福生", "金根",
            "寿康", "庆元", "秉章", "士良", "其昌", "汉明", "亚明", "振声", "维新", "鹤年", "伯钧",
        ),
        (
            "秀英", "桂英", "凤英", "玉英", "秀珍", "美珍", "月娥", "金娣", "招娣", "杏娣", "彩英",
            "素珍", "翠英", "菊英", "兰英", "淑贞", "宝珍", "雪英", "玉兰", "桂芳", "秀兰", "惠珍",
            "妙英", "琴娣", "巧珍", "根娣", "美娟", "佩珍", "丽华", "亚梅", "瑞英", "爱珍", "慧娟",
            "雅琴", "月琴", "素娥", "丽娟", "蕙芳",
        ),
        0.06,
    ),
    (
        1950,
        (
            "建国", "建华", "国庆", "卫国", "援朝", "跃进", "志强", "国强", "建平", "立新", "和平",
            "胜利", "保国", "振国", "建中", "国华", "伟民", "新民", "永明", "德华", "国平", "建明",
            "志明", "金华", "海平", "建新", "明华", "国忠", "建军", "东升", "永刚", "自力", "春生",
            "龙根", "雪明", "国良", "荣根", "林生", "美根", "伟国",
        ),
        (
            "秀芳", "桂芳", "美华", "丽华", "建英", "国英", "红英", "玉华", "凤娟", "雅芳", "惠芬",
            "秀娟", "玲娣", "月芳", "美英", "文娟", "建芳", "玉芬", "丽娟", "亚萍", "金凤", "爱华",
            "爱珍", "秋萍", "素芬", "雪芳", "静芳", "美玲", "红妹", "菊芳", "建萍", "梅芳",
        ),
        0.08,
    ),
    (
        1966,
        (
            "卫东", "向东", "红兵", "建伟", "志刚", "晓东", "海峰", "国伟", "建峰", "文龙", "晓明",
            "永强", "育新", "雪峰", "忠华", "卫华", "振宇", "春雷", "卫平", "建忠", "伟", "勇",
            "军", "斌", "强", "刚", "华", "明", "峰", "宏", "杰", "俊", "涛", "平", "彬", "荣",
        ),
        (
            "卫红", "红梅", "海燕", "春燕", "丽萍", "雪萍", "晓燕", "秀华", "美芳", "建萍", "文英",
            "雪琴", "春花", "桂红", "玉萍", "亚芳", "凤琴", "晓红", "红霞", "丽芳", "红", "萍",
            "燕", "霞", "英", "芳", "艳", "琴", "静", "敏", "丽", "群", "莉",
        ),
        0.30,
    ),
    (
        1980,
        (
            "晓峰", "俊杰", "志伟", "海涛", "佳伟", "嘉俊", "文杰", "伟杰", "天宇", "晨阳", "一鸣",
            "逸飞", "俊峰", "浩然", "晓华", "佳明", "立群", "家豪", "骏", "磊", "浩", "鹏", "超",
            "俊", "杰", "涛", "斌", "晨", "鑫", "宇", "辉", "飞", "诚", "毅", "健", "昊", "炜",
        ),
        (
            "晓婷", "佳怡", "雯雯", "婷婷", "丹丹", "静怡", "佳琪", "晓燕", "倩倩", "嘉怡", "文静",
            "晓雯", "怡雯", "思敏", "丽娜", "佳慧", "燕萍", "海燕", "婷", "静", "洁", "敏", "颖",
            "莉", "娟", "佳", "雯", "倩", "琳", "丹", "燕", "蕾", "晶", "璐",
        ),
        0.35,
    ),
    (
        1995,
        (
            "子轩", "浩然", "宇轩", "皓宇", "俊杰", "一鸣", "嘉豪", "思远", "天佑", "子豪", "明轩",
            "博文", "宇航", "浩宇", "子墨", "家乐", "奕辰", "宇杰", "梓豪", "逸凡", "俊熙", "睿",
            "晨", "宇", "泽", "皓", "铭", "昊", "骁",
        ),
        (
            "欣怡", "梓涵", "子涵", "诗涵", "雨桐", "可欣", "思琪", "语嫣", "雨涵", "佳怡", "梦瑶",
            "诗琪", "一诺", "紫涵", "心怡", "欣妍", "佳琪", "雨欣", "晨曦", "思雨", "嘉琪", "紫萱",
            "语桐", "悦", "婧", "妍", "琪", "璐",
        ),
        0.15,
    ),
]  # fmt: skip


def _cohort(birth_year: int) -> tuple[tuple[str, ...], tuple[str, ...], float]:
    chosen = _COHORTS[0]
    for cohort in _COHORTS:
        if birth_year >= cohort[0]:
            chosen = cohort
    return chosen[1], chosen[2], chosen[3]


def surname(rng: random.Random, *, southern: bool = False) -> str:
    return (SOUTHERN_SURNAMES if southern else JIANGNAN_SURNAMES).pick(rng)


def given_name(rng: random.Random, *, male: bool, birth_year: int) -> str:
    males, females, single_share = _cohort(birth_year)
    pool = males if male else females
    singles = [n for n in pool if len(n) == 1]
    doubles = [n for n in pool if len(n) == 2]
    if singles and chance(rng, single_share):
        return rng.choice(singles)
    return rng.choice(doubles)


def full_name(
    rng: random.Random, *, male: bool, birth_year: int, family: str | None = None, southern: bool = False
) -> str:
    """A full name; ``family`` fixes the surname (children of the same father …)."""
    family = family or surname(rng, southern=southern)
    given = given_name(rng, male=male, birth_year=birth_year)
    if given.startswith(family[-1]):  # 卫卫平, 金金宝: possible, but odd in a demo
        given = given_name(rng, male=male, birth_year=birth_year)
    return family + given


def split_surname(name: str) -> str:
    """The surname of a generated name (compound surnames are the two-character ones we use)."""
    return name[:2] if name[:2] in ("欧阳", "司马") else name[:1]


ENGLISH_GIVEN = {
    True: (
        "David", "Michael", "Kevin", "Eric", "Jason", "Daniel", "Andrew", "Peter", "Thomas", "James",
        "William", "Jack", "Ryan", "Alex", "Vincent", "Leo", "Henry", "Nathan", "Brian", "Samuel",
    ),
    False: (
        "Jennifer", "Emily", "Grace", "Amy", "Linda", "Cindy", "Sophia", "Olivia", "Vivian", "Helen",
        "Michelle", "Jessica", "Angela", "Irene", "Catherine", "Chloe", "Rachel", "Tina", "Lily", "Joyce",
    ),
}  # fmt: skip


@cache
def romanized(chinese: str) -> str:
    """Pinyin with a capital letter: 张 → Zhang, 欧阳 → Ouyang."""
    return "".join(lazy_pinyin(chinese)).capitalize()


def foreign_name(rng: random.Random, *, chinese_name: str, male: bool) -> str:
    """An English name as overseas Chinese in English-speaking countries commonly use: "David Zhang"."""
    return f"{rng.choice(ENGLISH_GIVEN[male])} {romanized(split_surname(chinese_name))}"
