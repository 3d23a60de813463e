"""``qiaolian report review``: the five-year review (五年工作回顾) as .docx, .pdf or JSON.

    qiaolian report review --from 2017-12-01 --to 2022-12-31 --format docx --output review.docx
    qiaolian report review --from 2017-12-01 --to 2022-12-31 --format json          # JSON to stdout

The review is built as a user sees it (jurisdiction and all): ``--user USERNAME``, by default the
first active district admin (区侨联管理员). ``--federation ID`` picks a federation within that
user's jurisdiction (default: the user's own)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

FORMATS = ("docx", "pdf", "json")


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CommandError(f"{option} 日期格式应为 YYYY-MM-DD（如 2017-12-01），收到：{text!r}") from None


class Command(BaseCommand):
    help = "报表：report review 生成工作回顾（五年工作回顾），格式 docx、pdf 或 json。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", metavar="REPORT", required=True)
        review = sub.add_parser(
            "review",
            help="工作回顾（五年工作回顾）",
            description="由记录生成工作回顾。每个数字来自指标目录，附录列出其指标编码、期间与数值。",
        )
        review.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="开始日期（含）")
        review.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="结束日期（含）")
        review.add_argument("--format", dest="fmt", default="docx", metavar="docx|pdf|json", help="输出格式，默认 docx")
        review.add_argument("--output", "-o", metavar="FILE", help="输出文件；json 不给时写到标准输出")
        review.add_argument("--federation", type=int, metavar="ID", help="侨联组织 id（默认：用户所在组织）")
        review.add_argument(
            "--user",
            metavar="USERNAME",
            help="按该用户的权限与辖区生成（默认：第一个有效的区侨联管理员，即 district_admin 角色、按 id 最小者）",
        )

    def handle(self, *args, **options):
        if options["report"] == "review":
            return self.review(options)
        raise CommandError(f"未知的报表：{options['report']}")

    def review(self, options) -> None:
        from django.contrib.auth import get_user_model

        from qiaolian.accounts.models import Role
        from qiaolian.reports.review import build_review
        from qiaolian.reports.services_review import render_review

        start = _date(options["start"], "--from")
        end = _date(options["end"], "--to")
        if start > end:
            raise CommandError("--to 不能早于 --from。")
        fmt = (options["fmt"] or "").lower()
        if fmt not in FORMATS:
            raise CommandError(f"--format 应为 docx、pdf 或 json，收到：{options['fmt']!r}")
        output = options.get("output")
        if fmt != "json" and not output:
            raise CommandError(f"{fmt} 为二进制文件，请用 --output 指定输出文件。")
        users = get_user_model().objects.filter(is_active=True)
        if options.get("user"):
            user = users.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有用户名为 {options['user']!r} 的有效用户。")
        else:
            user = users.filter(role=Role.DISTRICT_ADMIN).order_by("pk").first()
            if user is None:
                raise CommandError("没有有效的区侨联管理员；请用 --user 指定用户。")
        if not user.has_perm("reports.view_indicators"):
            raise CommandError(f"用户 {user.username} 没有查看统计指标的权限。")
        try:
            review = build_review(user=user, start=start, end=end, federation=options.get("federation"))
        except Http404:
            raise CommandError(
                f"侨联组织 {options.get('federation')} 不存在或不在用户 {user.username} 的辖区内。"
            ) from None
        content = render_review(review, fmt)
        if output:
            path = Path(output)
            try:
                path.write_bytes(content)
            except OSError as error:
                raise CommandError(f"不能写入 {output}：{error.strerror}") from None
            self.stderr.write(f"已写入 {path}（{len(content)} 字节，{len(review.figures)} 个数字）。")
        else:
            out = self.stdout
            out.write(json.dumps(json.loads(content), ensure_ascii=False, indent=2))
            sys.stdout.flush()
