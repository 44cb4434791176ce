"""The offline install of a county office without internet: the wheelhouse's Linux part for this
Python installs into a fresh venv with --no-index and audits the shipped sample.

Installing pandas, numpy and pyarrow into a fresh venv takes 1-3 minutes on 2 cores, too long for
every `make test`; so the test runs after `make wheelhouse` (it uses dist/ledger-audit-offline-*/),
or with LEDGER_AUDIT_OFFLINE_TEST=1, when it builds just the Linux part for this Python; that needs
the package index, and where pip cannot download a wheel (no internet) the test is skipped saying
which."""

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
BUILT = sorted((ROOT / "dist").glob("ledger-audit-offline-*/install.sh"))
pytestmark = pytest.mark.skipif(not BUILT and not os.environ.get("LEDGER_AUDIT_OFFLINE_TEST"),
                                reason="run `make wheelhouse` first, or set LEDGER_AUDIT_OFFLINE_TEST=1")


def wheelhouse(tmp_path: Path) -> Path:
    if BUILT:
        return BUILT[-1].parent
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    build = subprocess.run([sys.executable, str(ROOT / "offline" / "build_wheelhouse.py"), "--platform", "linux",
                            "--python", python, "--dest", str(tmp_path / "house")], capture_output=True, text=True)
    missing = re.search(r"No matching distribution found for (\S+)", build.stderr)
    if build.returncode and missing:       # what pip says offline, or on an intranet index that lacks a wheel
        pytest.skip(f"cannot build the wheelhouse here: pip finds no {missing[1]} for Linux, CPython {python} on the "
                    "package index it reaches (no internet?); run `make wheelhouse` where there is")
    assert build.returncode == 0, build.stderr[-3000:]
    return tmp_path / "house"


def test_the_linux_part_installs_without_an_index_and_audits_the_sample(tmp_path):
    house = wheelhouse(tmp_path)
    assert {"install.sh", "install.bat", "安装说明.txt"} <= {p.name for p in house.iterdir()}
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-index", "--find-links",
                              str(house / "wheels"), "ledger-audit"], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    out = tmp_path / "out" / "2022Q2"
    run = subprocess.run([str(environment / "bin" / "audit"), "run", str(SAMPLE / "台账_示例县.xlsx"),
                          "--roster", f"民政={SAMPLE / '民政_低保特困名单.xlsx'}", "--quarter", "2022Q2",
                          "--out", str(out), "--fail-on", "never"],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""}, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["findings.json", "report_2022Q2.html",
                                                     "三单一账_陇县_2022Q2.xlsx"]
