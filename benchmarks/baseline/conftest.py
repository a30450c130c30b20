"""The baseline's pytest configuration: which submission to import.

    pytest benchmarks/baseline --submission submissions/correct.py -q -p no:cacheprovider

(or BASELINE_SUBMISSION=path). One pytest process grades one submission, as GitHub Classroom's
Python grader does.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--submission", default=os.environ.get("BASELINE_SUBMISSION"),
                     help="the student's .py file")


@pytest.fixture(scope="session")
def student(request: pytest.FixtureRequest):
    """The student's module, imported once, in this process (that is the baseline's way)."""
    path = request.config.getoption("--submission")
    if not path:
        pytest.exit("give --submission PATH (or BASELINE_SUBMISSION)", returncode=4)
    path = Path(path).resolve()
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("student_submission", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
