"""What a Windows PC would do, without Windows: no fcntl (the CLI must not need any POSIX-only
module), a GBK console that lacks some characters of names, no SIGTERM."""

import importlib
import os
import shutil
import signal
import subprocess
import sys
from datetime import date

import pytest

from ledger_audit.sample.build import build_sample

AS_OF = date(2022, 6, 30)
RARE = "𠮷"      # in GB18030 but not in GBK (cp936), like many characters of names


@pytest.fixture(scope="module")
def windows_like_env(tmp_path_factory):
    """PYTHONPATH with a sitecustomize that makes fcntl unimportable, stdout/stderr in GBK."""
    site = tmp_path_factory.mktemp("no_fcntl")
    (site / "sitecustomize.py").write_text('import sys\nsys.modules["fcntl"] = None\n', encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
            "PYTHONIOENCODING": "gbk", "COLUMNS": "200"}


def test_the_environment_really_has_no_fcntl(windows_like_env):
    probe = subprocess.run([sys.executable, "-c", "import fcntl"], env=windows_like_env, capture_output=True)
    assert probe.returncode == 1 and b"ModuleNotFoundError" in probe.stderr


def test_audit_runs_locks_and_writes_without_fcntl_on_a_gbk_console(windows_like_env, tmp_path):
    paths = build_sample(tmp_path / "in", 30, 4, AS_OF)
    ledger = paths["ledger"].with_name(f"台账_{RARE}县.xlsx")
    shutil.copy(paths["ledger"], ledger)
    out = tmp_path / "out" / "2022Q2"

    def audit():
        return subprocess.run([sys.executable, "-m", "ledger_audit_cli", "run", str(ledger), "--quarter", "2022Q2",
                               "--roster", f"民政={paths['民政']}", "--out", str(out), "--fail-on", "never"],
                              env=windows_like_env, capture_output=True)

    holder = subprocess.Popen([sys.executable, "-c", "import sys; from pathlib import Path\n"
                               "from ledger_audit.lock import output_lock\n"
                               f"with output_lock(Path({str(out.parent)!r})):\n"
                               "    print('held', flush=True); sys.stdin.read()"],
                              env=windows_like_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout.readline() == b"held\n"
    refused = audit()
    holder.communicate()
    assert refused.returncode == 3, refused.stderr.decode("gbk")
    assert "另一个审核任务正在使用同一输出目录" in refused.stderr.decode("gbk")

    done = audit()
    stdout = done.stdout.decode("gbk")
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    assert "台账_?县.xlsx" in stdout and "三单一账工作簿" in stdout     # printed, the rare character replaced
    names = sorted(p.name for p in out.iterdir())
    assert names[:2] == ["findings.json", "report_2022Q2.html"] and len(names) == 3
    assert names[2].startswith("三单一账_") and names[2].endswith("_2022Q2.xlsx")



def test_a_platform_without_sigterm_still_starts(monkeypatch):
    from ledger_audit_cli import unattended
    for name in unattended.STOP_SIGNALS:
        monkeypatch.delattr(signal, name, raising=False)
    importlib.reload(unattended)               # what importing it there does
    unattended.stop_cleanly_on_sigterm()       # installs nothing, raises nothing
