"""conveyor/dependency-review without a forge: manifests of every kind parsed (with their lines),
licence expressions against allow/deny lists, OSV ranges and severities, push events, the job's
installed Python metadata, bad inputs."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from conveyor.actions.dependency_licences import Policy, canonical
from conveyor.actions.dependency_manifests import Dependency, parse_manifest
from conveyor.actions.dependency_osv import OsvDatabase, cvss3_base_score, severity
from conveyor.actions.dependency_review import DependencyReview
from conveyor.engine.ports.actions import ActionOutcome
from conveyor.errors import UsageError
from conveyor.model.results import Conclusion
from tests.unit.natives.support import LogConsole, invocation

OSV = Path(__file__).resolve().parents[2] / "data" / "osv"
VENV_BIN = str(Path(__import__("sys").executable).parent)


def shown(found: list[Dependency]) -> list[tuple[str, str, bool, str, int]]:
    return [(d.name, d.version, d.pinned, d.scope, d.line) for d in found]


def test_requirements_pins_ranges_markers_and_options() -> None:
    text = (
        "# tools\n-r base.txt\nrequests==2.31.0  # pinned\nJinja2>=3\n"
        "attrs[tests]==23.1.0 ; python_version>'3'\n"
    )
    assert shown(parse_manifest("requirements-dev.txt", text)) == [
        ("requests", "2.31.0", True, "runtime", 3),
        ("Jinja2", ">=3", False, "runtime", 4),
        ("attrs", "23.1.0", True, "runtime", 5),
    ]


def test_pyproject_pep621_extras_and_poetry() -> None:
    text = """[project]
name = "app"
dependencies = [
  "httpx>=0.27",
  "click==8.1.7",
]
[project.optional-dependencies]
docs = ["mkdocs==1.6.0"]
[tool.poetry.dependencies]
python = "^3.11"
flask = "3.0.0"
[tool.poetry.group.dev.dependencies]
pytest = {version = "^8.0"}
"""
    assert shown(parse_manifest("pyproject.toml", text)) == [
        ("httpx", ">=0.27", False, "runtime", 4),
        ("click", "8.1.7", True, "runtime", 5),
        ("mkdocs", "1.6.0", True, "runtime", 8),
        ("flask", "3.0.0", True, "runtime", 11),
        ("pytest", "^8.0", False, "development", 13),
    ]


def test_uv_and_poetry_locks_leave_out_the_project_itself() -> None:
    uv = """version = 1
[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://pypi.org/simple" }
"""
    poetry = '[[package]]\nname = "six"\nversion = "1.16.0"\ncategory = "dev"\n'
    assert shown(parse_manifest("uv.lock", uv)) == [("idna", "3.7", True, "runtime", 8)]
    assert shown(parse_manifest("poetry.lock", poetry)) == [
        ("six", "1.16.0", True, "development", 2)
    ]


def test_package_json_and_both_lock_formats() -> None:
    package = {
        "dependencies": {"lodash": "4.17.20", "express": "^4.18.0"},
        "devDependencies": {"jest": "29.7.0"},
    }
    assert shown(parse_manifest("web/package.json", json.dumps(package, indent=2))) == [
        ("lodash", "4.17.20", True, "runtime", 3),
        ("express", "^4.18.0", False, "runtime", 4),
        ("jest", "29.7.0", True, "development", 7),
    ]
    v3 = {"packages": {"": {}, "node_modules/a/node_modules/ms": {"version": "2.0.0", "dev": True}}}
    v1 = {
        "dependencies": {
            "debug": {"version": "2.6.9", "dependencies": {"ms": {"version": "2.0.0"}}}
        }
    }
    assert shown(parse_manifest("package-lock.json", json.dumps(v3))) == [
        ("ms", "2.0.0", True, "development", 0)
    ]
    assert [d.name for d in parse_manifest("package-lock.json", json.dumps(v1))] == ["debug", "ms"]


def test_a_broken_manifest_is_named() -> None:
    with pytest.raises(UsageError, match=r"package.json \(at abc\): not a valid manifest"):
        parse_manifest("package.json", "{", " (at abc)")


@pytest.mark.parametrize(
    ("expression", "allow", "deny", "permitted"),
    [
        ("GPL-3.0", ["MIT", "Apache-2.0"], [], False),
        ("MIT OR GPL-3.0-only", ["MIT"], [], True),
        ("MIT AND GPL-3.0-only", ["MIT"], [], False),
        ("GPL-2.0-or-later", ["GPL-3.0-only"], [], True),  # may be taken as GPL-3.0
        ("GPL-2.0-only", ["GPL-2.0-or-later"], [], True),
        ("GPL-3.0-only", [], ["GPL-3.0"], False),  # the deprecated id means -only
        ("GPL-3.0-or-later", [], ["GPL-3.0"], False),  # no later version to take
        ("GPL-2.0-or-later", [], ["GPL-2.0"], True),  # GPL-3.0 may be taken
        ("GPL-2.0 WITH Classpath-exception-2.0", ["GPL-2.0-only"], [], True),
        ("Apache-2.0", [], ["GPL-3.0-or-later"], True),
    ],
)
def test_licence_expressions_against_the_lists(
    expression: str, allow: list[str], deny: list[str], permitted: bool
) -> None:
    spdx = canonical(expression)
    assert spdx is not None
    assert Policy.of(allow, deny).permits(spdx) is permitted


def test_licence_lists_are_checked() -> None:
    with pytest.raises(UsageError, match="set one, not both"):
        Policy.of(["MIT"], ["GPL-3.0"])
    with pytest.raises(UsageError, match="`allow-licenses`: 'Not-A-Licence'"):
        Policy.of(["Not-A-Licence"], [])
    assert canonical("Not-A-Licence") is None


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", 6.1),
        ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", 5.4),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
    ],
)
def test_cvss3_base_scores(vector: str, score: float) -> None:
    assert cvss3_base_score(vector) == score


def test_severity_from_github_level_else_cvss() -> None:
    cvss = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
    assert severity({"database_specific": {"severity": "MEDIUM"}, "severity": cvss}) == "moderate"
    assert severity({"severity": cvss}) == "critical"
    assert severity({}) == "unknown"


def pinned(ecosystem: str, name: str, version: str) -> Dependency:
    return Dependency(ecosystem, name, version, True, "runtime", 1)


def test_osv_ranges_from_the_real_records() -> None:
    database = OsvDatabase.load(str(OSV))

    def ids(ecosystem: str, name: str, version: str) -> list[str]:
        return [a.id for a in database.advisories(pinned(ecosystem, name, version))]

    assert ids("pip", "requests", "2.2.1") == []  # introduced in 2.3.0
    assert ids("pip", "Requests", "2.3.0") == ["GHSA-j8r2-6x86-q33q"]
    assert ids("pip", "requests", "2.31.0rc1") == ["GHSA-j8r2-6x86-q33q"]
    assert ids("pip", "requests", "2.31.0") == []
    assert ids("pip", "jinja2", "3.1.2") == ["GHSA-h5c8-rqwp-cp95"]
    assert ids("npm", "lodash", "4.17.21-beta.1") == ["GHSA-35jh-r3h4-6jhm"]
    assert ids("npm", "lodash", "4.17.21") == []
    assert ids("npm", "lodash", "4.9.0") == ["GHSA-35jh-r3h4-6jhm"]
    assert database.advisories(Dependency("npm", "lodash", "^4.17.0", False, "runtime", 1)) == []


def test_osv_zip_versions_list_and_last_affected(tmp_path: Path) -> None:
    events = [{"introduced": "1.0.0"}, {"last_affected": "1.2.0"}]
    affected = {
        "package": {"ecosystem": "npm", "name": "x"},
        "versions": ["0.9.0"],
        "ranges": [{"type": "SEMVER", "events": events}],
    }
    record = {"id": "TEST-1", "affected": [affected]}
    with zipfile.ZipFile(tmp_path / "all.zip", "w") as archive:
        archive.writestr("TEST-1.json", json.dumps(record))
    database = OsvDatabase.load(str(tmp_path / "all.zip"))
    found = {
        v: bool(database.advisories(pinned("npm", "x", v))) for v in ("0.9.0", "1.2.0", "1.2.1")
    }
    assert found == {"0.9.0": True, "1.2.0": True, "1.2.1": False}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=dev@example.com", "-c", "user.name=Dev", *args],
        cwd=root, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


def repository(root: Path, before: dict[str, str], after: dict[str, str]) -> tuple[str, str]:
    git(root, "init", "-q", "-b", "main")
    shas = []
    for files in (before, after):
        for name, text in files.items():
            (root / name).write_text(text)
        git(root, "add", "-A")
        git(root, "commit", "-qm", "change", "--allow-empty")
        shas.append(git(root, "rev-parse", "HEAD"))
    return shas[0], shas[1]


def run(
    root: Path, inputs: dict[str, str], event: dict[str, object], path: str = ""
) -> tuple[ActionOutcome, LogConsole]:
    call = invocation("conveyor/dependency-review@v1", inputs, root, {"event": event})
    call.env["PATH"] = path
    console = LogConsole()
    return DependencyReview().run(call, console), console


def test_a_push_reviews_before_to_after_offline(tmp_path: Path) -> None:
    before, after = repository(
        tmp_path,
        {"requirements.txt": "requests==2.31.0\nidna==3.6\n"},
        {"requirements.txt": "requests==2.28.0\nrich==13.7.1\n"},
    )
    outcome, _ = run(tmp_path, {"osv-data": str(OSV)}, {"before": before, "after": after}, VENV_BIN)
    assert outcome.status is Conclusion.FAILURE
    changes = json.loads(outcome.outputs["dependency-changes"])
    assert sorted((c["change_type"], c["name"], c["version"]) for c in changes) == [
        ("added", "requests", "2.28.0"),
        ("added", "rich", "13.7.1"),
        ("removed", "idna", "3.6"),
        ("removed", "requests", "2.31.0"),
    ]
    rich = next(c for c in changes if c["name"] == "rich")
    assert rich["license"] == "MIT"  # from the job's installed metadata
    assert rich["package_url"] == "pkg:pypi/rich@13.7.1"
    assert "| changed | `requests` | 2.31.0 → 2.28.0 |" in outcome.summary


def test_unknown_licences_fail_only_when_asked(tmp_path: Path) -> None:
    before, after = repository(
        tmp_path, {}, {"package.json": '{"dependencies": {"left-pad": "1.3.0"}}'}
    )
    event = {"before": before, "after": after}
    passed, _ = run(tmp_path, {"allow-licenses": "MIT"}, event)
    assert passed.status is Conclusion.SUCCESS
    unlicensed = json.loads(passed.outputs["invalid-license-changes"])["unlicensed"]
    assert [c["name"] for c in unlicensed] == ["left-pad"]
    assert passed.annotations[0].level.value == "warning"
    failed, _ = run(tmp_path, {"allow-licenses": "MIT", "fail-on-unknown-license": "true"}, event)
    assert failed.error == "conveyor/dependency-review: unknown licence(s): left-pad@1.3.0"


def test_warn_only_and_development_scope_do_not_fail(tmp_path: Path) -> None:
    lock = {"packages": {"node_modules/lodash": {"version": "4.17.20", "dev": True}}}
    before, after = repository(tmp_path, {}, {"package-lock.json": json.dumps(lock)})
    event = {"before": before, "after": after}
    dev, _ = run(tmp_path, {"osv-data": str(OSV)}, event)
    assert dev.status is Conclusion.SUCCESS
    assert json.loads(dev.outputs["vulnerable-changes"])[0]["name"] == "lodash"
    scoped, _ = run(
        tmp_path, {"osv-data": str(OSV), "fail-on-scopes": "runtime, development"}, event
    )
    assert scoped.status is Conclusion.FAILURE
    warned, _ = run(
        tmp_path,
        {"osv-data": str(OSV), "fail-on-scopes": "development", "warn-only": "true"},
        event,
    )
    assert warned.status is Conclusion.SUCCESS


def test_without_a_forge_the_comment_is_printed_not_sent(tmp_path: Path) -> None:
    before, after = repository(tmp_path, {}, {"requirements.txt": "requests==2.28.0\n"})
    pull = {"number": 3, "base": {"sha": before}, "head": {"sha": after}}
    outcome, console = run(tmp_path, {"osv-data": str(OSV)}, {"pull_request": pull})
    assert outcome.status is Conclusion.FAILURE
    assert "[dry run] would POST /repos//issues/3/comments" in console.text


@pytest.mark.parametrize(
    ("inputs", "event", "message"),
    [
        ({}, {}, "needs a pull_request or push event, or the inputs `base-ref` and `head-ref`"),
        ({"base-ref": "nope", "head-ref": "HEAD"}, {}, "commit nope is not in the workspace"),
        (
            {"base-ref": "HEAD~1", "head-ref": "HEAD", "fail-on-severity": "severe"},
            {},
            "input `fail-on-severity`: one of low, moderate, high, critical",
        ),
        (
            {
                "base-ref": "HEAD~1",
                "head-ref": "HEAD",
                "allow-licenses": "MIT",
                "deny-licenses": "GPL-3.0",
            },
            {},
            "set one, not both",
        ),
        ({"base-ref": "HEAD~1", "head-ref": "HEAD", "osv-data": "missing"}, {}, "input `osv-data`"),
        (
            {"base-ref": "HEAD~1", "head-ref": "HEAD", "license-data": "missing.json"},
            {},
            "input `license-data`",
        ),
    ],
)
def test_bad_inputs_fail_with_a_message(
    tmp_path: Path, inputs: dict[str, str], event: dict[str, object], message: str
) -> None:
    repository(tmp_path, {}, {"requirements.txt": "requests==2.28.0\n"})
    outcome, _ = run(tmp_path, inputs, event)
    assert outcome.status is Conclusion.FAILURE
    assert outcome.error is not None
    assert outcome.error.startswith("conveyor/dependency-review: ")
    assert message in outcome.error


def test_a_broken_manifest_at_head_fails_naming_it(tmp_path: Path) -> None:
    before, after = repository(tmp_path, {}, {"package.json": "{ nope"})
    outcome, _ = run(tmp_path, {}, {"before": before, "after": after})
    assert outcome.error is not None
    assert f"package.json (at {after[:12]}): not a valid manifest" in outcome.error


def test_every_locked_copy_of_a_package_is_reviewed(tmp_path: Path) -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {},
            "node_modules/old-tool/node_modules/lodash": {"version": "4.17.20"},
            "node_modules/lodash": {"version": "4.17.21"},
        },
    }
    before, after = repository(tmp_path, {}, {"package-lock.json": json.dumps(lock, indent=2)})
    outcome, _ = run(tmp_path, {"osv-data": str(OSV)}, {"before": before, "after": after})
    changes = json.loads(outcome.outputs["dependency-changes"])
    assert sorted(c["version"] for c in changes) == ["4.17.20", "4.17.21"]
    assert outcome.error == "conveyor/dependency-review: vulnerable package(s): GHSA-35jh-r3h4-6jhm"
    assert [a.line for a in outcome.annotations] == [5]
