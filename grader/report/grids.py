"""Small arrays drawn as grids side by side (the counterexample as a picture): the call's arrays on one line,
then the expected answer and yours, slice by slice, the cells that differ in bold red and marked `*`."""

from __future__ import annotations

import numpy as np
from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text

from grader.pictures import slices
from grader.results import Grid

DIFFERS = "*"


def _number(value: float) -> str:
    return f"{int(value)}" if float(value).is_integer() and abs(value) < 1e9 else f"{value:.4g}"


def _one_grid(grid: Grid, index, label: str, title: str) -> Table:
    values = np.array(grid.values).reshape(grid.shape)[index]
    flags = np.array(grid.differs).reshape(grid.shape)[index] if grid.differs else np.zeros(values.shape, bool)
    if values.ndim == 1:
        values, flags = values[None, :], flags[None, :]
    heading = f"{title} {grid.shape}" + (f"\n{label}" if label else "")
    widest = max(cell_len(line) for line in heading.splitlines())
    table = Table(title=Text(heading), show_header=False, box=None, padding=(0, 1), pad_edge=False, min_width=widest)
    for _ in range(values.shape[1]):
        table.add_column(justify="right")
    for row, row_flags in zip(values, flags, strict=True):
        cells = []
        for value, flag in zip(row, row_flags, strict=True):
            text = _number(value) + (DIFFERS if flag else " ")
            cells.append(Text(text, style="bold red" if flag and title != "expected" else ("green" if flag else "")))
        table.add_row(*cells)
    return table


def _line(tables: list[Table]) -> Table:
    """Tables side by side, wrapped by the console when they do not fit."""
    line = Table.grid(padding=(0, 3))
    for _ in tables:
        line.add_column()
    line.add_row(*tables)
    return line


def draw(grids: tuple[Grid, ...], titles: dict[str, str]) -> Group:
    """The inputs' grids on one line, then expected and yours paired slice by slice."""
    inputs = [g for g in grids if g.name not in ("expected", "yours")]
    answers = {g.name: g for g in grids if g.name in ("expected", "yours")}
    parts = []
    drawn_inputs = [
        _one_grid(g, index, label, titles.get(g.name, g.name))
        for g in inputs
        for index, label in slices(g.shape, g.layout)
    ]
    if drawn_inputs:
        parts.append(_line(drawn_inputs))
    expected, yours = answers["expected"], answers["yours"]
    pairs = []
    for index, label in slices(expected.shape, expected.layout):
        pairs.append(_one_grid(expected, index, label, titles["expected"]))
        if yours.shape == expected.shape:
            pairs.append(_one_grid(yours, index, label, titles["yours"]))
    if yours.shape != expected.shape:
        pairs += [_one_grid(yours, index, label, titles["yours"]) for index, label in slices(yours.shape, yours.layout)]
    parts.append(Text(""))
    parts.append(_line(pairs))
    if expected.differs and any(expected.differs):
        parts.append(Text(f"{DIFFERS} = {titles['differs']}", style="dim"))
    return Group(*parts)
