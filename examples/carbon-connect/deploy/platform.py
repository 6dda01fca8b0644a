#!/usr/bin/env python3
"""The Carbon Connect local platform: `python3 deploy/platform.py COMMAND` (deploy/README.md)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from localplatform.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
