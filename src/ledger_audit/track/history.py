"""Run history in one SQLite file beside the quarterly output folders (stdlib sqlite3, WAL).

Each run records its quarter, as-of date, inputs (SHA-256), per-rule and per-status counts and the
整改台账 it wrote, in one transaction. The HTML report shows the trend; `audit history` prints it;
a cron run without --previous finds last quarter's 整改台账 here. The time a run was recorded is
passed in by the caller: the library never reads the clock.
"""

from __future__ import annotations

import errno
import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path

import pandas as pd

from ..errors import AuditInputError
from ..outputs import environment_error
from ..result import AuditResult
from .rectification import TRACKING_RULE_IDS

HISTORY_FILE = "history.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, quarter TEXT NOT NULL, as_of TEXT NOT NULL,
    recorded_at TEXT NOT NULL, rectification TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS run_inputs (run_id INTEGER REFERENCES runs(id), role TEXT, path TEXT, sha256 TEXT, rows INTEGER);
CREATE TABLE IF NOT EXISTS rule_counts (run_id INTEGER REFERENCES runs(id), rule_id TEXT, severity TEXT, count INTEGER);
CREATE TABLE IF NOT EXISTS status_counts (run_id INTEGER REFERENCES runs(id), status TEXT, count INTEGER);
"""
# SQLite reports file-system faults as text; the errno each one means.
PROBLEMS = "台账问题"   # history_frame column
SQLITE_FAULTS = {"database or disk is full": errno.ENOSPC, "readonly database": errno.EROFS,
                 "unable to open database": errno.EACCES, "disk I/O error": errno.EIO}


def history_path(out_dir: Path) -> Path:
    """The history file lives in the output root: the parent of the quarter's folder."""
    return out_dir.parent / HISTORY_FILE


@contextmanager
def _database(path: Path):
    """An open connection to the history; a fault of the disk or a damaged file is exit 3."""
    try:
        with closing(sqlite3.connect(path, timeout=30)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)
            yield connection
    except sqlite3.Error as error:
        raise _database_fault(error, path) from None


def _database_fault(error: sqlite3.Error, path: Path) -> AuditInputError:
    text = str(error)
    code = next((c for key, c in SQLITE_FAULTS.items() if key in text), None)
    if code is not None:
        return environment_error(OSError(code, text), path.parent)
    return AuditInputError(f"运行历史文件已损坏，无法读取（{text}）。本次未写入任何文件。", file=str(path),
                           hint="把该文件改名备份后重新运行（将重新开始记录历史；上季度的整改台账可用 --previous 指定）。")


def record_run(path: Path, result: AuditResult, rectification_path: Path | None, recorded_at: str) -> int:
    """Record the run in one transaction; a history file this call created is removed again if
    the transaction fails (a full disk must not leave an empty history behind)."""
    created = not path.exists()
    try:
        return _insert_run(path, result, rectification_path, recorded_at)
    except AuditInputError:
        if created:
            for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                file.unlink(missing_ok=True)
        raise


def _insert_run(path: Path, result: AuditResult, rectification_path: Path | None, recorded_at: str) -> int:
    findings = result.findings
    statuses = result.rectification["整改状态"].value_counts() if result.rectification is not None else pd.Series(dtype=int)
    rules = findings.groupby(["rule_id", "severity"]).size()
    with _database(path) as connection, connection:
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
    """Per quarter (its latest run): findings by severity, 整改台账 items by status, and the
    problems found in the ledger (PROBLEMS: the findings less the tracking ones, which repeat a
    problem already counted)."""
    if not path.exists():
        return pd.DataFrame()
    with _database(path) as connection:
        latest = "SELECT max(id) FROM runs GROUP BY quarter"
        severity = pd.read_sql_query(
            f"SELECT r.quarter, c.severity, sum(c.count) AS n FROM rule_counts c JOIN runs r ON r.id = c.run_id "
            f"WHERE r.id IN ({latest}) GROUP BY r.quarter, c.severity", connection)
        tracking = ", ".join(f"'{rule_id}'" for rule_id in TRACKING_RULE_IDS)
        problems = pd.read_sql_query(
            f"SELECT r.quarter, sum(c.count) AS n FROM rule_counts c JOIN runs r ON r.id = c.run_id "
            f"WHERE r.id IN ({latest}) AND c.rule_id NOT IN ({tracking}) GROUP BY r.quarter", connection)
        status = pd.read_sql_query(
            f"SELECT r.quarter, s.status, sum(s.count) AS n FROM status_counts s JOIN runs r ON r.id = s.run_id "
            f"WHERE r.id IN ({latest}) GROUP BY r.quarter, s.status", connection)
    table = pd.concat([severity.pivot(index="quarter", columns="severity", values="n"),
                       status.pivot(index="quarter", columns="status", values="n"),
                       problems.set_index("quarter")["n"].rename(PROBLEMS)], axis=1)
    columns = [c for c in ("错误", "警告", "提示", "未整改", "整改中", "已整改", "已销号", PROBLEMS) if c in table.columns]
    return table.reindex(columns=columns).fillna(0).astype(int).rename_axis("季度").reset_index()


def latest_rectification(path: Path, before_quarter: str) -> Path | None:
    """The 整改台账 written by the latest run of an earlier quarter, if its file still exists."""
    if not path.exists():
        return None
    with _database(path) as connection:
        row = connection.execute(
            "SELECT rectification FROM runs WHERE quarter < ? AND rectification != '' ORDER BY quarter DESC, id DESC LIMIT 1",
            (before_quarter,)).fetchone()
    return Path(row[0]) if row and Path(row[0]).exists() else None
