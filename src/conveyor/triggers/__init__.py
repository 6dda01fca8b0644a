"""conveyor.triggers."""
