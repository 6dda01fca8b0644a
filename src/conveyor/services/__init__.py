"""conveyor.services."""
