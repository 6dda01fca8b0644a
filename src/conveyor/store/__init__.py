"""conveyor.store."""
