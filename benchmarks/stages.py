"""`grader ...` with a stopwatch on each stage: run as a script, it behaves like the console script.

    BENCH_SPAWNED_AT=<time.time() of the parent> python benchmarks/stages.py OUT.json check SUB [-e ID]

It imports the grader the way the console script does, wraps a few stage entry points with
time.perf_counter (the grader itself is not changed, and nothing is timed when it runs alone),
runs the command and writes what each stage took to OUT.json:

- ``startup``   interpreter start-up, until this file's first line (needs BENCH_SPAWNED_AT)
- ``imports``   `import grader.cli` (click, NumPy, YAML, the grader's modules)
- ``spec``      YAML → schema (`load_exercise_set`)
- ``reference`` importing the reference, mistakes and drivers (grader.trusted: the session loading its trusted code)
- ``planning``  the plans: from the disk cache, or drawn by Hypothesis when cold (`make_plan`)
- ``oracle``    torch.optim's trajectories: from the disk cache, or computed (`oracle_paths`)
- ``worker``    forking a worker and importing the submission in it (`WorkerSession.start`),
                including any wait for the zygote (and its `import torch`) to be ready
- ``running``   round trips to the worker (`WorkerSession.request`): encoding, the student's own
                time, decoding; ``student`` is the part the worker measured inside the calls
- ``judging``   everything else in `judge_exercise`: reference values, comparisons,
                properties, finite differences, shrinking and hints when something fails
- ``answers``   reading (and after a run that computed new ones, writing) the reference's answers
                kept in the cache between runs (`grader.judge.answers`)
- ``reporting`` formatting and printing the report (`emit`)
- ``shutdown``  closing the zygote

`student_by_function` splits ``student`` per function (train_xor's training time is its own).
With BENCH_RECORD=path, every batch of calls sent to the worker is also saved there (the grader's
codec), so `physical.py` can replay the same inputs without any grading around them.
"""

from __future__ import annotations

import time

_T0_EPOCH = time.time()
_T0 = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections import defaultdict  # noqa: E402

totals: dict[str, float] = defaultdict(float)
student_by_function: dict[str, float] = defaultdict(float)
recorded: list[dict] = []
_depth = {"worker": 0, "running": 0, "judge": 0}


def _timed(owner, name: str, stage: str, exclusive_of: tuple[str, ...] = ()):
    """Wrap owner.name so its time adds to `stage` (not when nested in one of `exclusive_of`)."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        if any(_depth.get(s) for s in exclusive_of):
            return original(*args, **kwargs)
        _depth[stage] = _depth.get(stage, 0) + 1
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[stage] += time.perf_counter() - started
            _depth[stage] -= 1
    wrapper.__wrapped__ = original
    setattr(owner, name, wrapper)


def instrument() -> None:
    from grader import engine, session
    from grader.commands import check
    from grader.judge import trajectory
    from grader.run.client import WorkerSession, Zygote

    _timed(session, "load_exercise_set", "spec")
    _timed(session, "load_trusted_code", "reference")
    _timed(session, "make_plan", "planning")
    _timed(trajectory, "oracle_paths", "oracle")
    _timed(WorkerSession, "start", "worker")
    _timed(WorkerSession, "request", "running", exclusive_of=("worker",))
    _timed(engine, "judge_exercise", "judge")
    _timed(check, "emit", "reporting")
    try:  # the reference's answers kept between runs (grader.judge.answers), where it exists
        from grader.judge import answers

        _timed(answers.StoredAnswers, "load", "answers")
        _timed(answers.StoredAnswers, "save", "answers")
    except ImportError:
        pass
    _timed(Zygote, "close", "shutdown")

    original_call = WorkerSession.call

    def call(self, function, cases, timeout, return_args=False, request_key=None):
        if os.environ.get("BENCH_RECORD"):
            recorded.append({"function": function, "cases": list(cases), "return_args": return_args})
        outcomes = original_call(self, function, cases, timeout, return_args, request_key)
        for outcome in outcomes or []:
            totals["student"] += outcome.seconds
            student_by_function[function] += outcome.seconds
        return outcomes
    WorkerSession.call = call


def report(out: str, exit_code: object) -> None:
    stages = dict(totals)
    judge = stages.pop("judge", 0.0)
    # judge_exercise's own time, without the worker round trips and the oracle inside it (the
    # plans are made before it is called, by GradingSession.context)
    stages["judging"] = max(0.0, judge - stages.get("running", 0.0) - stages.get("oracle", 0.0))
    spawned = os.environ.get("BENCH_SPAWNED_AT")
    stages["startup"] = max(0.0, _T0_EPOCH - float(spawned)) if spawned else 0.0
    stages["imports"] = _imports
    result = {"stages": stages, "student_by_function": dict(student_by_function),
              "ended_at": time.time(), "in_process": time.perf_counter() - _T0,
              "exit_code": exit_code if isinstance(exit_code, int) else None}
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    if os.environ.get("BENCH_RECORD"):
        from grader import codec

        with open(os.environ["BENCH_RECORD"], "wb") as handle:
            handle.write(codec.encode(recorded))


if __name__ == "__main__":
    out_path, argv = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    import grader.cli  # noqa: E402  - what the console script imports

    _imports = time.perf_counter() - started
    instrument()
    code: object = 0
    try:
        grader.cli.cli.main(args=argv, prog_name="grader")
    except SystemExit as exc:
        code = exc.code
    report(out_path, code)
    sys.exit(code)
