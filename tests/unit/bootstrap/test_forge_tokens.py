"""A served job of a `--forge github` repository gets the forge's GITHUB_TOKEN narrowed to its
`permissions:` and the forge's URLs; a pull request from a fork a read-only token and no
secrets; a forge that gives no token does not stop the job."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from conveyor.bootstrap.forge_tokens import TokenExecutor, from_fork
from conveyor.engine.ports.executor import JobDocument
from conveyor.engine.ports.forge import JobToken
from conveyor.forge.fake import FAKE_URLS, FakeForge
from conveyor.model.results import Conclusion, JobResult
from conveyor.workflow.loader import load_workflow_or_raise

WORKFLOW = """\
on: push
permissions:
  contents: read
  issues: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{run: "true"}]
  comment:
    runs-on: ubuntu-latest
    permissions:
      pull-requests: write
    steps: [{run: "true"}]
"""


@dataclass
class Recording:
    documents: list[JobDocument] = field(default_factory=list)

    def run_job(self, document: JobDocument, reporter: object, cancel: object) -> JobResult:
        self.documents.append(document)
        return JobResult(Conclusion.SUCCESS)


def document(job_id: str, path: str = ".github/workflows/ci.yml") -> JobDocument:
    contexts = {"github": {"token": ""}, "secrets": {"DEPLOY_KEY": "s3cret"}}
    return JobDocument("1", job_id, job_id, job_id, path, "/r", "a" * 40, contexts, {}, ())


def executor(forge: FakeForge, fork: bool = False, text: str = WORKFLOW) -> TokenExecutor:
    workflow = load_workflow_or_raise(".github/workflows/ci.yml", text)
    workflows = {workflow.path: workflow}
    return TokenExecutor(Recording(), forge, "octo/hello", workflows, fork)


def contexts_of(document: JobDocument) -> Mapping[str, Mapping[str, object]]:
    return document.contexts  # type: ignore[return-value]


def test_each_job_gets_a_token_narrowed_to_its_permissions() -> None:
    forge = FakeForge()
    tokens = executor(forge)
    build = tokens.with_token(document("build"))
    comment = tokens.with_token(document("comment"))
    assert [t.permissions for t in forge.tokens] == [
        {"contents": "read", "issues": "write"},
        {"pull-requests": "write"},
    ]
    github, secrets = contexts_of(build)["github"], contexts_of(build)["secrets"]
    assert github["token"] == secrets["GITHUB_TOKEN"] == forge.tokens[0].value
    assert secrets["DEPLOY_KEY"] == "s3cret"
    assert forge.tokens[0].value in build.masks
    assert github["api_url"] == FAKE_URLS.api_url
    assert github["server_url"] == FAKE_URLS.server_url
    assert github["graphql_url"] == FAKE_URLS.graphql_url
    assert contexts_of(comment)["github"]["token"] == forge.tokens[1].value


def test_without_permissions_github_s_default_applies() -> None:
    forge = FakeForge()
    bare = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n"
    executor(forge, text=bare).with_token(document("build"))
    assert forge.tokens[0].permissions == {"contents": "read", "packages": "read"}


def test_a_fork_s_pull_request_gets_a_read_only_token_and_no_secrets() -> None:
    forge = FakeForge()
    changed = executor(forge, fork=True).with_token(document("build"))
    assert forge.tokens[0].permissions == {"contents": "read", "issues": "read"}
    assert contexts_of(changed)["secrets"] == {"GITHUB_TOKEN": forge.tokens[0].value}


def test_fork_pull_requests_are_told_apart() -> None:
    def pull(head: str, fork: bool = False) -> dict[str, object]:
        head_repo = {"full_name": head, "fork": fork}
        base = {"repo": {"full_name": "octo/hello", "fork": False}}
        return {"pull_request": {"head": {"repo": head_repo}, "base": base}}

    assert from_fork("pull_request", pull("mallory/hello", fork=True))
    assert not from_fork("pull_request", pull("octo/hello"))
    assert not from_fork("pull_request_target", pull("mallory/hello", fork=True))
    assert not from_fork("push", {})


class BrokenForge(FakeForge):
    def job_token(self, repository: str, permissions: Mapping[str, str]) -> JobToken:
        raise RuntimeError("GitHub is down")


def test_a_forge_that_gives_no_token_does_not_stop_the_job() -> None:
    tokens = executor(BrokenForge())
    result = tokens.run_job(document("build"), None, None)  # type: ignore[arg-type]
    assert result.result is Conclusion.SUCCESS
    assert isinstance(tokens.inner, Recording)
    assert "GITHUB_TOKEN" not in contexts_of(tokens.inner.documents[0])["secrets"]


def test_the_shorthands_ask_for_the_scopes_an_installation_token_has() -> None:
    # read-all/write-all as GitHub's App permissions know them: id-token, attestations and
    # models have no installation-token equivalent and are left out.
    app_scopes = {
        "actions", "checks", "contents", "deployments", "discussions", "issues", "packages",
        "pages", "pull-requests", "repository-projects", "security-events", "statuses",
    }  # fmt: skip
    for shorthand in ("read-all", "write-all"):
        forge = FakeForge()
        text = WORKFLOW.replace("permissions:\n  contents: read\n  issues: write\n",
                                f"permissions: {shorthand}\n")  # fmt: skip
        executor(forge, text=text).with_token(document("build"))
        level = shorthand.removesuffix("-all")
        assert forge.tokens[0].permissions == dict.fromkeys(app_scopes, level)
