"""The run stage: the only place where student code executes, in a forked, sandboxed worker.

The grader talks to a zygote (a warm Python with NumPy imported) that forks one worker per
submission; the worker imports the student's sources and answers batched calls with plain data.
"""

from .client import CallOutcome, LoadReport, WorkerCrashed, WorkerError, WorkerSession, WorkerTimeout, Zygote

__all__ = ["CallOutcome", "LoadReport", "WorkerCrashed", "WorkerError", "WorkerSession",
           "WorkerTimeout", "Zygote"]
