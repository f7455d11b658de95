"""Partitions of a corpus: consecutive documents, read straight from the Parquet files.

A partition is ``(index, start, stop)``: documents ``start`` (included) to ``stop`` (excluded)
in corpus order. Tasks read their partition themselves (only the row groups that overlap it),
so the client never holds the corpus and nothing large travels with a task.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Documents per partition when the config does not say.
DEFAULT_PARTITION_DOCUMENTS = 2000


@dataclass(frozen=True)
class Partition:
    """Documents ``start`` to ``stop`` (excluded) of the corpus, partition number ``index``."""

    index: int
    start: int
    stop: int

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"

    def __len__(self) -> int:
        return self.stop - self.start


def plan(n_documents: int, size: int = DEFAULT_PARTITION_DOCUMENTS) -> list[Partition]:
    """Cut ``n_documents`` into partitions of ``size`` documents (the last may be smaller)."""
    if size < 1:
        from toolkit.errors import ConfigError

        raise ConfigError("partition_documents must be at least 1")
    return [Partition(i, a, min(a + size, n_documents)) for i, a in enumerate(range(0, n_documents, size))]


def read_rows(path: str | Path, start: int, stop: int, columns: list[str] | None = None):
    """Rows ``start`` to ``stop`` of a Parquet file as a ``pyarrow.Table``, reading only the
    row groups that overlap them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    md = pf.metadata
    offset = 0
    groups, first = [], None
    for rg in range(md.num_row_groups):
        n = md.row_group(rg).num_rows
        if offset + n > start and offset < stop:
            groups.append(rg)
            if first is None:
                first = offset
        offset += n
        if offset >= stop:
            break
    if not groups:
        return pf.schema_arrow.empty_table() if columns is None else pa.table(
            {c: pa.array([], type=pf.schema_arrow.field(c).type) for c in columns})  # fmt: skip
    table = pf.read_row_groups(groups, columns=columns)
    return table.slice(start - first, stop - start)


def read_documents(documents_path: str | Path, start: int, stop: int) -> list[tuple[str, str]]:
    """``(id, full_text)`` of documents ``start`` to ``stop`` (title, blank line, text, as
    :attr:`toolkit.corpus.documents.Document.full_text`)."""
    table = read_rows(documents_path, start, stop, ["id", "title", "text"])
    out = []
    for doc_id, title, text in zip(*(table.column(c).to_pylist() for c in ("id", "title", "text")), strict=True):
        text = text or ""
        out.append((doc_id, f"{title.strip()}\n\n{text}" if title and title.strip() else text))
    return out
