"""`grader grade --cluster` against the local pool on the same generated class (not run in CI).

    python benchmarks/cluster.py [--small 10] [--large 50] [--out benchmarks/CLUSTER.md]

The class is benchmarks/classgen.py's mix (complete submissions: right, partly wrong, a tenth
in PyTorch). Each configuration grades a class of `--small` and one of `--large` students
(`--force`, plans cached beforehand), so that what a run costs once (interpreter, session,
Dask's start, each worker's plugin set-up) cancels out of the *margin*: (large − small) / the
difference in students, in CPU seconds per submission and in submissions a minute.

Configurations: the local pool `-j 1` and `-j 2`; `--cluster` on a `dask scheduler` with one
and with two `dask worker --nworkers 1 --nthreads 1` processes started here (a fresh cluster
for every run, so that each process's CPU time is its own). This script adopts every orphan (a
subreaper, as benchmarks/cost.py), so the CPU of a process tree is all of it: a pool process's
zygote and workers included, which `os.wait4` on `grader grade` alone missed. The CPU of a
cluster run is split into the client (`grader grade`), the scheduler and the workers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from classgen import generate  # noqa: E402
from cost import become_subreaper, children_cpu  # noqa: E402  - the accounting cost.py uses

BIN = Path(sys.executable).parent


@dataclass
class Run:
    config: str
    students: int
    grading: float  # the run's own "Graded N in S s" (session and cluster set-up included)
    client: float  # CPU s of `grader grade` and everything it waited for
    scheduler: float = 0.0
    workers: float = 0.0

    @property
    def cpu(self) -> float:
        return self.client + self.scheduler + self.workers


def _cpu(pid: int) -> float:
    _, status, usage = os.wait4(pid, 0)
    return usage.ru_utime + usage.ru_stime


def _grade(klass: Path, out: Path, env: dict[str, str], *extra: str) -> tuple[float, float]:
    """(grading s, CPU s of `grader grade` and every process it started, orphans included)."""
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        before = children_cpu()
        proc = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(klass), "-o", str(out), "--force",
                                 *extra], cwd=ROOT, env=env, stdout=out_file, stderr=err_file)
        _cpu(proc.pid)
        proc.returncode = 0  # reaped above
        time.sleep(0.5)  # the last orphans (a pool process's zygote and workers) end and are adopted
        cpu = children_cpu() - before  # as a subreaper: what wait4 alone missed is counted too
        out_file.seek(0)
        err_file.seek(0)
        stdout, stderr = out_file.read().decode(), err_file.read().decode()
    graded = re.search(r"Graded (\d+) submission\(s\) in ([\d.]+) s", stdout)
    if graded is None:
        sys.exit(f"grader grade failed:\n{stdout}\n{stderr}")
    return float(graded.group(2)), cpu


def _popen(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as handle:
        return subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def cluster_run(klass: Path, out: Path, env: dict[str, str], workers: int, tmp: Path) -> Run:
    import distributed

    file = tmp / f"scheduler-{time.monotonic_ns()}.json"
    scheduler = _popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                        "--scheduler-file", str(file)], env, tmp / "dask.log")
    while not file.exists():
        time.sleep(0.1)
    address = json.loads(file.read_text())["address"]
    started = [_popen([str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                       "--host", "127.0.0.1"], env, tmp / "dask.log") for _ in range(workers)]
    with distributed.Client(address, timeout=30) as client:
        client.wait_for_workers(workers, timeout=120)
    grading, client_cpu = _grade(klass, out, env, "--cluster", address)
    before = children_cpu()
    for process in started:  # SIGTERM: each worker closes and waits for what it started
        os.killpg(process.pid, signal.SIGTERM)
        _cpu(process.pid)
    os.killpg(scheduler.pid, signal.SIGTERM)
    scheduler_cpu = _cpu(scheduler.pid)
    time.sleep(0.5)  # orphans of the workers end and are adopted
    worker_cpu = children_cpu() - before - scheduler_cpu  # the workers, their zygotes and orphans
    return Run(f"--cluster, {workers} worker(s)", _count(klass), grading, client_cpu, scheduler_cpu, worker_cpu)


def _count(klass: Path) -> int:
    return sum(1 for _ in klass.iterdir())


def local_run(klass: Path, out: Path, env: dict[str, str], jobs: int) -> Run:
    grading, cpu = _grade(klass, out, env, "-j", str(jobs))
    return Run(f"local -j {jobs}", _count(klass), grading, cpu)


def margin(small: Run, large: Run) -> dict[str, float]:
    students = large.students - small.students
    return {"cpu": (large.cpu - small.cpu) / students, "client": (large.client - small.client) / students,
            "scheduler": (large.scheduler - small.scheduler) / students,
            "workers": (large.workers - small.workers) / students,
            "rate": students / max(1e-9, large.grading - small.grading) * 60,
            "fixed": small.cpu - small.students * (large.cpu - small.cpu) / students}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=50)
    parser.add_argument("--out", type=Path, default=None, help="also write the tables (Markdown) here")
    args = parser.parse_args()
    become_subreaper()
    with tempfile.TemporaryDirectory(prefix="grader-cluster-bench-") as name:
        tmp = Path(name)
        classes = {}
        for size in (args.small, args.large):
            classes[size] = tmp / f"class-{size}"
            generate(size, classes[size])
        env = {**os.environ, "GRADER_CACHE_DIR": str(tmp / "cache"), "PYTHONWARNINGS": "ignore"}
        _grade(classes[args.small], tmp / "warm", env, "-j", "2")  # plans and answers cached once
        load_before = os.getloadavg()[0]
        runs: dict[str, dict[int, Run]] = {}
        configurations = (("local -j 1", lambda k, o: local_run(k, o, env, 1)),
                          ("local -j 2", lambda k, o: local_run(k, o, env, 2)),
                          ("--cluster, 1 worker(s)", lambda k, o: cluster_run(k, o, env, 1, tmp)),
                          ("--cluster, 2 worker(s)", lambda k, o: cluster_run(k, o, env, 2, tmp)))
        for label, make in configurations:  # a configuration's two runs back to back: its margin
            for size in (args.small, args.large):  # is measured under one load (the machine is shared)
                run = make(classes[size], tmp / f"out-{len(runs)}-{size}-{label.split()[-2]}")
                runs.setdefault(label, {})[size] = run
                print(f"{label:<24} {size:>4} students: grading {run.grading:6.1f} s, CPU {run.cpu:6.1f} s "
                      f"(client {run.client:.1f}, scheduler {run.scheduler:.1f}, workers {run.workers:.1f})",
                      flush=True)
        load_after = os.getloadavg()[0]
    lines = [f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}; "
             f"load average {load_before:.2f} before, {load_after:.2f} after (the machine is shared).",
             f"Classes: benchmarks/classgen.py, {args.small} and {args.large} students; margin = "
             f"({args.large} − {args.small}) students.", "",
             "| configuration | CPU s / submission (margin) | of which client | scheduler | workers "
             "| per minute (margin) | fixed CPU s per run | grading s, " f"{args.small} / {args.large} |",
             "|---|---|---|---|---|---|---|---|"]
    for label, by_size in runs.items():
        m = margin(by_size[args.small], by_size[args.large])
        lines.append(f"| {label} | **{m['cpu']:.2f}** | {m['client']:.2f} | {m['scheduler']:.2f} | "
                     f"{m['workers']:.2f} | **{m['rate']:.0f}** | {m['fixed']:.1f} | "
                     f"{by_size[args.small].grading:.1f} / {by_size[args.large].grading:.1f} |")
    table = "\n".join(lines)
    print(table)
    if args.out is not None:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
