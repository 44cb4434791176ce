"""One run at a time per output root: two scheduled jobs (or a person and a scheduled job) writing
the same 整改台账 and history would corrupt each other's work. `filelock` takes an operating-system
lock (fcntl on Linux, msvcrt on Windows), released by the system even if the process is killed."""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path

import filelock

from .errors import AuditInputError
from .outputs import environment_error

LOCK_FILE = ".audit.lock"


@contextmanager
def output_lock(root: Path):
    """Hold the lock of output root `root` for the block; exit 3 at once if another run holds it,
    or if the root cannot be written at all (read-only share, a file in the way)."""
    path = root / LOCK_FILE
    lock = filelock.FileLock(path, timeout=0)
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except filelock.Timeout:
        if not os.access(path if path.exists() else root, os.W_OK):
            # filelock reports a lock file it may not open as held by someone else
            raise environment_error(PermissionError(errno.EACCES, "Permission denied"), root) from None
        raise AuditInputError("另一个审核任务正在使用同一输出目录，本次未运行、未写入任何文件。", file=str(root),
                              hint="等前一个任务结束后再运行；定时任务请错开时间或使用不同的输出目录。") from None
    except OSError as error:
        raise environment_error(error, root) from None
    try:
        yield
    finally:
        lock.release()
