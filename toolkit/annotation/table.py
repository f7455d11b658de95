"""The token table: one row per syntactic word, written by annotation (``DIR/tokens.parquet``).

Its columns are listed in :data:`toolkit.annotation.annotate.TOKEN_COLUMNS`; the vocabulary,
embeddings and concordances read it.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.errors import StageMissingError

TOKENS_FILE = "tokens.parquet"


def tokens_path(corpus_dir: str | Path) -> Path:
    p = Path(corpus_dir)
    return p if p.suffix == ".parquet" else p / TOKENS_FILE


def require_tokens(corpus_dir: str | Path) -> Path:
    """The token table path, or a :class:`StageMissingError` saying how to make it."""
    p = tokens_path(corpus_dir)
    if not p.is_file():
        raise StageMissingError(
            f"{p.parent} has no token table ({TOKENS_FILE}); annotate it first: fnt annotate {p.parent}"
        )
    return p
