"""What `grader grade --cluster` sends to a worker (grader/batch/shipping.py): a submission's
bytes rebuild the very Submission a local run loads (files, folders, notebooks, names that are
not UTF-8, every refusal), hostile bytes are refused with ShippingError and nothing else, and the
client's plans pinned on a worker are the plans it grades on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from grader import codec
from grader.batch.shipping import ShippingError, pack_plans, pack_submission, pin_plans, unpack_submission
from grader.submission import load_submission

NOTEBOOK = {"cells": [{"cell_type": "code", "source": ["import numpy as np\n", "def relu(x):\n",
                                                        "    return np.maximum(x, 0)\n", "%timeit relu(1)\n"],
                       "metadata": {}, "outputs": [], "execution_count": None}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _cases(tmp_path: Path) -> list[Path]:
    file = tmp_path / "alice.py"
    file.write_text("def relu(x):\n    return x\n", encoding="utf-8")
    folder = tmp_path / "bob"
    folder.mkdir()
    (folder / "a.py").write_text("from b import g\n", encoding="utf-8")
    (folder / "b.py").write_bytes("# -*- coding: gbk -*-\nNAME = '张三'\n".encode("gbk"))
    (folder / "notes.txt").write_text("not a source")
    notebook = tmp_path / "carol.ipynb"
    notebook.write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    odd = tmp_path / os.fsdecode("张三.py".encode("gbk"))  # a name that is not UTF-8
    odd.write_text("x = 1\n", encoding="utf-8")
    link = tmp_path / "dan.py"
    link.symlink_to(file)
    empty = tmp_path / "erin.py"
    empty.write_text("\n\n")
    binary = tmp_path / "finn.py"
    binary.write_bytes(b"x = 1\0\n")
    rot = tmp_path / "gail.py"
    rot.write_bytes(b"# -*- coding: rot13 -*-\nx = 1\n")
    return [file, folder, notebook, odd, link, empty, binary, rot, tmp_path / "missing.py"]


def test_a_shipped_submission_is_the_one_a_local_run_loads(tmp_path):
    for path in _cases(tmp_path):
        shipped = unpack_submission(pack_submission(str(path)))
        local = load_submission(path)
        assert shipped == local, path
        assert shipped.label == local.label


def test_what_is_shipped_is_bytes_not_a_path_to_read(tmp_path):
    path = tmp_path / "alice.py"
    path.write_text("def relu(x):\n    return x\n", encoding="utf-8")
    blob = pack_submission(str(path))
    path.unlink()  # the worker's machine does not have the file
    assert unpack_submission(blob).modules[0]["source"] == "def relu(x):\n    return x\n"


@pytest.mark.parametrize("blob", [
    b"", b"\x00" * 8, b"garbage that is not a message",
    codec.encode(["a", "list"]),
    codec.encode({"path": 3}),
    codec.encode({"path": "a.py", "error": 5, "facts": {}}),
    codec.encode({"path": "a.py", "error": "x", "facts": []}),
    codec.encode({"path": "a.py", "folder": True}),
    codec.encode({"path": "a.py", "folder": "yes", "files": []}),
    codec.encode({"path": "a.py", "folder": False, "files": [{"name": "a.py", "data": "text"}]}),
    codec.encode({"path": "a.py", "folder": False, "files": [{"name": "a.py", "data": np.zeros(3)}]}),
    codec.encode({"path": "a.py", "folder": False, "files": ["a.py"]}),
])
def test_hostile_bytes_are_refused(blob):
    with pytest.raises(ShippingError):
        unpack_submission(blob)


def test_the_clients_plans_are_the_workers(session):
    from grader.session import GradingSession

    exercises = session.select(["sigmoid", "softmax", "relu"])
    blob = pack_plans(session, exercises)
    worker = GradingSession(session.exercise_set, seed=session.seed + 1)  # would draw other inputs
    assert pin_plans(worker, blob) >= len(exercises)
    for ex in exercises:
        assert codec.encode(worker.plan(ex).random) == codec.encode(session.plan(ex).random)
        assert codec.encode(worker.plan(ex).edge) == codec.encode(session.plan(ex).edge)
        hidden = session.hidden_plan(ex)
        if hidden is not None:
            assert codec.encode(worker.hidden_plan(ex).random) == codec.encode(hidden.random)


@pytest.mark.parametrize("plans", [{"no_such_exercise": {}}, {"sigmoid": {"exercise": "sigmoid", "bogus": 1}},
                                   {"sigmoid": [1, 2]}, ["not", "a", "dict"]])
def test_bad_plans_are_refused(session, plans):
    from grader.session import GradingSession

    with pytest.raises(ShippingError):
        pin_plans(GradingSession(session.exercise_set), codec.encode(plans))
