"""Writing outputs where county offices keep them: all or nothing, names that fit and do not split
log lines, the umask applied, stale temporary files of a killed run removed."""

import errno
import os
import stat

import pytest

from ledger_audit.errors import AuditInputError
from ledger_audit.outputs import MAX_NAME_BYTES, OutputSet, remove_stale_parts, safe_file_name


def test_a_set_is_committed_together_and_a_failure_leaves_the_previous_files(tmp_path):
    (tmp_path / "a.txt").write_text("old a")
    with OutputSet(tmp_path) as outputs:
        outputs.add("a.txt", lambda p: p.write_text("new a"))
        outputs.add("town/b.txt", lambda p: p.write_text("new b"))
        assert not (tmp_path / "town" / "b.txt").exists()        # nothing visible before commit
        outputs.commit()
    assert (tmp_path / "a.txt").read_text() == "new a" and (tmp_path / "town" / "b.txt").read_text() == "new b"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "b.txt", "town"]

    def history_fails():
        raise AuditInputError("磁盘已满")
    with pytest.raises(AuditInputError), OutputSet(tmp_path) as outputs:
        outputs.add("a.txt", lambda p: p.write_text("newer a"))
        outputs.add("c/d.txt", lambda p: p.write_text("d"))
        outputs.commit(then=history_fails)
    assert (tmp_path / "a.txt").read_text() == "new a"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "b.txt", "town"]


def test_a_disk_full_writer_is_exit_3_naming_the_folder_and_the_space(tmp_path):
    def fills_the_disk(path):
        path.write_bytes(b"x" * 5000)
        raise OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(AuditInputError) as raised, OutputSet(tmp_path / "2022Q2") as outputs:
        outputs.add("findings.json", lambda p: p.write_text("{}"))
        outputs.add("三单一账.xlsx", fills_the_disk)
    assert f"输出目录「{tmp_path / '2022Q2'}」所在磁盘空间不足" in str(raised.value)
    assert "写到 5 KB 时磁盘已满" in str(raised.value) and "至少腾出 1.0 MB" in str(raised.value)
    assert list(tmp_path.iterdir()) == []                       # temporary files and the new folder gone


def test_outputs_get_the_usual_umask_not_mkstemps_0600(tmp_path):
    old = os.umask(0o022)
    try:
        with OutputSet(tmp_path) as outputs:
            outputs.add("report.html", lambda p: p.write_text("<html>"))
            outputs.commit()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == 0o644


def test_long_chinese_and_newline_names_fit_and_stay_on_one_line():
    long_county = "某" * 80
    name = safe_file_name(f"三单一账_{long_county}", "_2022Q2.xlsx")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES and name.endswith("…_2022Q2.xlsx")
    assert name.startswith("三单一账_某某某")
    assert safe_file_name("三单一账_甲县\n乙", ".xlsx") == "三单一账_甲县_乙.xlsx"
    assert safe_file_name('a/b:c*?"<>|', ".txt") == "a_b_c______.txt"


def test_stale_temporary_files_are_removed_but_nothing_else(tmp_path):
    (tmp_path / ".audit-0123456789ab.part").write_bytes(b"half")
    (tmp_path / "town").mkdir()
    (tmp_path / "town" / ".audit-ba9876543210.part").write_bytes(b"half")
    (tmp_path / "notes.part").write_text("a person's file")
    assert remove_stale_parts(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["notes.part", "town"]
