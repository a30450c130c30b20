"""Similarity across a class: pairs of submissions ranked by how alike their code is (issue 16).

Evidence for a person to read, never a grade. One job per module:

- sources.py  — a class's code, through the batch's discovery and the submission reader
- units.py    — a submission cut into units: one per exercise function, one for the rest
- rewrite.py  — the cheap disguises undone on the AST (`a += b`, loops as comprehensions, …)
- tokens.py   — a unit as normalised tokens (names erased, imports resolved), with their lines
- winnow.py   — k-gram hashes and winnowing fingerprints (Schleimer, Wilkerson and Aiken 2003)
- record.py   — a submission's fingerprints as a versioned record, storable as JSON or codec
- base.py     — base material to discount: the `grader init` starter, an instructor's files
- index.py    — the inverted fingerprint index: common fragments, candidate pairs
- score.py    — per-unit and overall scores, ranking, flags, explanations
- regions.py  — the matching regions of a pair, for highlighting
- analyse.py  — the whole comparison: `rank_records` (from stored records), `analyse_class`
- view.py     — the HTML report: ranked index and side-by-side pages; student text shown through grader.report.untrusted

`fingerprint`, `rank_records` and `analyse_class` are importable from here; importing the
package itself costs nothing (`grader similarity`, grader/commands/similarity.py, registers its
command without NumPy).
"""

from __future__ import annotations

from typing import Any

_PUBLIC = {"fingerprint": "record", "FingerprintRecord": "record", "Method": "record",
           "rank_records": "analyse", "analyse_class": "analyse", "base_material": "analyse",
           "Options": "score"}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib

        return getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(name)


__all__ = sorted(_PUBLIC)
