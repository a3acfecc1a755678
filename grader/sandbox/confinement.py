"""Confinement of the learner's process, applied in the worker after its own imports and before the learner's
file is loaded. It never loosens: once applied, neither the learner's code nor anything it starts can undo it.

- Resource limits (POSIX): memory (RLIMIT_DATA, which TensorFlow tolerates where RLIMIT_AS does not), the
  size of any file it writes, no core files.
- Landlock (Linux 5.13 and later, unprivileged): reads only from the Python installation, the system's
  libraries, its own /proc entry and the submission file itself (never the reference solutions, other
  students' files or the grader's process through /proc); writes only in its scratch folder; no TCP
  (Linux 6.7); no signals to processes outside its own tree, so it cannot stop the grader (Linux 6.12).

- Capabilities: none, and none to regain (the bounding set is emptied): a grader run as root runs learner code
  as a root without powers, which also cannot read what in /etc only root may (hidden by Landlock).

`apply` returns what this platform could not enforce, in words, so the grader can say so.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib.machinery
import os
import signal
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import syscalls

_SYSTEM_READABLE = (
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/bin",
    "/sbin",
    "/etc",
    "/sys/devices/system/cpu",
    "/sys/fs/cgroup",
)
# Machine-wide facts that numerical libraries read (TensorFlow aborts without them), and the process's own
# /proc entry (resolved now, so it is this process's and never the grader's).
_PROC_READABLE = ("/proc/self", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat")
_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
# What the CUDA driver reads to find the GPU (only when grading on it).
_GPU_READABLE = ("/proc/driver/nvidia", "/sys/bus/pci", "/sys/devices", "/sys/module/nvidia")


@dataclass(frozen=True)
class Confinement:
    scratch: str  # the only folder it may write in (its working directory)
    submission: str  # the only file of the grader's it may read
    hidden: tuple[str, ...]  # never readable, even inside readable folders (the references, banned packages)
    memory_bytes: int
    file_bytes: int
    gpu: bool = False  # the NVIDIA device files and driver facts, for grading on the GPU


def apply(confinement: Confinement) -> list[str]:
    missing = _limit_resources(confinement)
    try:
        missing += _landlock(confinement)
    except Exception as exc:  # never blame the learner for our set-up: grade, and say what is missing
        missing.append(f"files: the file sandbox could not be set up ({type(exc).__name__}: {exc})")
    return missing + _drop_capabilities()


def load_libraries() -> None:
    """Import and load now what `apply` and the seccomp filter need whatever the configuration says, and find
    what only root may read (`root_secrets`): a learner's process started early (`early`) does this while it
    waits for its configuration, so that applying it costs only the rules (landlockpy's import alone, with
    ctypes.util's subprocess, is 8-25 ms). Anything missing here is met, and said, where it is used."""
    with contextlib.suppress(Exception):
        import resource  # noqa: F401

        import landlockpy

        syscalls.by_soname(landlockpy.abi_version)  # landlockpy keeps the libc it found
    with contextlib.suppress(Exception):
        syscalls.binding()
    root_secrets()


@dataclass(frozen=True)
class Common:
    """What every learner's process of one zygote shares, which the zygote holds itself (see `zygote`): the
    folder every scratch folder is made in, what no learner may read, the file size limit. Each forked
    learner's process then applies its own `Confinement` on top: Landlock layers and seccomp filters stack,
    and a process can only ever narrow what its parent held."""

    writable: str  # the only folder it may write in (the grader's temporary folder, where scratch folders are)
    hidden: tuple[str, ...]  # never readable (the references, the exercise's banned packages, what only root may)
    file_bytes: int

    @classmethod
    def from_plain(cls, data: dict) -> Common:
        """A `Common` from `dataclasses.asdict` of one sent as JSON (its hidden folders came back as a list)."""
        return cls(data["writable"], tuple(data["hidden"]), data["file_bytes"])


# What a Landlock layer this process inherited (its zygote's) already hides, resolved: set in the zygote once its
# layer is in force, and so known to every child it forks. A child's own layer need not carve these out again
# (layers stack: a file is read only if every layer allows it), so it has a few dozen rules instead of a
# thousand (a banned package's site-packages carved file by file), and takes 4 ms instead of 15.
_inherited_hidden: frozenset[str] = frozenset()


# Paths resolved by a zygote before it forks (`prepare`), so that its children do not resolve them again: the
# folders every learner's layer names (the system's, the Python installation's, the hidden ones) never change
# while a zygote serves. A process's own (/proc/self, its working folder) are never kept.
_resolved: dict[str, str] = {}


def _resolve(path: str) -> str:
    found = _resolved.get(path)
    if found is None:
        found = os.path.realpath(path)
        if os.path.isabs(path) and not path.startswith("/proc/self") and path != os.getcwd():
            _resolved[path] = found
    return found


def _still_hidden(hidden: tuple[str, ...]) -> list[str]:
    """The hidden folders, resolved, with what only root may read (`root_secrets`), that no inherited layer
    hides already."""
    return [h for h in map(_resolve, (*hidden, *root_secrets())) if h not in _inherited_hidden]


def root_secrets() -> tuple[str, ...]:
    """Run as root, the grader owns /etc/shadow and the like: the learner's process must not read them. Found
    by the process that confines itself, before it is confined (as root too): an early-started one does it
    while it waits for its configuration (the walk of /etc takes 10-15 ms)."""
    return unreadable_to_others("/etc") if hasattr(os, "geteuid") and os.geteuid() == 0 else ()


def apply_common(common: Common) -> list[str]:
    """The zygote's confinement: no core files, the file size limit, a Landlock layer (read anything but the
    hidden folders, write only in `writable`, the devices and /proc; no TCP; no signals out of its tree) and no
    capabilities. Looser than any learner's, never looser than what all of them share."""
    import resource

    missing = []
    for limit, value in ((resource.RLIMIT_FSIZE, common.file_bytes), (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            missing.append(f"resource limit {limit} could not be set")
    global _inherited_hidden
    try:
        not_enforced = _common_landlock(common)
        if not not_enforced:
            _inherited_hidden = frozenset(map(os.path.realpath, (*common.hidden, *root_secrets())))
        missing += not_enforced
    except Exception as exc:
        missing.append(f"files: the zygote's file sandbox could not be set up ({type(exc).__name__}: {exc})")
    return missing + _drop_capabilities()


def _common_landlock(common: Common) -> list[str]:
    if not sys.platform.startswith("linux"):
        return ["files: no Landlock (needs Linux)"]
    try:
        import landlockpy
        from landlockpy import AccessFS, AccessNet, Scope
    except ImportError:
        return ["files: landlockpy is not installed"]
    if syscalls.by_soname(landlockpy.abi_version) < 1:
        return ["files: Landlock is off in this kernel"]
    hidden = [os.path.realpath(h) for h in (*common.hidden, *root_secrets())]
    read = AccessFS.READ_FILE | AccessFS.READ_DIR | AccessFS.EXECUTE
    file_rights = AccessFS.READ_FILE | AccessFS.WRITE_FILE | AccessFS.EXECUTE | AccessFS.TRUNCATE
    device_rights = AccessFS.READ_FILE | AccessFS.WRITE_FILE | getattr(AccessFS, "IOCTL_DEV", 0)
    scopes = Scope.SIGNAL | Scope.ABSTRACT_UNIX_SOCKET
    with landlockpy.Ruleset(handled_net=AccessNet.BIND_TCP | AccessNet.CONNECT_TCP, scoped=scopes) as ruleset:
        _allow_plan(_Rules(ruleset), _plan("/", hidden), read, read & file_rights, AccessFS.READ_DIR)
        for device in (*_DEVICES, *_gpu_devices()):
            with contextlib.suppress(OSError):
                ruleset.allow_path(device, device_rights | (read if os.path.isdir(device) else 0))
        with contextlib.suppress(OSError):  # each learner's own /proc entry (CUDA writes there), the driver's
            ruleset.allow_path("/proc", read | AccessFS.WRITE_FILE)
        ruleset.allow_path(os.path.realpath(common.writable), ruleset.handled_fs)
        ruleset.restrict()
    return []


_PR_CAPBSET_DROP, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
_CAPABILITY_VERSION_3 = 0x20080522


def _drop_capabilities() -> list[str]:
    """A grader run as root (a CI runner, a container) would run learner code with every capability: fanotify
    on the grader's files, real-time priority, reboot, device nodes. Drop them all, for good: the bounding set
    first (so no program it starts gets them back), then its own."""
    if not sys.platform.startswith("linux"):
        return []
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in range(64):  # EINVAL past the kernel's last one; EPERM when it had none to drop
        libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0)
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    if libc.capset(header, (ctypes.c_uint32 * 6)()) != 0:
        return [f"capabilities: learner code keeps this user's capabilities (capset: errno {ctypes.get_errno()})"]
    return []


@functools.cache
def unreadable_to_others(folder: str = "/etc") -> tuple[str, ...]:
    """What in `folder` only its owner or group may read (/etc/shadow, SSH host keys, sudoers): hidden from the
    learner's process when the grader runs as root, who owns them, so that it reads only what any user may."""
    found = []
    for root, folders, files in os.walk(folder):
        for name in list(folders):
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):
                if os.lstat(path).st_mode & 0o005 != 0o005:
                    found.append(path)
                    folders.remove(name)
        for name in files:
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):
                mode = os.lstat(path).st_mode
                if stat.S_ISREG(mode) and not mode & 0o004:
                    found.append(path)
    return tuple(found)


def _limit_resources(confinement: Confinement) -> list[str]:
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return ["memory: no limit on this platform"]
    missing = []
    for limit, value in (
        (resource.RLIMIT_DATA, confinement.memory_bytes),
        (resource.RLIMIT_FSIZE, confinement.file_bytes),
        (resource.RLIMIT_CORE, 0),
    ):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            missing.append(f"resource limit {limit} could not be set")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write raises OSError instead of killing
    # Ctrl-C raises KeyboardInterrupt as in any Python, even where the grader was started with SIGINT ignored
    # (a background job of a script): the learner's process would inherit that, and its code behave otherwise.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return missing


def _within(path: str, folder: str) -> bool:
    """Both resolved, as text (`folder in path.parents` costs a Path per ancestor, thousands per worker)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _readable_parts(root: str, hidden: list[str]) -> list[tuple[str, bool]]:
    """`root` minus the `hidden` folders, as whole subtrees (Landlock grants subtrees and cannot carve holes),
    each with whether it is a folder; all resolved. A link met in a folder being split is followed: what it leads
    to is split the same way, once (a venv's lib64 leads to its lib, which is split already). One listing per
    folder split, whose entries' kinds come with it (`os.scandir`): no `stat` but for links."""
    parts: dict[str, bool] = {}
    walked: set[str] = set()

    def walk(folder: str) -> None:
        if folder in walked or any(_within(folder, h) for h in hidden):
            return
        walked.add(folder)
        inside = [h for h in hidden if _within(h, folder)]
        if not inside:
            parts.setdefault(folder, os.path.isdir(folder))
            return
        split = _listed_only(folder, inside) | set(inside)  # the entries to look into: hidden, or holding one
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            return
        for entry in entries:
            if entry.is_symlink():
                walk(os.path.realpath(entry.path))
            elif entry.path in split:
                walk(entry.path)
            else:
                parts.setdefault(entry.path, entry.is_dir(follow_symlinks=False))

    walk(root)
    return list(parts.items())


def _listed_only(root: str, hidden: list[str]) -> set[str]:
    """The folders split around hidden ones: listed but not read, so that imports and `importlib.metadata`
    still find what sits beside a hidden folder (a listing right reaches down into it too, but only names).
    `root` and `hidden` are resolved."""
    listed = set()
    for h in hidden:
        if h != root and _within(h, root):
            folder = os.path.dirname(h)
            while _within(folder, root):
                listed.add(folder)
                if folder == root:
                    break
                folder = os.path.dirname(folder)
    return listed


def _readable_roots(gpu: bool) -> list[str]:
    """The readable folders, resolved, leaving out those inside another (site-packages inside the venv)."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *_SYSTEM_READABLE, *_PROC_READABLE}
    roots.update(p for p in sys.path if p)
    if gpu:
        roots.update(_GPU_READABLE)
    resolved = sorted({_resolve(p) for p in roots if os.path.exists(p)}, key=len)  # a folder before those inside it
    outermost: list[str] = []
    for root in resolved:
        if not any(_within(root, outer) for outer in outermost):
            outermost.append(root)
    return sorted(outermost)


_Plan = tuple[tuple[tuple[str, bool], ...], tuple[str, ...]]
_plans: dict[tuple[str, tuple[str, ...]], _Plan] = {}  # made by a zygote before it forks (`prepare`)


def _plan(root: str, hidden: list[str]) -> _Plan:
    """What of `root` (resolved) a learner reads, each part with whether it is a folder, and the folders it
    only lists: the zygote's, when it made this plan before forking, else made now."""
    plan = _plans.get((root, tuple(hidden)))
    if plan is None:
        plan = (tuple(_readable_parts(root, hidden)), tuple(sorted(_listed_only(root, hidden))))
    return plan


def prepare(confinement: Confinement) -> None:
    """In a zygote, before it forks a learner's process confined by `confinement`: the plans of its readable
    folders (the walk around the hidden ones, most of the Landlock layer's cost), kept for every later child
    with the same hidden folders. Its own /proc entry and its folder on sys.path are not planned: each
    child's are its own, and made by the child."""
    hidden = _still_hidden(confinement.hidden)
    own = {os.path.realpath("/proc/self"), os.path.realpath(os.getcwd())}
    for root in _readable_roots(confinement.gpu):
        if root not in own and (root, tuple(hidden)) not in _plans:
            _plans[root, tuple(hidden)] = _plan(root, hidden)


class _PathBeneath(ctypes.Structure):
    """struct landlock_path_beneath_attr (packed)."""

    _pack_ = 1
    _layout_ = "ms"  # what `_pack_` implies; said, as Python 3.14 asks
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


_ADD_RULE = ctypes.c_long(445)  # landlock_add_rule: one number on every architecture
_RULE_PATH_BENEATH = 1


class _Rules:
    """Path rules added to a landlockpy ruleset by the system call itself, through one structure: ~5 µs a rule
    where `Ruleset.allow_path` takes ~30 (flag arithmetic and a new ctypes structure for each). A learner's
    layer has about a thousand when a banned package's site-packages is carved entry by entry."""

    def __init__(self, ruleset):
        self._ruleset = ruleset.fileno()
        self._handled = int(ruleset.handled_fs)
        self._attr = _PathBeneath()
        self._pointer = ctypes.byref(self._attr)
        self._syscall = ctypes.CDLL(None, use_errno=True).syscall
        self._syscall.restype = ctypes.c_long

    def allow(self, path: str, access: int) -> None:
        """Grant `access` (masked by what the ruleset handles) beneath `path`; OSError when it cannot."""
        granted = access & self._handled
        if not granted:
            return
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        try:
            self._attr.allowed_access, self._attr.parent_fd = granted, fd
            if self._syscall(_ADD_RULE, self._ruleset, _RULE_PATH_BENEATH, self._pointer, 0) == -1:
                error = ctypes.get_errno()
                raise OSError(error, os.strerror(error), path)
        finally:
            os.close(fd)


def _allow_plan(rules: _Rules, plan: _Plan, folder_rights: int, file_rights: int, list_rights: int) -> None:
    """A plan's rules: each readable part whole, each folder split around a hidden one to be listed only."""
    parts, listed = plan
    folder_rights, file_rights, list_rights = int(folder_rights), int(file_rights), int(list_rights)
    for part, is_dir in parts:
        try:
            rules.allow(part, folder_rights if is_dir else file_rights)
        except OSError:  # vanished, or a socket or a path we may not open
            continue
    for folder in listed:
        with contextlib.suppress(OSError):
            rules.allow(folder, list_rights)


def _gpu_devices() -> tuple[str, ...]:
    return tuple(str(p) for p in sorted(Path("/dev").glob("nvidia*")))


def _landlock(confinement: Confinement) -> list[str]:
    if not sys.platform.startswith("linux"):
        return ["files: learner code can read and write every file you can (Landlock needs Linux)"]
    try:
        import landlockpy
        from landlockpy import AccessFS, AccessNet, Scope
    except ImportError:
        return ["files: learner code can read and write every file you can (landlockpy is not installed)"]
    abi = syscalls.by_soname(landlockpy.abi_version)
    if abi < 1:
        return ["files: learner code can read and write every file you can (Landlock is off in this kernel)"]
    # Imports later in the learner's code find modules through directory listings cached now, so that folders
    # split around the hidden ones (which lose their own listing right) still import.
    importlib.machinery.PathFinder.find_spec("_grader_warm_import_caches")
    hidden = _still_hidden(confinement.hidden)
    read = AccessFS.READ_FILE | AccessFS.READ_DIR | AccessFS.EXECUTE
    file_rights = AccessFS.READ_FILE | AccessFS.WRITE_FILE | AccessFS.EXECUTE | AccessFS.TRUNCATE
    scopes = Scope.SIGNAL | Scope.ABSTRACT_UNIX_SOCKET
    with landlockpy.Ruleset(handled_net=AccessNet.BIND_TCP | AccessNet.CONNECT_TCP, scoped=scopes) as ruleset:
        rules = _Rules(ruleset)
        for root in _readable_roots(confinement.gpu):
            _allow_plan(rules, _plan(root, hidden), read, read & file_rights, AccessFS.READ_DIR)
        ruleset.allow_path(confinement.submission, AccessFS.READ_FILE)
        for device in _DEVICES:
            if os.path.exists(device):
                ruleset.allow_path(device, AccessFS.READ_FILE | AccessFS.WRITE_FILE)
        if confinement.gpu:  # the CUDA driver talks to its devices by ioctl (a right of its own since Linux 6.10)
            gpu_rights = AccessFS.READ_FILE | AccessFS.WRITE_FILE | getattr(AccessFS, "IOCTL_DEV", 0)
            for device in _gpu_devices():
                with contextlib.suppress(OSError):
                    ruleset.allow_path(device, gpu_rights if not os.path.isdir(device) else gpu_rights | read)
            # CUDA also writes to the process's own /proc entry and the driver's (seen on an H100: read-only
            # access there makes cudaGetDeviceCount fail with "OS call failed"); both are its own or the driver's.
            for path in ("/proc/self", "/proc/driver/nvidia"):
                with contextlib.suppress(OSError):
                    ruleset.allow_path(os.path.realpath(path), ruleset.handled_fs)
        ruleset.allow_path(confinement.scratch, ruleset.handled_fs)
        ruleset.restrict()
    missing = []
    if abi < 4:
        missing.append("network: learner code may open connections (needs Linux 6.7)")
    if abi < 6:
        missing.append("signals: learner code could signal the grader's processes (needs Linux 6.12)")
    return missing
