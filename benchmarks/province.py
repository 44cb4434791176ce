"""`make bench-province`: a province audited three ways, each in a fresh process, beside the floor
(reading every file raw, divided by the workers), with the issue's goals: Dask with 2 workers
≤ 1.5× the floor, ≥ 1.7× faster than with 1 worker, peak RSS ≤ 2 GB per process.
BENCH_PROVINCE_COUNTIES and BENCH_PROVINCE_HOUSEHOLDS choose the size (benchmarks/inputs.py)."""

from __future__ import annotations

import subprocess
import sys

from tabulate import tabulate

from benchmarks.run import measure

FLOOR = "read_province_files_raw"
RUNS = ("province_local", "province_dask_1_worker", "province_dask_2_workers")
PEAK_RSS_MB = 2048


def main() -> None:
    print("准备全省基准输入（首次运行需生成，规模大时需很久）……", flush=True)
    subprocess.run([sys.executable, "-c", "from benchmarks.inputs import province_counties; province_counties()"],
                   check=True)
    results = {stage: measure(stage) for stage in (FLOOR, *RUNS)}
    rows = [[r["stage"], r["rows"], r["seconds"], r["cpu_seconds"], round(r["rows"] / max(r["seconds"], 1e-9)),
             r["peak_rss_mb"]] for r in results.values()]
    print(tabulate(rows, headers=["stage", "rows", "seconds", "CPU s", "rows/s", "peak RSS MB"], tablefmt="simple"))
    print()
    floor, one, two = (results[s]["seconds"] for s in (FLOOR, "province_dask_1_worker", "province_dask_2_workers"))
    ratio, speed_up = two / (floor / 2), one / two
    print(f"province_dask_2_workers / ({FLOOR} / 2) = {ratio:.2f} (goal ≤ 1.5) {'OK' if ratio <= 1.5 else 'OVER'}")
    print(f"speed-up 1 → 2 workers = {speed_up:.2f} (goal ≥ 1.7) {'OK' if speed_up >= 1.7 else 'UNDER'}")
    for stage in RUNS:
        peak = results[stage]["peak_rss_mb"]
        print(f"{stage} peak RSS = {peak} MB (goal ≤ {PEAK_RSS_MB}) {'OK' if peak <= PEAK_RSS_MB else 'OVER'}")


if __name__ == "__main__":
    main()
