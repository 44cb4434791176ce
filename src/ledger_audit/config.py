"""Run configuration: thresholds, rule switches, the as-of date, and where inputs and outputs are.

Everything a run depends on is in an `AuditConfig` value, so that the audit of one county is a pure
function of its input frames, this config and the as-of date (no wall clock, no global state).
A config file (TOML, see `audit init`) and command-line options both end up here; relative paths in a
config file are resolved against the file's own folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from .catalog import SEVERITIES, read_toml
from .errors import AuditInputError

QUARTER_PATTERN = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
FAIL_ON_LEVELS = ("error", "warning", "info", "never")


def quarter_end(quarter: str) -> date:
    """'2022Q2' → 2022-06-30."""
    match = QUARTER_PATTERN.match(quarter.strip())
    if not match:
        raise ValueError(quarter)
    year, q = int(match.group(1)), int(match.group(2))
    return date(year, 3 * q, 31 if q in (1, 4) else 30)


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Thresholds:
    """ledger.md "Thresholds": configuration, not code."""

    monitoring_line: dict[int, float] = field(default_factory=lambda: {2021: 6000.0, 2022: 6500.0, 2023: 7300.0})
    large_expense: float = 10000.0
    land_area_ceiling: float = 100.0    # 亩 per household and kind of land (G2-024)
    village_count_shortfall: int = 0    # how far a 行政村信息 count may fall below the ledger's (G5-014)
    income_drop: float = 0.30
    school_age_min: int = 6
    school_age_max: int = 15
    min_months_to_clear: int = 6
    roster_town_coverage: float = 0.5   # share of a 乡镇's people a roster must match to cover it
    broken_column_share: float = 0.20   # share of a column's filled cells broken before the run says so first
    employed_months: int = 6   # 务工时间（月） from which 人社's 未就业 contradicts the ledger (G3-703)
    deadline_days: dict[str, int | None] = field(default_factory=lambda: {"错误": 15, "警告": 30, "提示": None})

    def monitoring_line_for(self, year: int) -> float:
        """The line of that year, or of the latest earlier year configured (a new year before the
        province publishes its line keeps last year's)."""
        known = sorted(y for y in self.monitoring_line if y <= year) or sorted(self.monitoring_line)
        return self.monitoring_line[known[-1]]


@dataclass(frozen=True)
class AuditConfig:
    """What the audit itself depends on. Part of the pure function's input."""

    as_of: date
    thresholds: Thresholds = field(default_factory=Thresholds)
    disabled_rules: frozenset[str] = frozenset()
    severity_overrides: dict[str, str] = field(default_factory=dict)
    county: str = ""

    @property
    def quarter(self) -> str:
        return quarter_of(self.as_of)

    @property
    def monitoring_line(self) -> float:
        return self.thresholds.monitoring_line_for(self.as_of.year)


SPLITS = ("乡镇",)   # --split-by: what a run can write one workbook per


@dataclass(frozen=True)
class RunSettings:
    """Where a run reads and writes: the command line, a config file, or both (options win)."""

    ledgers: tuple[Path, ...] = ()
    rosters: dict[str, Path] = field(default_factory=dict)
    tables: dict[str, Path] = field(default_factory=dict)   # 户信息, 已外出务工 … (tables.toml)
    out_dir: Path | None = None
    formats: tuple[str, ...] = ("xlsx", "html", "json")
    fail_on: str = "error"
    previous: tuple[Path, ...] = ()      # last quarter's 整改台账: workbooks, or folders of them
    previous_ledger: Path | None = None
    extra_rule_files: tuple[Path, ...] = ()
    log: Path | None = None
    split_by: str | None = None          # "乡镇": also one workbook per 乡镇
    mask: bool = True                    # IDs and phones masked in what people read (report/redact.py)


def parse_as_of(quarter: str | None, as_of: str | None) -> date:
    """The as-of date from --quarter or --as-of. There is no default from the wall clock: a run
    without either is a usage error raised by the caller."""
    if as_of:
        try:
            return date.fromisoformat(as_of.strip())
        except ValueError:
            raise AuditInputError(f"截止日期「{as_of}」不是 YYYY-MM-DD 格式的日期。",
                                  hint="例如 --as-of 2022-06-30。") from None
    try:
        return quarter_end(quarter or "")
    except ValueError:
        raise AuditInputError(f"季度「{quarter}」不是 2022Q2 这样的写法。",
                              hint="例如 --quarter 2022Q2（第二季度，截止 2022-06-30）。") from None


def _thresholds(raw: dict, source: str) -> Thresholds:
    base = Thresholds()
    try:
        line = {int(y): float(v) for y, v in raw.get("monitoring_line", {}).items()}
        ages = raw.get("school_age", [base.school_age_min, base.school_age_max])
        return replace(
            base,
            monitoring_line=base.monitoring_line | line,
            large_expense=float(raw.get("large_expense", base.large_expense)),
            land_area_ceiling=float(raw.get("land_area_ceiling", base.land_area_ceiling)),
            village_count_shortfall=int(raw.get("village_count_shortfall", base.village_count_shortfall)),
            income_drop=float(raw.get("income_drop", base.income_drop)),
            school_age_min=int(ages[0]), school_age_max=int(ages[1]),
            min_months_to_clear=int(raw.get("min_months_to_clear", base.min_months_to_clear)),
            roster_town_coverage=float(raw.get("roster_town_coverage", base.roster_town_coverage)),
            broken_column_share=float(raw.get("broken_column_share", base.broken_column_share)),
            employed_months=int(raw.get("employed_months", base.employed_months)),
        )
    except (TypeError, ValueError, IndexError) as error:
        raise AuditInputError(f"[thresholds] 中的数值有误（{error}）。", file=source,
                              hint="监测线写成 monitoring_line = { 2022 = 6500 }，其余阈值写数字。") from None


def _deadlines(raw: dict, source: str) -> dict[str, int | None]:
    days = dict(Thresholds().deadline_days)
    for severity, value in raw.items():
        if severity not in SEVERITIES or not (value is None or isinstance(value, int)):
            raise AuditInputError(f"[deadlines] 中「{severity} = {value}」无效。", file=source,
                                  hint="写成 错误 = 15、警告 = 30（天数）。")
        days[severity] = value
    return days


def load_config_file(path: Path) -> tuple[dict, RunSettings]:
    """Read a county's TOML config into AuditConfig keyword arguments and RunSettings.

    Returns the audit part as a dict (the as-of date may still come from the command line)."""
    raw = read_toml(path)
    base = path.resolve().parent
    source = str(path)

    def resolve(value: str) -> Path:
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else base / candidate

    run = raw.get("run", {})
    rules = raw.get("rules", {})
    severity = dict(rules.get("severity", {}))
    bad = {k: v for k, v in severity.items() if v not in SEVERITIES}
    if bad:
        raise AuditInputError(f"[rules] severity 中的严重程度无效：{bad}。", file=source,
                              hint="严重程度只能是 错误、警告、提示。")
    thresholds = replace(_thresholds(raw.get("thresholds", {}), source),
                         deadline_days=_deadlines(raw.get("deadlines", {}), source))
    audit = {
        "thresholds": thresholds,
        "disabled_rules": frozenset(rules.get("disabled", ())),
        "severity_overrides": severity,
        "county": run.get("county", ""),
        "quarter": run.get("quarter"),
        "as_of": run.get("as_of"),
    }
    ledgers = tuple(sorted(p for pattern in run.get("ledgers", ()) for p in _glob(resolve(pattern))))
    settings = RunSettings(
        ledgers=ledgers,
        rosters={k: resolve(v) for k, v in raw.get("rosters", {}).items()},
        tables={k: resolve(v) for k, v in raw.get("tables", {}).items()},
        out_dir=resolve(run["out"]) if "out" in run else None,
        formats=tuple(run.get("formats", RunSettings.formats)),
        fail_on=run.get("fail_on", "error"),
        previous=tuple(resolve(p) for p in _as_list(run.get("previous", ()))),
        previous_ledger=resolve(run["previous_ledger"]) if "previous_ledger" in run else None,
        extra_rule_files=tuple(resolve(p) for p in rules.get("extra_files", ())),
        log=resolve(run["log"]) if "log" in run else None,
        split_by=run.get("split_by"),
        mask=bool(run.get("mask", True)),
    )
    return audit, settings


def _glob(pattern: Path) -> list[Path]:
    """Expand a glob in a config's ledgers list; a plain path is kept even if absent, so that the
    loader reports it as missing instead of silently auditing nothing."""
    if any(ch in str(pattern) for ch in "*?["):
        return sorted(pattern.parent.glob(pattern.name))
    return [pattern]


def _as_list(value) -> list:
    """A config entry that may be one path or a list of them (previous = "a.xlsx" or ["a", "b"])."""
    return [value] if isinstance(value, str) else list(value)
