"""`grader init`: starter files import cleanly, document each exercise in the chosen language,
and a fresh one checks as "not attempted" everywhere (not failed, not error)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest

from support import ROOT
from grader.spec import load_exercise_set
from grader.starter import StarterError, select, write_starter

EXERCISE_SET = load_exercise_set()


def grader_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env={**os.environ}, timeout=300)


def assert_all_not_attempted(result, expected_ids):
    statuses = {ex.id: ex.status for ex in result.exercises}
    assert set(statuses) == set(expected_ids)
    assert set(statuses.values()) == {"not_attempted"}, statuses
    assert result.score == 0 and not result.notes and not result.load_errors
    assert all(not ex.checks for ex in result.exercises)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_python_starter_imports_documents_and_checks_as_not_attempted(tmp_path, lang, session, zygote):
    from grader.engine import Options, grade
    path = tmp_path / "work.py"
    written = write_starter(path, EXERCISE_SET, lang)
    assert [ex.id for ex in written] == list(EXERCISE_SET.exercises)
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert list(functions) == list(EXERCISE_SET.exercises)
    for ex in written:
        node = functions[ex.id]
        spec_args = ast.parse(f"def {ex.signature}: pass").body[0].args
        assert ast.unparse(node.args) == ast.unparse(spec_args)
        doc = ast.get_docstring(node)
        assert ex.title.get(lang) in doc
        assert ex.description.get(lang)[:30] in " ".join(doc.split())
        if ex.notes is not None:
            assert ex.notes.get(lang)[:30] in " ".join(doc.split())
        assert isinstance(node.body[-1], ast.Raise)
        assert ast.unparse(node.body[-1].exc) == "NotImplementedError"
    if lang == "zh":
        assert "参数：" in source and "约定与课件差异" in source
    imported = subprocess.run([sys.executable, "-c", "import work; print(len(dir(work)))"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
    assert imported.returncode == 0, imported.stderr
    result = grade(session, path, zygote, Options())
    assert_all_not_attempted(result, EXERCISE_SET.exercises)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_notebook_starter_runs_and_checks_as_not_attempted(tmp_path, lang, session, zygote):
    import nbformat

    from grader.engine import grade

    from grader.engine import Options
    path = tmp_path / "work.ipynb"
    written = write_starter(path, EXERCISE_SET, lang, chapters=(3,))
    assert {ex.chapter for ex in written} == {3}
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    assert len(code) == len(written) + 2  # the imports, one per exercise, the self-check
    assert f"grader.check(lang={lang!r})" in code[-1]  # the notebook's report in the starter's language
    for ex in written:
        assert any(f"def {ex.id}(" in c for c in code)
        assert any(ex.title.get(lang) in m and ex.description.get(lang) in m for m in markdown)
    # every cell but the self-check runs as plain Python (the self-check needs a kernel's grader)
    ran = subprocess.run([sys.executable, "-c", "\n\n".join(code[:-1])], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    result = grade(session, path, zygote, Options(exercises=tuple(ex.id for ex in written)))
    assert_all_not_attempted(result, [ex.id for ex in written])  # no note about the self-check cell


def test_the_same_request_writes_the_same_file(tmp_path):
    first, second = tmp_path / "a" / "hw.ipynb", tmp_path / "b" / "hw.ipynb"
    write_starter(first, EXERCISE_SET, "zh", ids=("sigmoid", "softmax"))
    write_starter(second, EXERCISE_SET, "zh", ids=("sigmoid", "softmax"))
    assert json.loads(first.read_text()) == json.loads(second.read_text())


def test_selection_by_chapter_and_id():
    ids = [ex.id for ex in select(EXERCISE_SET, chapters=(3,), ids=("sign",))]
    assert ids[0] == "sign" and "sigmoid" in ids and "neuron" not in ids
    with pytest.raises(StarterError) as info:
        select(EXERCISE_SET, chapters=(99,))
    assert info.value.code == "init.no_chapter"


def test_cli_writes_refuses_to_overwrite_and_forces(tmp_path):
    target = tmp_path / "hw.py"
    made = grader_cli("--lang", "zh", "init", str(target), "-e", "relu", "-e", "relu_grad")
    assert made.returncode == 0, made.stderr
    assert "已写入" in made.stdout and "grader check" in made.stdout
    assert "def relu(x):" in target.read_text(encoding="utf-8")
    target.write_text("# my work\n", encoding="utf-8")
    refused = grader_cli("--lang", "en", "init", str(target))
    assert refused.returncode == 2 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "# my work\n"
    forced = grader_cli("--lang", "en", "init", str(target), "--chapter", "3", "--force")
    assert forced.returncode == 0 and "def softmax(z):" in target.read_text(encoding="utf-8")
    wrong = grader_cli("init", str(tmp_path / "hw.txt"))
    assert wrong.returncode == 2 and ".ipynb" in wrong.stderr
    unknown = grader_cli("--lang", "zh", "init", str(tmp_path / "x.py"), "-e", "nope")
    assert unknown.returncode == 2 and "没有这道练习：nope" in unknown.stderr
    assert not (tmp_path / "x.py").exists()
