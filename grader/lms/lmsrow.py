"""What an LMS import file needs to know of one student, and how its cells are written."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..report.untrusted import csv_cell


@dataclass(frozen=True)
class LmsRow:
    """One student's final score and the ids the LMS knows them by ("" when unknown)."""

    student: str
    name: str
    email: str
    total: float | None
    max_score: float | None
    lms_user_id: str = ""
    sis_id: str = ""
    login: str = ""
    section: str = ""


def number(value: float | None) -> str:
    """A score as an LMS reads it: `40`, `40.5`, `12.3333` (four decimals at most), "" for none."""
    if value is None:
        return ""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def points_possible(rows: list[LmsRow]) -> float:
    """The assignment's points: the largest `max_score` graded (0 when nothing is)."""
    return max((r.max_score for r in rows if r.max_score is not None), default=0.0)


def csv_text(table: list[list[str]]) -> str:
    """The table as RFC 4180 CSV (CRLF, quoted where needed), every cell made formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in table:
        writer.writerow([csv_cell(cell) if cell else cell for cell in row])
    return out.getvalue()
