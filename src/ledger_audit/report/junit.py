"""JUnit XML for CI systems: one testcase per rule (failed when it has findings, skipped when it
did not run), the findings listed with their Excel rows."""

from __future__ import annotations

from xml.etree import ElementTree

from ..catalog import GATES
from ..result import AuditResult

MAX_LISTED = 200


def junit_document(result: AuditResult) -> bytes:
    findings = result.findings
    not_run = dict(zip(result.rules_not_run["rule_id"], result.rules_not_run["reason"]))
    suite = ElementTree.Element("testsuite", name="ledger-audit", timestamp=result.config.as_of.isoformat())
    failures = skipped = 0
    specs = {r: s for r, s in sorted(result.rule_specs.items()) if s.gate in result.gates}
    for rule_id, spec in specs.items():
        case = ElementTree.SubElement(suite, "testcase", classname=f"{spec.gate} {GATES[spec.gate]}",
                                      name=f"{rule_id} {spec.title}")
        mine = findings[findings["rule_id"] == rule_id]
        if rule_id in not_run:
            skipped += 1
            ElementTree.SubElement(case, "skipped", message=not_run[rule_id])
        elif len(mine):
            failures += 1
            lines = (mine["sources"] + "  " + mine["message"]).head(MAX_LISTED).tolist()
            if len(mine) > MAX_LISTED:
                lines.append(f"……另有 {len(mine) - MAX_LISTED} 条")
            failure = ElementTree.SubElement(case, "failure", type=mine["severity"].iloc[0],
                                             message=f"{len(mine)} 个问题（{spec.severity}）")
            failure.text = "\n".join(lines)
    suite.set("tests", str(len(specs)))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    suite.set("errors", "0")
    return ElementTree.tostring(ElementTree.ElementTree(suite).getroot(), encoding="utf-8", xml_declaration=True)
