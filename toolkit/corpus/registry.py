"""The one registry of corpus readers, by file-name ending.

Readers register themselves here when their module is imported: the built-in formats in
:mod:`toolkit.corpus.readers`, RSS/Atom and HTML in :mod:`toolkit.corpus.sources`. A new reader
is a function ``(path, ReadOptions) -> Iterator[Record]`` passed to :func:`register_reader`.
This module imports no reader, so any reader can import it.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.corpus.documents import Reader

#: Readers by file-name ending (lower case, with the dot).
READERS: dict[str, Reader] = {}


def register_reader(suffix: str, reader: Reader) -> None:
    """Register ``reader`` for files whose name ends with ``suffix`` (e.g. ``.xml``)."""
    READERS[suffix.lower()] = reader


def lookup(path: Path) -> Reader | None:
    """The registered reader for ``path`` by its longest matching suffix, or None."""
    name = path.name.lower()
    for suffix in sorted(READERS, key=len, reverse=True):
        if name.endswith(suffix):
            return READERS[suffix]
    return None
