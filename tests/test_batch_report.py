"""The class report is one self-contained page that a real browser renders with the right figures.

Needs Debian's `chromium` (installed by .ci/run); skipped when it is absent locally.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import statistics
import struct
import subprocess
from pathlib import Path

import pytest

from test_batch_grade import grader, small_class

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]

GOOD = ("import numpy as np\n"
        "def relu(x):\n    return np.maximum(np.asarray(x, dtype=float), 0.0)\n"
        "def sigmoid(x):\n    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))\n")
NAIVE = ("import numpy as np\n"
         "def relu(x):\n    return np.asarray(x, dtype=float)\n"
         "def sigmoid(x):\n    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))\n")
HANGS = ("import numpy as np\n"
         "def relu(x):\n    while True:\n        pass\n"
         "def sigmoid(x):\n    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))\n")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    subs = small_class(root / "week3", ann=GOOD, ben=NAIVE, cal=HANGS)
    (root / "roster.csv").write_text("id,name\nann,Ann\nben,Ben\ncal,Cal\ndee,Dee\n", encoding="utf-8")
    out = root / "out"
    proc = grader("grade", str(subs), "-o", str(out), "--roster", str(root / "roster.csv"),
                  "-e", "relu", "-e", "sigmoid", "-j", "2", "--time-limit", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_the_page_is_self_contained(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 2                                   # both plots, inline
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", page)  # nothing fetched
    assert "<script" not in page
    assert 'href="feedback/ann.html"' in page


def _chromium(*args: str, cwd: Path, timeout: float = 90) -> subprocess.CompletedProcess:
    profile = cwd / "chromium-profile"
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=cwd)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_report_renders_in_chromium_with_the_expected_figures(report, tmp_path):
    url = (report / "report.html").resolve().as_uri()
    dom = _chromium("--dump-dom", url, cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", " ", dom.stdout, flags=re.S))
    text = re.sub(r"\s+", " ", text)

    table = (report / "grades.csv").read_text(encoding="utf-8-sig")
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(table))}
    submitted = [float(r["percent"]) for r in rows.values() if r["status"] != "missing"]
    assert "Class report: week3" in text
    assert "students 4" in text and "submitted 3" in text and "missing 1" in text
    assert f"mean score {statistics.mean(submitted):.1f}%" in text
    assert f"median score {statistics.median(submitted):.1f}%" in text
    passed = {ex: sum(1 for r in rows.values() if r["status"] != "missing" and r[ex] == str(full))
              for ex, full in (("relu", 4), ("sigmoid", 5))}
    assert passed == {"relu": 1, "sigmoid": 2}
    assert re.search(r"relu 33% 1 ", text) and re.search(r"sigmoid 67% 2 ", text)
    assert "sigmoid_naive" in text                                   # the diagnosed mistake
    assert re.search(r"cal timeout relu", text)                      # the hanging student
    assert "dee" in text and "not graded" not in text

    shot = tmp_path / "report.png"
    taken = _chromium(f"--screenshot={shot}", "--window-size=1200,2400", url, cwd=tmp_path)
    assert taken.returncode == 0 and shot.is_file(), taken.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 2400)
    assert len(data) > 30_000                                        # not a blank page


def test_without_matplotlib_the_report_keeps_its_tables(report, tmp_path, monkeypatch):
    import sys

    from grader.batch.class_report import write_class_report
    from grader.batch.gradebook import Gradebook

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    book = Gradebook(report / "gradebook.sqlite")
    try:
        assert write_class_report(book, tmp_path / "report.html", "en", "week3") is False
    finally:
        book.close()
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" not in page and "sigmoid_naive" in page and "Pass rate per exercise" in page
