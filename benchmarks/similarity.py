"""`grader similarity` on generated classes: ranking quality, and time for 1000 students (issue 16).

    python benchmarks/similarity.py                 # ours; and copydetect if it is installed
    python benchmarks/similarity.py --students 300  # a smaller large class, for development

Run on demand, not in CI. Classes come from tests/similarity_class.py (the test's generator):

1. **quality**: the test class (40 independent students in NumPy, loop and PyTorch styles, 10
   disguised copies of 5 of them). For each tool: the lowest score of a copy pair, the highest
   of an independent pair, how many independent pairs rank above the lowest copy pair, and the
   average precision of the ranking (1 when every copy pair comes first), overall and per exercise.
2. **time**: a class of N (default 1000): N − 50 independent students drawn *without* the test's
   independence constraint (the building blocks cannot keep 950 designs apart, so many independent
   pairs coincide on whole functions by construction: quality is judged on the test class), and
   50 copies of 25 originals. `grader similarity` runs as a subprocess; its CPU seconds (user +
   system of the process tree, from getrusage, as benchmarks/run.py reports) and peak memory are
   measured, then the stages are timed in-process (CPU): reading, fingerprinting, base, index and
   ranking, the report.

copydetect (pip install copydetect) is run on the same code: the module each submission compiles
to (notebooks through the grader's own reader, so both tools see the same text), the `grader init`
starter as boilerplate, its default thresholds, whole files as it is meant to be used, and once
more fed one file per exercise function (our splitting) for a per-exercise comparison. Its pair
score is the larger of its two per-file similarities. Results are printed and written to
benchmarks/SIMILARITY.md.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]

import similarity_class as generated  # noqa: E402
from run import machine, table_markdown, table_text  # noqa: E402

from grader.similarity.analyse import analyse_class, base_material, rank_records  # noqa: E402
from grader.similarity.record import FingerprintRecord, Method, fingerprint  # noqa: E402
from grader.similarity.score import Options  # noqa: E402
from grader.similarity.sources import read_class  # noqa: E402
from grader.similarity.units import OTHER, split_units  # noqa: E402
from grader.spec import load_exercise_set  # noqa: E402

RESULTS = ROOT / "benchmarks" / "SIMILARITY.md"
EVERYTHING = Options(top=10**9, top_per_unit=10**9, max_listed=10**9)


# --------------------------------------------------------------------------------- the metrics

def quality(scores: dict[frozenset, float], copies: set[frozenset], students: list[str],
            left_out: set[frozenset] = frozenset()) -> dict:
    """Ranking quality of `scores` (pairs not listed score 0) against the known copy pairs;
    `left_out`: copy pairs not judged on this exercise (too short on both sides), in neither set."""
    every = {frozenset((a, b)) for i, a in enumerate(students) for b in students[i + 1:]} - set(left_out)
    copies = copies - set(left_out)
    ranked = sorted(every, key=lambda p: (-scores.get(p, 0.0), sorted(p)))
    hits, precision = 0, 0.0
    for position, pair in enumerate(ranked, 1):
        if pair in copies:
            hits += 1
            precision += hits / position
    lowest_copy = min(scores.get(c, 0.0) for c in copies)
    independent = [scores.get(p, 0.0) for p in every - copies]
    return {"lowest_copy": lowest_copy, "highest_independent": max(independent),
            "above": sum(1 for s in independent if s >= lowest_copy),
            "ap": precision / len(copies), "independent": len(every - copies), "copies": len(copies)}


def quality_row(tool: str, q: dict) -> tuple[str, ...]:
    return (tool, f"{100 * q['lowest_copy']:.0f}%", f"{100 * q['highest_independent']:.0f}%",
            f"{q['above']} of {q['independent']}", f"{q['ap']:.3f}")


# ---------------------------------------------------------------------------------- our tool

def ours_quality(folder: Path, exercise_set) -> tuple[dict, dict[str, dict], float]:
    started = time.process_time()
    analysis = analyse_class(folder, exercise_set, options=EVERYTHING)
    seconds = time.process_time() - started
    ranking = analysis.comparison.ranking
    overall = {frozenset((p.a, p.b)): p.score for p in ranking.pairs}
    per_unit = {unit: {frozenset((p.a, p.b)): next(u.score for u in p.units if u.unit == unit) for p in pairs}
                for unit, pairs in ranking.per_unit.items()}
    return overall, per_unit, seconds


def run_command(folder: Path, out: Path) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "grader", "similarity", str(folder), "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "peak_mb": after.ru_maxrss / 1024, "summary": proc.stdout.splitlines()[0]}


def stages(folder: Path, exercise_set) -> dict:
    """CPU seconds of each stage, in-process."""
    from grader.similarity.view import write_report

    clock = time.process_time
    t0 = clock()
    students, ignored = read_class(folder)
    t1 = clock()
    exercises = frozenset(exercise_set.exercises)
    records = [fingerprint(s.student, s.modules, exercises) if s.problem is None
               else FingerprintRecord(s.student, Method(), problem=s.problem) for s in students]
    t2 = clock()
    base = base_material(exercise_set, (), True, [], Method())
    t3 = clock()
    comparison = rank_records(records, base, Options(), Method(), exercises | {OTHER})
    t4 = clock()
    with tempfile.TemporaryDirectory() as out:
        write_report(comparison, {s.student: s.modules for s in students}, Path(out), folder.name, "en", ignored)
    t5 = clock()
    return {"read": t1 - t0, "fingerprint": t2 - t1, "base": t3 - t2, "rank": t4 - t3, "report": t5 - t4,
            "candidates": comparison.ranking.candidates, "flagged": comparison.ranking.flagged,
            "records": records}


# ---------------------------------------------------------------------------------- copydetect

def copydetect_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("copydetect")
    except Exception:
        return None


def _write_modules(folder: Path, dest: Path) -> dict[str, Path]:
    """Each student's compiled module as one .py file (what both tools compare)."""
    dest.mkdir(parents=True)
    files = {}
    for student in read_class(folder)[0]:
        if student.problem is None:
            path = dest / f"{student.student}.py"
            path.write_text("\n".join(m["source"] for m in student.modules), encoding="utf-8")
            files[student.student] = path
    return files


def _write_units(files: dict[str, Path], dest: Path, exercises: frozenset[str]) -> list[Path]:
    """One folder per exercise, one file per student: each exercise function's source."""
    folders = set()
    for student, path in files.items():
        source = path.read_text(encoding="utf-8")
        split = split_units([{"name": student, "filename": path.name, "source": source}], exercises)
        for name, unit in split.units.items():
            if name == OTHER:
                continue
            text = "\n".join(ast.get_source_segment(source, stmt) or "" for _, stmt in unit.statements)
            folder = dest / name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{student}.py").write_text(text + "\n", encoding="utf-8")
            folders.add(folder)
    return sorted(folders)


def copydetect_scores(folder: Path, boilerplate: Path) -> tuple[dict[frozenset, float], float]:
    from copydetect import CopyDetector

    started = time.process_time()
    detector = CopyDetector(test_dirs=[str(folder)], ref_dirs=[str(folder)], boilerplate_dirs=[str(boilerplate)],
                            extensions=["py"], display_t=0.0, autoopen=False, silent=True)
    detector.run()
    seconds = time.process_time() - started
    names = [Path(f).stem for f in detector.test_files]
    scores: dict[frozenset, float] = {}
    matrix = detector.similarity_matrix
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i < j:
                scores[frozenset((a, b))] = float(max(matrix[i, j, 0], matrix[i, j, 1], 0.0))
    return scores, seconds


def starter_file(exercise_set, dest: Path) -> Path:
    from grader.starter import write_starter

    dest.mkdir(parents=True)
    write_starter(dest / "starter.py", exercise_set, "en", ids=tuple(generated.EXERCISES))
    return dest


# -------------------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--no-copydetect", action="store_true")
    args = parser.parse_args()
    exercise_set = load_exercise_set()
    with_copydetect = not args.no_copydetect and copydetect_version() is not None
    lines: list[str] = []
    report: dict = {"machine": machine()}
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        test_class = generated.generate(work / "test-class")
        copies = test_class.copy_pairs()
        students = sorted(test_class.students)
        boilerplate = starter_file(exercise_set, work / "boilerplate")

        overall, per_unit, ours_seconds = ours_quality(test_class.folder, exercise_set)
        rows = [quality_row("grader similarity", quality(overall, copies, students))]
        unit_rows = []
        cd_units: dict[str, dict[frozenset, float]] = {}
        if with_copydetect:
            files = _write_modules(test_class.folder, work / "cd-modules")
            cd_overall, cd_seconds = copydetect_scores(work / "cd-modules", boilerplate)
            rows.append(quality_row("copydetect (whole files)", quality(cd_overall, copies, students)))
            for unit_folder in _write_units(files, work / "cd-units", frozenset(exercise_set.exercises)):
                cd_units[unit_folder.name] = copydetect_scores(unit_folder, boilerplate)[0]
        for unit in generated.JUDGED:
            unjudged = copies - set(per_unit.get(unit, {}))  # a one-line answer on both sides
            ours = quality(per_unit.get(unit, {}), copies, students, unjudged)
            row = [f"`{unit}` ({ours['copies']} copy pairs judged)",
                   f"{100 * ours['lowest_copy']:.0f}% / {100 * ours['highest_independent']:.0f}%",
                   f"{ours['above']}", f"{ours['ap']:.3f}"]
            if unit in cd_units:
                theirs = quality(cd_units[unit], copies, students, unjudged)
                row += [f"{100 * theirs['lowest_copy']:.0f}% / {100 * theirs['highest_independent']:.0f}%",
                        f"{theirs['above']}", f"{theirs['ap']:.3f}"]
            unit_rows.append(tuple(row))
        quality_header = ("tool", "lowest copy pair", "highest independent pair",
                          "independent pairs ≥ lowest copy", "average precision")
        lines += [f"## Ranking quality: the test class ({len(students)} students, 15 copy pairs)", "",
                  table_markdown(rows, quality_header), ""]
        unit_header = ("exercise", "ours: lowest copy / highest independent", "ours: independent ≥ copy",
                       "ours: AP")
        if cd_units:
            unit_header += ("copydetect per function: lowest copy / highest independent",
                            "copydetect: independent ≥ copy", "copydetect: AP")
        lines += ["Per exercise function:", "", table_markdown(unit_rows, unit_header), ""]
        print(table_text(rows, quality_header), "\n")
        print(table_text(unit_rows, unit_header), "\n")

        n = args.students
        big = generated.generate(work / "big-class", independent=n - 50, originals=25, strict=False, seed=1000)
        command = run_command(big.folder, work / "big-out")
        staged = stages(big.folder, exercise_set)
        big_copies = big.copy_pairs()
        rank_of = {frozenset((p.a, p.b)): k for k, p in enumerate(
            rank_records(staged["records"], base_material(exercise_set, (), True, [], Method()),
                         Options(top=len(big_copies))).ranking.pairs)}
        found = sum(1 for c in big_copies if rank_of.get(c, 10**9) < len(big_copies))
        time_rows = [("`grader similarity` (subprocess, whole command)", f"{command['cpu']:.1f} s",
                      f"{command['wall']:.1f} s", f"{command['peak_mb']:.0f} MB", command["summary"])]
        stage_names = ("read", "fingerprint", "base", "rank", "report")
        stage_text = ", ".join(f"{k} {staged[k]:.2f} s" for k in stage_names)
        time_rows.append(("stages (in-process CPU)", f"{sum(staged[k] for k in stage_names):.1f} s",
                          "", "", stage_text))
        if with_copydetect:
            _write_modules(big.folder, work / "cd-big")
            cd_scores, cd_seconds = copydetect_scores(work / "cd-big", boilerplate)
            cd_ranked = sorted(cd_scores, key=lambda p: -cd_scores[p])[:len(big_copies)]
            cd_found = len(set(cd_ranked) & big_copies)
            time_rows.append(("copydetect (in-process CPU, whole files)", f"{cd_seconds:.1f} s", "", "",
                              f"{cd_found} of {len(big_copies)} copy pairs among its top {len(big_copies)}"))
        time_rows[0] = time_rows[0][:4] + (time_rows[0][4] + f"; {found} of {len(big_copies)} copy pairs among "
                                           f"the top {len(big_copies)}",)
        time_header = ("what", "CPU", "wall", "peak memory", "notes")
        lines += [f"## Time: a class of {n}", "", table_markdown(time_rows, time_header), ""]
        print(table_text(time_rows, time_header))
    m = report["machine"]
    head = ["# `grader similarity`: benchmark results", "",
            f"`python benchmarks/similarity.py` on {m['cpu']} ({m['cores']} cores, {m['memory']}), "
            f"Python {m['python']}, NumPy {m['numpy']}, copydetect {copydetect_version() or 'not installed'}, "
            f"{m['date']}, commit {m['commit']}. The machine is shared: CPU seconds are the figure to compare.",
            ""]
    RESULTS.write_text("\n".join(head + lines), encoding="utf-8")
    print(f"\nwritten {RESULTS.relative_to(ROOT)} ({datetime.datetime.now():%H:%M})")


if __name__ == "__main__":
    main()
