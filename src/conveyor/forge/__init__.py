"""conveyor.forge."""
