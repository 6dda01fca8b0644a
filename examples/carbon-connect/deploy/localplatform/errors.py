"""The one exception the tool raises on purpose: its message is the line the user sees."""


class PlatformError(Exception):
    """A failure worth one clear line (exit 1); `usage` marks bad input (exit 2)."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage
