"""The one error family of mortem.

Every error says what went wrong and where (file, line, field), so the CLI can print
it as one line and the web page can return it as a 4xx with the same text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a postmortem file, located as precisely as we can."""

    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class MortemError(Exception):
    """Base class: a message fit for a user, no traceback needed."""

    exit_code = 1
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(MortemError):
    """The user asked for something that does not make sense (bad flag, bad value)."""

    exit_code = 2


class ConfigError(MortemError):
    """mortem.toml is missing, unreadable, or has an unknown key or a bad value."""

    exit_code = 2


class NotFoundError(MortemError):
    """A postmortem, action item, template or repository that does not exist."""

    http_status = 404


class ParseError(MortemError):
    """A file that cannot be read as a postmortem; it is never rewritten."""

    http_status = 422

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InvalidDocumentError(ParseError):
    """A file that parses but whose front matter breaks the format's rules."""


class ConflictError(MortemError):
    """The file changed since it was read: a save based on an old revision is refused."""

    http_status = 409


class GitError(MortemError):
    """A git command failed; the message carries git's own words."""
