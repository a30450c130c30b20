"""A complete submission's cost at the margin, before and after a change, in the same run.

    python benchmarks/cost.py BASELINE_TREE [--rounds 5] [--count 12] [--out benchmarks/COST.md]

BASELINE_TREE is a checkout of the code to compare with (`git worktree add /tmp/base <commit>`).
Each round runs benchmarks/profile_submission.py once on this tree and once on the baseline
(interleaved, each first in turn, so the machine's load falls on both alike), with the physical
limit between them (the student's functions alone on the same inputs, benchmarks/physical.py):
the grader process's CPU seconds and the sandboxed workers' per submission, and their sum as a
multiple of that limit, in one warm session grading submissions/correct.py again and again, as a
`grader grade` process does. The medians, their ratio, and one profiled pass of each by stage are
written as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(tree: Path, count: int, profile: bool) -> dict:
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "figures.json"
        env = {**os.environ, "PYTHONPATH": str(tree)}
        command = [sys.executable, str(tree / "benchmarks" / "profile_submission.py"), "--count", str(count),
                   "--json", str(out)]
        if not profile:
            command.append("--no-profile")
        # the baseline's own profile_submission.py may predate --json: ours, run on its tree
        if not (tree / "benchmarks" / "profile_submission.py").read_text(encoding="utf-8").count("--json"):
            command[1] = str(ROOT / "benchmarks" / "profile_submission.py")
        subprocess.run(command, cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.loads(out.read_text(encoding="utf-8"))


def become_subreaper() -> None:
    """Adopt every orphan of the runs below (a zygote's workers outlive it as zombies, which
    init would reap and so their CPU would be lost): reaped here, their CPU is counted (Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def children_cpu() -> float:
    """CPU seconds of every descendant reaped so far, the adopted orphans reaped first."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def record_calls(submission: str, env: dict[str, str], recording: Path) -> None:
    """Every batch of calls a check sends the worker, saved for `physical_seconds` (benchmarks/stages.py)."""
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "stages.py"), str(recording.with_suffix(".json")),
                    "check", submission], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**env, "BENCH_RECORD": str(recording), "BENCH_SPAWNED_AT": str(time.time())}, check=False)


def physical_seconds(submission: str, env: dict[str, str], recording: Path) -> float:
    """Seconds the student's functions alone take on those calls (benchmarks/physical.py)."""
    import json

    out = recording.with_name("physical.json")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "physical.py"), str(recording), submission,
                    str(out)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return float(json.loads(out.read_text(encoding="utf-8"))["seconds"])


def _grade_class(tree: Path, folder: Path, jobs: int) -> tuple[float, float]:
    """(wall s, CPU s of the whole process tree) of `grader grade` on `folder` with this tree's code."""
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        cpu, wall = children_cpu(), time.monotonic()
        subprocess.run([sys.executable, "-m", "grader", "grade", str(folder), "-o", str(Path(work) / "out"),
                        "-j", str(jobs), "--no-similarity"], cwd=tree, env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.monotonic() - wall
        time.sleep(0.5)  # the last orphans end and are adopted
        return wall, children_cpu() - cpu


def _batch_rows(trees: dict[str, Path], sizes: list[int], jobs: list[int]) -> list[str]:
    """Throughput of the generated class (benchmarks/classgen.py) at each size and -j, both trees
    interleaved: submissions a minute and CPU seconds per submission (fixed costs included)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import classgen

    lines = ["", "Batch throughput (`grader grade CLASS -j J --no-similarity` on the generated class; "
             "CPU of the whole process tree, start-up and the class report included):", "",
             "| class | -j | before: per minute | before: CPU s each | after: per minute | after: CPU s each |",
             "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as work:
        for size in sizes:
            folder = Path(work) / f"class{size}"
            classgen.generate(size, folder)
            for j in jobs:
                got = {name: _grade_class(tree, folder, j) for name, tree in trees.items()}
                cells = [f"{60 * size / got[n][0]:.0f} | {got[n][1] / size:.2f}" for n in ("before", "after")]
                lines.append(f"| {size} | {j} | {cells[0]} | {cells[1]} |")
    return lines


def _on_paper(per_submission: float, students: int = 20_000) -> list[str]:
    """What a MOOC's class needs from the measured margin alone (fixed costs apart: each grader
    process's start, ~1 s, and the report), on machines of this one's 2 cores."""
    total = students * per_submission
    rows = [f"| {n} | {2 * n} | {total / (2 * n) / 60:.1f} min |" for n in (1, 2, 5, 10, 20)]
    return ["", f"On paper: {students:,} complete submissions at {per_submission:.2f} CPU s each are "
            f"{total / 3600:.1f} CPU hours; on N machines of 2 cores, all busy (`--cluster`, one "
            f"Dask worker a core; the cluster path measured more per submission on this shared "
            f"machine, benchmarks/CLUSTER.md):", "", "| machines | cores | wall time |", "|---|---|---|", *rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "COST.md")
    parser.add_argument("--classes", type=int, nargs="*", default=[100], help="class sizes for the batch table")
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()
    become_subreaper()
    trees = {"before": args.baseline.resolve(), "after": ROOT}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    started = time.monotonic()
    load = os.getloadavg()[0]
    physical: list[float] = []
    with tempfile.TemporaryDirectory() as work:
        recording = Path(work) / "calls.bin"
        submission = str(ROOT / "submissions" / "correct.py")
        record_calls(submission, dict(os.environ), recording)
        for round_number in range(args.rounds):
            order = list(trees.items())[::-1 if round_number % 2 else 1]  # each tree first in turn
            runs[order[0][0]].append(_run(order[0][1], args.count, profile=False))
            physical.append(physical_seconds(submission, dict(os.environ), recording))  # between them
            runs[order[1][0]].append(_run(order[1][1], args.count, profile=False))
    profiled = {name: _run(tree, args.count, profile=True) for name, tree in trees.items()}

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    rows = []
    for key, label in (("grader", "grader process"), ("workers", "sandboxed workers")):
        rows.append((label, median("before", key), median("after", key)))
    before_total = statistics.median(r["grader"] + r["workers"] for r in runs["before"])
    after_total = statistics.median(r["grader"] + r["workers"] for r in runs["after"])
    rows.append(("**total**", before_total, after_total))
    limit = statistics.median(physical)
    ratios = {name: statistics.median((r["grader"] + r["workers"]) / p
                                      for r, p in zip(runs[name], physical, strict=True)) for name in trees}
    lines = [
        "# A complete submission's cost, before and after",
        "",
        f"Produced by `python benchmarks/cost.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"{args.rounds} interleaved rounds of {args.count} gradings of `submissions/correct.py` in one warm "
        f"session each, after 2 warm-up gradings (benchmarks/profile_submission.py); medians of CPU seconds "
        f"per submission. Load average {load:.1f} before, {os.getloadavg()[0]:.1f} after; "
        f"{time.monotonic() - started:.0f} s in all.",
        "",
        "| CPU s per submission | before | after | after / before |",
        "|---|---|---|---|",
        *(f"| {label} | {b:.3f} | {a:.3f} | {a / b:.2f} |" for label, b, a in rows),
        f"| the student's functions alone (physical limit, benchmarks/physical.py) | {limit:.3f} | {limit:.3f} | |",
        f"| **total ÷ physical limit** (median of the rounds' ratios) | {ratios['before']:.1f}× | "
        f"{ratios['after']:.1f}× | {ratios['after'] / ratios['before']:.2f} |",
        "",
        "One profiled pass of each (pyinstrument, wall time of the grader process, by stage):",
        "",
        "| stage | before (s) | after (s) |",
        "|---|---|---|",
    ]
    stages = sorted(set(profiled["before"].get("stages", {})) | set(profiled["after"].get("stages", {})),
                    key=lambda s: -profiled["before"].get("stages", {}).get(s, 0.0))
    for stage in stages:
        lines.append(f"| {stage} | {profiled['before']['stages'].get(stage, 0.0):.3f} | "
                     f"{profiled['after']['stages'].get(stage, 0.0):.3f} |")
    lines += _on_paper(after_total)
    if args.classes:
        lines += _batch_rows(trees, args.classes, args.jobs)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
