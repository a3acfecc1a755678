"""The pieces of the sandbox that need no learner process: what may be read, and what is kept of output."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from grader.sandbox.confinement import _listed_only, _readable_parts, _within
from grader.sandbox.worker import OUTPUT_TAIL_BYTES, _OutputTap


def test_a_hidden_folder_is_carved_out_of_a_readable_one(tmp_path):
    for folder in ("site/numpy", "site/solutions/deep", "site/grader"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "site" / "module.py").write_text("")
    (tmp_path / "site" / "alias").symlink_to(tmp_path / "site" / "solutions")
    root = str(tmp_path.resolve())
    parts = _readable_parts(root, [f"{root}/site/solutions"])
    assert sorted((os.path.relpath(p, root), is_dir) for p, is_dir in parts) == [
        ("site/grader", True),
        ("site/module.py", False),
        ("site/numpy", True),
    ]


def test_a_folder_inside_a_hidden_one_is_not_readable_and_an_unrelated_one_whole(tmp_path):
    (tmp_path / "solutions" / "inner").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    root = str(tmp_path.resolve())
    assert _readable_parts(f"{root}/solutions/inner", [f"{root}/solutions"]) == []
    assert _readable_parts(f"{root}/other", [f"{root}/solutions"]) == [(f"{root}/other", True)]


def test_a_link_to_a_folder_split_already_adds_nothing_and_a_loop_ends(tmp_path):
    """A venv's lib64 leads to its lib: the site-packages carved once, not twice; a link to its own folder ends."""
    site = tmp_path / "venv" / "lib" / "site"
    (site / "tensorflow").mkdir(parents=True)
    (site / "numpy").mkdir()
    (tmp_path / "venv" / "lib64").symlink_to("lib")
    (site / "again").symlink_to(tmp_path / "venv")
    root = str(tmp_path.resolve() / "venv")
    parts = _readable_parts(root, [f"{root}/lib/site/tensorflow"])
    assert parts == [(f"{root}/lib/site/numpy", True)]


# Trees of folders and files, some hidden, with links among them and to a folder beside the root (`outside`).
_NAMES = st.sampled_from(["a", "b", "c", "site", "numpy", "tensorflow"])
_TREES = st.recursive(
    st.just(None),  # a file
    lambda inner: st.dictionaries(_NAMES, inner, max_size=4),
    max_leaves=12,
).filter(lambda tree: isinstance(tree, dict))


def _build(folder, tree: dict) -> list:
    made = []
    for name, inner in tree.items():
        path = folder / name
        if inner is None:
            path.write_text("")
        else:
            path.mkdir()
            made += _build(path, inner)
        made.append(path)
    return made


def _every_path(folder: str) -> list[str]:
    """Every file and folder under `folder` (itself too), links not followed."""
    found = [folder]
    for top, folders, files in os.walk(folder):
        found += [os.path.join(top, name) for name in folders + files if not os.path.islink(os.path.join(top, name))]
    return found


@given(tree=_TREES, beside=_TREES, data=st.data())
def test_the_parts_cover_exactly_what_is_not_hidden_whatever_the_links(tmp_path_factory, tree, beside, data):
    """What Landlock is told to grant (whole subtrees, resolved) reaches every file under the root that is not in a
    hidden folder and nothing that is, here or where a link leads; the folders only listed are the hidden ones'
    ancestors under the root."""
    base = tmp_path_factory.mktemp("tree").resolve()
    (base / "root").mkdir()
    (base / "outside").mkdir()
    made = _build(base / "root", tree) + _build(base / "outside", beside)
    folders = [p for p in made if p.is_dir()]
    hidden = sorted({str(p) for p in data.draw(st.lists(st.sampled_from(folders), max_size=3))} if folders else set())
    for target in data.draw(st.lists(st.sampled_from([*made, base / "root"]), max_size=3)) if made else []:
        holder = data.draw(st.sampled_from([base / "root", *[f for f in folders if str(base / "root") in str(f)]]))
        link = holder / f"link{len(list(holder.iterdir()))}"
        link.symlink_to(target)
    root = str(base / "root")
    parts = _readable_parts(root, hidden)
    granted = [p for p, _ in parts]
    assert all(is_dir == os.path.isdir(p) for p, is_dir in parts)
    for part in granted:  # no part is in a hidden folder, nor holds one
        assert not any(_within(part, h) or _within(h, part) for h in hidden)
    listed = _listed_only(root, hidden)
    for path in _every_path(root):  # a folder holding a hidden one is only listed; the rest read whole, or not
        holds_hidden = any(_within(h, path) and h != path for h in hidden)
        readable = not holds_hidden and not any(_within(path, h) for h in hidden)
        assert any(_within(path, part) for part in granted) == readable, path
        assert (path in listed) == holds_hidden, path
    ancestors = {a for h in hidden if _within(h, root) and h != root for a in map(str, Path(h).parents)}
    assert listed == {a for a in ancestors if _within(a, root)}


def _tap_with(*writes: bytes) -> tuple[_OutputTap, list[int]]:
    read, write = os.pipe()
    tap, marks = _OutputTap(read), []
    for data in writes:
        marks.append(tap.total)
        os.write(write, data)
        tap.read_available()
    os.close(write)
    return tap, marks


def test_output_keeps_a_short_tail_of_a_flood_and_says_it_was_cut():
    tap, _ = _tap_with(b"x" * 60_000, b"y" * 60_000)
    shown = tap.since(0)
    assert shown.startswith("...\n") and shown.endswith("y" * 100)
    assert len(shown) == len("...\n") + OUTPUT_TAIL_BYTES
    assert tap.total == 120_000 and len(tap.tail) <= 64 * 1024


def test_output_since_a_mark_is_what_was_printed_after_it():
    tap, marks = _tap_with(b"first call\n", b"second call\n")
    assert tap.since(marks[1]) == "second call\n"
    assert tap.since(marks[0]) == "first call\nsecond call\n"
    tap.close()
