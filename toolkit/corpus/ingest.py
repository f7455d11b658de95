"""``fnt ingest``: read sources into a corpus directory (Parquet documents + JSON manifest).

The corpus directory is written to a temporary directory beside the target and renamed at the
end, so an interrupted ingest never leaves a directory that looks complete. Documents are
streamed: memory holds one Parquet row group (and the set of ids seen), never the corpus.

Layout of a corpus directory::

    DIR/documents.parquet   id, title, text, date, source, section, url, meta (JSON string)
    DIR/manifest.json       inputs, counts (kept, skipped by reason, duplicates), words,
                            date range, sections, sources, content hash, versions, timings
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from toolkit.corpus.documents import (
    DOCUMENTS_FILE,
    MANIFEST_FILE,
    BadRecord,
    Corpus,
    Document,
    ReadOptions,
    Record,
)
from toolkit.errors import InputError
from toolkit.runtime import atomic_directory, base_manifest, peak_memory_mb, write_json

log = logging.getLogger(__name__)

#: Rows per Parquet row group (bounded memory while writing).
ROW_GROUP_SIZE = 1000
#: At most this many skipped items are listed one by one in the manifest (all are counted).
MAX_LISTED = 1000


def _schema():
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in (
        "id", "title", "text", "date", "source", "section", "url", "meta")])  # fmt: skip


_LONE_PUNCT = re.compile(r"(?<!\S)[^\w\s]+(?!\S)")
_CHUNK = 1 << 20


def count_words(text: str) -> int:
    """Whitespace-separated items holding a letter or digit (« : » or « % » alone do not count).

    Huge documents are counted 1 MB at a time (cut at whitespace), so memory stays bounded.
    """
    n, start, size = 0, 0, len(text)
    while start < size:
        end = min(start + _CHUNK, size)
        while end < size and not text[end].isspace():
            end += 1
        part = text[start:end]
        n += len(part.split()) - len(_LONE_PUNCT.findall(part))
        start = end
    return n


def content_hash_update(h: hashlib._Hash, doc: Document) -> None:
    """Feed one document's canonical form into a running hash."""
    h.update(json.dumps(doc.to_row(), sort_keys=True, ensure_ascii=False).encode("utf-8"))
    h.update(b"\n")


class _Stats:
    """Counters gathered while streaming documents."""

    def __init__(self) -> None:
        self.kept = 0
        self.words = 0
        self.sections: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()
        self.date_min: str | None = None
        self.date_max: str | None = None
        self.skipped: Counter[str] = Counter()
        self.skipped_items: list[dict[str, Any]] = []
        self.hash = hashlib.sha256()

    def add(self, doc: Document) -> None:
        self.kept += 1
        self.words += count_words(doc.text)
        if doc.section:
            self.sections[doc.section] += 1
        if doc.source:
            self.sources[doc.source] += 1
        if doc.day:
            self.date_min = min(self.date_min or doc.day, doc.day)
            self.date_max = max(self.date_max or doc.day, doc.day)
        content_hash_update(self.hash, doc)

    def skip(self, bad: BadRecord) -> None:
        self.skipped[bad.reason] += 1
        if len(self.skipped_items) < MAX_LISTED:
            self.skipped_items.append(
                {"path": bad.path, "line": bad.line, "doc_id": bad.doc_id,
                 "reason": bad.reason, "problem": bad.problem}  # fmt: skip
            )


#: Table of duplicate groups written beside the documents when deduplicating.
DUPLICATES_FILE = "duplicates.csv"


def _detect_encoding(path: Path, requested: str) -> str:
    """The encoding a file will be decoded with under ``--encoding auto`` (a streamed check)."""
    import codecs
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with opener(path, "rb") as f:
            while block := f.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    except (OSError, EOFError):
        return requested
    from toolkit.corpus.documents import decode_bytes

    with opener(path, "rb") as f:
        data = f.read()
    if path.suffix.lower() in (".html", ".htm"):
        from toolkit.corpus.sources.web import decode_html

        return decode_html(data, path, "auto")[1]
    return decode_bytes(data, path, "auto")[1]


def _problem(exc: Exception) -> str:
    """The one-line problem of a toolkit error, without its location prefix."""
    return exc.message if isinstance(exc, InputError) else str(exc)


def _read_safely(
    sources: list[str], opts: ReadOptions, skip_bad: bool, encodings: dict[str, str] | None,
    url_cache: dict[str, bytes] | None = None,
) -> Iterable[Record]:
    """Read every input; with ``skip_bad`` a file that fails midway becomes one BadRecord.

    Records already read from that file are kept; other files go on. Without ``skip_bad`` the
    first problem is raised (and the corpus directory is not written).
    """
    from toolkit.corpus.readers import iter_input_files, reader_for
    from toolkit.corpus.sources import is_url, read_url
    from toolkit.errors import ToolkitError

    def inputs():
        for source in sources:
            if is_url(source):
                yield source
            else:
                yield from iter_input_files([source])

    for path in inputs():
        if isinstance(path, str):  # a URL: a feed or a web page
            n = 0
            try:
                for rec in read_url(path, opts, cache=url_cache):
                    n += 1
                    yield rec
            except ToolkitError as exc:
                if not skip_bad:
                    raise
                yield Record(bad=BadRecord(path, None, "fetch_failed", _problem(exc)), path=path)
            continue
        reader = reader_for(path)
        if reader is None:
            from toolkit.corpus.registry import READERS

            raise InputError(f"unsupported file type; supported: {', '.join(sorted(READERS))}",
                             path=str(path))  # fmt: skip
        try:
            if encodings is not None and opts.encoding == "auto":
                encodings[str(path)] = _detect_encoding(path, opts.encoding)
            n = 0
            for rec in reader(path, opts):
                n += 1
                yield rec
        except ToolkitError as exc:
            if not skip_bad:
                raise
            problem = _problem(exc)
            line = exc.line if isinstance(exc, InputError) else None
            log.warning("%s: %s (%d record(s) read before)", path, problem, n)
            yield Record(bad=BadRecord(str(path), line, "unreadable_file",
                                       f"{problem} (after {n} record(s))"),  # fmt: skip
                         path=str(path), line=line)
        except (OSError, ValueError, RecursionError, MemoryError) as exc:
            if not skip_bad:
                raise InputError(f"cannot read ({type(exc).__name__}: {exc})", path=str(path)) from exc
            log.warning("%s: cannot read (%s)", path, exc, exc_info=True)
            yield Record(bad=BadRecord(str(path), None, "unreadable_file",
                                       f"{type(exc).__name__}: {exc} (after {n} record(s))"),  # fmt: skip
                         path=str(path))


def ingest(
    sources: Iterable[str | Path],
    out: str | Path,
    *,
    options: ReadOptions | None = None,
    skip_bad: bool = False,
    dedup: str = "none",
    force: bool = False,
    progress: bool = True,
    clean: Any = None,
    dedup_threshold: float = 0.8,
    keep: str = "earliest",
) -> dict[str, Any]:
    """Read ``sources`` (files and folders) into the corpus directory ``out``.

    Parameters
    ----------
    sources : iterable of path or URL
        Files or folders (JSON Lines, CSV, Parquet, ``.txt``/``.md``, and every format a source
        reader registers), or ``http(s)://`` URLs of feeds or web pages (fetched once).
    out : path
        The corpus directory to create.
    options : ReadOptions, optional
        Encoding, field mapping and extra-column policy.
    skip_bad : bool
        Skip bad records (invalid JSON, missing/empty text, bad date, duplicate id…) and count
        them in the manifest, instead of stopping at the first one. Source items that hold no
        content (:data:`toolkit.corpus.sources.CONTENT_MISSING`: a Europresse article without text, a
        page without main text…) are always counted as skipped, never an error.
    dedup : {"none", "exact", "near"}
        Remove duplicate texts (see :mod:`toolkit.corpus.dedup` for ``near``).
    force : bool
        Replace ``out`` if it exists.
    progress : bool
        Show a progress bar.
    clean : Cleaner or sequence of str, optional
        Cleaning steps (:class:`toolkit.corpus.clean.Cleaner`, or step names such as
        ``["fix_encoding", "strip_html", "normalize"]``); None cleans nothing. What each step
        changed or dropped is counted under ``cleaning`` in the manifest; dropped documents
        (wrong language, too short) are filtered, not errors.
    dedup_threshold : float
        Similarity threshold of ``near`` deduplication.
    keep : {"earliest", "longest", "first"}
        Which document of a duplicate group is kept; ``earliest`` and ``longest`` read the
        inputs twice (signatures only are held in memory). Groups are listed in
        ``duplicates.csv`` and under ``duplicates`` in the manifest.

    Returns
    -------
    dict
        The manifest written to ``out/manifest.json``.

    Raises
    ------
    InputError
        On the first bad record (file, line and problem), unless ``skip_bad``.

    Examples
    --------
    >>> m = ingest(["corpus"], "/tmp/demo-corpus", force=True, progress=False)  # doctest: +SKIP
    >>> m["documents"] >= 151                                                   # doctest: +SKIP
    True
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    from tqdm import tqdm

    if dedup not in ("none", "exact", "near"):
        raise InputError(f"unknown --dedup {dedup!r}; choose none, exact or near")
    opts = options or ReadOptions()
    sources = [str(s) for s in sources]
    started = time.perf_counter()
    stats = _Stats()
    inputs: Counter[str] = Counter()
    seen_ids: set[str] = set()
    encodings: dict[str, str] = {}
    url_cache: dict[str, bytes] = {}  # downloads reused by the second reading pass

    def make_cleaner():
        if clean is None:
            return None
        from toolkit.corpus.clean import Cleaner

        if isinstance(clean, Cleaner):
            return Cleaner(clean.steps, language=clean.language,
                           min_language_prob=clean.min_language_prob, min_length=clean.min_length)  # fmt: skip
        return Cleaner(list(clean))

    def stream(track: bool):
        cleaner = make_cleaner()
        recs: Iterable[Record] = _read_safely(sources, opts, skip_bad, encodings if track else None,
                                              url_cache)  # fmt: skip
        if cleaner is not None:
            recs = cleaner.filter(recs)
        return recs, cleaner

    dedup_step = None
    if dedup != "none":
        from toolkit.corpus.dedup import Deduplicator

        dedup_step = Deduplicator(method=dedup, threshold=dedup_threshold, keep=keep)
        if keep != "first":
            first_pass, _ = stream(track=False)
            dedup_step.fit(first_pass)
    records, cleaner = stream(track=True)
    if dedup_step is not None:
        records = dedup_step.filter(records)
    from toolkit.corpus.sources import CONTENT_MISSING

    filter_reasons = {"wrong_language", "too_short", "empty_after_cleaning"}
    filtered: Counter[str] = Counter()
    date_problems = 0
    out = Path(out)
    with atomic_directory(out, overwrite=force) as tmp:
        writer = pq.ParquetWriter(tmp / DOCUMENTS_FILE, _schema(), compression="zstd")
        batch: list[dict[str, Any]] = []
        try:
            bar = tqdm(records, desc="ingest", unit=" doc", disable=not progress, mininterval=0.5)
            for rec in bar:
                inputs[rec.path] += 1
                if rec.document is not None and rec.document.id in seen_ids:
                    rec = Record(
                        bad=BadRecord(rec.path, rec.line, "duplicate_id",
                                      f"duplicate id {rec.document.id!r} (ids must be unique)",
                                      rec.document.id),  # fmt: skip
                        path=rec.path,
                        line=rec.line,
                    )
                if rec.bad is not None:
                    if rec.bad.reason == "duplicate_text":
                        continue  # grouped and listed by the deduplicator
                    if rec.bad.reason in filter_reasons:
                        filtered[rec.bad.reason] += 1
                        continue  # counted by the cleaner
                    if not skip_bad and rec.bad.reason not in CONTENT_MISSING:
                        raise rec.bad.error()
                    stats.skip(rec.bad)
                    continue
                doc = rec.document
                assert doc is not None
                seen_ids.add(doc.id)
                if doc.meta.get("date_problem"):
                    date_problems += 1
                stats.add(doc)
                batch.append(doc.to_row())
                if len(batch) >= ROW_GROUP_SIZE:
                    writer.write_table(pa.Table.from_pylist(batch, schema=_schema()))
                    batch.clear()
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=_schema()))
        finally:
            writer.close()
        if stats.kept == 0:
            raise InputError(
                "no documents were read"
                + (f" ({sum(stats.skipped.values())} skipped: {dict(stats.skipped)})" if stats.skipped else "")
                + "; check the paths and formats (fnt ingest --help)",
                path=", ".join(sources),
            )
        n_duplicates = dedup_step.n_duplicates_ if dedup_step is not None else 0
        if dedup_step is not None:
            dedup_step.write_table(tmp / DUPLICATES_FILE)
        items_read = sum(inputs.values())
        accounting = {
            "items_read": items_read,
            "kept": stats.kept,
            "duplicates": n_duplicates,
            "skipped": sum(stats.skipped.values()),
            "filtered": dict(filtered),
            "balanced": items_read == stats.kept + n_duplicates + sum(stats.skipped.values())
            + sum(filtered.values()),
        }
        manifest = base_manifest(
            "corpus",
            sources=sources,
            options={"encoding": opts.encoding, "mapping": dict(opts.mapping), "extra": opts.extra,
                     "skip_bad": skip_bad, "dedup": dedup},  # fmt: skip
            inputs=[{"path": p, "records": n, **({"encoding": encodings[p]} if p in encodings else {})}
                    for p, n in inputs.items()],  # fmt: skip
            encodings_detected={p: e for p, e in encodings.items() if e not in ("utf-8", "utf8")},
            accounting=accounting,
            cleaning=cleaner.report() if cleaner is not None else None,
            date_problems=date_problems,
            documents=stats.kept,
            words=stats.words,
            date_min=stats.date_min,
            date_max=stats.date_max,
            sections=dict(stats.sections.most_common()),
            sources_count=dict(stats.sources.most_common()),
            skipped=dict(stats.skipped),
            skipped_items=stats.skipped_items,
            duplicates=(dict(dedup_step.report(), table=DUPLICATES_FILE)
                        if dedup_step is not None else None),  # fmt: skip
            content_hash="sha256:" + stats.hash.hexdigest(),
            timings={"ingest_seconds": round(time.perf_counter() - started, 3)},
            peak_memory_mb=peak_memory_mb(),
        )
        write_json(tmp / MANIFEST_FILE, manifest)
    log.info("ingested %d documents into %s (%d skipped)", stats.kept, out, sum(stats.skipped.values()))
    return manifest


def corpus_info(corpus_dir: str | Path) -> dict[str, Any]:
    """Summarise a corpus directory.

    Returns
    -------
    dict
        ``documents, words, date_min, date_max, sections, sources`` (the last two as
        name → count, most frequent first), plus ``skipped`` and ``content_hash``.
    """
    corpus = Corpus(corpus_dir)
    m = corpus.manifest()
    if m.get("kind") == "corpus" and "documents" in m:
        return {
            "documents": m["documents"],
            "words": m["words"],
            "date_min": m["date_min"],
            "date_max": m["date_max"],
            "sections": m["sections"],
            "sources": m["sources_count"],
            "skipped": m.get("skipped", {}),
            "content_hash": m.get("content_hash"),
        }
    stats = _Stats()
    for doc in corpus:
        stats.add(doc)
    return {
        "documents": stats.kept,
        "words": stats.words,
        "date_min": stats.date_min,
        "date_max": stats.date_max,
        "sections": dict(stats.sections.most_common()),
        "sources": dict(stats.sources.most_common()),
        "skipped": {},
        "content_hash": "sha256:" + stats.hash.hexdigest(),
    }


def format_info(info: dict[str, Any], name: str = "") -> str:
    """A human-readable summary of :func:`corpus_info`'s result."""
    lines = [
        f"corpus {name}".rstrip(),
        f"  documents : {info['documents']:,}".replace(",", " "),
        f"  words     : {info['words']:,}".replace(",", " "),
        f"  dates     : {info['date_min'] or '?'} → {info['date_max'] or '?'}",
    ]
    for key in ("sections", "sources"):
        counts = info[key]
        shown = ", ".join(f"{k} {v}" for k, v in list(counts.items())[:12])
        more = f", … ({len(counts)} in all)" if len(counts) > 12 else ""
        lines.append(f"  {key:<10}: {shown or '(none)'}{more}")
    if info.get("skipped"):
        lines.append(f"  skipped   : {info['skipped']}")
    return "\n".join(lines)
