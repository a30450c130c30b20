"""Write a graded folder's outputs again from the gradebook, without grading: after a hand
correction or a comment (`grader override`, `grader comment`), grades.csv, the class report
and the student's feedback show the final score at once.

The outputs are those of the gradebook's latest run (its assignment, its language unless one
is asked for), as `grader grade` wrote them.
"""

from __future__ import annotations

from pathlib import Path

from ..messages import LANGUAGES
from ..submission.names import label
from .coursebook import run_assignment
from .gradebook import Gradebook
from .overrides import CourseState


def rewrite_outputs(book: Gradebook, out_dir: Path, students: list[str], lang: str | None = None) -> None:
    from .class_report import write_class_report
    from .export import write_export
    from .grade import CSV_FILE, REPORT_FILE, write_feedback

    run = book.latest_run()
    if run is None:
        return
    assignment = run_assignment(book, run["id"])
    lang = lang or (run["lang"] if run["lang"] in LANGUAGES else "en")
    course = CourseState.load(book, run["id"])
    for item in book.standing(run):
        if item["student"] not in students or item["grade"] is None:
            continue
        result = book.result(item["grade"].id)
        if result is not None:
            write_feedback(out_dir, item["student"], result, lang, item["name"],
                           course.adjustments(item["student"], result))
    write_export(book, out_dir / CSV_FILE, "csv", assignment)
    name = label(Path(str(run["submissions_dir"] or out_dir.name)).name)
    write_class_report(book, out_dir / REPORT_FILE, lang, name, book.report_sections(), assignment)
