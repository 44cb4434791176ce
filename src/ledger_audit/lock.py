"""One run at a time per output root: two scheduled jobs (or a person and a scheduled job) writing
the same 整改台账 and history would corrupt each other's work. `filelock` takes an operating-system
lock (fcntl on Linux, msvcrt on Windows), released by the system even if the process is killed.

Where there is no operating-system lock (a platform with neither, a share without flock) filelock
falls back to a soft lock: the lock file itself, present while a run holds it. A killed run leaves
that file behind (filelock removes it itself only when it can tell its process is gone: same
computer, filelock 4), and every later run then stops (exit 3) naming the file, to be deleted by
hand once nobody is running."""

from __future__ import annotations

import errno
import os
import warnings
from contextlib import contextmanager
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)     # filelock's English note where it has only the soft lock
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
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)   # the same note on a share without flock
                lock.acquire()
        except NotImplementedError:                   # filelock 3 on a file system without flock
            lock = filelock.SoftFileLock(path, timeout=0)
            lock.acquire()
    except filelock.Timeout:
        if not os.access(path if path.exists() else root, os.W_OK):
            # filelock reports a lock file it may not open as held by someone else
            raise environment_error(PermissionError(errno.EACCES, "Permission denied"), root) from None
        if _is_soft(lock):
            raise AuditInputError(f"另一个审核任务正在使用同一输出目录，或上次运行被强行结束后留下了锁文件 {path.name}。"
                                  "本次未运行、未写入任何文件。", file=str(path),
                                  hint=f"确认没有其他审核任务在使用该输出目录后，删除锁文件 {path} 再运行。") from None
        raise AuditInputError("另一个审核任务正在使用同一输出目录，本次未运行、未写入任何文件。", file=str(root),
                              hint="等前一个任务结束后再运行；定时任务请错开时间或使用不同的输出目录。") from None
    except OSError as error:
        raise environment_error(error, root) from None
    try:
        yield
    finally:
        lock.release()


def _is_soft(lock: filelock.BaseFileLock) -> bool:
    """Whether `lock` is the soft lock: a SoftFileLock, or filelock 4's Unix lock fallen back to one,
    the only case in which a Unix lock can tell the holder's `pid`."""
    return isinstance(lock, filelock.SoftFileLock) or hasattr(lock, "pid")
