"""`python -m textstats FILE...`: print the word count and the top words of each file."""

from __future__ import annotations

import sys
from pathlib import Path

from textstats import top_words, word_count


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: textstats FILE...", file=sys.stderr)
        return 2
    for name in argv:
        text = Path(name).read_text(encoding="utf-8")
        top = ", ".join(f"{word}={count}" for word, count in top_words(text))
        print(f"{name}: {word_count(text)} words; top: {top}")
    return 0


def run() -> None:
    """The entry point of the zip application."""
    # TODO: accept text on standard input as well.
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    run()
