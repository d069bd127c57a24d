"""The package's own exceptions; each message tells the user what to do next."""

from __future__ import annotations


class MatcherError(Exception):
    """Base class for every error matcher raises on purpose."""

    exit_code = 1


class CorpusError(MatcherError):
    """A corpus file or directory is unreadable or invalid.

    ``problems`` holds every ``file:record: field: problem`` line, not just the first.
    """

    exit_code = 2

    def __init__(self, problems: list[str], summary: str | None = None):
        self.problems = list(problems)
        head = summary or f"corpus has {len(self.problems)} problem(s)"
        super().__init__(head + ("\n" + "\n".join(self.problems) if self.problems else ""))


class IndexNotFoundError(MatcherError):
    """No index where one was expected."""

    exit_code = 3


class IndexCorruptError(MatcherError):
    """An index directory exists but cannot be read."""

    exit_code = 3


class IndexMismatchError(MatcherError):
    """An index was built with another model or format than the one asked for."""

    exit_code = 3


class ModelError(MatcherError):
    """An encoder cannot be found or loaded."""

    exit_code = 4


class QueryError(MatcherError):
    """A brief or a filter cannot be matched as given."""

    exit_code = 5
