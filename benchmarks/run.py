"""`make bench`: every stage in a fresh process, with its floor beside it, and the ratios the issues
set as goals. Inputs are generated once and cached in .bench-cache/ (not in git)."""

from __future__ import annotations

import json
import subprocess
import sys

from tabulate import tabulate


# (stage, its floor, the largest ratio allowed: from the issues' "done when"; None: shown only).
COMPARISONS = (
    ("load_ledger_xlsx", "read_xlsx_fastexcel_raw", 1.5),
    ("load_ledger_csv", "read_csv_pandas_raw", None),
    ("gates_in_memory", "read_csv_pandas_raw", 1.5),
    ("write_reports_1e5_findings", "write_xlsxwriter_floor", 1.2),
    ("audit_run_county", "read_county_files_fastexcel_raw", 1.5),
)
ABSOLUTE = {"matching_six_rosters": 10.0, "matching_and_table_rules": 10.0, "audit_check_1000_rows": 2.0, "audit_help_startup": 0.5,
            "audit_rules_startup": 0.5}
ORDER = ("read_xlsx_fastexcel_raw", "load_ledger_xlsx", "read_csv_pandas_raw", "load_ledger_csv", "gates_in_memory",
         "matching_six_rosters", "matching_and_table_rules", "write_xlsxwriter_floor", "write_reports_1e5_findings",
         "read_county_files_fastexcel_raw", "audit_run_county", "audit_check_1000_rows", "audit_help_startup",
         "audit_rules_startup")


def measure(stage: str) -> dict:
    output = subprocess.run([sys.executable, "-m", "benchmarks.stages", stage], capture_output=True, text=True, check=True)
    sys.stderr.write(output.stderr)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    print("准备基准输入（首次运行需生成，约 2–3 分钟）……", flush=True)
    # In a child process: Linux carries a parent's peak RSS over into the children it starts.
    subprocess.run([sys.executable, "-c", "from benchmarks.inputs import county, province, submitted; county(); province(); submitted()"], check=True)
    results = {stage: measure(stage) for stage in (sys.argv[1:] or ORDER)}
    rows = [[r["stage"], r["rows"], r["seconds"], r["cpu_seconds"], round(r["rows"] / max(r["seconds"], 1e-9)),
             r["peak_rss_mb"]] for r in results.values()]
    print(tabulate(rows, headers=["stage", "rows", "seconds", "CPU s", "rows/s", "peak RSS MB"], tablefmt="simple"))
    print()
    for stage, floor, limit in COMPARISONS:
        if stage in results and floor in results:
            ratio = results[stage]["seconds"] / results[floor]["seconds"]
            verdict = "" if limit is None else f" (goal ≤ {limit}) {'OK' if ratio <= limit else 'OVER'}"
            print(f"{stage} / {floor} = {ratio:.2f}{verdict}")
    for stage, limit in ABSOLUTE.items():
        if stage in results:
            seconds = results[stage]["seconds"]
            print(f"{stage} = {seconds:.2f} s (goal ≤ {limit} s) {'OK' if seconds <= limit else 'OVER'}")


if __name__ == "__main__":
    main()
