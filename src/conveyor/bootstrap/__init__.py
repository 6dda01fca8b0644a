"""conveyor.bootstrap."""
