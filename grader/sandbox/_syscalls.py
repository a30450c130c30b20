"""The few libc entry points the sandbox needs, through ctypes (no compiled extension to build).

Kept in one place so every layer fails the same way: a missing libc symbol or an unsupported
architecture makes a layer *unavailable*, never an exception in the worker.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import sys

#: Architectures whose syscall numbers from 424 up follow the unified asm-generic table (Linux
#: >= 5.1), so landlock_* and the newer syscalls named in the seccomp layer have the same numbers
#: everywhere. MIPS, Alpha and IA-64 add offsets and are deliberately not listed.
UNIFIED_SYSCALL_ARCHES = frozenset({
    "x86_64", "amd64", "aarch64", "arm64", "riscv64", "ppc64le", "ppc64", "s390x",
    "loongarch64", "armv7l", "armv6l", "i386", "i686",
})

PR_SET_NO_NEW_PRIVS = 38
PR_GET_NO_NEW_PRIVS = 39
PR_GET_SECCOMP = 21

_libc: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL:
    """The process's own C library (already loaded, so dlopen reads no file)."""
    global _libc
    if _libc is None:
        if not sys.platform.startswith("linux"):
            raise OSError(errno.ENOSYS, f"no Linux syscalls on {sys.platform}")
        lib = ctypes.CDLL(None, use_errno=True)
        lib.syscall.restype = ctypes.c_long
        lib.prctl.restype = ctypes.c_int
        _libc = lib
    return _libc


def machine() -> str:
    return platform.machine().lower()


def unified_arch() -> bool:
    """Linux on an architecture whose numbers from 424 up are the unified ones (macOS on arm64
    must not get here: its syscall 444 is something else entirely)."""
    return sys.platform.startswith("linux") and machine() in UNIFIED_SYSCALL_ARCHES


def syscall(number: int, *args: object) -> int:
    """Raw syscall; raises OSError(errno) on failure, like os.* functions do.

    Every argument is widened to a C long so a variadic call passes full registers.
    """
    lib = libc()
    converted: list[object] = []
    for arg in args:
        if arg is None:
            converted.append(ctypes.c_void_p(None))
        elif isinstance(arg, int):
            converted.append(ctypes.c_long(arg))
        else:
            converted.append(arg)
    ctypes.set_errno(0)
    result = lib.syscall(ctypes.c_long(number), *converted)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    lib = libc()
    ctypes.set_errno(0)
    result = lib.prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(arg3),
                       ctypes.c_ulong(arg4), ctypes.c_ulong(arg5))
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result
