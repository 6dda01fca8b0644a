"""Layer 5: access to local git repositories (events, changed files, workspaces)."""
