"""A failed check is put into words once (grader/report/failed_check.py) and every reporter shows
those words: the terminal, the Markdown and HTML feedback, the notebook, and the CI formats.

One submission, graded once through the real worker: a wrong `relu` (a small array: the
side-by-side table), a `sigmoid_grad` applied to the input (the reference's hint), and a
`softmax` that returns a hostile string (escape sequences, a forged score line, a bidi override,
NUL, a zero-width space) as its value.
"""

from __future__ import annotations

import html

import click
import pytest

from grader.cleaning import HIDDEN
from grader.report.details import check_lines as ci_lines
from grader.report.failed_check import failed_check, plain_lines
from grader.report.feedback import render_html, render_markdown
from grader.report.github import render_summary
from grader.report.junit import render_junit
from grader.report.notebook_html import render_html as notebook_html
from grader.report.text import render_text
from grader.result import PASSED

SOURCE = '''
import numpy as np

def relu(x):
    return np.abs(x)

def sigmoid_grad(x):
    return x * (1 - x)

def softmax(z):
    return "\\x1b[2J\\x1b[31mforged\\n\\u2028Score: 160 / 160 \\u202eevil\\x00\\u200bz"
'''
EXERCISES = ("relu", "sigmoid_grad", "softmax")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory):
    """The submission's result, graded once (the module's own session and zygote)."""
    from grader.engine import Options, grade
    from grader.run import Zygote
    from grader.session import GradingSession

    path = tmp_path_factory.mktemp("failed-check") / "student.py"
    path.write_text(SOURCE, encoding="utf-8")
    zygote = Zygote()
    zygote.start()
    try:
        yield grade(GradingSession.load(), path, zygote, Options(exercises=EXERCISES))
    finally:
        zygote.close()


def _failed(result):
    return [(ex, check) for ex in result.exercises for check in ex.checks if check.status != PASSED]


def _renderings(result, lang: str) -> dict[str, str]:
    """Every format's text as a person reads it: markup and colours taken off."""
    return {
        "text": click.unstyle(render_text(result, lang)),
        "markdown": render_markdown(result, lang, student="s"),
        "html": html.unescape(render_html(result, lang, student="s")),
        "notebook": html.unescape(notebook_html(result, lang, [], list(EXERCISES))),
        "junit": html.unescape(render_junit(result, lang)),
        "summary": render_summary(result, lang),
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_reporter_shows_the_same_call_values_and_hint(graded, lang):
    failed = _failed(graded)
    assert {ex.id for ex, _ in failed} == set(EXERCISES)
    shown = _renderings(graded, lang)
    for ex, check in failed:
        parts = failed_check(check, lang)
        assert parts.call is not None, (ex.id, check.name)
        for fmt, page in shown.items():
            # the terminal and the notebook show a small array entry by entry instead
            for row in parts.rows(with_table=fmt in ("text", "notebook")):
                assert row.value in page, (fmt, ex.id, row.label)
            if parts.hint:
                hint = parts.hint.split(": ", 1)[-1].split("：", 1)[-1]
                assert hint[:20] in page.replace("\\", ""), (fmt, ex.id)


def test_a_small_array_is_shown_entry_by_entry_where_there_is_room(graded):
    tabled = [c for ex, c in _failed(graded) if ex.id == "relu" and failed_check(c, "en").table]
    assert tabled
    check = tabled[0]
    parts = failed_check(check, "en")
    assert any(entry.differs for entry in parts.table)
    marked = [entry for entry in parts.table if entry.differs]
    text = click.unstyle(render_text(graded, "en"))
    notebook = html.unescape(notebook_html(graded, "en", [], list(EXERCISES)))
    for entry in marked:
        assert any(entry.index in line and entry.got in line and "✗" in line for line in text.splitlines())
        assert f"{entry.got} ✗" in notebook
    # the CI formats and the feedback show the whole values instead, on their lines
    assert all(row.value in "\n".join(ci_lines(check, "en")) for row in parts.rows())


def test_a_hostile_value_is_one_line_everywhere_with_nothing_hidden(graded):
    check = next(c for ex, c in _failed(graded) if ex.id == "softmax" and c.counterexample)
    parts = failed_check(check, "en")
    for piece in [parts.message, parts.counted, parts.hint, *(r.label for r in parts.rows()),
                  *(r.value for r in parts.rows())]:
        assert "\n" not in piece and HIDDEN.search(piece) is None, piece
    got = parts.values[-1].value
    assert "\\x1b[2J" in got and "\\u202e" in got and "\\u200b" in got and "\\x00" in got
    for fmt, page in _renderings(graded, "en").items():
        assert "\x1b" not in page and "\u202e" not in page and "\u200b" not in page.replace(":\u200b:", ""), fmt
        assert not any(line.lstrip("#> |").startswith("Score: 160") for line in page.splitlines()), fmt
    # the CI lines are the same parts, one a line: nothing of the value starts a line of its own
    assert len(ci_lines(check, "en")) == len(plain_lines(parts))
