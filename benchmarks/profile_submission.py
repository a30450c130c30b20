"""Where a complete submission's cost goes in a batch, by stage (not run in CI).

    python benchmarks/profile_submission.py [--count 12] [--submission submissions/correct.py]

What a grader process of `grader grade -j N` (or a Dask worker's plugin) does per submission:
one warm session (plans, the reference's answers, a warm zygote), grading the same complete
submission again and again. The grader's own side is profiled with pyinstrument (wall time,
which on an idle process is its CPU plus its waits for the student's worker) and summed by
stage: the module whose frame is the innermost grader frame of each sample. The sandboxed
workers' CPU (the student's code, the worker's encoding) is measured apart: the kernel's count
of each worker, which the zygote reads when it waits for one (os.wait4).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: (stage, module prefixes), the first match wins; frames outside the grader count for the
#: innermost grader frame that called them
STAGES = [
    ("messages to and from the worker (codec encode/decode, framing)", ("grader.codec", "grader.run.protocol",
                                                                      "grader.run.values")),
    ("worker session (calls, outcomes)", ("grader.run",)),
    ("answers memo: case keys, fingerprints, stored answers", ("grader.judge.context", "grader.judge.answers")),
    ("the reference's own code (expected values, objectives)", ("grader_reference",)),
    ("comparisons (compare, summaries)", ("grader.judge.compare", "grader.judge.summary")),
    ("finite differences, properties, behaviour, trajectories", ("grader.judge.properties", "grader.judge.gradient",
                                                                 "grader.judge.behaviour",
                                                                 "grader.judge.trajectory")),
    ("shrinking and diagnosis (failing inputs only)", ("grader.judge.shrink", "grader.judge.diagnose",
                                                       "grader.judge.meaning", "hypothesis")),
    ("check dispatch and failures", ("grader.judge",)),
    ("engine, session, submission loading, results", ("grader.engine", "grader.session", "grader.submission",
                                                      "grader.result", "grader.captured", "grader.cleaning")),
]
WAITING = "waiting on the socket (the student's worker computing, and the transfer)"
#: frames that block on the worker's socket
_SOCKET = ("socket.recv_into", "socket.recv", "socket.sendall", "_recv_exact")


def _stage(module: str) -> str | None:
    for stage, prefixes in STAGES:
        if module.startswith(prefixes):
            return stage
    return "other grader code" if module.startswith("grader") else None


def _by_stage(root: object) -> dict[str, float]:
    """Self time of every frame, charged to the innermost grader stage above it (a blocking
    socket call to the waiting stage)."""
    totals: dict[str, float] = defaultdict(float)

    def walk(frame: object, stage: str) -> None:
        function = getattr(frame, "function", "")
        here = WAITING if function in _SOCKET else (_stage(_module(frame)) or stage)
        totals[here] += frame.total_self_time  # type: ignore[attr-defined]
        for child in frame.children:  # type: ignore[attr-defined]
            if not child.is_synthetic:  # a synthetic child's time is in total_self_time already
                walk(child, here)

    walk(root, "outside the grader (NumPy, stdlib)")
    return dict(totals)


def _module(frame: object) -> str:
    path = (getattr(frame, "file_path", None) or "").replace("\\", "/")
    for marker, package in (("/grader/", "grader."), ("/reference/", "grader_reference."),
                            ("/hypothesis/", "hypothesis.")):
        if marker in path:
            tail = path.rsplit(marker, 1)[1].removesuffix(".py").replace("/", ".")
            return package + tail.removesuffix(".__init__")
    return ""


def _workers_cpu(zygote: Any) -> float:
    """The CPU seconds of every worker the zygote forked and was asked about (os.wait4's count
    of each, grader.run.zygote): exactly the submissions' workers, none of the zygote's own."""
    return float(zygote.cpu_seconds)


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def session_cost(submission: Path, count: int, profile: bool) -> tuple[float, float, float, object | None]:
    """(own CPU s, the workers' CPU s, wall s) of `count` gradings after 2 warm ones, and the profile."""
    from pyinstrument import Profiler

    from grader.session import open_session

    session = open_session(warm_zygote=True)
    exercises = session.select()
    for ex in exercises:
        session.plan(ex)
    with session.stored_answers(exercises):
        for _ in range(2):
            session.grade(submission)
        gc.collect()
        gc.freeze()
        profiler = Profiler(interval=0.001) if profile else None
        zygote = session.zygote
        children, own, wall = _workers_cpu(zygote), _self_cpu(), time.monotonic()
        if profiler is not None:
            profiler.start()
        for _ in range(count):
            session.grade(submission)
        if profiler is not None:
            profiler.stop()
        own, wall = _self_cpu() - own, time.monotonic() - wall
        workers = _workers_cpu(zygote) - children  # each grading's worker was waited for already
        session.close()
    return own, workers, wall, profiler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--submission", type=Path, default=ROOT / "submissions" / "correct.py")
    parser.add_argument("--json", type=Path, help="also write the figures there (benchmarks/cost.py)")
    parser.add_argument("--no-profile", action="store_true", help="CPU figures only, no profiled pass")
    args = parser.parse_args()
    per = args.count
    own, workers, wall, _ = session_cost(args.submission, per, profile=False)
    figures: dict[str, object] = {"grader": own / per, "workers": workers / per, "wall": wall / per}
    if args.no_profile:
        if args.json:
            args.json.write_text(json.dumps(figures), encoding="utf-8")
        print(f"grader process: {own / per:.3f} CPU s, workers {workers / per:.3f} CPU s per submission")
        return
    _, _, profiled_wall, profiler = session_cost(args.submission, per, profile=True)
    assert profiler is not None
    session = profiler.last_session
    root = session.root_frame() if session is not None else None
    stages = _by_stage(root) if root is not None else {}
    profiled = sum(stages.values())
    print(f"{args.submission.name}: {per} gradings in one warm session (after 2 warm-up ones), load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"grader process: {own / per:.3f} CPU s per submission ({wall / per:.3f} s wall)")
    print(f"sandboxed workers (the student's code, the worker's side): {workers / per:.3f} CPU s "
          f"per submission")
    print(f"profiled pass (pyinstrument, 1 ms, wall time): {profiled_wall / per:.3f} s per submission")
    print(f"| {'stage':<70} | {'s / submission':>14} | {'share':>6} |")
    print(f"|{'-' * 72}|{'-' * 16}|{'-' * 8}|")
    for stage, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"| {stage:<70} | {seconds / per:>14.3f} | {seconds / profiled:>6.0%} |")
    print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)
    if args.json:
        figures["stages"] = {stage: seconds / per for stage, seconds in stages.items()}
        figures["profiled_wall"] = profiled_wall / per
        args.json.write_text(json.dumps(figures), encoding="utf-8")


if __name__ == "__main__":
    main()
