"""How `conveyor run` shows a run: a live view on a terminal, prefixed lines otherwise, log
files under CONVEYOR_HOME, and a summary at the end."""
