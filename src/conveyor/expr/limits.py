"""The bounds GitHub puts on one expression (ExpressionConstants in actions/runner)."""

from __future__ import annotations

MAX_LENGTH = 21_000
"""Longest expression source accepted, in characters."""

MAX_DEPTH = 50
"""Deepest expression tree accepted; the root is at depth 1."""

MAX_PARAMETERS = 255
"""Most arguments a variadic function (format, hashFiles, case) accepts."""

MAX_MEMORY = 10 * 1024 * 1024
"""Bytes an expression's results may hold at once (the runner's PipelineTemplateEvaluator
.MaxResultSize, handed to the expression evaluator as EvaluationOptions.MaxMemory)."""

STRING_OVERHEAD = 26
"""What the runner's MemoryCounter charges for any string, plus 2 bytes a character."""

POINTER_SIZE = 8
"""What it charges for each element of a filtered array."""

OBJECT_SIZE = 24
"""What it charges for a new array or object."""

WHITESPACE = (
    "\t\n\v\f\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
"""The characters .NET's Char.IsWhiteSpace accepts (Python's str.isspace differs on U+001C-1F)."""
