"""Template data directories: initdb once per (binaries, account, user, database, initdb args),
then a copy per job — much faster than initdb and independent of the cache afterwards.

A template holds the superuser (named after POSTGRES_USER) and POSTGRES_DB, but no password:
the password is set on each copy at start, so no secret is ever kept in the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

from conveyor.errors import InfrastructureError
from conveyor.private_files import private_directory, private_lock
from conveyor.services import reaper
from conveyor.services.postgres_config import PostgresCredentials, quote_identifier
from conveyor.services.postgres_install import PostgresInstall
from conveyor.services.process import Reaper, spawn
from conveyor.services.runtime import ServiceRuntime, log_tail, remove_tree

TEMPLATE_FORMAT = 1
BASE_INITDB_ARGS = ("-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
SERVICE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C.UTF-8", "TZ": "UTC"}


def template_key(install: PostgresInstall, uid: int, credentials: PostgresCredentials) -> str:
    facts = [
        TEMPLATE_FORMAT,
        str(install.bin_dir.resolve()),
        install.version,
        uid,
        credentials.user,
        credentials.database,
        list(credentials.initdb_args),
    ]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:24]


def ensure_template(
    runtime: ServiceRuntime, install: PostgresInstall, credentials: PostgresCredentials
) -> Path:
    """The cached template's directory, made now if missing (one maker at a time)."""
    key = template_key(install, runtime.account.uid, credentials)
    directory = runtime.cache_base / "postgres" / f"{install.version}-{key}"
    if directory.is_dir():
        return directory
    private_directory(directory.parent)
    lock_path = directory.with_name(directory.name + ".lock")
    with private_lock(lock_path):
        if not directory.is_dir():
            _make_template(runtime, install, credentials, directory)
    return directory


def _make_template(
    runtime: ServiceRuntime,
    install: PostgresInstall,
    credentials: PostgresCredentials,
    target: Path,
) -> None:
    work = runtime.new_run_dir("postgres-template")
    try:
        data = work / "data"
        initdb = [install.tool("initdb"), "-D", str(data), "-U", credentials.user]
        _run(runtime, work, [*initdb, *BASE_INITDB_ARGS, *credentials.initdb_args], None)
        if credentials.database != "postgres":
            sql = f"CREATE DATABASE {quote_identifier(credentials.database)};\n"
            single = [install.tool("postgres"), "--single", "-D", str(data), "-c", "fsync=off"]
            _run(runtime, work, [*single, "postgres"], sql)
        copy_data_dir(data, target, runtime.reaper)
    finally:
        runtime.remove_run_dir(work)


def _run(runtime: ServiceRuntime, work: Path, argv: list[str], stdin_text: str | None) -> None:
    log_path = work / "setup.log"
    with open(log_path, "ab") as log:
        process = spawn(
            argv,
            run_dir=work,
            log=log,
            env=SERVICE_ENV,
            account=runtime.account,
            reaper_client=runtime.reaper,
            stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
        )
        try:
            process.popen.communicate(stdin_text.encode() if stdin_text else None, timeout=300)
        finally:
            process.stop()
            process.release()
    if process.popen.returncode != 0:
        raise InfrastructureError(
            f"making a PostgreSQL template failed: {Path(argv[0]).name} exited with "
            f"{process.popen.returncode}\n--- {log_path.name} ---\n{log_tail(log_path)}"
        )


def copy_data_dir(source: Path, target: Path, reaper_client: Reaper) -> None:
    """Copy a data directory keeping owners and modes (`cp -a`, reflinks where possible). If
    conveyor dies meanwhile, the reaper stops the copy and removes what it made."""
    partial = target.with_name(target.name + ".partial")
    remove_tree(partial)
    reaper_client.track_directory(partial)
    try:
        error = _copy(source, partial, reaper_client)
        if error is not None:
            remove_tree(partial)
            raise InfrastructureError(f"cannot copy {source} to {target}: {error}")
        partial.rename(target)
    finally:
        reaper_client.forget_directory(partial)


def _copy(source: Path, target: Path, reaper_client: Reaper) -> str | None:
    """`cp -a`, watched by the reaper; its error, None if it succeeded."""
    command = ["cp", "-a", "--reflink=auto", str(source), str(target)]
    env = {**os.environ, **reaper_client.marks()}
    try:
        copy = subprocess.Popen(
            command, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
    except OSError as exc:
        return str(exc)
    reaper_client.track(copy.pid, reaper.start_time(copy.pid), target)
    try:
        _, error = copy.communicate()
    finally:
        if copy.poll() is None:  # interrupted
            copy.kill()
            copy.wait()
        reaper_client.forget(copy.pid)
    return None if copy.returncode == 0 else error.strip() or f"cp exited with {copy.returncode}"
