"""Faults of the place outputs go (a full disk, a read-only share, a file in the way, long and
odd names, a killed run): each is exit 3 with a Chinese message naming the folder, and nothing
partial. Disk full and read-only are simulated without root by injecting the error at each file
operation of a run in turn, as SQLite's fault-injection tests do."""

import builtins
import errno
import hashlib
import io
import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger_audit.sample.build import build_sample
from ledger_audit_cli.main import build_app

AS_OF = date(2022, 6, 30)
SQLITE_MESSAGES = {errno.ENOSPC: "database or disk is full", errno.EROFS: "attempt to write a readonly database"}


@pytest.fixture(autouse=True)
def keep_pytests_signal_handlers(monkeypatch):
    """`audit run` in-process would turn SIGTERM into SystemExit inside pytest itself."""
    monkeypatch.setattr("ledger_audit_cli.run.stop_cleanly_on_sigterm", lambda: None)


def audit(ledger: Path, out: Path, quarter: str = "2022Q3", *extra: str):
    return CliRunner().invoke(build_app(), ["run", str(ledger), "--quarter", quarter, "--out", str(out),
                                            "--fail-on", "never", *extra])


class Faults:
    """Counts the file operations a run does under `root` and fails the one numbered `fail_at`
    (once) with OSError(code), or sqlite3.OperationalError for the history."""

    def __init__(self, root: Path, monkeypatch, fail_at: int | None = None, code: int = errno.ENOSPC):
        self.root, self.fail_at, self.code, self.steps = root.resolve(), fail_at, code, []
        real_open, real_os_open, real_replace = io.open, os.open, os.replace
        faults = self

        def step(label: str) -> None:
            faults.steps.append(label)
            if len(faults.steps) - 1 == faults.fail_at:
                if label.startswith("sqlite"):
                    raise sqlite3.OperationalError(SQLITE_MESSAGES[faults.code])
                raise OSError(faults.code, os.strerror(faults.code))

        class FaultyFile:
            def __init__(self, handle, name):
                self._handle, self._name = handle, name

            def write(self, data):
                step(f"write {self._name}")
                return self._handle.write(data)

            def __getattr__(self, attribute):
                return getattr(self._handle, attribute)

            def __iter__(self):
                return iter(self._handle)

            def __enter__(self):
                return self

            def __exit__(self, *exc_info):
                self._handle.close()

        class FaultyConnection(sqlite3.Connection):
            def execute(self, *args):
                step("sqlite execute")
                return super().execute(*args)

            def executemany(self, *args):
                step("sqlite executemany")
                return super().executemany(*args)

            def __exit__(self, kind, value, traceback):
                if kind is None:
                    try:
                        step("sqlite commit")
                    except sqlite3.Error:
                        self.rollback()
                        raise
                return super().__exit__(kind, value, traceback)

        def fake_open(file, mode="r", *args, **kwargs):
            handle = real_open(file, mode, *args, **kwargs)
            if any(m in mode for m in "wax+") and self._under_root(file):
                return FaultyFile(handle, Path(file).name)
            return handle

        def fake_os_open(path, flags, *args, **kwargs):
            if self._under_root(path):
                step(f"open {Path(path).name}")
            return real_os_open(path, flags, *args, **kwargs)

        def fake_replace(source, target, *args, **kwargs):
            if self._under_root(target):
                step(f"rename {Path(target).name}")
            return real_replace(source, target, *args, **kwargs)

        real_connect = sqlite3.connect
        monkeypatch.setattr(io, "open", fake_open)
        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(os, "open", fake_os_open)
        monkeypatch.setattr(os, "replace", fake_replace)
        monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: real_connect(*a, factory=FaultyConnection, **k))

    def _under_root(self, path) -> bool:
        return not isinstance(path, int) and Path(os.path.abspath(path)).is_relative_to(self.root)


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under the output root but the lock file (its content is the holder's)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".audit.lock"}


@pytest.fixture(scope="module")
def last_quarter(tmp_path_factory):
    """A county audited for 2022Q2: its 整改台账 and history.sqlite are what a fault must not touch."""
    paths = build_sample(tmp_path_factory.mktemp("in"), 20, 3, AS_OF)
    root = tmp_path_factory.mktemp("out")
    first = audit(paths["ledger"], root / "2022Q2", "2022Q2")
    assert first.exit_code == 0, first.output
    return paths["ledger"], root


@pytest.fixture
def root(last_quarter, tmp_path):
    """A fresh copy of the output root after 2022Q2 (each injected fault gets its own)."""
    copy = tmp_path / "out"
    copy_tree(last_quarter[1], copy)
    return copy


def operations(ledger: Path, root: Path, quarter: str) -> list[str]:
    with pytest.MonkeyPatch.context() as patch:
        faults = Faults(root, patch)
        assert audit(ledger, root / quarter, quarter).exit_code == 0
    return faults.steps


def chosen_steps(steps: list[str], with_writes: bool = True) -> list[int]:
    """The first of each run of the same operation (three executemany in a row are one step); of
    each file's writes the first and the last; the writes left out when `with_writes` is false (a
    read-only share refuses the open, not a write)."""
    chosen, writes = set(), {}
    for index, label in enumerate(steps):
        if label.startswith("write "):
            writes.setdefault(label, []).append(index)
        elif index == 0 or label != steps[index - 1]:
            chosen.add(index)
    if with_writes:
        chosen |= {i for indices in writes.values() for i in (indices[0], indices[-1])}
    return sorted(chosen)


def assert_fault_changed_nothing(result, root: Path, before: dict[str, str], where: Path) -> None:
    assert result.exit_code == 3, result.output
    assert f"输出目录「{where}" in result.output or f"输出目录「{root}」" in result.output, result.output
    assert snapshot(root) == before
    assert not list(root.rglob(".audit-*")), "temporary files left"
    with sqlite3.connect(root / "history.sqlite") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_fault_at_any_step_of_a_new_quarter_changes_nothing(last_quarter, tmp_path, code):
    ledger, original = last_quarter
    probe = tmp_path / "probe"
    copy_tree(original, probe)
    steps = operations(ledger, probe, "2022Q3")
    labels = {label.split(" ")[0] for label in steps}
    assert {"open", "write", "rename", "sqlite"} <= labels and "open .audit.lock" in steps, steps
    for index in chosen_steps(steps, with_writes=code == errno.ENOSPC):
        root = tmp_path / f"root{index}"
        copy_tree(original, root)
        before = snapshot(root)
        with pytest.MonkeyPatch.context() as patch:
            Faults(root, patch, fail_at=index, code=code)
            result = audit(ledger, root / "2022Q3")
        assert_fault_changed_nothing(result, root, before, root / "2022Q3")
        assert not (root / "2022Q3").exists(), f"step {index} {steps[index]}"
        if code == errno.ENOSPC:
            assert "磁盘空间不足" in result.output and "至少腾出" in result.output
        else:
            assert "只读" in result.output


def test_a_fault_while_replacing_last_quarters_outputs_puts_them_back(last_quarter, tmp_path):
    """Re-running 2022Q2 over its outputs: a fault at any rename or in the history restores them."""
    ledger, original = last_quarter
    probe = tmp_path / "probe"
    copy_tree(original, probe)
    steps = operations(ledger, probe, "2022Q2")
    replacing = steps.index(next(label for label in steps if label.startswith("rename")))
    for index in [i for i in chosen_steps(steps, with_writes=False) if i >= replacing]:
        root = tmp_path / f"root{index}"
        copy_tree(original, root)
        before = snapshot(root)
        with pytest.MonkeyPatch.context() as patch:
            Faults(root, patch, fail_at=index, code=errno.ENOSPC)
            result = audit(ledger, root / "2022Q2", "2022Q2")
        assert_fault_changed_nothing(result, root, before, root / "2022Q2")


def copy_tree(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())


def test_out_under_a_plain_file_is_exit_3(last_quarter, tmp_path):
    ledger, _ = last_quarter
    (tmp_path / "报告").write_text("a file, not a folder", encoding="utf-8")
    result = audit(ledger, tmp_path / "报告" / "2022Q3")
    assert result.exit_code == 3, result.output
    assert f"输出目录「{tmp_path / '报告'}」的路径中有一部分是文件而不是文件夹" in result.output


def test_a_ledger_named_with_80_chinese_characters_is_audited(last_quarter, tmp_path):
    ledger, _ = last_quarter
    county = "某" * 80
    named = tmp_path / f"{county}.xlsx"
    named.write_bytes(ledger.read_bytes())
    config = tmp_path / "county.toml"
    config.write_text(f'[run]\ncounty = "{county}"\n', encoding="utf-8")
    result = audit(named, tmp_path / "out" / "2022Q2", "2022Q2", "--config", str(config))
    assert result.exit_code == 0, result.output
    workbook = next((tmp_path / "out" / "2022Q2").glob("*.xlsx"))
    assert len(workbook.name.encode("utf-8")) <= 255 and workbook.name.endswith("…_2022Q2.xlsx")
    import openpyxl
    title = openpyxl.load_workbook(workbook, read_only=True)["汇总"]["A1"].value
    assert county in title


def test_a_newline_in_a_file_name_stays_out_of_names_and_log_lines(last_quarter, tmp_path):
    ledger, _ = last_quarter
    named = tmp_path / "台账\n甲县.xlsx"
    named.write_bytes(ledger.read_bytes())
    log = tmp_path / "audit.log"
    config = tmp_path / "county.toml"
    config.write_text('[run]\ncounty = "台账\\n甲县"\n', encoding="utf-8")
    result = audit(named, tmp_path / "out" / "2022Q2", "2022Q2", "--log", str(log), "--config", str(config))
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out" / "2022Q2").glob("*.xlsx")] == ["三单一账_台账_甲县_2022Q2.xlsx"]
    assert "台账\\n甲县.xlsx" in result.output
    lines = log.read_text(encoding="utf-8").splitlines()
    assert not any(line.startswith("甲县") for line in lines)
    assert any("开始审核" in line and "台账\\n甲县.xlsx" in line for line in lines)


def test_the_next_run_removes_stale_temporary_files_of_a_killed_one(last_quarter, root):
    ledger, _ = last_quarter
    stale = root / "2022Q2" / ".audit-0123456789ab.part"
    stale.write_bytes(b"half a workbook")
    assert audit(ledger, root / "2022Q2", "2022Q2").exit_code == 0
    assert not stale.exists()


def test_every_output_gets_the_usual_umask(last_quarter, tmp_path):
    ledger, _ = last_quarter
    old = os.umask(0o022)
    try:
        assert audit(ledger, tmp_path / "out" / "2022Q2", "2022Q2").exit_code == 0
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert set(modes.values()) == {0o644}, modes
