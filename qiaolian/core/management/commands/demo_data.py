"""``manage.py demo_data``: build the Jinshan demo into an empty database."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qiaolian.orgs.models import Federation


class Command(BaseCommand):
    help = "生成金山区演示数据（组织、阵地、届次、账号、侨情库），同一种子与规模生成的数据完全相同。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="人员规模系数（1.0 约 3000 人）")
        parser.add_argument("--seed", type=int, default=2017, help="随机种子（默认 2017）")
        parser.add_argument("--if-empty", action="store_true", help="库中已有侨联组织时什么也不做")

    def handle(self, *args, scale: float, seed: int, if_empty: bool, **options) -> None:
        from qiaolian.demo import build_demo

        if Federation.objects.exists():
            if if_empty:
                self.stdout.write("数据库中已有侨联组织，跳过演示数据。")
                return
            raise CommandError("数据库中已有侨联组织：演示数据只能生成到空库中（或使用 --if-empty 跳过）。")
        if scale <= 0:
            raise CommandError("--scale 必须大于 0。")
        summary = build_demo(seed=seed, scale=scale)
        pairs = self._find_duplicates()
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"演示数据已生成（种子 {summary.seed}，规模 {summary.scale:g}，用时 {summary.seconds:.1f} 秒）"
            )
        )
        out.write(
            f"  侨联组织 {summary.federations} 个（街镇/园区 {summary.towns}，村居小组 {summary.community_groups}）；"
            f"阵地 {summary.stations} 个（新侨驿站 {summary.new_overseas_stations}）；合作侨联 {summary.partners} 个；"
            f"届次 {summary.terms} 个，委员 {summary.committee_members} 人"
        )
        out.write(
            f"  人员 {summary.persons} 人，家庭户 {summary.households} 户，海外亲属 {summary.overseas_ties} 条；"
            f"困难 {summary.in_hardship} 人，已故 {summary.deceased} 人，迁出 {summary.moved_away} 人"
        )
        out.write(
            f"  活动 {summary.activities} 项（专项 {summary.campaigns} 个），参与者 {summary.activity_participants} 人"
            f"（登记 {summary.activity_registrations} 人次），覆盖 {summary.activity_reach} 人次"
        )
        out.write(
            "  “充满阳光”摄影、微视频大赛投稿："
            + "，".join(f"{year}年 {n} 件" for year, n in summary.contest_entries)
            + f"（合计 {sum(n for _y, n in summary.contest_entries)} 件）"
        )
        out.write(
            "  海峡两岸青年创业大赛项目：" + "，".join(f"{label} {n} 个" for label, n in summary.competition_projects)
        )
        out.write("  身份类别：" + "，".join(f"{label} {n}" for label, n in summary.by_category))
        out.write("  所属街镇：" + "，".join(f"{town} {n}" for town, n in summary.by_town))
        out.write("  海外亲属所在地（前十）：" + "，".join(f"{code} {n}" for code, n in summary.tie_countries))
        out.write(f"  查重：找出 {pairs} 对疑似重复人员（演示数据中植入的重复），在“查重合并”中待审核")
        out.write("")
        out.write(f"演示账号（密码均为 {summary.password}）：")
        width = max(len(u) for u, _r, _f in summary.accounts + summary.judges)
        for username, role, federation in summary.accounts + summary.judges:
            out.write(f"  {username.ljust(width)}  {role}（{federation}）")

    @staticmethod
    def _find_duplicates() -> int:
        """The record linkage over the whole district, as an operator would start it, so that
        the review queue (查重合并) shows the duplicates the demo planted."""
        from qiaolian.linkage.models import CandidatePair
        from qiaolian.linkage.services import linkage_run_for_operator

        linkage_run_for_operator(federation=Federation.objects.get(parent__isnull=True))
        return CandidatePair.objects.count()
