"""What a scheduled job (cron, Windows Task Scheduler) needs: a log file, a clean stop on a
termination signal (outputs are committed all or nothing, so stopping at any point leaves the
previous outputs untouched), and a console that never crashes on a character it cannot show."""

from __future__ import annotations

import io
import logging
import signal
import sys
from pathlib import Path

LOGGER = logging.getLogger("ledger_audit")
SIGTERM_EXIT = 128 + 15     # what a shell reports for SIGTERM; the same number on Windows
# SIGTERM is what cron, systemd and `kill` send; SIGBREAK is Ctrl-Break in a Windows console.
# Windows defines SIGTERM but never delivers it from outside; other platforms may lack either.
STOP_SIGNALS = ("SIGTERM", "SIGBREAK")


def log_to(path: Path | None) -> None:
    """Append this run's messages to a log file (--log or [run] log in the config)."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)


def stop_cleanly_on_sigterm() -> None:
    """Turn each termination signal this platform has into SystemExit, so that temporary files
    are removed on the way out."""
    def stop(signum, frame):  # noqa: ARG001 - signal handler signature
        LOGGER.warning("收到终止信号，已停止；未完成的输出文件已清理。")
        sys.exit(SIGTERM_EXIT)
    for name in STOP_SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


def tolerant_console() -> None:
    """A Windows console or a redirected output in GBK (cp936) cannot encode every character a
    name may hold (𠮷 and other rare characters in 姓名 and place names): print "?" for it instead
    of ending the run with UnicodeEncodeError. Files (xlsx, HTML, JSON, the log) stay UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
