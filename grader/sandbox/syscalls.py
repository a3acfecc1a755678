"""The seccomp filter of the learner's process: no reach into other processes, no sockets.

Landlock (`confinement`) decides which files the learner's process may touch; this filter decides which system
calls it may make about *other processes* and the network, which Landlock does not cover (or covers only on
recent kernels). It is loaded last, in the learner's process, with no_new_privs; every process the learner's code
starts inherits it, and nothing can remove it.

- Limits, priority and affinity (`prlimit64`, `setpriority`, `sched_setaffinity`, ...): only of the process
  itself, named as pid 0 as libc does (`resource.setrlimit`, `os.sched_setaffinity(0, ...)`); another process's
  are neither changed nor read. Priority calls must name a process (`PRIO_PROCESS`): a user's or a group's
  would reach the grader. (Reading another thread's scheduling policy stays allowed: TensorFlow's mutexes ask.)
- Another process's memory and state (`ptrace`, `process_vm_readv`/`writev`, `pidfd_getfd`, `kcmp`, ...):
  refused outright.
- Sockets of every family (`socket`); only `socketpair`, which reaches no one, and the pipes it was given.
  `io_uring` is refused too: its requests (sockets among them) would bypass this filter.
- The kernel's keyring (shared by the user's processes), BPF, perf events, userfaultfd: refused.
- `memfd_create` (memory no limit sees), fanotify, reboot, mounts, modules, the clock and the host name:
  refused, as a second lock behind the dropped capabilities of a grader run as root.
A refused call fails with EPERM (sockets: EACCES), as a normal permission error the learner's code can handle.
Syscalls of another architecture (32-bit `int 0x80`) kill the process (libseccomp's default).

The filter compares 64-bit registers, so a pid with high bits set (which the kernel would cut to the grader's
pid) is refused too. Building and loading it takes about 2 ms. libseccomp, and the libc that Landlock's calls go
through, are found by their sonames, not by `ctypes.util.find_library`, which would run `ldconfig` (40 ms) in
every worker.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_PRIO_PROCESS = 0
_IOPRIO_WHO_PROCESS = 1

# Calls whose first argument is the pid they act on (0: the caller).
_PID_FIRST = (
    "prlimit64",
    "sched_setaffinity",
    "sched_getaffinity",
    "sched_setscheduler",
    "sched_setparam",
    "sched_setattr",
    "migrate_pages",
    "move_pages",
    "get_robust_list",
)
# Calls of the form (which, who, ...): `which` must name a process, and `who` must be 0.
_WHICH_WHO = (
    ("setpriority", _PRIO_PROCESS),
    ("getpriority", _PRIO_PROCESS),
    ("ioprio_set", _IOPRIO_WHO_PROCESS),
    ("ioprio_get", _IOPRIO_WHO_PROCESS),
)
_REFUSED = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "process_mrelease",
    "pidfd_getfd",
    "kcmp",
    "perf_event_open",
    "bpf",
    "userfaultfd",
    "add_key",
    "request_key",
    "keyctl",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    # What only a privileged process may do (and a grader run as root would pass on): its capabilities are
    # dropped too, this is the second lock.
    "fanotify_init",
    "reboot",
    "sethostname",
    "setdomainname",
    "mount",
    "umount2",
    "pivot_root",
    "swapon",
    "swapoff",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "acct",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    # Memory in anonymous files is in no process's RSS (the guardian's watch) and outside RLIMIT_DATA.
    "memfd_create",
    "memfd_secret",
)
_SONAMES = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}


def by_soname(load: Callable[[], T]) -> T:
    """`load()` with `ctypes.util.find_library` answering a glibc system's sonames (libc.so.6, libseccomp.so.2)
    without running `ldconfig` (40 ms, in every fresh worker); where loading by soname fails (musl), again as
    ctypes finds the library."""
    import ctypes.util

    found = ctypes.util.find_library
    ctypes.util.find_library = lambda name: _SONAMES.get(name) or found(name)
    try:
        return load()
    except OSError:
        pass
    finally:
        ctypes.util.find_library = found
    return load()


def _import_pyseccomp():
    try:
        import pyseccomp
    except OSError:
        sys.modules.pop("pyseccomp", None)
        raise
    return pyseccomp


def binding():
    """pyseccomp, loading libseccomp by its soname (a glibc system); else as pyseccomp finds it."""
    return by_soname(_import_pyseccomp)


_loaded = False  # this process has the filter: loaded here, or in the zygote it was forked from


def restrict() -> list[str]:
    """Load the filter into this process; what could not be enforced, in words (for the report's warnings).
    A process that has it already (forked by a zygote, which loaded it) keeps it: a filter is inherited by
    every child and can never be removed, so loading the same one again would change nothing."""
    global _loaded
    if _loaded:
        return []
    try:
        seccomp = binding()
    except (ImportError, OSError) as exc:  # not Linux, or libseccomp.so.2 missing
        reason = "pyseccomp is not installed" if isinstance(exc, ImportError) else "libseccomp is missing"
        return [f"processes: learner code could change other processes' limits and priority ({reason})"]
    try:
        syscall_filter = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        refuse = seccomp.ERRNO(errno.EPERM)
        for name in _PID_FIRST:
            syscall_filter.add_rule(refuse, name, seccomp.Arg(0, seccomp.NE, 0))
        for name, which in _WHICH_WHO:
            syscall_filter.add_rule(refuse, name, seccomp.Arg(0, seccomp.NE, which))
            syscall_filter.add_rule(refuse, name, seccomp.Arg(1, seccomp.NE, 0))
        for name in _REFUSED:
            try:
                syscall_filter.add_rule(refuse, name)
            except Exception:  # a call this libseccomp does not know (memfd_secret before 2.5.2): none to refuse
                continue
        syscall_filter.add_rule(seccomp.ERRNO(errno.EACCES), "socket")
        syscall_filter.load()
    except Exception as exc:  # an old kernel or libseccomp: grade, and say what is missing
        return [f"processes: the system-call filter could not be loaded ({type(exc).__name__}: {exc})"]
    _loaded = True
    return []
