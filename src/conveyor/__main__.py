"""`python -m conveyor` runs the command-line interface."""

from conveyor.cli.main import main

main()
