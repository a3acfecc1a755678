"""How a learner's process is started as a fresh interpreter: its command, environment and pipes.

Light on purpose (no numpy, nothing of the engine): `early` starts a learner's process with it before the
grader has imported itself, and `worker` starts one with it when none was started early and no zygote is kept.
"""

from __future__ import annotations

import contextlib
import os
import signal
import site
import subprocess
import sys

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
_PIPE_BYTES = 1 << 20  # the most an unprivileged process may ask (/proc/sys/fs/pipe-max-size)
_PASSED_ENVIRONMENT = ("PATH", "LANG", "LANGUAGE", "TZ", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "PYTHONPATH")


def available() -> bool:
    """Forking learners from a zygote (`zygote`) needs Linux's pidfds (5.3) and Unix sockets that carry
    descriptors."""
    return sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")


def wanted(default: bool) -> bool:
    """Whether a worker started now is forked by a zygote: GRADE_ZYGOTE=off never, =on always, else `default`."""
    setting = os.environ.get("GRADE_ZYGOTE", "").strip().lower()
    if setting in ("0", "off", "no", "false"):
        return False
    return available() and (default or setting in ("1", "on", "yes", "true"))


def installed(package_root: str) -> bool:
    """Whether the grader lives in one of this interpreter's site folders (installed from a wheel, as a
    Gradescope image has it) rather than in a source checkout: there its folder is where numpy and every other
    package is found too, so it is neither added to the learner's path nor taken off it."""
    folders = [*getattr(site, "getsitepackages", list)(), site.getusersitepackages()]
    return os.path.realpath(package_root) in {os.path.realpath(folder) for folder in folders}


def learner_package_root() -> str | None:
    """The folder the learner's process imports the grader from and then removes from its path (None: the
    interpreter finds the grader by itself, and that folder must stay)."""
    return None if installed(PACKAGE_ROOT) else PACKAGE_ROOT


def environment(scratch: str, gpu: bool) -> dict[str, str]:
    """Only what Python needs: no secrets of the instructor's (a marking seed, tokens) reach learner code."""
    env = {k: v for k, v in os.environ.items() if k in _PASSED_ENVIRONMENT or k.startswith("LC_")}
    env.pop("CUDA_VISIBLE_DEVICES", None)
    if not gpu:
        env["CUDA_VISIBLE_DEVICES"] = "-1"  # TensorFlow neither looks for a GPU nor takes its memory
    else:
        from grader import backends

        callers = backends.worker_cuda_devices()  # the grader's own TensorFlow is told to see no GPU
        if callers is not None:
            env["CUDA_VISIBLE_DEVICES"] = callers
    env["PYTHONPATH"] = os.pathsep.join(p for p in (learner_package_root(), env.get("PYTHONPATH")) if p)
    env.update(
        HOME=scratch,
        TMPDIR=scratch,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
        PYTHONIOENCODING="utf-8",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        TF_CPP_MIN_LOG_LEVEL="2",  # TensorFlow's start-up chatter is not the learner's output
        TF_FORCE_GPU_ALLOW_GROWTH="true",
        KERAS_BACKEND="tensorflow",
    )
    return env


def widen(pipe: int) -> None:
    """Let a pipe hold a whole 1 MB request: a speed bar's timed call then crosses in one write, not in sixteen
    turns of both processes, each of which waits for a core on a busy machine (Linux; elsewhere as it is)."""
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import fcntl

        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


def launch(arguments: list[str], folder: str, gpu: bool, passed: tuple[int, int], output: int) -> subprocess.Popen:
    """`python -m grader.sandbox.learner ARGUMENTS...` in `folder`, in a session of its own, with the descriptors
    `passed` (its request and reply pipes) and `output` as its stdout and stderr."""
    return subprocess.Popen(
        [sys.executable, "-m", "grader.sandbox.learner", *arguments],
        pass_fds=passed,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=output,
        cwd=folder,
        env=environment(folder, gpu),
        start_new_session=True,
    )
