"""The zygote: a warm Python that forks workers, so each submission's worker costs milliseconds.

Started by the grader with a scrubbed environment before any expected value exists, it imports
NumPy (and PyTorch on the first request that needs it, set to one thread: a multi-threaded torch
op in a parent deadlocks forked children) and then only ever forks. It is told nothing about the
exercises, so a worker's memory holds no answers to steal.

Control messages are JSON datagrams on a Unix socket; each spawn request carries the worker's
end of a fresh socketpair (SCM_RIGHTS), so the grader talks to the worker directly.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import sys
from typing import Any

_MAX_DATAGRAM = 65536


def _preload_torch() -> None:
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    _settle()


def _settle() -> None:
    """Keep what is imported out of the workers' garbage collections.

    A worker's first full collection would otherwise walk every object inherited from the
    zygote (NumPy's, and torch's many once it is loaded), writing to their pages: copy-on-write
    faults costing ~0.1 s per worker with torch. Frozen objects are never collected (the zygote
    only forks), and a worker's own garbage is collected as usual.
    """
    gc.collect()
    gc.freeze()


def _reap() -> None:
    """Collect finished workers nobody asked about, so no zombies pile up in a long batch."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _wait(pid: int) -> dict:
    """How a worker ended, and the CPU seconds it used (the kernel's count: what the benchmarks
    charge a submission's worker, grader.run.client.Zygote.cpu_seconds)."""
    try:
        _, status, usage = os.wait4(pid, 0)
    except ChildProcessError:
        return {"status": None}
    cpu = {"cpu_seconds": usage.ru_utime + usage.ru_stime}
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status), **cpu}
    return {"exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None, **cpu}


def _orphaned(parent: int) -> bool:
    return os.getppid() != parent


def _die_with_parent() -> None:
    """SIGKILL us when the grader dies, however it dies (Linux); elsewhere main() polls."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def main(control_fd: int, parent: int | None = None) -> None:
    parent = parent or os.getppid()
    _die_with_parent()
    if _orphaned(parent):  # the grader died before the death signal was armed
        return
    control = socket.socket(fileno=control_fd)
    control.settimeout(1.0)  # wake up now and then to notice an orphaning the kernel did not signal
    import numpy  # noqa: F401  - the point of a warm parent
    import numpy.random  # noqa: F401  - lazy in NumPy, and what a student's code imports most

    try:  # imported here, while the grader's files are readable; workers only call enter()
        from .. import sandbox  # noqa: F401
        from . import worker  # noqa: F401
    except ImportError:
        pass
    _settle()

    torch_loaded = False
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, _MAX_DATAGRAM, 1)
        except socket.timeout:
            if _orphaned(parent):
                return
            continue
        except (ConnectionError, OSError):
            return
        if not data:
            return
        request = json.loads(data)
        op = request.get("op")
        if op == "spawn":
            if request.get("torch") and not torch_loaded:
                try:
                    _preload_torch()
                    torch_loaded = True
                except ImportError:
                    pass
            _reap()
            worker_sock = socket.socket(fileno=fds[0])
            pid = os.fork()
            if pid == 0:
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                from .worker import run

                run(worker_sock, request["workdir"], request.get("policy") or {})
            worker_sock.close()
            reply: dict[str, Any] = {"pid": pid, "torch": torch_loaded}
        elif op == "wait":
            reply = _wait(int(request["pid"]))
        elif op == "ping":
            reply = {"pong": True, "torch": torch_loaded}
        else:
            reply = {"error": f"unknown op {op!r}"}
        for fd in fds[1:]:
            os.close(fd)
        control.send(json.dumps(reply).encode())


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None)
