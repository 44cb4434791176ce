"""The catalogue: everything in schemas/ (fields, aliases, code lists, rosters, the national
system's other tables, rule metadata).

It is data a county can edit, loaded once per run into frozen dataclasses and passed down
explicitly; nothing here is global state.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AuditInputError
from .resources import schemas_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SEVERITIES = ("错误", "警告", "提示")
SEVERITY_ENGLISH = {"错误": "error", "警告": "warning", "提示": "info"}
GATES = {"G1": "采集录入", "G2": "数据审核", "G3": "数据核准", "G4": "督查指导", "G5": "预警审查"}
ENTITIES = ("person", "household", "village", "roster")   # roster: a row of a roster or table


@dataclass(frozen=True)
class CodeList:
    name: str
    values: tuple[str, ...]
    synonyms: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldSpec:
    """One canonical column of the ledger or of a roster."""

    name: str
    type: str
    level: str = "P"
    required: str = ""
    codes: str | None = None
    aliases: tuple[str, ...] = ()
    inverted_aliases: tuple[str, ...] = ()
    minimum: float | None = None   # numeric fields: the range G1-009 checks
    maximum: float | None = None


@dataclass(frozen=True)
class CoverageSpec:
    """Which ledger persons a roster or a group of national tables should list, by which the 乡镇 it
    covers are told (crosscheck/coverage.py; rosters.toml and tables.toml `expected` …)."""

    name: str                      # the roster's department (医保), or the table group (户信息, 务工)
    kind: str                      # 名单 or 表: the report says 医保名单, 务工表
    # Who should be listed: alternatives, each column → accepted values, {"not": [...]},
    # {"contains": code} or {"above": number}; None: every active person.
    expected: tuple[dict[str, object], ...] | None = None
    comparison: str = "比对"        # what a 乡镇 it does not cover misses, as the report says it
    share_tested: bool = False     # a 乡镇 where it matches too few of those it should list is not covered
    tables: tuple[str, ...] = ()   # a table group: its tables, judged together


@dataclass(frozen=True)
class RosterSpec:
    """One department's roster, described once (schemas/rosters.toml)."""

    department: str
    keys: tuple[str, ...]
    title: str
    fields: dict[str, FieldSpec]
    id_column: str = "证件号码"
    name_column: str = "姓名"
    match_via_head: bool = False   # one row per household, listed by its 户主
    id_from: str = ""              # a column whose first 18 characters are the ID where id_column is empty
    rule_prefix: str = ""          # its rules' IDs start so (G3-1)
    # Who the roster should list: alternatives, each column → accepted values or {"not": [...]}.
    expected: tuple[dict[str, object], ...] | None = None
    comparison: str = "比对"        # what a 乡镇 the roster does not cover misses, as the report says it
    share_tested: bool = False     # a 乡镇 where it matches too few of those it should list is not covered

    @property
    def coverage(self) -> CoverageSpec:
        return CoverageSpec(self.department, "名单", self.expected, self.comparison, self.share_tested)


@dataclass(frozen=True)
class LedgerCount:
    """What the ledger rows of one village add up to, for a count of 行政村信息 (G5-014): its
    households or its persons, among the active rows meeting every column → accepted values."""

    unit: str                                  # "households" or "persons"
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TableSpec:
    """One of the national system's other tables (schemas/tables.toml): 户信息, the 务工 tables, 行政村."""

    name: str
    keys: tuple[str, ...]
    title: str
    fields: dict[str, FieldSpec]
    join: tuple[str, ...]                      # the columns that tie a row to the ledger
    fills_ledger: tuple[str, ...] = ()         # household columns that stand in for absent ledger ones
    ledger_counts: dict[str, LedgerCount] = field(default_factory=dict)
    # Its row of the cross-check matrix: a count column (result.MATRIX_COLUMNS) → the rule whose
    # findings that count is; "label" → how the row is named to a user (户信息表).
    matrix: dict[str, str] = field(default_factory=dict)
    # Columns that show a file is this table when every ledger column it has is the table's (the
    # 户信息 table or a 务工 table given as the ledger); default: the table's columns the ledger lacks.
    tells: tuple[str, ...] = ()
    tells_at_least: int = 1

    @property
    def label(self) -> str:
        return self.matrix.get("label", f"{self.name}表")


@dataclass(frozen=True)
class RuleSpec:
    """Metadata of one rule (schemas/rules/G*.toml). The logic lives in gates/ or crosscheck/."""

    rule_id: str
    title: str
    severity: str
    unit: str
    entity: str
    message: str
    remedy: str
    basis: str
    what: str = ""  # 检查什么: the rule explained to a user, in Chinese (`audit rules X`)
    example: str = ""  # a row that fires, in Chinese
    assist_unit: str = ""
    needs: tuple[str, ...] = ()
    condition: str | None = None  # a county's own rule: a pandas expression over canonical columns
    red_line: bool = False        # crosses a red line of 两不愁三保障 / 应纳未纳: shown first in the report
    source: str = ""  # the TOML file it came from, for messages

    @property
    def gate(self) -> str:
        return self.rule_id[:2]


@dataclass(frozen=True)
class Catalog:
    fields: dict[str, FieldSpec]
    codes: dict[str, CodeList]
    yes_no: CodeList
    rosters: dict[str, RosterSpec]
    rules: dict[str, RuleSpec]
    required_one_of: dict[str, tuple[str, ...]]
    tables: dict[str, TableSpec] = field(default_factory=dict)
    # The person tables' coverage by 乡镇 (tables.toml [coverage]): group name → its spec.
    table_coverage: dict[str, CoverageSpec] = field(default_factory=dict)

    def code_list(self, field_name: str, fields: dict[str, FieldSpec] | None = None) -> CodeList | None:
        spec = (fields or self.fields).get(field_name)
        return self.codes.get(spec.codes) if spec and spec.codes else None

    def roster_for_key(self, key: str) -> RosterSpec | None:
        """The roster named by a command-line key: 民政, minzheng, MinZheng …"""
        wanted = key.strip().lower()
        return next((r for r in self.rosters.values() if wanted in {k.lower() for k in r.keys}), None)

    def table_for_key(self, key: str) -> TableSpec | None:
        """The table named by a command-line key: 户信息, huxinxi …"""
        wanted = key.strip().lower()
        return next((t for t in self.tables.values() if wanted in {k.lower() for k in t.keys}), None)


def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise AuditInputError("找不到该文件。", file=str(path), hint="检查路径是否正确。") from None
    except tomllib.TOMLDecodeError as error:
        raise AuditInputError(f"TOML 格式错误（{error}）。", file=str(path),
                              hint="按 audit init 生成的示例检查引号、等号和方括号。") from None


def _field(name: str, raw: dict) -> FieldSpec:
    return FieldSpec(
        name=name, type=raw.get("type", "text"), level=raw.get("level", "P"),
        required=raw.get("required", ""), codes=raw.get("codes"),
        aliases=tuple(raw.get("aliases", ())), inverted_aliases=tuple(raw.get("inverted_aliases", ())),
        minimum=raw.get("minimum"), maximum=raw.get("maximum"),
    )


def _code_lists(raw: dict) -> dict[str, CodeList]:
    return {name: CodeList(name, tuple(c["values"]), dict(c.get("synonyms", {})))
            for name, c in raw.get("codes", {}).items()}


def _rule(rule_id: str, raw: dict, source: Path) -> RuleSpec:
    missing = [k for k in ("title", "severity", "unit", "message") if k not in raw]
    if missing or raw.get("severity") not in SEVERITIES or rule_id[:2] not in GATES \
            or raw.get("entity", "person") not in ENTITIES:
        raise AuditInputError(
            f"规则 {rule_id} 定义不完整或有误（缺少 {', '.join(missing) or '无'}；"
            f"严重程度须为 错误/警告/提示；编号须以 G1–G5 开头；entity 须为 {'、'.join(ENTITIES)}）。",
            file=str(source), hint="对照 schemas/rules/ 中已有规则的写法补全。")
    return RuleSpec(
        rule_id=rule_id, title=raw["title"], severity=raw["severity"], unit=raw["unit"],
        assist_unit=raw.get("assist_unit", ""), entity=raw.get("entity", "person"),
        message=raw["message"], remedy=raw.get("remedy", ""), basis=raw.get("basis", ""),
        what=raw.get("what", ""), example=raw.get("example", ""),
        needs=tuple(raw.get("needs", ())), condition=raw.get("condition"), red_line=bool(raw.get("red_line", False)),
        source=str(source),
    )


def _table(name: str, raw: dict) -> TableSpec:
    counts = {column: LedgerCount(c["count"], {k: tuple(v) for k, v in c.get("where", {}).items()})
              for column, c in raw.get("ledger_counts", {}).items()}
    return TableSpec(name, tuple(raw["keys"]), raw["title"], {n: _field(n, f) for n, f in raw["fields"].items()},
                     join=tuple(raw["join"]), fills_ledger=tuple(raw.get("fills_ledger", ())), ledger_counts=counts,
                     matrix=dict(raw.get("matrix", {})), tells=tuple(raw.get("tells", ())),
                     tells_at_least=int(raw.get("tells_at_least", 1)))


def _table_coverage(name: str, raw: dict) -> CoverageSpec:
    return CoverageSpec(name, "表", expected=tuple(raw["expected"]) if "expected" in raw else None,
                        comparison=raw.get("comparison", "比对"), share_tested=bool(raw.get("share_tested", False)),
                        tables=tuple(raw["tables"]))


def load_rules(paths: list[Path]) -> dict[str, RuleSpec]:
    rules: dict[str, RuleSpec] = {}
    for path in paths:
        for rule_id, raw in read_toml(path).get("rules", {}).items():
            rules[rule_id] = _rule(rule_id, raw, path)
    return dict(sorted(rules.items()))


def load_catalog(directory: Path | None = None, extra_rule_files: tuple[Path, ...] = ()) -> Catalog:
    """Read schemas/ (the shipped one unless a county points to its own copy)."""
    directory = directory or schemas_dir()
    fields_raw = read_toml(directory / "fields.toml")
    codes_raw = read_toml(directory / "codes.toml")
    rosters_raw = read_toml(directory / "rosters.toml")
    tables_raw = read_toml(directory / "tables.toml")
    codes = _code_lists(codes_raw) | _code_lists(rosters_raw)
    yes_no = CodeList("yes_no", tuple(codes_raw["yes_no"]["values"]), dict(codes_raw["yes_no"]["synonyms"]))
    rosters = {
        dept: RosterSpec(dept, tuple(r["keys"]), r["title"], {name: _field(name, f) for name, f in r["fields"].items()},
                         id_column=r.get("id_column", "证件号码"), name_column=r.get("name_column", "姓名"),
                         match_via_head=bool(r.get("match_via_head", False)), id_from=r.get("id_from", ""),
                         rule_prefix=r.get("rule_prefix", ""), expected=tuple(r["expected"]) if "expected" in r else None,
                         comparison=r.get("comparison", "比对"), share_tested=bool(r.get("share_tested", False)))
        for dept, r in rosters_raw["rosters"].items()
    }
    rule_files = sorted((directory / "rules").glob("*.toml")) + list(extra_rule_files)
    return Catalog(
        fields={name: _field(name, raw) for name, raw in fields_raw["fields"].items()},
        codes=codes, yes_no=yes_no, rosters=rosters, rules=load_rules(rule_files),
        required_one_of={k: tuple(v) for k, v in fields_raw.get("required_one_of", {}).items()},
        tables={name: _table(name, raw) for name, raw in tables_raw.get("tables", {}).items()},
        table_coverage={name: _table_coverage(name, raw) for name, raw in tables_raw.get("coverage", {}).items()},
    )
