"""`grader check --watch`: a real process, driven with timeouts: it checks, waits, and after each
save shows only what changed (newly passing, newly failing, the score before and after)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from support import interruptible


WRONG = "import numpy as np\n\ndef relu(x):\n    return np.abs(x)\n"
RIGHT = "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0.0)\n"
BROKEN = "import numpy as np\n\ndef relu(x)\n    return x\n"


class Watcher:
    def __init__(self, folder: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(interruptible("-m", "grader", *args), cwd=folder, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     encoding="utf-8", start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float) -> list[str]:
        """The lines up to (and with) the first one holding `text`; fails after `timeout` s."""
        got: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {text!r} within {timeout} s; output so far:\n" + "\n".join(self.seen))
            try:
                line = self.lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                if self.proc.poll() is not None and not self.reader.is_alive() and self.lines.empty():
                    raise AssertionError(f"grader exited ({self.proc.returncode}) before {text!r}; "
                                         "output:\n" + "\n".join(self.seen)) from None
                continue
            self.seen.append(line)
            got.append(line)
            if text in line:
                return got

    def stop(self) -> int:
        """Ctrl+C, as a student stops it; the rest of its output lands in `seen`."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            code = self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code


def save(path: Path, source: str) -> None:
    path.write_text(source, encoding="utf-8")
    stat = path.stat()  # a coarse-mtime file system: make sure the change is visible
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_watch_reports_only_what_changed(tmp_path):
    work = tmp_path / "work.py"
    save(work, WRONG)
    watcher = Watcher(tmp_path, "--lang", "en", "check", "--watch", "work.py", "-e", "relu")
    try:
        first = watcher.wait_for("Watching work.py", timeout=120)
        assert any("Score: 0 / 4" in line for line in first)  # the full first report
        assert any("failed" in line for line in first)

        save(work, RIGHT)
        fixed = watcher.wait_for("Score: 0 → 4 / 4 (+4)", timeout=90)
        assert any("work.py saved" in line for line in fixed)
        assert any("✓ now passes: relu · matches the reference (+2 pt)" in line for line in fixed)
        assert any("relu: failed → passed" in line for line in fixed)
        assert not any("Self-check of" in line for line in fixed)  # not the whole report again

        save(work, BROKEN)
        broken = watcher.wait_for("comparison waits", timeout=90)
        assert any("could not be imported" in line and "SyntaxError" in line for line in broken)

        save(work, WRONG)
        again = watcher.wait_for("Score: 4 → 0 / 4 (-4)", timeout=90)
        assert any("✗ now fails: relu · matches the reference (−2 pt)" in line for line in again)
        assert any("expected" in line for line in again)  # the new failure, in full
    finally:
        code = watcher.stop()
    assert "Stopped watching." in watcher.seen
    assert code == 1  # the last version checked fails


def test_watch_is_for_text_output_only(tmp_path):
    (tmp_path / "work.py").write_text(RIGHT, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "grader", "check", "--watch", "--format", "json", "work.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, env={**os.environ})
    assert proc.returncode == 2 and "--watch" in proc.stderr


def test_diff_of_two_results_lists_changes_and_the_score():
    from grader.result import CheckResult, ExerciseResult, SubmissionResult
    from grader.watch import diff_lines

    def result(status: str, score: float) -> SubmissionResult:
        check = CheckResult(name="reference", kind="reference", status=status, score=score, max_score=2,
                            code="" if status == "passed" else "mismatch",
                            counterexample={"function": "relu", "input": {"x": 1.0}, "expected": 1.0, "actual": 2.0},
                            facts={"expected_value": 1.0, "actual_value": 2.0})
        ex = ExerciseResult(id="relu", title={"en": "ReLU", "zh": "ReLU 函数"}, chapter=3, status=status,
                            score=score, max_score=2, checks=[check])
        return SubmissionResult(submission="work.py", exercises=[ex])

    import click

    zh = click.unstyle("\n".join(diff_lines(result("failed", 0), result("passed", 2), "zh")))
    assert "✓ 现在通过：relu · 与参考实现一致（+2 分）" in zh and "得分：0 → 2 / 2（+2）" in zh
    same = click.unstyle("\n".join(diff_lines(result("failed", 0), result("failed", 0), "en")))
    assert "Nothing changed: score 0 / 2." in same and "Still failing: relu" in same
    assert "now" not in same  # an unchanged failure is not shown again
