"""The load test's verdict (tests/load/summary.py): work-phase p95 against the target, failures of
either phase, the sign-in phase reported on its own lines."""

from __future__ import annotations

import csv
import json
import sys

import pytest

from tests.load import summary

COLUMNS = ["Type", "Name", "Request Count", "Failure Count", "Requests/s", "Max Response Time"]
PERCENTILES = ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"]


def _stats(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS + PERCENTILES)
        writer.writeheader()
        for name, kind, count, failures, p95 in rows:
            times = {
                p: (p95 if p in {"95%", "98%", "99%", "99.9%", "99.99%", "100%"} else p95 / 4) for p in PERCENTILES
            }
            writer.writerow(
                {
                    "Type": kind,
                    "Name": name,
                    "Request Count": count,
                    "Failure Count": failures,
                    "Requests/s": count / 120,
                    "Max Response Time": p95,
                    **times,
                }
            )


def _failures(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Method", "Name", "Error", "Occurrences"])
        writer.writerows(rows)


def _run(out, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["summary.py", str(out), "--target-p95-ms", "500"])
    code = summary.main()
    return code, capsys.readouterr().out


def _two_phases(out, *, work_p95=200, signin_failures=0):
    _stats(out / "locust_stats.csv", [("person list", "GET", 1000, 0, work_p95), ("Aggregated", "", 1000, 0, work_p95)])
    _stats(
        out / "locust_signin_stats.csv",
        [
            ("login: post", "POST", 50, signin_failures, 3000),
            ("person list", "GET", 60, 0, 2500),
            ("Aggregated", "", 110, signin_failures, 3000),
        ],
    )
    _failures(out / "locust_failures.csv", [])
    _failures(out / "locust_signin_failures.csv", [["POST", "login: post", "HTTP 500", 1]] if signin_failures else [])
    (out / "locust_signin.json").write_text(json.dumps({"seconds": 12.5, "users": 50}))


def test_slow_sign_in_does_not_count_against_the_work_target(tmp_path, monkeypatch, capsys):
    _two_phases(tmp_path)
    code, text = _run(tmp_path, monkeypatch, capsys)
    assert code == 0
    assert "`login: post` | POST | 50 | 0" in text
    assert "登录阶段全部请求（12.5 秒" in text
    assert "达标（失败 0，p95 200 ms）" in text


@pytest.mark.parametrize(("work_p95", "signin_failures", "verdict"), [(600, 0, "p95 600 ms"), (200, 1, "失败 1")])
def test_slow_work_or_a_failure_in_either_phase_fails(
    tmp_path, monkeypatch, capsys, work_p95, signin_failures, verdict
):
    _two_phases(tmp_path, work_p95=work_p95, signin_failures=signin_failures)
    code, text = _run(tmp_path, monkeypatch, capsys)
    assert code == 1
    assert "未达标" in text and verdict in text
    if signin_failures:
        assert "POST login: post: HTTP 500 ×1" in text


def test_a_run_without_phases_reports_the_sign_in_from_the_same_file(tmp_path, monkeypatch, capsys):
    _stats(
        tmp_path / "locust_stats.csv",
        [("login: post", "POST", 50, 0, 4000), ("search: page", "GET", 900, 0, 300), ("Aggregated", "", 950, 0, 4000)],
    )
    code, text = _run(tmp_path, monkeypatch, capsys)
    assert code == 0
    assert "locust 总计（含登录）" in text and "登录阶段" not in text
