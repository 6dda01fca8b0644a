"""conveyor.server."""
