"""seccomp-bpf: a default-allow syscall filter that denies what a grading worker never needs.

Why libseccomp through a dozen ctypes calls (not hand-written BPF, not the ``pyseccomp`` wheel):
libseccomp knows every architecture's syscall numbers and writes the architecture check itself
(including x86_64's x32 ABI and 32-bit ``int 0x80`` entry, which a hand-written filter easily
forgets), and it is a stock Debian/Ubuntu library (libseccomp2). Binding the eight functions we
use directly avoids one more PyPI dependency; if the library is missing the layer reports
itself unavailable and the worker carries on with the others.

Denied calls return an errno (EPERM, or ENOSYS for clone3 so glibc falls back to clone, whose
flags a filter *can* read) so Python raises a clean OSError instead of the process dying. A
foreign architecture's syscall kills the process: that is an exploit attempt, not a mistake.

Limits, by construction of seccomp: it sees only syscall numbers and register arguments, never
memory, so it cannot tell paths apart (that is Landlock's job), cannot read clone3's flags, and
cannot inspect what is sent over an already-open socket.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import sys

from ._syscalls import unified_arch

SCMP_ACT_KILL_THREAD = 0x00000000
SCMP_ACT_KILL_PROCESS = 0x80000000
SCMP_ACT_ALLOW = 0x7FFF0000


def SCMP_ACT_ERRNO(code: int) -> int:  # noqa: N802 - libseccomp's own name
    return 0x00050000 | (code & 0xFFFF)


SCMP_FLTATR_ACT_BADARCH = 2
SCMP_FLTATR_CTL_NNP = 3
SCMP_FLTATR_CTL_TSYNC = 4

SCMP_CMP_NE = 1
SCMP_CMP_EQ = 4
SCMP_CMP_MASKED_EQ = 7

NR_SCMP_ERROR = -1

CLONE_THREAD = 0x00010000
#: namespace flags: a "thread" may not carry these (a new namespace is a way out, not a thread)
CLONE_NAMESPACE_FLAGS = (0x00000080, 0x00020000, 0x02000000, 0x04000000, 0x08000000,
                         0x10000000, 0x20000000, 0x40000000)
AF_UNIX = 1
TIOCSTI = 0x5412
TIOCLINUX = 0x541C
PR_SET_PDEATHSIG = 1
PR_SET_MM = 35

#: Numbers of syscalls newer than some libseccomp releases know, from the unified table (same
#: on every architecture listed in _syscalls.UNIFIED_SYSCALL_ARCHES). Used only when libseccomp
#: cannot resolve the name, so an old libseccomp does not silently leave them allowed.
UNIFIED_NUMBERS = {
    "pidfd_send_signal": 424, "io_uring_setup": 425, "io_uring_enter": 426,
    "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "pidfd_open": 434, "clone3": 435,
    "pidfd_getfd": 438, "process_madvise": 440, "mount_setattr": 442, "quotactl_fd": 443,
    "process_mrelease": 448, "fchmodat2": 452, "setxattrat": 463, "removexattrat": 466,
    "open_tree_attr": 467,
}

#: Always denied with EPERM. Grouped by why.
DENIED = (
    # new processes and programs (threads are clone+CLONE_THREAD, handled below)
    "fork", "vfork", "execve", "execveat",
    # other processes' memory and descriptors
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp",
    "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "process_mrelease",
    # mounts, namespaces, root changes
    "mount", "umount", "umount2", "unshare", "setns", "pivot_root", "chroot",
    "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "open_tree_attr",
    "mount_setattr",
    # kernel attack surface a numeric exercise never needs
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "personality",
    "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "uselib",
    "lookup_dcookie", "nfsservctl", "fanotify_init",
    # identity and capabilities
    "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid",
    "setfsgid", "setgroups", "setuid32", "setgid32", "setreuid32", "setregid32",
    "setresuid32", "setresgid32", "setfsuid32", "setfsgid32", "setgroups32", "capset",
    # machine-wide state (a root worker has the capabilities for all of these)
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    "swapon", "swapoff", "syslog", "acct", "quotactl", "quotactl_fd", "settimeofday",
    "clock_settime", "clock_settime64", "clock_adjtime", "clock_adjtime64", "adjtimex",
    "sethostname", "setdomainname", "iopl", "ioperm", "vhangup",
    # file metadata, which Landlock does not cover (paths are invisible to seccomp, so these go
    # everywhere, the private workdir included)
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "chown32", "fchown32", "lchown32", "setxattr", "lsetxattr", "fsetxattr", "setxattrat",
    "removexattr", "lremovexattr", "fremovexattr", "removexattrat", "utime", "utimes",
    "futimesat", "utimensat", "utimensat_time64", "mknod", "mknodat",
    "name_to_handle_at", "open_by_handle_at",
    # limits and scheduling: a root worker could raise its own hard limits or go real-time
    "setrlimit", "sched_setscheduler", "sched_setparam", "sched_setattr", "setpriority",
    "ioprio_set",
)

#: Denied when the policy forbids the network. The protocol socket already exists: send/recv on
#: it need none of these.
NETWORK_DENIED = ("socket", "connect", "bind", "listen", "accept", "accept4", "socketcall")

#: signal-sending calls whose first argument is the target (thread group) id
SIGNAL_BY_PID = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


class _Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint), ("minor", ctypes.c_uint), ("micro", ctypes.c_uint)]


_lib: ctypes.CDLL | None = None
_lib_error = ""


def load_library() -> ctypes.CDLL | None:
    """libseccomp.so.2 with prototypes set, or None (the reason is in ``library_error()``)."""
    global _lib, _lib_error
    if _lib is not None:
        return _lib
    names = ["libseccomp.so.2"]
    found = ctypes.util.find_library("seccomp")
    if found and found not in names:
        names.append(found)
    for name in names:
        try:
            lib = ctypes.CDLL(name, use_errno=True)
            break
        except OSError as exc:
            _lib_error = f"cannot load {name}: {exc}"
    else:
        return None
    try:
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_release.restype = None
        lib.seccomp_release.argtypes = [ctypes.c_void_p]
        lib.seccomp_attr_set.restype = ctypes.c_int
        lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
        lib.seccomp_rule_add_array.restype = ctypes.c_int
        lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                               ctypes.c_uint, ctypes.POINTER(_ArgCmp)]
        lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_load.restype = ctypes.c_int
        lib.seccomp_load.argtypes = [ctypes.c_void_p]
        lib.seccomp_version.restype = ctypes.POINTER(_Version)
        lib.seccomp_version.argtypes = []
        lib.seccomp_api_get.restype = ctypes.c_uint
        lib.seccomp_api_get.argtypes = []
    except AttributeError as exc:  # libseccomp < 2.4: no api_get, too old for TSYNC checks
        _lib_error = f"libseccomp too old: {exc}"
        return None
    _lib = lib
    return lib


def library_error() -> str:
    return _lib_error


def status() -> tuple[bool, str]:
    """(available, detail) without installing anything."""
    if not sys.platform.startswith("linux"):
        return False, f"seccomp is Linux-only (this is {sys.platform})"
    lib = load_library()
    if lib is None:
        return False, _lib_error or "libseccomp not found"
    version = lib.seccomp_version().contents
    api = lib.seccomp_api_get()
    detail = f"libseccomp {version.major}.{version.minor}.{version.micro}, API level {api}"
    if api < 1:
        return False, detail + ": kernel has no seccomp filter support"
    if api < 2:
        return False, detail + ": kernel cannot synchronise threads (TSYNC)"
    return True, detail


class FilterError(RuntimeError):
    pass


class Filter:
    """A filter being built for one process; ``load`` installs it on all its threads."""

    def __init__(self, own_pid: int, *, deny_network: bool) -> None:
        lib = load_library()
        if lib is None:
            raise FilterError(_lib_error or "libseccomp not found")
        self.lib = lib
        self.api = lib.seccomp_api_get()
        self.ctx = lib.seccomp_init(SCMP_ACT_ALLOW)
        if not self.ctx:
            raise FilterError("seccomp_init failed")
        try:
            self._build(own_pid, deny_network)
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        if self.ctx:
            self.lib.seccomp_release(self.ctx)
            self.ctx = None

    def _attr(self, attr: int, value: int) -> None:
        rc = self.lib.seccomp_attr_set(self.ctx, attr, value)
        if rc < 0:
            raise FilterError(f"seccomp_attr_set({attr}) failed: {errno.errorcode.get(-rc, rc)}")

    def _resolve(self, name: str) -> int | None:
        number = self.lib.seccomp_syscall_resolve_name(name.encode())
        if number == NR_SCMP_ERROR:
            if name in UNIFIED_NUMBERS and unified_arch():
                return UNIFIED_NUMBERS[name]
            return None  # libseccomp has never heard of it: it exists on no architecture we run
        return number  # negative pseudo-numbers (absent on this arch) are ignored by libseccomp

    def _rule(self, action: int, name: str, *conditions: tuple[int, int, int, int]) -> None:
        number = self._resolve(name)
        if number is None:
            return
        array = (_ArgCmp * max(1, len(conditions)))(*[_ArgCmp(*c) for c in conditions])
        rc = self.lib.seccomp_rule_add_array(self.ctx, action, number, len(conditions), array)
        if rc < 0:
            raise FilterError(f"rule for {name} rejected: {errno.errorcode.get(-rc, rc)}")

    def _build(self, own_pid: int, deny_network: bool) -> None:
        eperm = SCMP_ACT_ERRNO(errno.EPERM)
        self._attr(SCMP_FLTATR_ACT_BADARCH,
                   SCMP_ACT_KILL_PROCESS if self.api >= 3 else SCMP_ACT_KILL_THREAD)
        self._attr(SCMP_FLTATR_CTL_NNP, 1)
        self._attr(SCMP_FLTATR_CTL_TSYNC, 1)  # threads that exist already get it too
        for name in DENIED:
            self._rule(eperm, name)
        # clone: threads only. Denied when CLONE_THREAD is clear, or with any namespace flag.
        self._rule(eperm, "clone", (0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0))
        for flag in CLONE_NAMESPACE_FLAGS:
            self._rule(eperm, "clone", (0, SCMP_CMP_MASKED_EQ, flag, flag))
        # clone3 passes its flags in memory, out of a filter's sight: say "no such call" and
        # glibc (>= 2.34) falls back to clone for pthread_create.
        self._rule(SCMP_ACT_ERRNO(errno.ENOSYS), "clone3")
        # Signals: only at ourselves (raise(), pthread_kill and abort() all target our pid).
        for name in SIGNAL_BY_PID:
            self._rule(eperm, name, (0, SCMP_CMP_NE, own_pid, 0))
        # prlimit64 may read limits (new_limit == NULL) but not set them.
        self._rule(eperm, "prlimit64", (2, SCMP_CMP_NE, 0, 0))
        # prctl: keep the parent-death signal and our memory map descriptors as the worker set them.
        self._rule(eperm, "prctl", (0, SCMP_CMP_MASKED_EQ, 0xFFFFFFFF, PR_SET_PDEATHSIG))
        self._rule(eperm, "prctl", (0, SCMP_CMP_MASKED_EQ, 0xFFFFFFFF, PR_SET_MM))
        # ioctl: no typing into a terminal we might still hold.
        for request in (TIOCSTI, TIOCLINUX):
            self._rule(eperm, "ioctl", (1, SCMP_CMP_MASKED_EQ, 0xFFFFFFFF, request))
        if deny_network:
            for name in NETWORK_DENIED:
                self._rule(eperm, name)
            # socketpair(AF_UNIX) reaches nobody outside (asyncio's self-pipe uses it)
            self._rule(eperm, "socketpair", (0, SCMP_CMP_NE, AF_UNIX, 0))

    def load(self) -> None:
        rc = self.lib.seccomp_load(self.ctx)
        self.release()
        if rc < 0:
            raise FilterError(f"seccomp_load failed: {errno.errorcode.get(-rc, rc)}")
