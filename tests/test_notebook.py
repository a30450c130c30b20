"""Notebooks are first-class submissions: magics and shell lines do not break them, top-level
training does not slow them down, errors point at cells, and broken files are graded errors."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from support import by_id

nbformat = pytest.importorskip("nbformat")
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook  # noqa: E402

from grader.submission.ipynb import notebook_module  # noqa: E402
from grader.submission import load_submission  # noqa: E402


def write_notebook(path: Path, *cells: str, markdown_first: bool = True) -> Path:
    nb = new_notebook()
    nb.cells = ([new_markdown_cell("# Lab")] if markdown_first else []) + [new_code_cell(c) for c in cells]
    nbformat.write(nb, str(path))
    return path


SLOW_NOTEBOOK = [
    "%matplotlib inline\n!pip install numpy\nimport time\nimport numpy as np\nimport matplotlib.pyplot as plt",
    "def relu(x):\n    return np.maximum(np.asarray(x, dtype=float), 0.0)\n\n"
    "ALPHA = 0.01\nrng = np.random.default_rng(0)",
    "%%time\ndef sigmoid(x):\n    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))\nsigmoid(0.0)",
    "for epoch in range(10**9):\n    time.sleep(1)",
    "losses = train(relu)\nplt.plot(losses); done = True\nnp.exp?\nfiles = !ls",
    "%%bash\nsleep 600",
    "time.sleep(600)",
]


def test_slow_top_level_code_is_not_run_and_the_functions_are_graded(tmp_path, session, zygote):
    from grader.engine import Options, grade
    path = write_notebook(tmp_path / "dana.ipynb", *SLOW_NOTEBOOK)
    started = time.monotonic()
    result = grade(session, path, zygote, Options(exercises=("relu", "sigmoid")))
    assert time.monotonic() - started < 20
    assert [e.status for e in result.exercises] == ["passed", "passed"]
    [note] = result.notes
    assert note["code"] == "notebook.dropped"
    listed = {(d["cell"], d["code"]) for d in note["facts"]["listed"]}
    assert (5, "for epoch in range(10**9):") in listed        # cell 5: the markdown cell is cell 1
    assert (2, "%matplotlib inline") in listed
    assert note["facts"]["count"] > len(note["facts"]["listed"])  # the rest is counted


def test_what_is_kept_and_what_is_not():
    nb = new_notebook()
    nb.cells = [new_code_cell(c) for c in SLOW_NOTEBOOK]
    module = notebook_module(json.dumps(nb))
    source = module.source
    for kept in ("import numpy as np", "def relu(x):", "ALPHA = 0.01",
                 "rng = _grader_guard(lambda: (np.random.default_rng(0)))",
                 "def sigmoid(x):"):
        assert kept in source
    for dropped in ("%matplotlib", "!pip", "matplotlib.pyplot", "range(10**9)", "train(relu)", "plt.plot",
                    "done = True", "np.exp?", "!ls", "sleep 600", "time.sleep(600)", "sigmoid(0.0)"):
        assert dropped not in source
    compile(source, "dana.py", "exec")


def test_errors_point_at_the_cell_and_line(tmp_path, session, zygote):
    from grader.engine import Options, grade
    path = write_notebook(tmp_path / "nb.ipynb", "import numpy as np",
                          "def relu(x):\n    y = x\n    raise ValueError('boom')")
    result = grade(session, path, zygote, Options(exercises=("relu",), shrink=False))
    check = result.exercises[0].checks[0]
    assert check.code == "raised"
    assert (check.facts["file"], check.facts["cell"], check.facts["line"]) == ("nb.ipynb", 3, 3)
    from grader.report.text import render_text

    assert "line 3 of nb.ipynb, cell 3" in render_text(result, "en")
    assert "nb.ipynb 第 3 个单元格 第 3 行" in render_text(result, "zh")


def test_a_cell_with_a_syntax_error_is_skipped_and_said(tmp_path, session, zygote):
    from grader.engine import Options, grade
    path = write_notebook(tmp_path / "nb.ipynb", "import numpy as np",
                          "def sigmoid(x)\n    return x", "def relu(x):\n    return np.maximum(x, 0.0)")
    result = grade(session, path, zygote, Options(exercises=("relu", "sigmoid")))
    assert by_id(result)["relu"].status == "passed"
    assert by_id(result)["sigmoid"].status == "not_attempted"
    assert result.notes[0]["code"] == "notebook.syntax_error"
    assert result.notes[0]["facts"]["cell"] == 3


@pytest.mark.parametrize("content,reason", [
    (b'{"cells": [{"cell_type": "code", "sou', "unreadable.not_json"),
    (b'{"hello": "world"}', "unreadable.not_notebook"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "unreadable.binary"),
    ('{"cells": []}'.encode("utf-16"), "unreadable.binary"),
    ("{\"x\": \"é\"}".encode("latin-1"), "unreadable.not_utf8"),
])
def test_broken_notebooks_are_graded_errors(tmp_path, content, reason):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    submission = load_submission(path)
    assert submission.error == "submission_unreadable"
    assert submission.error_facts["reason_code"] == reason
    from grader.messages import render

    assert "broken.ipynb" in render(submission.error, submission.error_facts, "en")


@pytest.mark.parametrize("cells", [[], ["", "   \n"]])
def test_a_notebook_without_code_is_empty(tmp_path, cells):
    submission = load_submission(write_notebook(tmp_path / "empty.ipynb", *cells))
    assert submission.error == "submission_empty"


def test_check_command_accepts_a_notebook_and_a_folder_with_one(tmp_path):
    from test_cli import grader

    notebook = write_notebook(tmp_path / "lab.ipynb", "import numpy as np\n%time x = 1",
                              "def relu(x):\n    return np.maximum(x, 0.0)")
    proc = grader("check", str(notebook), "-e", "relu")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = tmp_path / "alice"
    folder.mkdir()
    write_notebook(folder / "activations.ipynb", "import numpy as np",
                   "def relu(x):\n    return np.maximum(x, 0.0)")
    (folder / "grads.py").write_text("import numpy as np\nfrom activations import relu\n"
                                     "def relu_grad(x):\n    return (np.asarray(x) > 0).astype(float)\n")
    proc = grader("check", str(folder), "-e", "relu", "-e", "relu_grad")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_data_the_notebook_loads_at_its_top_level_is_not_needed_to_grade(tmp_path, session, zygote):
    from grader.engine import Options, grade
    path = write_notebook(tmp_path / "nb.ipynb",
                          "import numpy as np\nX = np.loadtxt('train.csv', delimiter=',')\nSCALE = 1.0",
                          "def relu(x):\n    y = np.maximum(np.asarray(x, dtype=float), 0.0)\n    return SCALE * y")
    result = grade(session, path, zygote, Options(exercises=("relu",)))
    assert result.exercises[0].status == "passed", result.exercises[0]
    check = grade(session, write_notebook(tmp_path / "nb2.ipynb", "import numpy as np",
                                         "X = np.loadtxt('train.csv')\ndef relu(x):\n    raise ValueError('x')"),
                  zygote, Options(exercises=("relu",), shrink=False)).exercises[0].checks[0]
    assert (check.facts["cell"], check.facts["line"]) == (3, 3)  # the guard's lines do not shift it
