"""The grader against the way courses grade today, measured side by side (issue 8).

    python benchmarks/run.py            # the whole suite (< 15 min on the project's 2-core machine)
    python benchmarks/run.py --quick    # a smaller version for development (~3 min)

Prints one table of ratios and writes benchmarks/RESULTS.md with the machine it ran on. Absolute
times drift on a shared machine, so every figure is taken against something measured in the
same run, interleaved with it, as a median:

1. the baseline (benchmarks/baseline/: one pytest process of Hypothesis tests per submission,
   as GitHub Classroom's Python grader runs) against `grader check` on a complete submission;
2. the latency of a local self-check (`grader check`, complete and single exercise, NumPy and
   torch submissions), warm (plans cached) and cold (empty cache), stage by stage
   (benchmarks/stages.py), against the floor of starting Python with NumPy;
3. batch throughput (`grader grade -j 1|2`) on generated classes (benchmarks/classgen.py) of
   10, 100 and 1000 complete submissions, peak memory, and the cost against the number of
   Hypothesis examples per check (scaled copies of the exercise set);
4. the physical limit: the student's own functions on the very inputs the grader sent
   (benchmarks/physical.py), against the grader's total; train_xor's training apart.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
CORRECT = ROOT / "submissions" / "correct.py"
TORCH_SUBMISSION = BENCH / "data" / "torch_submission.py"
SINGLE = "sigmoid"  # the single-exercise self-check: five checks, properties and stability included
CHAPTER3 = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu",
            "leaky_relu_grad", "softmax", "maxout"]
TARGETS = {"vs_baseline": 20.0, "complete": 3.0, "single": 1.5, "per_minute": 100.0}
STAGES = ["startup", "imports", "spec", "reference", "planning", "oracle", "answers", "worker",
          "running", "judging", "reporting", "shutdown", "exit"]
STAGE_NAMES = {
    "startup": "interpreter start-up", "imports": "imports (click, NumPy, YAML, grader)",
    "spec": "spec loading (YAML → schema)", "reference": "reference, mistakes, drivers import",
    "planning": "planning (plans from cache / drawn)", "oracle": "torch.optim oracle paths",
    "answers": "reference's stored answers (read; written after computing new ones)",
    "worker": "worker fork + submission import", "running": "running (round trips to the worker)",
    "judging": "judging (reference values, comparisons, properties, gradients)",
    "reporting": "reporting", "shutdown": "shutdown (zygote)", "exit": "interpreter exit",
    "other": "other (CLI glue: reading the submission, starting the zygote, click)",
}


def grader_command() -> list[str]:
    script = Path(sys.executable).with_name("grader")
    return [str(script)] if script.exists() else [sys.executable, "-m", "grader"]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


class Bench:
    def __init__(self, quick: bool, workdir: Path) -> None:
        self.quick = quick
        self.work = workdir
        self.started = time.monotonic()
        self.warm_cache = workdir / "cache-warm"
        self.results: dict = {"sections": {}}
        self.log_lines: list[str] = []

    # ------------------------------------------------------------------------- helpers

    def log(self, message: str) -> None:
        line = f"[{time.monotonic() - self.started:6.0f} s] {message}"
        print(line, file=sys.stderr, flush=True)

    def env(self, cache: Path | None = None, **extra: str) -> dict[str, str]:
        env = {**os.environ, "GRADER_CACHE_DIR": str(cache or self.warm_cache), "GRADER_LANG": "en",
               "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("GRADER_EXERCISES", None)
        env.update(extra)
        return env

    def timed(self, cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0, 1),
              stdout=subprocess.DEVNULL) -> float:
        started = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - started
        if proc.returncode not in ok:
            raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{proc.stderr[-3000:]}")
        return wall

    def staged(self, args: list[str], env: dict[str, str], record: Path | None = None) -> dict:
        """One run of `grader ARGS` through stages.py: wall time and what each stage took."""
        out = self.work / f"stages-{time.monotonic_ns()}.json"
        env = dict(env)
        if record is not None:
            env["BENCH_RECORD"] = str(record)
        env["BENCH_SPAWNED_AT"] = repr(time.time())
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, str(BENCH / "stages.py"), str(out), *args], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - started
        ended = time.time()
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"stages.py {' '.join(args)} exited with {proc.returncode}:\n{proc.stderr[-3000:]}")
        data = json.loads(out.read_text(encoding="utf-8"))
        data["stages"]["exit"] = max(0.0, ended - data["ended_at"])
        stages = {k: data["stages"].get(k, 0.0) for k in STAGES}
        stages["other"] = max(0.0, wall - sum(stages.values()))
        return {"wall": wall, "stages": stages, "student": data["stages"].get("student", 0.0),
                "train_xor": data["student_by_function"].get("train_xor", 0.0),
                "by_function": data["student_by_function"]}

    def floor(self) -> float:
        """Starting Python and importing NumPy: below this no Python grader can go."""
        return self.timed([sys.executable, "-c", "import numpy"], self.env(), ok=(0,))

    # ------------------------------------------------------------------------- 1. baseline

    def section_baseline(self) -> None:
        reps = 1 if self.quick else 3
        subset = CHAPTER3 if self.quick else []
        self.log(f"1. baseline vs grader, {reps} interleaved run(s)"
                 + (" on chapter 3 only (--quick)" if subset else ""))
        base_env = self.env(BASELINE_SUBMISSION=str(CORRECT), BASELINE_EXERCISES=",".join(subset))
        baseline_cmd = [sys.executable, "-m", "pytest", str(BENCH / "baseline"), "-q", "-p", "no:cacheprovider",
                        "-o", "addopts=", "-x"]
        check_cmd = grader_command() + ["check", str(CORRECT)] + [a for e in subset for a in ("-e", e)]
        self.timed(check_cmd, self.env())  # plans drawn (cold cost measured in section 2)
        baseline, grader = [], []
        for i in range(reps):
            baseline.append(self.timed(baseline_cmd, base_env, ok=(0,)))
            grader.append(self.timed(check_cmd, self.env()))
            self.log(f"   run {i + 1}: baseline {baseline[-1]:.1f} s, grader {grader[-1]:.2f} s")
        self.results["sections"]["baseline"] = {
            "baseline": baseline, "grader": grader, "subset": subset,
            "ratio": median(baseline) / median(grader)}

    # ------------------------------------------------------------------------- 2. latency

    def latency_case(self, name: str, submission: Path, exercises: list[str], warm_reps: int,
                     cold_reps: int, record: Path | None = None, draw_reps: int = 0) -> dict:
        args = ["check", str(submission)] + [a for e in exercises for a in ("-e", e)]
        cold, drawn = [], []
        for i in range(cold_reps):  # a fresh machine: empty cache, the plans pinned in the set
            cache = self.work / f"cache-cold-{name}-{i}"
            cold.append(self.staged(args, self.env(cache)))
            shutil.rmtree(cache, ignore_errors=True)
        for i in range(draw_reps):  # a set without pinned plans (an instructor's own, a new spec)
            cache = self.work / f"cache-draw-{name}-{i}"
            drawn.append(self.staged(args, self.env(cache, GRADER_EXERCISES=str(self.unpinned))))
            shutil.rmtree(cache, ignore_errors=True)
        self.staged(args, self.env())  # warm the shared cache for this case
        console, staged, floors = [], [], []
        for i in range(warm_reps):
            floors.append(self.floor())
            console.append(self.timed(grader_command() + args, self.env()))
            staged.append(self.staged(args, self.env(), record if i == 0 else None))
        result = {
            "console": console, "floor": floors, "cold": [c["wall"] for c in cold],
            "warm_stages": {k: median([s["stages"][k] for s in staged]) for k in STAGES + ["other"]},
            "cold_stages": {k: median([c["stages"][k] for c in cold]) for k in STAGES + ["other"]} if cold else {},
            "draw": [d["wall"] for d in drawn],
            "draw_stages": {k: median([d["stages"][k] for d in drawn]) for k in STAGES + ["other"]} if drawn else {},
            "draw_train_xor": median([d["train_xor"] for d in drawn]) if drawn else 0.0,
            "staged_wall": median([s["wall"] for s in staged]),
            "student": median([s["student"] for s in staged]),
            "train_xor": median([s["train_xor"] for s in staged]),
            "cold_train_xor": median([c["train_xor"] for c in cold]) if cold else 0.0,
        }
        result["warm"] = median(console)
        result["warm_without_training"] = result["warm"] - result["train_xor"]
        result["cold_median"] = median(result["cold"])
        result["cold_without_training"] = result["cold_median"] - result["cold_train_xor"]
        result["floor_median"] = median(floors)
        result["draw_median"] = median(result["draw"])
        result["draw_without_training"] = result["draw_median"] - result["draw_train_xor"]
        self.log(f"   {name}: warm {result['warm']:.2f} s (training {result['train_xor']:.2f} s), "
                 f"cold {result['cold_median']:.2f} s, drawing {result['draw_median']:.2f} s, "
                 f"floor {result['floor_median']:.2f} s")
        return result

    def section_latency(self) -> None:
        warm = 2 if self.quick else 3
        self.log(f"2. self-check latency, {warm} warm run(s) each")
        record = self.work / "calls.bin"
        self.unpinned = unpinned_course(self.work / "course-unpinned")
        cases = {
            "numpy_complete": self.latency_case("numpy_complete", CORRECT, [], warm, 1 if self.quick else 2, record,
                                                draw_reps=1),
            "numpy_single": self.latency_case("numpy_single", CORRECT, [SINGLE], warm, 1 if self.quick else 3,
                                              draw_reps=1),
            "torch_complete": self.latency_case("torch_complete", TORCH_SUBMISSION, [], 2 if self.quick else 3,
                                                1 if self.quick else 2),
            "torch_single": self.latency_case("torch_single", TORCH_SUBMISSION, [SINGLE], 2 if self.quick else 3,
                                              1 if self.quick else 2),
        }
        self.results["sections"]["latency"] = cases
        self.record = record

    # ------------------------------------------------------------------------- 4. physical limit

    def section_physical(self) -> None:
        self.log("4. physical limit: the student's functions on the grader's inputs")
        runs = []
        for _ in range(1 if self.quick else 3):
            out = self.work / f"physical-{time.monotonic_ns()}.json"
            self.timed([sys.executable, str(BENCH / "physical.py"), str(self.record), str(CORRECT), str(out)],
                       self.env(), ok=(0,))
            runs.append(json.loads(out.read_text(encoding="utf-8")))
        latency = self.results["sections"]["latency"]["numpy_complete"]
        physical = {
            "calls": runs[0]["calls"], "batches": runs[0]["batches"],
            "functions": median([r["without_train_xor"] for r in runs]),
            "train_xor": median([r["train_xor"] for r in runs]),
            "import_submission": median([r["import_submission"] for r in runs]),
            "grader_total": latency["warm"], "grader_student": latency["student"],
            "grader_train_xor": latency["train_xor"], "stages": latency["warm_stages"],
        }
        physical["ratio"] = (physical["grader_total"] - physical["grader_train_xor"]) / physical["functions"]
        self.results["sections"]["physical"] = physical
        self.log(f"   functions {physical['functions'] * 1000:.0f} ms (+ train_xor {physical['train_xor']:.2f} s) "
                 f"in {physical['calls']} calls; grader {physical['grader_total']:.2f} s")

    # ------------------------------------------------------------------------- 3. batch

    def grade_class(self, class_dir: Path, jobs: int, env: dict[str, str]) -> dict:
        out = self.work / f"graded-{time.monotonic_ns()}"
        cmd = grader_command() + ["grade", str(class_dir), "-o", str(out), "-j", str(jobs)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = {"pss": 0, "sum": 0, "largest": 0}

        def sample() -> None:
            while proc.poll() is None:
                pss, total, largest = tree_memory(proc.pid)
                peak["pss"] = max(peak["pss"], pss)
                peak["sum"], peak["largest"] = max(peak["sum"], total), max(peak["largest"], largest)
                time.sleep(0.25)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - started
        sampler.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if proc.returncode != 0:
            raise RuntimeError(f"grader grade exited with {proc.returncode}:\n{stdout[-2000:]}\n{stderr[-2000:]}")
        found = re.search(r"Graded (\d+) submission\(s\) in ([\d.]+) s", stdout)
        count = int(found.group(1)) if found else 0
        grading = float(found.group(2)) if found else wall
        shutil.rmtree(out, ignore_errors=True)
        return {"jobs": jobs, "count": count, "wall": wall, "grading": grading,
                "per_minute": count / wall * 60, "peak_mb": peak["pss"] / 2**20,
                "rss_mb": peak["sum"] / 2**20, "largest_mb": peak["largest"] / 2**20,
                "cpu": cpu, "cpu_per": cpu / count if count else float("nan")}

    def section_batch(self) -> None:
        sys.path.insert(0, str(BENCH))
        from classgen import generate

        sizes = [(10, [1, 2]), (100, [1, 2])] if not self.quick else [(10, [1, 2])]
        if not self.quick:
            sizes.append((1000, [2]))  # -j 2 only: at -j 1 it alone would take the 15 minutes
        self.log("3. batch throughput: " + ", ".join(f"{n} × -j {'/'.join(map(str, j))}" for n, j in sizes))
        runs = []
        for size, jobs_list in sizes:
            if size == 1000:
                self.section_examples(generate)
            class_dir = self.work / f"class-{size}"
            kinds = generate(size, class_dir)
            for jobs in jobs_list:
                run = self.grade_class(class_dir, jobs, self.env())
                run.update(size=size, kinds=kinds, load=os.getloadavg()[0])
                runs.append(run)
                self.log(f"   {size} submissions -j {jobs}: {run['wall']:.1f} s, {run['per_minute']:.0f}/min, "
                         f"peak {run['peak_mb']:.0f} MB")
        self.results["sections"]["batch"] = runs
        if self.quick:
            self.section_examples(generate)

    def section_examples(self, generate) -> None:
        """The complete self-check on copies of the exercise set with every `examples:` scaled:
        one process per check, CPU of its whole tree (grader, zygote, worker), interleaved."""
        scales = [0.5, 1.0, 2.0] if not self.quick else [0.5, 1.0]
        reps = 3 if not self.quick else 1
        self.log(f"3b. cost against the examples per check: ×{', ×'.join(map(str, scales))}, "
                 f"grader check of the complete submission, {reps} interleaved run(s)")
        envs, runs = {}, {}
        for scale in scales:
            session = scaled_course(scale, self.work / f"course-x{scale}")
            envs[scale] = self.env(GRADER_EXERCISES=str(session))
            draw = self.timed(grader_command() + ["check", str(CORRECT)], envs[scale])  # draws its plans
            runs[scale] = {"scale": scale, "draw_check": draw, "cases": count_cases(session), "wall": [], "cpu": []}
        for _ in range(reps):
            for scale in scales:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                runs[scale]["wall"].append(self.timed(grader_command() + ["check", str(CORRECT)], envs[scale]))
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                runs[scale]["cpu"].append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        result = []
        for scale in scales:
            run = runs[scale]
            run["wall_median"], run["cpu_median"] = median(run["wall"]), median(run["cpu"])
            result.append(run)
            self.log(f"   ×{scale}: {run['cases']} drawn inputs, check {run['wall_median']:.2f} s, "
                     f"CPU {run['cpu_median']:.2f} s (first check, drawing the plans: {run['draw_check']:.1f} s)")
        self.results["sections"]["examples"] = result

    # ------------------------------------------------------------------------- all

    def run(self) -> None:
        self.results["machine"] = machine()
        self.results["quick"] = self.quick
        self.results["load_before"] = os.getloadavg()
        self.section_baseline()
        self.section_latency()
        self.section_physical()
        self.section_batch()
        self.results["load_after"] = os.getloadavg()
        self.results["seconds"] = time.monotonic() - self.started


def _pss(pid: int) -> int:
    """Proportional set size in bytes: shared pages (forked workers, the zygote's NumPy and torch)
    counted once over all the processes that share them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_memory(pid: int) -> tuple[int, int, int]:
    """(sum of PSS, sum of RSS, largest RSS) in bytes over `pid` and its descendants (Linux)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * page
    pss, total, largest, todo = 0, 0, 0, [pid]
    while todo:
        current = todo.pop()
        pss += _pss(current)
        total += rss.get(current, 0)
        largest = max(largest, rss.get(current, 0))
        todo += children.get(current, [])
    return pss, total, largest


def scaled_course(scale: float, dest: Path) -> Path:
    """A copy of the shipped exercise set with every drawn `examples` count times `scale`."""
    import yaml

    from grader.spec.loader import _Loader

    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "exercises", dest, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "reference", dest / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    for path in dest.glob("*.yaml"):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        for ex in data["exercises"]:
            examples = ex.get("examples", 100)
            if examples > 1:
                ex["examples"] = max(2, round(examples * scale))
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def unpinned_course(dest: Path) -> Path:
    """A copy of the shipped exercise set without its pinned plans: the first check draws them."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "exercises", dest, ignore=shutil.ignore_patterns("__pycache__", "plans"))
    shutil.copytree(ROOT / "reference", dest / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def count_cases(session: Path) -> int:
    import yaml

    from grader.spec.loader import _Loader

    total = 0
    for path in session.glob("*.yaml"):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        total += sum(ex.get("examples", 100) for ex in data["exercises"])
    return total


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine() -> dict:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 2**20:.1f} GiB"
    except (OSError, AttributeError):
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "grader"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return {"cpu": cpu, "cores": cores, "memory": memory, "os": platform.platform(),
            "python": platform.python_version(), "numpy": _version("numpy"),
            "hypothesis": _version("hypothesis"), "torch": _version("torch"), "pytest": _version("pytest"),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit + (" (grader/ modified)" if dirty else "")}


# ----------------------------------------------------------------------------- the report


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def summary_rows(r: dict) -> list[tuple[str, str, str, str, str]]:
    """(measure, grader, against, ratio, target) rows of the one table."""
    s = r["sections"]
    rows = []
    b = s["baseline"]
    what = "chapter 3" if b["subset"] else "complete submission"
    rows.append((f"1. {what}: baseline pytest vs `grader check` (warm)", _s(median(b["grader"])),
                 f"baseline {_s(median(b['baseline']))}", f"**{b['ratio']:.0f}×** faster",
                 f"≥ 20× — {_met(b['ratio'] >= TARGETS['vs_baseline'])}"))
    lat = s["latency"]
    for key, label, target in (("numpy_complete", "complete self-check", "complete"),
                               ("numpy_single", f"single exercise (`-e {SINGLE}`)", "single"),
                               ("torch_complete", "complete self-check, torch submission", None),
                               ("torch_single", "single exercise, torch submission", None)):
        c = lat[key]
        warm = c["warm_without_training"]
        goal = (f"< {TARGETS[target]:g} s warm — {_met(warm < TARGETS[target])}" if target else "(no target)")
        training = f" − training {_s(c['train_xor'])}" if c["train_xor"] > 0.01 else ""
        cold = f"; first run {_s(c['cold_without_training'])}" if c["cold"] else ""
        cold += f"; drawing the plans {_s(c['draw_without_training'])}" if c["draw"] else ""
        rows.append((f"2. {label}", f"warm {_s(c['warm'])}{training} = **{_s(warm)}**{cold}",
                     f"Python + NumPy start {_s(c['floor_median'])}",
                     f"{warm / c['floor_median']:.1f}× the floor", goal))
    for run in s["batch"]:
        per_sub_baseline = median(b["baseline"]) if not b["subset"] else float("nan")
        class_baseline = per_sub_baseline * run["size"]
        ratio = f"{class_baseline / run['wall']:.0f}× faster" if class_baseline == class_baseline else "—"
        goal = "(≥ 100/min with -j 2)"
        if run["jobs"] == 2 and run["size"] >= 100:
            goal = f"≥ 100/min — {_met(run['per_minute'] >= TARGETS['per_minute'])}"
        rows.append((f"3. class of {run['size']}, -j {run['jobs']}",
                     f"**{run['per_minute']:.0f}/min** ({_s(run['wall'])}, {run['cpu_per']:.2f} CPU s each, "
                     f"peak {run['peak_mb']:.0f} MB)",
                     f"baseline ≥ {_s(class_baseline)}" if class_baseline == class_baseline else "—",
                     ratio, goal))
    ex = s.get("examples") or []
    if ex:
        one = next((e for e in ex if e["scale"] == 1.0), ex[0])
        rows.append(("3. examples per check ×" + "/×".join(f"{e['scale']:g}" for e in ex),
                     " / ".join(f"{e['cpu_median']:.2f}" for e in ex) + " CPU s per complete check",
                     f"×1: {one['cpu_median']:.2f} s",
                     " / ".join(f"{e['cpu_median'] / one['cpu_median']:.2f}" for e in ex) + " × the cost", ""))
    p = s["physical"]
    rows.append(("4. physical limit: the student's functions alone", _s(p["grader_total"] - p["grader_train_xor"]),
                 f"functions {p['functions'] * 1000:.0f} ms in {p['calls']} calls",
                 f"{p['ratio']:.0f}× the physical limit", f"(train_xor's own {_s(p['train_xor'])} apart)"))
    return rows


def table_markdown(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def table_text(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    plain = [tuple(cell.replace("**", "").replace("`", "") for cell in row) for row in [header, *rows]]
    widths = [max(len(row[i]) for row in plain) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in plain]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


HEADER = ("measure", "grader", "against (same run)", "ratio", "target")


def stage_table(lat: dict) -> str:
    cols = [("numpy_complete", "warm"), ("numpy_complete", "cold"), ("numpy_complete", "draw"),
            ("numpy_single", "warm"), ("numpy_single", "cold"), ("numpy_single", "draw"),
            ("torch_complete", "warm"), ("torch_complete", "cold"), ("torch_single", "warm")]
    cols = [(k, w) for k, w in cols if lat[k][f"{w}_stages"]]
    header = ("stage",) + tuple(f"{k.replace('_', ' ')} ({w})" for k, w in cols)
    rows = []
    for stage in STAGES + ["other"]:
        rows.append((STAGE_NAMES[stage],) + tuple(f"{lat[k][f'{w}_stages'][stage] * 1000:.0f} ms" for k, w in cols))
    rows.append(("of which the student's own time (in `running`)",)
                + tuple(f"{lat[k]['student'] * 1000:.0f} ms" if w == "warm" else "" for k, w in cols))
    rows.append(("**total (wall, through stages.py)**",)
                + tuple(f"**{(lat[k]['staged_wall'] if w == 'warm' else median(lat[k][w])) * 1000:.0f} ms**"
                        for k, w in cols))
    return table_markdown(rows, header)


def one_cpu(s: dict) -> float:
    ex = s.get("examples") or []
    one = next((e for e in ex if e["scale"] == 1.0), ex[0] if ex else None)
    return one["cpu_median"] if one else float("nan")


def growth_text(batch: list[dict]) -> str:
    """How wall and CPU per submission change with the class size (-j 2)."""
    runs = sorted((b for b in batch if b["jobs"] == 2 and b["count"]), key=lambda b: b["count"])
    if len(runs) < 2:
        return ""
    big, bigger = runs[-2], runs[-1]
    marginal_cpu = (bigger["cpu"] - big["cpu"]) / (bigger["count"] - big["count"])
    marginal_wall = (bigger["wall"] - big["wall"]) / (bigger["count"] - big["count"])
    sizes = "; ".join(f"{b['count']}: {b['wall'] / b['count']:.2f} s wall and {b['cpu_per']:.2f} CPU s "
                      f"per submission" for b in runs)
    return (f"How the cost grows with the class (-j 2) — {sizes}. A run has a fixed part (start-up, each "
            "grader process loading the course and its zygote importing torch for the first torch "
            "student, the class report), which dominates a class of 10; past it the cost is linear in "
            f"the class size: from {big['count']} to {bigger['count']} submissions each further one cost "
            f"{marginal_wall:.2f} s of wall time and {marginal_cpu:.2f} CPU s "
            f"({60 / marginal_wall:.0f} a minute). CPU time also rises when other users' processes share "
            "the cores and caches (see \"load after\").")


def write_results(r: dict, path: Path) -> str:
    m = r["machine"]
    s = r["sections"]
    rows = summary_rows(r)
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `python benchmarks/run.py{' --quick' if r['quick'] else ''}` on {m['date']} "
        f"(commit {m['commit']}), in {r['seconds'] / 60:.1f} min. "
        "Every figure is a median of runs interleaved with what it is compared to.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory']}; {m['os']}",
        f"- Python {m['python']}, NumPy {m['numpy']}, Hypothesis {m['hypothesis']}, torch {m['torch']}, "
        f"pytest {m['pytest']}",
        f"- load average (1 min) {r['load_before'][0]:.2f} before, {r['load_after'][0]:.2f} after: "
        "other engineers were using the machine, which is why everything is a ratio.",
        "",
        "## Summary",
        "",
        table_markdown(rows, HEADER),
        "",
        "## 1. Baseline against the grader",
        "",
        f"Baseline: `pytest benchmarks/baseline` on `submissions/correct.py`, one process, "
        f"{len(s['baseline']['baseline'])} run(s): " + ", ".join(_s(x) for x in s["baseline"]["baseline"])
        + ". Grader: `grader check` (plans cached): " + ", ".join(_s(x) for x in s["baseline"]["grader"]) + ".",
        "",
        "## 2. Self-check latency by stage (medians)",
        "",
        stage_table(s["latency"]),
        "",
        "warm: the plan cache filled by an earlier run. cold: the first run on a fresh machine (an "
        "empty cache; the exercise set ships its plans and torch.optim's paths pinned). draw: the "
        "same set without its pinned plans and an empty cache, as an instructor's own set or a "
        "changed spec is checked the first time: Hypothesis draws every plan and the grader imports "
        "torch to compute torch.optim's paths. The student's training time (train_xor) is included "
        "in these totals and subtracted in the summary.",
        "",
        "## 3. Batch throughput",
        "",
        table_markdown([(str(b["size"]), str(b["jobs"]), _s(b["wall"]), f"**{b['per_minute']:.0f}**",
                         f"{b['cpu_per']:.2f} s", f"{b['peak_mb']:.0f} MB", f"{b['rss_mb']:.0f} MB",
                         f"{b['largest_mb']:.0f} MB", f"{b['load']:.1f}",
                         ", ".join(f"{k} {v}" for k, v in b["kinds"].items()))
                        for b in s["batch"]],
                       ("class", "-j", "wall", "per minute", "CPU s / submission", "peak memory (PSS)",
                        "(sum of RSS)", "largest process (RSS)", "load after", "mix")),
        "",
        "Wall time of the whole `grader grade` command: start-up, plans from the cache, every grader "
        "process's start (each loads the course; a zygote imports torch for the first torch student), "
        "feedback files, the gradebook and the class report (matplotlib) included. CPU: user + system "
        "time of the whole process tree (grader processes, zygotes, workers; a timeout's endless loop "
        "burns its 10 s too). Memory: the tree's peak, proportional set size (shared pages counted "
        "once); the sum of RSS counts the forked workers' shared pages again and again.",
        "",
        growth_text(s["batch"]),
        "",
        "Cost against the number of Hypothesis examples per check: `grader check` of the complete "
        "submission on copies of the exercise set with every `examples:` times the factor (the "
        "first check of each copy draws its plans; then interleaved runs, medians):",
        "",
        table_markdown([(f"×{e['scale']:g}", str(e["cases"]), _s(e["draw_check"]), _s(e["wall_median"]),
                         f"{e['cpu_median']:.2f} s", f"{e['cpu_median'] / one_cpu(s):.2f}")
                        for e in s.get("examples", [])],
                       ("examples per check", "drawn inputs in the set", "first check (draws the plans)",
                        "complete check (warm)", "its CPU (grader + zygote + worker)", "CPU against ×1"))
        if s.get("examples") else "",
        "",
        "Only the drawn inputs scale: edge cases, the trajectories' starts (at most 15–20), the "
        "gradient checks' 40 smooth inputs and the behaviour checks do not, and a check has fixed "
        "costs of its own (start-up, the worker, one request per exercise), so the cost grows much "
        "more slowly than the number of examples.",
        "",
        "## 4. Overhead over the physical limit",
        "",
        f"The student's functions (`submissions/correct.py`), called in one plain process on the "
        f"{s['physical']['calls']} inputs the grader sent in {s['physical']['batches']} batches: "
        f"**{s['physical']['functions'] * 1000:.0f} ms**, and train_xor's training "
        f"{_s(s['physical']['train_xor'])} (importing the submission: "
        f"{s['physical']['import_submission'] * 1000:.0f} ms). The grader's warm self-check: "
        f"{_s(s['physical']['grader_total'])} of which the worker measured "
        f"{s['physical']['grader_student'] * 1000:.0f} ms inside the student's functions "
        f"(train_xor {_s(s['physical']['grader_train_xor'])}). Where the rest goes: the stage table above "
        "(column numpy complete, warm).",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return table_text(rows, HEADER)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller, for development (~3 min)")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    bench = Bench(options.quick, work)
    try:
        bench.run()
        raw = json.dumps(bench.results, indent=1, default=str)
        (work / "results.json").write_text(raw, encoding="utf-8")
        options.out.with_suffix(".json").write_text(raw, encoding="utf-8")  # the numbers behind it
        table = write_results(bench.results, options.out)
        print(table)
        print(f"\nWritten to {options.out} in {bench.results['seconds'] / 60:.1f} min.")
    finally:
        if options.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
