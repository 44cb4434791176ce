"""findings.json: the machine contract of outputs.md (keys in English, severities error/warning/
info, Excel rows as integers). Same result ⇒ identical bytes."""

from __future__ import annotations

import json

from .. import __version__
from ..catalog import GATES, SEVERITY_ENGLISH
from ..findings import parse_sources
from ..result import AuditResult

FINDING_KEYS = ("problem_id", "rule_id", "gate", "severity", "title", "message", "unit", "assist_unit", "town",
                "village", "household_id", "name", "id_number", "sources", "deadline", "status", "first_seen")


def findings_document(result: AuditResult) -> dict:
    findings = result.findings
    counts = findings["severity"].map(SEVERITY_ENGLISH).value_counts()
    by_gate = findings["gate"].value_counts()
    # Column by column to plain Python values (iterating Arrow-backed rows boxes every cell).
    columns = {key: findings[key].tolist() for key in FINDING_KEYS}
    columns["severity"] = [SEVERITY_ENGLISH[s] for s in columns["severity"]]
    columns["sources"] = [parse_sources(s) for s in columns["sources"]]
    for optional in ("assist_unit", "deadline"):
        columns[optional] = [v or None for v in columns[optional]]
    records = [dict(zip(FINDING_KEYS, values)) for values in zip(*columns.values())]
    return {
        "tool": "ledger-audit", "version": __version__,
        "as_of": result.config.as_of.isoformat(), "quarter": result.config.quarter,
        "inputs": [{"role": load.role, "path": path, "sha256": digest, "rows": load.rows}
                   for load in result.loads for path, digest in load.sha256.items()],
        "rules_not_run": result.rules_not_run.to_dict("records"),
        "summary": {**{s: int(counts.get(s, 0)) for s in SEVERITY_ENGLISH.values()},
                    "by_gate": {g: int(by_gate.get(g, 0)) for g in GATES}},
        "findings": records,
    }


def json_text(result: AuditResult) -> str:
    """Indented, with one finding per line: readable and diff-friendly, and fast (json's C encoder
    runs only without indent; the Python one needs ~2.5 s for 10^5 findings)."""
    document = findings_document(result)
    findings = document.pop("findings")
    head = json.dumps(document, ensure_ascii=False, indent=2)[:-2]   # without the closing "\n}"
    encode = json.JSONEncoder(ensure_ascii=False).encode
    body = ",\n".join("    " + encode(finding) for finding in findings)
    return head + ',\n  "findings": [' + ("\n" + body + "\n  " if findings else "") + "]\n}\n"


