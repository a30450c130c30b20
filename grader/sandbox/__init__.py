"""The worker's sandbox: independent kernel layers applied in the worker right before student code.

Each layer stands on its own, so a machine that lacks one still gets the others, and ``enter``
reports which are active instead of failing (a grader without Landlock still grades):

- ``rlimits``: address space (relative to what is mapped already), CPU seconds, file size, no
  core dumps, thread count. Every Linux has these.
- ``no_new_privs``: no set-uid gain ever again; a prerequisite of unprivileged Landlock/seccomp.
- ``landlock``: file-system allow-list. Read+execute under the readable roots (minus ``hidden``),
  read+write in the private workdir, a few device and /proc/self files, nothing else. Also,
  from ABI 6, no signals or abstract-socket connections to processes outside the sandbox.
- ``seccomp``: default-allow filter denying new processes, sockets, ptrace, signals to other
  processes, mounts/namespaces, setuid, metadata changes and other kernel surface (see
  ``_seccomp``).
- ``network``: active when the policy forbids the network and seccomp's socket rules or
  Landlock's TCP rules (ABI >= 4) are in place.

Call ``enter`` while the worker is still single-threaded (just after fork). What must stay
unreadable (the exercise set, its reference wherever it is installed, the course secret's folder,
the caches of private inputs and answers) is the policy's ``hidden`` list, which the grading
session computes (grader.session). The grader's own package is not hidden: it holds no exercise
set and no reference (those are the packages grader_exercises and grader_reference), and every
student can install it (the student build). Set ``TMPDIR`` to the workdir, since /tmp is not
writable.
"""

from __future__ import annotations

import functools
import os
import site
import sys
import sysconfig
from dataclasses import dataclass, fields
from importlib.machinery import FileFinder, PathFinder
from typing import Any, Mapping

from . import _landlock, _limits, _seccomp

LAYERS = ("rlimits", "no_new_privs", "landlock", "seccomp", "network")

#: never readable through a readable root, even "/": other processes' /proc entries (the
#: grader's environ and memory), kernel knobs, raw devices. Exact entries are granted below.
ALWAYS_HIDDEN = ("/proc", "/sys", "/dev")

#: system places any Python needs to keep working: shared libraries (lazy dlopen of extension
#: modules' dependencies), the loader cache, time zones
SYSTEM_READABLE = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib",
                   "/etc/ld.so.cache", "/etc/localtime", "/usr/share/zoneinfo")

#: device files, with the rights each needs
DEVICES = (("/dev/null", _landlock.READ_FILE | _landlock.WRITE_FILE),
           ("/dev/zero", _landlock.READ_FILE),
           ("/dev/random", _landlock.READ_FILE),
           ("/dev/urandom", _landlock.READ_FILE))

#: read-only kernel information that libraries probe lazily (CPU count and features)
KERNEL_INFO = ("/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/sys/devices/system/cpu")


@dataclass(frozen=True)
class SandboxPolicy:
    """What one worker may do. Only ``workdir`` is writable; everything else is read-only or
    invisible."""

    workdir: str
    #: extra read-only paths, on top of default_readable()
    readable: tuple[str, ...] = ()
    #: paths that stay unreadable even under a readable root
    hidden: tuple[str, ...] = ()
    #: address space the student may add to what the worker maps at enter() time
    memory_bytes: int | None = 2 * 1024**3
    cpu_seconds: int | None = 60
    file_bytes: int | None = 64 * 1024**2
    network: bool = False


@dataclass(frozen=True)
class LayerStatus:
    """Whether a layer can be applied on this machine, and the kernel's or library's word why."""

    available: bool
    detail: str


@functools.lru_cache(maxsize=1)
def default_readable() -> tuple[str, ...]:
    """Python's standard library, site-packages and the system's shared libraries: what any
    ``import`` (including lazy ones inside NumPy or torch) reads. Real paths, existing only.

    Computed once per process, when this package is imported: sysconfig lazily imports its
    data module, which a worker that has dropped privileges might no longer be able to read.
    """
    candidates: list[str] = []
    paths = sysconfig.get_paths()
    candidates += [paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")
                   if key in paths]
    try:
        candidates += site.getsitepackages()
    except AttributeError:  # some embedded/virtualenv builds lack it
        pass
    if site.ENABLE_USER_SITE:
        candidates.append(site.getusersitepackages())
    libdir = sysconfig.get_config_var("LIBDIR")  # libpython and friends, when shared
    if libdir:
        candidates.append(libdir)
    candidates += SYSTEM_READABLE
    result = []
    for path in candidates:
        real = os.path.realpath(path)
        if os.path.exists(real) and real not in result:
            result.append(real)
    return tuple(result)


try:
    default_readable()
except Exception:  # noqa: BLE001 - retried (and reported) by enter()
    default_readable.cache_clear()


def probe(platform: str | None = None) -> dict[str, LayerStatus]:
    """What each layer would do on this machine, for ``grader doctor``. Cheap: a few syscalls,
    no fork, no torch. On Windows the portable worker's Job Object (grader.run.winjob) is a
    layer too, ``job_object``: it is applied from outside the worker."""
    platform = platform or sys.platform
    if platform.startswith("linux"):
        abi, why = _landlock.abi_version()
        try:
            seccomp_ok, seccomp_detail = _seccomp.status()
        except Exception as exc:  # noqa: BLE001 - doctor reports, never crashes
            seccomp_ok, seccomp_detail = False, repr(exc)
    else:
        abi, why = 0, f"Landlock is Linux-only (this is {platform})"
        seccomp_ok, seccomp_detail = False, f"seccomp is Linux-only (this is {platform})"
    nnp_ok, nnp_detail = _limits.no_new_privs_status(platform)
    result = {
        "rlimits": _rlimits_status(platform),
        "no_new_privs": LayerStatus(nnp_ok, nnp_detail),
        "landlock": LayerStatus(
            abi >= 1, f"{why}: {', '.join(_landlock.features(abi))}" if abi >= 1 else why),
        "seccomp": LayerStatus(seccomp_ok, seccomp_detail),
    }
    net = []
    if seccomp_ok:
        net.append("seccomp denies socket/connect/bind/listen/accept")
    if abi >= 4:
        net.append("Landlock denies TCP bind/connect")
    result["network"] = LayerStatus(bool(net), "; ".join(net) or "neither seccomp nor Landlock >= 4")
    if platform == "win32":
        result["job_object"] = LayerStatus(
            True, "Job Object: the worker's whole process tree killed as one (also when the grader "
                  "dies), committed memory and CPU time capped")
    return result


def _rlimits_status(platform: str) -> LayerStatus:
    if platform == "win32":
        return LayerStatus(False, "no rlimits on Windows (the Job Object caps memory and CPU time)")
    if platform == "darwin":
        return LayerStatus(True, "RLIMIT_CPU, FSIZE, CORE=0; memory only by RLIMIT_DATA, which macOS "
                                 "enforces poorly (memory malloc maps with mmap is not counted)")
    root = hasattr(os, "getuid") and os.getuid() == 0
    if not platform.startswith("linux"):
        return LayerStatus(True, "RLIMIT_AS, CPU, FSIZE, CORE=0 (no RLIMIT_NPROC: no /proc to count threads)")
    return LayerStatus(True, "RLIMIT_AS, CPU, FSIZE, CORE=0, NPROC"
                             + (" (RLIMIT_NPROC is not enforced for root)" if root else ""))


#: why each layer of the last enter() is off, for debugging a worker (not part of the API)
_last_details: dict[str, str] = {}


def enter(policy: SandboxPolicy) -> dict[str, bool]:
    """Apply every layer available here, in the calling (worker) process; return which are active.

    Irreversible. Never raises for a missing or failing layer: that layer is reported False.
    Order matters: no_new_privs first (Landlock and seccomp need it), the seccomp filter is built
    while libseccomp can still be read, rlimits while /proc can still be read (RLIMIT_NPROC
    counts the user's threads there), then Landlock, and seccomp is loaded last because it
    forbids setrlimit.
    """
    active = dict.fromkeys(LAYERS, False)
    _last_details.clear()

    try:
        _limits.set_no_new_privs()
        active["no_new_privs"] = True
    except Exception as exc:  # noqa: BLE001 - a missing layer must never stop the worker
        _last_details["no_new_privs"] = repr(exc)

    seccomp_filter = None
    try:
        ok, why = _seccomp.status()
        if ok:
            seccomp_filter = _seccomp.Filter(os.getpid(), deny_network=not policy.network)
        else:
            _last_details["seccomp"] = why
    except Exception as exc:  # noqa: BLE001
        _last_details["seccomp"] = repr(exc)

    try:
        _limits.apply(policy.memory_bytes, policy.cpu_seconds, policy.file_bytes)
        active["rlimits"] = True
    except Exception as exc:  # noqa: BLE001
        _last_details["rlimits"] = repr(exc)

    landlock_net = False
    try:
        active["landlock"], landlock_net = _enter_landlock(policy)
    except Exception as exc:  # noqa: BLE001
        _last_details["landlock"] = repr(exc)

    if seccomp_filter is not None:
        try:
            seccomp_filter.load()
            active["seccomp"] = True
        except Exception as exc:  # noqa: BLE001
            _last_details["seccomp"] = repr(exc)

    active["network"] = not policy.network and (active["seccomp"] or landlock_net)
    return active


def enter_from_dict(workdir: str, options: Mapping[str, Any]) -> dict[str, bool]:
    """``enter`` for a policy that crossed a process boundary as JSON (lists for tuples)."""
    known = {f.name for f in fields(SandboxPolicy)} - {"workdir"}
    unknown = set(options) - known
    if unknown:
        raise ValueError(f"unknown sandbox policy keys: {sorted(unknown)}")
    values: dict[str, Any] = {key: tuple(value) if key in ("readable", "hidden") else value
              for key, value in options.items()}
    return enter(SandboxPolicy(workdir=workdir, **values))


def _enter_landlock(policy: SandboxPolicy) -> tuple[bool, bool]:
    """Build and enforce the ruleset; (file-system layer active, TCP rules active)."""
    abi, why = _landlock.abi_version()
    if abi < 1:
        _last_details["landlock"] = why
        return False, False
    threads = len(os.listdir("/proc/self/task"))
    workdir = os.path.realpath(policy.workdir)
    roots = [(path, _landlock.READ_ONLY) for path in default_readable() + tuple(policy.readable)]
    roots.append((workdir, _landlock.READ_WRITE))
    plan = _landlock.plan(roots, tuple(policy.hidden) + ALWAYS_HIDDEN)
    if (workdir, _landlock.READ_WRITE) not in plan.rules and workdir not in plan.pruned:
        raise RuntimeError(f"workdir {workdir} is missing or hidden")

    ruleset = _landlock.Ruleset(abi, deny_tcp=not policy.network, scoped=True)
    try:
        for path, access in plan.rules:
            ok = ruleset.allow(path, access)
            if not ok and path == workdir:
                raise RuntimeError(f"cannot grant the workdir: {ruleset.failed}")
        for path, access in DEVICES:
            if os.path.exists(path):
                ruleset.allow(path, access)
        # Our own /proc entry only: another process's (the grader's environ, mem) stays closed.
        ruleset.allow(f"/proc/{os.getpid()}", _landlock.READ_FILE | _landlock.READ_DIR, pin=True)
        for path in KERNEL_INFO:
            if os.path.exists(path):
                ruleset.allow(path, _landlock.READ_FILE | _landlock.READ_DIR,
                              pin=path.startswith("/proc/"))
        _keep_import_caches(plan.pruned)
    except BaseException:
        if ruleset.fd >= 0:
            os.close(ruleset.fd)
        raise
    ruleset.restrict()
    if ruleset.failed:
        _last_details["landlock_rules"] = "; ".join(ruleset.failed)
    if threads > 1:
        # restrict_self binds the calling thread (and its future threads) only
        _last_details["landlock"] = f"{threads - 1} thread(s) started before enter() are not restricted"
        return False, bool(ruleset.handled_net)
    return True, bool(ruleset.handled_net)


class _SnapshotFileFinder(FileFinder):
    """A FileFinder for a directory that Landlock lets us enter but not list (it holds a hidden
    entry). Its listing is taken before the sandbox and survives importlib.invalidate_caches(),
    which the worker calls after writing the student's files; a re-listing would now fail and
    make every not-yet-imported module of that directory (say, torch's lazy submodules)
    unimportable."""

    def invalidate_caches(self) -> None:
        pass


def _keep_import_caches(pruned: list[str]) -> None:
    if not pruned:
        return
    pruned_set = set(pruned)
    keys = [key for key in [*sys.path, *sys.path_importer_cache, *pruned] if isinstance(key, str)]
    for key in dict.fromkeys(keys):
        try:
            if os.path.realpath(key or os.getcwd()) not in pruned_set:
                continue
            PathFinder.find_spec("_grader_sandbox_warm_up_", [key])  # creates, fills the finder
            finder = sys.path_importer_cache.get(key)
            if type(finder) is FileFinder:
                finder.__class__ = _SnapshotFileFinder
        except Exception:  # noqa: BLE001 - a cold cache costs imports, never the sandbox
            continue
