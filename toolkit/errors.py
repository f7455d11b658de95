"""One exception hierarchy for the toolkit.

Every error a user can act on derives from :class:`ToolkitError`. The command line turns
these into a one-line message and a non-zero exit code; other exceptions are bugs.
"""

from __future__ import annotations


class ToolkitError(Exception):
    """Base class: a problem the user can fix (bad input, bad config, missing stage)."""

    exit_code = 2


class InputError(ToolkitError):
    """An input file or record is unreadable or invalid.

    Parameters
    ----------
    message : str
        What is wrong and what to do about it.
    path : str or None
        The file concerned.
    line : int or None
        1-based line number (or record number) in ``path``.
    doc_id : str or None
        The document concerned.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        doc_id: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.doc_id = doc_id
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(str(self.path) + (f":{self.line}" if self.line else ""))
        elif self.line:
            where.append(f"line {self.line}")
        if self.doc_id:
            where.append(f"document {self.doc_id!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ConfigError(ToolkitError):
    """An experiment or command configuration is invalid (unknown key, bad value)."""


class StageMissingError(ToolkitError):
    """A corpus directory lacks the stage output a command needs (e.g. no token table)."""


class ModelError(ToolkitError):
    """A model cannot be trained or used as asked (empty vocabulary, k too large, not fitted)."""


class NotInstalledError(ToolkitError):
    """An optional dependency is missing; the message says how to install it."""
