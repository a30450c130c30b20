"""What a failed check says, once, for every format: the terminal report, the feedback files
(Markdown and HTML), the notebook report and the CI reports.

`failed_check` builds a `FailedCheck`: the message, how many inputs fail, the rows
(label, value) of the failing call, the expected value and what came back, the entries of both
side by side when a table helps, and the hint. Every string is already on one line with control
characters, separators and bidi overrides shown as escapes (`untrusted.visible`), so no value
can add a row of its own or reorder one; a renderer lays the parts out and applies its format's
own rule on top (`text_line`, `html`, `markdown_block`, ...). The renderers of the terminal and
the notebook are in text.py and notebook_html.py, of the feedback files in feedback.py, of CI in
details.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..messages import format_call, format_value, text, tiny_note
from ..result import FAILED, CheckResult, ExerciseResult
from .sidebyside import entries
from .untrusted import visible
from .words import check_message, check_name, hint, other_ways, symptom


def _line(value: str) -> str:
    return visible(value, one_line=True)


def points(value: float) -> str:
    """A score as the reports write it: `2`, `0.5`."""
    return f"{value:g}"


@dataclass(frozen=True)
class Row:
    """One labelled value: `Input: sigmoid(x=array([0.]))`."""

    label: str
    value: str


@dataclass(frozen=True)
class Entry:
    """One entry of the expected and the returned value, side by side."""

    index: str
    expected: str
    got: str
    differs: bool


@dataclass(frozen=True)
class FailedCheck:
    """A check that did not pass, in the words of the catalogue, for any format."""

    message: str
    counted: str  # "3 of 200 inputs fail", or ""
    call: Row | None  # the failing call, when there is one
    values: tuple[Row, ...]  # expected, then what came back (each when known)
    table: tuple[Entry, ...]  # entry by entry, for small arrays and summaries; () when no help
    #: the table shows the values whole (an array): a renderer showing it may leave `values` out;
    #: for a tuple, list or dict the table is of one part only, and `values` stay
    table_is_whole: bool
    hint: str  # the whole sentence ("Hint: …"), or ""
    #: what the wrong values show when no catalogued mistake explains them ("What your values
    #: show: …"), or ""; shown after the hint by every reporter
    symptom: str = ""
    #: each other way the check fails, with its smallest input ("It also fails another way …")
    others: tuple[str, ...] = ()

    def rows(self, with_table: bool = False) -> list[Row]:
        """The call, then the values: all of them, or those a table shown beside them lacks."""
        shown = [] if with_table and self.table and self.table_is_whole else list(self.values)
        return ([self.call] if self.call else []) + shown


def title(exercise: ExerciseResult, check: CheckResult, lang: str) -> str:
    """`✗ sigmoid · edge cases (2 points)`, as the terminal, the feedback and the notebook head a
    failed check."""
    return _line(text("report.failed_check", lang).format(
        exercise=exercise.id, check=check_name(check, lang), points=points(check.max_score)))


def failed_check(check: CheckResult, lang: str) -> FailedCheck:
    """The parts of a failed (or errored, timed-out, instructor-only) check, each on one line."""
    example = check.counterexample or {}
    counted, call, values, whole, tiny = "", None, [], False, ""
    table: tuple[Entry, ...] = ()
    if check.status == FAILED and example.get("input") is not None:
        facts = check.facts
        failing = facts.get("failing_cases", 0)
        if isinstance(failing, int) and failing > 1:
            key = "report.failing_cases" if facts.get("shrunk") else "report.failing_fixed"
            counted = text(key, lang).format(failing=facts["failing_cases"], total=facts["total_cases"])
        written = format_call(example.get("function"), example.get("input"), lang)
        call = Row(_line(text("report.input", lang)), _line(written))
        tiny = tiny_note(written, lang)  # "1.2e-38 is a deliberately tiny gradient", or ""
        for key, label in (("expected", "report.expected"), ("actual", "report.got")):
            if example.get(key) is not None:
                values.append(Row(_line(text(label, lang)), _line(format_value(example[key], lang))))
        found = entries(example.get("expected"), example.get("actual"), facts) or []
        table = tuple(Entry(_line(i), _line(e), _line(g), differs) for i, e, g, differs in found)
        whole = not isinstance(example.get("expected"), (tuple, list, dict))
    said = hint(check, lang)
    shows = symptom(check, lang)
    compound = bool(check.symptom and check.symptom.get("compound"))
    return FailedCheck(
        message=_line(" ".join(part for part in (check_message(check, lang), tiny) if part)),
        counted=_line(counted),
        call=call,
        values=tuple(values),
        table=table,
        table_is_whole=whole,
        hint=_line(text("report.hint_likely" if check.hint_likely else "report.hint", lang)
                   .format(hint=said)) if said else "",
        symptom=_line(text("report.symptom_compound" if compound else "report.symptom", lang)
                      .format(symptom=shows)) if shows else "",
        others=tuple(_line(line) for line in other_ways(check, lang)),
    )


def plain_lines(failed: FailedCheck) -> list[str]:
    """The check as plain lines, one statement each, no layout: the message, the count, each row
    as `label: value`, the hint, the symptom (CI logs, JUnit bodies, Gradescope outputs, annotations)."""
    lines = [failed.message, failed.counted, *(f"{row.label}: {row.value}" for row in failed.rows()),
             failed.hint, failed.symptom, *failed.others]
    return [line for line in lines if line]


def table_labels(lang: str) -> tuple[str, str, str]:
    """The heads of the side-by-side table: index, expected, got."""
    return (_line(text("report.index", lang)), _line(text("report.expected", lang)), _line(text("report.got", lang)))
