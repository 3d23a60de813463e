"""Summarise a locust run (``--csv OUT/locust``) by endpoint group; run by scripts/loadtest.sh.

    python tests/load/summary.py OUT [--config TEXT] [--target-p95-ms 500]

Prints a table (requests, failures, rate, p50/p95/p99/max per request name, then "All work" —
every request except the one-off sign-in) and writes it to OUT/summary.txt and as Markdown to
OUT/summary.md. When the run had a sign-in phase (OUT/locust_signin_stats.csv, see
tests/load/locustfile.py) the sign-in requests and the whole phase follow on their own lines;
otherwise the sign-in requests come from the same file as the work. Exit code 1 when a request
failed in either phase or the p95 of "All work" is not under the target.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

# Percentiles of the one-off sign-in (Argon2 password hashing, 50 users in the first seconds) are
# reported on their own line; the target is about the work that follows.
ONE_OFF = ("login: form", "login: post")


def _ms(value: str) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    return f"{number:,.0f}" if number >= 10 else f"{number:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--config", default="")
    parser.add_argument("--target-p95-ms", type=float, default=500)
    args = parser.parse_args()
    out = Path(args.out)
    stats_file = out / "locust_stats.csv"
    if not stats_file.exists():
        print(f"summary: {stats_file} is missing (did locust run?)", file=sys.stderr)
        return 1
    rows = _read(stats_file)
    signin_file = out / "locust_signin_stats.csv"
    signin = _read(signin_file) if signin_file.exists() else []
    work = [r for r in rows if r["Name"] != "Aggregated" and r["Name"] not in ONE_OFF]
    login = [r for r in (signin or rows) if r["Name"] in ONE_OFF]
    work_totals = _weighted(work)

    header = ["请求组", "方法", "请求数", "失败", "请求/秒", "p50 ms", "p95 ms", "p99 ms", "最大 ms"]
    table = []
    for r in sorted(work, key=lambda r: -float(r["95%"] or 0)):
        table.append(_row(r["Name"], r["Type"], r))
    table.append(["**全部工作请求（不含登录）**", "", *work_totals])
    for r in login:
        table.append(_row(r["Name"], r["Type"], r))
    phase = next((r for r in signin if r["Name"] == "Aggregated"), None)
    if phase:
        seconds = json.loads((out / "locust_signin.json").read_text(encoding="utf-8"))["seconds"]
        table.append(_row(f"登录阶段全部请求（{seconds:g} 秒：登录、取列表及先登录者的工作）", "", phase))
    else:
        aggregated = next((r for r in rows if r["Name"] == "Aggregated"), None)
        if aggregated:
            table.append(_row("locust 总计（含登录）", "", aggregated))

    failures = []
    for name in ("locust_signin_failures.csv", "locust_failures.csv"):
        if (out / name).exists():
            failures += _read(out / name)

    lines = []
    if args.config:
        lines.append(f"配置：{args.config}")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---", "---"] + ["---:"] * (len(header) - 2)) + "|")
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in table]
    if failures:
        lines.append("")
        lines.append("失败：")
        lines += [f"- {f['Method']} {f['Name']}: {f['Error']} ×{f['Occurrences']}" for f in failures]
    markdown = "\n".join(lines)
    (out / "summary.md").write_text(markdown + "\n", encoding="utf-8")
    (out / "summary.txt").write_text(markdown + "\n", encoding="utf-8")
    print(markdown)

    total_failures = sum(int(r["Failure Count"]) for r in rows + signin if r["Name"] != "Aggregated")
    p95 = work_totals[4]
    ok = total_failures == 0 and p95 != "—" and float(p95.replace(",", "")) < args.target_p95_ms
    verdict = "达标" if ok else "未达标"
    print(
        f"\n目标：零失败、工作请求 p95 < {args.target_p95_ms:g} ms —— {verdict}（失败 {total_failures}，p95 {p95} ms）"
    )
    return 0 if ok else 1


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _row(name: str, method: str, r: dict) -> list[str]:
    return [
        f"`{name}`",
        method,
        f"{int(r['Request Count']):,}",
        f"{int(r['Failure Count']):,}",
        f"{float(r['Requests/s']):.1f}",
        _ms(r["50%"]),
        _ms(r["95%"]),
        _ms(r["99%"]),
        _ms(r["Max Response Time"]),
    ]


def _weighted(rows: list[dict]) -> list[str]:
    """Requests, failures, rate and percentiles over several request names: the percentiles come
    from merging the per-name percentile points (each weighted by its request count), a close
    estimate of the percentiles of the merged distribution."""
    count = sum(int(r["Request Count"]) for r in rows)
    if not count:
        return ["0", "0", "0", "—", "—", "—", "—"]
    fails = sum(int(r["Failure Count"]) for r in rows)
    rate = sum(float(r["Requests/s"]) for r in rows)
    points: list[tuple[float, float]] = []  # (response time, weight)
    columns = ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"]
    bounds = [0.0, 0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0]
    for r in rows:
        n = int(r["Request Count"])
        for i, column in enumerate(columns):
            try:
                value = float(r[column])
            except (TypeError, ValueError):
                continue
            points.append((value, n * (bounds[i + 1] - bounds[i])))
    points.sort()
    total = sum(w for _v, w in points)

    def pct(q: float) -> str:
        acc = 0.0
        for value, weight in points:
            acc += weight
            if acc >= q * total:
                return _ms(str(value))
        return _ms(str(points[-1][0]))

    biggest = max(float(r["Max Response Time"]) for r in rows)
    return [f"{count:,}", f"{fails:,}", f"{rate:.1f}", pct(0.50), pct(0.95), pct(0.99), _ms(str(biggest))]


if __name__ == "__main__":
    sys.exit(main())
