"""GitHub's `shell:` keywords and custom templates → the command line that runs a script file.

| shell        | command line                                 | ext  |
|--------------|----------------------------------------------|------|
| (unset)      | `bash -e {0}`, or `sh -e {0}` without bash   | .sh  |
| bash         | `bash --noprofile --norc -eo pipefail {0}`   | .sh  |
| sh           | `sh -e {0}`                                  | .sh  |
| python       | `python {0}` (python3 when no `python`)      | .py  |
| pwsh         | `pwsh -command ". '{0}'"`                    | .ps1 |
| custom       | the template, `{0}` = the script path        |      |

A custom template is split like a POSIX shell would split it; `{0}` is replaced inside each
argument afterwards, so paths with spaces stay one argument.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

PWSH_PROLOGUE = "$ErrorActionPreference = 'stop'\n"
PWSH_EPILOGUE = "\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }\n"

_BUILT_IN: dict[str, tuple[str, str]] = {
    "bash": ("bash --noprofile --norc -eo pipefail {0}", ".sh"),
    "sh": ("sh -e {0}", ".sh"),
    "python": ("python {0}", ".py"),
    "pwsh": ("pwsh -command \". '{0}'\"", ".ps1"),
}
_WINDOWS_ONLY = {"cmd", "powershell"}


class ShellError(ValueError):
    """The shell cannot be used here (the step fails with this message)."""


@dataclass(frozen=True, slots=True)
class Shell:
    """A resolved shell: the program (absolute path) and argument templates."""

    keyword: str  # the `shell:` value, or "" when it was not given
    program: str
    arguments: tuple[str, ...]
    extension: str

    def argv(self, script: str) -> list[str]:
        return [self.program, *(arg.replace("{0}", script) for arg in self.arguments)]

    def script_text(self, text: str) -> str:
        if self.keyword == "pwsh":
            return PWSH_PROLOGUE + text + PWSH_EPILOGUE
        return text


def resolve_shell(keyword: str | None, search_path: str) -> Shell:
    """The shell for `keyword` (None/'' = the default), with programs looked up on `search_path`."""
    name = (keyword or "").strip()
    if not name:
        return _default_shell(search_path)
    if name in _WINDOWS_ONLY:
        raise ShellError(f"shell '{name}' is only available on Windows runners; use bash or pwsh")
    if name in _BUILT_IN:
        template, extension = _BUILT_IN[name]
        return _from_template(name, template, extension, search_path)
    if "{0}" not in name:
        raise ShellError(
            f"Invalid shell option '{name}': a custom shell must contain '{{0}}', the script path"
        )
    return _from_template(name, name, "", search_path)


def _default_shell(search_path: str) -> Shell:
    bash = _which("bash", search_path)
    if bash:  # `bash -e {0}`, without looking bash up twice
        return Shell("", bash, ("-e", "{0}"), ".sh")
    return _from_template("", "sh -e {0}", ".sh", search_path)


def _from_template(keyword: str, template: str, extension: str, search_path: str) -> Shell:
    try:
        parts = shlex.split(template)
    except ValueError as exc:
        raise ShellError(f"Invalid shell option '{template}': {exc}") from exc
    program = _find_program(parts[0], search_path)
    return Shell(keyword, program, tuple(parts[1:]), extension)


def _find_program(name: str, search_path: str) -> str:
    found = _which(name, search_path)
    if found is None and name == "python":
        found = _which("python3", search_path)
    if found is None:
        raise ShellError(f"shell program '{name}' was not found on PATH")
    return found


def _which(name: str, search_path: str) -> str | None:
    """`shutil.which(name, path=search_path)` on POSIX, with one `access` per folder (and a
    `stat` for the hit): it runs for every step, and shutil's costs ~7 µs a folder."""
    if os.sep in name:
        return name if os.access(name, os.X_OK) else None
    if not search_path:
        return None
    for folder in dict.fromkeys(search_path.split(os.pathsep)):
        candidate = os.path.join(folder, name)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


def script_argv(shell: Shell, script: str) -> Sequence[str]:
    return shell.argv(script)
