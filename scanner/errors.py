"""The one error type the CLI turns into a one-line message and an exit code.

This module imports nothing else from the project, so every layer can raise it.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GAPS = 1
EXIT_USAGE = 2


class MlpsError(Exception):
    """A problem the user can fix: bad input, bad data, unknown option value.

    ``message`` is shown on one line; ``hint`` (optional) says what to do.
    """

    def __init__(self, message: str, hint: str | None = None, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code

    def one_line(self) -> str:
        text = self.message.replace("\n", " ")
        if self.hint:
            text += f" (hint: {self.hint})"
        return text
