"""Step 2 of the flow: raw sheets → one canonical frame (frame.py) per ledger or roster.

    load_ledger([Path("台账.xlsx")], catalog)       → LoadedTable (one row per person)
    load_roster("医保", Path("参保.xlsx"), catalog)  → LoadedTable (one row per roster row)
    load_table("户信息", Path("户信息.xlsx"), catalog) → LoadedTable (one row per table row)

Several files and several sheets are concatenated; a 户 sheet (household fields, no person
columns) is joined onto the 人 sheets by 户编号. Blank, subtotal and signature rows are dropped and
counted. Unknown columns are kept under their own header and passed through to the reports.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog import Catalog, FieldSpec
from ..errors import AuditInputError
from ..frame import ID_STORED_AS_NUMBER, META_COLUMNS, SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, TEXT, LoadedTable, LoadReport
from ..read.sheets import RawSheet, read_sheets
from .header import HEADER_SCAN_ROWS, ColumnMatch, HeaderLayout, alias_index, find_header, header_key
from .values import invert_yes_no, normalise_column, normalise_pass_through

SUBTOTAL = re.compile(r"^(合计|总计|小计|共计)")
SIGNATURE = re.compile(r"^(填表人|填报人|审核人|负责人|单位负责人|制表人|制表|填报日期|填表日期|审核日期|备注[:：])")
PERSON_COLUMNS = ("姓名", "证件号码")
ID_COLUMNS = ("证件号码", "户主证件号码", "残疾人证号")   # numbers here lose digits (ID_STORED_AS_NUMBER)
LEADING_COLUMNS = 5
# A roster or table file with this many ledger columns it does not have itself is the ledger.
LEDGER_ONLY_COLUMNS = 10


def load_ledger(paths: list[Path], catalog: Catalog) -> LoadedTable:
    """A missing column never stops the audit (the rules that need it are listed as not run),
    unless rows cannot be told apart without it: 户编号, and 证件号码 or 姓名."""
    measures = catalog.codes["帮扶措施"]
    fold = {"帮扶措施": {code: code for code in measures.values} | measures.synonyms}
    table = _load("ledger", paths, catalog.fields, catalog, fold)
    table.report.title = "台账"
    present = set(table.frame.columns)
    identity = [] if "户编号" in present else ["户编号"]
    if not present.intersection(PERSON_COLUMNS):
        identity.append("证件号码")
    _require(table, catalog.fields, identity, catalog,
             "台账至少要有 户编号，以及 证件号码 或 姓名 中的一列，才能区分每一行；其余缺少的列不影响审核。")
    table_given = _table_given_as_ledger(table, catalog)
    if table_given:
        raise table_given
    table.report.missing_required = _missing_required(present, catalog)
    return table


def county_of(table: LoadedTable) -> str:
    """The county a ledger belongs to, for titles and file names: the most common value of its 县
    column, or the first file's name without extension (台账_示例县) when it has none."""
    values = table.frame["县"].astype(str).str.strip() if "县" in table.frame.columns else pd.Series(dtype=str)
    values = values[values != ""]
    return values.value_counts().index[0] if len(values) else Path(table.report.files[0]).stem


def load_roster(department: str, path: Path, catalog: Catalog) -> LoadedTable:
    return _load_input(department, catalog.rosters[department].fields, path, catalog)


def load_table(name: str, path: Path, catalog: Catalog) -> LoadedTable:
    """One of the national system's other tables (户信息, 已外出务工, 计划外出务工, 行政村)."""
    return _load_input(name, catalog.tables[name].fields, path, catalog)


def _load_input(role: str, fields: dict[str, FieldSpec], path: Path, catalog: Catalog) -> LoadedTable:
    """A roster or table: every column its spec marks required must be there, and it must not be
    the ledger (which has the few columns a table or roster needs, and many more)."""
    table = _load(role, [path], fields, catalog, {})
    table.report.title = _role_words(role, catalog)[0]
    present = set(table.frame.columns)
    ledger_only = _recognised(table, catalog.fields) - set(fields)
    if len(ledger_only) >= LEDGER_ONLY_COLUMNS:
        raise _ledger_given_as(role, path.name, catalog)
    _require(table, fields, [name for name, field in fields.items() if field.required == "R" and name not in present],
             catalog)
    return table


def _missing_required(present: set[str], catalog: Catalog) -> list[str]:
    """Required columns (ledger.md Req R/M, one of the two insurance columns) that are absent."""
    missing = [name for name, spec in catalog.fields.items() if spec.required in ("R", "M") and name not in present]
    return missing + ["或".join(options) for options in catalog.required_one_of.values() if not present.intersection(options)]


def _load(role: str, paths: list[Path], fields: dict[str, FieldSpec], catalog: Catalog,
          fold: dict[str, dict[str, str]]) -> LoadedTable:
    report = LoadReport(role=role)
    index = alias_index(fields, fold)
    frames = []
    for path in paths:
        path = Path(path)
        sheets = read_sheets(path)
        report.files.append(path.name)
        report.sha256[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        canonical = [f for f in (_canonical_sheet(s, index, fields, catalog, report) for s in sheets) if f is not None]
        if not canonical:
            top_texts = {str(text) for sheet in sheets for text in sheet.cells.head(HEADER_SCAN_ROWS).stack()}
            raise _wrong_role_error(path.name, top_texts, role, catalog) or AuditInputError(
                f"未找到表头行：在工作表 {'、'.join(s.sheet or '(CSV)' for s in sheets) or '(无)'} 的前 30 行中"
                "都没有找到台账的列名（如 姓名、证件号码、户编号）。", file=path.name,
                hint="确认选择的是台账或部门名单文件；如列名与常见写法不同，可在 schemas/ 的别名表中补充。")
        frames.extend(_join_household_sheets(canonical))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if frame.empty:
        raise AuditInputError("工作簿中没有数据行（只有表头或全部为空行）。", file=", ".join(report.files),
                              hint="确认导出时选中了数据；空白模板无需审核。")
    frame = _finish(frame, fields, assembled=len(report.sheets) > 1)
    report.rows = len(frame)
    report.missing = [name for name in fields if name not in frame.columns]
    report.extra = [c for c in frame.columns if c not in fields and c not in META_COLUMNS]
    return LoadedTable(frame, report)


def _recognised(table: LoadedTable, fields: dict[str, FieldSpec]) -> set[str]:
    """The canonical columns of `fields` among the headers a loaded file had."""
    headers = {header_key(h) for h in table.report.mapped.values()} | set(table.report.extra)
    return {match.canonical for key, match in alias_index(fields, {}).items() if key in headers}


def _table_given_as_ledger(table: LoadedTable, catalog: Catalog) -> AuditInputError | None:
    """A national table given as the ledger: every ledger column the file has is also one of the
    table's, and it has the columns that tell the table (tables.toml `tells`: by default those the
    ledger does not know, 是否已务工, 总人口数; for 户信息, whose columns are all ledger columns, its
    living conditions). A real ledger always has person columns no table has (性别, 与户主关系 …)."""
    ledger_columns = set(table.report.mapped)
    candidates = {}
    for name, spec in catalog.tables.items():
        own = _recognised(table, spec.fields)
        tells = set(spec.tells) or set(spec.fields) - set(catalog.fields)
        if ledger_columns <= set(spec.fields) and len(own & tells) >= spec.tells_at_least:
            candidates[name] = len(own)
    if not candidates:
        return None
    name = max(candidates, key=candidates.get)
    fields = catalog.tables[name].fields
    person = [f for f, spec in catalog.fields.items() if spec.level == "P" and spec.required == "R" and f not in fields][:4]
    file = "、".join(table.report.files)
    return AuditInputError(f"这看起来是{name}表，不是台账：它的列都是{name}表的列，没有台账的人员信息列（如 {'、'.join(person)}）。",
                           file=file, hint=f"请用 --table {name}={file} 指定它，并给出监测对象信息（人员）台账文件。")


def _ledger_given_as(role: str, file: str, catalog: Catalog) -> AuditInputError:
    given, given_option = _role_words(role, catalog)
    return AuditInputError(f"这看起来是台账，不是{given}。", file=file,
                           hint=f"请把它作为台账文件给出（audit run {file} …）；{given}请用 {given_option} 指定。")


def _role_words(role: str, catalog: Catalog) -> tuple[str, str]:
    """How a role is named to a user, and the option that gives it: (医保名单, --roster 医保=…)."""
    if role == "ledger":
        return "台账", "audit run 台账文件"
    if role in catalog.tables:
        return f"{role}表", f"--table {role}=…"
    return f"{role}名单", f"--roster {role}=…"


def _role_of_headers(headers: set[str], role: str, catalog: Catalog) -> str | None:
    """The other role ("ledger", a department or a table) whose every required column is among
    `headers`: a roster given as the ledger, a ledger given as a roster, one roster for another."""
    roles = ({"ledger": catalog.fields} | {d: spec.fields for d, spec in catalog.rosters.items()}
             | {t: spec.fields for t, spec in catalog.tables.items()})
    keys = {header_key(h) for h in headers}
    scores = {}
    for other, fields in roles.items():
        index = alias_index(fields, {})
        found = {index[key].canonical for key in keys if key in index}
        required = {name for name, spec in fields.items() if spec.required == "R"}
        # A roster's or table's keys (姓名, 证件号码, 乡镇, 户编号) are ledger columns too: only a
        # column of its own (参保状态, 是否已务工) tells it.
        own = found if other == "ledger" else found - set(catalog.fields)
        if other != role and required <= found and found - set(PERSON_COLUMNS) and own:
            scores[other] = len(found)
    return max(scores, key=scores.get) if scores else None


def _wrong_role_error(file: str, headers: set[str], role: str, catalog: Catalog) -> AuditInputError | None:
    """"这看起来是医保名单，请用 --roster 医保=… 指定" when the headers are those of another role."""
    other = _role_of_headers(headers, role, catalog)
    if other is None:
        return None
    if other == "ledger":
        return _ledger_given_as(role, file, catalog)
    given, _ = _role_words(role, catalog)
    seems, option = _role_words(other, catalog)
    return AuditInputError(f"这看起来是{seems}，不是{given}，请用 {option} 指定。", file=file,
                           hint=f"例如 {option.replace('…', file)}。")


def _canonical_sheet(sheet: RawSheet, index: dict[str, ColumnMatch], fields: dict[str, FieldSpec],
                     catalog: Catalog, report: LoadReport) -> pd.DataFrame | None:
    layout = find_header(sheet.cells, index)
    where = f"{sheet.file}:{sheet.sheet}" if sheet.sheet else sheet.file
    if layout is None:
        report.dropped[f"无表头的工作表（{where}）"] = len(sheet.cells)
        return None
    report.sheets.append(where)
    # Rows below the header are a contiguous slice: zero-copy for Arrow columns, where a boolean
    # .loc would copy the whole sheet.
    first_data_row = sheet.cells.index.get_loc(max(layout.rows)) + 1
    body = sheet.cells[list(layout.names)].iloc[first_data_row:]
    body = _drop_ordinal_row(body, report)
    frame = _drop_non_data_rows(_map_columns(body, layout, index, fields, catalog, report), report)
    frame[ID_STORED_AS_NUMBER] = np.isin(frame.index.to_numpy(dtype=np.int64), _numeric_id_rows(sheet, layout, index))
    frame[SOURCE_FILE] = sheet.file
    frame[SOURCE_SHEET] = sheet.sheet
    frame[SOURCE_ROW] = frame.index.to_numpy(dtype=np.int64)
    _show_numbers_as_excel_does(frame)
    return frame.reset_index(drop=True)


def _drop_ordinal_row(body: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """Government forms often number the columns (1, 2, 3 …) on the row under the header."""
    if body.empty:
        return body
    first = body.iloc[0].fillna("").str.strip()
    filled = first[first != ""]
    if len(filled) >= 3 and filled.str.fullmatch("[0-9]+").all() and \
            (pd.to_numeric(filled).diff().dropna() == 1).all():
        report.dropped["列序号行"] = report.dropped.get("列序号行", 0) + 1
        return body.iloc[1:]
    return body


def _drop_non_data_rows(frame: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """Drop blank, subtotal and signature rows (counted by reason). Subtotal and signature texts
    stand in the first columns, so only those are searched."""
    if frame.empty:
        return frame
    first = frame.iloc[:, :LEADING_COLUMNS]
    # Only rows whose first columns are empty can be blank: check the whole row just for those.
    maybe_blank = (first == "").all(axis=1)
    blank = maybe_blank.copy()
    if maybe_blank.any():
        blank[maybe_blank] = (frame[maybe_blank] == "").all(axis=1)
    subtotal = first.apply(lambda column: column.str.match(SUBTOTAL.pattern)).any(axis=1) & ~blank
    signature = first.apply(lambda column: column.str.match(SIGNATURE.pattern)).any(axis=1) & ~blank & ~subtotal
    for reason, mask in (("空行", blank), ("合计行", subtotal), ("签名/备注行", signature)):
        if mask.any():
            report.dropped[reason] = report.dropped.get(reason, 0) + int(mask.sum())
    dropped = blank | subtotal | signature
    return frame[~dropped].copy() if dropped.any() else frame


def _map_columns(body: pd.DataFrame, layout: HeaderLayout, index: dict[str, ColumnMatch],
                 fields: dict[str, FieldSpec], catalog: Catalog, report: LoadReport) -> pd.DataFrame:
    """Rename to canonical names, fold multi-column forms, normalise values; unknown columns keep
    their header and pass through (cleaned). The index (Excel row numbers) is kept."""
    columns: dict[str, pd.Series] = {}
    folded: dict[str, list[pd.Series]] = {}
    used: dict[str, str] = {}   # canonical name → the header whose column this sheet uses
    unknown: list[str] = []   # pass-through columns, still raw here: cleaned together below
    for position, header in layout.names.items():
        match = index.get(header_key(header))
        raw = body[position]
        if match is None:
            name = header_key(header) or f"列{position + 1}"
            name = name if name not in columns else f"{name}.{position + 1}"
            columns[name] = raw
            unknown.append(name)
            continue
        report.mapped.setdefault(match.canonical, header)
        spec = fields[match.canonical]
        if match.folded_code:
            applied = ~normalise_column(raw, None, catalog).isin(["", "否", "无", "0", "×"])
            folded.setdefault(match.canonical, []).append(applied.map({True: match.folded_code, False: ""}).astype(TEXT))
            continue
        value = normalise_column(raw, spec, catalog)
        if match.inverted:
            value = invert_yes_no(value)
        if spec.type == "multi_code" and match.canonical in columns:
            folded.setdefault(match.canonical, []).append(value)
        elif match.canonical in columns:
            _keep_twin(columns, used, match.canonical, header, value, position, report)
        else:
            columns[match.canonical], used[match.canonical] = value, header
    for name, parts in folded.items():
        pieces = ([columns[name]] if name in columns else []) + parts
        combined = pieces[0]
        for piece in pieces[1:]:
            combined = combined.str.cat(piece, sep="、")
        columns[name] = normalise_column(combined, fields[name], catalog)   # drops the empty parts
    columns |= dict(zip(unknown, normalise_pass_through([columns[name] for name in unknown], catalog)))
    return pd.DataFrame(columns, index=body.index)


def _keep_twin(columns: dict[str, pd.Series], used: dict[str, str], canonical: str, header: str, value: pd.Series,
               position: int, report: LoadReport) -> None:
    """A second column for a field already loaded (检测对象类别 beside 监测对象类别, 风险是否已消除0
    beside 风险是否已消除): the column headed like the field is used, else the first one. The other
    is kept, normalised, under its own header: rule G1-014 reports the rows where the two differ."""
    if header_key(header) == header_key(canonical) != header_key(used[canonical]):
        columns[canonical], value = value, columns[canonical]
        used[canonical], header = header, used[canonical]
    report.mapped[canonical] = used[canonical]
    report.twins[canonical] = header
    name = header_key(header)
    columns[name if name not in columns else f"{name}.{position + 1}"] = value


def _numeric_id_rows(sheet: RawSheet, layout: HeaderLayout, index: dict[str, ColumnMatch]) -> np.ndarray:
    """Excel rows where an ID cell (ID_COLUMNS: a ledger's 证件号码; a roster's 证件号码, 户主证件号码
    or 残疾人证号) is stored as an ID-sized number (rule G1-006 in the ledger)."""
    positions = [p for p, h in layout.names.items()
                 if (m := index.get(header_key(h))) and m.canonical in ID_COLUMNS]
    rows = [sheet.numeric_id_rows(position) for position in positions]
    return np.unique(np.concatenate(rows)) if rows else np.array([], dtype=np.int64)


def _show_numbers_as_excel_does(frame: pd.DataFrame) -> None:
    """A numeric ID cell keeps only 15 significant digits; fastexcel prints the float's exact value
    (…010944). Show what the person sees in Excel (…011000) so the G1-006 message quotes it."""
    flagged = frame[ID_STORED_AS_NUMBER].to_numpy()
    for column in (c for c in ID_COLUMNS if c in frame.columns):
        values = frame.loc[flagged, column]
        numeric = pd.to_numeric(values, errors="coerce").dropna()
        frame.loc[numeric.index, column] = [format(Decimal(f"{v:.15g}"), "f") for v in numeric]


def _join_household_sheets(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """A 户 sheet has 户编号 but no person columns: join its household fields onto the person sheets."""
    households = [f for f in frames if "户编号" in f.columns and not any(c in f.columns for c in PERSON_COLUMNS)]
    persons = [f for f in frames if not any(f is h for h in households)]
    if not households or not persons:
        return frames
    household = pd.concat(households, ignore_index=True).drop(columns=list(META_COLUMNS))
    household = household.drop_duplicates("户编号")
    joined = []
    for person in persons:
        extra = [c for c in household.columns if c not in person.columns or c == "户编号"]
        joined.append(person.merge(household[extra], on="户编号", how="left"))
    return joined


def _finish(frame: pd.DataFrame, fields: dict[str, FieldSpec], assembled: bool) -> pd.DataFrame:
    """Canonical columns first in catalogue order, then pass-through columns, then the meta
    columns. A sheet's columns are text without gaps already; frames `assembled` from several
    sheets (or a 户 sheet joined on) have gaps where a sheet lacked a column, filled with ""."""
    canonical = [name for name in fields if name in frame.columns]
    extra = [c for c in frame.columns if c not in fields and c not in META_COLUMNS]
    frame = frame[canonical + extra + list(META_COLUMNS)].copy()
    if assembled:
        frame[canonical + extra] = frame[canonical + extra].astype(TEXT).fillna("")
    frame[SOURCE_ROW] = frame[SOURCE_ROW].astype("int64")
    frame[ID_STORED_AS_NUMBER] = frame[ID_STORED_AS_NUMBER].fillna(False).astype(bool)
    return frame


def _closest_header(spec: FieldSpec | None, headers: list[str]) -> str | None:
    """The unrecognised header most like the field's name or one of its aliases."""
    if spec is None or not headers:
        return None
    scored = [(difflib.SequenceMatcher(None, header_key(alias), header_key(header)).ratio(), header)
              for alias in (spec.name, *spec.aliases) for header in headers]
    ratio, header = max(scored)
    return header if ratio >= 0.5 else None


def _require(table: LoadedTable, fields: dict[str, FieldSpec], missing: list[str], catalog: Catalog,
             why: str = "") -> None:
    """Stop with exit 3 naming the missing columns (and the closest header found for each), or the
    role the file seems to have when it is another input (a roster given as the ledger)."""
    if not missing:
        return
    found = [c for c in table.report.mapped.values()] + table.report.extra
    wrong_role = _wrong_role_error("、".join(table.report.files), set(found), table.report.role, catalog)
    if wrong_role:
        raise wrong_role
    closest = [name + (f"（最接近的列：「{guess}」）" if (guess := _closest_header(fields.get(name), table.report.extra)) else "")
               for name in missing]
    raise AuditInputError(
        f"缺少必需的列：{'；'.join(closest)}。\n找到的列：{'、'.join(found)}。",
        file="、".join(table.report.files), sheet="、".join(table.report.sheets) or None,
        hint=why + f"在工作簿中补上这些列；若只是列名写法不同，可在 schemas/{_alias_file(table.report.role, catalog)} 的 aliases 中加入该写法。")


def _alias_file(role: str, catalog: Catalog) -> str:
    """The schemas/ file holding a role's column names and aliases."""
    return "fields.toml" if role == "ledger" else "tables.toml" if role in catalog.tables else "rosters.toml"
