"""Each rule's small examples, kept beside the rules as sqlfluff and ruff keep theirs.

schemas/examples/G*.toml gives, for every rule, a few ledger rows that fire it and a few that do
not. A row is the example person (EXAMPLE_PERSON: a 脱贫户 household of one, clean under every
rule) with the cells the example names changed, so an example says only what matters:

    [G1-001]
    fires = [{ "户类型" = "" }]
    passes = [{}]

(TOML wants the Chinese keys quoted.) A case may also be a table, when it needs more than
ledger rows:

    [G3-101.fires]
    ledger = [{ "是否享受农村居民最低生活保障" = "否" }]
    rosters."民政" = [{ "救助类型" = "低保" }]        # roster row n is about ledger person n
    tables."户信息" = [{ "是否通生活用电" = "否" }]   # likewise for the national tables
    without = ["是否通生活用电"]                    # ledger columns the example's ledger lacks
    previous_ledger = [{ "人均纯收入（元）" = "20000" }]
    previous = { as_of = "2022-03-31", "整改状态" = "未整改" }   # last quarter's 整改台账 (G4-011/012),
    tracks = "G1-001"                             # and the rule of the problem it tracks
    as_of = "2022-06-30"
    note = "为什么这样会被报告（中文，可省略）"

Members after the first belong to the same household unless they say otherwise, with a 与户主关系,
birth date and sex of their own (MEMBERS) and an ID number built from them (valid check character);
户主姓名, 家庭人口数 and 人均纯收入 follow the rows as given. `run_case` runs one rule on one case through the same
stages as `audit_county` (a tracking rule: the problem it tracks, found twice and carried forward).
`audit rules X` shows the examples and what the rule says on them; tests/test_rule_examples.py
runs them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from .audit import rule_context
from .catalog import Catalog, read_toml
from .config import AuditConfig
from .errors import AuditInputError
from .frame import ID_STORED_AS_NUMBER, SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, TEXT
from .gates.engine import run_gates
from .gates.rule import RegisteredRule
from .identity import check_characters
from .resources import schemas_dir
from .track.rectification import TRACKING_RULE_IDS, carry_forward

EXAMPLE_AS_OF = date(2022, 6, 30)
EXAMPLE_FILE = "示例.xlsx"
EXAMPLE_PERSON: dict[str, str] = {
    "县": "陇县", "乡镇": "城关镇", "行政村": "东河村", "户编号": "6103270010000001", "姓名": "张建国",
    "证件类型": "居民身份证", "证件号码": "", "性别": "男", "出生日期": "1970-05-01", "民族": "汉族",
    "与户主关系": "户主", "户主姓名": "", "户类型": "脱贫户", "监测对象类别": "", "家庭人口数": "",
    "文化程度": "初中", "在校生状况": "", "义务教育阶段未上学原因": "", "健康状况": "健康", "劳动技能": "普通劳动力",
    "务工所在地": "西安市", "务工时间（月）": "10",
    "是否参加城乡居民基本医疗保险": "是", "是否参加城镇职工基本医疗保险": "否", "是否参加大病保险": "是",
    "是否参加城乡居民基本养老保险": "是", "是否参加城镇职工基本养老保险": "否", "是否接受医疗救助": "否",
    "是否享受农村居民最低生活保障": "否", "是否特困供养人员": "否", "是否危房户": "否", "是否解决安全饮用水": "是",
    "工资性收入": "36000", "生产经营性收入": "6000", "财产性收入": "500", "转移性收入": "2500",
    "生产经营性支出": "1000", "纯收入（元）": "44000", "人均纯收入（元）": "44000", "合规自付支出": "300",
    "致贫/返贫风险": "", "识别监测时间": "", "风险是否已消除": "", "风险消除方式": "", "消除监测时间": "",
    "帮扶责任人": "", "帮扶责任人联系电话": "", "户联系电话": "13912345678", "帮扶措施": "",
    "公益性岗位（月数）": "", "公益性岗位说明": "",
    "耕地面积（亩）": "5.5", "林地面积（亩）": "2", "林果面积（亩）": "", "牧草地面积（亩）": "", "水面面积（亩）": "",
    "住房面积": "120", "是否通生活用电": "是", "入户道路是否硬化": "是", "是否有卫生厕所": "是",
    "风险消除后是否住房损毁": "", "风险消除后是否饮水设施损毁": "", "风险消除后是否义务教育阶段适龄儿童少年失学辍学": "",
    "人员状态": "正常",
}
# The second, third … member of a household, unless the example says otherwise.
CHILD = {"劳动技能": "无劳动力", "务工所在地": "", "务工时间（月）": "0",
         "是否参加城乡居民基本养老保险": "否"}
MEMBERS = (
    {"姓名": "李秀兰", "与户主关系": "配偶", "性别": "女", "出生日期": "1972-08-15"},
    {"姓名": "张伟", "与户主关系": "之子", "性别": "男", "出生日期": "1998-03-10", "文化程度": "高中"},
    {"姓名": "张丽", "与户主关系": "之女", "性别": "女", "出生日期": "2010-11-20", "文化程度": "小学", "在校生状况": "小学", **CHILD},
    {"姓名": "张明", "与户主关系": "之孙子", "性别": "男", "出生日期": "2018-02-03", "文化程度": "", "在校生状况": "学龄前儿童", **CHILD},
)
REGION = "610327"   # 陇县
COPIED_TO_ROSTERS = ("县", "乡镇", "行政村", "户编号", "姓名", "证件号码")   # who a roster or table row is about


@dataclass(frozen=True)
class ExampleCase:
    ledger: tuple[dict, ...]
    rosters: dict[str, tuple[dict, ...]] = field(default_factory=dict)
    tables: dict[str, tuple[dict, ...]] = field(default_factory=dict)
    without: tuple[str, ...] = ()
    previous_ledger: tuple[dict, ...] | None = None
    previous: dict | None = None
    tracks: str = ""
    as_of: date = EXAMPLE_AS_OF
    note: str = ""


@dataclass(frozen=True)
class RuleExamples:
    rule_id: str
    fires: tuple[ExampleCase, ...]
    passes: tuple[ExampleCase, ...]
    source: str


def load_examples(directory: Path | None = None) -> dict[str, RuleExamples]:
    """Every rule's examples, from schemas/examples/G*.toml (the shipped ones unless given)."""
    examples: dict[str, RuleExamples] = {}
    for path in sorted(((directory or schemas_dir()) / "examples").glob("G*.toml")):
        for rule_id, raw in read_toml(path).items():
            if rule_id in examples:   # a second file would silently replace the first one's cases
                raise AuditInputError(f"规则 {rule_id} 的示例写在两个文件中（另一个是 {Path(examples[rule_id].source).name}）。",
                                      file=str(path), hint="把这条规则的示例合并到一个文件中。")
            examples[rule_id] = RuleExamples(rule_id, _cases(raw.get("fires")), _cases(raw.get("passes")), str(path))
    return examples


def _cases(raw) -> tuple[ExampleCase, ...]:
    """A list of ledger rows is one case; a table is one case with more inputs; a list of tables,
    several cases."""
    if raw is None:
        return ()
    if isinstance(raw, dict):
        return (_case(raw),)
    if raw and all(isinstance(item, dict) and "ledger" in item for item in raw):
        return tuple(_case(item) for item in raw)
    return (_case({"ledger": raw}),)


def _case(raw: dict) -> ExampleCase:
    previous_ledger = raw.get("previous_ledger")
    return ExampleCase(
        ledger=tuple(raw.get("ledger", [{}])),
        rosters={name: tuple(rows) for name, rows in raw.get("rosters", {}).items()},
        tables={name: tuple(rows) for name, rows in raw.get("tables", {}).items()},
        without=tuple(raw.get("without", ())),
        previous_ledger=tuple(previous_ledger) if previous_ledger is not None else None,
        previous=raw.get("previous"),
        tracks=raw.get("tracks", ""),
        as_of=_date(raw.get("as_of", EXAMPLE_AS_OF)),
        note=raw.get("note", ""),
    )


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def ledger_rows(rows: tuple[dict, ...], without: tuple[str, ...] = ()) -> pd.DataFrame:
    """The example person, and the members after it, with the example's cells; loaded as
    normalise leaves a ledger (text columns, then where each row came from)."""
    people = [{**EXAMPLE_PERSON, **(MEMBERS[(i - 1) % len(MEMBERS)] if i else {}), **_cells(row)}
              for i, row in enumerate(rows)]
    frame = pd.DataFrame(people).fillna("")
    frame = _with_ids(frame, [row for row in rows])
    household = frame.groupby("户编号")
    heads = frame["姓名"].where(frame["与户主关系"] == "户主").groupby(frame["户编号"]).transform("first").fillna("")
    frame["户主姓名"] = _given(rows, "户主姓名", frame["户主姓名"].where(frame["户主姓名"] != "", heads))
    size = household["姓名"].transform("size")
    frame["家庭人口数"] = _given(rows, "家庭人口数", size.astype(str))
    per_person = (pd.to_numeric(frame["纯收入（元）"], errors="coerce") / size).round(2)
    frame["人均纯收入（元）"] = _given(rows, "人均纯收入（元）", per_person.map("{:g}".format))
    frame = frame.drop(columns=[c for c in without if c in frame.columns])
    stored_as_number = pd.Series([bool(row.get(ID_STORED_AS_NUMBER, False)) for row in rows], dtype=bool)
    return _with_sources(frame.astype(TEXT), "台账").assign(**{ID_STORED_AS_NUMBER: stored_as_number})


def _cells(row: dict) -> dict[str, str]:
    return {column: str(value) for column, value in row.items() if column != ID_STORED_AS_NUMBER}


def _with_ids(frame: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    """An 18-digit ID from each row's birth date and sex (sequence 00n, check character computed)
    where the example gives none."""
    sequence = pd.Series([f"{i % 50:02d}" for i in range(len(frame))])
    sex_digit = frame["性别"].map({"男": "1", "女": "2"}).fillna("1")
    first17 = REGION + frame["出生日期"].str.replace("-", "", regex=False) + sequence + sex_digit
    generated = first17 + check_characters(first17.astype(TEXT)).astype(str)
    frame["证件号码"] = _given(rows, "证件号码", generated)
    return frame


def _given(rows: tuple[dict, ...] | list[dict], column: str, default: pd.Series) -> pd.Series:
    """The example's own cell where it gives one, otherwise the default."""
    given = pd.Series([row.get(column) for row in rows], dtype=object)
    return given.where(given.notna(), default).astype(str)


def _with_sources(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    return frame.assign(**{SOURCE_FILE: EXAMPLE_FILE, SOURCE_SHEET: sheet,
                           SOURCE_ROW: pd.Series(range(2, len(frame) + 2), index=frame.index, dtype="int64")})


def about_people(rows: tuple[dict, ...], ledger: pd.DataFrame, fields) -> pd.DataFrame:
    """Roster or table rows: row n copies who ledger person n is (姓名, 证件号码, 乡镇 …, as far as
    the roster has those columns), then takes the example's cells."""
    people = ledger.iloc[[min(i, len(ledger) - 1) for i in range(len(rows))]]
    copied = [c for c in COPIED_TO_ROSTERS if c in fields and c in ledger.columns]
    frame = pd.DataFrame([{**{c: people[c].iloc[i] for c in copied}, **_cells(row)} for i, row in enumerate(rows)])
    return frame.reindex(columns=list(dict.fromkeys([*copied, *frame.columns]))).fillna("").astype(TEXT)


@dataclass
class CaseInputs:
    ledger: pd.DataFrame
    rosters: dict[str, pd.DataFrame]
    tables: dict[str, pd.DataFrame]
    previous_ledger: pd.DataFrame | None


def case_inputs(case: ExampleCase, catalog: Catalog) -> CaseInputs:
    ledger = ledger_rows(case.ledger, case.without)
    rosters = {name: _with_sources(about_people(rows, ledger, catalog.rosters[name].fields), name)
               for name, rows in case.rosters.items()}
    tables = {name: _with_sources(about_people(rows, ledger, catalog.tables[name].fields), name)
              for name, rows in case.tables.items()}
    previous = ledger_rows(case.previous_ledger) if case.previous_ledger is not None else None
    return CaseInputs(ledger, rosters, tables, previous)


def run_case(rule_id: str, case: ExampleCase, catalog: Catalog, rules: dict[str, RegisteredRule]) -> pd.DataFrame:
    """The findings of one rule on one example case."""
    inputs = case_inputs(case, catalog)
    if rule_id in TRACKING_RULE_IDS:
        return _tracked(rule_id, case, inputs, catalog, rules)
    return _findings(rule_id, inputs, AuditConfig(as_of=case.as_of), catalog, rules)


def _findings(rule_id: str, inputs: CaseInputs, config: AuditConfig, catalog: Catalog,
              rules: dict[str, RegisteredRule]) -> pd.DataFrame:
    context = rule_context(inputs.ledger, inputs.rosters, config, catalog, inputs.previous_ledger, inputs.tables)
    return run_gates(context, {rule_id: rules[rule_id]}).findings


def _tracked(rule_id: str, case: ExampleCase, inputs: CaseInputs, catalog: Catalog,
             rules: dict[str, RegisteredRule]) -> pd.DataFrame:
    """A tracking rule: the problem `tracks` found at `previous.as_of`, its 整改台账 filled in as
    the example says, then found again (or not) at the example's date and carried forward, as
    audit_county does."""
    previous = dict(case.previous or {})
    before = AuditConfig(as_of=_date(previous.pop("as_of", EXAMPLE_AS_OF)))
    first, _ = carry_forward(None, _findings(case.tracks, inputs, before, catalog, rules), before, catalog)
    filled = first.assign(**{column: str(value) for column, value in previous.items()})
    now = AuditConfig(as_of=case.as_of)
    _, tracked = carry_forward(filled, _findings(case.tracks, inputs, now, catalog, rules), now, catalog)
    return tracked[tracked["rule_id"] == rule_id].reset_index(drop=True)


def case_text(case: ExampleCase) -> list[str]:
    """An example's inputs in Chinese, one line per row: whose row it is and only the cells it sets."""
    lines = [f"台账第 {i} 人：{_changed(i, row) if row else _unchanged(i)}" for i, row in enumerate(case.ledger, 1)]
    lines += [f"台账没有“{'”“'.join(case.without)}”列"] if case.without else []
    lines += [f"{name}名单第 {i} 行：{_shown(row) or '与台账第 ' + str(i) + ' 人相同'}"
              for name, rows in case.rosters.items() for i, row in enumerate(rows, 1)]
    lines += [f"{name}表第 {i} 行：{_shown(row) or '与台账第 ' + str(i) + ' 人相同'}"
              for name, rows in case.tables.items() for i, row in enumerate(rows, 1)]
    lines += [f"上季度台账第 {i} 人：{_shown(row) or '与本季度相同'}" for i, row in enumerate(case.previous_ledger or (), 1)]
    if case.previous is not None:
        previous = dict(case.previous)
        lines.append(f"上季度（{previous.pop('as_of', EXAMPLE_AS_OF)} 审核）的整改台账：{_shown(previous) or '未填写'}")
    lines += [f"审核截止日：{case.as_of.isoformat()}"] if case.as_of != EXAMPLE_AS_OF else []
    return lines + ([case.note] if case.note else [])


def _default(number: int) -> dict[str, str]:
    """The n-th row before the example changes it: the example person, then the members."""
    return EXAMPLE_PERSON if number == 1 else {**EXAMPLE_PERSON, **MEMBERS[(number - 2) % len(MEMBERS)]}


def _unchanged(number: int) -> str:
    """Who the n-th row is when the example changes none of its cells."""
    person = _default(number)
    if number == 1:
        return f"{person['姓名']}（户主，{person['户类型']}），各项无误"
    return f"{person['姓名']}（{person['与户主关系']}），同户成员，各项无误"


def _changed(number: int, row: dict) -> str:
    """The cells the example sets, after whose row they were (unless the example names the person)."""
    person = _default(number)
    return _shown(row) if "姓名" in row else f"{person['姓名']}（{person['与户主关系']}），{_shown(row)}"


def _shown(row: dict) -> str:
    cells = [f"{column}「{value or '（空）'}」" for column, value in _cells(row).items()]
    return "，".join(cells + (["证件号码以数字存储"] if row.get(ID_STORED_AS_NUMBER) else []))
