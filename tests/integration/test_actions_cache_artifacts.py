"""actions/cache (+ /restore, /save) and upload/download-artifact (native) across jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.actions import default_registry
from conveyor.model.results import Conclusion
from tests.unit.executors.harness import document, make_repo, run_job, steps

pytestmark = pytest.mark.integration


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "demo", {"lock.txt": "deps v1\n"})


def _cache_job(repo: Path, key: str, restore_keys: str = "", extra: tuple = ()) -> object:
    return document(
        repo,
        steps(
            {
                "uses": "actions/cache@v4",
                "id": "cache",
                "with": {
                    "path": "deps\n~/.conveyor-test-cache-never\n!deps/skip.txt",
                    "key": key,
                    "restore-keys": restore_keys,
                },
            },
            {
                "run": "cat deps/a.txt 2>/dev/null || echo missing\n"
                "echo hit=${{ steps.cache.outputs.cache-hit }}"
            },
            {
                "run": "mkdir -p deps; echo built-for-"
                + key
                + " > deps/a.txt; echo no > deps/skip.txt"
            },
            *extra,
        ),
    )


def test_cache_miss_save_hit_and_restore_key(repo: Path, conveyor_home: Path) -> None:
    registry = default_registry()
    first, reporter = run_job(
        _cache_job(repo, "deps-${{ hashFiles('lock.txt') }}"), conveyor_home, actions=registry
    )
    assert first.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert reporter.output(1) == ["missing", "hit=false"]
    assert [s.name for s in first.steps][-1].startswith("Post ")
    assert "Cache saved with key: deps-" in reporter.text(first.steps[-1].index)

    second, reporter = run_job(
        _cache_job(repo, "deps-${{ hashFiles('lock.txt') }}"), conveyor_home, actions=registry
    )
    assert reporter.output(1)[1] == "hit=true"
    assert reporter.output(1)[0].startswith("built-for-deps-")
    assert "not saving cache" in reporter.text(second.steps[-1].index)

    third, reporter = run_job(
        _cache_job(repo, "deps-other", "deps-\nnothing-"), conveyor_home, actions=registry
    )
    assert reporter.output(1)[1] == "hit=false"
    assert reporter.output(1)[0].startswith("built-for-deps-")
    assert third.steps[0].outputs["cache-matched-key"].startswith("deps-")


def test_cache_is_not_saved_when_the_job_fails(repo: Path, conveyor_home: Path) -> None:
    registry = default_registry()
    failing = _cache_job(repo, "k1", extra=({"run": "exit 1"},))
    result, _ = run_job(failing, conveyor_home, actions=registry)
    assert result.result is Conclusion.FAILURE
    assert not any(s.name.startswith("Post ") for s in result.steps)
    _, reporter = run_job(_cache_job(repo, "k1"), conveyor_home, actions=registry)
    assert reporter.output(1) == ["missing", "hit=false"]


def test_cache_restore_and_save_actions(repo: Path, conveyor_home: Path) -> None:
    registry = default_registry()
    save = document(
        repo,
        steps(
            {"run": "mkdir -p out && echo saved > out/x && echo no > out/skip.txt"},
            {
                "uses": "actions/cache/save@v4",
                "with": {"path": "out\n!out/skip.txt", "key": "explicit"},
            },
        ),
    )
    result, reporter = run_job(save, conveyor_home, actions=registry)
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    restore = document(
        repo,
        steps(
            {
                "uses": "actions/cache/restore@v4",
                "id": "r",
                "with": {"path": "out\n!out/skip.txt", "key": "explicit"},
            },
            {"run": "cat out/x; ls out/skip.txt 2>/dev/null || echo excluded"},
            {
                "uses": "actions/cache/restore@v4",
                "with": {"path": "other", "key": "explicit", "fail-on-cache-miss": "true"},
            },
        ),
    )
    result, reporter = run_job(restore, conveyor_home, actions=registry)
    assert result.steps[0].outputs["cache-hit"] == "true"
    assert reporter.output(1) == ["saved", "excluded"]
    assert result.steps[2].outcome is Conclusion.FAILURE  # another path → another cache version


def test_artifacts_between_two_jobs_of_a_run(repo: Path, conveyor_home: Path) -> None:
    registry = default_registry()
    upload = document(
        repo,
        steps(
            {
                "run": "mkdir -p dist/sub && echo a > dist/a.whl && echo b > dist/sub/b.txt && "
                "echo h > dist/.hidden && echo log > build.log"
            },
            {
                "uses": "actions/upload-artifact@v4",
                "id": "up",
                "with": {"name": "dist", "path": "dist/\n!dist/sub/b.txt"},
            },
            {"uses": "actions/upload-artifact@v4", "with": {"name": "log", "path": "build.log"}},
            {
                "uses": "actions/upload-artifact@v4",
                "with": {"name": "dist", "path": "dist"},
                "condition": "always()",
            },
            {
                "uses": "actions/upload-artifact@v4",
                "condition": "always()",
                "with": {"name": "none", "path": "nothing/*.x", "if-no-files-found": "error"},
            },
            {
                "uses": "actions/upload-artifact@v4",
                "condition": "always()",
                "with": {"name": "none", "path": "nothing/*.x"},
            },
        ),
        job_id="build",
        instance_key="build",
    )
    result, reporter = run_job(upload, conveyor_home, actions=registry)
    assert [str(s.outcome) for s in result.steps] == [
        "success",
        "success",
        "success",
        "failure",
        "failure",
        "success",
    ]
    assert result.steps[1].outputs["artifact-digest"]
    assert "already exists" in reporter.text(3)
    assert "No files were found" in reporter.text(4)
    assert "##[warning]No files" in reporter.text(5)

    download = document(
        repo,
        steps(
            {"uses": "actions/download-artifact@v4", "with": {"name": "dist", "path": "got"}},
            {"run": "find got -type f | sort"},
            {"uses": "actions/download-artifact@v4", "with": {"path": "all"}},
            {"run": "find all -type f | sort"},
            {
                "uses": "actions/download-artifact@v4",
                "with": {"name": "missing"},
                "condition": "always()",
            },
        ),
        job_id="test",
        instance_key="test",
    )
    result, reporter = run_job(download, conveyor_home, actions=registry)
    assert reporter.output(1) == ["got/a.whl"]
    assert reporter.output(3) == ["all/dist/a.whl", "all/log/build.log"]
    assert result.steps[4].outcome is Conclusion.FAILURE
    assert "Artifact not found for name: missing" in reporter.text(4)


def test_artifacts_are_scoped_to_their_run(repo: Path, conveyor_home: Path) -> None:
    registry = default_registry()
    upload = document(
        repo,
        steps(
            {"run": "echo x > f.txt"},
            {"uses": "actions/upload-artifact@v4", "with": {"path": "f.txt"}},
        ),
    )
    run_job(upload, conveyor_home, actions=registry)
    other_run = document(
        repo,
        steps({"uses": "actions/download-artifact@v4", "with": {"name": "artifact"}}),
        run_id="run-2",
    )
    result, _ = run_job(other_run, conveyor_home, actions=registry)
    assert result.result is Conclusion.FAILURE


SECRET = "s3cr3t-V@LUE_q9z"


def test_artifact_names_and_cache_keys_holding_a_secret_are_refused(
    repo: Path, conveyor_home: Path
) -> None:
    doc = document(
        repo,
        steps(
            {"run": "mkdir -p deps && echo a > deps/a.txt"},
            {
                "uses": "actions/upload-artifact@v4",
                "with": {"name": "dist-${{ secrets.TOKEN }}", "path": "deps"},
            },
            {
                "uses": "actions/cache/save@v4",
                "with": {"path": "deps", "key": "deps-${{ secrets.TOKEN }}"},
                "condition": "always()",
            },
            {
                "uses": "actions/cache@v4",
                "with": {"path": "deps", "key": "k-${{ secrets.TOKEN }}"},
                "condition": "always()",
            },
        ),
        contexts={"secrets": {"TOKEN": SECRET}},
        masks=(SECRET,),
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert [str(step.outcome) for step in result.steps] == ["success"] + ["failure"] * 3
    errors = [a.message for a in reporter.annotations]
    assert errors[0].startswith("upload-artifact: the artifact name holds a secret")
    assert errors[1].startswith("cache: the key holds a secret")
    assert errors[2].startswith("cache: the key holds a secret")
    assert SECRET not in reporter.text(every=True) + repr(reporter.annotations)
    written = [p for p in conveyor_home.rglob("*") if "q9z" in p.name]
    stored = [p for p in conveyor_home.rglob("*") if p.is_file() and b"q9z" in p.read_bytes()]
    assert (written, stored) == ([], [])


def test_a_path_under_runner_temp_comes_back_under_the_next_jobs_temp(
    repo: Path, conveyor_home: Path
) -> None:
    # Each job here has its own RUNNER_TEMP; on GitHub it is the same path in every job.
    def job(run_id: str) -> object:
        return document(
            repo,
            steps(
                {
                    "uses": "actions/cache@v4",
                    "id": "cache",
                    "with": {"path": "${{ runner.temp }}/pip", "key": "temp-k"},
                },
                {"run": 'cat "$RUNNER_TEMP/pip/a.txt" 2>/dev/null || echo missing'},
                {"run": 'mkdir -p "$RUNNER_TEMP/pip"; echo built > "$RUNNER_TEMP/pip/a.txt"'},
            ),
            run_id=run_id,
        )

    registry = default_registry()
    _, reporter = run_job(job("run-1"), conveyor_home, actions=registry)
    assert reporter.output(1) == ["missing"], reporter.text(every=True)
    _, reporter = run_job(job("run-2"), conveyor_home, actions=registry)
    assert reporter.output(1) == ["built"], reporter.text(every=True)
