"""Contests and the entrepreneurship competition, 2018–2022, as the seed tells them.

Every year the district federation holds the “充满阳光” 侨界人士摄影、微视频大赛 (the seed:
五年来共收到投稿2000余件): a contest with three categories (摄影 单幅, 摄影 组照, 微视频), four
weighted criteria and a panel of five judges, entries from 归侨侨眷 in Jinshan and from overseas
Chinese (about one in seven), screened, scored by every judge on every criterion, ranked by the
contest's rule and awarded. The contests are over: their results are published.

And the district recruits projects for 上海海峡两岸青年创业大赛 (the seed: 5年来共吸引海外项目1658个、
港澳项目177个): exactly that many, by year, country, field, stage, referral channel and outcome,
most put forward by the district federation and some by the towns, each with its team.

The seed's figures are fixed numbers: neither part is multiplied by ``ctx.scale``. Everything is
drawn from its own random streams ("contests", "projects"). Entries, their files and scores, and
the projects with their teams are inserted in bulk (tens of thousands of rows: the services'
row-by-row writes would take minutes), one audit entry per contest and per batch of projects
recording the lot; scores, ranks and awards follow the one rule of ``contests.services``
(``judge_total``, ``entry_score``, ``ranks_with_ties``, the order of ``awards_suggest``).
The 2,000 works share a pool of 24 generated pictures and one sample video, stored once; each
file row stands for a distinct work, so its ``sha256`` is the work's own (derived from the entry
code), not the shared picture's, and duplicate checks do not flag the whole demo.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from PIL import Image, ImageDraw

from qiaolian.accounts.models import Role, User
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.contests.models import (
    Award,
    Category,
    CategoryKind,
    CompetitionProject,
    Contest,
    ContestStatus,
    Criterion,
    Entry,
    EntryFile,
    EntryStatus,
    FileKind,
    Processing,
    ProjectField,
    ProjectOutcome,
    ProjectStage,
    ReferralChannel,
    Score,
    SourceRegion,
    TeamMember,
)
from qiaolian.contests.services import entry_score, judge_total, ranks_with_ties
from qiaolian.core.projects import Project
from qiaolian.demo import accounts, names, overseas
from qiaolian.demo.accounts import DemoAccount
from qiaolian.demo.context import DemoContext
from qiaolian.demo.geography import TOWNS
from qiaolian.demo.identity import mobile
from qiaolian.demo.rand import Weighted, chance, date_between
from qiaolian.orgs.models import Federation, Level
from qiaolian.registry import choices as c
from qiaolian.registry.models import Person

YEARS = range(2018, 2023)

# Entries received each year: 2,024 in five years (the seed: 2000余件). 2020 dips a little and
# turns to video (people filmed at home and on the front line); 2022 opened after the lockdown.
ENTRIES = {2018: 318, 2019: 392, 2020: 367, 2021: 441, 2022: 506}
# Shares of 摄影（单幅）, 摄影（组照）, 微视频 in each year.
SHARES = {
    2018: (0.60, 0.26, 0.14),
    2019: (0.57, 0.26, 0.17),
    2020: (0.46, 0.21, 0.33),
    2021: (0.52, 0.24, 0.24),
    2022: (0.50, 0.23, 0.27),
}
# (opens, closes, results published)
SCHEDULE = {
    2018: (dt.date(2018, 4, 2), dt.date(2018, 8, 31), dt.date(2018, 11, 20)),
    2019: (dt.date(2019, 3, 15), dt.date(2019, 8, 31), dt.date(2019, 10, 30)),
    2020: (dt.date(2020, 5, 6), dt.date(2020, 9, 30), dt.date(2020, 12, 10)),
    2021: (dt.date(2021, 3, 1), dt.date(2021, 7, 31), dt.date(2021, 9, 28)),
    2022: (dt.date(2022, 7, 1), dt.date(2022, 10, 15), dt.date(2022, 12, 20)),
}
THEMES = {
    2018: ("改革开放四十年·侨乡新貌", "Forty years of reform and opening-up: the new face of Jinshan"),
    2019: ("礼赞新中国七十华诞·我与祖国共成长", "Seventy years of the People's Republic: growing up with the country"),
    2020: ("同心战疫·侨爱同行", "Fighting the epidemic together: overseas Chinese lend a hand"),
    2021: ("百年风华·侨心向党", "A century of the Party: overseas Chinese hearts with the Party"),
    2022: ("喜迎二十大·奋进新征程", "Welcoming the 20th Party Congress: forging ahead on a new journey"),
}
CATEGORIES = (
    # name, English name, kind, min files, max files, max MB, max seconds
    ("摄影（单幅）", "Photography (single image)", CategoryKind.PHOTO_SINGLE, 1, 1, 20, None),
    ("摄影（组照）", "Photography (series of 4–6)", CategoryKind.PHOTO_SET, 4, 6, 20, None),
    ("微视频", "Micro-video", CategoryKind.VIDEO, 1, 1, 500, 300),
)
CRITERIA = (
    ("主题表现", "Theme", 30),
    ("艺术性", "Artistry", 30),
    ("技术质量", "Technical quality", 20),
    ("创新性", "Creativity", 20),
)
# The panel: the same five judges every year (金山区摄影家协会, 区文化馆, a film teacher …).
JUDGES = (
    DemoAccount("judge1", Role.JUDGE, "", "周文涛", "评委：金山区摄影家协会主席"),
    DemoAccount("judge2", Role.JUDGE, "", "陈晓燕", "评委：金山区文化馆副馆长"),
    DemoAccount("judge3", Role.JUDGE, "", "孙建国", "评委：上海市摄影家协会会员"),
    DemoAccount("judge4", Role.JUDGE, "", "吴敏", "评委：上海视觉艺术学院讲师（影视）"),
    DemoAccount("judge5", Role.JUDGE, "", "徐海波", "评委：金山报社摄影记者"),
)
# Awards of each category by rank: 一等奖 1, 二等奖 2, 三等奖 3, then 优秀奖.
PRIZES = ((Award.FIRST, 1), (Award.SECOND, 2), (Award.THIRD, 3))
INELIGIBLE = {
    CategoryKind.PHOTO_SINGLE: (
        "经核实为网络图片，非作者原创",
        "作品含可辨认人物肖像，未提供肖像使用同意",
        "图片分辨率不足，长边不足1000像素",
        "作品经过合成处理，不符合纪实摄影要求",
        "超过每人限投件数",
    ),
    CategoryKind.PHOTO_SET: (
        "组照不足4幅",
        "组照中有图片与单幅作品重复投稿",
        "经核实为网络图片，非作者原创",
    ),
    CategoryKind.VIDEO: (
        "视频时长超过5分钟",
        "视频使用未经授权的背景音乐",
        "作品已在其他比赛中获奖",
    ),
}

# Where the works were made. Jinshan's sights and towns first; each year adds its own subjects.
PLACES = (
    "金山嘴渔村", "枫泾古镇", "金山城市沙滩", "廊下郊野公园", "张堰古镇", "吕巷水果公园", "山阳田园",
    "漕泾水库村", "亭林镇", "朱泾花海", "金山卫城", "上海化学工业区", "石化海滨", "浙江路", "东林寺",
    "金山农民画村", "花开海上生态园", "金山湾", "大小金山岛", "新江村",
)  # fmt: skip
SCENES = (
    "晨曦", "晚霞", "烟雨", "新貌", "印象", "四季", "丰收", "渔歌", "灯火", "秋色", "春韵", "倒影", "夏日",
    "远眺", "老街", "人家", "光影", "故事", "时光", "乡愁",
)  # fmt: skip
PHOTO_TITLES = (
    "{place}{scene}", "{scene}·{place}", "{place}的{scene}", "又见{place}", "{place}即景", "家在{place}",
)  # fmt: skip
YEAR_TITLES = {
    2018: ("侨乡新貌", "四十年变迁", "老房子新生活", "从渔村到景区", "阿婆的新居", "乡村振兴第一线", "进博会上的侨商"),
    2019: ("我和我的祖国", "国庆的早晨", "七十年，一家人", "红旗飘飘", "祖国，生日快乐", "奋斗者", "侨心向祖国"),
    2020: ("逆行者", "守护", "口罩下的微笑", "抗疫一线", "侨爱无疆", "隔离不隔爱", "复工第一天", "社区的守门人",
           "万里送口罩"),
    2021: ("建党百年", "红色足迹", "百年初心", "党旗下的侨眷", "重温入党誓词", "红船精神", "侨心向党"),
    2022: ("大上海保卫战", "方舱里的灯光", "核酸点的清晨", "喜迎二十大", "新征程", "湾区新城", "复苏的街巷"),
}  # fmt: skip
VIDEO_TITLES = (
    "我的侨乡故事", "爷爷的南洋记忆", "金山嘴的老渔民", "侨二代眼中的金山", "云端的中国年", "回家的路",
    "枫泾的一天", "农民画里的金山", "一张老照片", "海那边的乡音", "侨之家的下午", "归侨奶奶的菜园",
    "我在海外过春节", "万里之外的牵挂",
)  # fmt: skip
OVERSEAS_TITLES = ("唐人街的年味", "异乡的中秋", "海外游子心", "万里之外看家乡", "{city}的中国年", "{city}印象",
                   "{city}街头的中国红", "乡音")  # fmt: skip
OVERSEAS_AUTHORS = Weighted(
    [("US", 24), ("CA", 11), ("AU", 12), ("JP", 12), ("SG", 7), ("MY", 6), ("GB", 8), ("FR", 4), ("DE", 4),
     ("NZ", 4), ("NL", 2), ("IT", 2), ("HK", 3), ("MO", 1)]
)  # fmt: skip
FILES_PER_SET = Weighted([(4, 45), (5, 25), (6, 30)])
PER_AUTHOR = Weighted([(1, 58), (2, 28), (3, 14)])

ASSETS = Path(__file__).resolve().parent / "assets"
STORE = "contests/public/demo"
POOL = 24
WEB_SIZE = (1600, 1067)
THUMB_LONG = 480


# Pictures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    name: str
    size: int
    width: int
    height: int
    thumbnail: str


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


# (sky top, horizon, sun, far hills, near hills, water): dawn, noon, dusk, rice fields, sea, snow …
PALETTES = (
    ((38, 70, 140), (250, 190, 120), (255, 236, 170), (92, 96, 140), (46, 60, 92), (60, 96, 150)),
    ((70, 140, 215), (200, 230, 250), (255, 252, 220), (110, 160, 120), (60, 110, 70), (70, 140, 190)),
    ((120, 50, 110), (250, 140, 90), (255, 210, 130), (140, 70, 90), (70, 40, 70), (150, 80, 100)),
    ((110, 180, 230), (235, 245, 220), (255, 255, 230), (170, 190, 90), (200, 170, 60), (120, 170, 160)),
    ((20, 40, 90), (90, 140, 200), (240, 240, 255), (50, 70, 110), (25, 35, 60), (40, 70, 120)),
    ((150, 190, 220), (240, 240, 245), (255, 250, 240), (190, 200, 215), (120, 130, 150), (170, 190, 210)),
)


def _picture(index: int, size: tuple[int, int]) -> Image.Image:
    """A calm landscape: a sky gradient, a sun, two ranges of hills and water."""
    rng = random.Random(f"qiaolian-demo-picture:{index}")
    sky, horizon, sun, far, near, water = PALETTES[index % len(PALETTES)]
    w, h = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    line = int(h * rng.uniform(0.55, 0.72))
    for y in range(line):
        draw.line([(0, y), (w, y)], fill=_mix(sky, horizon, (y / line) ** 1.4))
    r = int(min(w, h) * rng.uniform(0.05, 0.1))
    cx, cy = int(w * rng.uniform(0.2, 0.8)), int(line * rng.uniform(0.35, 0.8))
    for k in range(6, 0, -1):  # a soft glow around the sun
        draw.ellipse([cx - r * (1 + k / 4), cy - r * (1 + k / 4), cx + r * (1 + k / 4), cy + r * (1 + k / 4)],
                     fill=_mix(horizon, sun, 0.12 * (7 - k)))  # fmt: skip
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=sun)
    for colour, base, height, waves in ((far, line, 0.22, 3), (near, line, 0.12, 5)):
        phases = [rng.uniform(0, 2 * math.pi) for _ in range(waves)]
        points = [(0, base)]
        for x in range(0, w + 16, 16):
            s = sum(math.sin(x / w * (i + 1) * math.pi * 1.3 + p) / (i + 1) for i, p in enumerate(phases))
            points.append((x, base - int(h * height * (0.55 + 0.35 * s))))
        points.append((w, base))
        draw.polygon(points, fill=colour)
    for y in range(line, h):
        t = (y - line) / max(h - line, 1)
        draw.line([(0, y), (w, y)], fill=_mix(_mix(horizon, water, 0.5), water, t**0.6))
    for _ in range(40):  # light on the water
        y = rng.randint(line + 4, h - 4)
        x = cx + int(rng.gauss(0, r * 1.2))
        draw.line([(x - rng.randint(10, 60), y), (x + rng.randint(10, 60), y)], fill=_mix(water, sun, 0.6), width=2)
    return image


def _poster(index: int) -> Image.Image:
    """A video's poster frame: a picture of the pool with a play button."""
    image = _picture(index, (THUMB_LONG, THUMB_LONG * 3 // 4))
    draw = ImageDraw.Draw(image, "RGBA")
    cx, cy, r = image.width // 2, image.height // 2, 42
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(0, 0, 0, 110))
    draw.polygon([(cx - 14, cy - 22), (cx - 14, cy + 22), (cx + 24, cy)], fill=(255, 255, 255, 230))
    return image


def _jpeg(image: Image.Image, quality: int = 82) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)  # no EXIF: a new image carries none
    return out.getvalue()


def _store(name: str, content: bytes) -> str:
    """Save under a fixed name (a rebuild replaces the file of the last build)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def _thumbnail(image: Image.Image) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((THUMB_LONG, THUMB_LONG), Image.Resampling.BILINEAR)
    return copy


def store_pictures() -> tuple[list[Stored], list[Stored]]:
    """The pool of pictures (every sixth one upright) and the sample video with four posters."""
    pictures = []
    for i in range(POOL):
        size = WEB_SIZE if i % 6 != 5 else WEB_SIZE[::-1]
        image = _picture(i, size)
        web = _jpeg(image)
        name = _store(f"{STORE}/yangguang-{i + 1:02d}.jpg", web)
        thumb = _store(f"{STORE}/yangguang-{i + 1:02d}-thumb.jpg", _jpeg(_thumbnail(image), 80))
        pictures.append(Stored(name, len(web), image.width, image.height, thumb))
    video = (ASSETS / "sample.mp4").read_bytes()
    video_name = _store(f"{STORE}/weishipin.mp4", video)
    videos = []
    for i in range(4):
        thumb = _store(f"{STORE}/weishipin-poster-{i + 1}.jpg", _jpeg(_poster(i * 5 + 2), 80))
        videos.append(Stored(video_name, len(video), 320, 240, thumb))
    return pictures, videos


# Contests ------------------------------------------------------------------------------------


@dataclass
class Author:
    name: str
    country: str
    phone: str
    email: str
    city: str = ""
    person: Person | None = None
    entries: int = 0


@dataclass
class Planned:
    entry: Entry
    kind: str
    files: int
    quality: float
    scores: list[list[Decimal]] = field(default_factory=list)  # per judge, per criterion


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _split(total: int, shares: tuple[float, ...]) -> list[int]:
    counts = [int(total * s) for s in shares]
    counts[-1] = total - sum(counts[:-1])
    return counts


def _insert_scores(rows: list[tuple[int, int, int, Decimal]], *, at: dt.datetime) -> None:
    """Score rows in one ``executemany``: 8,000 a contest, where ``bulk_create`` spends seconds
    building model instances. ``scored_at`` is the end of the judging, not the build's time."""
    meta = Score._meta
    columns = [meta.get_field(name).column for name in ("entry", "judge", "criterion", "value", "comment", "scored_at")]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    value = meta.get_field("value")
    when = connection.ops.adapt_datetimefield_value(at)
    params = [
        (entry, judge, criterion, connection.ops.adapt_decimalfield_value(v, value.max_digits, value.decimal_places),
         "", when)
        for entry, judge, criterion, v in rows
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class ContestBuilder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng("contests")
        self.admin = ctx.actor()
        self.staff = ctx.users.get("staff") or User.objects.filter(username="staff").first() or self.admin
        self.district = ctx.district or Federation.objects.get(parent=None)
        self.registry = list(
            Person.objects.filter(
                is_archived=False, living_status=c.LivingStatus.LIVING, birth_date__lte=dt.date(2002, 1, 1)
            )
            .only("id", "name", "birth_date")
            .order_by("id")
        )
        self.regulars: list[Author] = []  # who send works year after year
        self.titles_used: set[tuple[int, str]] = set()
        self.authors_in_contest: set[int] = set()  # registry persons who sent works this year

    def judges(self) -> list[User]:
        """The panel's accounts, made as every demo account is (one shared hash of the demo
        password: ``user_create`` would spend half a second hashing each)."""
        judges = []
        for account in JUDGES:
            user = User.objects.filter(username=account.username).first()
            judges.append(user or accounts._create(self.ctx, account))
        for user in judges:
            self.ctx.users[user.username] = user
        return judges

    def author(self) -> Author:
        rng = self.rng
        if chance(rng, 0.15):
            country = OVERSEAS_AUTHORS.pick(rng)
            southern = country in ("SG", "MY", "HK", "MO")
            name = names.full_name(rng, male=chance(rng, 0.5), birth_year=rng.randint(1960, 2002), southern=southern)
            email = f"{names.romanized(names.split_surname(name)).lower()}{rng.randint(10, 999)}@example.com"
            city = overseas.city(rng, country)
            return Author(name, country, overseas.overseas_phone(rng, country), email, city)
        if self.registry and chance(rng, 0.25):
            person = rng.choice(self.registry)
            if person.pk not in self.authors_in_contest:  # a new author, not one who already sent works
                self.authors_in_contest.add(person.pk)
                return Author(person.name, "CN", mobile(rng), "", person=person)
        name = names.full_name(rng, male=chance(rng, 0.55), birth_year=rng.randint(1948, 2004))
        email = f"{rng.randint(10_000_000, 9_999_999_999)}@qq.com" if chance(rng, 0.4) else ""
        return Author(name, "CN", mobile(rng), email)

    def title(self, year: int, kind: str, author: Author) -> tuple[str, str]:
        rng = self.rng
        place = rng.choice(PLACES)
        for _ in range(8):
            if author.country != "CN" and chance(rng, 0.6):
                place = author.city
                title = rng.choice(OVERSEAS_TITLES).format(city=author.city)
            elif kind == CategoryKind.VIDEO:
                title = rng.choice(VIDEO_TITLES + YEAR_TITLES[year])
            elif chance(rng, 0.35):
                title = rng.choice(YEAR_TITLES[year])
            else:
                title = rng.choice(PHOTO_TITLES).format(place=place, scene=rng.choice(SCENES))
            if kind == CategoryKind.PHOTO_SET and chance(rng, 0.4):
                title = f"{title}（组照）"
            if (year, title) not in self.titles_used:
                break
        self.titles_used.add((year, title))
        return title, place

    def description(self, year: int, kind: str, title: str, place: str) -> str:
        theme = THEMES[year][0]
        if kind == CategoryKind.VIDEO:
            return self.rng.choice(
                (
                    f"微视频《{title}》在{place}拍摄，通过身边人的讲述，展现“{theme}”的主题。",
                    f"用镜头记录{place}侨界群众的日常，片长三分钟左右，配以原创解说。",
                    f"以一位归侨侨眷的经历为线索，讲述{place}这些年的变化。",
                )
            )
        return self.rng.choice(
            (
                f"摄于{place}，以身边的变化表现“{theme}”的主题。",
                f"作者多次来到{place}，在清晨与傍晚的光线下完成拍摄。",
                f"以{place}为背景，用镜头记录侨界群众的生活和金山的发展变化。",
                f"{place}随手拍，纪实抓拍，未作合成处理。",
            )
        )

    def contest(self, year: int, judges: list[User]) -> Contest:
        opens, closes, results = SCHEDULE[year]
        theme, theme_en = THEMES[year]
        contest = Contest.objects.create(
            federation=self.district,
            title=f"{year}年“充满阳光”侨界人士摄影、微视频大赛",
            title_en=f"{year} “Full of Sunshine” Photography and Micro-Video Contest of the Overseas Chinese Community",
            year=year,
            project=Project.NINGXIN,
            theme=f"{theme}。用镜头记录侨界感人事迹和金山发展轨迹。",
            theme_en=f"{theme_en}. Record the moving stories of overseas Chinese and the development of Jinshan.",
            rules=(
                "1. 摄影作品须为近两年内拍摄，单幅作品每件1幅，组照每组4至6幅，JPEG格式，单个文件不超过20MB，"
                "长边不少于1000像素；\n2. 微视频时长不超过5分钟，MP4格式，文件不超过500MB；\n"
                "3. 每人限投3件，作品须为原创，含可辨认人物肖像的须获得本人同意；\n"
                "4. 评审采用匿名评分，去掉一个最高分和一个最低分后取平均分。"
            ),
            rules_en=(
                "1. Photos taken within the last two years: one image per single entry, 4 to 6 per series, JPEG, "
                "at most 20 MB each, long side at least 1000 pixels;\n2. Micro-videos at most 5 minutes, MP4, at "
                "most 500 MB;\n3. At most 3 entries per person; works must be original, and identifiable people "
                "must have consented;\n4. Anonymous judging: the highest and the lowest totals are left out and "
                "the rest averaged."
            ),
            eligibility="归侨侨眷、海外侨胞及港澳台同胞，摄影和视频爱好者",
            eligibility_en="Returned overseas Chinese and their relatives, overseas Chinese and compatriots from "
            "Hong Kong, Macao and Taiwan who love photography and video",
            opens_at=_at(opens, 9),
            closes_at=_at(closes, 23, 59),
            max_entries_per_author=3,
            status=ContestStatus.FINAL,
            results_published_at=_at(results, 10),
            created_by=self.admin,
        )
        contest.judges.set(judges)
        for order, (name, name_en, kind, lo, hi, mb, seconds) in enumerate(CATEGORIES):
            Category.objects.create(
                contest=contest, name=name, name_en=name_en, kind=kind, min_files=lo, max_files=hi,
                max_file_mb=mb, max_duration_seconds=seconds, order=order,
            )  # fmt: skip
        for order, (name, name_en, weight) in enumerate(CRITERIA):
            Criterion.objects.create(contest=contest, name=name, name_en=name_en, weight=weight, order=order)
        audit_record(
            actor=self.admin,
            action=Action.CREATE,
            target=contest,
            data={"title": contest.title, "year": year, "status": contest.status, "source": "demo-data"},
        )
        return contest

    def plan_entries(self, contest: Contest, judges: list[User]) -> list[Planned]:
        rng = self.rng
        year = contest.year
        categories = {cat.kind: cat for cat in contest.categories.all()}
        criteria = list(contest.criteria.all())
        kinds = [
            kind
            for kind, n in zip(
                (CategoryKind.PHOTO_SINGLE, CategoryKind.PHOTO_SET, CategoryKind.VIDEO),
                _split(ENTRIES[year], SHARES[year]),
                strict=True,
            )
            for _ in range(n)
        ]
        rng.shuffle(kinds)
        opens, closes, _results = SCHEDULE[year]
        span = (_at(closes, 23, 59) - _at(opens, 9)).total_seconds()
        moments = sorted(
            _at(opens, 9) + dt.timedelta(seconds=int(span * max(rng.random(), rng.random()))) for _ in kinds
        )  # more works come in as the deadline nears
        for regular in self.regulars:
            regular.entries = 0
        self.authors_in_contest = {a.person.pk for a in self.regulars if a.person}
        planned = []
        left = 0
        author = None
        judge_bias = [rng.gauss(0, 0.35) for _ in judges]
        for seq, (kind, moment) in enumerate(zip(kinds, moments, strict=True), start=1):
            if left == 0:
                if self.regulars and chance(rng, 0.3):
                    author = rng.choice(self.regulars)
                else:
                    author = self.author()
                    if chance(rng, 0.25):
                        self.regulars.append(author)
                left = max(0, min(PER_AUTHOR.pick(rng), contest.max_entries_per_author - author.entries))
                if left == 0:
                    author = self.author()
                    left = PER_AUTHOR.pick(rng)
            left -= 1
            author.entries += 1
            title, place = self.title(year, kind, author)
            submitted = timezone.localtime(moment).date()
            ineligible = chance(rng, 0.025)
            files = FILES_PER_SET.pick(rng) if kind == CategoryKind.PHOTO_SET else 1
            if ineligible and kind == CategoryKind.PHOTO_SET and chance(rng, 0.4):
                files, reason = 3, INELIGIBLE[kind][0]
            else:
                reason = rng.choice(INELIGIBLE[kind]) if ineligible else ""
            entry = Entry(
                contest=contest,
                category=categories[kind],
                code=f"YG{year}-{seq:04d}",
                person=author.person,
                author_name=author.name,
                author_country=author.country,
                author_phone=author.phone or None,
                author_email=author.email,
                title=title,
                description=self.description(year, kind, title, place),
                taken_on=date_between(rng, dt.date(year - 1, 6, 1), submitted - dt.timedelta(days=1)),
                taken_place=place,
                originality_declared=True,
                portrait_consent=chance(rng, 0.45),
                status=EntryStatus.INELIGIBLE if ineligible else EntryStatus.ELIGIBLE,
                ineligible_reason=reason,
                screened_by=self.staff,
                screened_at=_at(closes + dt.timedelta(days=rng.randint(3, 9)), rng.randint(9, 17)),
                submitted_at=moment,
                created_by=None,
            )
            quality = min(9.6, max(4.0, rng.gauss(7.0, 0.9)))
            plan = Planned(entry, kind, files, quality)
            if not ineligible:
                for j in range(len(judges)):
                    row = []
                    for criterion in criteria:
                        raw = quality + judge_bias[j] + rng.gauss(0, 0.55)
                        value = min(criterion.max_score, max(3.0, round(raw * 2) / 2))
                        row.append(Decimal(str(value)))
                    plan.scores.append(row)
                # the contest's one rule (contests.services): weighted totals, extremes dropped
                totals = [
                    judge_total({cr.pk: v for cr, v in zip(criteria, row, strict=True)}, criteria)
                    for row in plan.scores
                ]
                entry.score = entry_score(totals)
            planned.append(plan)
        self.award(planned)
        return planned

    def award(self, planned: list[Planned]) -> None:
        """Rank the eligible works of each category as ``results_compute`` does (equal scores
        share a rank) and award them by rank as ``awards_suggest`` does: 一等奖 1, 二等奖 2,
        三等奖 3, then 优秀奖; works tied at a boundary all get the better award."""
        for kind in (CategoryKind.PHOTO_SINGLE, CategoryKind.PHOTO_SET, CategoryKind.VIDEO):
            scored = [p.entry for p in planned if p.kind == kind and p.entry.score is not None]
            ranks, _tied = ranks_with_ties({i: entry.score for i, entry in enumerate(scored)})
            for i, entry in enumerate(scored):
                entry.rank = ranks[i]
            counts = [*PRIZES, (Award.EXCELLENCE, min(10, max(5, len(scored) // 12)))]
            limit = 0
            for award, n in counts:
                limit += n
                for entry in scored:
                    if not entry.award and entry.rank <= limit:
                        entry.award = award

    def write(self, contest: Contest, planned: list[Planned], judges: list[User], pictures, videos) -> None:
        rng = self.rng
        Entry.objects.bulk_create([p.entry for p in planned], batch_size=500)
        criteria = list(contest.criteria.all())
        files, scores = [], []
        for plan in planned:
            entry = plan.entry
            if plan.kind == CategoryKind.VIDEO:
                chosen = [rng.choice(videos)]
                kind, content_type, duration = FileKind.VIDEO, "video/mp4", Decimal("3.00")
            else:
                chosen = rng.sample(pictures, plan.files)
                kind, content_type, duration = FileKind.IMAGE, "image/jpeg", None
            for order, stored in enumerate(chosen):
                suffix = ".mp4" if kind == FileKind.VIDEO else ".jpg"
                files.append(
                    EntryFile(
                        entry_id=entry.pk,
                        kind=kind,
                        original=stored.name,  # the demo keeps no separate original: the web copy stands in
                        original_name=f"{entry.title}{'-' + str(order + 1) if len(chosen) > 1 else ''}{suffix}",
                        content_type=content_type,
                        size=stored.size,
                        sha256=hashlib.sha256(f"demo-work:{entry.code}:{order}".encode()).hexdigest(),
                        width=stored.width,
                        height=stored.height,
                        duration_seconds=duration,
                        web=stored.name,
                        thumbnail=stored.thumbnail,
                        processing=Processing.READY,
                        order=order,
                    )
                )
            for judge, row in zip(judges, plan.scores, strict=False):
                for criterion, value in zip(criteria, row, strict=True):
                    scores.append((entry.pk, judge.pk, criterion.pk, value))
        EntryFile.objects.bulk_create(files, batch_size=1000)
        _insert_scores(scores, at=timezone.localtime(contest.closes_at) + dt.timedelta(days=14))
        audit_record(
            actor=self.admin,
            action=Action.CREATE,  # the registry import is the demo's one IMPORT entry
            target=contest,
            data={
                "entries": len(planned),
                "eligible": sum(1 for p in planned if p.entry.status == EntryStatus.ELIGIBLE),
                "files": len(files),
                "scores": len(scores),
                "awards": sum(1 for p in planned if p.entry.award),
                "source": "demo-data",
            },
        )

    def build(self) -> None:
        judges = self.judges()
        pictures, videos = store_pictures()
        for year in YEARS:
            contest = self.contest(year, judges)
            planned = self.plan_entries(contest, judges)
            self.write(contest, planned, judges, pictures, videos)


def build_contests(ctx: DemoContext) -> None:
    ContestBuilder(ctx).build()


def judge_accounts() -> list[tuple[str, str, str]]:
    """The judges' demo accounts as the summary lists them: (username, role, federation)."""
    users = User.objects.filter(username__in=[a.username for a in JUDGES]).select_related("federation")
    return [(u.username, str(u.get_role_display()), str(u.federation)) for u in users.order_by("username")]


# Entrepreneurship competition ----------------------------------------------------------------

# Projects per year (the seed: 海外项目1658个、港澳项目177个), fixed at every scale.
OVERSEAS_PROJECTS = {2018: 262, 2019: 341, 2020: 298, 2021: 356, 2022: 401}
HONG_KONG_PROJECTS = {2018: 20, 2019: 26, 2020: 18, 2021: 27, 2022: 30}
MACAO_PROJECTS = {2018: 9, 2019: 12, 2020: 8, 2021: 12, 2022: 15}
PROJECT_COUNTRIES = Weighted(
    [("US", 22), ("CA", 9), ("GB", 12), ("AU", 10), ("DE", 7), ("FR", 5), ("JP", 10), ("SG", 6), ("MY", 4),
     ("NZ", 3), ("NL", 3), ("IT", 2), ("KR", 3), ("TH", 2), ("ID", 2), ("IE", 1), ("SE", 1), ("CH", 1),
     ("ES", 1)]
)  # fmt: skip
FIELDS = Weighted(
    [(ProjectField.IT, 22), (ProjectField.AI, 16), (ProjectField.BIO, 15), (ProjectField.MANUFACTURING, 12),
     (ProjectField.ENERGY, 10), (ProjectField.CULTURE, 9), (ProjectField.SERVICES, 8),
     (ProjectField.AGRICULTURE, 5), (ProjectField.OTHER, 3)]
)  # fmt: skip
STAGES = Weighted(
    [(ProjectStage.IDEA, 25), (ProjectStage.PROTOTYPE, 35), (ProjectStage.STARTUP, 30), (ProjectStage.GROWTH, 10)]
)
OVERSEAS_CHANNELS = Weighted(
    [(ReferralChannel.FEDERATION, 45), (ReferralChannel.ASSOCIATION, 18), (ReferralChannel.STUDENTS, 15),
     (ReferralChannel.PARTNER, 8), (ReferralChannel.SELF, 14)]
)  # fmt: skip
HK_MACAO_CHANNELS = Weighted(
    [(ReferralChannel.HK_MACAO, 42), (ReferralChannel.FEDERATION, 35), (ReferralChannel.STUDENTS, 10),
     (ReferralChannel.SELF, 13)]
)  # fmt: skip
OUTCOMES = Weighted(
    [(ProjectOutcome.REGISTERED, 34), (ProjectOutcome.PRELIMINARY, 39), (ProjectOutcome.SEMIFINAL, 14),
     (ProjectOutcome.FINAL, 6), (ProjectOutcome.AWARDED, 4), (ProjectOutcome.SETTLED, 1.5),
     (ProjectOutcome.WITHDRAWN, 1.5)]
)  # fmt: skip
# The towns that recruit projects themselves (short name, weight); the district does the rest.
RECRUITING_TOWNS = (("金山工业区", 30), ("石化街道", 20), ("朱泾镇", 15), ("枫泾镇", 12), ("亭林镇", 10),
                    ("漕泾镇", 8), ("山阳镇", 5))  # fmt: skip
BRANDS = (
    "云启", "智汇", "星途", "博康", "瀚海", "启明", "鲸准", "优联", "睿信", "海川", "芯源", "绿洲", "数衡", "极光",
    "知行", "天衡", "澄明", "远航", "青禾", "微光", "新程", "立方", "磐石", "灵犀", "蓝湾", "普惠", "弘毅", "凌云",
    "格物", "致远", "橙果", "乐享", "安途", "同创", "易达", "恒泰", "聚能", "慧眼", "晨曦", "悦动",
)  # fmt: skip
PRODUCTS = {
    ProjectField.IT: ("跨境电商SaaS平台", "工业互联网数据中台", "智慧社区管理系统", "低代码开发平台", "数据安全网关",
                      "物联网设备管理云", "数字孪生工厂", "供应链协同平台"),
    ProjectField.AI: ("工业视觉质检系统", "智能客服机器人", "医学影像辅助诊断", "自动驾驶感知算法", "智能语音翻译",
                      "AI教育测评", "无人仓储调度", "金融风控模型"),
    ProjectField.BIO: ("肿瘤早筛试剂盒", "新型疫苗佐剂", "基因检测服务", "康复外骨骼", "中药现代化制剂",
                       "细胞治疗平台", "可降解医用材料", "慢病管理平台"),
    ProjectField.MANUFACTURING: ("协作机器人", "精密减速器", "激光焊接装备", "3D打印服务", "智能传感器",
                                 "半导体封装设备", "无人机巡检系统"),
    ProjectField.ENERGY: ("固态电池材料", "氢燃料电池电堆", "光伏储能一体化", "碳纤维复合材料", "废旧电池回收",
                          "生物基可降解塑料", "海上风电运维"),
    ProjectField.CULTURE: ("非遗文创设计", "沉浸式数字展览", "动漫IP孵化", "海外中文教育平台", "短视频内容工作室",
                           "农民画文创"),
    ProjectField.SERVICES: ("跨境法律服务平台", "海归人才招聘平台", "养老照护服务", "跨境物流服务", "企业出海咨询",
                            "智慧停车运营"),
    ProjectField.AGRICULTURE: ("智慧农业大棚", "植物基食品", "冷链生鲜平台", "精品果蔬供应链", "水产循环养殖"),
    ProjectField.OTHER: ("宠物健康服务", "户外运动装备", "社区共享厨房"),
}  # fmt: skip
SUMMARIES = (
    "团队核心成员毕业于{school}，项目拟在长三角落地，寻求金山区产业园区合作。",
    "项目已完成样机开发，拥有发明专利{n}项，计划在金山设立研发中心。",
    "项目已获天使轮融资，面向制造业企业提供服务，希望对接上海湾区高新区资源。",
    "团队在{city}有多年行业经验，项目聚焦国内市场需求，拟与本地企业开展合作。",
    "项目处于创意阶段，参赛希望获得导师辅导和孵化支持。",
)
SCHOOLS = ("斯坦福大学", "多伦多大学", "帝国理工学院", "墨尔本大学", "慕尼黑工业大学", "东京大学", "新加坡国立大学",
           "香港科技大学", "澳门大学", "麻省理工学院", "剑桥大学", "悉尼大学")  # fmt: skip
TEAM_ROLES = ("技术负责人", "产品经理", "市场推广", "财务", "研发工程师", "运营")


def _project_phone(rng: random.Random, region: str, country: str) -> str:
    if region == SourceRegion.HONG_KONG:
        return overseas.overseas_phone(rng, "HK")
    if region == SourceRegion.MACAO:
        return overseas.overseas_phone(rng, "MO")
    return overseas.overseas_phone(rng, country) or mobile(rng)  # many leaders give a Chinese mobile


def _insert_projects(admin: User, rows: list[tuple[dict, list[dict], str]], source: str) -> None:
    """What ``contests.services_projects.projects_bulk_create`` (the import of the organizer's
    spreadsheet) writes for checked rows: the projects, their teams and one audit entry for the
    batch. The service re-checks and ``full_clean``s every row, which takes half a minute for
    1,835 projects; these rows are made to fit its rules (test_demo_contests checks them with
    ``project_problems``)."""
    projects = CompetitionProject.objects.bulk_create(
        [CompetitionProject(**data, import_ref=ref, created_by=admin) for data, _members, ref in rows], batch_size=500
    )
    members = [
        TeamMember(project=project, **member)
        for project, (_data, team, _ref) in zip(projects, rows, strict=True)
        for member in team
    ]
    TeamMember.objects.bulk_create(members, batch_size=1000)
    federations = {p.federation_id for p in projects}
    audit_record(
        actor=admin,
        action=Action.CREATE,  # the registry import is the demo's one IMPORT entry
        federation_id=next(iter(federations)) if len(federations) == 1 else admin.federation_id,
        data={"kind": "competition_projects", "source": source, "rows": len(projects), "members": len(members)},
    )


def build_competition_projects(ctx: DemoContext) -> None:
    """Each year's projects as imports of the organizer's spreadsheet: the district's list with
    row references, and each recruiting town's projects as its own batch."""
    rng = ctx.rng("projects")
    admin = ctx.actor()
    district = ctx.district or Federation.objects.get(parent=None)
    codes = {t.code: t.short_name for t in TOWNS}
    towns = {codes[f.code]: f for f in Federation.objects.filter(level=Level.TOWN, code__in=list(codes))}
    recruiting = Weighted([(towns[name], w) for name, w in RECRUITING_TOWNS if name in towns] or [(district, 1)])
    for year in YEARS:
        plan = (
            [(SourceRegion.OVERSEAS, "")] * OVERSEAS_PROJECTS[year]
            + [(SourceRegion.HONG_KONG, "HK")] * HONG_KONG_PROJECTS[year]
            + [(SourceRegion.MACAO, "MO")] * MACAO_PROJECTS[year]
        )
        rng.shuffle(plan)
        sheet = f"{year}年上海海峡两岸青年创业大赛报名汇总表.xlsx"
        batches: dict[int, list[tuple[dict, list[dict], str]]] = {}
        taken: set[tuple[str, str]] = set()
        row = 1
        for region, place in plan:
            country = PROJECT_COUNTRIES.pick(rng) if region == SourceRegion.OVERSEAS else ""
            where = country or place
            project_field = FIELDS.pick(rng)
            leader = names.full_name(rng, male=chance(rng, 0.62), birth_year=rng.randint(1982, 2000),
                                     southern=region != SourceRegion.OVERSEAS)  # fmt: skip
            name = f"{rng.choice(BRANDS)}{rng.choice(PRODUCTS[project_field])}"
            while (name, leader) in taken:
                name = f"{rng.choice(BRANDS)}{rng.choice(PRODUCTS[project_field])}"
            taken.add((name, leader))
            by_town = chance(rng, 0.18)
            channels = OVERSEAS_CHANNELS if region == SourceRegion.OVERSEAS else HK_MACAO_CHANNELS
            federation = recruiting.pick(rng) if by_town else district
            stage = STAGES.pick(rng)
            data = {
                "federation": federation,
                "year": year,
                "name": name,
                "source_region": region,
                "country": country,
                "field": project_field,
                "stage": stage,
                "referral_channel": ReferralChannel.FEDERATION if by_town else channels.pick(rng),
                "outcome": OUTCOMES.pick(rng),
                "leader_name": leader,
                "leader_phone": _project_phone(rng, region, country) or None,
                "summary": (SUMMARIES[-1] if stage == ProjectStage.IDEA else rng.choice(SUMMARIES[:-1])).format(
                    school=rng.choice(SCHOOLS), n=rng.randint(1, 6), city=overseas.city(rng, where)
                ),
            }
            # The leader first, then up to three members (students abroad keep Chinese nationality).
            nationality = where if region != SourceRegion.OVERSEAS else ("CN" if chance(rng, 0.55) else country)
            members = [{"name": leader, "role": "项目负责人", "nationality": nationality, "is_leader": True}]
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                member = names.full_name(rng, male=chance(rng, 0.55), birth_year=rng.randint(1984, 2001))
                members.append(
                    {
                        "name": member,
                        "role": rng.choice(TEAM_ROLES),
                        "nationality": nationality if chance(rng, 0.7) else "CN",
                        "is_leader": False,
                    }
                )
            ref = ""
            if not by_town:
                row += 1
                ref = f"{sheet} 第{row}行"
            batches.setdefault(federation.pk, []).append((data, members, ref))
        for federation_pk, rows in batches.items():
            source = sheet if federation_pk == district.pk else f"{rows[0][0]['federation'].short_name}侨联推荐项目"
            _insert_projects(admin, rows, source)


def contest_figures() -> tuple[list[tuple[int, int]], list[tuple[str, int]]]:
    """Entries received per contest year, and competition projects per source region (label)."""
    entries = Entry.objects.values_list("contest__year").annotate(n=Count("id")).order_by("contest__year")
    regions = dict(CompetitionProject.objects.values_list("source_region").annotate(n=Count("id")))
    return [(year, n) for year, n in entries], [
        (str(label), regions[value]) for value, label in SourceRegion.choices if regions.get(value)
    ]
