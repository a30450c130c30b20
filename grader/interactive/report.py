"""What `grader.check()` shows: HTML in Jupyter, plain text elsewhere, from one result."""

from __future__ import annotations

from typing import Any

from ..result import SubmissionResult
from ..facts import Note


class CheckReport:
    """The result of a notebook check: HTML in Jupyter, plain text elsewhere."""

    def __init__(self, result: SubmissionResult | None, lang: str, notes: list[Note], checked: list[str],
                 source: str = "") -> None:
        self.result = result
        self.lang = lang
        self.notes = notes
        self.checked = checked
        #: the module sent to the sandbox (to see exactly what ran there)
        self.source = source

    @property
    def score(self) -> float:
        return self.result.score if self.result is not None else 0.0

    @property
    def max_score(self) -> float:
        return self.result.max_score if self.result is not None else 0.0

    @property
    def all_passed(self) -> bool:
        return self.result is not None and self.result.all_passed

    def _note_lines(self) -> list[str]:
        from ..messages import render

        return [render(n["code"], n["facts"], self.lang) for n in self.notes]

    def text(self) -> str:
        import click

        from ..messages import text
        from ..report.text import render_text
        from ..report.untrusted import text_line

        lines = ["ℹ " + text_line(note) for note in self._note_lines()]
        if self.result is not None:
            report = click.unstyle(render_text(self.result, self.lang))
            title = text("jupyter.title", self.lang).format(functions=", ".join(self.checked))
            lines = [title, *report.split("\n")[1:], *([""] + lines if lines else []), "",
                     text("jupyter.footer", self.lang)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        from ..report.notebook_html import render_html

        return render_html(self.result, self.lang, self._note_lines(), self.checked)
