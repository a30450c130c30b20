"""A warm self-check, started afresh and served by a resident grader, interleaved in one run.

    python benchmarks/resident.py [--rounds 10] [--submission FILE ...] [--out benchmarks/RESIDENT.md]

"Warm" is the second check and later: the plans, the reference's stored answers and the bytecode
are in the caches. By default two submissions are measured, submissions/correct.py and the
benchmarks' PyTorch one (whose fresh check imports torch). Each round runs `grader check FILE`
once with GRADER_RESIDENT=0 (a new process: interpreter, imports, specs, reference, answers,
zygote) and once forwarded to the resident grader this script started (GRADER_RESIDENT=1), in
turn, so the machine's load falls on both alike. Measured: the wall time the student waits, and
the CPU seconds of every process involved (the `grader` process and what it starts; for a
forwarded check also the resident grader, its zygote and workers, read from /proc before and
after). Medians are written as a Markdown table, with the physical limit measured in every round
too: the student's functions alone on the same inputs (benchmarks/physical.py), which the
machine's speed of the moment changes alike. Linux only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# this folder: the same accounting as cost.py
from cost import become_subreaper, children_cpu, physical_seconds, record_calls

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


def _tree_cpu(root: int) -> float:
    """CPU seconds of `root` and every living descendant, with what each has reaped (/proc)."""
    parents: dict[int, int] = {}
    spent: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        spent[pid] = sum(int(v) for v in fields[11:15]) / TICK  # utime stime cutime cstime
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sum(spent.get(pid, 0.0) for pid in tree)


def _check(submission: str, env: dict[str, str]) -> tuple[float, float]:
    """(wall s, CPU s of the `grader` process and what it started and reaped)."""
    before = children_cpu()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", "check", submission], cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    return wall, children_cpu() - before


def _resident_pid(env: dict[str, str]) -> int:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        sys.path.insert(0, str(ROOT))
        from grader.resident import client

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            found = client.residents()
            if found and isinstance(found[0][1].get("pid"), int):
                return int(found[0][1]["pid"])
            time.sleep(0.2)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    raise SystemExit("no resident grader started")


def _measure(submission: str, rounds: int, work: Path) -> list[str]:
    """One submission's rounds, as the lines of its Markdown table."""
    runtime = work / "run"
    runtime.mkdir(mode=0o700)
    base = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "GRADER_CACHE_DIR": str(work / "cache"),
            "GRADER_RESIDENT_IDLE": "600"}
    base.pop("CI", None)
    fresh_env, resident_env = {**base, "GRADER_RESIDENT": "0"}, {**base, "GRADER_RESIDENT": "1"}
    _check(submission, fresh_env)   # fills the caches: plans, answers, bytecode
    _check(submission, fresh_env)
    _check(submission, resident_env)  # runs here, then starts the resident grader
    pid = _resident_pid(resident_env)
    _check(submission, resident_env)  # its first check: the session's first submission
    load_before = os.getloadavg()[0]
    recording = work / "calls.bin"
    record_calls(submission, fresh_env, recording)
    rows: dict[str, list[tuple[float, float]]] = {"fresh": [], "resident": []}
    physical_rounds = []
    for _ in range(rounds):
        rows["fresh"].append(_check(submission, fresh_env))
        served_before = _tree_cpu(pid)
        wall, client_cpu = _check(submission, resident_env)
        rows["resident"].append((wall, client_cpu + _tree_cpu(pid) - served_before))
        physical_rounds.append(physical_seconds(submission, fresh_env, recording))
    physical = statistics.median(physical_rounds)
    load_after = os.getloadavg()[0]
    subprocess.run([sys.executable, "-m", "grader", "resident", "stop"], cwd=ROOT, env=resident_env,
                   stdout=subprocess.DEVNULL, check=False)

    def median(kind: str, index: int) -> float:
        return statistics.median(row[index] for row in rows[kind])

    return [
        f"## `grader check {submission}`",
        "",
        f"{rounds} interleaved rounds, medians; load average {load_before:.1f} before, {load_after:.1f} after.",
        "",
        "| check | wall s | CPU s (every process) |",
        "|---|---|---|",
        f"| afresh (GRADER_RESIDENT=0) | {median('fresh', 0):.2f} | {median('fresh', 1):.2f} |",
        f"| served by the resident grader | {median('resident', 0):.2f} | {median('resident', 1):.2f} |",
        f"| served / afresh | {median('resident', 0) / median('fresh', 0):.2f} | "
        f"{median('resident', 1) / median('fresh', 1):.2f} |",
        "",
        f"The student's own functions on the same inputs, alone in a plain process (benchmarks/physical.py, "
        f"once a round): **{physical:.2f} s**, train_xor's training most of it. "
        f"A served check waits {median('resident', 0) / physical:.1f}× that; a fresh one "
        f"{median('fresh', 0) / physical:.1f}×.",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--submission", nargs="+", default=["submissions/correct.py",
                                                            "benchmarks/data/torch_submission.py"])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESIDENT.md")
    args = parser.parse_args()
    become_subreaper()
    lines = ["# A warm self-check: started afresh, and served by a resident grader", "",
             f"Produced by `python benchmarks/resident.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
             "(caches warm: the second check and later).", ""]
    for submission in args.submission:
        with tempfile.TemporaryDirectory() as work:
            lines += _measure(submission, args.rounds, Path(work))
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
