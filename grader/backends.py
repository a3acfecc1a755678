"""Which TensorFlow devices exercise 6 is graded on (`--backend cpu|gpu|auto`).

The learner's model runs in the worker on every device graded; the reference always runs in the grader's
own process on the CPU (its outputs are the ground truth, and the grader never takes GPU memory). Which
devices exist is asked of the worker's TensorFlow, inside the sandbox, because that is where the model runs;
`tf.device('/GPU:0')` on a machine without one silently runs on the CPU, so the observation also records where
each output was really computed, and the comparison refuses a mismatch.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from pathlib import Path

from grader.errors import GraderError

CHOICES = ("cpu", "gpu", "auto")
# The caller's GPU selection, kept for the worker before the grader's own TensorFlow is told to see none.
_CALLERS_CUDA_DEVICES = os.environ.get("CUDA_VISIBLE_DEVICES")


class BackendUnavailable(GraderError):
    """`--backend gpu` where TensorFlow has no GPU: a usage error, nothing is graded."""


def usable_cores() -> int:
    """The CPU cores this process may run on: its affinity where the platform has one, else the machine's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def nvidia_present() -> bool:
    """An NVIDIA driver's device files: without them TensorFlow has no GPU (a cheap test, no import)."""
    return any(Path("/dev").glob("nvidia[0-9]*"))


def no_gpu_message(reason: str) -> str:
    return f"--backend gpu: {reason}; grade on the CPU with --backend cpu (or auto, which uses a GPU when present)"


def check_request(backend: str) -> None:
    """Refuse `gpu` at once on a machine with no NVIDIA device (before anything is graded, whatever the exercise:
    the grader was asked for a GPU). The choice itself is checked by `engine.Options`."""
    if backend == "gpu" and not nvidia_present():
        raise BackendUnavailable(no_gpu_message("this machine has no NVIDIA GPU"))


def worker_may_use_gpu(backend: str) -> bool:
    return backend != "cpu" and nvidia_present()


def worker_cuda_devices() -> str | None:
    return _CALLERS_CUDA_DEVICES


def resolve(backend: str, present: tuple[str, ...]) -> tuple[str, ...]:
    """The devices to grade on, from what the worker's TensorFlow has (`present`, e.g. ("cpu", "gpu"))."""
    if backend == "cpu":
        return ("cpu",)
    if backend == "gpu":
        if "gpu" not in present:
            raise BackendUnavailable(no_gpu_message("TensorFlow finds no GPU it can use (is it the CUDA build?)"))
        return ("gpu",)
    return ("cpu", "gpu") if "gpu" in present else ("cpu",)


def import_tensorflow_for_references() -> None:
    """TensorFlow and Keras in the grader's process, on the CPU only (the references never use a GPU) and
    quietly (TensorFlow's start-up lines on the terminal would look like part of the report); they are shown if
    the import fails. Once per process; a second thread asking meanwhile waits for the first (the two would
    otherwise swap the process's stderr under each other, and one could leave it pointing at a deleted file)."""
    global _REFERENCES_TENSORFLOW
    with _REFERENCES_TENSORFLOW_LOCK:
        if _REFERENCES_TENSORFLOW:
            return
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"  # the worker gets the caller's value, kept above
        import grader.keras_observe  # noqa: F401  (chooses Keras' backend and log level before Keras is imported)

        failure = None
        with tempfile.TemporaryFile() as chatter:
            with _stderr_to(chatter):
                try:
                    import keras  # noqa: F401
                    import tensorflow as tf

                    tf.config.list_physical_devices()  # where TensorFlow looks for CUDA and says so
                except BaseException as exc:
                    failure = exc
            if failure is not None:
                chatter.seek(0)
                os.write(2, chatter.read())
                raise failure
        _REFERENCES_TENSORFLOW = True


_REFERENCES_TENSORFLOW = False
_REFERENCES_TENSORFLOW_LOCK = threading.Lock()


@contextlib.contextmanager
def _stderr_to(file):
    saved = os.dup(2)
    try:
        os.dup2(file.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
