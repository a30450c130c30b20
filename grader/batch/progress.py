"""Progress of a batch: a live bar on a terminal, one plain line per submission otherwise.

The bar shows done/total, the rate (submissions a minute), the ETA and how many submissions did
not pass everything so far. It is redrawn at most ten times a second on stderr, so piping stdout
somewhere never collects escape codes. A student's id is a folder name they chose: it is shown
through `untrusted.text_line`, so it cannot move the cursor or forge a line.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

import click

from ..messages import text
from ..result import SubmissionResult
from ..report.untrusted import text_line

BAR_WIDTH = 24


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    def __init__(self, total: int, lang: str, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.total = total
        self.lang = lang
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.done = 0
        self.failures = 0
        self.started = time.monotonic()
        self._drawn = 0.0
        if self.live and total:
            self._draw(force=True)

    @property
    def rate(self) -> float:
        """Submissions a minute so far."""
        elapsed = time.monotonic() - self.started
        return self.done / elapsed * 60 if elapsed > 0 else 0.0

    def update(self, student: str, result: SubmissionResult) -> None:
        self.done += 1
        if not result.all_passed:
            self.failures += 1
        if self.live:
            self._draw(force=self.done == self.total)
        else:
            status = "✓" if result.all_passed else "✗"
            click.echo(text("batch.line", self.lang).format(
                done=self.done, total=self.total, student=text_line(student), score=f"{result.score:g}",
                max_score=f"{result.max_score:g}", status=status, seconds=f"{result.seconds:.1f}"))

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn < 0.1:
            return
        self._drawn = now
        filled = int(BAR_WIDTH * self.done / self.total) if self.total else BAR_WIDTH
        rate = self.rate
        eta = _clock((self.total - self.done) / rate * 60) if rate > 0 else "?"
        line = text("batch.progress", self.lang).format(
            done=self.done, total=self.total, rate=f"{rate:.0f}", eta=eta, failures=self.failures)
        self.stream.write(f"\r\x1b[K[{'█' * filled}{'·' * (BAR_WIDTH - filled)}] {line}")
        self.stream.flush()

    def close(self) -> None:
        if self.live and self.total:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
