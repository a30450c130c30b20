"""Where two versions of a unit match: regions of lines on each side, for the side-by-side view.

The fingerprints both sides kept (base and common ones left out) are walked in the order they
occur on side A; consecutive ones whose lines touch on both sides grow one region, anything else
starts a new one. Each region is a pair of line ranges, one per side, shown in the same colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .record import UnitPrints


@dataclass
class Region:
    a: tuple[int, int, int]  # module, first line, last line
    b: tuple[int, int, int]
    prints: int


def _touches(span: tuple[int, int, int], region: tuple[int, int, int]) -> bool:
    return span[0] == region[0] and span[1] <= region[2] + 1 and span[2] >= region[1] - 1


def _grow(region: tuple[int, int, int], span: tuple[int, int, int]) -> tuple[int, int, int]:
    return region[0], min(region[1], span[1]), max(region[2], span[2])


def matched_regions(a: UnitPrints, b: UnitPrints, excluded: np.ndarray) -> list[Region]:
    shared = np.setdiff1d(np.intersect1d(a.hashes, b.hashes), excluded)
    if not len(shared):
        return []
    on_b: dict[int, list[tuple[int, int, int]]] = {}
    for h, span in zip(b.hashes.tolist(), b.spans.tolist(), strict=True):
        on_b.setdefault(h, []).append(tuple(span))
    wanted = set(shared.tolist())
    regions: list[Region] = []
    for h, span in zip(a.hashes.tolist(), a.spans.tolist(), strict=True):
        if h not in wanted:
            continue
        span_a = tuple(span)
        choices = on_b[h]
        current = regions[-1] if regions else None
        span_b = next((s for s in choices if current is not None and _touches(s, current.b)), choices[0])
        if current is not None and _touches(span_a, current.a) and _touches(span_b, current.b):
            current.a, current.b = _grow(current.a, span_a), _grow(current.b, span_b)
            current.prints += 1
        else:
            regions.append(Region(span_a, span_b, 1))
    return regions


__all__ = ["Region", "matched_regions"]
