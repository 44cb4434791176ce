"""Write the chosen outputs into a run's output folder, each atomically: to a temporary file in the
same folder, then renamed into place. A crash, a kill or a full disk leaves either no file or the
previous complete one, never half a 整改台账."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..errors import AuditInputError
from ..result import AuditResult
from .html import write_html
from .json_report import json_text
from .workbook import write_workbook

FORMATS = ("xlsx", "html", "json")


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_bytes_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)


def output_names(result: AuditResult) -> dict[str, str]:
    county = result.config.county or "本县"
    quarter = result.config.quarter
    return {"xlsx": f"三单一账_{county}_{quarter}.xlsx", "html": f"report_{quarter}.html", "json": "findings.json"}


def write_reports(result: AuditResult, out_dir: Path, formats: tuple[str, ...] = FORMATS) -> dict[str, Path]:
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise AuditInputError(f"不支持的输出格式：{'、'.join(unknown)}。", hint="--format 可选 xlsx、html、json，用逗号分隔。")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AuditInputError(f"无法创建输出目录（{error.strerror}）。", file=str(out_dir),
                              hint="检查路径和写入权限，或用 --out 指定其他目录。") from None
    remedies = {rule_id: spec.remedy for rule_id, spec in result.rule_specs.items()}
    written = {}
    for kind in (f for f in FORMATS if f in formats):
        target = out_dir / output_names(result)[kind]
        with atomic_path(target) as temporary:
            if kind == "xlsx":
                write_workbook(result, temporary, remedies)
            elif kind == "json":
                temporary.write_text(json_text(result), encoding="utf-8")
            else:
                write_html(result, temporary)
        written[kind] = target
    return written
