"""The LMS in and out: `grader collect` on Canvas- and Moodle-style archives built here (late and
on-time work, a second attempt, a GBK name, an unmatched student, every hostile archive), the
collect manifest read strictly, and the Canvas and Moodle grade import CSVs against files
written by hand; one slow test collects, grades and exports end to end."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
import warnings
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.lms import canvas, moodle
from grader.lms.archive import Limits
from grader.lms.collect import Options, collect
from grader.lms.exports import Target, lms_rows, lms_text
from grader.lms.lmsrow import LmsRow, number
from grader.lms.manifest import FILE_NAME, ManifestError, parse_manifest, read_manifest
from support import ROOT

OK_RELU = "import numpy as np\n\ndef relu(x):\n    return np.maximum(np.asarray(x, dtype=float), 0.0)\n"
BAD_RELU = "import numpy as np\n\ndef relu(x):\n    return np.asarray(x, dtype=float)\n"
WHEN = (2026, 3, 1, 18, 0, 0)
LATER = (2026, 3, 2, 9, 30, 0)
ROSTER = ("student_id,name,email,canvas_user_id\n"
          's001,"Doe, Jane",jane@example.edu,12345\n'
          "s002,Bob Smith,bob@example.edu,\n"
          "s003,Ann Lee,ann@example.edu,\n"
          "s004,张三,zhang@example.edu,\n")
#: "张三" in GBK, as Windows in Chinese writes it in a zip without the UTF-8 flag
ZHANG_GBK = "张三".encode("gbk")


# ------------------------------------------------------------------------------ archives


def entry(name: str, when: tuple[int, ...] = WHEN, mode: int | None = None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        info.create_system = 3
        info.external_attr = mode << 16
    return info


def build_zip(path: Path, entries: list[tuple[zipfile.ZipInfo, bytes | str]],
              raw_names: dict[str, bytes] | None = None) -> Path:
    """A zip of `entries`; `raw_names` replaces an (ASCII) name by other bytes of the same
    length, with no UTF-8 flag: how a GBK name is stored."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a duplicate name, on purpose
        with zipfile.ZipFile(buffer, "w") as zf:
            for info, data in entries:
                zf.writestr(info, data)
    raw = buffer.getvalue()
    for placeholder, real in (raw_names or {}).items():
        assert len(placeholder.encode()) == len(real)
        raw = raw.replace(placeholder.encode(), real)
    path.write_bytes(raw)
    return path


def canvas_archive(path: Path) -> Path:
    return build_zip(path, [
        (entry("doejane_12345_1001_hw1.py"), OK_RELU),
        (entry("smithbob_late_23456_1002_hw1.py", LATER), BAD_RELU),
        (entry("leeann_34567_1003_hw1.py"), BAD_RELU),
        (entry("leeann_34567_1010_hw1-1.py", LATER), OK_RELU),
        (entry("ZZZZ_45678_1004_hw1.py"), OK_RELU),
        (entry("nobodyhere_99999_1005_hw1.py"), OK_RELU),
        (entry("doejane_12345_text.html"), "<p>see my file</p>"),
    ], {"ZZZZ_45678": ZHANG_GBK + b"_45678"})


def moodle_archive(path: Path) -> Path:
    return build_zip(path, [
        (entry("Jane Doe_501_assignsubmission_file_/hw1.py"), OK_RELU),
        (entry("Bob Smith_502_assignsubmission_file_/hw1.py", LATER), BAD_RELU),
        (entry("Bob Smith_502_assignsubmission_onlinetext_onlinetext.html", LATER), "<p>notes</p>"),
        (entry("Ann Lee_503_assignsubmission_file_hw1.py"), OK_RELU),
        (entry("Nobody Here_504_assignsubmission_file_/hw1.py"), OK_RELU),
        (entry("ZZZZ_505_assignsubmission_file_/hw1.py"), OK_RELU),
    ], {"ZZZZ_505": ZHANG_GBK + b"_505"})


def roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


# ------------------------------------------------------------------------------ canvas


def test_canvas_names_are_parsed_as_canvas_writes_them():
    assert canvas.parse("doejane_12345_1001_hw1.py") == canvas.CanvasName("doejane", False, "12345", 1001, "hw1.py")
    assert canvas.parse("smithbob_LATE_23456_1002_my_2_file.py") == \
        canvas.CanvasName("smithbob", True, "23456", 1002, "my_2_file.py")
    assert canvas.parse("late_23456_1002_hw.py") == canvas.CanvasName("", True, "23456", 1002, "hw.py")
    assert canvas.parse("12345_1001_hw1.py") == canvas.CanvasName("", False, "12345", 1001, "hw1.py")
    assert canvas.parse("doejane_12345_text.html") == canvas.CanvasName("doejane", False, "12345", None, "text.html")
    assert canvas.parse("README.md") is None
    assert canvas.base_file("hw1-1.py", {"hw1.py", "hw1-1.py"}) == "hw1.py"
    assert canvas.base_file("model-1.py", {"model-1.py"}) == "model-1.py"
    assert canvas.slug("Doe, Jane") == "doejane" and canvas.slug("张 三") == "张三"


def test_canvas_collect_maps_to_the_roster_and_keeps_the_last_attempt(tmp_path):
    archive, out = canvas_archive(tmp_path / "subs.zip"), tmp_path / "class"
    code, output = run("collect", str(archive), "--from", "canvas", "--roster", str(roster(tmp_path)),
                       "-o", str(out))
    assert code == 0, output
    assert "Collected 4 submission(s)" in output
    assert files_under(out) - {FILE_NAME} == {"s001/hw1.py", "s001/text.html", "s002/hw1.py", "s003/hw1.py",
                                              "s004/hw1.py"}
    assert (out / "s003" / "hw1.py").read_text() == OK_RELU          # attempt 1010, the later one
    manifest = read_manifest(out)
    assert manifest is not None and manifest.source == "canvas"
    subs = manifest.submissions
    assert subs["s001"].lms_user_id == "12345" and subs["s001"].late_flag is False
    assert subs["s002"].late_flag is True and subs["s002"].lms_name == "smithbob"
    assert (subs["s003"].attempt, subs["s003"].attempts_seen) == (2, 2)
    assert subs["s003"].files == ["leeann_34567_1010_hw1-1.py"]
    assert subs["s004"].lms_name == "张三" and subs["s004"].files == ["张三_45678_1004_hw1.py"]
    assert all(s.submitted_at is None and s.time_source == "canvas-name" for s in subs.values())
    reasons = {u.entry: u.reason for u in manifest.unmatched}
    assert reasons == {"nobodyhere_99999_1005_hw1.py": "lms.unmatched.not_on_roster",
                       "leeann_34567_1003_hw1.py": "lms.entry.other_attempt"}
    assert "nobodyhere_99999_1005_hw1.py: its student is not on the roster" in output
    assert "Canvas's archive holds no submission times" in output
    raw = json.loads((out / FILE_NAME).read_text(encoding="utf-8"))
    assert raw["format"] == "grader-collect" and raw["version"] == 1 and len(raw["archive_sha256"]) == 64
    assert set(raw["submissions"]["s001"]) == {"submitted_at", "time_source", "late_flag", "attempt",
                                               "attempts_seen", "lms_user_id", "lms_name", "files"}


def test_canvas_first_attempt_and_zip_times_on_request(tmp_path):
    archive, out = canvas_archive(tmp_path / "subs.zip"), tmp_path / "class"
    code, output = run("collect", str(archive), "--from", "canvas", "--roster", str(roster(tmp_path)),
                       "-o", str(out), "--attempt", "first", "--zip-times", "--timezone", "Asia/Shanghai")
    assert code == 0, output
    assert (out / "s003" / "hw1.py").read_text() == BAD_RELU
    subs = read_manifest(out).submissions
    assert (subs["s003"].attempt, subs["s003"].attempts_seen) == (1, 2)
    assert subs["s002"].time_source == "canvas-zip"
    assert subs["s002"].submitted == datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)


def test_without_a_roster_each_student_is_named_by_the_lms(tmp_path):
    out = tmp_path / "class"
    code, output = run("collect", str(canvas_archive(tmp_path / "s.zip")), "--from", "canvas", "-o", str(out))
    assert code == 0, output
    assert {p.name for p in out.iterdir()} == {FILE_NAME, "doejane_12345", "smithbob_23456", "leeann_34567",
                                               "张三_45678", "nobodyhere_99999"}


def test_two_submissions_for_one_student(tmp_path):
    """By LMS id beats by name; two by name alone are both left out, never guessed."""
    archive = build_zip(tmp_path / "s.zip", [(entry("doejane_12345_1_hw1.py"), OK_RELU),
                                              (entry("doejane_55555_2_hw1.py"), BAD_RELU),
                                              (entry("leeann_34567_3_hw1.py"), OK_RELU),
                                              (entry("leeann_45678_4_hw1.py"), BAD_RELU)])
    out = tmp_path / "class"
    code, output = run("collect", str(archive), "--from", "canvas", "--roster", str(roster(tmp_path)), "-o", str(out))
    assert code == 0, output
    assert files_under(out) == {FILE_NAME, "s001/hw1.py"} and (out / "s001" / "hw1.py").read_text() == OK_RELU
    assert {u.entry: u.reason for u in read_manifest(out).unmatched} == {
        "doejane_55555_2_hw1.py": "lms.unmatched.same_student",
        "leeann_34567_3_hw1.py": "lms.unmatched.shared_name", "leeann_45678_4_hw1.py": "lms.unmatched.shared_name"}


def test_a_re_zipped_download_and_os_files(tmp_path):
    archive = build_zip(tmp_path / "s.zip", [(entry("downloads/doejane_12345_1_hw1.py"), OK_RELU),
                                              (entry("downloads/.DS_Store"), "x"),
                                              (entry("__MACOSX/downloads/._doejane_12345_1_hw1.py"), "x")])
    out = tmp_path / "class"
    code, output = run("collect", str(archive), "--from", "canvas", "-o", str(out))
    assert code == 0, output
    assert files_under(out) == {FILE_NAME, "doejane_12345/hw1.py"}
    assert [u.reason for u in read_manifest(out).unmatched] == ["lms.entry.os_metadata"] * 2


def test_names_and_times_from_the_zip_fields():
    from grader.lms.archive import decoded_name, entry_time

    plain = zipfile.ZipInfo("x.py", date_time=WHEN)
    assert entry_time(plain, timezone.utc) == datetime(*WHEN, tzinfo=timezone.utc)
    stamped = zipfile.ZipInfo("x.py", date_time=WHEN)
    stamped.extra = b"\x55\x54\x05\x00\x01" + (1_772_000_000).to_bytes(4, "little")
    assert entry_time(stamped, timezone.utc) == datetime.fromtimestamp(1_772_000_000, timezone.utc)
    ntfs = zipfile.ZipInfo("x.py", date_time=WHEN)
    ticks = (11_644_473_600 + 1_772_000_000) * 10_000_000
    ntfs.extra = b"\x0a\x00\x20\x00" + b"\0" * 4 + b"\x01\x00\x18\x00" + ticks.to_bytes(8, "little") + b"\0" * 16
    assert entry_time(ntfs, timezone.utc) == datetime.fromtimestamp(1_772_000_000, timezone.utc)
    zeroed = zipfile.ZipInfo("x.py", date_time=(1980, 0, 0, 0, 0, 0))
    assert entry_time(zeroed, timezone.utc) is None
    gbk = zipfile.ZipInfo(ZHANG_GBK.decode("cp437") + ".py")
    assert decoded_name(gbk) == "张三.py"
    unicode_path = zipfile.ZipInfo("????.py")
    unicode_path.extra = b"\x75\x70" + (5 + 9).to_bytes(2, "little") + b"\x01\0\0\0\0" + "李四.py".encode()
    assert decoded_name(unicode_path) == "李四.py"
    undecodable = zipfile.ZipInfo(b"\xff\xfe.py".decode("cp437"))
    assert decoded_name(undecodable) == "\\xff\\xfe.py"


# ------------------------------------------------------------------------------ moodle


def test_moodle_names_are_parsed_as_moodle_writes_them():
    assert moodle.parse("Jane Doe_501_assignsubmission_file_") == \
        moodle.MoodleName("Jane Doe", "501", "assignsubmission_file", "")
    assert moodle.parse("Ann Lee_503_assignsubmission_file_hw1.py").rest == "hw1.py"
    assert moodle.parse("Bob_502_assignsubmission_onlinetext_onlinetext.html").plugin == \
        "assignsubmission_onlinetext"
    assert moodle.parse("hw1.py") is None


def test_moodle_collect_keeps_the_zip_times_in_the_given_zone(tmp_path):
    archive, out = moodle_archive(tmp_path / "subs.zip"), tmp_path / "class"
    code, output = run("--lang", "zh", "collect", str(archive), "--from", "moodle", "--roster",
                       str(roster(tmp_path)), "-o", str(out), "--timezone", "Asia/Shanghai")
    assert code == 0, output
    assert "已从 subs.zip 收取 4 份提交" in output and "其学生不在名单上" in output
    assert files_under(out) - {FILE_NAME} == {"s001/hw1.py", "s002/hw1.py", "s002/onlinetext.html",
                                              "s003/hw1.py", "s004/hw1.py"}
    subs = read_manifest(out).submissions
    assert subs["s001"].submitted_at == "2026-03-01T18:00:00+08:00"
    assert subs["s001"].submitted == datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
    assert subs["s002"].submitted_at == "2026-03-02T09:30:00+08:00" and subs["s002"].time_source == "moodle-zip"
    assert subs["s002"].late_flag is None and subs["s002"].attempt is None and subs["s002"].attempts_seen == 1
    assert subs["s004"].lms_name == "张三" and subs["s004"].lms_user_id == "505"
    assert (out / "s001" / "hw1.py").stat().st_mtime == subs["s001"].submitted.timestamp()
    assert [u.entry for u in read_manifest(out).unmatched] == ["Nobody Here_504_assignsubmission_file_/hw1.py"]


def test_one_time_for_every_entry_is_called_suspect(tmp_path):
    archive = build_zip(tmp_path / "s.zip", [(entry("A B_1_assignsubmission_file_/a.py"), "x = 1\n"),
                                              (entry("C D_2_assignsubmission_file_/a.py"), "x = 2\n")])
    code, output = run("collect", str(archive), "--from", "moodle", "-o", str(tmp_path / "c"))
    assert code == 0 and "Every collected entry carries the same time" in output
    code, output = run("collect", str(archive), "--from", "moodle", "-o", str(tmp_path / "d"), "--no-zip-times")
    assert code == 0 and "same time" not in output
    unknown = read_manifest(tmp_path / "d").submissions["A B_1"]
    assert unknown.submitted_at is None and unknown.time_source == "none"


# ------------------------------------------------------------------------------ hostile archives


@pytest.mark.parametrize(("name", "reason"), [
    ("../doejane_12345_1_hw1.py", "lms.entry.traversal"),
    ("a/../../doejane_12345_1_hw1.py", "lms.entry.traversal"),
    ("..\\..\\doejane_12345_1_hw1.py", "lms.entry.traversal"),
    ("/tmp/doejane_12345_1_hw1.py", "lms.entry.absolute"),
    ("C:\\doejane_12345_1_hw1.py", "lms.entry.absolute"),
    ("doejane_12345_1_hw\u202e1.py", "lms.entry.hidden_characters"),
    ("doejane_12345_1_hw1\n.py", "lms.entry.hidden_characters"),
    ("doejane_12345_1_" + "x" * 300 + ".py", "lms.entry.name_too_long"),
])
def test_an_unsafe_entry_is_listed_and_never_written(tmp_path, name, reason):
    archive = build_zip(tmp_path / "s.zip", [(entry(name), "import os\n"),
                                              (entry("smithbob_23456_2_hw1.py"), OK_RELU)])
    out = tmp_path / "work" / "class"
    code, output = run("collect", str(archive), "--from", "canvas", "-o", str(out))
    assert code == 0, output
    assert files_under(tmp_path / "work") == {f"class/{FILE_NAME}", "class/smithbob_23456/hw1.py"}
    assert not (tmp_path / "doejane_12345_1_hw1.py").exists()
    assert [u.reason for u in read_manifest(out).unmatched] == [reason]
    assert "\u202e" not in output and "\n.py" not in output


@pytest.mark.parametrize(("mode", "reason"), [(stat.S_IFLNK | 0o777, "lms.entry.symlink"),
                                               (stat.S_IFIFO | 0o644, "lms.entry.special")])
def test_links_and_special_files_are_not_extracted(tmp_path, mode, reason):
    archive = build_zip(tmp_path / "s.zip", [(entry("doejane_12345_1_hw1.py", mode=mode), "/etc/passwd")])
    out = tmp_path / "class"
    code, output = run("collect", str(archive), "--from", "canvas", "-o", str(out))
    assert code == 0, output
    assert files_under(out) == {FILE_NAME} and not any(p.is_symlink() for p in out.rglob("*"))
    assert [u.reason for u in read_manifest(out).unmatched] == [reason]


def test_duplicates_keep_the_first_and_list_the_second(tmp_path):
    archive = build_zip(tmp_path / "s.zip", [
        (entry("Jane Doe_501_assignsubmission_file_/hw1.py"), OK_RELU),
        (entry("Jane Doe_501_assignsubmission_file_/hw1.py"), BAD_RELU),
        (entry("Jane Doe_501_assignsubmission_file_/HW1.py"), BAD_RELU)])
    out = tmp_path / "class"
    code, output = run("collect", str(archive), "--from", "moodle", "-o", str(out))
    assert code == 0, output
    assert (out / "Jane Doe_501" / "hw1.py").read_text() == OK_RELU
    assert files_under(out) == {FILE_NAME, "Jane Doe_501/hw1.py"}
    assert [u.reason for u in read_manifest(out).unmatched] == ["lms.entry.duplicate"] * 2


def test_a_zip_bomb_is_refused_before_anything_is_written(tmp_path):
    archive = build_zip(tmp_path / "s.zip", [(entry("doejane_12345_1_hw1.py"), b"\0" * (8 << 20))])
    out = tmp_path / "class"
    code, output = run("collect", str(archive), "--from", "canvas", "-o", str(out))
    assert code == 2 and "a zip bomb, refused" in output
    assert not out.exists()
    code, output = run("--lang", "zh", "collect", str(archive), "--from", "canvas", "-o", str(out))
    assert code == 2 and "压缩炸弹" in output


@pytest.mark.parametrize(("limits", "words"), [
    (Limits(entries=2), "lms.archive.too_many_entries"),
    (Limits(entry_bytes=50), "lms.archive.entry_too_large"),
    (Limits(total_bytes=150), "lms.archive.too_large"),
])
def test_the_archive_limits_refuse_it_whole(tmp_path, limits, words):
    archive = build_zip(tmp_path / "s.zip", [(entry(f"a_{i}_{i}_f.py"), "x" * 90) for i in range(1, 4)])
    with pytest.raises(Exception) as refused:
        collect(Options(archive=archive, source="canvas", out=tmp_path / "class", limits=limits))
    assert getattr(refused.value, "code", None) == words
    assert not (tmp_path / "class").exists()


def test_an_entry_larger_than_it_declares_is_refused(tmp_path):
    archive = build_zip(tmp_path / "s.zip", [(entry("a_1_1_f.py"), "x" * 1000)])
    raw = bytearray(archive.read_bytes())
    # lower the declared size in the local header and the central directory: the data says more
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.index(signature)
        raw[at + offset:at + offset + 4] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    code, output = run("collect", str(archive), "--from", "canvas", "-o", str(tmp_path / "class"))
    assert code == 2 and "is corrupt" in output
    assert not (tmp_path / "class").exists()


@pytest.mark.parametrize("content", [b"this is not a zip", b"", b"PK\x03\x04" + b"\0" * 40])
def test_a_corrupt_or_foreign_file_is_a_clear_error(tmp_path, content):
    archive = tmp_path / "s.zip"
    archive.write_bytes(content)
    code, output = run("collect", str(archive), "--from", "canvas", "-o", str(tmp_path / "class"))
    assert code == 2 and "is not a zip archive, or it is corrupt" in output
    truncated = canvas_archive(tmp_path / "t.zip")
    truncated.write_bytes(truncated.read_bytes()[:-30])
    code, output = run("collect", str(truncated), "--from", "canvas", "-o", str(tmp_path / "class"))
    assert code == 2 and "corrupt" in output and not (tmp_path / "class").exists()
    code, output = run("collect", str(tmp_path / "absent.zip"), "--from", "canvas", "-o", str(tmp_path / "c"))
    assert code == 2 and "no archive at" in output


def test_a_non_empty_class_is_refused_unless_forced_then_merged(tmp_path):
    out = tmp_path / "class"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    archive = canvas_archive(tmp_path / "s.zip")
    code, output = run("collect", str(archive), "--from", "canvas", "--roster", str(roster(tmp_path)),
                       "-o", str(out))
    assert code == 2 and "is not empty" in output and "--force" in output
    assert {p.name for p in out.iterdir()} == {"notes.txt"}
    code, output = run("collect", str(archive), "--from", "canvas", "--roster", str(roster(tmp_path)),
                       "-o", str(out), "--force")
    assert code == 0, output
    (out / "s001" / "old.py").write_text("left from before")
    (out / "s099").mkdir()
    (out / "s099" / "hw1.py").write_text("another archive's student")
    second = build_zip(tmp_path / "t.zip", [(entry("doejane_12345_2001_hw1.py"), BAD_RELU)])
    code, output = run("collect", str(second), "--from", "canvas", "--roster", str(roster(tmp_path)),
                       "-o", str(out), "--force")
    assert code == 0, output
    assert (out / "s001" / "hw1.py").read_text() == BAD_RELU and not (out / "s001" / "old.py").exists()
    assert (out / "notes.txt").read_text() == "mine" and (out / "s099" / "hw1.py").exists()
    manifest = read_manifest(out)
    assert manifest.submissions["s001"].files == ["doejane_12345_2001_hw1.py"]
    assert set(manifest.submissions) == {"s001", "s002", "s003", "s004"}
    code, output = run("collect", str(moodle_archive(tmp_path / "m.zip")), "--from", "moodle", "-o", str(out),
                       "--force")
    assert code == 2 and "holds a collect from canvas" in output


def test_usage_errors_exit_2(tmp_path):
    archive = canvas_archive(tmp_path / "s.zip")
    code, output = run("collect", str(archive), "--from", "canvas", "-o", str(tmp_path / "c"),
                       "--timezone", "Mars/Base")
    assert code == 2 and "unknown time zone" in output
    bad_roster = tmp_path / "bad.csv"
    bad_roster.write_text("id,name\ns1,A\ns1,B\n")
    code, output = run("collect", str(archive), "--from", "canvas", "-o", str(tmp_path / "c"), "--roster",
                       str(bad_roster))
    assert code == 2 and "Cannot read the roster" in output and not (tmp_path / "c").exists()
    (tmp_path / "file").write_text("")
    code, output = run("collect", str(archive), "--from", "canvas", "-o", str(tmp_path / "file"))
    assert code == 2 and "is not a folder" in output


# ------------------------------------------------------------------------------ the manifest


def good_manifest() -> dict:
    return {"format": "grader-collect", "version": 1, "source": "moodle", "archive": "a.zip",
            "archive_sha256": "0" * 64, "collected_at": "2026-03-03T08:00:00+00:00",
            "submissions": {"s001": {"submitted_at": "2026-03-01T18:00:00+08:00", "time_source": "moodle-zip",
                                     "late_flag": None, "attempt": None, "attempts_seen": 1,
                                     "lms_user_id": "501", "lms_name": "Jane Doe", "files": ["x/hw1.py"]}},
            "unmatched": [{"entry": "y.py", "reason": "lms.entry.not_lms"}]}


def test_a_manifest_round_trips_and_a_bad_one_is_named():
    manifest = parse_manifest(json.dumps(good_manifest()).encode())
    assert manifest.to_json() == good_manifest()
    for change, field in [
        (lambda m: m.update(version=2), None),
        (lambda m: m.update(source="blackboard"), "source"),
        (lambda m: m["submissions"]["s001"].update(submitted_at="2026-03-01T18:00:00"),
         "submissions.s001.submitted_at"),
        (lambda m: m["submissions"]["s001"].update(attempts_seen="1"), "submissions.s001.attempts_seen"),
        (lambda m: m["submissions"]["s001"].update(late_flag="no"), "submissions.s001.late_flag"),
        (lambda m: m["submissions"]["s001"].pop("files"), "submissions.s001.files"),
        (lambda m: m["unmatched"].append("x"), "unmatched.1"),
    ]:
        broken = good_manifest()
        change(broken)
        with pytest.raises(ManifestError) as bad:
            parse_manifest(json.dumps(broken).encode())
        assert bad.value.facts.get("field") == field
    with pytest.raises(ManifestError) as bad:
        parse_manifest(b"{not json")
    assert bad.value.code == "lms.manifest_json"


def test_read_manifest_of_a_folder(tmp_path):
    assert read_manifest(tmp_path) is None
    (tmp_path / FILE_NAME).write_text("[]")
    with pytest.raises(ManifestError):
        read_manifest(tmp_path)
    (tmp_path / FILE_NAME).unlink()
    (tmp_path / FILE_NAME).symlink_to("/etc/passwd")
    with pytest.raises(ManifestError) as bad:
        read_manifest(tmp_path)
    assert bad.value.code == "lms.manifest_not_file"


# ------------------------------------------------------------------------------ the import CSVs

ROWS = [
    {"student": "s001", "name": "Doe, Jane", "email": "jane@example.edu", "total": 40.5, "max_score": 48.0},
    {"student": "s002", "name": "=HYPERLINK(\"x\")", "email": "", "total": 36.0, "max_score": 48.0},
    {"student": "s003", "name": "张三", "email": "zhang@example.edu", "total": 12.333333, "max_score": 48.0},
    {"student": "s004", "name": "", "email": "", "total": None, "max_score": None},
]
CANVAS_EXPECTED = (
    "Student,ID,SIS User ID,SIS Login ID,Section,HW 3 (777)\r\n"
    "    Points Possible,,,,,48\r\n"
    '"Doe, Jane",12345,s001,jdoe,A1,40.5\r\n'
    "\"'=HYPERLINK(\"\"x\"\")\",,s002,,,36\r\n"
    "张三,,s003,,,12.3333\r\n"
    "Dee,,s004,,,\r\n")
MOODLE_EXPECTED = (
    "Full name,Email address,ID number,Username,HW 3\r\n"
    '"Doe, Jane",jane@example.edu,s001,jdoe,40.5\r\n'
    "\"'=HYPERLINK(\"\"x\"\")\",,s002,,36\r\n"
    "张三,zhang@example.edu,s003,,12.3333\r\n"
    "Dee,,s004,,\r\n")


def target(tmp_path: Path, fmt: str) -> Target:
    path = tmp_path / "roster.csv"
    path.write_text("student_id,name,login,section\ns001,\"Doe, Jane\",jdoe,A1\ns002,Bob,,\ns003,张三,,\n"
                    "s004,Dee,,\n", encoding="utf-8")
    from grader.lms.people import read_people

    manifest = parse_manifest(json.dumps({**good_manifest(), "source": "canvas", "submissions": {
        "s001": {**good_manifest()["submissions"]["s001"], "lms_user_id": "12345"}}}).encode())
    return Target(assignment="HW 3", assignment_id="777" if fmt == "canvas" else None, manifest=manifest,
                  people=read_people(path, ["s001", "s002", "s003", "s004"]))


@pytest.mark.parametrize(("fmt", "expected"), [("canvas", CANVAS_EXPECTED), ("moodle", MOODLE_EXPECTED)])
def test_the_import_csvs_match_the_hand_written_files(tmp_path, fmt, expected):
    text = lms_text(ROWS, fmt, target(tmp_path, fmt))
    assert text == expected
    parsed = list(csv.DictReader(io.StringIO(text)))
    scores = [row["HW 3 (777)" if fmt == "canvas" else "HW 3"] for row in parsed]
    assert scores == (["48"] if fmt == "canvas" else []) + ["40.5", "36", "12.3333", ""]


def test_rows_take_the_lms_id_from_a_canvas_manifest_only(tmp_path):
    rows = lms_rows(ROWS, target(tmp_path, "canvas"))
    assert rows[0] == LmsRow("s001", "Doe, Jane", "jane@example.edu", 40.5, 48.0, "12345", "s001", "jdoe", "A1")
    moodle_target = target(tmp_path, "moodle")
    moodle_target.manifest.source = "moodle"
    assert lms_rows(ROWS, moodle_target)[0].lms_user_id == ""
    assert [number(v) for v in (5.0, 5.25, 1 / 3, None, -0.0)] == ["5", "5.25", "0.3333", "", "0"]


def test_collect_with_a_canvas_gradebook_export_as_the_roster(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Student,ID,SIS User ID,SIS Login ID,Section,HW 1 (5)\n    Points Possible,,,,,10\n"
                    '"Doe, Jane",12345,s001,jdoe,A1,\n"Smith, Bob",23456,s002,bsmith,A1,\n', encoding="utf-8-sig")
    out = tmp_path / "class"
    code, output = run("collect", str(canvas_archive(tmp_path / "s.zip")), "--from", "canvas", "--roster", str(path),
                       "-o", str(out))
    assert code == 0, output
    assert files_under(out) - {FILE_NAME} == {"12345/hw1.py", "12345/text.html", "23456/hw1.py"}
    code, output = run("collect", str(canvas_archive(tmp_path / "s.zip")), "--from", "canvas", "--roster", str(path),
                       "-o", str(tmp_path / "again"), "--lang", "zh")
    assert "其学生不在名单上" in output


def test_a_canvas_gradebook_export_works_as_the_roster(tmp_path):
    from grader.lms.people import read_people

    path = tmp_path / "export.csv"
    path.write_text("Student,ID,SIS User ID,SIS Login ID,Section,HW 1 (5)\n"
                    "    Points Possible,,,,,10\n"
                    '"Doe, Jane",12345,s001,jdoe,A1,\n', encoding="utf-8-sig")
    people = read_people(path, ["12345", "doejane"])
    assert len(people) == 1
    jane = people[0]
    assert (jane.lms_user_id, jane.sis_id, jane.login, jane.section) == ("12345", "s001", "jdoe", "A1")
    assert "doejane" in jane.slugs and "janedoe" in jane.slugs


# ------------------------------------------------------------------------------ end to end


def grader(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600, env={**os.environ})


def test_collect_grade_export_end_to_end(tmp_path):
    """Collect both archives, grade relu, export both formats: OK_RELU is 4 points, BAD_RELU 0."""
    for source, build in (("canvas", canvas_archive), ("moodle", moodle_archive)):
        klass, out = tmp_path / f"{source}-class", tmp_path / f"{source}-graded"
        collected = grader("collect", str(build(tmp_path / f"{source}.zip")), "--from", source,
                           "--roster", str(roster(tmp_path)), "-o", str(klass))
        assert collected.returncode == 0, collected.stdout + collected.stderr
        graded = grader("grade", str(klass), "-o", str(out), "-e", "relu", "-j", "2",
                        "--roster", str(roster(tmp_path)))
        assert graded.returncode == 0, graded.stdout + graded.stderr
        exported = grader("export", str(out), "--format", source, "--class", str(klass), "--roster",
                          str(roster(tmp_path)), "--assignment-name", "HW 1", "-o", str(tmp_path / f"{source}.csv"))
        assert exported.returncode == 0, exported.stderr
        rows = list(csv.reader(io.StringIO((tmp_path / f"{source}.csv").read_text(encoding="utf-8"))))
        if source == "canvas":
            assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW 1"]
            assert rows[1][-1] == "4"
            by_id = {r[2]: r for r in rows[2:]}
            assert by_id["s001"][1] == "12345"                      # Canvas id from the archive
            expected = {"s001": "4", "s002": "0", "s003": "4", "s004": "4"}   # s003: the second attempt
        else:
            assert rows[0] == ["Full name", "Email address", "ID number", "Username", "HW 1"]
            by_id = {r[2]: r for r in rows[1:]}
            assert by_id["s004"][1] == "zhang@example.edu"
            expected = {"s001": "4", "s002": "0", "s003": "4", "s004": "4"}
        assert {sid: r[-1] for sid, r in by_id.items()} == expected
        plain = grader("export", str(out), "-o", str(tmp_path / f"{source}-plain.csv"))
        assert plain.returncode == 0 and (tmp_path / f"{source}-plain.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        (klass / FILE_NAME).write_text("{", encoding="utf-8")
        corrupt = grader("--lang", "zh", "export", str(out), "--format", source, "--class", str(klass))
        assert corrupt.returncode == 2 and "不是有效的 JSON" in corrupt.stderr and "Traceback" not in corrupt.stderr
