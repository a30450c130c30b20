"""The physical limit: the student's functions on the grader's own inputs, and nothing else.

    python benchmarks/physical.py RECORDING SUBMISSION OUT.json

RECORDING is what `stages.py` saved with BENCH_RECORD: every batch of calls the grader sent to
the worker, in order. This plain process imports the submission once and makes the same calls
(arguments copied beforehand, outside the timing), with no sandbox, no codec, no comparison:
what is left is the time the student's code itself needs. train_xor is reported apart.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()

import copy  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402


def main(recording: str, submission: str, out: str) -> None:
    from grader import codec  # the recording's format only; nothing of the grader runs below

    batches = codec.decode(Path(recording).read_bytes())
    started = time.perf_counter()
    path = Path(submission).resolve()
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import_seconds = time.perf_counter() - started

    by_function: dict[str, float] = defaultdict(float)
    calls = 0
    for batch in batches:
        fn = getattr(module, batch["function"])
        prepared = [copy.deepcopy((list(c.get("args", [])), dict(c.get("kwargs", {}))))
                    for c in batch["cases"]]
        for args, kwargs in prepared:
            begun = time.perf_counter()
            try:
                fn(*args, **kwargs)
            except Exception:  # noqa: BLE001 - a wrong submission raises; its time still counts
                pass
            by_function[batch["function"]] += time.perf_counter() - begun
            calls += 1
    total = sum(by_function.values())
    result = {"calls": calls, "batches": len(batches), "seconds": total,
              "train_xor": by_function.get("train_xor", 0.0),
              "without_train_xor": total - by_function.get("train_xor", 0.0),
              "import_submission": import_seconds, "by_function": dict(by_function),
              "process_until_import": started - _T0}
    Path(out).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:4])
