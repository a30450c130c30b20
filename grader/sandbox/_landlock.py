"""Landlock: an unprivileged, allow-list file-system (and TCP) sandbox, through three syscalls.

Why a small ctypes implementation rather than the PyPI ``landlock`` package: the kernel interface
is three syscalls (create_ruleset=444, add_rule=445, restrict_self=446 on every architecture with
the unified syscall table) and three plain structs, versioned by one integer ABI. The PyPI
package is a pre-release (1.0.0.dev5) that would be one more dependency to vet inside a security
layer and that hides which ABI features it asks for; here every right we hand out is visible,
and the code degrades per ABI exactly as the kernel documentation prescribes.

Landlock rules are recursive ("everything beneath this directory"), allow-only, and keyed by
inode. So a path that must stay hidden inside a readable tree is excluded by granting its
siblings instead of its parent (see ``plan``). Landlock never restricts: stat/lstat/access,
readlink, chdir, chmod/chown/utime/xattrs (the seccomp layer denies those), or files that were
already open before ``restrict_self``.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import sys
from dataclasses import dataclass, field
from typing import Iterable

from ._syscalls import syscall, unified_arch, machine

SYS_CREATE_RULESET = 444
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446

CREATE_RULESET_VERSION = 1 << 0
RULE_PATH_BENEATH = 1
RULE_NET_PORT = 2

# Filesystem rights (ABI 1 unless noted).
EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13       # ABI 2: link/rename across directories
TRUNCATE = 1 << 14    # ABI 3
IOCTL_DEV = 1 << 15   # ABI 5
#: the only rights a rule on a non-directory may carry (else EINVAL)
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV

# Network rights (ABI 4).
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1

# Scopes (ABI 6): deny reaching out of the domain through these channels.
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

READ_ONLY = EXECUTE | READ_FILE | READ_DIR
READ_WRITE = (READ_FILE | READ_DIR | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR
              | MAKE_REG | REFER | TRUNCATE)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64),
                ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # __attribute__((packed)) in the UAPI header: 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> tuple[int, str]:
    """(ABI, why-not). ABI 0 means Landlock cannot be used here; the string says why."""
    if not sys.platform.startswith("linux"):
        return 0, f"Landlock is Linux-only (this is {sys.platform})"
    if not unified_arch():
        return 0, f"architecture {machine()} not supported by this implementation"
    try:
        abi = syscall(SYS_CREATE_RULESET, None, 0, CREATE_RULESET_VERSION)
    except OSError as exc:
        if exc.errno == errno.ENOSYS:
            return 0, "kernel built without Landlock (ENOSYS)"
        if exc.errno == errno.EOPNOTSUPP:
            return 0, "Landlock disabled at boot (add 'landlock' to the lsm= kernel parameter)"
        return 0, f"landlock_create_ruleset failed: {exc}"
    return abi, f"ABI {abi}"


def handled_fs(abi: int) -> int:
    """Every filesystem right this ABI knows: whatever is handled and not granted is denied."""
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def features(abi: int) -> list[str]:
    names = ["fs"]
    if abi >= 2:
        names.append("refer")
    if abi >= 3:
        names.append("truncate")
    if abi >= 4:
        names.append("tcp-bind/connect")
    if abi >= 5:
        names.append("ioctl-dev")
    if abi >= 6:
        names.append("signal+abstract-unix scopes")
    return names


def _under(path: str, ancestor: str) -> bool:
    return path == ancestor or path.startswith(ancestor.rstrip("/") + "/")


@dataclass
class Plan:
    """Which paths get which rights; ``pruned`` are directories split around a hidden path."""

    rules: list[tuple[str, int]] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)


def plan(roots: Iterable[tuple[str, int]], hidden: Iterable[str]) -> Plan:
    """Grant each root its rights, except below hidden paths.

    A root containing a hidden path is not granted itself (a Landlock rule would cover the hidden
    path too); its entries are granted one by one instead, recursing only into the entries that
    lead to a hidden path. Symlinks inside such a split directory get no rule of their own:
    Landlock checks the resolved target, which must be allowed on its own.
    Pure apart from reading directories, so it is unit-tested without entering a sandbox.
    """
    hidden_real = sorted({os.path.realpath(h) for h in hidden})
    result = Plan()
    seen: set[tuple[str, int]] = set()

    def visit(path: str, access: int) -> None:
        if (path, access) in seen:
            return
        seen.add((path, access))
        if any(_under(path, h) for h in hidden_real):
            return
        if not any(_under(h, path) for h in hidden_real):
            result.rules.append((path, access))
            return
        result.pruned.append(path)
        try:
            entries = list(os.scandir(path))
        except OSError:
            return
        for entry in entries:
            if entry.is_symlink():
                continue
            visit(os.path.join(path, entry.name), access)

    for root, access in roots:
        real = os.path.realpath(root)
        if os.path.exists(real):
            visit(real, access)
    return result


class Ruleset:
    """One Landlock ruleset under construction; ``restrict`` enforces it on the calling thread."""

    def __init__(self, abi: int, *, deny_tcp: bool, scoped: bool) -> None:
        self.abi = abi
        self.handled_fs = handled_fs(abi)
        self.handled_net = (NET_BIND_TCP | NET_CONNECT_TCP) if deny_tcp and abi >= 4 else 0
        self.scoped = (SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX_SOCKET) if scoped and abi >= 6 else 0
        attr = _RulesetAttr(self.handled_fs, self.handled_net, self.scoped)
        # The struct grew with the ABI; older kernels want the size they know.
        size = 8 if abi < 4 else 16 if abi < 6 else 24
        self.fd = syscall(SYS_CREATE_RULESET, ctypes.byref(attr), size, 0)
        self.failed: list[str] = []
        #: O_PATH fds kept open for rules on /proc: procfs makes a new inode when a pruned
        #: dentry is looked up again, and Landlock rules are keyed by inode.
        self.pinned: list[int] = []

    def allow(self, path: str, access: int, *, pin: bool = False) -> bool:
        """Add one path-beneath rule; False (and noted) if the path cannot be opened."""
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError as exc:
            self.failed.append(f"{path}: {exc.strerror}")
            return False
        try:
            if not stat.S_ISDIR(os.fstat(fd).st_mode):
                access &= FILE_RIGHTS
            access &= self.handled_fs
            if not access:
                return False
            rule = _PathBeneathAttr(access, fd)
            syscall(SYS_ADD_RULE, self.fd, RULE_PATH_BENEATH, ctypes.byref(rule), 0)
            return True
        except OSError as exc:
            self.failed.append(f"{path}: {exc.strerror}")
            return False
        finally:
            if pin:
                self.pinned.append(fd)
            else:
                os.close(fd)

    def restrict(self) -> None:
        """Enforce on the calling thread (and threads it creates later). Needs no_new_privs
        unless the caller has CAP_SYS_ADMIN."""
        try:
            syscall(SYS_RESTRICT_SELF, self.fd, 0)
        finally:
            os.close(self.fd)
            self.fd = -1
