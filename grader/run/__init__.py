"""The run stage: the only place where student code executes, in a sandboxed worker.

The grader talks to a zygote (a warm Python with NumPy imported) that forks one worker per
submission, or, where fork is missing or unsafe (Windows, macOS), starts a fresh Python per
submission (grader.run.portable; grader.run.choice decides); the worker imports the student's
sources and answers batched calls with plain data.
"""

from .client import CallOutcome, LoadReport, WorkerCrashed, WorkerError, WorkerSession, WorkerTimeout, Zygote

__all__ = ["CallOutcome", "LoadReport", "WorkerCrashed", "WorkerError", "WorkerSession",
           "WorkerTimeout", "Zygote"]
