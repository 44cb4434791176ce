"""The flow read → normalise → gates → crosscheck → track → report is one-way: a stage imports only
stages below it, and no module of the package imports itself back through a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import ledger_audit

PACKAGE = Path(ledger_audit.__file__).parent
# Floors from the bottom up. Top-level modules not listed (identity, frame, catalog, config,
# findings, errors, ...) are the ground floor; audit, pipeline, province, sample and the rule
# examples sit above every stage.
FLOORS = ("read", "normalise", "gates", "crosscheck", "track", "report")
TOP = ("audit", "pipeline", "province", "registry", "rule_examples", "sample", "lock")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Package modules a file imports at run time (imports under `if TYPE_CHECKING:` excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and getattr(node.test, "id", "") == "TYPE_CHECKING" for n in ast.walk(node)}
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only or not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[:len(package) - node.level + 1]
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [f"{target}.{a.name}".strip(".") for a in node.names]
        elif node.module and node.module.startswith("ledger_audit"):
            target = node.module.removeprefix("ledger_audit").strip(".")
            names = [f"{target}.{a.name}".strip(".") for a in node.names]
        else:
            continue
        for name in [target, *names]:
            path_of = PACKAGE / name.replace(".", "/")
            if name and (path_of.with_suffix(".py").exists() or (path_of / "__init__.py").exists()):
                found.add(name)
    return found - {""}


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


def floor(module: str) -> int:
    top = module.split(".")[0]
    if top in FLOORS:
        return FLOORS.index(top) + 1
    return len(FLOORS) + 1 if top in TOP else 0


def test_each_stage_imports_only_stages_below_it():
    upward = sorted(f"{module} → {target}" for module, targets in graph().items() for target in targets
                    if floor(target) > floor(module) and floor(module) > 0)
    ground = sorted(f"{module} → {target}" for module, targets in graph().items() for target in targets
                    if floor(module) == 0 and floor(target) > 0)
    assert upward == [] and ground == []


def test_no_import_circle():
    edges = graph()
    state: dict[str, int] = {}
    circles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                circles.append(" → ".join(path[path.index(target):] + [target]) if target in path else target)
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_only_the_report_boundary_masks():
    """Findings, messages and the 整改台账 stay unmasked inside the audit: no stage below report/
    (nor audit, pipeline, province) imports a masking function; report/redact.py is the one place."""
    masking = {"mask_id_number", "mask_text"}
    users = sorted(module_name(path) for path in PACKAGE.rglob("*.py")
                   for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                   if isinstance(node, ast.ImportFrom) and masking & {a.name for a in node.names})
    assert users == ["report.redact"]
