"""The learner's home: each learner's process has its scratch folder as HOME, empty, so that nothing of the
instructor's (tokens, histories, configuration) reaches learner code. One thing a fresh home costs on every
check is given back here: matplotlib's list of the machine's fonts, which Keras needs whenever TensorFlow is
imported (`keras.src.visualization` imports pyplot) and a notebook's plotting cells need too. Without it
matplotlib searches every font folder and reads every font again in each learner's process: 0.15 s on a
machine with 70 fonts, seconds on a laptop with hundreds, twice in a check of exercise 6 (two workers).

The list copied is the one matplotlib keeps for the user running the grader (where `matplotlib.get_cachedir()`
would find it, worked out without importing matplotlib), so learner code sees the fonts the learner's own
notebooks see; where there is none, the learner's process builds its own as before. Only files named as
matplotlib names its lists (`fontlist-v*.json`), plain and of a sane size, are copied, never a link. The
learner's process can read that folder anyway but cannot write there (Landlock allows writing only in its
scratch folder), so a list one learner's code rewrote in its own home never reaches another's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys

_LIST_BYTES = 16 * 1024 * 1024  # a font list is tens of kilobytes; anything far larger is not one


def furnish(home: str) -> None:
    """Copy the user's matplotlib font lists into `home`, where matplotlib looks in a process whose HOME it is
    (and MPLCONFIGDIR and XDG_CACHE_HOME unset, as in the learner's environment)."""
    source = _cache_folder(os.environ, os.path.expanduser("~"))
    target = _cache_folder({}, home)
    if source is None or target is None or os.path.realpath(source) == os.path.realpath(target):
        return
    with contextlib.suppress(OSError):  # no list, or none readable: the learner's matplotlib builds one
        names = [n for n in os.listdir(source) if n.startswith("fontlist-v") and n.endswith(".json")]
        for name in names:
            _copy(os.path.join(source, name), target, name)


def _copy(path: str, target: str, name: str) -> None:
    with contextlib.suppress(OSError):
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _LIST_BYTES:
            return
        os.makedirs(target, exist_ok=True)
        shutil.copyfile(path, os.path.join(target, name), follow_symlinks=False)


def _cache_folder(environment, home: str) -> str | None:
    """matplotlib's cache folder for a process with this environment and home, as `matplotlib.get_cachedir`
    works it out (MPLCONFIGDIR first; on Linux and BSD the XDG cache folder; elsewhere ~/.matplotlib)."""
    configured = environment.get("MPLCONFIGDIR")
    if configured:
        return os.path.abspath(configured)
    if not home or home == "~":
        return None
    if sys.platform.startswith(("linux", "freebsd")):
        base = environment.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
        return os.path.join(base, "matplotlib")
    return os.path.join(home, ".matplotlib")
