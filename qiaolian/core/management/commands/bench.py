"""``qiaolian bench``: generate data at scale on PostgreSQL and measure (docs/performance.md)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "在单独的 PostgreSQL 数据库中生成大规模数据（默认 100 万人、每人 5 次活动参与、2% 植入重复），"
        "测量仪表盘、指标与五年回顾的用时，结果写入 JSON 与 docs/performance.md。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=1_000_000, help="人数（默认 1000000）")
        parser.add_argument("--participations", type=float, default=5.0, help="每人平均活动参与次数（默认 5）")
        parser.add_argument("--database", default="qiaolian_bench", help="基准测试数据库名（默认 qiaolian_bench）")
        parser.add_argument("--keep", action="store_true", help="结束后保留基准测试数据库")
        parser.add_argument("--reuse", action="store_true", help="复用已生成数据的数据库（不重新生成），隐含 --keep")
        parser.add_argument("--only", default="", help="只运行这些测量（逗号分隔），如 dashboard_district,review_build")
        parser.add_argument("--output", default="", help="结果 JSON 路径（默认 docs/bench/reports-<人数>.json）")
        parser.add_argument("--summary", default="docs/performance.md", help="摘要写入的 Markdown 文件；空串则不写")
        parser.add_argument("--seed", type=int, default=2017, help="随机种子（默认 2017）")
        parser.add_argument(
            "--demo-scale", type=float, default=0.03, help="先按此规模生成完整演示数据（0：只生成组织与账号）"
        )
        parser.add_argument("--requests", type=int, default=30, help="每个页面计时的请求数（默认 30）")
        parser.add_argument("--repeats", type=int, default=3, help="慢操作（回顾、全部指标）的重复次数（默认 3）")
        parser.add_argument("--import-rows", type=int, default=0, help="导入测量所用表格的行数（默认与人数相同）")
        parser.add_argument("--list", action="store_true", help="列出可用的测量后退出")

    def handle(self, *args, **o) -> None:
        from qiaolian.bench import measure, runner

        if o["list"]:
            for spec in measure.REGISTRY:
                self.stdout.write(f"{spec.name:22} {spec.title}")
            return
        only = [name.strip() for name in o["only"].split(",") if name.strip()] or None
        unknown = sorted(set(only or ()) - set(measure.BY_NAME))
        if unknown:
            raise CommandError(f"未知的测量：{', '.join(unknown)}（用 --list 查看）")
        if o["persons"] < 30:
            raise CommandError("--persons 至少为 30。")
        base = Path(settings.BASE_DIR) if hasattr(settings, "BASE_DIR") else Path.cwd()
        output = Path(o["output"]) if o["output"] else Path("docs") / "bench" / f"reports-{o['persons']}.json"
        if not output.is_absolute():
            output = base / output
        summary = Path(o["summary"]) if o["summary"] else None
        if summary is not None and not summary.is_absolute():
            summary = base / summary
        options = runner.Options(
            persons=o["persons"],
            participations=o["participations"],
            database=o["database"],
            keep=o["keep"] or o["reuse"],
            reuse=o["reuse"],
            only=only,
            output=output,
            summary=summary,
            seed=o["seed"],
            demo_scale=o["demo_scale"],
            requests=o["requests"],
            repeats=o["repeats"],
            import_rows=o["import_rows"] or o["persons"],
        )

        def write(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        try:
            document = runner.run(options, write=write)
        except runner.BenchError as error:
            raise CommandError(str(error)) from error
        missed = [t for t in document["targets"] if t["passed"] is False]
        for t in document["targets"]:
            verdict = {True: "达标", False: "未达标", None: "未测"}[t["passed"]]
            self.stdout.write(f"{t['title']}：{t['target']}，实测 {t['value']}（{t['metric']}）→ {verdict}")
        if missed:
            self.stdout.write(self.style.WARNING(f"{len(missed)} 个目标未达标，详见 {output}"))
