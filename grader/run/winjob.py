"""Windows Job Objects through ctypes: the portable worker's process tree, killed as one, with a
memory cap and a CPU-time cap.

A worker is started suspended (CREATE_SUSPENDED), put in its own job, then resumed, so nothing it
starts (a venv's `python.exe` is itself a launcher that starts the real interpreter) can run
outside the job. The job is created with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: when the grader
closes its handle, or dies, every process of the job dies. `Job.terminate` is the wall-clock
kill. Memory is JOB_OBJECT_LIMIT_PROCESS_MEMORY (committed memory per process: an allocation
over it fails, which Python raises as MemoryError), CPU is JOB_OBJECT_LIMIT_PROCESS_TIME, and
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION keeps a crashing worker from opening Windows's
error dialog.

Everything Windows-only is reached through `WindowsApi`, loaded only on win32; the structures
and `extended_limits` are plain ctypes and are unit-tested on any platform (tests/test_portable_worker.py)
with a fake API. This module could not be run on Windows where it was written.
"""

from __future__ import annotations

import ctypes
import sys
from ctypes import c_int64, c_size_t, c_uint32, c_uint64, c_void_p
from typing import Protocol

JOB_OBJECT_LIMIT_PROCESS_TIME = 0x00000002
JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x00000100
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000
#: JOBOBJECTINFOCLASS value of JOBOBJECT_EXTENDED_LIMIT_INFORMATION
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9

PROCESS_TERMINATE = 0x0001
PROCESS_SET_QUOTA = 0x0100
PROCESS_SUSPEND_RESUME = 0x0800
#: what the grader needs of a worker's process handle: put it in a job, resume it
PROCESS_ACCESS = PROCESS_TERMINATE | PROCESS_SET_QUOTA | PROCESS_SUSPEND_RESUME

CREATE_SUSPENDED = 0x00000004
CREATE_NEW_PROCESS_GROUP = 0x00000200
CREATE_NO_WINDOW = 0x08000000
#: how the portable worker is created on Windows (subprocess.Popen's creationflags)
CREATION_FLAGS = CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW

#: the exit code of a worker the grader's wall clock ended
KILLED_EXIT_CODE = 0xDEAD
#: committed memory an interpreter with NumPy (and torch) holds before the student's first line;
#: the job's per-process cap is the policy's memory plus this (on Linux, RLIMIT_AS is likewise
#: relative to what the worker maps when it enters the sandbox)
BASELINE_BYTES = 1024**3
#: the unit of PerProcessUserTimeLimit: 100 ns
_TICKS_PER_SECOND = 10_000_000


class IO_COUNTERS(ctypes.Structure):  # noqa: N801 - the Windows SDK's name
    _fields_ = [("ReadOperationCount", c_uint64), ("WriteOperationCount", c_uint64),
                ("OtherOperationCount", c_uint64), ("ReadTransferCount", c_uint64),
                ("WriteTransferCount", c_uint64), ("OtherTransferCount", c_uint64)]


class JOBOBJECT_BASIC_LIMIT_INFORMATION(ctypes.Structure):  # noqa: N801
    _fields_ = [("PerProcessUserTimeLimit", c_int64),  # LARGE_INTEGER
                ("PerJobUserTimeLimit", c_int64),
                ("LimitFlags", c_uint32),  # DWORD
                ("MinimumWorkingSetSize", c_size_t),  # SIZE_T
                ("MaximumWorkingSetSize", c_size_t),
                ("ActiveProcessLimit", c_uint32),
                ("Affinity", c_size_t),  # ULONG_PTR
                ("PriorityClass", c_uint32),
                ("SchedulingClass", c_uint32)]


class JOBOBJECT_EXTENDED_LIMIT_INFORMATION(ctypes.Structure):  # noqa: N801
    _fields_ = [("BasicLimitInformation", JOBOBJECT_BASIC_LIMIT_INFORMATION),
                ("IoInfo", IO_COUNTERS),
                ("ProcessMemoryLimit", c_size_t),
                ("JobMemoryLimit", c_size_t),
                ("PeakProcessMemoryUsed", c_size_t),
                ("PeakJobMemoryUsed", c_size_t)]


def extended_limits(memory_bytes: int | None, cpu_seconds: int | None) -> JOBOBJECT_EXTENDED_LIMIT_INFORMATION:
    """The limits of one worker's job: always killed with the job, never a crash dialog; memory
    and CPU time when the policy sets them."""
    info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION()
    flags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
    if memory_bytes is not None:
        flags |= JOB_OBJECT_LIMIT_PROCESS_MEMORY
        info.ProcessMemoryLimit = min(memory_bytes + BASELINE_BYTES, (1 << (8 * ctypes.sizeof(c_size_t))) - 1)
    if cpu_seconds is not None:
        flags |= JOB_OBJECT_LIMIT_PROCESS_TIME
        info.BasicLimitInformation.PerProcessUserTimeLimit = cpu_seconds * _TICKS_PER_SECOND
    info.BasicLimitInformation.LimitFlags = flags
    return info


class JobApi(Protocol):
    """The Win32 calls a Job needs (WindowsApi; a fake in the tests). Handles are ints; each call
    raises OSError with Windows's error when it fails."""

    def create_job(self) -> int: ...

    def set_limits(self, job: int, info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION) -> None: ...

    def open_process(self, pid: int) -> int: ...

    def assign(self, job: int, process: int) -> None: ...

    def resume(self, process: int) -> None: ...

    def terminate(self, job: int, exit_code: int) -> None: ...

    def close(self, handle: int) -> None: ...


class WindowsApi:
    """kernel32 and ntdll, with argument and result types declared (a HANDLE is pointer-sized:
    left undeclared, ctypes would cut it to a C int on 64-bit Windows)."""

    kernel32: ctypes.CDLL
    ntdll: ctypes.CDLL

    def __init__(self) -> None:
        if sys.platform != "win32":
            raise OSError("Job Objects exist only on Windows")
        self.kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        self.ntdll = ctypes.WinDLL("ntdll")
        handle, bool_, dword = c_void_p, ctypes.c_int, c_uint32
        k = self.kernel32
        k.CreateJobObjectW.argtypes, k.CreateJobObjectW.restype = [c_void_p, ctypes.c_wchar_p], handle
        k.SetInformationJobObject.argtypes = [handle, ctypes.c_int, c_void_p, dword]
        k.SetInformationJobObject.restype = bool_
        k.OpenProcess.argtypes, k.OpenProcess.restype = [dword, bool_, dword], handle
        k.AssignProcessToJobObject.argtypes, k.AssignProcessToJobObject.restype = [handle, handle], bool_
        k.TerminateJobObject.argtypes, k.TerminateJobObject.restype = [handle, ctypes.c_uint], bool_
        k.CloseHandle.argtypes, k.CloseHandle.restype = [handle], bool_
        self.ntdll.NtResumeProcess.argtypes, self.ntdll.NtResumeProcess.restype = [handle], ctypes.c_long

    @staticmethod
    def _failed(what: str) -> OSError:
        return ctypes.WinError(ctypes.get_last_error(), what)  # type: ignore[attr-defined]

    def create_job(self) -> int:
        job = self.kernel32.CreateJobObjectW(None, None)
        if not job:
            raise self._failed("CreateJobObjectW")
        return int(job)

    def set_limits(self, job: int, info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION) -> None:
        if not self.kernel32.SetInformationJobObject(job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
                                                     ctypes.byref(info), ctypes.sizeof(info)):
            raise self._failed("SetInformationJobObject")

    def open_process(self, pid: int) -> int:
        process = self.kernel32.OpenProcess(PROCESS_ACCESS, False, pid)
        if not process:
            raise self._failed("OpenProcess")
        return int(process)

    def assign(self, job: int, process: int) -> None:
        if not self.kernel32.AssignProcessToJobObject(job, process):
            raise self._failed("AssignProcessToJobObject")

    def resume(self, process: int) -> None:
        status = self.ntdll.NtResumeProcess(process)
        if status != 0:
            raise OSError(f"NtResumeProcess failed: NTSTATUS {status & 0xFFFFFFFF:#010x}")

    def terminate(self, job: int, exit_code: int) -> None:
        if not self.kernel32.TerminateJobObject(job, exit_code):
            raise self._failed("TerminateJobObject")

    def close(self, handle: int) -> None:
        self.kernel32.CloseHandle(handle)


class Job:
    """One worker's job: created with its limits, given the suspended worker, ended as one."""

    def __init__(self, memory_bytes: int | None, cpu_seconds: int | None,
                 api: JobApi | None = None) -> None:
        self.api = api if api is not None else WindowsApi()
        self.handle: int | None = self.api.create_job()
        try:
            self.api.set_limits(self.handle, extended_limits(memory_bytes, cpu_seconds))
        except BaseException:
            self.close()
            raise

    def adopt(self, pid: int) -> None:
        """Put the suspended process `pid` in the job, then let it run."""
        assert self.handle is not None
        process = self.api.open_process(pid)
        try:
            self.api.assign(self.handle, process)
            self.api.resume(process)
        finally:
            self.api.close(process)

    def terminate(self) -> None:
        """Kill every process of the job (the wall-clock limit); a job already empty is fine."""
        if self.handle is not None:
            try:
                self.api.terminate(self.handle, KILLED_EXIT_CODE)
            except OSError:
                pass

    def close(self) -> None:
        """Close the job's handle: with KILL_ON_JOB_CLOSE, whatever is left of it dies."""
        if self.handle is not None:
            self.api.close(self.handle)
            self.handle = None
