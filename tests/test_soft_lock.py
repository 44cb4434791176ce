"""Where the operating system gives no lock, filelock's soft lock is the lock file itself; one left
by a run killed on another computer stops the next run (exit 3) with a message naming the file and
saying to delete it once nobody is running, and the run works again once it is deleted."""

import errno

import filelock
import pytest

from ledger_audit.errors import AuditInputError
from ledger_audit.lock import LOCK_FILE, output_lock

fcntl = pytest.importorskip("fcntl")            # the flock cases need a Unix to take flock away from

STALE = "4242\n乡镇另一台电脑\n5f2c0d6e1a\n"    # what a killed run on another PC leaves


class Filelock3Unix(filelock.UnixFileLock):
    """filelock 3's Unix lock on a share without flock: it raises instead of falling back."""

    def _acquire(self):
        raise NotImplementedError("FileSystem does not appear to support flock; use SoftFileLock instead")


def no_flock(*_):
    raise OSError(errno.ENOSYS, "Function not implemented")


FALLBACKS = {
    "no OS lock at all": lambda m: m.setattr(filelock, "FileLock", filelock.SoftFileLock),
    "share without flock (filelock 4)": lambda m: m.setattr(fcntl, "flock", no_flock),
    "share without flock (filelock 3)": lambda m: m.setattr(filelock, "FileLock", Filelock3Unix),
}


@pytest.mark.parametrize("fallback", list(FALLBACKS))
def test_stale_soft_lock_names_the_file_and_says_to_delete_it(tmp_path, monkeypatch, fallback):
    FALLBACKS[fallback](monkeypatch)
    lock_file = tmp_path / LOCK_FILE
    lock_file.write_text(STALE, encoding="utf-8")
    with pytest.raises(AuditInputError) as refused:
        with output_lock(tmp_path):
            pytest.fail("ran despite the lock")
    message = str(refused.value)
    assert f"锁文件 {LOCK_FILE}" in message and f"删除锁文件 {lock_file}" in message and "未写入任何文件" in message
    assert lock_file.read_text(encoding="utf-8") == STALE          # never removed behind a person's back
    lock_file.unlink()
    with output_lock(tmp_path):
        assert lock_file.exists()
