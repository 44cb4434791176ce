"""Write the chosen outputs of a run into its output folder, all or nothing (outputs.OutputSet):
every file to a temporary name first, then all renamed into place together. A crash, a kill, a
full disk or a read-only share leaves either the complete new set or the previous files, never an
xlsx without its findings.json or half a 整改台账. What is written is masked (report/redact.py)
unless `mask` is False (--no-mask)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import AuditInputError
from ..outputs import OutputSet, safe_file_name, write_atomically
from ..result import AuditResult
from .html import write_html
from .json_report import json_text
from .redact import redacted
from .workbook import write_town_workbook, write_workbook

FORMATS = ("xlsx", "html", "json")
NO_TOWN = "未分乡镇"          # the per-town workbook of the items without a 乡镇


def output_names(result: AuditResult) -> dict[str, str]:
    """File names within 255 bytes and without characters Windows refuses or that split log lines;
    a long county name is shortened here only (the workbook's title keeps it whole)."""
    county = result.config.county or "本县"
    quarter = result.config.quarter
    return {"xlsx": safe_file_name(f"三单一账_{county}", f"_{quarter}.xlsx"),
            "html": safe_file_name(f"report_{quarter}", ".html"), "json": "findings.json"}


def town_workbook_name(result: AuditResult, town: str) -> str:
    county = result.config.county or "本县"
    return safe_file_name(f"三单一账_{county}_{town or NO_TOWN}", f"_{result.config.quarter}.xlsx")


def stage_reports(result: AuditResult, outputs: OutputSet, formats: tuple[str, ...] = FORMATS,
                  split_by: str | None = None, mask: bool = True) -> dict[str, Path]:
    """Write each chosen output into `outputs` (not yet committed); the paths they will have. With
    split_by 乡镇 also one workbook per 乡镇, under the keys "乡镇:<town>"."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise AuditInputError(f"不支持的输出格式：{'、'.join(unknown)}。", hint="--format 可选 xlsx、html、json，用逗号分隔。")
    result = redacted(result) if mask else result
    remedies = {rule_id: spec.remedy for rule_id, spec in result.rule_specs.items()}
    writers = {"xlsx": lambda path: write_workbook(result, path, remedies),
               "html": lambda path: write_html(result, path),
               "json": lambda path: path.write_text(json_text(result), encoding="utf-8")}
    names = output_names(result)
    staged = {kind: outputs.add(names[kind], writers[kind]) for kind in FORMATS if kind in formats}
    if split_by == "乡镇" and "xlsx" in formats:
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


def write_bytes_atomically(target: Path, data: bytes) -> None:
    write_atomically(target, lambda path: path.write_bytes(data))
