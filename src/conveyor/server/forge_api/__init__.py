"""The local forge's subset of GitHub's REST API, under /api/v3: GitHub's paths, JSON shapes,
status codes, pagination and error bodies, over the local forge's rows (`conveyor.store.forge_*`)
and the hosted repositories' bare git repositories (docs/forges.md, "The local forge: REST API").

One router module per area (repos, issues, comments, labels, pulls, releases, uploads,
statuses, checks), each listed in `conveyor.server.app.ROUTERS`."""
