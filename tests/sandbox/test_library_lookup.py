"""A worker's start never runs `ldconfig`: libseccomp and the libc that Landlock's calls go through are loaded
by their sonames (`syscalls.by_soname`), since `ctypes.util.find_library` starts a process (40 ms) each time,
in every fresh learner's process and every zygote."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent(
    """
    import ctypes.util, os, sys, tempfile
    asked = []
    found = ctypes.util.find_library
    ctypes.util.find_library = lambda name: asked.append(name) or found(name)
    from grader.sandbox import confinement, syscalls
    folder = tempfile.mkdtemp()
    rules = confinement.Confinement(folder, sys.argv[1], (), 1 << 30, 1 << 20)
    missing = confinement.apply(rules) + syscalls.restrict()
    print(asked, [m for m in missing if "not installed" in m])
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Landlock and seccomp are Linux's")
def test_confining_a_learners_process_looks_up_no_library_by_name():
    done = subprocess.run(
        [sys.executable, "-c", CHILD, __file__], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "[]"]
