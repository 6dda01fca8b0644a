"""conveyor.workflow."""
