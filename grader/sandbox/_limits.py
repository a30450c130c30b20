"""Resource limits and no_new_privs: the layers every Linux has (rlimits: every POSIX system).

RLIMIT_AS is relative to what the worker already maps: a zygote that imported torch maps
gigabytes of address space before the student runs a line, so an absolute cap would be either
useless or fatal. RLIMIT_CPU likewise counts from the CPU time already used.

macOS does not enforce RLIMIT_AS, and enforces RLIMIT_DATA poorly (memory that malloc maps
with mmap, which is most of a large array, is not counted): there the memory cap is RLIMIT_DATA
above the worker's peak resident size, and holds only against some allocations. The thread cap
(RLIMIT_NPROC) is set only where /proc counts the user's threads (Linux). Windows has no
rlimits at all: the portable worker's Job Object caps memory and CPU time there.
"""

from __future__ import annotations

import math
import os
import signal
import sys

if sys.platform != "win32":
    import resource

from ._syscalls import PR_GET_NO_NEW_PRIVS, PR_SET_NO_NEW_PRIVS, prctl

#: threads the student may add on top of what its user runs already (RLIMIT_NPROC counts
#: threads, per real user id, machine-wide)
NPROC_HEADROOM = 256


def vm_size_bytes() -> int:
    """Current address-space size (VmSize) of this process."""
    with open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(b"VmSize:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmSize in /proc/self/status")


def _set(which: int, soft: int, hard: int | None = None) -> None:
    """Lower a limit, never raise one: not above the current soft or hard limit."""
    hard = soft if hard is None else hard
    current_soft, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
    if current_soft != resource.RLIM_INFINITY:
        soft = min(soft, current_soft)  # a stricter limit set by the grader stands
    resource.setrlimit(which, (min(soft, hard), hard))


def _exempt_from_nproc() -> bool:
    """Real root of the initial user namespace: the kernel ignores RLIMIT_NPROC for it."""
    if os.getuid() != 0:
        return False
    try:
        with open("/proc/self/uid_map") as uid_map:
            return uid_map.read().split() == ["0", "0", "4294967295"]
    except OSError:
        return False


def _tasks_of_real_uid(uid: int) -> int:
    """How many threads this real uid runs now (what RLIMIT_NPROC is compared with)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", "rb") as status:
                real_uid = threads = None
                for line in status:
                    if line.startswith(b"Uid:"):
                        real_uid = int(line.split()[1])
                    elif line.startswith(b"Threads:"):
                        threads = int(line.split()[1])
                        break
        except (OSError, ValueError):
            continue
        if real_uid == uid and threads:
            total += threads
    return total


def memory_limit(memory_bytes: int, platform: str | None = None) -> tuple[int, int]:
    """Which rlimit caps memory here, and at what: (RLIMIT_AS, VmSize + memory) on Linux;
    (RLIMIT_DATA, peak resident size + memory) on macOS, which ignores RLIMIT_AS."""
    if (platform or sys.platform) == "darwin":
        return resource.RLIMIT_DATA, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + memory_bytes
    return resource.RLIMIT_AS, vm_size_bytes() + memory_bytes


def apply(memory_bytes: int | None, cpu_seconds: int | None, file_bytes: int | None,
          platform: str | None = None) -> None:
    """Set RLIMIT_CORE, FSIZE, CPU, NPROC (Linux) and the memory cap (last, so our own setup is
    not counted). Raises on Windows, which has none of them."""
    platform = platform or sys.platform
    _set(resource.RLIMIT_CORE, 0)
    if file_bytes is not None:
        _set(resource.RLIMIT_FSIZE, file_bytes)
        try:  # exceeding it must be a clean OSError(EFBIG), not a kill by SIGXFSZ
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        except ValueError:  # not the main thread: Python's start-up default (ignored) stands
            pass
    if cpu_seconds is not None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = math.ceil(usage.ru_utime + usage.ru_stime)
        # soft: SIGXCPU (catchable); hard one second later: SIGKILL
        _set(resource.RLIMIT_CPU, used + cpu_seconds, used + cpu_seconds + 1)
    if not platform.startswith("linux"):
        pass  # no /proc to count the user's threads: RLIMIT_NPROC is left as it is
    elif _exempt_from_nproc():
        _set(resource.RLIMIT_NPROC, NPROC_HEADROOM)  # ignored for root; set for the record
    else:
        _set(resource.RLIMIT_NPROC, _tasks_of_real_uid(os.getuid()) + NPROC_HEADROOM)
    if memory_bytes is not None:
        _set(*memory_limit(memory_bytes, platform))


def set_no_new_privs() -> None:
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    if prctl(PR_GET_NO_NEW_PRIVS) != 1:
        raise OSError("no_new_privs did not stick")


def no_new_privs_status(platform: str | None = None) -> tuple[bool, str]:
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return False, f"no_new_privs is Linux-only (this is {platform})"
    try:
        current = prctl(PR_GET_NO_NEW_PRIVS)
    except OSError as exc:
        return False, f"prctl(PR_GET_NO_NEW_PRIVS) failed: {exc}"
    return True, f"prctl(PR_SET_NO_NEW_PRIVS) supported (currently {current})"
