"""Learners who work in Jupyter or Colab: their code cells as a module the worker loads, and `check`.

A notebook is not a module: it holds IPython magics (`%matplotlib inline`, `%%bash`), shell escapes (`!pip`),
cells that fail (a test call of a stub not yet written) and calls of the grader itself. `cells_as_module`
makes one Python file that runs the code cells in order, as the kernel did, with each cell on its own: magics
and shell lines become `pass`, cells in another language and cells that do not parse are left out, a cell
that raises is reported and the next one runs, and statements that call the grader are dropped (the worker
would refuse the import). The file runs in the same sandbox as any submission.
"""

from __future__ import annotations

import ast
import hashlib
import re

from grader.results import ExerciseResult

# Cell magics whose body is Python (kept); the body of any other (%%bash, %%html, %%writefile, ...) is not.
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
# Line magics (%time f()), shell escapes (!pip), their assignments (files = !ls), help (np.sum?) and the
# calls IPython itself writes (get_ipython().run_line_magic(...)).
_IPYTHON_LINE = re.compile(r"^\s*(%{1,2}[A-Za-z]|!|\w+\s*=\s*[%!]|[\w.]+\?{1,2}\s*$|\?)|get_ipython\(\)")


def _ipython_free(source: str) -> str | None:
    """The cell with IPython-only lines replaced by `pass` (line numbers kept); None for a non-Python cell."""
    lines = source.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].lstrip()[2:].split(maxsplit=1)[0] if lines[first].strip() != "%%" else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None
        lines[first] = ""
    kept = []
    for line in lines:
        if _IPYTHON_LINE.search(line):
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(f"{indent}pass")
        else:
            kept.append(line)
    return "\n".join(kept)


def _calls_the_grader(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Import):
        return any(alias.name.split(".")[0] == "grader" for alias in statement.names)
    if isinstance(statement, ast.ImportFrom):
        return (statement.module or "").split(".")[0] == "grader"
    value = getattr(statement, "value", None)
    if isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)) and isinstance(value, ast.Call):
        function = value.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        return name in ("check", "grade", "grade_all")
    return False


def python_cell(source: str) -> str | None:
    """A code cell as plain Python the worker can run, or None when nothing of it can run there."""
    code = _ipython_free(source)
    if code is None:
        return None
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    lines = code.splitlines()
    for statement in tree.body:
        if _calls_the_grader(statement):
            for number in range(statement.lineno - 1, statement.end_lineno or statement.lineno):
                lines[number] = ""
            lines[statement.lineno - 1] = " " * statement.col_offset + "pass"
    return "\n".join(lines)


def cells_as_module(cells: list[tuple[str, str]]) -> str:
    """Python source running each (label, source) cell in order in the module's namespace, on its own."""
    runnable = []
    for label, source in cells:
        code = python_cell(source)
        if code is not None and code.strip():
            runnable.append((label, code))
    return (
        "# The code cells of a notebook, run in order as the kernel ran them (made by grader.notebook).\n"
        f"_GRADER_CELLS = {runnable!r}\n"
        "\n\n"
        "def _grader_run_cells():\n"
        "    import linecache\n"
        "    import sys\n"
        "\n"
        "    for where, code in _GRADER_CELLS:\n"
        "        linecache.cache[where] = (len(code), None, code.splitlines(True), where)  # lines in tracebacks\n"
        "        try:\n"
        '            exec(compile(code, where, "exec"), globals())\n'
        "        except Exception as exc:\n"
        '            print(f"{where} raised {type(exc).__name__}: {exc}; the next cells still run", file=sys.stderr)\n'
        "\n\n"
        "_grader_run_cells()\n"
        "del _grader_run_cells, _GRADER_CELLS\n"
    )


def module_name_for(cells: list[tuple[str, str]], stem: str) -> str:
    """A file name of its own for each notebook's cells, so that two notebooks never share one."""
    digest = hashlib.sha256(repr(cells).encode("utf-8")).hexdigest()[:12]
    return f"{stem}_{digest}.py"


def kernel_cells() -> list[tuple[str, str]]:
    """The cells this IPython kernel ran, in order (`In[1]`, `In[2]`, ...)."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("check() without a submission reads the cells you ran: call it inside a notebook")
    history = shell.history_manager.input_hist_raw
    return [(f"In [{i}]", source) for i, source in enumerate(history) if i and source.strip()]


def check(exercise, submission=None, *, lang: str | None = None, **options) -> ExerciseResult:
    """Grade an exercise from inside a notebook and show the report there.

    Without `submission`, the functions are those of the cells this kernel has run (the last definition of
    each wins, as in the kernel); with it, a `.py` file, a folder or a notebook as for `grade`. `options` are
    those of `grader.grade` (seed, examples, timeout, memory_mb, backend). Returns the result.
    """
    from rich.console import Console

    from grader import api, catalog, progress
    from grader.i18n import default_language
    from grader.report.text import ExerciseReport
    from grader.submission import converted_file

    chosen = catalog.find(str(exercise))
    own = submission is None  # the kernel's own cells, wherever the kernel runs
    if own:
        cells = kernel_cells()
        submission = converted_file(module_name_for(cells, chosen.file_name.removesuffix(".py")), cells)
    result = api.grade(chosen, submission, lang=lang, **options)
    progress.record(result, own=own)
    Console(highlight=False).print(ExerciseReport(result, lang or default_language()))
    return result
