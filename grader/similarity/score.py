"""Scores of the candidate pairs, per unit and overall, ranked, each with its explanation.

A unit (an exercise function, or the rest of the code) is judged for a pair only when both
students' versions are long enough (`min_tokens` normalised tokens) and keep at least
`min_prints` fingerprints once the base and the class's common fingerprints are discounted;
otherwise the explanation says which of the two it failed ("too short", "only shared code").
A judged unit's score is the Dice coefficient of the kept fingerprints, 2·|A∩B| / (|A| + |B|):
1 when the two are the same after normalisation, 0 when they share nothing. The overall score
is the same ratio over every unit judged for both, so a long function weighs more than a short
one and a pair that shares one function among many scores low overall but high on that one.

A pair is flagged when its overall score reaches `threshold`, or when one judged exercise
function reaches `unit_threshold` (the rest of the code counts in the overall score only: small
textbook helpers such as a triple-loop matrix product come out alike when written
independently). A flag is evidence for a person to read, never a change to a grade.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .index import ClassIndex
from .units import OTHER

#: candidate pairs handled per slice when adding up their units (bounds memory on a large class)
SLICE = 65_536
JUDGED, SHORT, SHARED = "judged", "short", "shared"


@dataclass(frozen=True)
class Options:
    threshold: float = 0.6
    unit_threshold: float = 0.9
    min_tokens: int = 30
    min_prints: int = 4
    common_share: float = 0.2
    common_min: int = 5
    #: pairs listed beyond the flagged ones, overall and per exercise
    top: int = 30
    top_per_unit: int = 10
    #: flagged pairs listed at most (a larger number says the threshold is too low for the class),
    #: overall and per exercise
    max_listed: int = 300
    max_listed_per_unit: int = 30


@dataclass
class UnitScore:
    unit: str
    state: str              # judged | short | shared
    score: float            # Dice of the kept fingerprints (judged units; 0 otherwise)
    matched: int            # kept fingerprints both have
    tokens: tuple[int, int]
    total: tuple[int, int]  # distinct fingerprints of each side
    base: tuple[int, int]   # of them, in the base material
    common: tuple[int, int] # of them, common in the class
    kept: tuple[int, int]

    @property
    def coverage(self) -> tuple[float, float]:
        """The share of each side's kept fingerprints that the other has."""
        return tuple(self.matched / k if k else 0.0 for k in self.kept)  # type: ignore[return-value]


@dataclass
class PairScore:
    a: str
    b: str
    score: float
    matched: int
    flagged: bool
    units: list[UnitScore] = field(default_factory=list)  # the units both have, best first

    @property
    def strongest(self) -> list[UnitScore]:
        return [u for u in self.units if u.state == JUDGED and u.matched]


@dataclass
class UnitSummary:
    """A unit across the class: how many wrote it, how many of them are judged, the common cap."""

    unit: str
    writers: int
    judged: int
    short: int
    cap: int
    common: int             # distinct common fingerprints


@dataclass
class Ranking:
    pairs: list[PairScore]                       # ranked by overall score
    per_unit: dict[str, list[PairScore]]          # ranked by that unit's score (judged only)
    units: list[UnitSummary]
    flagged: int
    candidates: int                              # pairs sharing at least one kept fingerprint
    options: Options

    def to_tree(self) -> dict:
        """The ranking as plain data (OUT/similarity.json): the pairs listed, the units."""
        return {"options": asdict(self.options), "candidates": self.candidates, "flagged": self.flagged,
                "pairs": [asdict(pair) for pair in self.pairs],
                "per_unit": {unit: [[p.a, p.b] for p in pairs] for unit, pairs in self.per_unit.items()},
                "units": [asdict(u) for u in self.units]}


def _judgeable(index: ClassIndex, options: Options) -> np.ndarray:
    return (index.tokens >= options.min_tokens) & (index.kept >= options.min_prints)


def _state(index: ClassIndex, options: Options, s: int, u: int) -> str:
    if index.tokens[s, u] < options.min_tokens:
        return SHORT
    return SHARED if index.kept[s, u] < options.min_prints else JUDGED


def _overall(index: ClassIndex, judgeable: np.ndarray, a: np.ndarray, b: np.ndarray,
             numerator: np.ndarray) -> np.ndarray:
    scores = np.zeros(len(a))
    kept = np.where(judgeable, index.kept, 0)
    for start in range(0, len(a), SLICE):
        sa, sb = a[start:start + SLICE], b[start:start + SLICE]
        both = judgeable[sa] & judgeable[sb]
        denominator = ((kept[sa] + kept[sb]) * both).sum(axis=1)
        chunk = numerator[start:start + SLICE]
        scores[start:start + SLICE] = np.divide(2 * chunk, denominator, out=np.zeros(len(sa)),
                                                where=denominator > 0)
    return scores


def _unit_score(index: ClassIndex, options: Options, a: int, b: int, u: int, matched: int) -> UnitScore:
    states = (_state(index, options, a, u), _state(index, options, b, u))
    state = JUDGED if states == (JUDGED, JUDGED) else SHORT if SHORT in states else SHARED
    kept = (int(index.kept[a, u]), int(index.kept[b, u]))
    kept_total = kept[0] + kept[1]
    score = 2 * matched / kept_total if state == JUDGED and kept_total else 0.0
    pair = lambda table: (int(table[a, u]), int(table[b, u]))  # noqa: E731
    return UnitScore(index.units[u], state, score, matched, pair(index.tokens), pair(index.total),
                     pair(index.base), pair(index.common), kept)


def rank(index: ClassIndex, options: Options) -> Ranking:
    judgeable = _judgeable(index, options)
    rows_judged = judgeable[index.pair_a, index.pair_unit] & judgeable[index.pair_b, index.pair_unit]
    kept_sum = index.kept[index.pair_a, index.pair_unit] + index.kept[index.pair_b, index.pair_unit]
    row_score = np.divide(2 * index.matched, kept_sum, out=np.zeros(len(kept_sum)),
                          where=rows_judged & (kept_sum > 0))
    n = len(index.students)
    pair_code = index.pair_a * max(n, 1) + index.pair_b
    codes, row_pair = np.unique(pair_code, return_inverse=True)
    a, b = codes // max(n, 1), codes % max(n, 1)
    numerator = np.bincount(row_pair, weights=np.where(rows_judged, index.matched, 0), minlength=len(codes))
    overall = _overall(index, judgeable, a, b, numerator)
    best_unit = np.zeros(len(codes))
    exercise_rows = np.array([name != OTHER for name in index.units], dtype=bool)[index.pair_unit] \
        if index.units else np.zeros(0, dtype=bool)
    np.maximum.at(best_unit, row_pair, np.where(exercise_rows, row_score, 0.0))
    flagged = (overall >= options.threshold) | (best_unit >= options.unit_threshold)

    by_overall = np.lexsort((b, a, -best_unit, -overall))
    flagged_ranked = by_overall[flagged[by_overall]][:options.max_listed]
    listed = set(flagged_ranked.tolist()) | set(by_overall[:options.top].tolist())
    per_unit_rows: dict[int, np.ndarray] = {}
    for u in range(len(index.units)):
        rows = np.flatnonzero((index.pair_unit == u) & rows_judged & (index.matched > 0))
        rows = rows[np.lexsort((index.pair_b[rows], index.pair_a[rows], -row_score[rows]))]
        places = np.arange(len(rows))
        top = rows[((row_score[rows] >= options.unit_threshold) & (places < options.max_listed_per_unit))
                   | (places < options.top_per_unit)]
        per_unit_rows[u] = top
        listed |= set(row_pair[top].tolist())

    materialised: dict[int, PairScore] = {}
    by_pair = np.argsort(row_pair, kind="stable")
    bounds = np.searchsorted(row_pair[by_pair], np.arange(len(codes) + 1))
    for p in sorted(listed):
        rows = by_pair[bounds[p]:bounds[p + 1]]
        matched_by_unit = dict(zip(index.pair_unit[rows].tolist(), index.matched[rows].tolist(), strict=True))
        both = np.flatnonzero((index.tokens[a[p]] > 0) & (index.tokens[b[p]] > 0))
        units = [_unit_score(index, options, int(a[p]), int(b[p]), int(u), matched_by_unit.get(int(u), 0))
                 for u in both]
        units.sort(key=lambda s: (s.state != JUDGED, -s.score, -s.matched, s.unit))
        materialised[p] = PairScore(index.students[a[p]], index.students[b[p]], float(overall[p]),
                                    int(numerator[p]), bool(flagged[p]), units)
    ordered = [materialised[p] for p in by_overall.tolist() if p in materialised]
    per_unit = {index.units[u]: [materialised[row_pair[r]] for r in rows.tolist()]
                for u, rows in per_unit_rows.items()}
    return Ranking(ordered, per_unit, _summaries(index, options, judgeable), int(flagged.sum()),
                   len(codes), options)


def _summaries(index: ClassIndex, options: Options, judgeable: np.ndarray) -> list[UnitSummary]:
    present = index.tokens > 0
    return [UnitSummary(name, int(present[:, u].sum()), int(judgeable[:, u].sum()),
                        int((present[:, u] & (index.tokens[:, u] < options.min_tokens)).sum()),
                        int(index.caps[u]), len(index.common_hashes[u]))
            for u, name in enumerate(index.units)]


__all__ = ["Options", "UnitScore", "PairScore", "UnitSummary", "Ranking", "rank", "JUDGED", "SHORT", "SHARED"]
