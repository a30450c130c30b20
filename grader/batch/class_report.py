"""The class report: one self-contained HTML page built from the gradebook.

Score histogram and pass rate per exercise (matplotlib, Agg backend, inlined as SVG), the most
common diagnosed mistakes per exercise, timeouts / errors / sandbox violations, the slowest
submissions, and every student's line with a link to their feedback. No script, no external
file, no network: it opens the same from a USB stick. Plot text is only numbers and exercise
ids (the words are HTML captions), so no CJK font is needed for a Chinese report. Student ids and
names (folder names a student chose), and the messages of their problems, go through
`untrusted.html` like every other string on the page.
"""

from __future__ import annotations

import io
import json
import statistics
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..version import __version__
from ..messages import render, text
from ..result import ERROR, NOT_ATTEMPTED, PASSED, TIMEOUT, SubmissionResult
from ..report.untrusted import html as e
from .names import FEEDBACK_DIR, feedback_name
from .export import StudentRow
from .coursebook import latest_run, run_assignment
from .gradebook import MISSING, Gradebook

SLOWEST = 10
TOP_MISTAKES = 5
SANDBOX_CODES = {"cpu_limit", "memory_limit"}
_SANDBOX_SIGNALS = ("SIGSYS", "SIGXCPU", "SIGXFSZ")
UNREADABLE_CODES = {"submission_unreadable", "submission_empty", "submission_ambiguous", "submission_missing"}


@dataclass
class Problem:
    student: str
    kind: str  # timeout | error | sandbox | unreadable | ambiguous
    exercises: list[str]
    message: str


@dataclass
class ClassData:
    students: list[dict[str, Any]] = field(default_factory=list)  # student, name, score, max, status, seconds
    exercises: list[str] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=dict)       # exercise -> status counter
    points: dict[str, list[float]] = field(default_factory=dict)
    max_points: dict[str, float] = field(default_factory=dict)
    mistakes: dict[str, Counter] = field(default_factory=dict)     # exercise -> mistake -> students
    hints: dict[str, str] = field(default_factory=dict)            # mistake -> hint in the language
    problems: list[Problem] = field(default_factory=list)
    #: the students who were late, corrected, commented on, or timed by their files (gradebook_rows)
    course: list[StudentRow] = field(default_factory=list)
    #: the assignment the run graded (its deadline: the lateness section is shown even when empty)
    assignment: str | None = None


def _sandbox_violation(code: str, facts: dict[str, Any]) -> bool:
    if code in SANDBOX_CODES:
        return True
    if code == "raised" and (facts.get("type") == "PermissionError"
                             or "Operation not permitted" in str(facts.get("message", ""))):
        return True
    return code == "crashed" and any(s in str(facts.get("how", "")) for s in _SANDBOX_SIGNALS)


def _problems(student: str, result: SubmissionResult, lang: str) -> list[Problem]:
    grouped: dict[tuple[str, str], Problem] = {}
    for note in result.notes:  # several entries for one student: each graded, the best kept
        if note.get("code") == "batch.ambiguous":
            message = render(note["code"], note.get("facts", {}), lang)
            grouped[("ambiguous", message)] = Problem(student, "ambiguous", [], message)
    for ex in result.exercises:
        found: list[tuple[str, str]] = []
        if ex.code in UNREADABLE_CODES:
            found.append(("unreadable", render(ex.code, ex.facts, lang)))
        elif ex.status in (TIMEOUT, ERROR):
            kind = "sandbox" if _sandbox_violation(ex.code, ex.facts) else ex.status
            found.append((kind, render(ex.code, {**ex.facts, "function": ex.id}, lang)))
        for check in ex.checks:
            if _sandbox_violation(check.code, check.facts):
                found.append(("sandbox", f"{check.facts.get('type', check.code)}: "
                                         f"{str(check.facts.get('message', ''))[:160]}"))
        for kind, message in found:
            key = (kind, message)
            if key not in grouped:
                grouped[key] = Problem(student, kind, [], message)
            if ex.id not in grouped[key].exercises:
                grouped[key].exercises.append(ex.id)
    return list(grouped.values())


def collect(book: Gradebook, lang: str, assignment: str | None = None) -> ClassData:
    """The report's data; a student's score is the final one (corrections, late penalty)."""
    from .export import gradebook_rows

    data = ClassData()
    run = latest_run(book, assignment)
    order = json.loads(run["exercises"]) if run is not None and run["exercises"] else []
    seen: list[str] = list(order)
    finals = {row["student"]: row for row in gradebook_rows(book, assignment)[1]}
    data.assignment = run_assignment(book, run["id"]) if run is not None else None
    for item in book.standing(run) if run is not None else []:
        grade = item["grade"]
        result = book.result(grade.id) if grade is not None else None
        status = grade.status if grade is not None else "pending"
        final = finals.get(item["student"])
        data.students.append({
            "student": item["student"], "name": item["name"], "on_roster": item["on_roster"],
            "score": (final["total"] if final is not None else grade.score) if grade else None,
            "max": grade.max_score if grade else None, "status": status,
            "seconds": result.seconds if result else 0.0,
            "corrected": bool(final and final["overridden"]), "penalty": final["late_penalty"] if final else 0.0})
        if final is not None and _course_row(final, status):
            data.course.append(final)
        if result is None or status == MISSING:
            continue
        for ex in result.exercises:
            if ex.id not in seen:
                seen.append(ex.id)
            data.counts.setdefault(ex.id, Counter())[ex.status] += 1
            data.points.setdefault(ex.id, []).append(ex.score)
            data.max_points[ex.id] = ex.max_score
            mistakes = {c.mistake for c in ex.checks if c.mistake}
            for check in ex.checks:
                if check.mistake and check.hint:
                    data.hints.setdefault(check.mistake, check.hint.get(lang) or check.hint.get("en", ""))
            for mistake in mistakes:
                data.mistakes.setdefault(ex.id, Counter())[mistake] += 1
        data.problems += _problems(item["student"], result, lang)
    data.exercises = seen
    return data


# --- plots (matplotlib, Agg, SVG) -------------------------------------------------------------

def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]  # drop the XML prolog and doctype: inline in the page


def _plots(data: ClassData) -> dict[str, str] | None:
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg", force=False)
    from matplotlib import rcParams
    from matplotlib.figure import Figure

    rcParams["svg.hashsalt"] = "grader"  # stable ids: the same gradebook gives the same page
    rcParams["svg.fonttype"] = "path"
    percents = [100 * s["score"] / s["max"] for s in data.students
                if s["score"] is not None and s["max"] and s["status"] != MISSING]
    plots: dict[str, str] = {}
    figure = Figure(figsize=(6.4, 3.0))
    axes = figure.subplots()
    axes.hist(percents, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.0001], color="#2a7ab0",
              edgecolor="white")
    axes.set_xlim(0, 100)
    axes.set_xticks(range(0, 101, 10))
    # the default locator is a MaxNLocator, which takes `integer`; matplotlib types it as any Locator
    axes.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    axes.spines[["top", "right"]].set_visible(False)
    plots["histogram"] = _svg(figure)

    exercises = [ex for ex in data.exercises if ex in data.counts]
    rates = [100 * data.counts[ex][PASSED] / max(1, sum(data.counts[ex].values())) for ex in exercises]
    figure = Figure(figsize=(6.4, 0.35 * max(3, len(exercises)) + 0.6))
    axes = figure.subplots()
    positions = list(range(len(exercises)))[::-1]
    axes.barh(positions, rates, color="#1b7f3b")
    axes.set_yticks(positions, exercises)
    axes.set_xlim(0, 100)
    for y, rate in zip(positions, rates, strict=True):
        axes.text(min(rate + 1, 92), y, f"{rate:.0f}%", va="center", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    plots["pass_rate"] = _svg(figure)
    return plots


# --- the page ------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC",
sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.7rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.8rem 0}th,td{border-bottom:1px solid #e5e5e5;padding:.25rem .7rem;
text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ddd;border-radius:.5rem;
padding:.5rem 1rem;min-width:8rem}.card b{display:block;font-size:1.5rem}
figure{margin:1rem 0}figcaption{color:#555;font-size:.9rem}svg{max-width:100%;height:auto}
.timeout{color:#a15c00}.error,.sandbox,.unreadable{color:#b3261e}.muted{color:#777}
.file-time{color:#a15c00;font-weight:600}.corrected{color:#2a7ab0}.late{color:#b3261e}
"""


def _table(headers: list[str], rows: list[list[str]], numeric: Collection[int] = ()) -> str:
    """Rows of cells that are already HTML (each caller escapes what it puts in)."""
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_class_report(data: ClassData, lang: str, name: str, spec_digest: str = "",
                        plots: dict[str, str] | None = None, sections: Sequence[str] = ()) -> str:
    """The page; `sections` are HTML sections made elsewhere (the similarity section), placed
    before the list of every student."""
    t = lambda code: e(text(code, lang))  # noqa: E731
    submitted = [s for s in data.students if s["status"] not in (MISSING, "pending") and s["max"]]
    percents = [100 * s["score"] / s["max"] for s in submitted]
    cards = [
        (t("class.students"), str(len(data.students))),
        (t("class.submitted"), str(len(submitted))),
        (t("class.missing"), str(sum(1 for s in data.students if s["status"] == MISSING))),
        (t("class.mean"), f"{statistics.mean(percents):.1f}%" if percents else "–"),
        (t("class.median"), f"{statistics.median(percents):.1f}%" if percents else "–"),
        (t("class.full_marks"), str(sum(1 for p in percents if p >= 100 - 1e-9))),
    ]
    if any(s["on_roster"] for s in data.students):  # without a roster nobody is "not on it"
        cards.insert(3, (t("class.not_on_roster"), str(sum(1 for s in data.students if not s["on_roster"]))))
    title = e(text("class.title", lang).format(name=name))
    generated = e(text("class.generated", lang).format(students=len(data.students), version=__version__,
                                                       digest=spec_digest[:12]))
    out = ["<!DOCTYPE html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{title}</title><style>{_CSS}</style></head><body>", f"<h1>{title}</h1>",
           f'<p class="muted">{generated}</p>', f"<h2>{t('class.summary')}</h2>", '<div class="cards">']
    out += [f'<div class="card"><span>{label}</span><b>{value}</b></div>' for label, value in cards]
    out.append("</div>")

    out.append(f"<h2>{t('class.histogram')}</h2>")
    if plots:
        out.append(f"<figure>{plots['histogram']}<figcaption>{t('class.histogram_axis')} · "
                   f"{t('class.count_axis')}</figcaption></figure>")
    out.append(f"<h2>{t('class.pass_rate')}</h2>")
    if plots:
        out.append(f"<figure>{plots['pass_rate']}<figcaption>{t('class.pass_rate_axis')}"
                   "</figcaption></figure>")
    rows = []
    for ex in data.exercises:
        counts = data.counts.get(ex, Counter())
        total = sum(counts.values())
        points = data.points.get(ex, [])
        rows.append([f"<code>{e(ex)}</code>",
                     f"{100 * counts[PASSED] / total:.0f}%" if total else "–",
                     str(counts[PASSED]), str(counts["failed"]), str(counts[NOT_ATTEMPTED]),
                     str(counts[ERROR] + counts[TIMEOUT]),
                     f"{statistics.mean(points):.2f} / {data.max_points.get(ex, 0):g}" if points else "–"])
    codes = ("class.exercise", "class.pass_rate_short", "class.passed", "class.failed", "class.not_attempted",
               "class.errors", "class.mean_points")
    out.append(_table([text(c, lang) for c in codes], rows, numeric={1, 2, 3, 4, 5, 6}))

    out.append(f"<h2>{t('class.mistakes')}</h2>")
    rows = []
    for ex in data.exercises:
        for mistake, count in data.mistakes.get(ex, Counter()).most_common(TOP_MISTAKES):
            rows.append([f"<code>{e(ex)}</code>", f"<code>{e(mistake)}</code>", str(count),
                         e(data.hints.get(mistake, ""))])
    headers = [text("class.exercise", lang), text("class.mistake", lang), text("class.students_count", lang),
               text("report.hint", lang).format(hint="").strip(" :：")]
    out.append(_table(headers, rows, numeric={2}) if rows else f"<p>{t('class.no_mistakes')}</p>")

    out.append(f"<h2>{t('class.problems')}</h2>")
    every = set(data.exercises)
    rows = [[e(p.student), f'<span class="{p.kind}">{t("class.kind." + p.kind)}</span>',
             t("class.all_exercises") if len(p.exercises) > 1 and set(p.exercises) >= every
             else ", ".join(f"<code>{e(x)}</code>" for x in p.exercises), e(p.message)]
            for p in sorted(data.problems, key=lambda p: (p.kind, p.student))]
    headers = [text(c, lang) for c in ("class.student", "class.kind", "class.exercise", "class.what")]
    out.append(_table(headers, rows) if rows else f"<p>{t('class.no_problems')}</p>")

    out.append(f"<h2>{t('class.slowest')}</h2>")
    slow = sorted((s for s in data.students if s["seconds"]), key=lambda s: -s["seconds"])[:SLOWEST]
    headers = [text(c, lang) for c in ("class.student", "class.seconds", "class.score")]
    out.append(_table(headers, [[e(s["student"]), f"{s['seconds']:.2f}", f"{s['score']:g} / {s['max']:g}"]
                                for s in slow], numeric={1, 2}))

    out += _course_section(data, lang)
    out += sections
    out.append(f"<h2>{t('class.all_students')}</h2>")
    rows = []
    for s in data.students:
        link = f'{FEEDBACK_DIR}/{feedback_name(s["student"])}.html'
        score = f"{s['score']:g} / {s['max']:g}" if s["score"] is not None else "–"
        percent = f"{100 * s['score'] / s['max']:.0f}%" if s["score"] is not None and s["max"] else "–"
        if s.get("corrected"):
            score += f' <span class="corrected" title="{t("class.corrected")}">✎</span>'
        if s.get("penalty"):
            score += f' <span class="late">−{round(100 * s["penalty"], 6):g} %</span>'
        rows.append([f'<a href="{e(link)}">{e(s["student"])}</a>', e(s["name"]), score, percent,
                     t(f"class.state.{s['status']}")])
    headers = [text("class.student", lang), "", text("class.score", lang), "%", text("class.status", lang)]
    out.append(_table(headers, rows, numeric={2, 3}))
    out += ["</body></html>", ""]
    return "\n".join(out)


def _course_row(final: StudentRow, status: str) -> bool:
    """Whether the lateness table lists this student: late, corrected, commented on, timed by a
    file's date, marked late by the LMS, or of an assignment with no time at all."""
    unknown_time = final["time_source"] == "none" and status not in (MISSING, "pending")
    return bool(final["overridden"] or final["late_hours"] or final["comment"] or final["time_source"] == "file"
                or final["late_kind"] == "flagged" or unknown_time and final["assignment"])


def _course_section(data: ClassData, lang: str) -> list[str]:
    """Lateness and corrections: who was late (when, by which clock, what it cost), whose
    exercises were corrected by hand, the comments; a time from a file's date is flagged."""
    t = lambda code: e(text(code, lang))  # noqa: E731
    if not data.course and data.assignment is None:  # no deadline, nothing corrected
        return []
    out = [f'<h2 id="course">{t("class.course")}</h2>']
    if not data.course:
        return out + [f"<p>{t('class.no_course')}</p>"]
    rows = []
    for row in data.course:
        source = row["time_source"] if row["time_source"] in ("lms", "git", "file") else "none"
        flagged = ' class="file-time"' if source == "file" else ""
        corrected = ", ".join(f"<code>{e(x)}</code> {e(_num(row['exercises'][x]['raw_score']))} → "
                              f"{e(_num(row['exercises'][x]['score']))}" for x in row["overridden"])
        rows.append([e(row["student"]), e(row["submitted_at"][:16].replace("T", " ") or "–"),
                     f"<span{flagged}>{t('class.time.' + source)}</span>",
                     f"{row['late_hours']:g}" if row["late_hours"] else
                     (t("class.lms_late") if row.get("late_kind") == "flagged" else "–"),
                     f"−{round(100 * row['late_penalty'], 6):g} %" if row["late_penalty"] else "–",
                     e(_num(row["raw_total"])), f"{e(_num(row['total']))} / {e(_num(row['max_score']))}",
                     corrected or "–", e(row["comment"]) or "–"])
    headers = [text(c, lang) for c in ("class.student", "class.submitted_at", "class.time_source",
                                       "class.hours_late", "class.penalty", "class.raw", "class.final",
                                       "class.corrected", "class.comment")]
    return out + [_table(headers, rows, numeric={3, 4, 5, 6})]


def _num(value: Any) -> str:
    return "–" if value is None else f"{round(float(value), 6):g}"


def write_class_report(book: Gradebook, path: Path, lang: str, name: str, sections: Sequence[str] = (),
                       assignment: str | None = None) -> bool:
    """Write the page; False when matplotlib is missing (the page then has tables only)."""
    data = collect(book, lang, assignment)
    plots = _plots(data)
    run = latest_run(book, assignment)
    page = render_class_report(data, lang, name, run["spec_digest"] if run is not None else "", plots, sections)
    path.write_text(page, encoding="utf-8")
    return plots is not None


__all__ = ["collect", "render_class_report", "write_class_report"]
