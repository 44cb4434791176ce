"""Checks across counties, after the per-county audits, as one shuffle on the ID.

Each county contributes key rows (normalised ID, county, kind): every ID of its ledger, and the ID
of every 民政 person its G5-009 found missing from its ledger. The rows are hashed into buckets by
ID; each bucket is checked on its own, so on Dask the buckets are checked on the workers, and the
answer does not depend on how many buckets or workers there are:

* G3-001 across counties: one ID in the ledgers of two or more counties, a finding in each.
* G5-009, the roster side: a 民政 person "missing from the ledger" of one county who is in the
  ledger of another county is not missing; that finding is dropped.
"""

from __future__ import annotations

import pandas as pd

from ..catalog import Catalog
from ..config import AuditConfig
from ..findings import finding_rows, source_text
from ..frame import SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, TEXT
from ..gates.engine import render_message
from ..identity import normalised_ids

KEY_COLUMNS = ("id", "county", "kind")
LEDGER, WELFARE = "ledger", "welfare"
CROSS_COLUMNS = ("county", "id", "action", "others")   # action: "G3-001" or "drop G5-009"
PERSON_COLUMNS = ("id", "证件号码", "姓名", "乡镇", "行政村", "户编号", "户主姓名", "sources")


def persons(ledger: pd.DataFrame) -> pd.DataFrame:
    """What a cross-county finding shows about a ledger row: its ID, name, place and source."""
    ids, _ = normalised_ids(ledger["证件号码"])
    column = lambda name: ledger[name] if name in ledger else pd.Series("", index=ledger.index, dtype=TEXT)  # noqa: E731
    heads = ledger[column("与户主关系") == "户主"].drop_duplicates("户编号") if "户编号" in ledger else ledger.iloc[:0]
    head_names = pd.Series(heads["姓名"].to_numpy(), index=heads["户编号"].to_numpy()) if len(heads) else pd.Series(dtype=TEXT)
    frame = pd.DataFrame({
        "id": ids, "证件号码": column("证件号码"), "姓名": column("姓名"), "乡镇": column("乡镇"),
        "行政村": column("行政村"), "户编号": column("户编号"),
        "户主姓名": column("户编号").map(head_names).fillna("").astype(TEXT),
        "sources": source_text(ledger[SOURCE_FILE], ledger[SOURCE_SHEET], ledger[SOURCE_ROW]),
    })
    return frame[frame["id"] != ""].reset_index(drop=True)


def key_rows(county: str, people: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """A county's part of the shuffle: its ledger IDs (once each) and its G5-009 persons' IDs."""
    welfare, _ = normalised_ids(findings.loc[findings["rule_id"] == "G5-009", "id_number"])
    parts = [pd.DataFrame({"id": people["id"].drop_duplicates(), "kind": LEDGER}),
             pd.DataFrame({"id": welfare[welfare != ""], "kind": WELFARE})]
    return pd.concat(parts, ignore_index=True).assign(county=county)[list(KEY_COLUMNS)].astype(TEXT)


def buckets(keys: pd.DataFrame, count: int) -> list[pd.DataFrame]:
    """The key rows hashed by ID into `count` buckets (pandas' hash is the same in every process)."""
    bucket = pd.util.hash_pandas_object(keys["id"], index=False).to_numpy() % count
    return [keys[bucket == number] for number in range(count)]


def check_bucket(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The cross-county answers for the IDs of one bucket, sorted."""
    keys = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(KEY_COLUMNS))
    ledger = keys[keys["kind"] == LEDGER]
    counties = ledger.groupby("id")["county"].nunique()
    twice = ledger[ledger["id"].isin(counties.index[counties > 1])].sort_values(["id", "county"])
    # Per duplicated ID (few): the other counties' names, as the finding says them.
    listed = twice.groupby("id")["county"].agg(list)
    others = [("、".join(c for c in listed[i] if c != county)) for i, county in zip(twice["id"], twice["county"])]
    duplicated = pd.DataFrame({"county": twice["county"], "id": twice["id"], "action": "G3-001", "others": others})
    welfare = keys[(keys["kind"] == WELFARE) & keys["id"].isin(ledger["id"].unique())]
    found = pd.DataFrame({"county": welfare["county"], "id": welfare["id"], "action": "drop G5-009", "others": ""})
    return sort_answers(pd.concat([duplicated, found], ignore_index=True))


def sort_answers(answers: pd.DataFrame) -> pd.DataFrame:
    columns = list(CROSS_COLUMNS)
    return answers.reindex(columns=columns).astype(TEXT).sort_values(columns, kind="stable").reset_index(drop=True)


def apply_answers(findings: pd.DataFrame, people: pd.DataFrame, answers: pd.DataFrame, config: AuditConfig,
                  catalog: Catalog) -> pd.DataFrame:
    """A county's findings after the cross-county checks (answers for this county only)."""
    drop = set(answers.loc[answers["action"] == "drop G5-009", "id"])
    if drop:
        welfare_ids, _ = normalised_ids(findings["id_number"])
        findings = findings[~((findings["rule_id"] == "G5-009") & welfare_ids.isin(drop)).to_numpy()]
    duplicated = answers[answers["action"] == "G3-001"]
    if duplicated.empty:
        return findings.reset_index(drop=True)
    rows = people.merge(duplicated[["id", "others"]], on="id")
    return pd.concat([findings, _duplicate_findings(rows, config, catalog)], ignore_index=True)


def _duplicate_findings(rows: pd.DataFrame, config: AuditConfig, catalog: Catalog) -> pd.DataFrame:
    """G3-001 for each ledger row whose ID is also in another county's ledger."""
    spec = catalog.rules["G3-001"]
    detail = rows.assign(重复行="另见于 " + rows["others"] + " 台账")
    entity = rows["id"] + "/跨县"
    repeat = entity.groupby(entity).cumcount()   # one ID on two rows of this county too: IDs stay unique
    entity = entity.where(repeat == 0, entity + "#" + (repeat + 1).astype(str))
    about = pd.DataFrame({
        "town": rows["乡镇"], "village": rows["行政村"], "household_id": rows["户编号"],
        "head_name": rows["户主姓名"], "name": rows["姓名"], "id_number": rows["证件号码"],
        "message": render_message(spec.message, detail), "sources": rows["sources"],
        "entity_key": entity, "rule_id": spec.rule_id,
    })
    return finding_rows(catalog.rules, config, about)
