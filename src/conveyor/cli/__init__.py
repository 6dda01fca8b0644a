"""conveyor.cli."""
