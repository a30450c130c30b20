"""Call TRUSTED functions (reference, catalogued mistakes, the all-zeros probe) in this process.

Same interface and same data as a worker session, so the judge cannot tell them apart; used by
`grader validate` and to compute expected values. Never give it a student's function.
"""

from __future__ import annotations

import copy
import time
import warnings
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from .client import CallOutcome
from .values import TooLarge, modified, to_data


class InProcessFunctions:
    """A mapping of names to trusted callables, answering `call` like a WorkerSession."""

    def __init__(self, functions: dict[str, Callable[..., Any]]) -> None:
        self.functions = functions

    def call(self, function: str, cases: Sequence[dict[str, Any]], timeout: float = 0.0,
             return_args: bool = False, request_key: bytes | None = None) -> list[CallOutcome] | None:
        fn = self.functions.get(function)
        if fn is None:
            return None
        outcomes = []
        for case in cases:
            args = copy.deepcopy(list(case.get("args", [])))
            kwargs = copy.deepcopy(dict(case.get("kwargs", {})))
            outcome = CallOutcome()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                start = time.perf_counter()
                try:
                    outcome.value = to_data(fn(*args, **kwargs))
                except NotImplementedError as exc:
                    outcome.error = {"type": "NotImplementedError", "message": str(exc)}
                except (TooLarge, Exception) as exc:
                    outcome.error = {"type": type(exc).__name__, "message": str(exc)}
                outcome.seconds = time.perf_counter() - start
            outcome.warnings = [f"{w.category.__name__}: {w.message}" for w in caught[:10]]
            outcome.modified = modified(args, [a if type(a) is np.ndarray else None
                                               for a in case.get("args", [])])
            if return_args:
                outcome.args_after = [to_data(a) for a in args]
            outcomes.append(outcome)
        return outcomes
