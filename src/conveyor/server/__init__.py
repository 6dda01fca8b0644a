"""conveyor.server: the FastAPI application of `conveyor serve` (webhooks, REST API, web UI).

The server is handed its adapters (`ServerContext`: the store, something that starts runs for
events, something that cancels and re-runs them); it never runs steps itself and never imports
bootstrap (DESIGN.md §1): `conveyor.cli.serve_command` builds the context through bootstrap.
"""
