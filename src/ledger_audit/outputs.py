"""Writing a run's files where county offices keep them: shared drives that fill up or are mounted
read-only, folders named in long Chinese, files open in Excel.

`OutputSet` commits several files all or nothing. Each file is first written to a short hidden
temporary name in its own folder (`.audit-<random>.part`, so even a 255-byte output name has room);
only when every file is complete are they renamed into place, one after another, the previous
version of each kept aside until all renames (and the caller's follow-up, e.g. recording the run in
the history) have succeeded. Any failure puts the previous files back and removes every temporary
file, so a full disk or a read-only share leaves the folder exactly as it was.

Temporary files are created with mode 0666 less the umask, like any file a program creates
(`tempfile.mkstemp` would make them 0600 and colleagues on a shared PC could not open the reports).

A fault of the file system becomes `AuditInputError` (exit 3) naming the folder and what to do.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from .errors import AuditInputError

PART_PREFIX = ".audit-"
PART_SUFFIX = ".part"
MAX_NAME_BYTES = 255          # one path component on ext4, XFS, NTFS (as UTF-16), SMB shares
NEW_FILE_MODE = 0o666         # less the umask
SHORTENED = "…"
SPACE_MARGIN = 1024 * 1024    # asked for beyond what was written when the disk filled: the history, the rest
# Control characters split log lines and terminal rows; the others are refused by Windows.
UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')

Writer = Callable[[Path], None]


def safe_file_name(stem: str, suffix: str = "") -> str:
    """`stem + suffix` as a file name Windows and Linux both accept: control characters and
    <>:"/\\|?* replaced by "_", no trailing dot or space, at most 255 bytes in UTF-8 (the stem is
    cut at a character boundary and marked with "…"; the suffix is kept)."""
    clean = UNSAFE_IN_NAME.sub("_", stem).rstrip(" .") or "_"
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    if len(clean.encode("utf-8")) > room:
        cut = room - len(SHORTENED.encode("utf-8"))
        clean = clean.encode("utf-8")[:cut].decode("utf-8", "ignore") + SHORTENED
    return clean + suffix


def remove_stale_parts(folder: Path) -> int:
    """Remove temporary files a killed run left in `folder` and below. Only call this holding the
    output root's lock: then no other run can be writing there."""
    removed = 0
    if folder.is_dir():
        for part in folder.rglob(f"{PART_PREFIX}*{PART_SUFFIX}"):
            part.unlink(missing_ok=True)
            removed += 1
    return removed


class OutputSet:
    """Files written into `folder` and committed together.

        with OutputSet(out_dir) as outputs:
            workbook = outputs.add("三单一账.xlsx", lambda path: write_workbook(result, path))
            outputs.add("乡镇/甲镇.xlsx", ...)          # a subfolder is made as needed
            outputs.commit(then=lambda: record_run(...))

    `add` writes the file at once, to a temporary name, and returns the path it will have.
    `commit` renames them all into place, then calls `then`; if a rename or `then` fails, every
    target is put back as it was. Leaving the block without `commit` (or after a failure) removes
    all temporary files and any folder the set created.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._staged: list[tuple[Path, Path]] = []     # (temporary, target)
        self._made: list[Path] = []                     # folders this set created, outermost first
        self._backups: list[Path] = []                  # previous versions, deleted once committed
        self._sizes: dict[Path, int] = {}               # bytes of each complete temporary file

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc_info) -> None:
        for temporary, _ in self._staged:
            temporary.unlink(missing_ok=True)
        for backup in self._backups:
            backup.unlink(missing_ok=True)
        if exc_info[0] is not None or self._staged:
            for folder in reversed(self._made):
                _remove_if_empty(folder)

    def add(self, name: str, write: Writer) -> Path:
        target = self.folder / name
        try:
            self._make_folder(target.parent)
            temporary = _new_part(target.parent)
            self._staged.append((temporary, target))
            write(temporary)
            self._sizes[temporary] = temporary.stat().st_size
        except Exception as error:  # noqa: BLE001 - only file-system faults are translated
            self._raise_fault(error)
        return target

    def commit(self, then: Callable[[], None] | None = None) -> list[Path]:
        replaced: list[tuple[Path, Path | None]] = []   # (target, its previous version set aside)
        try:
            for temporary, target in self._staged:
                backup = None
                if target.exists():
                    backup = _part_name(target.parent)
                    os.replace(target, backup)
                    self._backups.append(backup)
                replaced.append((target, backup))
                os.replace(temporary, target)
            if then is not None:
                then()
        except Exception as error:  # noqa: BLE001 - re-raised after the targets are put back
            _put_back(replaced)
            self._backups.clear()   # moved back; one that could not be is kept, not deleted
            self._raise_fault(error)
        self._staged.clear()
        return [target for target, _ in replaced]

    def _make_folder(self, folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        self._made.extend(p for p in reversed(missing) if p not in self._made)

    def _raise_fault(self, error: Exception) -> None:
        """A file-system fault as exit 3; anything else (a bug, an AuditInputError) unchanged."""
        os_error = os_error_in(error)
        if os_error is None:
            raise error
        partial = sum(t.stat().st_size for t, _ in self._staged if t not in self._sizes and t.exists())
        written = sum(self._sizes.values()) + partial
        raise environment_error(os_error, getattr(error, "folder", self.folder), needed=written) from error


def write_atomically(target: Path, write: Writer) -> Path:
    """One file, all or nothing (a half-written template or JSON is worse than none)."""
    with OutputSet(target.parent) as outputs:
        outputs.add(target.name, write)
        outputs.commit()
    return target


def os_error_in(error: BaseException) -> OSError | None:
    """The OSError behind `error`: itself, the one a library wrapped (xlsxwriter raises
    FileCreateError(OSError) from Workbook.close), or the one an environment_error describes."""
    while error is not None:
        if isinstance(error, OSError):
            return error
        if isinstance(getattr(error, "os_error", None), OSError):
            return error.os_error
        wrapped = next((a for a in error.args if isinstance(a, OSError)), None)
        error = wrapped or error.__cause__ or error.__context__
    return None


def environment_error(error: OSError, folder: Path, needed: int = 0) -> AuditInputError:
    """A file-system fault while writing into `folder`, as the Chinese message of exit code 3. The
    fault and the folder stay attached, so that an OutputSet can restate a disk-full message with
    the size of everything it wrote."""
    described = _described(error, folder, needed)
    described.os_error, described.folder = error, folder
    return described


def _described(error: OSError, folder: Path, needed: int) -> AuditInputError:
    where = f"输出目录「{folder}」"
    untouched = "本次未写入任何文件，原有文件未改动。"
    code = error.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        free = _free_bytes(folder)
        return AuditInputError(
            f"{where}所在磁盘空间不足：本次输出写到 {_megabytes(needed)} 时磁盘已满"
            f"（当前可用 {_megabytes(free)}，不够本次输出和运行历史）。{untouched}",
            hint=f"至少腾出 {_megabytes(needed + SPACE_MARGIN)} 可用空间（本次输出的大小加 1 MB 余量），"
                 "或用 --out 指定空间足够的目录后重新运行。")
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return AuditInputError(f"{where}是只读的，或没有写入权限。{untouched}",
                               hint="用 --out 指定有写入权限的目录；共享盘请确认不是只读共享；"
                                    "若输出文件正在 Excel 或 WPS 中打开，请先关闭。")
    if code in (errno.ENOTDIR, errno.EEXIST):
        return AuditInputError(f"{where}的路径中有一部分是文件而不是文件夹，无法在其中写入。{untouched}",
                               hint="用 --out 指定一个文件夹（不存在时会自动创建）。")
    if code == errno.ENAMETOOLONG:
        return AuditInputError(f"{where}的路径太长，无法创建输出文件。{untouched}",
                               hint="用 --out 指定一个较短的目录，或把台账文件改为较短的名称。")
    return AuditInputError(f"{where}无法写入（{error.strerror or error}）。{untouched}",
                           hint="检查磁盘和写入权限，或用 --out 指定其他目录。")


def _part_name(folder: Path) -> Path:
    return folder / f"{PART_PREFIX}{secrets.token_hex(6)}{PART_SUFFIX}"


def _new_part(folder: Path) -> Path:
    """Create an empty temporary file (O_EXCL: never someone else's) with the umask applied."""
    path = _part_name(folder)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), NEW_FILE_MODE))
    return path


def _put_back(replaced: list[tuple[Path, Path | None]]) -> None:
    """Undo the renames done so far, newest first: the previous version back, or no file. A backup
    that cannot be moved back stays on disk (a stale temporary file) rather than being deleted
    with the only copy of the previous file in it."""
    for target, backup in reversed(replaced):
        try:
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        except OSError:
            continue


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass    # not empty (someone else's files) or already gone: leave it


def _free_bytes(folder: Path) -> int:
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path.cwd())
    try:
        return shutil.disk_usage(existing).free
    except OSError:
        return 0


def _megabytes(size: int) -> str:
    """1.2 MB, or 35 KB below a megabyte (a nearly full disk is the case that matters)."""
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    return f"{size / 1024 / 1024:.1f} MB"
