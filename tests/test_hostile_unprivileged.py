"""The hostile suite's core attacks again, with the whole grader running as an unprivileged user.

Students run the grader as normal users; CI runs it as root. This machine's own Python lives
under /root (mode 0700), so the unprivileged run uses the system's Python with Debian's numpy,
hypothesis, click and yaml (installed by .ci/run), and drops to uid/gid 65534 with setpriv.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import tempfile
import textwrap

import pytest

from support import ROOT

SYSTEM_PYTHON = "/usr/bin/python3"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _checkout_on_path() -> str:
    """PYTHONPATH that imports the checkout as an install would: the grader from its folder,
    and its exercise set under the import names pyproject.toml maps (grader/spec/loader.py),
    through links in a folder the unprivileged user can read."""
    links = tempfile.mkdtemp(prefix="grader-unpriv-path-")
    os.chmod(links, 0o755)
    os.symlink(ROOT / "exercises", os.path.join(links, "grader_exercises"))
    os.symlink(ROOT / "reference", os.path.join(links, "grader_reference"))
    atexit.register(shutil.rmtree, links, ignore_errors=True)
    return f"{ROOT}{os.pathsep}{links}"


PYTHONPATH = _checkout_on_path()


def _unprivileged_python_ready() -> str | None:
    """None when the run is possible here, else why not."""
    if not hasattr(os, "getuid") or os.getuid() != 0:
        return "needs root to switch to an unprivileged user"
    if not shutil.which("setpriv") or not os.path.exists(SYSTEM_PYTHON):
        return "needs setpriv and the system's python3"
    probe = subprocess.run([*NOBODY, "env", "-i", f"PYTHONPATH={PYTHONPATH}", SYSTEM_PYTHON, "-c",
                            "import numpy, hypothesis, click, yaml, grader.cli, grader_exercises"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return "the system's python3 lacks numpy/hypothesis/click/yaml, or the checkout is " \
               f"not readable by an unprivileged user: {probe.stderr.strip()[-200:]}"
    return None


WHY_NOT = _unprivileged_python_ready()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=str(WHY_NOT))

ATTACKS = {
    "fork": "import os\nos.fork()",
    "network": "import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=1)",
    "read_reference": f"open({str(ROOT / 'reference/activations.py')!r}).read()",
    "write_checkout": f"open({str(ROOT / 'grader/__init__.py')!r}, 'a').write('#')",
    "kill_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
    "memory": "import numpy as np\nnp.ones(10**10)",
}


def test_attacks_fail_and_layers_are_active_as_an_unprivileged_user():
    workdir = tempfile.mkdtemp(prefix="grader-unpriv-")
    os.chmod(workdir, 0o755)
    cache = os.path.join(workdir, "cache")
    os.mkdir(cache)
    os.chmod(cache, 0o777)
    functions = ["import numpy as np",
                 "def relu(x):\n    return np.maximum(np.asarray(x, dtype=float), 0.0)"]
    names = {"sigmoid": "fork", "tanh": "network", "softmax": "read_reference",
             "sigmoid_grad": "write_checkout", "tanh_grad": "kill_parent", "relu_grad": "memory"}
    for exercise, attack in names.items():
        functions.append(f"def {exercise}(x):\n" + textwrap.indent(ATTACKS[attack], "    ")
                         + "\n    return np.zeros(np.shape(x))")
    student = os.path.join(workdir, "attacker.py")
    with open(student, "w") as handle:
        handle.write("\n\n".join(functions) + "\n")
    os.chmod(student, 0o644)
    before = (ROOT / "grader" / "__init__.py").read_bytes()
    args = [*NOBODY, "env", "-i", "PATH=/usr/bin:/bin", f"HOME={workdir}", f"PYTHONPATH={PYTHONPATH}",
            f"GRADER_CACHE_DIR={cache}", SYSTEM_PYTHON, "-m", "grader", "check", student,
            "--format", "json", "--strict-sandbox", "-e", "relu", *[a for e in names for a in ("-e", e)]]
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=600)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = json.loads(proc.stdout)
    assert report["sandbox"] == {"rlimits": True, "no_new_privs": True, "landlock": True,
                                 "seccomp": True, "network": True}
    exercises = {e["id"]: e for e in report["exercises"]}
    assert exercises["relu"]["status"] == "passed"
    for exercise, attack in names.items():
        reference = [c for c in exercises[exercise]["checks"] if c["kind"] == "reference"]
        assert exercises[exercise]["status"] != "passed", attack
        assert not reference or reference[0]["status"] != "passed", attack
    assert (ROOT / "grader" / "__init__.py").read_bytes() == before
