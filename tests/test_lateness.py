"""Lateness: the rule (`lateness.assess`), the submission's time (`submitted`), extensions.

Every figure is computed here by hand from the policy, in seconds: a due date of 23:59 in
Asia/Shanghai (UTC+8, no daylight saving time) is 15:59 UTC the same day.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import zoneinfo
from pathlib import Path

import pytest

from grader.batch.discover import FILE, FOLDER, MISSING, Entry
from grader.batch.extensions import ExtensionsError, read_extensions
from grader.batch.lateness import (CAPPED, CLOSED, GRACE, LATE, ON_TIME, UNKNOWN, Extension, apply_penalty, assess,
                                   extended)
from grader.batch.overrides import final_score
from grader.batch.coursebook import Override
from grader.batch.submitted import MANIFEST, file_time, git_time, manifest_times, submission_time
from grader.spec.assignments import Assignment, LatePolicy
from grader.spec.schema import Text

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc
DUE = dt.datetime(2026, 10, 9, 23, 59, tzinfo=SHANGHAI)  # = 2026-10-09 15:59 UTC
LAST = dt.datetime(2026, 10, 16, 23, 59, tzinfo=SHANGHAI)
DAILY = LatePolicy(grace=dt.timedelta(minutes=15), penalty=0.10, unit="day", cap=0.50, last_day=LAST)
HOURLY = LatePolicy(grace=dt.timedelta(0), penalty=0.02, unit="hour", cap=0.60, last_day=None)
HW1 = Assignment("hw1", Text("Homework 1", "作业一"), ("sign",), DUE, DAILY)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("submitted,kind,seconds,penalty", [
    (utc(2026, 10, 9, 15, 59), ON_TIME, 0, 0.0),                   # the due instant itself, written in UTC
    (utc(2026, 10, 9, 12, 0), ON_TIME, 0, 0.0),
    (utc(2026, 10, 9, 16, 0), GRACE, 60, 0.0),                     # 1 min late, 15 min of grace
    (utc(2026, 10, 9, 16, 14), GRACE, 900, 0.0),                   # exactly the grace period
    (utc(2026, 10, 9, 16, 14, 1), LATE, 901, 0.10),                # 1 s past it: one started day
    (utc(2026, 10, 10, 15, 59), LATE, 86_400, 0.10),               # exactly 24 h: still one day
    (utc(2026, 10, 10, 15, 59, 1), LATE, 86_401, 0.20),            # 24 h 1 s: two started days
    (utc(2026, 10, 10, 17, 59), LATE, 26 * 3600, 0.20),            # 26 h late: −20 %
    (utc(2026, 10, 14, 15, 59), LATE, 5 * 86_400, 0.50),           # 5 days: 50 %, the cap itself
    (utc(2026, 10, 14, 16, 0), CAPPED, 5 * 86_400 + 60, 0.50),     # 6 started days: 60 % capped at 50 %
    (utc(2026, 10, 16, 15, 59), CAPPED, 7 * 86_400, 0.50),         # the last day's last minute
    (utc(2026, 10, 16, 15, 59, 1), CLOSED, 7 * 86_400 + 1, 1.0),   # after it: nothing counts
    (None, UNKNOWN, 0, 0.0),
])
def test_a_daily_penalty_with_grace_cap_and_last_day(submitted, kind, seconds, penalty):
    verdict = assess(DAILY, DUE, LAST, submitted)
    assert (verdict.kind, verdict.seconds_late, verdict.penalty) == (kind, seconds, pytest.approx(penalty))


@pytest.mark.parametrize("late,kind,penalty", [
    (dt.timedelta(seconds=1), LATE, 0.02),          # no grace: one started hour
    (dt.timedelta(hours=3, minutes=1), LATE, 0.08),  # 4 started hours × 2 %
    (dt.timedelta(hours=30), LATE, 0.60),            # 30 × 2 % = the cap itself
    (dt.timedelta(hours=30, seconds=1), CAPPED, 0.60),
    (dt.timedelta(days=40), CAPPED, 0.60),           # no last day: capped for ever
])
def test_an_hourly_penalty(late, kind, penalty):
    verdict = assess(HOURLY, DUE, None, DUE + late)
    assert verdict.kind == kind and verdict.penalty == pytest.approx(penalty)


def test_hours_late_are_rounded_for_show_only():
    verdict = assess(DAILY, DUE, LAST, utc(2026, 10, 10, 18, 0))  # 26 h 1 min
    assert verdict.seconds_late == 26 * 3600 + 60 and verdict.hours_late == 26.02 and verdict.penalty == 0.2


def test_a_due_date_in_shanghai_and_a_submission_with_another_offset():
    """23:30 in Berlin (UTC+2 on 9 October) is 05:30 the next day in Shanghai: 5 h 31 min late."""
    berlin = dt.datetime(2026, 10, 9, 23, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    verdict = assess(DAILY, DUE, LAST, berlin)
    assert verdict.seconds_late == 5 * 3600 + 31 * 60 and verdict.penalty == pytest.approx(0.10)


def test_no_policy_means_late_work_counts_in_full():
    verdict = assess(LatePolicy(), DUE, None, DUE + dt.timedelta(days=3))
    assert verdict.kind == LATE and verdict.penalty == 0.0


def test_an_extension_by_date_moves_the_last_day_as_much():
    new_due = dt.datetime(2026, 10, 12, 23, 59, tzinfo=SHANGHAI)
    due, last_day = extended(HW1, Extension("ada", "hw1", due=new_due))
    assert due == new_due and last_day == LAST + dt.timedelta(days=3)
    # 01:00 on 13 October in Shanghai: 1 h 1 min after the new due date, one started day
    verdict = assess(DAILY, due, last_day, dt.datetime(2026, 10, 12, 17, 0, tzinfo=UTC))
    assert verdict.seconds_late == 3660 and verdict.penalty == pytest.approx(0.10)


def test_an_extension_by_days():
    due, last_day = extended(HW1, Extension("ada", "hw1", days=1.5))
    assert due == DUE + dt.timedelta(hours=36) and last_day == LAST + dt.timedelta(hours=36)
    assert assess(DAILY, due, last_day, utc(2026, 10, 10, 18, 0)).kind == ON_TIME  # 26 h after the old date
    assert extended(HW1, None) == (DUE, LAST)


def test_an_extension_past_the_last_day_is_never_closed_before_it():
    due, last_day = extended(HW1, Extension("ada", "hw1", due=LAST + dt.timedelta(days=10)))
    assert last_day is not None and last_day >= due


def test_the_final_score_corrections_first_then_the_penalty():
    """Checks: a 2/4, b 3/6 (5 of 10); a corrected to 4: 7; 26 h late at 10 % a day: 7 × 0.8 = 5.6."""
    corrections = {"a": Override("ada", "a", 4.0, "regraded by hand", "2026-10-20T10:00:00+08:00")}
    final = final_score([("a", 2.0), ("b", 3.0)], 5.0, corrections, 0.20)
    assert (final.raw_total, final.corrected_total, final.total) == (5.0, 7.0, 5.6)
    assert final.overridden == ["a"]
    assert final_score([("a", 2.0)], 2.0, {}, 1.0).total == 0.0
    assert apply_penalty(25, 0.1) == 22.5


# ------------------------------------------------------------------------- the submission's time


def _entry(path: Path, kind: str = FILE, student: str = "") -> Entry:
    return Entry(student or path.stem, kind, [path], labels=[path.name])


def _manifest(folder: Path, submissions: dict[str, object]) -> None:
    (folder / MANIFEST).write_text(json.dumps({"format": "grader-collect", "version": 1, "source": "canvas",
                                               "submissions": submissions, "unmatched": []}), encoding="utf-8")


def _repo(folder: Path, when: str) -> None:
    folder.mkdir()
    (folder / "work.py").write_text("x = 1\n")
    env = {**os.environ, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull}
    for args in (["init", "-q"], ["add", "work.py"],
                 ["-c", "user.name=s", "-c", "user.email=s@example.org", "commit", "-qm", "work"]):
        subprocess.run(["git", *args], cwd=folder, env=env, check=True)


needs_git = pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
                               reason="needs git")


def test_the_lms_time_comes_first(tmp_path):
    (tmp_path / "ada.py").write_text("x = 1\n")
    _manifest(tmp_path, {"ada": {"submitted_at": "2026-10-09T23:50:00+08:00"}})
    found = submission_time(_entry(tmp_path / "ada.py"), manifest_times(tmp_path))
    assert (found.source, found.when) == ("lms", utc(2026, 10, 9, 15, 50))


@pytest.mark.parametrize("late_flag, kind", [(True, "flagged"), (False, "unknown"), (None, "unknown")])
def test_a_collected_student_without_a_time_never_gets_the_file_time(tmp_path, late_flag, kind):
    """Canvas's download holds no submission time (only a `late` marker in the name): the file's
    date is when the archive was unpacked, so it must not decide lateness."""
    from grader.batch.lateness import late_records

    (tmp_path / "ada.py").write_text("x = 1\n")
    os.utime(tmp_path / "ada.py", (2_000_000_000, 2_000_000_000))  # 2033: long after the due date
    _manifest(tmp_path, {"ada": {"submitted_at": None, "late_flag": late_flag}})
    found = submission_time(_entry(tmp_path / "ada.py"), manifest_times(tmp_path))
    assert (found.source, found.when, found.lms_late) == ("lms", None, late_flag)
    due = utc(2026, 10, 9, 15, 59)
    homework = Assignment(id="hw", title=Text(en="HW", zh="作业"), exercises=("relu",), due=due,
                          late=LatePolicy(penalty=0.1))
    [record] = late_records(homework, [_entry(tmp_path / "ada.py")], tmp_path, {})
    assert (record.kind, record.penalty, record.time_source, record.submitted_at) == (kind, 0.0, "lms", None)


@pytest.mark.parametrize("content", [
    "not json", json.dumps({"format": "something else", "submissions": {"ada": {}}}),
    json.dumps({"format": "grader-collect", "submissions": ["ada"]}),
    json.dumps({"format": "grader-collect", "submissions": {"ada": {"submitted_at": "2026-10-09 23:50"}}}),
    json.dumps({"format": "grader-collect", "submissions": {"ada": {"submitted_at": 12}}}),
    json.dumps({"format": "grader-collect", "submissions": {"ada": "2026-10-09T23:50:00+08:00"}}),
    "[" * 100_000,
])
def test_a_broken_manifest_gives_no_time_and_no_crash(tmp_path, content):
    (tmp_path / "ada.py").write_text("x = 1\n")
    (tmp_path / MANIFEST).write_text(content, encoding="utf-8")
    found = submission_time(_entry(tmp_path / "ada.py"), manifest_times(tmp_path))
    assert found.source == "file"  # a time without a zone is no time: the file's date, flagged


def test_a_manifest_that_is_a_link_is_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere.json"
    _manifest(tmp_path, {"ada": {"submitted_at": "2026-10-09T23:50:00+08:00"}})
    (tmp_path / MANIFEST).rename(elsewhere)
    (tmp_path / MANIFEST).symlink_to(elsewhere)
    assert manifest_times(tmp_path) == {}


@needs_git
def test_the_last_commit_when_there_is_no_lms_record(tmp_path):
    _repo(tmp_path / "chen", "2026-10-10T02:30:00+00:00")
    found = submission_time(_entry(tmp_path / "chen", FOLDER), {})
    assert (found.source, found.when) == ("git", utc(2026, 10, 10, 2, 30))


@needs_git
def test_a_student_repository_runs_nothing_of_its_own(tmp_path):
    """Its config asks for a pager, signatures checked by a program of its own, an fsmonitor and
    hooks: none of them runs (the marker file stays absent), and the time is still read."""
    repo = tmp_path / "mallory"
    _repo(repo, "2026-10-10T02:30:00+00:00")
    marker = tmp_path / "ran"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\ncat\n")
    script.chmod(0o755)
    with (repo / ".git" / "config").open("a") as config:
        config.write(f"[core]\n\tpager = {script}\n\tfsmonitor = {script}\n\thooksPath = {tmp_path}\n"
                     f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {script}\n")
    for hook in ("post-checkout", "pre-commit", "reference-transaction"):
        (tmp_path / hook).write_text(script.read_text())
        (tmp_path / hook).chmod(0o755)
    assert git_time(repo) == utc(2026, 10, 10, 2, 30)
    assert not marker.exists()


@needs_git
def test_a_dot_git_link_or_file_is_not_followed(tmp_path):
    _repo(tmp_path / "real", "2026-10-10T02:30:00+00:00")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / ".git").symlink_to(tmp_path / "real" / ".git")
    pointer = tmp_path / "pointer"
    pointer.mkdir()
    (pointer / ".git").write_text(f"gitdir: {tmp_path / 'real' / '.git'}\n")
    assert git_time(linked) is None and git_time(pointer) is None
    assert submission_time(_entry(linked, FOLDER), {}).source == "none"  # no regular file in it


def test_the_file_time_is_the_fallback(tmp_path):
    folder = tmp_path / "dana"
    folder.mkdir()
    (folder / "a.py").write_text("x = 1\n")
    (folder / "b.py").write_text("y = 2\n")
    os.utime(folder / "a.py", (1_700_000_000, 1_700_000_000))
    os.utime(folder / "b.py", (1_800_000_000, 1_800_000_000))
    (folder / "link.py").symlink_to("/etc/hostname")
    found = submission_time(_entry(folder, FOLDER), {})
    assert found == type(found)(dt.datetime.fromtimestamp(1_800_000_000, UTC), "file")
    assert file_time(tmp_path / "nothing-here") is None
    assert submission_time(Entry("eve", MISSING), {}).source == "none"


# ------------------------------------------------------------------------------- extensions


def _extensions(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "extensions.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_extensions_by_date_and_by_days(tmp_path):
    path = _extensions(tmp_path, "student,assignment,due,days\nAda,hw1,2026-10-12 23:59 Asia/Shanghai,\n"
                                 "bruno,hw1,,2\n陈,hw2,,0.5\n", "utf-8-sig")
    found = read_extensions(path, ["hw1", "hw2"])
    assert found[("ada", "hw1")].due == dt.datetime(2026, 10, 12, 23, 59, tzinfo=SHANGHAI)
    assert found[("bruno", "hw1")].days == 2 and found[("陈", "hw2")].days == 0.5


def test_extensions_in_gbk_with_semicolons(tmp_path):
    path = _extensions(tmp_path, "student;assignment;days\n陈;hw1;3\n", "gbk")
    assert read_extensions(path, ["hw1"])[("陈", "hw1")].days == 3


@pytest.mark.parametrize("text,code,line", [
    ("name,assignment,days\nada,hw1,1\n", "extensions.columns", None),
    ("student,assignment,due,days\nada,hw1,2026-10-12 23:59 Asia/Shanghai,1\n", "extensions.both", 2),
    ("student,assignment,due,days\nada,hw1,,\n", "extensions.neither", 2),
    ("student,assignment,days\nada,hw1,0\n", "extensions.days", 2),
    ("student,assignment,days\nada,hw1,nan\n", "extensions.days", 2),
    ("student,assignment,days\nada,hw1,two\n", "extensions.days", 2),
    ("student,assignment,days\nada,hw1,1\nbruno,hw9,1\n", "assignment.unknown", 3),
    ("student,assignment,due\nada,hw1,2026-10-12 23:59\n", "assignment.no_zone", 2),
    ("student,assignment,days\nada,hw1,1\nADA,hw1,2\n", "extensions.duplicate", 3),
])
def test_every_bad_extension_names_its_line(tmp_path, text, code, line):
    with pytest.raises(ExtensionsError) as caught:
        read_extensions(_extensions(tmp_path, text), ["hw1"])
    assert (caught.value.code, caught.value.line) == (code, line)
    for lang in ("en", "zh"):
        words = caught.value.words(lang)
        assert words and "{" not in words
        assert line is None or str(line) in words


def test_extensions_in_roster_columns(tmp_path):
    from grader.batch.extensions import merged, roster_extensions

    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,extension_hw1,extension_hw2\nada,Ada,2,\n"
                      "bruno,Bruno,2026-10-12 23:59 Asia/Shanghai,0.5\nchen,陈晨,,\n", encoding="utf-8")
    found = roster_extensions(roster, ["ada", "bruno", "chen"], ["hw1", "hw2"])
    assert found[("ada", "hw1")].days == 2
    assert found[("bruno", "hw1")].due == dt.datetime(2026, 10, 12, 23, 59, tzinfo=SHANGHAI)
    assert found[("bruno", "hw2")].days == 0.5 and len(found) == 3
    plain = tmp_path / "plain.csv"
    plain.write_text("id,name\nada,Ada\n", encoding="utf-8")
    assert roster_extensions(plain, ["ada"], ["hw1"]) == {}
    with pytest.raises(ExtensionsError) as caught:
        merged({("ada", "hw1"): Extension("ada", "hw1", days=1)}, found)
    assert caught.value.code == "extensions.duplicate"


@pytest.mark.parametrize("cell,code", [("2026-10-12 23:59", "assignment.no_zone"), ("-1", "extensions.days"),
                                       ("soon", "assignment.bad_time")])
def test_a_bad_roster_extension_names_its_line(tmp_path, cell, code):
    from grader.batch.extensions import roster_extensions

    roster = tmp_path / "roster.csv"
    roster.write_text(f"id,extension_hw1\nada,\nbruno,{cell}\n", encoding="utf-8")
    with pytest.raises(ExtensionsError) as caught:
        roster_extensions(roster, ["ada", "bruno"], ["hw1"])
    assert (caught.value.code, caught.value.line) == (code, 3)
    roster.write_text("id,extension_hw9\nada,1\n", encoding="utf-8")
    with pytest.raises(ExtensionsError) as caught:
        roster_extensions(roster, ["ada"], ["hw1"])
    assert caught.value.code == "assignment.unknown"


def _result(status: str, score: float) -> object:
    from grader.result import ExerciseResult, SubmissionResult

    return SubmissionResult("ada.py", [ExerciseResult("sign", {"en": "Sign", "zh": "符号"}, 2, status, score, 4.0),
                                       ExerciseResult("step", {"en": "Step", "zh": "阶跃"}, 2, status, score, 3.0)])


def _record(kind: str, source: str, penalty: float = 0.0, hours: float = 0.0):
    from grader.batch.coursebook import LateRecord

    return LateRecord("ada", "hw1", None if source == "none" else "2026-10-10T18:00:00+00:00", source,
                      "2026-10-09T23:59:00+08:00", None, "2026-10-16T23:59:00+08:00", hours, penalty, kind)


def test_the_feedback_words_of_a_grade():
    """What the feedback says, from the stored corrections, comments and lateness."""
    from grader.batch.overrides import CourseState
    from grader.report.adjustments import adjustment_lines, final_line

    correction = Override("ada", "sign", 1.0, "partial credit", "2026-10-20T10:00:00+08:00")
    state = CourseState({"ada": {"sign": correction}}, {"ada": [("2026-10-21T09:30:00+08:00", "Well done.")]},
                        {"ada": _record(LATE, "lms", 0.2, 26.02)})
    adjustments = state.adjustments("ada", _result("passed", 2.0))  # sign 2/4 → 1, step 2/3: 3 × 0.8
    assert adjustments is not None and adjustments.final_score == 2.4
    assert final_line(adjustments, "en") == "Final score: 2.4 / 7"
    assert adjustment_lines(adjustments, "en") == [
        "Score of the checks: 4 / 7",
        "sign: 1 / 4, set by your instructor (the checks gave 2): partial credit",
        "submitted 26.02 h late (2026-10-11 02:00 +08:00): −20 % · time from the LMS",
        "Your instructor (2026-10-21 09:30): Well done."]
    assert adjustment_lines(adjustments, "zh")[2] == \
        "迟交 26.02 小时（2026-10-11 02:00 +08:00）：扣 20 % · 时间来自教学平台"


def test_an_unknown_time_is_said_but_not_for_a_student_who_submitted_nothing():
    from grader.batch.overrides import CourseState
    from grader.report.adjustments import adjustment_lines

    state = CourseState({}, {}, {"ada": _record(UNKNOWN, "none")})
    said = state.adjustments("ada", _result("failed", 1.0))
    assert said is not None and adjustment_lines(said, "en")[-1] == "no submission time is known: no late penalty"
    assert state.adjustments("ada", _result("missing", 0.0)) is None
    assert CourseState().adjustments("ada", _result("passed", 2.0)) is None
