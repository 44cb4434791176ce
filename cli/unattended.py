"""What a cron job needs: a log file, and a clean stop on SIGTERM (outputs are written atomically,
so stopping between files leaves each output either complete or untouched)."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

LOGGER = logging.getLogger("ledger_audit")
SIGTERM_EXIT = 128 + signal.SIGTERM


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
    """Turn SIGTERM into SystemExit so that temporary files are removed on the way out."""
    def stop(signum, frame):  # noqa: ARG001 - signal handler signature
        LOGGER.warning("收到终止信号，已停止；未完成的输出文件已清理。")
        sys.exit(SIGTERM_EXIT)
    signal.signal(signal.SIGTERM, stop)
