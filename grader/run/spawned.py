"""The portable worker: a fresh interpreter per submission, for where fork is missing or unsafe.

Started by grader.run.portable (`python -s -m grader.run.spawned`) with a scrubbed environment,
it talks to the grader over its stdin and stdout, in the messages and codec of grader.run.protocol.
Its first message says where to work and under which policy; from then on it is the same worker
as a forked one (grader.run.worker.live): the same sandbox layers where the kernel has them, the
same replies. NumPy is imported before the student's code, as in the zygote, so the submission's
exercises all run in one warm interpreter.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from . import channel, protocol

#: how often a worker checks that the grader is still alive, where no kernel does it for us
_PARENT_POLL_SECONDS = 1.0


def _watch_parent(parent: int) -> None:
    """Exit when the grader is gone: macOS has no PR_SET_PDEATHSIG (Linux's worker asks for it;
    on Windows the Job Object kills us, and our parent there may be a venv's launcher)."""
    def watch() -> None:
        while True:
            time.sleep(_PARENT_POLL_SECONDS)
            if os.getppid() != parent:
                os._exit(71)

    threading.Thread(target=watch, name="grader-parent-watch", daemon=True).start()


def _preload(torch: bool) -> None:
    import numpy  # noqa: F401  - as warm as a forked worker

    if torch:
        try:
            import torch as _torch
        except ImportError:
            return
        _torch.set_num_threads(1)  # as in the zygote: the grades must not depend on the worker
        _torch.set_num_interop_threads(1)


def main() -> None:
    requests, replies = os.dup(0), os.dup(1)
    for fd in (requests, replies):
        channel.binary(fd)
    stream = channel.WorkerEnd(requests, replies)
    code = 0
    try:
        start = protocol.recv(stream)
        if not isinstance(start, dict) or start.get("op") != "start":
            raise SystemExit(64)
        parent = start.get("parent")
        _preload(start.get("torch") is True)
        if sys.platform not in ("linux", "win32") and type(parent) is int:
            _watch_parent(parent)
        from .worker import live

        live(stream, str(start["workdir"]), dict(start.get("policy") or {}))
    except BaseException:  # noqa: BLE001 - the exit code says it; the grader reads the capture
        code = 70
    finally:
        os._exit(code)


if __name__ == "__main__":
    main()
