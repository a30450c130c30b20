"""Put a result's facts into sentences: shared by every reporter that shows messages."""

from __future__ import annotations

from dataclasses import dataclass

from ..captured import keep_ends, omitted
from ..messages import CATALOGUE, format_call, render, text
from ..result import CheckResult, ExerciseResult, SubmissionResult

#: exercise outcomes that come from the whole submission (it cannot be read or imported), not
#: from the exercise: the same sentence for every exercise it stops
FILE_WIDE = frozenset({"import_error", "import_error.too_deep", "import_timeout", "import_crashed",
                       "submission_unreadable", "submission_empty", "submission_missing",
                       "submission_ambiguous"})

#: "not attempted" outcomes that still have something to say (a function under another name)
SAID = frozenset({"not_attempted.misnamed"})


@dataclass(frozen=True)
class FileProblem:
    """One problem of the whole submission, said once, and the exercises it left ungraded."""

    message: str
    exercises: tuple[str, ...]
    every_exercise: bool

    def not_graded(self, lang: str) -> str:
        if self.every_exercise:
            return text("report.not_graded_all", lang).format(count=len(self.exercises))
        return text("report.not_graded_some", lang).format(exercises=", ".join(self.exercises))


def file_problems(result: SubmissionResult, lang: str) -> list[FileProblem]:
    """The submission's own problems (a syntax error, an unreadable file), each once, in order:
    a report says them at the top instead of once per exercise."""
    by_message: dict[str, list[str]] = {}
    for exercise in result.exercises:
        if exercise.code in FILE_WIDE:
            by_message.setdefault(exercise_message(exercise, lang), []).append(exercise.id)
    return [FileProblem(message, tuple(ids), len(ids) == len(result.exercises))
            for message, ids in by_message.items()]


def check_name(check: CheckResult, lang: str) -> str:
    if check.name != check.kind:
        code = f"check.{check.name}"
        return text(code, lang) if code in CATALOGUE else check.name
    return text(f"check.{check.kind}", lang)


def check_message(check: CheckResult, lang: str) -> str:
    if not check.code:
        return ""
    example = check.counterexample or {}
    facts = {**check.facts, "call": format_call(example.get("function"), example.get("input"), lang)}
    return render(check.code, facts, lang)


def other_ways(check: CheckResult, lang: str) -> list[str]:
    """Each other way the check fails, as a sentence with its own smallest input."""
    out = []
    for other in check.others:
        example = other.get("counterexample") or {}
        facts = {**(other.get("facts") or {}),
                 "call": format_call(example.get("function"), example.get("input"), lang)}
        message = render(str(other.get("code", "")), facts, lang)
        said = other.get("hint") or {}
        if isinstance(said, dict) and (said.get(lang) or said.get("en")):
            message += " " + text("report.hint", lang).format(hint=said.get(lang) or said.get("en"))
        out.append(text("report.other_way", lang).format(count=other.get("failing_cases", 1),
                                                         message=message))
    return out


def exercise_message(exercise: ExerciseResult, lang: str) -> str:
    if not exercise.code:
        return ""
    return render(exercise.code, {**exercise.facts, "function": exercise.id}, lang)


def hint(check: CheckResult, lang: str) -> str:
    if not check.hint:
        return ""
    return check.hint.get(lang) or check.hint.get("en", "")


def symptom(check: CheckResult, lang: str) -> str:
    """What the wrong values show (grader.judge.symptoms), as a sentence, or ""."""
    found = check.symptom
    if not found or str(found.get("code", "")) not in CATALOGUE:
        return ""
    facts = dict(found.get("facts") or {})
    part = facts.get("part")
    facts["part"] = text("symptom.part", lang).format(name=part) if part else ""
    region = f"symptom.region.{facts.get('region')}"
    if region in CATALOGUE:
        facts["region"] = render(region, {k: v for k, v in facts.items() if k in ("arg", "bound")}, lang)
    return render(str(found["code"]), facts, lang)


#: the characters of one printed line shown; the rest is said as "… (N more characters)"
MAX_PRINTED_LINE = 300


def _shown_line(line: str, lang: str) -> str:
    if len(line) <= MAX_PRINTED_LINE:
        return line
    return line[:MAX_PRINTED_LINE] + text("report.line_cut", lang).format(
        count=len(line) - MAX_PRINTED_LINE)


def printed_lines(stdout: str, lang: str, max_lines: int | None = None) -> list[tuple[str, bool]]:
    """What the code printed, line by line, as (line, is the grader's own): the first and last
    `max_lines` lines, and each run of lines left out (here or when it was captured) said as
    "… 37 more lines …" in `lang`; a very long line shows its start and how much is left out.
    Student lines are still to be made safe by the caller."""
    kept = keep_ends(stdout.replace("\r\n", "\n").strip("\n"), max_lines=max_lines)
    lines: list[tuple[str, bool]] = []
    for line in kept.split("\n") if kept.strip() else []:
        count = omitted(line)
        lines.append((text("report.output_omitted", lang).format(count=count), True)
                     if count is not None else (_shown_line(line, lang), False))
    return lines
