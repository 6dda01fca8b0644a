"""hashFiles() over real files: GitHub's patterns, order and digest."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from conveyor.errors import ExpressionEvaluationError
from conveyor.expr import evaluate
from conveyor.expr.hashfiles import matching_files

FILES = {
    "a.txt": "A",
    "b.txt": "B",
    ".hidden.txt": "H",
    "src/app.py": "app",
    "src/lib/util.py": "util",
    "src/lib/data.json": "{}",
    "node_modules/dep/index.js": "dep",
    "docs/readme.md": "doc",
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def digest(root: Path, *names: str) -> str:
    """GitHub's digest: SHA-256 over the SHA-256 of each file, in order."""
    hashes = [hashlib.sha256((root / name).read_bytes()).digest() for name in names]
    return hashlib.sha256(b"".join(hashes)).hexdigest()


def hash_files(root: Path, *patterns: str) -> object:
    args = ", ".join("'" + pattern.replace("'", "''") + "'" for pattern in patterns)
    return evaluate(f"hashFiles({args})", {"github": {"workspace": str(root)}})


def relative(root: Path, *patterns: str) -> list[str]:
    real = os.path.realpath(root)
    return [os.path.relpath(path, real) for path in matching_files(str(root), list(patterns))]


def test_one_file(workspace: Path) -> None:
    assert hash_files(workspace, "a.txt") == digest(workspace, "a.txt")


def test_order_is_depth_first_by_name(workspace: Path) -> None:
    assert relative(workspace, "**/*.py", "*.txt") == [
        ".hidden.txt",
        "a.txt",
        "b.txt",
        "src/app.py",
        "src/lib/util.py",
    ]
    assert hash_files(workspace, "**/*.py") == digest(workspace, "src/app.py", "src/lib/util.py")


def test_a_directory_pattern_takes_everything_below(workspace: Path) -> None:
    assert relative(workspace, "src") == ["src/app.py", "src/lib/data.json", "src/lib/util.py"]
    assert relative(workspace, "src/") == relative(workspace, "src")
    assert relative(workspace, "./src/lib/**") == ["src/lib/data.json", "src/lib/util.py"]


def test_exclusions(workspace: Path) -> None:
    assert relative(workspace, "**", "!node_modules", "!**/*.py", "!.*") == [
        "a.txt",
        "b.txt",
        "docs/readme.md",
        "src/lib/data.json",
    ]
    assert relative(workspace, "*.txt", "!a.txt", "a.txt") == [".hidden.txt", "a.txt", "b.txt"]


def test_wildcards(workspace: Path) -> None:
    assert relative(workspace, "?.txt") == ["a.txt", "b.txt"]
    assert relative(workspace, "[ab].txt") == ["a.txt", "b.txt"]
    assert relative(workspace, "[!a].txt") == ["b.txt"]
    assert relative(workspace, "src/*/util.py") == ["src/lib/util.py"]
    assert relative(workspace, "**/lib/**/*.json") == ["src/lib/data.json"]


def test_lines_comments_and_several_arguments(workspace: Path) -> None:
    assert relative(workspace, "# a comment\n\n  a.txt  \n", "b.txt") == ["a.txt", "b.txt"]
    assert hash_files(workspace, "# only a comment") == ""


def test_no_match_is_empty(workspace: Path) -> None:
    assert hash_files(workspace, "**/*.rs") == ""
    assert hash_files(workspace, "missing-dir/**") == ""


def test_files_outside_the_workspace_are_ignored(workspace: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    assert hash_files(workspace, str(tmp_path / "outside.txt")) == ""
    assert hash_files(workspace, str(workspace / "a.txt")) == digest(workspace, "a.txt")


@pytest.mark.parametrize("pattern", ["../x", "src/../a.txt", "src/./app.py"])
def test_relative_segments_are_refused(workspace: Path, pattern: str) -> None:
    with pytest.raises(ExpressionEvaluationError, match="Relative pathing"):
        hash_files(workspace, pattern)


def test_symbolic_links(workspace: Path) -> None:
    (workspace / "link.txt").symlink_to(workspace / "a.txt")
    (workspace / "linkdir").symlink_to(workspace / "docs")
    assert relative(workspace, "link*") == ["link.txt"]  # the directory link is not walked
    assert hash_files(workspace, "link.txt") == digest(workspace, "a.txt")
    assert relative(workspace, "linkdir/**") == []
    followed = evaluate(
        "hashFiles('--follow-symbolic-links', 'linkdir/**')",
        {"github": {"workspace": str(workspace)}},
    )
    assert followed == digest(workspace, "docs/readme.md")


def test_symbolic_link_cycles_end(workspace: Path) -> None:
    (workspace / "src" / "loop").symlink_to(workspace / "src")
    args = {"github": {"workspace": str(workspace)}}
    result = evaluate("hashFiles('--follow-symbolic-links', 'src/**/*.py')", args)
    assert result == digest(workspace, "src/app.py", "src/lib/util.py")


def test_a_broken_link_fails_like_github(workspace: Path) -> None:
    (workspace / "broken.txt").symlink_to(workspace / "nowhere")
    with pytest.raises(ExpressionEvaluationError, match=r"hashFiles\('broken.txt'\) failed"):
        hash_files(workspace, "broken.txt")


def test_invalid_option(workspace: Path) -> None:
    with pytest.raises(ExpressionEvaluationError, match=r"Invalid glob option --nope"):
        hash_files(workspace, "--nope", "a.txt")


def test_the_workspace_is_needed(tmp_path: Path) -> None:
    with pytest.raises(ExpressionEvaluationError, match=r"github\.workspace"):
        evaluate("hashFiles('*')", {"github": {}})
    with pytest.raises(ExpressionEvaluationError, match="failed"):
        evaluate("hashFiles('*')", {"github": {"workspace": str(tmp_path / "none")}})


def test_hash_changes_with_content(workspace: Path) -> None:
    before = hash_files(workspace, "**/*.py")
    (workspace / "src" / "app.py").write_text("changed", encoding="utf-8")
    assert hash_files(workspace, "**/*.py") != before
