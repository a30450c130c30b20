"""`grader ci`: the generated files parse and name commands that exist; the Gradescope autograder
runs against a folder laid out as Gradescope lays it out; and a student repository made with
`grader pack` + `grader ci github` is graded by the steps of its own workflow, run here in order."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from ci_helpers import HIDDEN, course_with_hidden_checks, fresh_venv, install
from classroom_reporter import printed_score, recorded
from support import ROOT

SCHEMAS = ROOT / "tests" / "data" / "schemas"
SPEC = "git+https://example.org/course/grader@v0.1.0"


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def grader(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def full_set(tmp_path_factory) -> Path:
    return course_with_hidden_checks(tmp_path_factory.mktemp("ci") / "course")


def check_command_line(line: str) -> None:
    """Every `grader SUB --option` in a shell line names a command and options that exist."""
    from grader.cli import cli

    for match in re.finditer(r"\bgrader ((?:[a-z]+ ?)+)(.*)", line):
        words = match.group(1).split()
        command = cli.commands[words[0]]
        assert command is not None
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        for option in re.findall(r"(?<![\w-])(--?[a-z][a-z0-9-]*)", match.group(2)):
            assert option in options, f"`grader {words[0]}` has no option {option}"


def test_github_workflow_parses_and_names_existing_commands(tmp_path):
    proc = grader("ci", "github", tmp_path, "--grader-spec", SPEC, "--fail-under", "60%")
    assert proc.returncode == 0, proc.stderr
    assert "grader pack" in proc.stderr  # no pack in the repository yet: says how to make one
    workflow = yaml.safe_load((tmp_path / ".github" / "workflows" / "grade.yml").read_text())
    assert workflow["name"] == "Autograding Tests"  # the check run GitHub Classroom looks for
    assert "push" in workflow["on"] and workflow["permissions"]["checks"] == "write"
    job = workflow["jobs"]["grade"]
    # absolute: the grader runs from the runner's temporary folder, not the repository
    assert job["env"]["GRADER_EXERCISES"] == "${{ github.workspace }}/.grader"
    steps = job["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert any(SPEC in run and "GRADER_PIP_SPEC" in run for run in runs)
    for run in runs:
        for line in run.splitlines():
            check_command_line(line)
    [grade] = [step for step in steps if step.get("id") == "grader"]
    assert "--format github --base64" in grade["run"] and "--fail-under 60%" in grade["run"]
    [reporter] = [step for step in steps if "autograding-grading-reporter" in step.get("uses", "")]
    runner = reporter["with"]["runners"]
    assert reporter["if"] == "always()"
    assert reporter["env"][f"{runner.upper()}_RESULTS"] == "${{ steps.grader.outputs.result }}"
    again = grader("ci", "github", tmp_path, "--grader-spec", SPEC)
    assert again.returncode == 2 and "--force" in again.stderr


def test_without_grader_spec_the_workflows_install_the_packs_student_build(tmp_path):
    from grader.pack.student_build import wheel_name

    pack = tmp_path / ".grader"
    pack.mkdir()
    (pack / "pack.json").write_text('{"kind": "grader-pack", "grader_wheel": {"file": "grader-9.9-py3-none-any.whl"}}')
    (pack / "grader-9.9-py3-none-any.whl").write_bytes(b"")
    for kind, path in (("github", ".github/workflows/grade.yml"), ("gitlab", ".gitlab-ci.yml")):
        proc = grader("ci", kind, tmp_path)
        assert proc.returncode == 0 and not proc.stderr, proc.stderr
        content = (tmp_path / path).read_text()
        assert '"${GRADER_PIP_SPEC:-./.grader/grader-9.9-py3-none-any.whl}"' in content
    (pack / "grader-9.9-py3-none-any.whl").unlink()  # a pack made before packs held the grader
    proc = grader("--lang", "zh", "ci", "github", tmp_path, "--force")
    assert proc.returncode == 0 and "grader pack" in proc.stderr and "--grader-spec" in proc.stderr
    empty = tmp_path / "empty"
    assert grader("ci", "github", empty).returncode == 0  # no pack yet: the name it will have
    assert f"./.grader/{wheel_name()}" in (empty / ".github/workflows/grade.yml").read_text()


def test_gitlab_job_parses_and_publishes_its_junit_report(tmp_path):
    proc = grader("--lang", "zh", "ci", "gitlab", tmp_path, "--grader-spec", SPEC, "--extra", "torch")
    assert proc.returncode == 0, proc.stderr
    job = yaml.safe_load((tmp_path / ".gitlab-ci.yml").read_text())["grade"]
    assert job["variables"]["GRADER_LANG"] == "zh"
    script = job["script"]
    for line in script:
        check_command_line(line)
    [check] = [line for line in script if line.startswith("python -I -m grader check")]
    output = re.search(r'-o "\$CI_PROJECT_DIR/(\S+)"', check).group(1)
    assert job["artifacts"]["reports"]["junit"] == output and job["artifacts"]["when"] == "always"
    assert job["variables"]["GRADER_EXERCISES"] == "$CI_PROJECT_DIR/.grader"
    assert script.index('cd "$(mktemp -d)"') < script.index(check)  # not from the repository
    assert '"torch"' in script[0]


@pytest.mark.parametrize("option", [["--grader-spec", "x; rm -rf ~"], ["--submission", "a b.py"],
                                    ["--pack", "$HOME"]])
def test_unsafe_values_are_refused(tmp_path, option):
    args = ["ci", "github", tmp_path, "--grader-spec", SPEC, *option]
    proc = grader(*args)
    assert proc.returncode == 2 and not (tmp_path / ".github").exists()


def run_autograder(root: Path, env: dict | None = None, cwd: Path | None = None) -> dict:
    script = root / "source" / "run_autograder"
    proc = subprocess.run(["bash", str(script)], capture_output=True, text=True, cwd=cwd or root, timeout=300,
                          env={**os.environ, "GRADER_AUTOGRADER_ROOT": str(root),
                               "GRADER_PYTHON": sys.executable, **(env or {})})
    assert proc.returncode == 0, proc.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    import jsonschema

    jsonschema.validate(results, schema("gradescope-results.schema.json"))
    return results


def test_gradescope_autograder_runs_in_a_gradescope_layout(full_set, tmp_path):
    root, python = gradescope_layout(full_set, tmp_path)
    (root / "submission").mkdir()
    shutil.copy(ROOT / "submissions" / "correct.py", root / "submission" / "solution.py")
    results = run_autograder(root, python)
    from grader.session import GradingSession
    total = sum(ex.max_score for ex in GradingSession.load(full_set).exercise_set.exercises.values())
    assert results["score"] == total  # hidden checks included: this is the instructor's run
    from grader.secret import find_secret

    secret = find_secret(full_set)
    assert json.dumps(results).count(secret.label) == 1 and str(secret.seed) not in json.dumps(results)
    hidden = [t for t in results["tests"] if t["visibility"] == "after_published"]
    assert len(hidden) == len(HIDDEN) and all(t["status"] == "passed" for t in hidden)

    shutil.copy(ROOT / "submissions" / "buggy.py", root / "submission" / "solution.py")
    buggy = run_autograder(root, python)
    assert 0 < buggy["score"] < results["score"]
    assert any(t["status"] == "failed" and "Hint" in t["output"] for t in buggy["tests"])

    broken = run_autograder(root, {"GRADER_PYTHON": "/bin/false"})  # the grader cannot start
    assert broken["score"] == 0 and "exit code 1" in broken["output"]


def gradescope_layout(full_set: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """`grader ci gradescope`, unzipped as Gradescope lays it out, with what setup.sh installs:
    (the root holding source/, the environment naming the autograder's Python)."""
    archive = tmp_path / "autograder.zip"
    proc = grader("--exercises", full_set, "ci", "gradescope", archive)
    assert proc.returncode == 0, proc.stderr
    root = tmp_path / "autograder"  # as Gradescope lays it out: source/, submission/, results/
    from grader.pack.student_build import wheel_name

    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        assert {"setup.sh", "run_autograder"} <= names
        for name in ("setup.sh", "run_autograder"):
            assert (zipped.getinfo(name).external_attr >> 16) & stat.S_IXUSR
        # the grader as its student build (a wheel setup.sh installs), the full set beside it
        assert wheel_name() in names and "exercises/ch3_activations.yaml" in names
        assert "exercises/reference/activations.py" in names
        assert not [n for n in names if n.startswith(("python/", "grader/"))]
        # the instructor's private inputs drawn at build time: the course secret (made by this
        # command, beside the set) and its pinned plans travel in the zip, hidden checks' too
        private = "exercises/.grader-private/"
        assert {private + "secret", private + "plans/sigmoid.bin", private + "plans/sigmoid.hidden.bin"} <= names
        assert zipped.read(private + "secret") == (full_set / ".grader-private" / "secret").read_bytes()
        assert "--seed" not in zipped.read("run_autograder").decode()
        zipped.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):
        syntax = subprocess.run(["bash", "-n", str(root / "source" / name)], capture_output=True, text=True)
        assert syntax.returncode == 0, syntax.stderr
    setup = (root / "source" / "setup.sh").read_text()
    assert re.search(r'"numpy==[0-9.]+"', setup) and re.search(r'"hypothesis==[0-9.]+"', setup)
    assert f'pip install --no-deps "$source/{wheel_name()}"' in setup

    # what setup.sh does, minus apt-get and the downloads: a venv with the dependencies, and
    # the wheel from the zip installed by pip
    venv = fresh_venv(tmp_path / "venv")
    install(venv, root / "source" / wheel_name())
    return root, {"GRADER_PYTHON": str(venv / "bin" / "python")}


# ---------------------------------------------------------------------------------------------
# Done when: a student repository made with `grader pack` + `grader ci github` is graded by the
# commands of its workflow file, run here step by step.


def expression(value: str, outputs: dict[str, dict[str, str]], workspace: str = "") -> str:
    """GitHub's `${{ steps.ID.outputs.NAME }}` and `${{ github.workspace }}`, the only
    expressions the workflow uses."""
    value = re.sub(r"\$\{\{\s*github\.workspace\s*\}\}", lambda m: workspace, value)
    return re.sub(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}",
                  lambda m: outputs.get(m.group(1), {}).get(m.group(2), ""), value)


def run_workflow(workflow: dict, repo: Path, env: dict[str, str], tmp: Path) -> dict:
    """Run the job's steps in order as a runner would: `run:` steps with bash -eo pipefail, the
    job's and step's env, step outputs through $GITHUB_OUTPUT; `uses:` steps are the runner's
    (checkout and setup-python: the repository and Python are already here), and the Classroom
    reporter is replayed from what it reads: base64 JSON in <RUNNER>_RESULTS."""
    job = workflow["jobs"]["grade"]
    outputs: dict[str, dict[str, str]] = {}
    log: dict = {"steps": [], "reporter": None}
    failed = False
    for number, step in enumerate(job["steps"]):
        if failed and "always()" not in str(step.get("if", "")):
            continue
        step_env = {**env, **{k: expression(str(v), outputs, str(repo)) for k, v in job.get("env", {}).items()},
                    **{k: expression(str(v), outputs, str(repo)) for k, v in step.get("env", {}).items()}}
        if "run" in step:
            output_file = tmp / f"output-{number}"
            output_file.write_text("")
            script = tmp / f"step-{number}.sh"
            script.write_text(step["run"])
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                  cwd=repo, capture_output=True, text=True, timeout=600,
                                  env={**step_env, "GITHUB_OUTPUT": str(output_file)})
            if step.get("id"):
                outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines()
                                           if "=" in line)
            log["steps"].append((step.get("name"), proc))
            failed = failed or proc.returncode != 0
        elif "autograding-grading-reporter" in step["uses"]:
            results = []
            for runner in step["with"]["runners"].split(","):
                encoded = step_env[f"{runner.strip().upper()}_RESULTS"]
                results.append(json.loads(base64.b64decode(encoded)))
            log["reporter"] = results
    return log


def student_repository(full_set: Path, tmp_path: Path) -> tuple[Path, dict, dict[str, str], Path]:
    """A repository made with `grader pack` + `grader ci github`, a fresh venv for its install
    step, and the environment a runner gives its steps: (repo, workflow, env, venv)."""
    repo = tmp_path / "student-repo"
    repo.mkdir()
    assert grader("--exercises", full_set, "pack", repo / ".grader").returncode == 0
    made = grader("--lang", "en", "ci", "github", repo)
    assert made.returncode == 0 and not made.stderr, made.stderr
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "grade.yml").read_text())
    venv = fresh_venv(tmp_path / "venv")
    (tmp_path / "runner").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER_", "PIP_", "PYTHON"))}
    env.update({
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1",  # the venv has the dependencies already
        "GRADER_CACHE_DIR": str(tmp_path / "cache"),
        "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "RUNNER_TEMP": str(tmp_path / "runner"),
    })
    return repo, workflow, env, venv


def test_student_repository_is_graded_by_its_own_workflow(full_set, tmp_path, zygote):
    """The workflow installs the student build of the grader from the pack (no --grader-spec,
    no GRADER_PIP_SPEC): pip into a fresh venv, then `grader check` from the pack."""
    import jsonschema

    from grader.engine import grade

    from grader.engine import Options
    from grader.session import GradingSession
    from grader.pack.student_build import wheel_name

    repo, workflow, env, venv = student_repository(full_set, tmp_path)
    public_points = sum(ex.max_score for ex in GradingSession.load(repo / ".grader").exercise_set.exercises.values())
    assert not [p for p in repo.rglob("*.py")]  # the repository holds no reference code
    assert (repo / ".grader" / wheel_name()).is_file()

    shutil.copy(ROOT / "submissions" / "correct.py", repo / "solution.py")
    log = run_workflow(workflow, repo, env, tmp_path)
    for name, proc in log["steps"]:
        assert proc.returncode == 0, f"{name}: {proc.stdout}\n{proc.stderr}"
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import grader, importlib.util; print(grader.__file__); "
         "print(importlib.util.find_spec('grader_exercises'), importlib.util.find_spec('grader_reference'))"],
        capture_output=True, text=True, env=env, cwd=tmp_path).stdout.split("\n")
    assert str(venv) in installed[0]  # the workflow's own install step put it there
    assert installed[1] == "None None"  # the student build: no exercise set, no reference inside
    bare = subprocess.run([str(venv / "bin" / "grader"), "list"], capture_output=True, text=True,
                          env=env, cwd=tmp_path)
    assert bare.returncode == 2
    assert "no exercise set: pass --exercises or $GRADER_EXERCISES" in bare.stderr
    [result] = log["reporter"]
    jsonschema.validate(result, schema("github-classroom-result.schema.json"))
    assert result["status"] == "pass" and result["max_score"] == public_points
    assert printed_score(result) == recorded(result)[0] == public_points  # what the student reads
    # the same public score as the full checkout (the instructor's run, hidden checks aside)
    full = grade(GradingSession.load(full_set), repo / "solution.py", zygote, Options())
    assert public_points == sum(c.score for ex in full.exercises for c in ex.checks
                                if c.visibility == "public")
    assert "| ✅ | `sigmoid` |" in (tmp_path / "summary.md").read_text()

    shutil.copy(ROOT / "submissions" / "buggy.py", repo / "solution.py")
    log = run_workflow(workflow, repo, env, tmp_path)
    grade = dict(log["steps"])["Grade"]
    assert grade.returncode == 1  # the job goes red, and the reporter still runs
    assert "::error file=solution.py,line=" in grade.stdout
    [result] = log["reporter"]
    jsonschema.validate(result, schema("github-classroom-result.schema.json"))
    assert result["status"] == "fail"
    from grader.engine import grade as grade_here
    from grader.session import GradingSession

    buggy = grade_here(GradingSession.load(repo / ".grader"), repo / "solution.py", zygote, Options())
    assert printed_score(result) == recorded(result)[0] == buggy.score  # the log's total is the grade
    assert 0 < buggy.score < public_points


# ---------------------------------------------------------------------------------------------
# Nothing in a submission can stand in for the grader or its dependencies: the autograder and
# the workflow run `python -I` from a folder of their own (issue 11, item 7).

#: run by a Python that imported this file instead of the grader or one of its dependencies: it
#: writes a forged perfect score wherever the grader was told to write (`-o`) and stops there
HIJACK = '''import base64, json, os, sys


def _hijack():
    if "-o" not in sys.argv:  # a sandboxed worker importing the submission: nothing to forge
        return
    out = sys.argv[sys.argv.index("-o") + 1]
    forged = {"score": 999, "max_score": 999, "status": "pass", "output": "SHADOWED",
              "tests": [{"name": "forged", "status": "pass", "score": 999, "max_score": 999}]}
    text = json.dumps(forged)
    with open(out, "w") as f:
        f.write(base64.b64encode(text.encode()).decode() if "--base64" in sys.argv else text)
    print("SHADOWED: 999", flush=True)
    os._exit(0)


_hijack()
'''
#: what each shadow is: a package standing for the grader, modules standing for its
#: dependencies, the module site imports at start-up from sys.path, and a .pth (inert outside a
#: site directory: there is no way to make it count, it is there to show it does not)
SHADOWS = {"grader": {"grader/__init__.py": "", "grader/__main__.py": HIJACK},
           "numpy": {"numpy.py": HIJACK}, "yaml": {"yaml.py": HIJACK}, "click": {"click.py": HIJACK},
           "sitecustomize": {"sitecustomize.py": HIJACK}}
PTH = {"zz-shadow.pth": "import sys; exec(open(sys.argv[0]).read()) if False else None\n"}


def plant(folder: Path, *shadows: str) -> None:
    files = {name: text for shadow in shadows for name, text in SHADOWS[shadow].items()}
    for name, text in {**files, **PTH}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def autograder(full_set, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    return gradescope_layout(full_set, tmp_path_factory.mktemp("isolated"))


@pytest.mark.parametrize("shadow", sorted(SHADOWS))
def test_each_shadow_takes_over_a_grader_that_is_not_isolated(autograder, tmp_path, shadow):
    """The control for the next test: the command line run_autograder had before `-I`, started in
    the submission folder with it on PYTHONPATH, runs the planted file and reports 999."""
    root, python = autograder
    submission = tmp_path / "submission"
    submission.mkdir()
    shutil.copy(ROOT / "submissions" / "correct.py", submission / "solution.py")
    plant(submission, shadow)
    out = tmp_path / "results.json"
    env = {**os.environ, **python, "PYTHONPATH": str(submission),
           "GRADER_EXERCISES": str(root / "source" / "exercises")}
    proc = subprocess.run([python["GRADER_PYTHON"], "-m", "grader", "check", str(submission),
                           "--format", "gradescope", "-o", str(out)],
                          cwd=submission, env=env, capture_output=True, text=True, timeout=300)
    assert "SHADOWED: 999" in proc.stdout, proc.stdout + proc.stderr
    assert json.loads(out.read_text())["score"] == 999


def test_nothing_in_a_submission_shadows_the_autograder(autograder, full_set):
    """run_autograder started in the submission folder, with PYTHONPATH pointing there too, on a
    correct file beside a fake grader/ package and shadows of numpy, yaml, click and
    sitecustomize: the real grade, every check of the instructor's run, nothing forged."""
    from grader.session import GradingSession
    root, python = autograder
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    shutil.copy(ROOT / "submissions" / "correct.py", submission / "solution.py")
    plant(submission, *SHADOWS)
    results = run_autograder(root, {**python, "PYTHONPATH": str(submission)}, cwd=submission)
    total = sum(ex.max_score for ex in GradingSession.load(full_set).exercise_set.exercises.values())
    assert results["score"] == total
    assert "SHADOWED" not in json.dumps(results)
    assert {t["status"] for t in results["tests"]} == {"passed"}
    assert not list(submission.glob("grader/__pycache__"))  # the fake package was never imported


def test_nothing_in_a_repository_shadows_its_workflow(full_set, tmp_path):
    """The student repository's own workflow, its steps run here in order, with the fake grader/
    package and the shadows at the repository's root and PYTHONPATH set to it: the reporter gets
    the real grade. The control: the old grading line (`grader check .`) reports 999 there."""
    from grader.session import GradingSession
    repo, workflow, env, venv = student_repository(full_set, tmp_path)
    public_points = sum(ex.max_score for ex in GradingSession.load(repo / ".grader").exercise_set.exercises.values())
    shutil.copy(ROOT / "submissions" / "correct.py", repo / "solution.py")
    plant(repo, *SHADOWS)
    env = {**env, "PYTHONPATH": str(repo)}

    log = run_workflow(workflow, repo, env, tmp_path)
    for name, proc in log["steps"]:
        assert proc.returncode == 0, f"{name}: {proc.stdout}\n{proc.stderr}"
        assert "SHADOWED" not in proc.stdout
    [result] = log["reporter"]
    assert result["status"] == "pass" and result["max_score"] == public_points
    assert printed_score(result) == recorded(result)[0] == public_points

    forged = tmp_path / "forged"
    control = subprocess.run([str(venv / "bin" / "grader"), "check", ".", "--format", "github", "--base64",
                              "-o", str(forged)], cwd=repo, capture_output=True, text=True, timeout=300,
                             env={**env, "GRADER_EXERCISES": str(repo / ".grader")})
    assert "SHADOWED: 999" in control.stdout, control.stdout + control.stderr
    assert json.loads(base64.b64decode(forged.read_text()))["max_score"] == 999


def _workflow(tmp_path: Path, *args: str) -> dict:
    """`grader ci github` in this process (CliRunner: the real command, without a new Python)."""
    from click.testing import CliRunner

    from grader.cli import cli

    result = CliRunner().invoke(cli, ["ci", "github", str(tmp_path), "--grader-spec", SPEC, "--fail-under", "60%",
                                      *args])
    assert result.exit_code == 0, result.output
    return yaml.safe_load((tmp_path / ".github" / "workflows" / "grade.yml").read_text())


def test_os_adds_a_windows_and_macos_matrix_beside_the_unchanged_grade_job(tmp_path):
    plain = _workflow(tmp_path / "plain")
    assert set(plain["jobs"]) == {"grade"}  # the default workflow has no other job
    workflow = _workflow(tmp_path / "both", "--os", "windows,macos")
    assert workflow["jobs"]["grade"] == plain["jobs"]["grade"]
    assert {k: v for k, v in workflow.items() if k != "jobs"} == {k: v for k, v in plain.items() if k != "jobs"}
    job = workflow["jobs"]["platforms"]
    assert job["strategy"]["matrix"]["os"] == ["windows-latest", "macos-latest"]
    assert job["strategy"]["fail-fast"] is False and job["runs-on"] == "${{ matrix.os }}"
    assert job["env"] == plain["jobs"]["grade"]["env"] and job["defaults"]["run"]["shell"] == "bash"
    runs = [step["run"] for step in job["steps"] if "run" in step]
    for run in runs:
        for line in run.splitlines():
            check_command_line(line)
    assert any(SPEC in run and "GRADER_PIP_SPEC" in run for run in runs)
    assert any("grader check" in run and "--fail-under 60%" in run for run in runs)
    assert any("grader doctor" in run for run in runs)
    # only the Ubuntu job reports to GitHub Classroom
    assert not any("autograding-grading-reporter" in step.get("uses", "") for step in job["steps"])


@pytest.mark.parametrize(("value", "runners"), [
    ("macos", ["macos-latest"]), ("Windows, windows", ["windows-latest"]),
    ("macos,windows,linux", ["windows-latest", "macos-latest"]),
])
def test_os_takes_each_system_once_in_a_fixed_order(tmp_path, value, runners):
    assert _workflow(tmp_path, "--os", value)["jobs"]["platforms"]["strategy"]["matrix"]["os"] == runners


def test_os_linux_alone_adds_nothing(tmp_path):
    assert set(_workflow(tmp_path, "--os", "linux")["jobs"]) == {"grade"}


@pytest.mark.parametrize(("lang", "words"), [("en", "the systems it can add are"), ("zh", "能添加的系统是")])
def test_an_unknown_os_is_refused_by_name(tmp_path, lang, words):
    from click.testing import CliRunner

    from grader.cli import cli

    result = CliRunner().invoke(cli, ["--lang", lang, "ci", "github", str(tmp_path), "--grader-spec", SPEC,
                                      "--os", "windows,beos"])
    assert result.exit_code == 2 and words in result.output and "beos" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and not (tmp_path / ".github").exists()
