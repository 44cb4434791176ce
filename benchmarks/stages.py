"""One benchmark stage, run in a fresh process: `python -m benchmarks.stages STAGE`. Prints one JSON
line: the stage, rows, seconds and CPU seconds (of the measured part only) and the peak RSS."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.inputs import AS_OF, county, province, province_counties, submitted

STAGES = {}


def stage(name):
    def register(function):
        STAGES[name] = function
        return function
    return register


CPU = {"seconds": 0.0}   # CPU time of the measured part (this process and the `audit` it starts)


def _cpu() -> float:
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def timed(function):
    """Wall seconds of `function()`; its CPU seconds go to CPU (the machine is shared: when other
    jobs run, wall time grows and CPU time does not)."""
    start, cpu = time.perf_counter(), _cpu()
    value = function()
    CPU["seconds"] = _cpu() - cpu
    return value, time.perf_counter() - start


@stage("read_xlsx_fastexcel_raw")
def read_raw():
    """The floor for loading: the fastest reader, fastexcel, reading the county ledger as it comes."""
    import fastexcel
    frame, seconds = timed(lambda: fastexcel.read_excel(str(county()["ledger"])).load_sheet(0, header_row=2).to_pandas())
    return len(frame), seconds


@stage("load_ledger_xlsx")
def load_xlsx():
    from ledger_audit.catalog import load_catalog
    from ledger_audit.normalise.tables import load_ledger
    path, catalog = county()["ledger"], load_catalog()
    table, seconds = timed(lambda: load_ledger([path], catalog))
    return len(table.frame), seconds


@stage("load_ledger_csv")
def load_csv():
    """The province ledger loaded from CSV (10^6 rows): the loader end to end."""
    from ledger_audit.catalog import load_catalog
    from ledger_audit.normalise.tables import load_ledger
    path, catalog = province()["ledger"], load_catalog()
    table, seconds = timed(lambda: load_ledger([path], catalog))
    return len(table.frame), seconds


@stage("read_csv_pandas_raw")
def read_csv():
    """The floor for the gates: pandas reading the province ledger from CSV."""
    frame, seconds = timed(lambda: pd.read_csv(province()["ledger"], dtype=str))
    return len(frame), seconds


def _province_context(with_rosters: bool):
    from ledger_audit.catalog import load_catalog
    from ledger_audit.config import AuditConfig
    from ledger_audit.crosscheck.matching import match_rosters
    from ledger_audit.gates.engine import build_context
    from ledger_audit.normalise.tables import load_ledger, load_roster
    catalog, paths = load_catalog(), province()
    ledger = load_ledger([paths["ledger"]], catalog).frame
    rosters = {d: load_roster(d, paths[d], catalog).frame for d in catalog.rosters} if with_rosters else {}
    return ledger, rosters, catalog, AuditConfig(as_of=AS_OF), match_rosters, build_context


@stage("gates_in_memory")
def gates():
    """All gates (G1–G5, every single-ledger rule) over the province ledger already in memory."""
    from ledger_audit.gates.engine import run_gates
    from ledger_audit.registry import rule_set
    ledger, _, catalog, config, _, build_context = _province_context(False)
    context = build_context(ledger, {}, config, catalog)
    outcome, seconds = timed(lambda: run_gates(context, rule_set(catalog)))
    print(f"# findings: {len(outcome.findings)}", file=sys.stderr)
    return len(ledger), seconds


@stage("matching_six_rosters")
def matching():
    """Tiered matching of the province ledger against the six 10^5-row rosters (matching only)."""
    ledger, rosters, catalog, _, match_rosters, _ = _province_context(True)
    matches, seconds = timed(lambda: match_rosters(ledger, rosters, catalog.rosters))
    print("# suspected: " + ", ".join(f"{d} {len(m.suspected)}" for d, m in matches.items()), file=sys.stderr)
    return len(ledger), seconds


@stage("matching_and_table_rules")
def matching_and_tables():
    """Matching the six 10^5-row rosters plus every rule on the four national tables (10^5 rows
    each: pairing by ID, town coverage, village counts) over the province ledger: issue 14's
    "matching and the new rules with all inputs"."""
    from ledger_audit.gates.engine import run_gates
    from ledger_audit.normalise.tables import load_table
    from ledger_audit.registry import rule_set
    ledger, rosters, catalog, config, match_rosters, build_context = _province_context(True)
    tables = {t: load_table(t, province()[t], catalog).frame for t in catalog.tables}
    rules = {rule_id: r for rule_id, r in rule_set(catalog).items() if r.needs_tables}

    def run():
        context = build_context(ledger, rosters, config, catalog, match_rosters(ledger, rosters, catalog.rosters),
                                tables=tables)
        return run_gates(context, rules)

    outcome, seconds = timed(run)
    counts = outcome.findings["rule_id"].value_counts().sort_index()
    print(f"# table-rule findings: {len(outcome.findings)} ({', '.join(f'{r} {n}' for r, n in counts.items())})",
          file=sys.stderr)
    return len(ledger), seconds


def _findings_result(count: int = 100_000):
    """A result with 10^5 findings (the county's findings repeated with distinct IDs)."""
    from ledger_audit.audit import audit_county
    from ledger_audit.catalog import load_catalog
    from ledger_audit.config import AuditConfig
    from ledger_audit.normalise.tables import load_ledger
    catalog = load_catalog()
    result = audit_county(load_ledger([county()["ledger"]], catalog), {}, AuditConfig(as_of=AS_OF), catalog)
    repeats = -(-count // len(result.findings))
    findings = pd.concat([result.findings] * repeats, ignore_index=True).head(count)
    findings["problem_id"] = findings["problem_id"] + "-" + pd.Series(range(count)).astype(str)
    result.findings, result.rectification = findings, None
    return result


@stage("write_reports_1e5_findings")
def write_reports_stage():
    import tempfile
    from ledger_audit.report.writers import write_reports
    result = _findings_result()
    _, seconds = timed(lambda: write_reports(result, Path(tempfile.mkdtemp())))
    return len(result.findings), seconds


@stage("write_xlsxwriter_floor")
def write_floor():
    """The floor for writing: bare xlsxwriter (constant memory) writing the same sheets' cells, fed
    the fastest way (plain Python strings, column lists zipped into rows)."""
    import tempfile
    import xlsxwriter
    from ledger_audit.report.sheets import problem_list, rectification_sheet
    result = _findings_result()
    frames = [problem_list(result), rectification_sheet(result)]

    def write():
        workbook = xlsxwriter.Workbook(str(Path(tempfile.mkdtemp()) / "floor.xlsx"), {"constant_memory": True})
        for number, frame in enumerate(frames):
            sheet = workbook.add_worksheet(str(number))
            cells = [frame[c].astype(str).tolist() for c in frame.columns]
            for row, values in enumerate(zip(*cells)):
                for column, value in enumerate(values):
                    sheet.write_string(row, column, value)
        workbook.close()
    _, seconds = timed(write)
    return len(result.findings), seconds


def _fastexcel_raw(paths) -> int:
    """Every sheet of every file read as it comes (no header handling, no types): the floor."""
    import fastexcel
    rows = 0
    for path in paths:
        reader = fastexcel.read_excel(str(path))
        for name in reader.sheet_names:
            rows += len(reader.load_sheet(name, header_row=None).to_pandas())
    return rows


def _audit(*args) -> float:
    """Wall time of one `audit` command in a fresh process, as a user starts it."""
    command = [str(Path(sys.executable).with_name("audit")), *map(str, args)]
    return timed(lambda: subprocess.run(command, check=True, capture_output=True))[1]


def _ledger_rows(path) -> int:
    import fastexcel
    return fastexcel.read_excel(str(path)).load_sheet(0, header_row=2).height


@stage("read_county_files_fastexcel_raw")
def read_county_files():
    """The floor for a whole run: fastexcel reading the county's eleven files (ledger, six rosters,
    four national tables)."""
    paths = county()
    _, seconds = timed(lambda: _fastexcel_raw(paths.values()))
    return _ledger_rows(paths["ledger"]), seconds


@stage("audit_run_county")
def audit_run_county():
    """`audit run` end to end on the county with all ten optional inputs and every output (xlsx,
    HTML, JSON)."""
    from ledger_audit.sample.write import ROSTER_FILES
    paths = county()
    rosters = [f"--{'roster' if d in ROSTER_FILES else 'table'}={d}={p}" for d, p in paths.items() if d != "ledger"]
    seconds = _audit("run", paths["ledger"], *rosters, "--quarter", "2022Q2", "--fail-on", "never",
                     "--out", Path(tempfile.mkdtemp()) / "2022Q2")
    return _ledger_rows(paths["ledger"]), seconds


@stage("audit_check_1000_rows")
def audit_check():
    """`audit check --gates G1,G2` on a 1 000-row submitted file: the CI gate's latency."""
    path = submitted()
    return _ledger_rows(path), _audit("check", path, "--gates", "G1,G2", "--quarter", "2022Q2", "--fail-on", "never")


@stage("audit_help_startup")
def audit_help():
    return 0, _audit("--help")


@stage("audit_rules_startup")
def audit_rules():
    return 0, _audit("rules")


@stage("read_province_files_raw")
def read_province_files():
    """The floor for a province: fastexcel reading every county ledger, pandas every roster and
    table CSV."""
    paths = province_counties()
    ledgers = sorted(paths["ledgers"].glob("*.xlsx"))

    def read():
        for roster in (p for d, p in paths.items() if d != "ledgers"):
            pd.read_csv(roster, dtype=str)
        return _fastexcel_raw(ledgers)
    _, seconds = timed(read)
    return sum(_ledger_rows(p) for p in ledgers), seconds


def _province_run(*engine) -> tuple[int, float]:
    from ledger_audit.sample.write import ROSTER_FILES
    paths = province_counties()
    rosters = [f"--{'roster' if d in ROSTER_FILES else 'table'}={d}={p}" for d, p in paths.items() if d != "ledgers"]
    seconds = _audit("run", paths["ledgers"], *rosters, "--quarter", "2022Q2", "--fail-on", "never",
                     "--out", Path(tempfile.mkdtemp()) / "2022Q2", *engine)
    return sum(_ledger_rows(p) for p in paths["ledgers"].glob("*.xlsx")), seconds


@stage("province_local")
def province_local():
    """`audit run` on the province folder, county by county in one process."""
    return _province_run("--engine", "local")


@stage("province_dask_1_worker")
def province_dask_1():
    return _province_run("--engine", "dask", "--workers", "1")


@stage("province_dask_2_workers")
def province_dask_2():
    return _province_run("--engine", "dask", "--workers", "2")


if __name__ == "__main__":
    rows, seconds = STAGES[sys.argv[1]]()
    # A stage that starts `audit` reports the largest peak among its descendants (Linux): the
    # audit process, or for --engine dask the largest Dask worker.
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(json.dumps({"stage": sys.argv[1], "rows": rows, "seconds": round(seconds, 2),
                      "cpu_seconds": round(CPU["seconds"], 2), "peak_rss_mb": round(peak)}))
