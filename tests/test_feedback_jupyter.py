"""Checking from a notebook: `grader.check(...)` and `%grade`, in IPython and in a real kernel.

What must hold: only SOURCE reaches the grader (the kernel's live functions are never called by
it), what a function needs from the notebook travels with it, and the result shows as HTML.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from grader.interactive import collect

IPython = pytest.importorskip("IPython")

CELLS = [
    """
    import numpy as np
    import grader
    CALLS = []                      # grows if the kernel ever runs these functions itself
    ALPHA = 0.01
    SCALE = np.array([1.0, 2.0])
    data = np.random.default_rng(0).normal(size=(5000, 20))   # not needed: must not be sent
    """,
    """
    def _exp_neg(x):
        return np.exp(-x)

    def sigmoid(x):
        CALLS.append(1)
        return 1 / (1 + _exp_neg(x))
    """,
    """
    relu = lambda x: np.maximum(x, 0.0) * 1
    def leaky_relu(x, alpha=ALPHA):
        CALLS.append(1)
        return np.where(x > 0, x, 0.01 * x)   # ignores alpha
    """,
]


@pytest.fixture(scope="module")
def shell():
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    for cell in CELLS:
        outcome = ip.run_cell(textwrap.dedent(cell))
        assert outcome.success, outcome.error_in_exec
    yield ip
    ip.run_cell("from grader.interactive import SESSIONS; SESSIONS.close()")


def run(ip, code: str):
    outcome = ip.run_cell(code)
    assert outcome.success, outcome.error_in_exec or outcome.error_before_exec
    return outcome.result


def test_check_grades_the_source_in_the_worker_not_the_live_functions(shell):
    run(shell, "report = grader.check(sigmoid, relu, leaky_relu, lang='en')")
    report = shell.user_ns["report"]
    statuses = {ex.id: ex.status for ex in report.result.exercises}
    assert statuses == {"sigmoid": "failed", "relu": "passed", "leaky_relu": "failed"}
    assert shell.user_ns["CALLS"] == []  # the kernel's own objects were never called
    source = report.source
    assert "import numpy as np" in source and "def _exp_neg(x):" in source
    assert "ALPHA = 0.01" in source and "relu = lambda x: np.maximum(x, 0.0) * 1" in source
    assert "data" not in re.findall(r"^(\w+) =", source, re.MULTILINE)
    assert "CALLS = []" in source  # a constant the functions use travels as a literal
    leaky = next(ex for ex in report.result.exercises if ex.id == "leaky_relu")
    assert any(c.mistake == "leaky_relu_ignores_alpha" for c in leaky.checks)


def test_the_report_shows_as_html_and_as_text(shell):
    report = run(shell, "grader.check(sigmoid, lang='zh')")
    page = report._repr_html_()
    assert page.startswith('<div class="grader-report"') and "sigmoid" in page
    assert "未通过" in page and "提示" in page and "<table" in page
    text = repr(report)
    assert "笔记本内自检：sigmoid" in text and "\x1b[" not in text
    assert "得分：" in text


def test_no_argument_checks_every_exercise_function_defined(shell):
    report = run(shell, "grader.check(lang='en')")
    assert report.checked == ["sigmoid", "relu", "leaky_relu"]


def test_names_that_are_not_exercises_are_said(shell):
    report = run(shell, "grader.check(_exp_neg, lang='en')")
    assert report.result is None
    assert "not the name of an exercise" in repr(report) and "No exercise function" in repr(report)


def test_grade_magic(shell):
    run(shell, "%load_ext grader")
    report = run(shell, "%grade --lang en relu")
    assert report.checked == ["relu"] and report.all_passed


def test_an_error_points_into_the_cell(shell):
    run(shell, "def relu(x):\n    y = x + 1\n    raise ValueError('boom')\n")
    report = run(shell, "grader.check(relu, lang='en')")
    check = report.result.exercises[0].checks[0]
    assert check.code == "raised"
    assert check.facts["file"].startswith("In [") and check.facts["line"] == 3
    assert re.search(r"line 3 of In \[\d+\]", repr(report))
    run(shell, "relu = lambda x: np.maximum(x, 0.0) * 1")


def test_collect_follows_helpers_modules_and_constants(tmp_path, monkeypatch):
    """A student's own .py module: what `softmax` needs, and nothing else, rebuilt as source."""
    import importlib

    import numpy as np

    (tmp_path / "mywork.py").write_text(textwrap.dedent("""
        import numpy as np
        from numpy import exp as e
        K = (1, 2.5, "a")
        W = np.arange(3.0)
        UNUSED = np.ones(10)
        def helper(x):
            return e(x) * K[1] + W.sum()
        def softmax(z):
            return helper(z) / np.sum(helper(z), axis=-1, keepdims=True)
    """), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    mywork = importlib.import_module("mywork")
    collected = collect({"softmax": mywork.softmax}, vars(mywork))
    source = collected.source
    assert "from numpy import exp as e" in source and "import numpy as np" in source
    assert "K = (1, 2.5, 'a')" in source and "W = __grader_np.array([0.0, 1.0, 2.0]" in source
    assert "def helper(x):" in source and "UNUSED" not in source and not collected.notes
    rebuilt: dict = {}
    exec(compile(source, "rebuilt.py", "exec"), rebuilt)  # trusted: the test's own module
    z = np.array([[1.0, 2.0]])
    assert np.allclose(rebuilt["softmax"](z), mywork.softmax(z))
    assert collected.locate(source.splitlines().index("def helper(x):") + 1) == ("mywork.py", 7)


def test_a_function_without_source_is_said_not_crashed():
    namespace: dict = {}
    exec(compile("def relu(x):\n    return x\n", "<string>", "exec"), namespace)
    namespace["relu"].__module__ = "__main__"
    collected = collect({"relu": namespace["relu"]}, namespace)
    assert collected.notes and collected.notes[0]["code"] == "jupyter.no_source"


# ----------------------------------------------------------------------------- a real kernel


def test_in_a_real_kernel(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from nbclient import NotebookClient

    cells = [nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in CELLS[:2]]
    cells.append(nbformat.v4.new_code_cell("import grader\ngrader.check(sigmoid, lang='en')"))
    cells.append(nbformat.v4.new_code_cell("%load_ext grader\n%grade --lang zh sigmoid"))
    notebook = nbformat.v4.new_notebook(cells=cells)
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["kernelspec"] = kernel
    client = NotebookClient(notebook, timeout=240, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    except Exception as exc:  # no kernel can start here: say why instead of failing
        if "No such kernel" in str(exc) or "Kernel died" in str(exc):
            pytest.skip(f"no Jupyter kernel available: {exc}")
        raise
    check_output = notebook.cells[2].outputs[-1]
    assert check_output["output_type"] == "execute_result"
    assert "grader-report" in check_output["data"]["text/html"]
    assert "Self-check in the notebook: sigmoid" in check_output["data"]["text/plain"]
    magic_output = notebook.cells[3].outputs[-1]["data"]["text/html"]
    assert "笔记本内自检" in magic_output


def test_importing_grader_stays_light():
    probe = ("import sys, grader; heavy = [m for m in ('torch', 'IPython', 'rich', 'hypothesis', "
             "'numpy', 'click') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
