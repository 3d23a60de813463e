"""``manage.py dedupe [--federation CODE] [--export FILE.csv]``: find duplicate persons now.

Runs the linkage synchronously over the persons of the federation (the district by default),
stores the pairs found in the review queue (as a run from the web does) and prints the counts.
With --export the pairs are written to a CSV file: person ids, federation codes, match weight,
match probability and the fields that agreed; no names or other personal data.
"""

from __future__ import annotations

import csv

from django.core.management.base import BaseCommand, CommandError

from qiaolian.core.tabular import neutralize_cell
from qiaolian.linkage import engine, services
from qiaolian.linkage.models import CandidatePair
from qiaolian.orgs.models import Federation

CSV_HEADER = [
    "person_a_id",
    "person_b_id",
    "federation_a",
    "federation_b",
    "match_weight",
    "match_probability",
    "reasons",
    "status",
]


class Command(BaseCommand):
    help = "查找侨情库中的疑似重复人员（概率记录链接），可导出为 CSV。"

    def add_arguments(self, parser):
        parser.add_argument("--federation", help="侨联编码（默认：区侨联，即全部人员）")
        parser.add_argument("--export", metavar="FILE.csv", help="把疑似重复写入 CSV 文件")
        parser.add_argument(
            "--threshold", type=float, default=engine.DEFAULT_THRESHOLD, help="匹配概率阈值（默认 0.5）"
        )

    def handle(self, *args, federation=None, export=None, threshold=engine.DEFAULT_THRESHOLD, **options):
        if federation:
            scope = Federation.objects.filter(code=federation).first()
            if scope is None:
                raise CommandError(f"没有编码为 {federation} 的侨联。")
        else:
            scope = Federation.objects.filter(parent__isnull=True).order_by("id").first()
            if scope is None:
                raise CommandError("还没有任何侨联。")
        run = services.linkage_run_for_operator(federation=scope, threshold=threshold)
        self.stdout.write(
            f"{scope.name}：{run.total_persons} 人，比较 {run.comparisons} 对，"
            f"疑似重复 {run.pairs_found} 对（新增 {run.pairs_new} 对待审核）。"
        )
        if export:
            pairs = (
                CandidatePair.objects.filter(run=run)
                .select_related("person_a__federation", "person_b__federation")
                .order_by("-match_probability", "id")
            )
            with open(export, "w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(CSV_HEADER)
                for pair in pairs:
                    writer.writerow(
                        [
                            pair.person_a_id,
                            pair.person_b_id,
                            neutralize_cell(pair.person_a.federation.code),
                            neutralize_cell(pair.person_b.federation.code),
                            f"{pair.match_weight:.4f}",
                            f"{pair.match_probability:.6f}",
                            neutralize_cell(";".join(pair.reasons)),
                            neutralize_cell(pair.status),
                        ]
                    )
            self.stdout.write(f"已写入 {export}。")
