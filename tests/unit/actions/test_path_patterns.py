from __future__ import annotations

import os
from pathlib import Path

from conveyor.actions.path_patterns import common_root, matching_files, parse_patterns


def _tree(root: Path) -> None:
    for name in ("a/x.txt", "a/b/y.txt", "a/b/z.log", "c.txt", ".hidden/h.txt"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)


def _names(files: list[Path], root: Path) -> list[str]:
    return [str(f.relative_to(root)) for f in files]


def test_globs_directories_and_exclusions(tmp_path: Path) -> None:
    _tree(tmp_path)
    patterns = parse_patterns("# comment\na\n!a/**/*.log\n\n*.txt\n", str(tmp_path))
    assert _names(matching_files(patterns), tmp_path) == ["a/b/y.txt", "a/x.txt", "c.txt"]


def test_recursive_glob_includes_hidden(tmp_path: Path) -> None:
    _tree(tmp_path)
    files = matching_files(parse_patterns("**/h.txt", str(tmp_path)))
    assert _names(files, tmp_path) == [".hidden/h.txt"]


def test_search_paths_and_home(tmp_path: Path) -> None:
    patterns = parse_patterns("a/b/*.txt\n~/cache\n/abs/dir", str(tmp_path))
    assert patterns[0].search_path == str(tmp_path / "a" / "b")
    assert patterns[1].pattern == os.path.expanduser("~/cache")
    assert patterns[2].search_path == "/abs/dir"
    assert common_root([str(tmp_path / "a" / "b"), str(tmp_path / "a" / "c")]) == str(
        tmp_path / "a"
    )
