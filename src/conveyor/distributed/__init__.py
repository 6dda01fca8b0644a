"""conveyor.distributed."""
