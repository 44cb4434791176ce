"""Benchmark inputs, generated with the sample generator (fixed seeds) and cached outside git in
.bench-cache/: a county (≈10^5 rows, .xlsx, as counties send it), a province (≈10^6 rows, CSV,
plus six 10^5-row rosters and the four national tables), a 1 000-row submitted file for `audit check`, and for
`make bench-province` a province of county .xlsx files with province-wide rosters."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from ledger_audit.sample.county import County, generate_county
from ledger_audit.sample.plant import plant_all
from ledger_audit.sample.write import ROSTER_FILES, TABLE_FILES, MessyForms, write_sample

CACHE = Path(__file__).resolve().parents[1] / ".bench-cache"
AS_OF = date(2022, 6, 30)
COUNTY_HOUSEHOLDS = 30_000       # ≈ 10^5 people
PROVINCE_HOUSEHOLDS = 300_000    # ≈ 10^6 people
ROSTER_ROWS = 100_000
SUBMITTED_HOUSEHOLDS, SUBMITTED_ROWS = 320, 1_000
PROVINCE_COUNTIES, PROVINCE_COUNTY_HOUSEHOLDS = 100, 7_000
TABLES = ("户信息", "已外出务工", "计划外出务工", "行政村")


def county() -> dict[str, Path]:
    """The county as `audit run` takes it: the ledger, the six department rosters and the national
    system's four other tables, all .xlsx (the rosters and tables are optional inputs of a run)."""
    folder = CACHE / "county"
    if not (folder / "done").exists():
        base = generate_county(COUNTY_HOUSEHOLDS, 1, AS_OF)
        ledger, inputs, planted = plant_all(base.ledger, {**base.rosters, **base.tables}, 1, AS_OF)
        write_sample(County(ledger, {d: inputs[d] for d in base.rosters}, {t: inputs[t] for t in base.tables}),
                     planted, folder, AS_OF.isoformat(), MessyForms())
        (folder / "done").write_text("")
    return {"ledger": folder / "台账_示例县.xlsx", **{d: folder / f for d, f in ROSTER_FILES.items()},
            **{t: folder / f for t, f in TABLE_FILES.items()}}


def submitted() -> Path:
    """A 1 000-row ledger as a township submits it (.xlsx, planted defects): `audit check`'s input."""
    folder = CACHE / "submitted"
    if not (folder / "planted.csv").exists():
        base = generate_county(SUBMITTED_HOUSEHOLDS, 3, AS_OF)
        ledger, inputs, planted = plant_all(base.ledger, {**base.rosters, **base.tables}, 3, AS_OF)
        kept = [p for p in planted if 0 <= p.row < SUBMITTED_ROWS or p.roster in base.rosters]
        write_sample(County(ledger.head(SUBMITTED_ROWS), {d: inputs[d] for d in base.rosters}), kept, folder,
                     AS_OF.isoformat(), MessyForms())
    return folder / "台账_示例县.xlsx"


def province_counties() -> dict[str, Path]:
    """`make bench-province`: a Shaanxi-size province, one .xlsx ledger per county, six
    province-wide roster CSVs and the national system's four tables for the whole province.
    BENCH_PROVINCE_COUNTIES × BENCH_PROVINCE_HOUSEHOLDS (default 100 × 7 000 households ≈ 2.3 ×
    10^6 people) pick the size; each size is cached on its own (a cache made before the tables
    were written has another name, so it is not taken for a complete one)."""
    from ledger_audit.sample.province import generate_province, write_province
    counties = int(os.environ.get("BENCH_PROVINCE_COUNTIES", PROVINCE_COUNTIES))
    households = int(os.environ.get("BENCH_PROVINCE_HOUSEHOLDS", PROVINCE_COUNTY_HOUSEHOLDS))
    folder = CACHE / f"province-{counties}x{households}-all-inputs"
    paths = {"ledgers": folder / "台账", **{d: folder / f"{d}_全省名单.csv" for d in ROSTER_FILES},
             **{t: folder / f"{t}_全省.csv" for t in TABLE_FILES}}
    if not (folder / "done").exists():
        write_province(generate_province(counties, households, 4, AS_OF), folder, AS_OF)
        (folder / "done").write_text("")
    return paths


def province() -> dict[str, Path]:
    """The ledger as CSV (the gates are measured in memory), the six rosters of 10^5 rows each and
    the four national tables (at most 10^5 rows each) as CSV."""
    folder = CACHE / "province"
    paths = {"ledger": folder / "ledger.csv", **{d: folder / f"{d}.csv" for d in ROSTER_FILES},
             **{t: folder / f"{t}.csv" for t in TABLES}}
    if not all(p.exists() for p in paths.values()):
        folder.mkdir(parents=True, exist_ok=True)
        base = generate_county(PROVINCE_HOUSEHOLDS, 2, AS_OF)
        ledger, inputs, _ = plant_all(base.ledger, {**base.rosters, **base.tables}, 2, AS_OF)
        rosters = {d: inputs[d] for d in base.rosters}
        ledger.to_csv(paths["ledger"], index=False)
        for name in TABLES:
            inputs[name].head(ROSTER_ROWS).to_csv(paths[name], index=False)
        for department, roster in rosters.items():
            # Real rosters are larger than the ledger's share of them: top up to 10^5 rows with the
            # 医保 list's people (other departments' files list many non-ledger people too).
            filled = roster if len(roster) >= ROSTER_ROWS else _topped_up(roster, rosters["医保"], department)
            filled.head(ROSTER_ROWS).to_csv(paths[department], index=False)
    return paths


def _topped_up(roster, people, department):
    import pandas as pd
    extra = people.rename(columns={"姓名": "户主姓名", "证件号码": "户主证件号码"}) if department == "住建" else people
    extra = extra.reindex(columns=roster.columns).fillna({"救助类型": "临时救助", "保障状态": "退保", "鉴定等级": "A级",
                                                          "学籍状态": "毕业", "改造状态": "", "养老保险参保状态": "未参保",
                                                          "持证状态": "注销"}).fillna("")
    return pd.concat([roster, extra.iloc[::-1]], ignore_index=True)
