"""The portal's news, 2017–2022: what the district federation published about its work.

A news item for each activity the federation put on the portal (the activities step publishes
the congresses, the 侨法宣传月 launches, the camps, the shows and exhibitions and some 同舟讲坛
lectures; at most ``ACTIVITY_NEWS`` of them, spread over the years), the call for entries and
the results of each year's “充满阳光” contest, and each year's figures of the projects recruited
for 上海海峡两岸青年创业大赛; in Chinese and English. Each is written through ``news_create`` and
dated on the day it came out (``news_publish`` would stamp the time of the build, as
``check_in`` would for attendance in the activities step). The privacy notice comes from the
portal's own migration, not from here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from django.utils import timezone, translation
from django_countries.fields import Country

from qiaolian.activities.models import Activity
from qiaolian.activities.models import ActivityKind as K
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.contests.models import Award, CategoryKind, CompetitionProject, Contest, EntryStatus, SourceRegion
from qiaolian.demo.context import DemoContext
from qiaolian.orgs.models import Federation
from qiaolian.portal import services
from qiaolian.portal.models import News

ACTIVITY_NEWS = 18
FEDERATION_EN = "the Jinshan District Federation of Returned Overseas Chinese"
ORDINALS_EN = {"五": "fifth", "六": "sixth", "七": "seventh"}
KIND_EN = {
    K.LAW: "Returned overseas Chinese and their relatives learned about the laws that protect their rights, "
    "with lawyers of the federation answering questions on the spot.",
    K.CAMP: "Young people of Chinese descent from abroad learned Chinese, calligraphy and 金山农民画 (Jinshan "
    "peasant painting) and visited Fengjing Ancient Town and local companies.",
    K.EXHIBITION: "Works by returned overseas Chinese, their relatives and overseas Chinese friends were on show.",
    K.PERFORMANCE: "Members of the Jinshan overseas Chinese arts alliance performed songs, dances and recitations.",
    K.LECTURE: "An invited speaker gave a talk and answered questions from the audience.",
    K.MEETING: "Representatives and guests attended the meeting.",
}
# (pattern on the Chinese title, English title; {y} is the year, {n} the congress' ordinal)
TITLES_EN = (
    (r"侨法宣传月", "Jinshan launches its {y} Overseas Chinese Law Publicity Month"),
    (r"网上夏令营", "{y} online summer camp for young overseas Chinese: “Remembering home, finding roots in Jinshan”"),
    (r"夏令营", "{y} “Root-seeking in China” summer camp for young overseas Chinese opens in Jinshan"),
    (r"金平果", "Jinshan and Pinghu federations sign the “Jin-Ping-Guo” cooperation agreement"),
    (r"第(.)次归侨侨眷代表大会", "Jinshan holds its {n} congress of returned overseas Chinese and their relatives"),
    (r"70周年书画摄影展", "Exhibition of calligraphy, painting and photography celebrates the 70th anniversary of "
     "the People's Republic"),
    (r"70周年文艺汇演", "Overseas Chinese community's gala celebrates the 70th anniversary of the People's Republic"),
    (r"红色记忆书画展", "“Red Memories” calligraphy and painting exhibition celebrates the Party's centenary"),
    (r"建党100周年文艺汇演", "Overseas Chinese community's gala celebrates the centenary of the Party"),
    (r"同舟讲坛", "Tongzhou Forum: a lecture for the overseas Chinese community"),
)  # fmt: skip
ENDINGS = {K.EXHIBITION: "开幕", K.CAMP: "开营", K.PERFORMANCE: "精彩上演", K.LECTURE: "开讲"}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _english_title(activity: Activity, year: int) -> str:
    for pattern, english in TITLES_EN:
        match = re.search(pattern, activity.title)
        if match:
            ordinal = ORDINALS_EN.get(match.group(1), "") if match.groups() else ""
            return english.format(y=year, n=ordinal)
    return f"{activity.get_kind_display()} held by {FEDERATION_EN}"


def _spread(items: list, k: int) -> list:
    """``k`` items evenly spaced over the list (all of them when there are no more than ``k``)."""
    if len(items) <= k:
        return items
    return [items[round(i * (len(items) - 1) / (k - 1))] for i in range(k)]


class NewsWriter:
    def __init__(self, ctx: DemoContext):
        self.admin = ctx.actor()
        self.district = ctx.district or Federation.objects.get(parent=None)
        self.written: list[tuple[News, dt.datetime]] = []

    def add(self, *, federation, title, title_en, body, body_en, published_at, activity=None) -> None:
        news = services.news_create(
            actor=self.admin,
            data={
                "federation": federation,
                "title": title,
                "title_en": title_en,
                "body": body,
                "body_en": body_en,
                "activity": activity,
            },
        )
        self.written.append((news, published_at))

    def activities(self) -> None:
        published = list(
            Activity.objects.filter(is_published=True, ends_at__lt=_at(dt.date(2022, 12, 31), 0))
            .exclude(summary="")
            .order_by("starts_at", "id")
        )
        for activity in _spread(published, ACTIVITY_NEWS):
            start = timezone.localtime(activity.starts_at)
            end = timezone.localtime(activity.ends_at)
            ending = ENDINGS.get(activity.kind, "举行")
            self.add(
                federation=activity.federation,
                activity=activity,
                title=f"{activity.title}{ending}",
                title_en=_english_title(activity, start.year),
                body=activity.summary,
                body_en=f"On {start:%-d %B %Y}, {FEDERATION_EN} held this event. {KIND_EN.get(activity.kind, '')}",
                published_at=max(end, start) + dt.timedelta(hours=3 if activity.kind == K.CAMP else 6),
            )

    def contests(self) -> None:
        for contest in Contest.objects.filter(federation=self.district).order_by("year"):
            opens = timezone.localtime(contest.opens_at)
            closes = timezone.localtime(contest.closes_at)
            self.add(
                federation=contest.federation,
                title=f"{contest.title}开始征稿",
                title_en=f"Call for entries: {contest.title_en}",
                body=(
                    f"{contest.title}即日起开始征稿，征稿截止时间为{closes:%Y年%-m月%-d日}。本届主题：{contest.theme}\n"
                    f"大赛设摄影（单幅）、摄影（组照）和微视频三个组别，欢迎{contest.eligibility}踊跃投稿。"
                    "作品可通过金山侨联门户在线提交。"
                ),
                body_en=(
                    f"The {contest.title_en} is open for entries until {closes:%-d %B %Y}. Theme: {contest.theme_en} "
                    "There are three categories: single photographs, photo series and micro-videos. Entries can "
                    "be submitted online on the Jinshan Federation's portal."
                ),
                published_at=opens,
            )
            entries = contest.entries.all()
            received = entries.count()
            eligible = entries.filter(status=EntryStatus.ELIGIBLE).count()
            overseas = entries.exclude(author_country__in=["CN", ""]).count()
            by_kind = Counter(entries.values_list("category__kind", flat=True))
            firsts = "；".join(
                f"{e.category.name}：《{e.title}》（{e.author_name}）"
                for e in entries.filter(award=Award.FIRST).select_related("category").order_by("category__order")
            )
            awarded = entries.exclude(award="").count()
            self.add(
                federation=contest.federation,
                title=f"{contest.title}评选结果揭晓",
                title_en=f"Results of the {contest.title_en}",
                body=(
                    f"{contest.title}共收到投稿{received}件，其中摄影（单幅）{by_kind[CategoryKind.PHOTO_SINGLE]}件、"
                    f"摄影（组照）{by_kind[CategoryKind.PHOTO_SET]}件、微视频{by_kind[CategoryKind.VIDEO]}件，"
                    f"来自海外的作品{overseas}件。经形式审查，{eligible}件作品进入评审，"
                    f"评委会匿名评分，评出一、二、三等奖和优秀奖共{awarded}件。一等奖：{firsts}。"
                    "获奖作品在门户作品展厅展出。"
                ),
                body_en=(
                    f"The {contest.title_en} received {received} entries, {overseas} of them from abroad: "
                    f"{by_kind[CategoryKind.PHOTO_SINGLE]} single photographs, {by_kind[CategoryKind.PHOTO_SET]} "
                    f"photo series and {by_kind[CategoryKind.VIDEO]} micro-videos. {eligible} entries passed the "
                    f"format check and were judged anonymously; {awarded} won first, second, third or excellence "
                    "prizes. The awarded works are on show in the portal's gallery."
                ),
                published_at=timezone.localtime(contest.results_published_at),
            )

    def projects(self) -> None:
        rows = CompetitionProject.objects.filter(source_region__in=[SourceRegion.OVERSEAS, SourceRegion.HONG_KONG,
                                                                    SourceRegion.MACAO])  # fmt: skip
        for year in sorted(set(rows.values_list("year", flat=True))):
            of_year = rows.filter(year=year)
            regions = Counter(of_year.values_list("source_region", flat=True))
            countries = Counter(str(c) for c in of_year.exclude(country="").values_list("country", flat=True))
            top = [code for code, _n in countries.most_common(3)]
            with translation.override("zh-hans"):
                top_zh = "、".join(str(Country(code).name) for code in top)
            with translation.override("en"):
                english = [str(Country(code).name) for code in top]
                top_en = " and ".join([", ".join(english[:-1]), english[-1]] if len(english) > 1 else english)
            finals = of_year.filter(outcome__in=["final", "awarded", "settled"]).count()
            settled = of_year.filter(outcome="settled").count()
            overseas, hk = regions[SourceRegion.OVERSEAS], regions[SourceRegion.HONG_KONG]
            macao = regions[SourceRegion.MACAO]
            self.add(
                federation=self.district,
                title=f"{year}年上海海峡两岸青年创业大赛：金山区侨联推荐海外及港澳项目{overseas + hk + macao}个",
                title_en=f"{year} Shanghai Cross-Strait Youth Entrepreneurship Competition: Jinshan recruits "
                f"{overseas + hk + macao} projects from abroad, Hong Kong and Macao",
                body=(
                    f"依托上海海峡两岸青年创业大赛平台，区侨联“以侨引侨”，{year}年共吸引海外项目{overseas}个、"
                    f"香港项目{hk}个、澳门项目{macao}个，海外项目主要来自{top_zh}等国家。"
                    f"其中{finals}个项目晋级决赛或获奖，{settled}个项目已落地金山发展。"
                ),
                body_en=(
                    f"Through the Shanghai Cross-Strait Youth Entrepreneurship Competition, the federation attracted "
                    f"{overseas} projects from abroad, {hk} from Hong Kong and {macao} from Macao in {year}, most "
                    f"of the overseas ones from {top_en}. {finals} reached the final or won a prize, and "
                    f"{settled} have settled in Jinshan."
                ),
                published_at=_at(dt.date(year, 11, 18), 15),
            )

    def publish(self) -> None:
        """Date each item on the day it came out, audited as ``news_publish`` audits."""
        for news, published_at in self.written:
            News.objects.filter(pk=news.pk).update(published_at=published_at)
            audit_record(
                actor=self.admin,
                action=Action.CHANGE,
                target=news,
                federation_id=news.federation_id,
                data={"changes": {"published_at": [None, published_at.isoformat()]}, "source": "demo-data"},
            )


def build_portal(ctx: DemoContext) -> None:
    writer = NewsWriter(ctx)
    writer.activities()
    writer.contests()
    writer.projects()
    writer.publish()
