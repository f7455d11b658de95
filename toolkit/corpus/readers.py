"""Readers for the usual corpus formats, and reading files and folders into records.

JSON Lines (plain or ``.gz``), CSV (comma, semicolon or tab), Parquet, ``.txt`` and ``.md`` files
are read here; importing this module also loads :mod:`toolkit.corpus.sources`, whose readers
(RSS/Atom, Europresse and web pages) register themselves in :mod:`toolkit.corpus.registry`.
Each reader yields :class:`~toolkit.corpus.documents.Record` items.

Examples
--------
>>> from toolkit.corpus.readers import read_documents
>>> docs = [r.document for r in read_documents(["corpus"]) if r.ok]  # doctest: +SKIP
>>> docs[0].id                                                        # doctest: +SKIP
'seed-000-4aed66ba79373d17'
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from toolkit.corpus import sources as _sources  # noqa: F401  (registers RSS, HTML readers)
from toolkit.corpus.documents import (
    BadRecord,
    Reader,
    ReadOptions,
    Record,
    _build_document,
    _open_text,
    decode_bytes,
)
from toolkit.corpus.registry import READERS, lookup, register_reader
from toolkit.errors import InputError

log = logging.getLogger(__name__)


def read_jsonl(path: Path, opts: ReadOptions = ReadOptions()) -> Iterator[Record]:
    """Read JSON Lines (``.jsonl``, ``.jsonl.gz``): one object a line, blank lines ignored."""
    stem = path.name.split(".")[0]
    handle, _ = _open_text(path, opts.encoding)
    with handle:
        lineno = 0
        while True:
            lineno += 1
            try:
                line = handle.readline()
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"not valid UTF-8 near byte {exc.start} of this line. "
                    "Rerun with --encoding auto, or --encoding cp1252 / latin-1",
                    path=str(path),
                    line=lineno,
                ) from None
            except (EOFError, gzip.BadGzipFile, OSError) as exc:
                raise InputError(f"truncated or corrupt file ({exc})", path=str(path), line=lineno) from None
            if not line:
                break
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Record(
                    bad=BadRecord(str(path), lineno, "invalid_json", f"invalid JSON ({exc.msg} at column {exc.colno})"),
                    path=str(path),
                    line=lineno,
                )
                continue
            if not isinstance(raw, dict):
                yield Record(
                    bad=BadRecord(str(path), lineno, "invalid_json", "a line must hold a JSON object"),
                    path=str(path),
                    line=lineno,
                )
                continue
            yield _build_document(raw, opts, path, lineno, f"{stem}-{lineno}")


def read_csv(path: Path, opts: ReadOptions = ReadOptions()) -> Iterator[Record]:
    """Read CSV (comma, semicolon or tab separated, detected) with a header row."""
    stem = path.name.split(".")[0]
    handle, _ = _open_text(path, opts.encoding)
    with handle:
        try:
            sample = handle.read(1 << 16)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not valid UTF-8 (byte {exc.start}). Rerun with --encoding auto, or --encoding cp1252",
                path=str(path),
            ) from None
        handle.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(handle, dialect=dialect)
        try:
            for i, row in enumerate(reader, start=2):
                if None in row:
                    yield Record(
                        bad=BadRecord(str(path), reader.line_num, "bad_row", "more fields than the header"),
                        path=str(path),
                        line=reader.line_num,
                    )
                    continue
                row = {k: (v if v != "" else None) for k, v in row.items()}
                yield _build_document(row, opts, path, reader.line_num, f"{stem}-{i}")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not valid UTF-8 (byte {exc.start}). Rerun with --encoding auto, or --encoding cp1252",
                path=str(path),
                line=reader.line_num + 1,
            ) from None
        except csv.Error as exc:
            raise InputError(f"malformed CSV ({exc})", path=str(path), line=reader.line_num) from None


def read_parquet(path: Path, opts: ReadOptions = ReadOptions()) -> Iterator[Record]:
    """Read a Parquet table, one document per row, in batches."""
    import pyarrow.parquet as pq

    stem = path.name.split(".")[0]
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path=str(path)) from None
    n = 0
    for batch in pf.iter_batches(batch_size=1024):
        for raw in batch.to_pylist():
            n += 1
            yield _build_document(raw, opts, path, n, f"{stem}-{n}")


def read_text_file(path: Path, opts: ReadOptions = ReadOptions()) -> Iterator[Record]:
    """Read a ``.txt`` or ``.md`` file as one document.

    The first line is the title when a blank line follows it; the id is the file name without
    extension. A Markdown file may start with a ``---`` front-matter block of ``key: value``
    lines (``date``, ``source``, ``section``, ``url``, ``title``, ``id`` and anything else as
    metadata).
    """
    text, _ = decode_bytes(path.read_bytes(), path, opts.encoding)
    raw: dict[str, Any] = {"id": path.stem}
    text = text.replace("\r\n", "\n")
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end > 0:
            for line in text[4:end].splitlines():
                if ":" in line:
                    key, value = line.split(":", 1)
                    raw[key.strip()] = value.strip().strip("\"'") or None
            text = text[end + 4 :].lstrip("\n")
    lines = text.split("\n")
    if "title" not in raw and len(lines) > 2 and lines[0].strip() and not lines[1].strip():
        raw["title"] = lines[0].lstrip("# ").strip()
        text = "\n".join(lines[2:]).strip("\n")
    raw["text"] = text.strip()
    yield _build_document(raw, opts, path, None, path.stem)


for _suffix, _reader in {
    ".jsonl": read_jsonl,
    ".jsonl.gz": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
    ".csv.gz": read_csv,
    ".tsv": read_csv,
    ".parquet": read_parquet,
    ".txt": read_text_file,
    ".md": read_text_file,
}.items():
    register_reader(_suffix, _reader)


def reader_for(path: Path) -> Reader | None:
    """The reader for ``path`` by its longest matching suffix, or None."""
    return lookup(path)


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand files and folders (recursively, sorted, hidden files skipped) into input files."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                rel = child.relative_to(p)
                if not child.is_file() or any(part.startswith((".", "_")) for part in rel.parts):
                    continue
                if child.name.lower() in ("readme.md", "readme.txt", "license", "licence"):
                    continue
                if reader_for(child) is not None:
                    yield child
                else:
                    log.info("%s: no reader for this file type, ignored", child)
        elif p.is_file():
            yield p
        else:
            raise InputError("no such file or directory", path=str(p))


def read_documents(
    paths: Iterable[str | Path], options: ReadOptions | None = None
) -> Iterator[Record]:
    """Read every input (files and folders) and yield records in a stable order.

    In folders, ``README.md`` and files whose name starts with ``.`` or ``_`` are ignored
    (a corpus folder documents itself in its README).
    """
    opts = options or ReadOptions()
    for path in iter_input_files(paths):
        reader = reader_for(path)
        if reader is None:
            raise InputError(
                f"unsupported file type; supported: {', '.join(sorted(READERS))}", path=str(path)
            )
        yield from reader(path, opts)
