"""conveyor.expr."""
