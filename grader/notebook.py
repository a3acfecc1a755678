"""Learners who work in Jupyter or Colab: their code cells as a module the worker loads, and `check`.

A notebook is not a module: it holds IPython magics (`%matplotlib inline`, `%%bash`), shell escapes (`!pip`),
cells that fail (a test call of a stub not yet written), calls of the grader itself, and the notebook's other
work (training a model for a minute, plots, prints). `graded_cells` makes one Python file that runs, of the
code cells in order as the kernel ran them, only what the exercise's functions need (`grader.notebook_slice`),
each cell on its own: magics and shell lines become `pass`, cells in another language and cells that do not
parse are left out, a cell that raises is reported (the worker names it to the grader, see `_module`) and
the next one runs, and statements that call the grader are dropped (the worker would refuse the import). The
file runs in the same sandbox as any submission.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass

from grader.notebook_slice import slice_cells
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


@dataclass(frozen=True)
class GradedCells:
    """The module the worker loads for a notebook, and what of the notebook it leaves out."""

    source: str
    left_out: int = 0  # top-level statements not run (training, plots, prints; magics are not counted)
    unbound: tuple[str, ...] = ()  # names the graded code reads that only left-out statements bind


def graded_cells(cells: list[tuple[str, str]], roots: tuple[str, ...] | None = None) -> GradedCells:
    """The module running, of each (label, source) cell in order, what grading `roots` (the exercise's
    function names) needs (see `grader.notebook_slice`); every statement when `roots` is None."""
    runnable = []
    for label, source in cells:
        code = python_cell(source)
        if code is not None and code.strip():
            runnable.append((label, code))
    if roots is None:
        return GradedCells(_module([(label, code, None) for label, code in runnable]))
    chosen = slice_cells([code for _, code in runnable], roots)
    kept = [(label, code, list(k)) for (label, code), k in zip(runnable, chosen.kept, strict=True) if k]
    return GradedCells(_module(kept), chosen.left_out, chosen.unbound)


def cells_as_module(cells: list[tuple[str, str]]) -> str:
    """Python source running each (label, source) cell in order in the module's namespace, on its own."""
    return graded_cells(cells).source


def _module(cells: list[tuple[str, str, list[int] | None]]) -> str:
    """Each (label, code, kept) cell runs on its own, only its `kept` top-level statements (all for None),
    with its own line numbers. `_grader_cell`, which the worker puts in the module's namespace, hears which
    cell starts and what a cell raised (the grader names the cell of a slow or failing statement)."""
    return (
        "# The code cells of a notebook, run in order as the kernel ran them (made by grader.notebook).\n"
        f"_GRADER_CELLS = {cells!r}\n"
        "\n\n"
        "def _grader_run_cells():\n"
        "    import ast\n"
        "    import linecache\n"
        "    import sys\n"
        "\n"
        '    heard = globals().pop("_grader_cell", None)\n'
        "    for where, code, kept in _GRADER_CELLS:\n"
        "        linecache.cache[where] = (len(code), None, code.splitlines(True), where)  # lines in tracebacks\n"
        "        body = ast.parse(code).body\n"
        "        tree = ast.Module([body[i] for i in kept] if kept is not None else body, [])\n"
        "        if heard is not None:\n"
        "            heard(where, None)\n"
        "        try:\n"
        '            exec(compile(tree, where, "exec"), globals())\n'
        "        except Exception as exc:\n"
        "            if heard is not None:\n"
        "                heard(where, exc)\n"
        "            else:\n"
        '                told = f"{where} raised {type(exc).__name__}: {exc}; the next cells still run"\n'
        "                print(told, file=sys.stderr)\n"
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


@dataclass(frozen=True, repr=False)
class CheckResult(ExerciseResult):
    """What `check` returns: an `ExerciseResult` (`.score`, `.tasks`, `.passed`, `.to_dict()`) that a notebook
    displays as its report, except in the cell whose `check()` has shown it already: the report once, and no
    `ExerciseResult(...)` dump under it."""

    lang: str = "en"
    again: str = 'check("{name}")'  # the closing line's command
    shown_in: int | None = None  # the execution count of the cell that showed it

    def show(self) -> None:
        from rich.console import Console

        from grader.report.text import ExerciseReport

        Console(highlight=False).print(ExerciseReport(self, self.lang, again=self.again))

    def show_pictures(self) -> None:
        """Under the report, in IPython only, each wrong answer on an image as heatmaps (input, expected, yours,
        difference); elsewhere nothing (a terminal has the report's grids)."""
        display = _displayer()
        if display is None:
            return
        import html

        from IPython.display import HTML

        from grader.report.heatmaps import pictures_of

        for (_exercise, task), pictures in pictures_of(self.to_dict(full=True), self.lang).items():
            for picture in pictures:
                caption = html.escape(f"{task}: {picture.caption}")
                display(
                    HTML(
                        f'<figure><img src="{picture.data_uri}" alt="{caption}" style="max-width:100%">'
                        f"<figcaption>{caption}</figcaption></figure>"
                    )
                )

    def _ipython_display_(self) -> None:
        if _execution_count() != self.shown_in:
            self.show()
            self.show_pictures()

    def __repr__(self) -> str:
        return f"<{self.exercise}: {self.score:g}/{self.max_score:g}>"


def _displayer():
    """IPython's `display` when this runs in IPython (a notebook's kernel), else None."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    return None if get_ipython() is None else display


def _execution_count() -> int | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return None if shell is None else shell.execution_count


def check(exercise, submission=None, *, lang: str | None = None, **options) -> CheckResult:
    """Grade an exercise from inside a notebook and show the report there.

    Without `submission`, the functions are those of the cells this kernel has run (the last definition of
    each wins, as in the kernel), with what they read, and nothing else of the notebook (training, plots and
    prints are left out: see `grader.notebook_slice`); with it, a `.py` file, a folder or a notebook as for
    `grade`. `options` are those of `grader.grade` (seed, examples, timeout, memory_mb, backend). Returns the
    result, which the notebook does not display a second time.
    """
    import dataclasses

    from grader import api, catalog, progress
    from grader.i18n import default_language
    from grader.submission import converted_file

    chosen = catalog.find(str(exercise))
    own = submission is None  # the kernel's own cells, wherever the kernel runs
    again = 'check("{name}")' if own else f'check("{{name}}", submission={str(submission)!r})'
    if own:
        submission = converted_file(chosen.file_name.removesuffix(".py"), kernel_cells(), chosen)
    lang = lang or default_language()
    api.keep_workers_for_process()  # the next check's worker forks from this kernel's zygote
    result = api.grade(chosen, submission, lang=lang, **options)
    progress.record(result, own=own)
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    checked = CheckResult(**fields, lang=lang, again=again, shown_in=_execution_count())
    checked.show()
    checked.show_pictures()
    return checked
