"""The similarity report: a ranked index page and one side-by-side page per listed pair.

Self-contained HTML like the class report (grader/batch/class_report.py): inline CSS, no script,
no external file, and a Content-Security-Policy that forbids scripts and fetches should anything
slip through. Everything that comes from a submission — student names, file names, code — is
untrusted: it is escaped once here, and control and format characters (the bidirectional
overrides of "Trojan Source" among them) are shown as a visible mark instead of acting on the page.
Pair pages are named by rank (pairs/0001.html), never by a student's name.
"""

from __future__ import annotations

import html
from pathlib import Path
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..version import __version__
from ..messages import render, text
from .analyse import Comparison
from ..report.untrusted import html as shown
from .record import FingerprintRecord, UnitPrints
from .regions import Region, matched_regions
from .score import JUDGED, PairScore, Ranking
from .units import OTHER

PAIRS_DIR = "pairs"
INDEX = "index.html"
#: lines of one unit shown per side at most
MAX_SHOWN_LINES = 400
COLOURS = 6

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC",
sans-serif;max-width:84rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.8rem 0}th,td{border-bottom:1px solid #e5e5e5;padding:.25rem .7rem;
text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ddd;border-radius:.5rem;
padding:.5rem 1rem;min-width:8rem}.card b{display:block;font-size:1.5rem}
.muted{color:#666}.flag{color:#b3261e;font-weight:600}.note{background:#fff8e1;border-left:4px solid #e0a800;
padding:.5rem 1rem}
.sbs{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.side{min-width:0}
pre{background:#fafafa;border:1px solid #e5e5e5;padding:.4rem 0;overflow-x:auto;font-size:.85rem;margin:.3rem 0}
pre span{display:block;padding:0 .6rem;white-space:pre}pre i{display:inline-block;width:3.2rem;color:#999;
font-style:normal;user-select:none}pre .gap{color:#999}
.m0{background:#ffd6d6}.m1{background:#d6f0ff}.m2{background:#dff5d6}.m3{background:#fbe3ff}
.m4{background:#fff1c6}.m5{background:#d9dcff}pre span.cm{color:#8a8a8a;background:#f0f0f0}
.legend span{padding:0 .4rem;margin-right:.6rem}
"""


def percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def pair_file(rank: int) -> str:
    return f"{PAIRS_DIR}/{rank:04d}.html"


def _page(title: str, body: list[str], lang: str) -> str:
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{_CSS}</style></head><body>", *body, "</body></html>", ""])


def _table(headers: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def unit_label(unit: str, lang: str) -> str:
    return html.escape(text("similarity.other_code", lang)) if unit == OTHER else f"<code>{shown(unit)}</code>"


def _message(item: dict[str, Any], lang: str) -> str:
    return shown(render(str(item.get("code", "")), dict(item.get("facts") or {}), lang))


# ----------------------------------------------------------------------------------- the index

def _strongest(pair: PairScore, lang: str, limit: int = 3) -> str:
    parts = [f"{unit_label(u.unit, lang)} {percent(u.score)}" for u in pair.strongest[:limit]]
    return ", ".join(parts) if parts else html.escape(text("similarity.nothing_judged", lang))


def render_index(comparison: Comparison, name: str, lang: str, pages: dict[int, int],
                 not_compared: list[tuple[str, str]], notes: list[tuple[str, str]],
                 ignored: list[str]) -> str:
    t = lambda code: html.escape(text(code, lang))  # noqa: E731
    ranking, options = comparison.ranking, comparison.ranking.options
    students = len(comparison.compared) + len(comparison.skipped)
    title = shown(text("similarity.title", lang).format(name=name))
    generated = html.escape(text("similarity.generated", lang).format(students=students, version=__version__))
    out = [f"<h1>{title}</h1>", f'<p class="muted">{generated}</p>',
           f'<p class="note">{t("similarity.evidence")}</p>',
           f"<h2>{t('similarity.summary')}</h2>", '<div class="cards">']
    cards = [("similarity.card.students", students),
             ("similarity.card.compared", len(comparison.compared)),
             ("similarity.card.not_compared", len(not_compared)),
             ("similarity.card.candidates", ranking.candidates),
             ("similarity.card.flagged", ranking.flagged)]
    out += [f'<div class="card"><span>{t(code)}</span><b>{value}</b></div>' for code, value in cards]
    out.append("</div>")
    out.append(f"<h2>{t('similarity.how_to_read')}</h2>")
    facts = {"threshold": percent(options.threshold), "unit_threshold": percent(options.unit_threshold),
             "min_tokens": options.min_tokens}
    reading = ("similarity.read.score", "similarity.read.flag", "similarity.read.view",
               "similarity.read.discount", "similarity.read.limits")
    out.append("<ul>" + "".join(f"<li>{html.escape(text(code, lang).format(**facts))}</li>" for code in reading)
               + "</ul>")

    out.append(f"<h2>{t('similarity.ranked')}</h2>")
    rows = []
    for position, pair in enumerate(ranking.pairs, 1):
        flag = f'<span class="flag">{t("similarity.flagged")}</span>' if pair.flagged else ""
        rows.append([str(position), shown(pair.a), shown(pair.b), percent(pair.score), flag,
                     _strongest(pair, lang), f'<a href="{pair_file(pages[id(pair)])}">{t("similarity.view")}</a>'])
    headers = [t("similarity.rank"), t("similarity.student_a"), t("similarity.student_b"),
               t("similarity.overall"), "", t("similarity.strongest"), ""]
    out.append(_table(headers, rows, frozenset({0, 3})) if rows else f"<p>{t('similarity.no_pairs')}</p>")
    hidden = ranking.flagged - sum(1 for p in ranking.pairs if p.flagged)
    if hidden > 0:
        out.append(f'<p class="note">{html.escape(text("similarity.more_flagged", lang).format(count=hidden))}</p>')

    out.append(f"<h2>{t('similarity.per_exercise')}</h2>")
    for unit, pairs in sorted(ranking.per_unit.items(), key=lambda item: (item[0] == OTHER, item[0])):
        if not pairs:
            continue
        out.append(f"<h3>{unit_label(unit, lang)}</h3>")
        rows = []
        for pair in pairs:
            score = next(u for u in pair.units if u.unit == unit)
            flag = (f'<span class="flag">{t("similarity.flagged")}</span>'
                    if unit != OTHER and score.score >= options.unit_threshold else "")
            coverage = score.coverage
            rows.append([shown(pair.a), shown(pair.b), percent(score.score), flag, str(score.matched),
                         f"{percent(coverage[0])} / {percent(coverage[1])}",
                         f'<a href="{pair_file(pages[id(pair)])}">{t("similarity.view")}</a>'])
        headers = [t("similarity.student_a"), t("similarity.student_b"), t("similarity.score"), "",
                   t("similarity.matched"), t("similarity.coverage"), ""]
        out.append(_table(headers, rows, frozenset({2, 4})))

    out.append(f"<h2>{t('similarity.units')}</h2>")
    rows = [[unit_label(u.unit, lang), str(u.writers), str(u.judged), str(u.short), str(u.common), str(u.cap)]
            for u in sorted(ranking.units, key=lambda u: (u.unit == OTHER, u.unit))]
    headers = [t("similarity.exercise"), t("similarity.writers"), t("similarity.judged"),
               html.escape(text("similarity.too_short", lang).format(min_tokens=options.min_tokens)),
               t("similarity.common"), t("similarity.cap")]
    out.append(_table(headers, rows, frozenset({1, 2, 3, 4, 5})))

    out.append(f"<h2>{t('similarity.not_compared')}</h2>")
    rows = [[shown(student), reason] for student, reason in not_compared]
    out.append(_table([t("similarity.student"), t("similarity.reason")], rows) if rows
               else f"<p>{t('similarity.none')}</p>")
    if notes:
        out.append(f"<h3>{t('similarity.notes')}</h3>")
        out.append(_table([t("similarity.student"), t("similarity.note")], [[shown(s), n] for s, n in notes]))
    if ignored:
        out.append(f"<p>{html.escape(text('similarity.ignored', lang))} "
                   + ", ".join(f"<code>{shown(entry)}</code>" for entry in ignored) + "</p>")

    out.append(f"<h2>{t('similarity.method')}</h2>")
    method = comparison.compared[0].method if comparison.compared else None
    facts = {"k": method.k if method else "–", "window": method.window if method else "–",
             "guarantee": (method.k + method.window - 1) if method else "–", "min_tokens": options.min_tokens,
             "min_prints": options.min_prints, "share": percent(options.common_share),
             "common_min": options.common_min, "base": len(comparison.base.hashes)}
    out.append(f"<p>{html.escape(text('similarity.method_text', lang).format(**facts))}</p>")
    bases = [_message(source, lang) for source in comparison.base.sources]
    bases += [_message(problem, lang) for problem in comparison.base.problems]
    out.append("<ul>" + "".join(f"<li>{b}</li>" for b in bases) + "</ul>" if bases
               else f"<p>{t('similarity.no_base')}</p>")
    return _page(title, out, lang)


# ---------------------------------------------------------------------------------- pair pages

def _shown_lines(record_sources: list[dict[str, str]], unit: UnitPrints, marks: dict[tuple[int, int], int],
                 discounted: set[tuple[int, int]], lang: str) -> list[str]:
    """The unit's lines on one side, numbered: matched lines in their region's colour, lines
    whose fingerprints were all discounted (base, common) in grey."""
    out: list[str] = []
    by_module: dict[int, list[tuple[int, int]]] = {}
    for module, first, last in unit.extents:
        by_module.setdefault(module, []).append((first, last))
    budget = MAX_SHOWN_LINES
    for module, ranges in sorted(by_module.items()):
        if module >= len(record_sources):
            continue
        source = record_sources[module]
        lines = source["source"].split("\n")
        out.append(f'<p class="muted"><code>{shown(source["filename"])}</code></p>')
        rows: list[str] = []
        previous = None
        for first, last in sorted(ranges):
            if previous is not None and first > previous + 1:
                rows.append('<span class="gap">…</span>')
            for number in range(first, min(last, len(lines)) + 1):
                if budget <= 0:
                    break
                budget -= 1
                region = marks.get((module, number))
                css = (f' class="m{region % COLOURS}"' if region is not None
                       else ' class="cm"' if (module, number) in discounted else "")
                rows.append(f"<span{css}><i>{number}</i>{shown(lines[number - 1])}</span>")
            previous = last
        if budget <= 0:
            cut = html.escape(text("similarity.cut", lang).format(count=MAX_SHOWN_LINES))
            rows.append(f'<span class="gap">{cut}</span>')
        out.append("<pre>" + "".join(rows) + "</pre>")
    return out


def _discounted_lines(unit: UnitPrints, excluded: np.ndarray) -> set[tuple[int, int]]:
    lines: set[tuple[int, int]] = set()
    for module, first, last in unit.spans[np.isin(unit.hashes, excluded)].tolist():
        lines.update((module, line) for line in range(first, last + 1))
    return lines


def _marks(regions: list[Region], side: str) -> dict[tuple[int, int], int]:
    marks: dict[tuple[int, int], int] = {}
    for number, region in enumerate(regions):
        module, first, last = getattr(region, side)
        for line in range(first, last + 1):
            marks.setdefault((module, line), number)
    return marks


def render_pair(pair: PairScore, records: tuple[FingerprintRecord, FingerprintRecord],
                sources: tuple[list[dict[str, str]], list[dict[str, str]]], excluded: dict[str, np.ndarray],
                lang: str, discounted: dict[tuple[str, str], set[tuple[int, int]]] | None = None) -> str:
    """One pair: its units' scores and what was discounted, then each matching unit side by side."""
    t = lambda code: html.escape(text(code, lang))  # noqa: E731
    title = f"{shown(pair.a)} ↔ {shown(pair.b)}"
    out = [f'<p><a href="../{INDEX}">{t("similarity.back")}</a></p>', f"<h1>{title}</h1>",
           f'<p>{t("similarity.overall")}: <b>{percent(pair.score)}</b> '
           + (f'<span class="flag">{t("similarity.flagged")}</span>' if pair.flagged else "") + "</p>",
           f'<p class="note">{t("similarity.evidence")}</p>']
    rows = []
    for u in pair.units:
        state = t(f"similarity.state.{u.state}")
        sides = [html.escape(text("similarity.side", lang).format(kept=u.kept[i], total=u.total[i], base=u.base[i],
                                                                     common=u.common[i], tokens=u.tokens[i]))
                 for i in (0, 1)]
        rows.append([unit_label(u.unit, lang), state, percent(u.score) if u.state == JUDGED else "–",
                     str(u.matched), sides[0], sides[1]])
    headers = [t("similarity.exercise"), t("similarity.state"), t("similarity.score"), t("similarity.matched"),
               shown(pair.a), shown(pair.b)]
    out.append(_table(headers, rows, frozenset({2, 3})))
    shown_units = [u for u in pair.units if u.matched]
    if not shown_units:
        out.append(f"<p>{t('similarity.no_matches')}</p>")
    else:
        out.append(f'<p class="legend muted"><span class="m0">{t("similarity.legend.matched")}</span>'
                   f'<span class="cm">{t("similarity.legend.discounted")}</span></p>')
    for u in shown_units:
        unit_a, unit_b = records[0].units.get(u.unit), records[1].units.get(u.unit)
        if unit_a is None or unit_b is None:
            continue
        left_out = excluded.get(u.unit, np.zeros(0, dtype=np.int64))
        regions = matched_regions(unit_a, unit_b, left_out)
        score = percent(u.score) if u.state == JUDGED else t(f"similarity.state.{u.state}")
        out.append(f"<h2>{unit_label(u.unit, lang)} · {score}</h2>")
        if regions:
            listed = "; ".join(html.escape(text("similarity.region", lang).format(
                number=k + 1, a_first=r.a[1], a_last=r.a[2], b_first=r.b[1], b_last=r.b[2]))
                for k, r in enumerate(regions))
            out.append(f'<p class="muted">{listed}</p>')
        out.append('<div class="sbs">')
        for side, record, unit, source in (("a", records[0], unit_a, sources[0]),
                                           ("b", records[1], unit_b, sources[1])):
            out.append(f'<div class="side"><h3>{shown(record.student)}</h3>')
            if discounted is None or (record.student, u.unit) not in discounted:
                grey = _discounted_lines(unit, left_out)
                if discounted is not None:  # the same student's unit appears on many pages
                    discounted[(record.student, u.unit)] = grey
            else:
                grey = discounted[(record.student, u.unit)]
            out += _shown_lines(source, unit, _marks(regions, side), grey, lang)
            out.append("</div>")
        out.append("</div>")
    return _page(title, out, lang)


# ---------------------------------------------------------------------------------------- write

def listed_pairs(ranking: Ranking) -> list[PairScore]:
    """Every pair the report lists (overall, then per exercise), once each, in page order."""
    unique: list[PairScore] = []
    seen: set[int] = set()
    for pair in ranking.pairs + [p for pairs in ranking.per_unit.values() for p in pairs]:
        if id(pair) not in seen:
            seen.add(id(pair))
            unique.append(pair)
    return unique


def page_numbers(ranking: Ranking) -> dict[int, int]:
    """`id(pair)` → the number of its page, `pair_file(number)`: what `write_report` writes."""
    return {id(pair): rank for rank, pair in enumerate(listed_pairs(ranking), 1)}


def write_report(comparison: Comparison, sources: dict[str, list[dict[str, str]]], out_dir: Path, name: str,
                 lang: str, ignored: Sequence[str] = ()) -> Path:
    """Write OUT/index.html and OUT/pairs/NNNN.html; returns the index's path.

    `sources` maps a student to their modules ({"filename", "source"}), as fingerprinted.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / PAIRS_DIR).mkdir(exist_ok=True)
    for stale in (out_dir / PAIRS_DIR).glob("*.html"):
        stale.unlink()
    unique = listed_pairs(comparison.ranking)
    pages = page_numbers(comparison.ranking)
    records = {r.student: r for r in comparison.compared}
    index = comparison.index
    excluded = {unit: np.union1d(comparison.base.hashes, index.common_hashes[u]) for u, unit in enumerate(index.units)}
    discounted: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for rank, pair in enumerate(unique, 1):
        page = render_pair(pair, (records[pair.a], records[pair.b]),
                           (sources.get(pair.a, []), sources.get(pair.b, [])), excluded, lang, discounted)
        (out_dir / pair_file(rank)).write_text(page, encoding="utf-8")
    not_compared = [(r.student, _message(r.problem, lang) if r.problem else
                     html.escape(text("similarity.other_method", lang))) for r in comparison.skipped]
    notes = [(r.student, _message(note, lang)) for r in comparison.compared + comparison.skipped for note in r.notes]
    index_path = out_dir / INDEX
    index_path.write_text(render_index(comparison, name, lang, pages, not_compared, notes, list(ignored)),
                          encoding="utf-8")
    return index_path


__all__ = ["write_report", "render_index", "render_pair", "listed_pairs", "page_numbers", "pair_file", "INDEX",
           "PAIRS_DIR"]
