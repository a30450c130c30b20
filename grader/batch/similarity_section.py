"""The class report's similarity section: pairs of students ranked per exercise and overall.

`build_section` runs after grading, in `grader grade`'s own process: the fingerprints come from
the gradebook when a submission is unchanged and are computed (read and parsed, never run) and
stored otherwise (grader/similarity/stored.py); the pairs are ranked with the similarity
command's defaults, over the exercises of the run's scope and the rest of the code, the
`grader init` starter of those exercises discounted. The whole similarity report (index and one
side-by-side page per listed pair) is written to OUT/similarity/, next to the class report,
whose section (`render_section`) lists the pairs and links each to its page.

Nothing here reads or writes a grade: the section is evidence for a person, and grading with or
without it gives the same gradebook rows and CSV.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..messages import text
from ..report.untrusted import html as e

if TYPE_CHECKING:
    from ..similarity.analyse import Comparison
    from ..similarity.score import PairScore
    from ..similarity.stored import Fingerprinted
    from ..spec import ExerciseSet
    from .discover import Entry
    from .gradebook import Gradebook

#: OUT/similarity/: index.html, pairs/NNNN.html, similarity.json
SIMILARITY_DIR = "similarity"
#: rows of the section: flagged pairs at most, then this many unflagged ones (overall)
MAX_FLAGGED, MORE_OVERALL = 50, 5
#: per exercise: pairs flagged on it at most, then this many others
MAX_FLAGGED_UNIT, MORE_UNIT = 20, 3


@dataclass
class SimilaritySection:
    comparison: Comparison
    #: id(pair) → its page number under OUT/similarity/pairs/
    pages: dict[int, int]
    fingerprinted: Fingerprinted
    index: Path


def build_section(book: Gradebook, out_dir: Path, entries: list[Entry], hashes: dict[str, str | None],
                  exercise_set: ExerciseSet, scope: list[str], lang: str, name: str) -> SimilaritySection:
    """Fingerprint (or reuse), rank and write OUT/similarity/; the section's data."""
    from ..similarity.analyse import base_material, rank_records
    from ..similarity.record import Method
    from ..similarity.score import Options
    from ..similarity.stored import fingerprint_entries
    from ..similarity.units import OTHER
    from ..similarity.view import page_numbers, write_report
    from .discover import MISSING

    method = Method()
    present = [entry for entry in entries if entry.kind != MISSING]
    found = fingerprint_entries(book, present, hashes, frozenset(exercise_set.exercises), method)
    base = base_material(exercise_set, tuple(scope), True, [], method)
    comparison = rank_records(found.records, base, Options(), method, frozenset(scope) | {OTHER})
    folder = out_dir / SIMILARITY_DIR
    index = write_report(comparison, found.sources, folder, name, lang)
    (folder / "similarity.json").write_text(json.dumps(comparison.to_tree(), ensure_ascii=False), encoding="utf-8")
    return SimilaritySection(comparison, page_numbers(comparison.ranking), found, index)


def _link(section: SimilaritySection, pair: PairScore, lang: str) -> str:
    from ..similarity.view import pair_file

    return f'<a href="{SIMILARITY_DIR}/{pair_file(section.pages[id(pair)])}">{e(text("similarity.view", lang))}</a>'


def _flag(flagged: bool, lang: str) -> str:
    return f'<strong class="error">{e(text("similarity.flagged", lang))}</strong>' if flagged else ""


def _rows(flagged: list[bool], most: int, more: int) -> list[int]:
    """Positions shown: the flagged ones (at most `most`), then `more` of the others."""
    hit = [i for i, f in enumerate(flagged) if f][:most]
    rest = [i for i, f in enumerate(flagged) if not f][:more]
    return sorted(hit + rest)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_section(section: SimilaritySection, lang: str) -> str:
    """The section's HTML: what it is, how to read it, the pairs overall and per exercise."""
    from ..similarity.units import OTHER
    from ..similarity.view import percent, unit_label

    t = lambda code: e(text(code, lang))  # noqa: E731
    comparison = section.comparison
    ranking, options = comparison.ranking, comparison.ranking.options
    found = section.fingerprinted
    out = [f'<h2 id="similarity">{t("class.similarity")}</h2>', f"<p><em>{t('similarity.evidence')}</em></p>"]
    summary = text("class.similarity.summary", lang).format(
        compared=len(comparison.compared), students=len(comparison.compared) + len(comparison.skipped),
        candidates=ranking.candidates, flagged=ranking.flagged, computed=found.computed, reused=found.reused)
    out.append(f'<p>{e(summary)} <a href="{SIMILARITY_DIR}/index.html">{t("class.similarity.full")}</a></p>')
    facts = {"threshold": percent(options.threshold), "unit_threshold": percent(options.unit_threshold),
             "min_tokens": options.min_tokens}
    reading = ("similarity.read.score", "similarity.read.flag", "similarity.read.discount", "similarity.read.limits")
    out.append('<ul class="muted">' + "".join(f"<li>{e(text(code, lang).format(**facts))}</li>" for code in reading)
               + "</ul>")

    out.append(f"<h3>{t('similarity.ranked')}</h3>")
    pairs = ranking.pairs
    shown = _rows([p.flagged for p in pairs], MAX_FLAGGED, MORE_OVERALL)
    rows = [[str(i + 1), e(pairs[i].a), e(pairs[i].b), percent(pairs[i].score), _flag(pairs[i].flagged, lang),
             ", ".join(f"{unit_label(u.unit, lang)} {percent(u.score)}" for u in pairs[i].strongest[:3]),
             _link(section, pairs[i], lang)] for i in shown]
    headers = [t("similarity.rank"), t("similarity.student_a"), t("similarity.student_b"), t("similarity.overall"),
               "", t("similarity.strongest"), ""]
    out.append(_table(headers, rows) if rows else f"<p>{t('similarity.no_pairs')}</p>")

    out.append(f"<h3>{t('similarity.per_exercise')}</h3>")
    listed = False
    for unit in sorted(ranking.per_unit, key=lambda u: (u == OTHER, u)):
        unit_pairs = ranking.per_unit[unit]
        scores = [next(u for u in p.units if u.unit == unit) for p in unit_pairs]
        hits = [unit != OTHER and s.score >= options.unit_threshold for s in scores]
        shown = _rows(hits, MAX_FLAGGED_UNIT, MORE_UNIT)
        if not shown:
            continue
        listed = True
        out.append(f"<h4>{unit_label(unit, lang)}</h4>")
        rows = [[e(unit_pairs[i].a), e(unit_pairs[i].b), percent(scores[i].score), _flag(hits[i], lang),
                 _link(section, unit_pairs[i], lang)] for i in shown]
        out.append(_table([t("similarity.student_a"), t("similarity.student_b"), t("similarity.score"), "", ""],
                          rows))
    if not listed:
        out.append(f"<p>{t('similarity.no_pairs')}</p>")
    if comparison.skipped:
        names = ", ".join(e(r.student) for r in comparison.skipped)
        out.append(f'<p class="muted">{e(text("class.similarity.not_compared", lang))} {names}</p>')
    return "\n".join(out)


__all__ = ["SIMILARITY_DIR", "SimilaritySection", "build_section", "render_section"]
