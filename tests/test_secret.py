"""The course secret: where it is found, how it is made, what is derived from it, its commands."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ci_helpers import course_with_hidden_checks
from support import ROOT

from grader.secret import (FOLDER_ENV, PRIVATE_DIR, SECRET_ENV, Secret, SecretError, create_secret,
                           find_secret, private_folder)

KEY = bytes(range(32))


def grader(*args: object, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=600)


@pytest.fixture(scope="module")
def chapter3(tmp_path_factory) -> Path:
    """An instructor's exercise set (chapter 3, with hidden checks) to copy from."""
    return course_with_hidden_checks(tmp_path_factory.mktemp("secret") / "course")


@pytest.fixture
def exercise_set(chapter3, tmp_path) -> Path:
    """A fresh copy of it, with no secret yet."""
    return Path(shutil.copytree(chapter3, tmp_path / "course"))


def test_the_secret_is_found_in_the_documented_order(tmp_path, monkeypatch):
    root = tmp_path / "set"
    root.mkdir()
    assert find_secret(root) is None
    beside = create_secret(root / PRIVATE_DIR)
    found = find_secret(root)
    assert found is not None and found.key == beside.key and found.folder == (root / PRIVATE_DIR).resolve()
    elsewhere = create_secret(tmp_path / "elsewhere")  # $GRADER_PRIVATE_DIR comes first
    monkeypatch.setenv(FOLDER_ENV, str(tmp_path / "elsewhere"))
    assert find_secret(root).key == elsewhere.key != beside.key
    monkeypatch.setenv(SECRET_ENV, "ab" * 32)  # and the value itself before everything
    given = find_secret(root)
    assert given.key == b"\xab" * 32 and given.folder is None and given.source == "$GRADER_SECRET"


def test_the_shipped_set_keeps_its_secret_in_the_data_home_not_in_site_packages(tmp_path, monkeypatch):
    from grader.spec.loader import shipped_set

    shipped = shipped_set().root  # grader_exercises, wherever it is installed
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert private_folder(shipped) == (tmp_path / "data" / "grader" / "private").resolve()
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert private_folder(shipped) == (tmp_path / "home" / ".local" / "share" / "grader" / "private").resolve()


def test_a_new_secret_is_its_owners_alone_and_git_ignores_it(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    secret = create_secret(repo / PRIVATE_DIR)
    folder = repo / PRIVATE_DIR
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "secret").stat().st_mode) == 0o600
    assert (folder / "secret").read_text(encoding="ascii").strip() == secret.key.hex()
    assert len(secret.key) == 32
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        (repo / "homework.py").write_text("pass\n")
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=all"],
                                capture_output=True, text=True, check=True).stdout
        assert status.split() == ["??", "homework.py"]  # nothing of the private folder


def test_making_a_secret_never_replaces_one(tmp_path):
    first = create_secret(tmp_path / "p")
    assert create_secret(tmp_path / "p").key == first.key
    assert [p.name for p in (tmp_path / "p").iterdir() if p.name.startswith(".secret")] == []


@pytest.mark.parametrize("content", ["not a secret", "abcd", "ab" * 31 + "zz", ""])
def test_a_broken_secret_is_an_error_never_a_fall_back_to_public_inputs(tmp_path, content):
    (tmp_path / "set" / PRIVATE_DIR).mkdir(parents=True)
    (tmp_path / "set" / PRIVATE_DIR / "secret").write_text(content)
    with pytest.raises(SecretError, match="not a course secret"):
        find_secret(tmp_path / "set")


def test_a_broken_secret_stops_the_instructors_commands_with_a_clear_message(exercise_set):
    (exercise_set / PRIVATE_DIR).mkdir()
    (exercise_set / PRIVATE_DIR / "secret").write_text("oops\n")
    for args in (("check", ROOT / "submissions" / "correct.py", "-e", "relu"),
                 ("grade", ROOT / "submissions" / "class", "-e", "relu", "-o", exercise_set / "out"),
                 ("validate", "relu"), ("secret", "show")):
        proc = grader("--exercises", exercise_set, *args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert "not a course secret" in proc.stderr and "Traceback" not in proc.stderr
    proc = grader("--exercises", exercise_set, "check", ROOT / "submissions" / "correct.py", "-e", "relu",
                  env={SECRET_ENV: "12"})
    assert proc.returncode == 2 and "$GRADER_SECRET: not a course secret" in proc.stderr


def test_what_a_secret_gives_is_fixed_by_its_key_on_every_machine():
    """HMAC-SHA256 of the key, nothing of the platform: the numbers are pinned here."""
    secret = Secret(KEY, None, "test")
    assert secret.seed == 3164314564
    assert secret.fingerprint == "ffb07b9804ae" and secret.label == "private:ffb07b9804ae"
    stream = secret.uniforms("edge", "sigmoid", "0", "0")
    first = [next(stream) for _ in range(6)]
    again = secret.uniforms("edge", "sigmoid", "0", "0")
    assert first == [next(again) for _ in range(6)] and all(0 <= u < 1 for u in first)
    assert first != [next(secret.uniforms("edge", "sigmoid", "1", "0")) for _ in range(1)] * 6
    other = Secret(bytes(32), None, "test")
    assert other.seed != secret.seed and other.fingerprint != secret.fingerprint
    assert KEY.hex() not in repr(secret) and str(secret.seed) not in secret.label


def test_no_secret_is_used_with_an_explicit_seed_or_for_a_student_pack(exercise_set, tmp_path):
    from grader.session import open_session

    secret = create_secret(exercise_set / PRIVATE_DIR)
    assert open_session(exercise_set).secret == secret
    assert open_session(exercise_set).seed == secret.seed
    assert open_session(exercise_set, private=False).secret is None
    on_five = open_session(exercise_set, seed=5)
    assert on_five.secret is None and on_five.seed == 5
    shutil.rmtree(exercise_set / "reference")  # what a student pack is: no reference/
    assert open_session(exercise_set).secret is None


def test_secret_init_makes_it_pins_the_private_inputs_and_says_how_to_keep_it(exercise_set):
    folder = exercise_set / PRIVATE_DIR
    shown = grader("--exercises", exercise_set, "secret", "path")
    assert shown.returncode == 0 and shown.stdout.strip() == str(folder.resolve())
    missing = grader("--exercises", exercise_set, "secret", "show")
    assert missing.returncode == 1 and "secret init" in missing.stderr
    made = grader("--exercises", exercise_set, "secret", "init")
    assert made.returncode == 0, made.stderr
    secret = find_secret(exercise_set)
    assert f"Created the course secret in {folder.resolve()} (fingerprint {secret.fingerprint})" in made.stdout
    assert "The private inputs of 10 exercises are pinned" in made.stdout
    assert "out of the student template repository" in made.stdout and ".gitignore" in made.stdout
    plans = sorted(p.name for p in (folder / "plans").glob("*.bin"))
    assert "sigmoid.bin" in plans and "sigmoid.hidden.bin" in plans and len(plans) == 12
    assert secret.key.hex() not in made.stdout + made.stderr and str(secret.seed) not in made.stdout
    again = grader("--lang", "zh", "--exercises", exercise_set, "secret", "init")
    assert again.returncode == 0 and "课程密钥" in again.stdout and "Created" not in again.stdout
    assert find_secret(exercise_set).key == secret.key
    show = grader("--exercises", exercise_set, "secret", "show")
    assert show.returncode == 0 and secret.fingerprint in show.stdout and secret.key.hex() not in show.stdout
    value = grader("--exercises", exercise_set, "secret", "show", "--value")
    assert value.stdout == secret.key.hex() + "\n"


def test_secret_commands_refuse_a_student_pack(tmp_path):
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "x.yaml").write_text("chapter: 1\n")
    for command in ("init", "show", "path"):
        proc = grader("--exercises", tmp_path / "pack", "secret", command)
        assert proc.returncode == 2 and "no reference/" in proc.stderr, proc.stderr
