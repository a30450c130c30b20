"""Throughput of `grader grade` on a generated class of complete submissions (not run in CI).

    python benchmarks/batch_throughput.py [--students 120] [--jobs 1 2]

Each student is submissions/correct.py with a comment naming them (so every content hash
differs). For each -j, `grader grade --force` runs in a subprocess while this script samples the
memory of its whole process tree (grader processes, zygotes, workers) every 50 ms. Prints the
wall time, submissions a minute, CPU seconds per submission (of the whole tree, orphans adopted
and counted as in benchmarks/cost.py) and the peak memory (sum of RSS over the tree, and the
largest single process).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from cost import become_subreaper, children_cpu  # noqa: E402  - the accounting cost.py uses


def tree_rss(pid: int) -> tuple[int, int]:
    """(sum, max) resident set size in bytes over `pid` and every descendant."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid, pages = int(fields[1]), int(fields[21])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, largest, todo = 0, 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        largest = max(largest, rss.get(current, 0))
        todo += children.get(current, [])
    return total, largest


def run(subs: Path, out: Path, jobs: int, env: dict[str, str]) -> dict[str, float]:
    before = children_cpu()
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(subs), "-o", str(out), "-j", str(jobs),
                             "--force"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak = [0, 0]

    def sample() -> None:
        while proc.poll() is None:
            total, largest = tree_rss(proc.pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.monotonic() - started
    sampler.join()
    time.sleep(0.5)  # the last orphans (a pool process's zygote and workers) end and are adopted
    cpu = children_cpu() - before
    if proc.returncode != 0:
        sys.exit(f"grader grade failed ({proc.returncode}):\n{stdout}\n{stderr}")
    graded = re.search(r"Graded (\d+) submission\(s\) in ([\d.]+) s", stdout)
    count, grading = int(graded.group(1)), float(graded.group(2))
    return {"jobs": jobs, "count": count, "wall": wall, "grading": grading, "rate": count / grading * 60,
            "cpu_per": cpu / count, "peak_mb": peak[0] / 2**20, "largest_mb": peak[1] / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=120)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    become_subreaper()
    correct = (ROOT / "submissions" / "correct.py").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        subs = Path(tmp) / "class"
        subs.mkdir()
        for i in range(args.students):
            (subs / f"s{i:04d}.py").write_text(f"# student s{i:04d}\n{correct}", encoding="utf-8")
        env = {**os.environ, "GRADER_CACHE_DIR": str(Path(tmp) / "cache")}
        warm = subprocess.run([sys.executable, "-m", "grader", "check", str(subs / "s0000.py")], cwd=ROOT,
                              env=env, capture_output=True, text=True)  # draws the plans once
        if warm.returncode not in (0, 1):
            sys.exit(warm.stdout + warm.stderr)
        print(f"{args.students} complete submissions (submissions/correct.py), {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f} before")
        print(f"{'-j':>3} {'wall s':>8} {'grading s':>10} {'per min':>8} {'CPU s/sub':>10} "
              f"{'peak MB (tree)':>15} {'largest MB':>11}")
        for jobs in args.jobs:
            r = run(subs, Path(tmp) / f"out-{jobs}", jobs, env)
            print(f"{r['jobs']:>3} {r['wall']:>8.1f} {r['grading']:>10.1f} {r['rate']:>8.0f} {r['cpu_per']:>10.2f} "
                  f"{r['peak_mb']:>15.0f} {r['largest_mb']:>11.0f}")
        print(f"load average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
