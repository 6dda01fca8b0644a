"""actions/setup-python seen by pip, uv and nox: an installed-looking Python whose installs stay in
the job (issue 12). The version asked for is, when one is installed, not the `python3` on PATH, so
a tool that ignores setup-python and takes the host's default is caught."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conveyor.actions import default_registry
from conveyor.actions.interpreters import Interpreter, identify, python_candidates
from conveyor.model.results import Conclusion
from tests.integration.python_tools import make_wheel, tree_listing, uv_from_index
from tests.unit.executors.harness import document, make_repo, run_job, steps

pytestmark = pytest.mark.integration


def _short(version: tuple[int, ...]) -> str:
    return f"{version[0]}.{version[1]}"


@pytest.fixture(scope="module")
def interpreter(tmp_path_factory: pytest.TempPathFactory) -> Interpreter:
    """An installed CPython 3 other than the PATH's `python3` when there is one."""
    cache = str(tmp_path_factory.mktemp("interpreters"))
    found = [
        i
        for i in identify(python_candidates(os.environ, cache), "python", cache)
        if i.implementation == "cpython" and i.version >= (3, 8) and "/_job/" not in i.path
    ]
    default = shutil.which("python3")
    default_version = next(
        (i.version[:2] for i in found if default and i.path == os.path.realpath(default)), None
    )
    others = [i for i in found if i.version[:2] != default_version]
    return max(others or found, key=lambda i: i.version)


@pytest.fixture(scope="module")
def uv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return uv_from_index(tmp_path_factory.mktemp("uv"))


def _site_packages(interpreter: Interpreter) -> Path:
    query = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    result = subprocess.run([interpreter.path, "-c", query], capture_output=True, text=True)
    return Path(result.stdout.strip())


def _values(lines: list[str]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_setup_python_is_an_installed_python_whose_installs_stay_in_the_job(
    tmp_path: Path, conveyor_home: Path, interpreter: Interpreter
) -> None:
    version = _short(interpreter.version)
    wheels = tmp_path / "wheels"
    system_wheel, user_wheel = make_wheel(wheels, "jobsys"), make_wheel(wheels, "jobuser")
    host_site = _site_packages(interpreter)
    before = tree_listing(host_site)
    user_site = Path.home() / ".local" / "lib" / f"python{version}"
    user_before = tree_listing(user_site) if user_site.exists() else {}
    script = f"""
echo "venv=${{VIRTUAL_ENV:-unset}}"
echo "location=$pythonLocation"
echo "roots=$Python_ROOT_DIR $Python2_ROOT_DIR $Python3_ROOT_DIR"
echo "pkgconfig=$PKG_CONFIG_PATH"
echo "found=$(command -v python{version})"
python -c 'import sys; print("prefix=" + sys.prefix); print("base=" + sys.base_prefix)'
pip install --no-index --quiet {system_wheel}
pip install --no-index --quiet --user {user_wheel}
python -c 'import jobsys; print("system=" + jobsys.__file__)'
python -c 'import jobuser; print("user=" + jobuser.__file__)'
"""
    doc = document(
        make_repo(tmp_path / "demo"),
        steps(
            {"uses": "actions/setup-python@v5", "id": "py", "with": {"python-version": version}},
            {"run": script},
        ),
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    values = _values(reporter.output(1))
    location = values["location"]
    assert values["venv"] == "unset"
    assert "/_job/" in location
    assert values["prefix"] == values["base"] == location
    assert values["roots"] == f"{location} {location} {location}"
    assert values["pkgconfig"] == f"{location}/lib/pkgconfig"
    assert values["found"] == f"{location}/bin/python{version}"
    assert result.steps[0].outputs["python-path"] == f"{location}/bin/python"
    assert values["system"].startswith(f"{location}/lib/python{version}/site-packages/")
    assert "/_job/python-user/" in values["user"]
    assert tree_listing(host_site) == before
    assert (tree_listing(user_site) if user_site.exists() else {}) == user_before


@pytest.mark.registry
def test_uv_finds_and_uses_the_python_setup_python_provides(
    tmp_path: Path, conveyor_home: Path, interpreter: Interpreter, uv: Path
) -> None:
    version = _short(interpreter.version)
    wheel = make_wheel(tmp_path / "wheels", "uvsys")
    host_site = _site_packages(interpreter)
    before = tree_listing(host_site)
    script = f"""
cd "$RUNNER_TEMP"
echo "location=$pythonLocation"
echo "found=$("$UV" python find {version} --system)"
"$UV" venv --quiet made
echo "venv=$(made/bin/python -c 'import sys; print(sys.version_info[:2])')"
"$UV" pip install --system --offline --quiet {wheel}
python -c 'import uvsys; print("system=" + uvsys.__file__)'
"""
    env = {
        "UV": str(uv),
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PYTHON_INSTALL_DIR": str(tmp_path / "uv-pythons"),
    }
    doc = document(
        make_repo(tmp_path / "demo"),
        steps(
            {"uses": "actions/setup-python@v5", "with": {"python-version": version}},
            {"run": script},
        ),
        env=env,
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    values = _values(reporter.output(1))
    location = values["location"]
    assert values["found"] == f"{location}/bin/python{version}"
    assert values["venv"] == str(tuple(interpreter.version[:2]))
    assert values["system"].startswith(f"{location}/lib/python{version}/site-packages/")
    assert tree_listing(host_site) == before


@pytest.mark.registry
@pytest.mark.slow
def test_nox_finds_the_python_setup_python_provides(
    tmp_path: Path, conveyor_home: Path, interpreter: Interpreter
) -> None:
    version = _short(interpreter.version)
    if interpreter.version < (3, 9):
        pytest.skip(f"nox needs Python 3.9 or newer; the interpreter here is {version}")
    noxfile = (
        "import nox\n\n"
        f"@nox.session(python={version!r}, venv_backend='venv')\n"
        "def check(session):\n"
        "    code = 'import sys; print(\"nox-python\", sys.version_info[:2])'\n"
        "    session.run('python', '-c', code)\n"
    )
    repo = make_repo(tmp_path / "demo", {"noxfile.py": noxfile})
    doc = document(
        repo,
        steps(
            {"uses": "actions/checkout@v4"},
            {"uses": "actions/setup-python@v5", "with": {"python-version": version}},
            {"run": "python -m pip install --quiet nox"},
            {"run": "nox --session check"},
        ),
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    if result.steps[2].outcome is not Conclusion.SUCCESS:
        pytest.skip(f"the package index did not answer for nox: {reporter.text(2)[-300:]}")
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert f"nox-python {tuple(interpreter.version[:2])}" in reporter.text(3)


def test_several_versions_each_from_the_host_and_update_environment_false(
    tmp_path: Path, conveyor_home: Path, interpreter: Interpreter
) -> None:
    cache = str(tmp_path / "identify")
    others = [
        i
        for i in identify(python_candidates(os.environ, cache), "python", cache)
        if i.implementation == "cpython" and i.version[:2] != interpreter.version[:2]
    ]
    if not others:
        pytest.skip("one CPython 3 version is installed here; this test needs two")
    first, second = (
        _short(max(others, key=lambda i: i.version).version),
        _short(interpreter.version),
    )
    doc = document(
        make_repo(tmp_path / "demo"),
        steps(
            {"uses": "actions/setup-python@v5", "with": {"python-version": first}},
            {"uses": "actions/setup-python@v5", "with": {"python-version": second}},
            {"run": f"python{first} -c 'import sys; print(sys.prefix)'\necho $pythonLocation"},
            {
                "uses": "actions/setup-python@v5",
                "id": "quiet",
                "with": {"python-version": first, "update-environment": "false"},
            },
            {"run": "echo $pythonLocation"},
        ),
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    first_prefix, location = reporter.output(2)
    assert "/_job/python/" in first_prefix
    assert location.rsplit("/", 1)[-1].startswith(second + ".")
    assert reporter.output(4) == [location]  # update-environment: false changed nothing
    assert result.steps[3].outputs["python-path"] == f"{first_prefix}/bin/python"
    templates = sorted(p.name for p in (conveyor_home / "toolcache" / "conveyor-python").iterdir())
    built = [name for name in templates if not name.endswith(".lock")]
    assert len(built) == 2, templates  # none made from a job's installation found on PATH


def test_the_job_installation_and_its_template_are_private(
    tmp_path: Path, conveyor_home: Path, interpreter: Interpreter
) -> None:
    version = _short(interpreter.version)
    doc = document(
        make_repo(tmp_path / "demo"),
        steps(
            {"uses": "actions/setup-python@v5", "with": {"python-version": version}},
            {"run": 'cp -r "$pythonLocation" "$RUNNER_TEMP/../../copy"'},
        ),
        instance_key="private",
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    open_to_others = [
        str(path)
        for root in (conveyor_home / "toolcache", next(conveyor_home.glob("runs/*/jobs/copy")))
        for path in [root, *root.rglob("*")]
        if not path.is_symlink() and path.lstat().st_mode & 0o077
    ]
    assert open_to_others == []


@pytest.mark.registry
@pytest.mark.slow
def test_tox_finds_the_python_setup_python_provides(
    tmp_path: Path, conveyor_home: Path, interpreter: Interpreter
) -> None:
    version = _short(interpreter.version)
    if interpreter.version < (3, 9):
        pytest.skip(f"tox needs Python 3.9 or newer; the interpreter here is {version}")
    env = f"py{version.replace('.', '')}"
    tox_ini = (
        f"[tox]\nenvlist = {env}\nskipsdist = true\n[testenv]\nskip_install = true\n"
        "commands = python -c \"import sys; print('tox-python', sys.version_info[:2])\"\n"
    )
    doc = document(
        make_repo(tmp_path / "demo", {"tox.ini": tox_ini}),
        steps(
            {"uses": "actions/checkout@v4"},
            {"uses": "actions/setup-python@v5", "with": {"python-version": version}},
            {"run": "python -m pip install --quiet tox"},
            {"run": f"tox -e {env}"},
        ),
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    if result.steps[2].outcome is not Conclusion.SUCCESS:
        pytest.skip(f"the package index did not answer for tox: {reporter.text(2)[-300:]}")
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert f"tox-python {tuple(interpreter.version[:2])}" in reporter.text(3)
