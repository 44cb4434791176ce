"""findings.json: the machine contract of outputs.md (keys in English, severities error/warning/
info, Excel rows as integers). Same result ⇒ identical bytes."""

from __future__ import annotations

import json


from .. import __version__
from ..catalog import GATES, SEVERITY_ENGLISH
from ..findings import parse_sources
from ..result import AuditResult
from .sheets import readable_findings


def findings_document(result: AuditResult) -> dict:
    findings = readable_findings(result)
    counts = findings["severity"].map(SEVERITY_ENGLISH).value_counts()
    by_gate = findings["gate"].value_counts()
    records = [{
        "problem_id": f.problem_id, "rule_id": f.rule_id, "gate": f.gate,
        "severity": SEVERITY_ENGLISH[f.severity], "title": f.title, "message": f.message,
        "unit": f.unit, "assist_unit": f.assist_unit or None, "town": f.town, "village": f.village,
        "household_id": f.household_id, "name": f.name, "id_number": f.id_number,
        "sources": parse_sources(f.sources), "deadline": f.deadline or None, "status": f.status,
        "first_seen": f.first_seen,
    } for f in findings.itertuples(index=False)]
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
    return json.dumps(findings_document(result), ensure_ascii=False, indent=2) + "\n"


