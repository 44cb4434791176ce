"""Run history in one SQLite file beside the quarterly output folders (stdlib sqlite3, WAL).

Each run records its quarter, as-of date, inputs (SHA-256), per-rule and per-status counts and the
整改台账 it wrote, in one transaction. The HTML report shows the trend; `audit history` prints it;
a cron run without --previous finds last quarter's 整改台账 here. The time a run was recorded is
passed in by the caller: the library never reads the clock.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd

from ..result import AuditResult

HISTORY_FILE = "history.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, quarter TEXT NOT NULL, as_of TEXT NOT NULL,
    recorded_at TEXT NOT NULL, rectification TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS run_inputs (run_id INTEGER REFERENCES runs(id), role TEXT, path TEXT, sha256 TEXT, rows INTEGER);
CREATE TABLE IF NOT EXISTS rule_counts (run_id INTEGER REFERENCES runs(id), rule_id TEXT, severity TEXT, count INTEGER);
CREATE TABLE IF NOT EXISTS status_counts (run_id INTEGER REFERENCES runs(id), status TEXT, count INTEGER);
"""


def history_path(out_dir: Path) -> Path:
    """The history file lives in the output root: the parent of the quarter's folder."""
    return out_dir.parent / HISTORY_FILE


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.executescript(SCHEMA)
    return connection


def record_run(path: Path, result: AuditResult, rectification_path: Path | None, recorded_at: str) -> int:
    findings = result.findings
    statuses = result.rectification["整改状态"].value_counts() if result.rectification is not None else pd.Series(dtype=int)
    rules = findings.groupby(["rule_id", "severity"]).size()
    with closing(_connect(path)) as connection, connection:
        cursor = connection.execute(
            "INSERT INTO runs (quarter, as_of, recorded_at, rectification) VALUES (?, ?, ?, ?)",
            (result.config.quarter, result.config.as_of.isoformat(), recorded_at, str(rectification_path or "")))
        run_id = cursor.lastrowid
        connection.executemany("INSERT INTO run_inputs VALUES (?, ?, ?, ?, ?)",
                               [(run_id, load.role, p, digest, load.rows) for load in result.loads for p, digest in load.sha256.items()])
        connection.executemany("INSERT INTO rule_counts VALUES (?, ?, ?, ?)",
                               [(run_id, rule_id, severity, int(n)) for (rule_id, severity), n in rules.items()])
        connection.executemany("INSERT INTO status_counts VALUES (?, ?, ?)",
                               [(run_id, status, int(n)) for status, n in statuses.items()])
    return run_id


def history_frame(path: Path) -> pd.DataFrame:
    """Per quarter (its latest run): findings by severity and 整改台账 items by status."""
    if not path.exists():
        return pd.DataFrame()
    with closing(_connect(path)) as connection:
        latest = "SELECT max(id) FROM runs GROUP BY quarter"
        severity = pd.read_sql_query(
            f"SELECT r.quarter, c.severity, sum(c.count) AS n FROM rule_counts c JOIN runs r ON r.id = c.run_id "
            f"WHERE r.id IN ({latest}) GROUP BY r.quarter, c.severity", connection)
        status = pd.read_sql_query(
            f"SELECT r.quarter, s.status, sum(s.count) AS n FROM status_counts s JOIN runs r ON r.id = s.run_id "
            f"WHERE r.id IN ({latest}) GROUP BY r.quarter, s.status", connection)
    table = pd.concat([severity.pivot(index="quarter", columns="severity", values="n"),
                       status.pivot(index="quarter", columns="status", values="n")], axis=1)
    columns = [c for c in ("错误", "警告", "提示", "未整改", "整改中", "已整改", "已销号") if c in table.columns]
    return table.reindex(columns=columns).fillna(0).astype(int).rename_axis("季度").reset_index()


def latest_rectification(path: Path, before_quarter: str) -> Path | None:
    """The 整改台账 written by the latest run of an earlier quarter, if its file still exists."""
    if not path.exists():
        return None
    with closing(_connect(path)) as connection:
        row = connection.execute(
            "SELECT rectification FROM runs WHERE quarter < ? AND rectification != '' ORDER BY quarter DESC, id DESC LIMIT 1",
            (before_quarter,)).fetchone()
    return Path(row[0]) if row and Path(row[0]).exists() else None
