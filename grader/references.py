"""Where the reference solutions are: the one place that finds them.

The repository keeps them in its top-level `solutions/` folder (with the classic mistakes in
`solutions/mistakes/`), and a source tree or an editable install imports them as `solutions`. A wheel ships the
same files under the grader's own name, `grader_references` (pyproject's package-dir), so an installed grader
puts no top-level `solutions` package into site-packages. A student release (`grade release`) has neither:
`available()` is False there and the grader judges by recorded answers (`grader.answers`).

Every place that needs the references (the reference functions, the mistakes' files, the folders the learner's
process must never read, the names a learner may not import, the digest of the code that decides a grade) asks
this module; none spells a folder or a package name of its own.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import types
from pathlib import Path

SOURCE_NAME = "solutions"  # in the repository, a source tree and an editable install
INSTALLED_NAME = "grader_references"  # in a wheel (and so in the Gradescope kit's install)
NAMES = (SOURCE_NAME, INSTALLED_NAME)  # a learner may import neither
_SOURCE_FOLDER = Path(__file__).resolve().parent.parent / SOURCE_NAME


@functools.cache
def package_name() -> str | None:
    """The import name of the references here, or None where there are none (a student release).

    The source tree's folder next to the grader's wins: an editable install of one checkout never reads
    another checkout's references, and a wheel installed beside a checkout is not consulted."""
    if (_SOURCE_FOLDER / "__init__.py").is_file() and _imports_from(SOURCE_NAME, _SOURCE_FOLDER):
        return SOURCE_NAME
    if importlib.util.find_spec(INSTALLED_NAME) is not None:
        return INSTALLED_NAME
    return None


def _imports_from(name: str, folder: Path) -> bool:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    places = spec.submodule_search_locations if spec is not None else None
    return bool(places) and any(Path(p).resolve() == folder for p in places)


def available() -> bool:
    """Whether this grader holds the reference solutions (False in a student release)."""
    return package_name() is not None


def module(module_name: str) -> types.ModuleType:
    """The reference module of an exercise (`exercise3_pooling`); ModuleNotFoundError in a student release."""
    name = package_name()
    if name is None:
        raise ModuleNotFoundError(f"the reference solutions are not part of this grader ({module_name})")
    return importlib.import_module(f"{name}.{module_name}")


def folder() -> Path | None:
    """The folder of the reference solutions (mistakes included), or None where there are none."""
    name = package_name()
    if name is None:
        return None
    spec = importlib.util.find_spec(name)
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def mistakes_folder(module_name: str) -> Path:
    """`<references>/mistakes/<exercise module>/`: the classic mistakes of one exercise."""
    where = folder()
    if where is None:
        raise ModuleNotFoundError(f"the classic mistakes are not part of this grader ({module_name})")
    return where / "mistakes" / module_name


@functools.cache
def every_folder() -> tuple[str, ...]:
    """Every folder where the references of either name can be found from this interpreter (an editable
    install and a wheel may both be there), for the learner's process never to read any of them."""
    found = []
    for name in NAMES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            found.extend(spec.submodule_search_locations or ())
    if (_SOURCE_FOLDER / "__init__.py").is_file():
        found.append(str(_SOURCE_FOLDER))
    return tuple(dict.fromkeys(found))
