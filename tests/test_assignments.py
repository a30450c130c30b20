"""Assignments: `exercises/assignments.yaml` read with the set, and `--assignment` on the commands.

The shipped assignments are checked against the catalogue (each assignment's exercises and
total counted here from the specs), the time formats one by one (a time without a zone is
refused, whatever YAML made of it), and `list --assignments`, `init`, `check` and `pack`
driven through the real command line.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
import yaml
from click.testing import CliRunner, Result

from grader.spec.assignments import build_assignments, parse_moment, shown_moment
from grader.spec.convert import SchemaError
from support import ROOT

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _invoke(args: list[str]) -> Result:
    from grader.cli import cli

    return CliRunner().invoke(cli, args)


@pytest.fixture(scope="module")
def exercise_set():
    from grader.spec import load_exercise_set

    return load_exercise_set()


def test_the_shipped_assignments_cover_the_chapters(exercise_set):
    assignments = exercise_set.assignments
    assert list(assignments) == ["hw1", "hw2", "hw3", "project"]
    chapters = {"hw1": {2}, "hw2": {3}, "hw3": {4}, "project": {5, 6}}
    for a_id, wanted in chapters.items():
        expected = [ex.id for ex in exercise_set.exercises.values() if ex.chapter in wanted]
        assert list(assignments[a_id].exercises) == expected
        total = sum(exercise_set.exercises[i].max_score for i in expected)
        assert assignments[a_id].points(exercise_set.exercises) == total
    project = assignments["project"]
    assert project.points(exercise_set.exercises) == 48
    assert project.due == dt.datetime(2026, 12, 4, 23, 59, tzinfo=SHANGHAI)
    assert project.due.astimezone(dt.timezone.utc) == dt.datetime(2026, 12, 4, 15, 59, tzinfo=dt.timezone.utc)
    assert project.late.unit == "hour" and project.late.penalty == pytest.approx(0.02)
    assert project.late.cap == pytest.approx(0.6) and project.late.grace == dt.timedelta(0)
    assert assignments["hw1"].late.grace == dt.timedelta(minutes=15)


def test_the_assignments_file_is_not_a_spec_and_not_in_the_digest(exercise_set):
    assert all(path.name != "assignments.yaml" for path in exercise_set.files)


@pytest.mark.parametrize("written,expected", [
    ("2026-10-09 23:59 Asia/Shanghai", dt.datetime(2026, 10, 9, 15, 59, tzinfo=dt.timezone.utc)),
    ("2026-10-09T23:59:00+08:00", dt.datetime(2026, 10, 9, 15, 59, tzinfo=dt.timezone.utc)),
    ("2026-10-09T15:59:00Z", dt.datetime(2026, 10, 9, 15, 59, tzinfo=dt.timezone.utc)),
    ("2026-10-09 23:59:30 UTC", dt.datetime(2026, 10, 9, 23, 59, 30, tzinfo=dt.timezone.utc)),
])
def test_a_time_with_a_zone(written, expected):
    assert parse_moment(written, "due") == expected


@pytest.mark.parametrize("written,code", [
    ("2026-10-09 23:59", "assignment.no_zone"),
    ("2026-10-09", "assignment.no_zone"),
    ("2026-10-09 23:59 Nowhere/Atlantis", "assignment.unknown_zone"),
    ("next friday", "assignment.bad_time"),
    ("2026-13-40 23:59 Asia/Shanghai", "assignment.bad_time"),
])
def test_a_time_without_a_usable_zone_is_refused(written, code):
    with pytest.raises(SchemaError) as caught:
        parse_moment(written, "assignments[0].due")
    assert caught.value.code == code and caught.value.path == "assignments[0].due"


def test_shown_as_written():
    assert shown_moment(parse_moment("2026-10-09 23:59 Asia/Shanghai", "")) == "2026-10-09 23:59 Asia/Shanghai"
    assert shown_moment(parse_moment("2026-10-09T23:59:00+08:00", "")) == "2026-10-09 23:59 +08:00"


def _one(exercise_set, **fields: object) -> dict[str, object]:
    entry = {"id": "a1", "title": {"en": "A", "zh": "甲"}, "chapters": [3],
             "due": "2026-10-23 23:59 Asia/Shanghai", **fields}
    return build_assignments({"assignments": [entry]}, exercise_set.exercises)


def _error(exercise_set, data: object) -> SchemaError:
    with pytest.raises(SchemaError) as caught:
        build_assignments(data, exercise_set.exercises)
    return caught.value


@pytest.mark.parametrize("yaml_due", ["2026-10-23 23:59:00", "2026-10-23"])
def test_yaml_timestamps_without_a_zone_are_refused_too(exercise_set, yaml_due):
    """YAML reads these as a datetime and a date: neither carries a zone."""
    data = yaml.safe_load(f"assignments:\n  - {{id: a, title: {{en: A, zh: 甲}}, chapters: [3], due: {yaml_due}}}\n")
    assert not isinstance(data["assignments"][0]["due"], str)
    assert _error(exercise_set, data).code == "assignment.no_zone"


def test_a_yaml_timestamp_with_an_offset_is_taken(exercise_set):
    data = yaml.safe_load("assignments:\n  - {id: a, title: {en: A, zh: 甲}, chapters: [3], "
                          "due: 2026-10-23T23:59:00+08:00}\n")
    (found,) = build_assignments(data, exercise_set.exercises).values()
    assert found.due == dt.datetime(2026, 10, 23, 23, 59, tzinfo=SHANGHAI)


def test_exercises_by_id_and_chapter_in_catalogue_order(exercise_set):
    (found,) = _one(exercise_set, chapters=[2], exercises=["softmax", "sign"]).values()
    ch2 = [ex.id for ex in exercise_set.exercises.values() if ex.chapter == 2]
    assert list(found.exercises) == ch2 + ["softmax"]


@pytest.mark.parametrize("fields,code,path", [
    ({"chapters": [], "exercises": []}, "assignment.empty", "assignments[0]"),
    ({"chapters": [9]}, "assignment.unknown_chapter", "assignments[0].chapters[0]"),
    ({"id": "hw 1"}, "assignment.bad_id", "assignments[0].id"),
    ({"late": {"cap_percent": -1}}, "assignment.percent_range", "assignments[0].late.cap_percent"),
    ({"late": {"grace_minutes": -5}}, "assignment.negative", "assignments[0].late.grace_minutes"),
    ({"late": {"per": "week"}}, None, "assignments[0].late.per"),
    ({"late": {"penalty": 10}}, None, "assignments[0].late.penalty"),
])
def test_every_bad_field_names_its_key(exercise_set, fields, code, path):
    entry = {"id": "a1", "title": {"en": "A", "zh": "甲"}, "chapters": [3],
             "due": "2026-10-23 23:59 Asia/Shanghai", **fields}
    error = _error(exercise_set, {"assignments": [entry]})
    assert error.path == path and error.code == code


def test_an_id_declared_twice(exercise_set):
    entry = {"id": "a1", "title": {"en": "A", "zh": "甲"}, "chapters": [3], "due": "2026-10-23 23:59 UTC"}
    error = _error(exercise_set, {"assignments": [entry, entry]})
    assert error.code == "assignment.duplicate" and error.path == "assignments[1].id"


# ------------------------------------------------------------------------------- the commands


@pytest.mark.parametrize("lang,words", [
    ("en", ["project  Project: optimizers and training XOR: 7 exercises, 48 points, due 2026-12-04 23:59 Asia/Shanghai",
            "late: −2 % per started hour; at most −60 %; nothing counts after 2026-12-11 23:59 Asia/Shanghai",
            "late: −10 % per started day; 15 min of grace; at most −50 %"]),
    ("zh", ["project  大作业：优化器与训练 XOR：7 道练习，共 48 分，截止 2026-12-04 23:59 Asia/Shanghai",
            "迟交：每开始一小时扣 2 %；最多扣 60 %；2026-12-11 23:59 Asia/Shanghai 之后提交不计分"]),
])
def test_list_assignments(lang, words):
    result = _invoke(["--lang", lang, "list", "--assignments"])
    assert result.exit_code == 0, result.output
    for line in words:
        assert line in result.output


def test_list_says_when_a_set_has_no_assignments(tmp_path):
    set_dir = tmp_path / "set"
    set_dir.mkdir()
    (set_dir / "ch3_activations.yaml").write_bytes((ROOT / "exercises" / "ch3_activations.yaml").read_bytes())
    result = _invoke(["--lang", "en", "--exercises", str(set_dir), "list", "--assignments"])
    assert result.exit_code == 0 and "declares no assignments" in result.output


@pytest.mark.parametrize("command", [["init", "{tmp}/hw.py"], ["check", str(ROOT / "submissions" / "correct.py")],
                                     ["pack", "{tmp}/pack"], ["grade", str(ROOT / "submissions" / "class"),
                                                              "-o", "{tmp}/out"]])
@pytest.mark.parametrize("lang,words", [("en", "unknown assignment: hw9 (known: hw1, hw2, hw3, project;"),
                                        ("zh", "未知的作业：hw9（已有：hw1, hw2, hw3, project；")])
def test_an_unknown_assignment_is_a_usage_error(tmp_path, command, lang, words):
    args = [part.format(tmp=tmp_path) for part in command]
    result = _invoke(["--lang", lang, *args, "--assignment", "hw9"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and words in result.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "hw.py").exists()


@pytest.mark.parametrize("command", [["init", "{tmp}/hw.py"], ["check", str(ROOT / "submissions" / "correct.py")],
                                     ["grade", str(ROOT / "submissions" / "class"), "-o", "{tmp}/out"]])
def test_assignment_and_exercises_do_not_mix(tmp_path, command):
    args = [part.format(tmp=tmp_path) for part in command]
    result = _invoke(["--lang", "en", *args, "--assignment", "hw1", "-e", "sign"])
    assert result.exit_code == 2 and "`--assignment` chooses the exercises" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_starter_of_an_assignment_is_scored_out_of_its_total(tmp_path):
    starter = tmp_path / "hw.py"
    result = _invoke(["--lang", "en", "init", str(starter), "--assignment", "project"])
    assert result.exit_code == 0, result.output
    assert "7 exercises (48 points)" in result.output
    result = _invoke(["--lang", "en", "check", str(starter), "--assignment", "project", "--format", "json"])
    report = json.loads(result.output)
    assert report["max_score"] == 48 and report["score"] == 0
    assert [ex["id"] for ex in report["exercises"]] == ["minibatches", "sgd_step", "momentum_step",
                                                        "adagrad_step", "rmsprop_step", "adam_step", "train_xor"]


@pytest.mark.parametrize("lang,words", [("en", "Score: 25 / 25"), ("zh", "得分：25 / 25")])
def test_check_scores_the_assignment(lang, words):
    result = _invoke(["--lang", lang, "check", str(ROOT / "submissions" / "correct.py"), "--assignment", "hw1"])
    assert result.exit_code == 0, result.output
    assert words in result.output
    assert ("Scored assignment hw1" if lang == "en" else "按作业 hw1") in result.output


def test_a_pack_carries_its_assignment_as_it_was_declared(exercise_set):
    """`grader pack --assignment` writes `pack_data` of the exercises it holds: read back
    against those exercises alone it is the same assignment (zone, policy, total)."""
    from grader.spec.assignments import pack_data

    hw1 = exercise_set.assignments["hw1"]
    shown = set(hw1.exercises) - {"count_parameters"}  # a pack may leave an exercise out
    data = yaml.safe_load(yaml.safe_dump(pack_data({"hw1": hw1}, shown), allow_unicode=True))
    packed = {i: ex for i, ex in exercise_set.exercises.items() if i in shown}
    again = build_assignments(data, packed)["hw1"]
    assert again.exercises == tuple(i for i in hw1.exercises if i in shown)
    assert again.due == hw1.due and str(again.due.tzinfo) == "Asia/Shanghai"
    assert again.late == hw1.late and again.title == hw1.title
    assert pack_data({"hw1": hw1}, set()) == {"assignments": []}


def test_pack_of_an_assignment_holds_only_it(tmp_path):
    """A copy of chapter 3 with two assignments: the pack of one holds its exercises and its
    assignment alone, and a student's check from the pack scores out of its total."""
    import shutil

    set_dir = tmp_path / "set"
    set_dir.mkdir()
    shutil.copy(ROOT / "exercises" / "ch3_activations.yaml", set_dir)
    shutil.copytree(ROOT / "exercises" / "plans", set_dir / "plans")
    for folder in ("", "mistakes"):
        (set_dir / "reference" / folder).mkdir(parents=True, exist_ok=True)
        for name in ("__init__.py", "activations.py"):
            shutil.copy(ROOT / "reference" / folder / name, set_dir / "reference" / folder / name)
    (set_dir / "assignments.yaml").write_text(
        "assignments:\n"
        "  - {id: quiz, title: {en: Quiz, zh: 小测}, exercises: [relu, sigmoid], due: 2026-10-23 23:59 Asia/Shanghai}\n"
        "  - {id: rest, title: {en: Rest, zh: 其余}, exercises: [softmax], due: 2026-10-30 23:59 Asia/Shanghai}\n",
        encoding="utf-8")
    pack = tmp_path / "pack"
    result = _invoke(["--lang", "en", "--exercises", str(set_dir), "pack", str(pack), "--assignment", "quiz"])
    assert result.exit_code == 0, result.output
    from grader.spec import load_exercise_set

    packed = load_exercise_set(pack)
    assert sorted(packed.exercises) == ["relu", "sigmoid"] and list(packed.assignments) == ["quiz"]
    assert str(packed.assignments["quiz"].due.tzinfo) == "Asia/Shanghai"
    result = _invoke(["--lang", "en", "--exercises", str(pack), "check", str(ROOT / "submissions" / "correct.py"),
                      "--assignment", "quiz", "--format", "json"])
    report = json.loads(result.output)
    points = sum(packed.exercises[i].max_score for i in ("relu", "sigmoid"))
    assert report["max_score"] == points and report["score"] == points
