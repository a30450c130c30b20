"""The inverted fingerprint index of a class: which students share which fingerprints, per unit.

Fingerprints are keyed by (unit, hash): a match counts only between the same exercise function
(or between the two submissions' other code). For every key the index lists the students who
have it; a key held by more than the common cap of its unit — `common_share` of the students
who wrote that unit, and never fewer than `common_min` — is the class's shared idiom (the
standard one-line answer, the usual `np.exp(z - z.max(...))`), discounted like the base.
Candidate pairs come only from the remaining keys, each of which is held by at most the cap, so
the work grows with the class times the cap, not with the square of the class: two students
who share no fingerprint are never looked at.

Everything is NumPy arrays over all fingerprints of the class; the per-pair loop of a naive
comparison is replaced by grouping sorted keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .record import FingerprintRecord


@dataclass
class ClassIndex:
    students: list[str]
    units: list[str]
    #: (students, units) fingerprint counts: all distinct, base, common, kept (= all − base − common)
    total: np.ndarray
    base: np.ndarray
    common: np.ndarray
    kept: np.ndarray
    #: (students, units) normalised token counts (0: the unit is not in the submission)
    tokens: np.ndarray
    #: per unit, how many students have it, and the cap above which a fingerprint is common
    writers: np.ndarray
    caps: np.ndarray
    #: candidate pairs (a < b, student indices), unit index, fingerprints matched: one row each
    pair_a: np.ndarray
    pair_b: np.ndarray
    pair_unit: np.ndarray
    matched: np.ndarray
    #: per unit index, the sorted hashes that are common (for explaining and highlighting)
    common_hashes: list[np.ndarray]


def _rows(records: list[FingerprintRecord], units: dict[str, int]) -> tuple[np.ndarray, ...]:
    """(student, unit, hash) of every distinct fingerprint, and the token counts."""
    students, unit_ids, hashes = [], [], []
    tokens = np.zeros((len(records), len(units)), dtype=np.int64)
    for s, record in enumerate(records):
        for name, unit in record.units.items():
            u = units[name]
            tokens[s, u] = unit.tokens
            distinct = np.unique(unit.hashes)
            students.append(np.full(len(distinct), s, dtype=np.int64))
            unit_ids.append(np.full(len(distinct), u, dtype=np.int64))
            hashes.append(distinct)
    if not hashes:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, tokens
    return np.concatenate(students), np.concatenate(unit_ids), np.concatenate(hashes), tokens


def _pairs_within_groups(members: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
                         group_units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of students within each group (sorted members), with the group's unit."""
    pa, pb, pu = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for size in np.unique(sizes):
        chosen = sizes == size
        block = members[starts[chosen][:, None] + np.arange(size)]  # (groups, size)
        left, right = np.triu_indices(int(size), 1)
        pa.append(block[:, left].ravel())
        pb.append(block[:, right].ravel())
        pu.append(np.repeat(group_units[chosen], len(left)))
    return np.concatenate(pa), np.concatenate(pb), np.concatenate(pu)


def build_index(records: list[FingerprintRecord], base_hashes: np.ndarray, common_share: float,
                common_min: int) -> ClassIndex:
    """The index of `records` (all of one method), the base discounted."""
    names = sorted({name for r in records for name in r.units})
    units = {name: i for i, name in enumerate(names)}
    n, m = len(records), len(names)
    student, unit, hashes, tokens = _rows(records, units)
    is_base = np.isin(hashes, base_hashes)
    writers = (tokens > 0).sum(axis=0)
    caps = np.maximum(common_min, np.ceil(common_share * writers)).astype(np.int64)

    # group the non-base rows by (unit, hash)
    keep = ~is_base
    order = np.lexsort((student[keep], hashes[keep], unit[keep]))
    s_sorted, u_sorted, h_sorted = student[keep][order], unit[keep][order], hashes[keep][order]
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = (u_sorted[1:] != u_sorted[:-1]) | (h_sorted[1:] != h_sorted[:-1])
    starts = np.flatnonzero(new_group)
    sizes = np.diff(np.append(starts, len(order)))
    group_unit = u_sorted[starts] if len(starts) else np.zeros(0, dtype=np.int64)
    is_common_group = sizes > caps[group_unit] if len(starts) else np.zeros(0, dtype=bool)
    row_common = np.repeat(is_common_group, sizes)

    def per_cell(mask: np.ndarray, who: np.ndarray, where: np.ndarray) -> np.ndarray:
        return np.bincount(who[mask] * m + where[mask], minlength=n * m).reshape(n, m) if n and m \
            else np.zeros((n, m), dtype=np.int64)

    total = per_cell(np.ones(len(student), dtype=bool), student, unit)
    base = per_cell(is_base, student, unit)
    common = per_cell(row_common, s_sorted, u_sorted)
    kept = total - base - common

    candidate = (~is_common_group) & (sizes >= 2)
    pa, pb, pu = _pairs_within_groups(s_sorted, starts[candidate], sizes[candidate], group_unit[candidate])
    if len(pa) and n and m:
        code = (pa * n + pb) * m + pu
        codes, matched = np.unique(code, return_counts=True)
        pu, rest = codes % m, codes // m
        pa, pb = rest // n, rest % n
    else:
        matched = np.zeros(0, dtype=np.int64)
    common_hashes = [np.unique(h_sorted[starts[is_common_group & (group_unit == u)]]) for u in range(m)]
    return ClassIndex([r.student for r in records], names, total, base, common, kept, tokens,
                      writers, caps, pa, pb, pu, matched, common_hashes)


__all__ = ["ClassIndex", "build_index"]
