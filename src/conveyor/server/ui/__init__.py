"""The web UI of `conveyor serve`: server-rendered Jinja2 pages with htmx (vendored, no build).

Modules: `session` (the signed cookie and CSRF tokens), `auth` (login, logout, who is asking),
`templating`, `runs_pages` (runs list, run page and their live fragments), `actions` (the
buttons: cancel, re-run, approve, reject), `environments_page`, `badge`, `assets` (static
files); pure helpers: `log_view` (ANSI colours, groups), `job_graph` (the `needs` DAG),
`summaries` (Markdown, sanitised).
"""
