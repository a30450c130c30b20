"""The whole comparison of a class, from stored records or from a submissions folder.

`rank_records` is what `grader grade` will call once fingerprints live in the gradebook: it takes
records (of any origin), leaves out those that cannot be compared (a problem, another method),
indexes the rest and ranks the pairs. `analyse_class` reads a folder first and fingerprints each
student (`grader similarity`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..spec import ExerciseSet
from .base import BaseMaterial, file_material, starter_material
from .index import ClassIndex, build_index
from .record import FingerprintRecord, Method, fingerprint
from .score import Options, Ranking, rank
from .sources import StudentSource, read_class
from .units import OTHER


@dataclass
class Comparison:
    ranking: Ranking
    index: ClassIndex
    base: BaseMaterial
    compared: list[FingerprintRecord]
    #: records not compared: a problem of their own, or fingerprinted by another method
    skipped: list[FingerprintRecord] = field(default_factory=list)

    def to_tree(self) -> dict:
        """Plain data for OUT/similarity.json: the ranking, who was not compared and why, and
        what was left out of the others (message codes and facts)."""
        tree = self.ranking.to_tree()
        tree["not_compared"] = [{"student": r.student, **(r.problem or {"code": "similarity.other_method"})}
                                for r in self.skipped]
        tree["notes"] = [{"student": r.student, **note} for r in self.compared for note in r.notes]
        return tree


def _selected(record: FingerprintRecord, units: frozenset[str] | None) -> FingerprintRecord:
    if units is None:
        return record
    kept = {name: unit for name, unit in record.units.items() if name in units}
    return FingerprintRecord(record.student, record.method, kept, record.modules, record.problem,
                             record.notes, record.version)


def rank_records(records: list[FingerprintRecord], base: BaseMaterial, options: Options = Options(),
                 method: Method = Method(), units: frozenset[str] | None = None) -> Comparison:
    """Rank every pair of `records` that share fingerprints in `units` (default: all units)."""
    compared = [_selected(r, units) for r in records if r.problem is None and r.method == method]
    skipped = [r for r in records if r.problem is not None or r.method != method]
    index = build_index(compared, base.hashes, options.common_share, options.common_min)
    return Comparison(rank(index, options), index, base, compared, skipped)


@dataclass
class ClassAnalysis:
    comparison: Comparison
    sources: dict[str, StudentSource]
    ignored: list[str]


def base_material(exercise_set: ExerciseSet, exercise_ids: tuple[str, ...], starter: bool,
                  files: list[Path], method: Method) -> BaseMaterial:
    """The base to discount: the `grader init` starter of the selection (unless `starter` is
    False) and the instructor's own files."""
    exercises = [ex for ex in exercise_set.exercises.values() if not exercise_ids or ex.id in exercise_ids]
    base = starter_material(exercise_set, exercises, method) if starter else BaseMaterial()
    return base.add(file_material(files, frozenset(exercise_set.exercises), method)) if files else base


def analyse_class(folder: Path, exercise_set: ExerciseSet, exercise_ids: tuple[str, ...] = (),
                  base: BaseMaterial | None = None, options: Options = Options(),
                  method: Method = Method(), exclude: tuple[Path, ...] = ()) -> ClassAnalysis:
    """Read, fingerprint and rank a submissions folder. With `exercise_ids`, only those
    exercise functions are compared (and not the rest of the code)."""
    students, ignored = read_class(folder, exclude)
    exercises = frozenset(exercise_set.exercises)
    records = []
    for student in students:
        if student.problem is not None:
            records.append(FingerprintRecord(student.student, method, problem=student.problem))
        else:
            records.append(fingerprint(student.student, student.modules, exercises, method))
    units = frozenset(exercise_ids) if exercise_ids else frozenset(exercises | {OTHER})
    if base is None:
        base = base_material(exercise_set, exercise_ids, True, [], method)
    comparison = rank_records(records, base, options, method, units)
    return ClassAnalysis(comparison, {s.student: s for s in students}, ignored)


__all__ = ["Comparison", "ClassAnalysis", "rank_records", "analyse_class", "base_material"]
