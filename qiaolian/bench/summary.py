"""The summary of the latest bench run in docs/performance.md, between two markers; the rest of
the document (how to run, how to read the figures, findings) is written by hand and kept."""

from __future__ import annotations

from pathlib import Path

START = "<!-- bench:summary:start (written by `qiaolian bench`; do not edit by hand) -->"
END = "<!-- bench:summary:end -->"

SKELETON = f"""# 性能与基准测试（Performance）

`qiaolian bench` 在单独的 PostgreSQL 数据库中生成大规模数据并测量关键操作；结果以 JSON 保存在
`docs/bench/`，最近一次运行的摘要写在下面两个标记之间。

{START}
{END}
"""


def _ms(value) -> str:
    if value is None:
        return "—"
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _kb(value) -> str:
    if value is None:
        return "—"
    if value < 1024:
        return f"{value} KB"
    return f"{value / 1024:.0f} MB" if value >= 10240 else f"{value / 1024:.1f} MB"


# The order tables and steps are listed in (the JSON from PostgreSQL's jsonb has its own order).
COUNT_ORDER = ("persons", "planted_duplicates", "households", "overseas_ties", "activities", "registrations",
               "aid_nominations", "aid_handovers", "cases", "contest_entries")  # fmt: skip
STEP_ORDER = ("organisation", "persons", "activities", "aid", "cases", "contests", "analyze")
RATE_ORDER = ("persons", "households", "overseas ties", "activities", "registrations")


def _ordered(mapping: dict, order: tuple[str, ...]) -> list[tuple[str, object]]:
    known = [(k, mapping[k]) for k in order if k in mapping]
    return known + [(k, v) for k, v in mapping.items() if k not in order]


def render(document: dict, *, results_path: Path | None = None) -> str:
    m = document["machine"]
    p = document["parameters"]
    g = document.get("generation") or {}
    counts = dict(_ordered(document.get("row_counts") or {}, COUNT_ORDER))
    by_name = {r["name"]: r for r in document["measurements"]}
    lines = [
        f"**最近一次运行**：{document['started_at']}，用时 {document['seconds']:.0f} s"
        + (f"；结果 `{results_path.as_posix()}`" if results_path else ""),
        "",
        f"**机器**：{m.get('cores')} 核 {m.get('cpu', '')}，内存 {m.get('ram_gb')} GB；PostgreSQL {m.get('postgresql')}"
        f"（shared_buffers {m.get('postgresql_shared_buffers')}，work_mem {m.get('postgresql_work_mem')}）；"
        f"Python {m.get('python')}，Django {m.get('django')}；数据库大小 {m.get('database_size_mb')} MB。",
        "",
        f"**数据**：{p['persons']:,} 人（其中植入重复 {counts.get('planted_duplicates', 0):,} 人），每人平均参与活动 "
        f"{p['participations']:g} 次；种子 {p['seed']}，演示数据规模 {p['demo_scale']:g}。",
        "",
        "| 表 | 行数 |",
        "|---|---:|",
        *[f"| {name} | {value:,} |" for name, value in counts.items()],
        "",
    ]
    if g:
        steps = "，".join(f"{k} {v:.0f} s" for k, v in _ordered(g.get("steps") or {}, STEP_ORDER))
        lines += [
            f"**数据生成**：{g.get('seconds', 0):.0f} s（{steps}）"
            + ("；本次运行复用已生成的数据（--reuse）" if g.get("reused") else "")
            + "。COPY 速率："
            + "，".join(f"{k} {v:,} 行/秒" for k, v in _ordered(g.get("rates") or {}, RATE_ORDER))
            + "。",
            "",
        ]
    lines += [
        "| 测量 | 状态 | p50 | p95 | 最大 | 查询数 | Python 内存峰值 | 基线 | 目标 |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in document["measurements"]:
        status = {"ok": "完成", "not_available": "尚未实现", "error": "出错"}.get(r["status"], r["status"])
        target = "—"
        if r.get("target"):
            verdict = "—" if r["passed"] is None else ("✅ 达标" if r["passed"] else "❌ 未达标")
            target = f"{r['target']['label']} {verdict}"
        baseline = "—"
        if r.get("baseline"):
            b = by_name.get(r["baseline"])
            floor = _ms(b["p50_ms"]) if b and b["status"] == "ok" else "—"
            baseline = f"{r['baseline']}（p50 {floor}）"
        lines.append(
            f"| {r['title']} (`{r['name']}`) | {status} | {_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} | {_ms(r['max_ms'])} "
            f"| {'—' if r['queries'] is None else r['queries']} | {_kb(r['peak_python_kb'])} "
            f"| {baseline} | {target} |"
        )
    notes = [r for r in document["measurements"] if r["status"] != "ok" and r.get("detail")]
    if notes:
        lines.append("")
        lines += [f"- `{r['name']}`：{r['detail']}" for r in notes]
    loads = [r for r in document["measurements"] if r["status"] == "ok" and "requests_per_second" in r.get("extra", {})]
    if loads:
        lines += [
            "",
            "并发（gunicorn 同步进程，回环地址，每项持续运行后统计全部请求）：",
            "",
            "| 测量 | 并发客户端 | 吞吐（请求/秒） | 失败请求 | p50 | p95 | 服务进程内存峰值（最大） |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in loads:
            e = r["extra"]
            peak = max((e.get("server_peak_rss_kb") or {"-": 0}).values())
            lines.append(
                f"| `{r['name']}` | {e['clients']} | {e['requests_per_second']:,} | {e['errors']} "
                f"| {_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} | {_kb(peak)} |"
            )
    imports = [r for r in document["measurements"] if r["status"] == "ok" and "rows_per_second" in r.get("extra", {})]
    if imports:
        lines += [
            "",
            "导入（每项在单独的子进程中运行，事务最后回滚；内存为该子进程的峰值 RSS）：",
            "",
            "| 测量 | 行数 | 文件 | 用时 | 行/秒 | 导入 / 未导入 | 内存峰值 |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in imports:
            e = r["extra"]
            file_mb = f"{e['file_mb']} MB" if "file_mb" in e else "—"
            kept = f"{e['imported']:,} / {e['invalid'] + e['duplicates']:,}" if "imported" in e else "—"
            lines.append(
                f"| `{r['name']}` | {e['rows']:,} | {file_mb} | {_ms(r['p50_ms'])} "
                f"| {e['rows_per_second']:,} | {kept} | {_kb(r['maxrss_kb'])} |"
            )
    linkage = by_name.get("linkage")
    if linkage and linkage["status"] == "ok":
        e = linkage["extra"]
        kinds = "，".join(f"{kind} {value:.3f}" for kind, value in (e.get("recall_by_kind") or {}).items())
        lines += [
            "",
            "查重（一次运行，子进程；对照生成器植入的重复）：",
            "",
            "| 在册人员 | 用时 | 其中读入 | 其中训练与打分 | 比较的对数 | 候选对 | 真实对 "
            "| 精确率 | 召回率 | F1 | 内存峰值 |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {e['persons']:,} | {_ms(linkage['p50_ms'])} | {e.get('load_s', '—')} s "
            f"| {e.get('train_and_predict_s', '—')} s "
            f"| {e['compared_pairs']:,} | {e['candidate_pairs']:,} | {e['true_pairs']:,} | {e['precision']:.3f} "
            f"| {e['recall']:.3f} | {e['f1']:.3f} | {_kb(linkage['maxrss_kb'])} |",
            "",
            f"按重复类型的召回率：{kinds}。",
        ]
    slow = (by_name.get("indicators_district") or {}).get("extra", {}).get("slowest_ms")
    if slow:
        lines += [
            "",
            "最慢的指标（区级，2018–2022，值与分列，ms）：" + "，".join(f"`{k}` {v:.0f}" for k, v in slow.items()),
        ]
    return "\n".join(lines)


def write_summary(path: Path, document: dict, *, results_path: Path | None = None) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else SKELETON
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    body = render(document, results_path=results_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{head}{START}\n{body}\n{END}{tail}", encoding="utf-8")
