"""What happened to a grade after the checks: hand corrections, lateness, comments, in words.

The batch tools compute it (grader.batch.overrides); every output that shows a student's grade
(the feedback files, here) lays out the same lines: the score of the checks, each corrected
exercise with the instructor's reason, an extension, the lateness and its penalty with where
the submission's time came from, the comments, and the final score they lead to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..messages import render, text


@dataclass(frozen=True)
class Corrected:
    points: float
    max_score: float
    was: float
    reason: str


@dataclass(frozen=True)
class Adjustments:
    raw_score: float
    final_score: float
    max_score: float
    #: exercise id → the correction that replaced its points
    corrected: dict[str, Corrected] = field(default_factory=dict)
    #: the lateness sentence: its code (`late.*`) and facts
    late: tuple[str, dict[str, str]] | None = None
    #: where the submission's time came from: `lms`, `git` or `file`
    time_source: str | None = None
    #: an extension's new due date and the one it replaced
    extension: dict[str, str] | None = None
    #: the instructor's comments, (when, text), oldest first
    comments: list[tuple[str, str]] = field(default_factory=list)


def _num(value: float) -> str:
    return f"{round(value, 6):g}"


def adjustment_lines(adj: Adjustments, lang: str) -> list[str]:
    """The sentences of `adj`, in order (the final score is the caller's headline)."""
    lines = [text("feedback.raw", lang).format(score=_num(adj.raw_score), max_score=_num(adj.max_score))]
    for exercise, c in adj.corrected.items():
        lines.append(text("feedback.override", lang).format(exercise=exercise, points=_num(c.points),
                                                            max_score=_num(c.max_score), was=_num(c.was),
                                                            reason=c.reason))
    if adj.extension is not None:
        lines.append(render("late.extension", adj.extension, lang))
    if adj.late is not None:
        sentence = render(adj.late[0], adj.late[1], lang)
        if adj.time_source:
            sentence += f" · {text('time.' + adj.time_source, lang)}"
        lines.append(sentence)
    lines += [text("feedback.comment", lang).format(when=when, comment=comment) for when, comment in adj.comments]
    return lines


def final_line(adj: Adjustments, lang: str) -> str:
    return text("feedback.final", lang).format(score=_num(adj.final_score), max_score=_num(adj.max_score))
