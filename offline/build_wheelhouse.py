"""Build dist/ledger-audit-offline-<version>/ for county offices without internet: the project's
wheel, every dependency's wheel for each platform and CPython version, and install scripts.

    python offline/build_wheelhouse.py                      # Windows and Linux x86-64, CPython 3.10-3.12
    python offline/build_wheelhouse.py --platform linux --python 3.11 --dest DIR   # one part only

pip evaluates environment markers such as `sys_platform == "win32"` on the machine that downloads,
not for --platform, so the Windows-only dependencies of our dependencies are named here.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = {"windows": ["win_amd64"],
             "linux": ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"]}
PYTHONS = ("3.10", "3.11", "3.12")
MARKER_ONLY = {"windows": ["tzdata", "colorama"]}     # pandas and typer need them on win32 only
SHIPPED = ("install.sh", "install.bat", "安装说明.txt")


def version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return next(line.split("=", 1)[1].strip().strip('"') for line in text.splitlines() if line.startswith("version"))


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], check=True)


def build(dest: Path, platforms: list[str], pythons: list[str]) -> Path:
    wheels = dest / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(ROOT))
    project = next(wheels.glob("ledger_audit-*.whl"))
    for platform in platforms:
        tags = [arg for tag in PLATFORMS[platform] for arg in ("--platform", tag)]
        for python in pythons:
            pip("download", "--quiet", "--only-binary=:all:", "--implementation", "cp", "--python-version", python,
                *tags, "--dest", str(wheels), str(project), *MARKER_ONLY.get(platform, []))
    for name in SHIPPED:
        shutil.copy(ROOT / "offline" / name, dest / name)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", action="append", choices=sorted(PLATFORMS))
    parser.add_argument("--python", action="append", choices=PYTHONS)
    parser.add_argument("--dest", type=Path, default=ROOT / "dist" / f"ledger-audit-offline-{version()}")
    options = parser.parse_args()
    print(build(options.dest, options.platform or sorted(PLATFORMS), options.python or list(PYTHONS)))


if __name__ == "__main__":
    main()
