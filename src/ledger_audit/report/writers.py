"""Write the chosen outputs of a run into its output folder, all or nothing (outputs.OutputSet):
every file to a temporary name first, then all renamed into place together. A crash, a kill, a
full disk or a read-only share leaves either the complete new set or the previous files, never an
xlsx without its findings.json or half a 整改台账. What is written is masked (report/redact.py)
unless `mask` is False (--no-mask).

OUTPUTS is the one table of output kinds (file name in a run's folder, writer): `audit run`
writes the kinds --format names into its folder, `audit check` the ones --json / --junit name to
the paths given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import AuditInputError
from ..outputs import OutputSet, safe_file_name, write_atomically
from ..result import AuditResult
from .html import write_html
from .json_report import json_text
from .junit import junit_document
from .redact import redacted
from .workbook import write_town_workbook, write_workbook

NO_TOWN = "未分乡镇"          # the per-town workbook of the items without a 乡镇


def _remedies(result: AuditResult) -> dict[str, str]:
    return {rule_id: spec.remedy for rule_id, spec in result.rule_specs.items()}


@dataclass(frozen=True)
class Output:
    """One kind of output. `name`: its file name, within 255 bytes and without characters Windows
    refuses or that split log lines (a long county name is shortened here only; the workbook's
    title keeps it whole)."""

    name: Callable[[AuditResult], str]
    write: Callable[[AuditResult, Path], None]


OUTPUTS = {
    "xlsx": Output(lambda r: safe_file_name(f"三单一账_{r.config.county or '本县'}", f"_{r.config.quarter}.xlsx"),
                   lambda r, path: write_workbook(r, path, _remedies(r))),
    "html": Output(lambda r: safe_file_name(f"report_{r.config.quarter}", ".html"), write_html),
    "json": Output(lambda r: "findings.json", lambda r, path: path.write_bytes(json_text(r).encode("utf-8"))),
    "junit": Output(lambda r: f"junit_{r.config.quarter}.xml", lambda r, path: path.write_bytes(junit_document(r))),
}
FORMATS = ("xlsx", "html", "json")   # what `audit run` writes without --format


def town_workbook_name(result: AuditResult, town: str) -> str:
    county = result.config.county or "本县"
    return safe_file_name(f"三单一账_{county}_{town or NO_TOWN}", f"_{result.config.quarter}.xlsx")


def stage_reports(result: AuditResult, outputs: OutputSet, formats: tuple[str, ...] = FORMATS,
                  split_by: str | None = None, mask: bool = True) -> dict[str, Path]:
    """Write each chosen output into `outputs` (not yet committed); the paths they will have. With
    split_by 乡镇 also one workbook per 乡镇, under the keys "乡镇:<town>"."""
    unknown = [f for f in formats if f not in OUTPUTS]
    if unknown:
        raise AuditInputError(f"不支持的输出格式：{'、'.join(unknown)}。",
                              hint=f"--format 可选 {'、'.join(OUTPUTS)}，用逗号分隔。")
    result = redacted(result) if mask else result
    staged = {kind: outputs.add(output.name(result), lambda path, write=output.write: write(result, path))
              for kind, output in OUTPUTS.items() if kind in formats}
    if split_by == "乡镇" and "xlsx" in formats:
        remedies = _remedies(result)
        for town in _towns(result):
            staged[f"乡镇:{town or NO_TOWN}"] = outputs.add(
                town_workbook_name(result, town), lambda path, town=town: write_town_workbook(result, path, remedies, town))
    return staged


def _towns(result: AuditResult) -> list[str]:
    """Towns of the findings and of the carried items (closed ones included): no item is left out."""
    carried = set() if result.rectification is None else set(result.rectification["乡镇"])
    return sorted(set(result.findings["town"]) | carried)


def write_reports(result: AuditResult, out_dir: Path, formats: tuple[str, ...] = FORMATS,
                  then: Callable[[dict[str, Path]], None] | None = None, split_by: str | None = None,
                  mask: bool = True) -> dict[str, Path]:
    """Write and commit the outputs together; `then(paths)` runs inside the commit (the run
    history), so if it fails the previous outputs are put back too."""
    with OutputSet(out_dir) as outputs:
        written = stage_reports(result, outputs, formats, split_by, mask)
        outputs.commit(then=(lambda: then(written)) if then else None)
    return written


def write_output(result: AuditResult, kind: str, target: Path) -> None:
    """One output of OUTPUTS to a path of the user's choosing, atomically; `result` as people
    should read it (redacted unless --no-mask)."""
    write_atomically(target, lambda path: OUTPUTS[kind].write(result, path))
