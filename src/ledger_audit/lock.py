"""One run at a time per output root: two cron jobs (or a person and a cron job) writing the same
整改台账 and history would corrupt each other's work. POSIX advisory lock (fcntl), released by the
operating system even if the process is killed."""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path

from .errors import AuditInputError

LOCK_FILE = ".audit.lock"


@contextmanager
def output_lock(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AuditInputError("另一个审核任务正在使用同一输出目录，本次未运行、未写入任何文件。", file=str(root),
                                  hint="等前一个任务结束后再运行；定时任务请错开时间或使用不同的输出目录。") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
