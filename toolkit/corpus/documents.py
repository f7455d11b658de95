"""Documents, re-iterable corpora, and readers for the usual corpus formats.

A :class:`Document` is one news item with its metadata. A :class:`Corpus` is a corpus directory
written by ``fnt ingest`` (``documents.parquet`` + ``manifest.json``): it streams documents in
batches and can be iterated any number of times, so memory does not grow with corpus size.

Readers (:mod:`toolkit.corpus.readers`) yield :class:`Record` items: a document, or a
:class:`BadRecord` saying which file, line and problem, so that callers can stop on the first
problem or skip and count (``fnt ingest --skip-bad``). This module holds the records, the
date and encoding helpers readers share, and :class:`Corpus`.

Examples
--------
>>> from toolkit.corpus.readers import read_documents
>>> docs = [r.document for r in read_documents(["corpus"]) if r.ok]  # doctest: +SKIP
>>> docs[0].id                                                        # doctest: +SKIP
'seed-000-4aed66ba79373d17'
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import gzip
import io
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import InputError, StageMissingError

log = logging.getLogger(__name__)

#: The fields every document has, in storage order.
FIELDS = ("id", "title", "text", "date", "source", "section", "url")
#: File name of the document table inside a corpus directory.
DOCUMENTS_FILE = "documents.parquet"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True, slots=True)
class Document:
    """One news document.

    Attributes
    ----------
    id : str
        Unique identifier within the corpus.
    title : str or None
    text : str
        The body text (never empty).
    date : str or None
        ISO 8601 date (``2024-10-02``) or date-time (``2024-10-02T08:30:00+02:00``).
    source : str or None
        The outlet (``Le Monde``) or feed the document comes from.
    section : str or None
        The rubric (``international``, ``economie``…).
    url : str or None
    meta : dict
        Any further metadata (author, word count, provenance…), JSON-serialisable.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    section: str | None = None
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def full_text(self) -> str:
        """Title and text joined by a blank line (the text annotation offsets refer to)."""
        if self.title and self.title.strip():
            return f"{self.title.strip()}\n\n{self.text}"
        return self.text

    @property
    def day(self) -> str | None:
        """The date's ``YYYY-MM-DD`` part, or None."""
        return self.date[:10] if self.date else None

    def to_row(self) -> dict[str, Any]:
        """The storage row: the fixed fields plus ``meta`` as a JSON string."""
        row = {name: getattr(self, name) for name in FIELDS}
        row["meta"] = json.dumps(self.meta, ensure_ascii=False, sort_keys=True) if self.meta else None
        return row

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Document:
        """Inverse of :meth:`to_row`."""
        meta = row.get("meta")
        return cls(
            id=row["id"],
            text=row["text"],
            title=row.get("title"),
            date=row.get("date"),
            source=row.get("source"),
            section=row.get("section"),
            url=row.get("url"),
            meta=json.loads(meta) if meta else {},
        )


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record that could not become a document: where, and why."""

    path: str
    line: int | None
    reason: str
    problem: str
    doc_id: str | None = None

    def error(self) -> InputError:
        return InputError(self.problem, path=self.path, line=self.line, doc_id=self.doc_id)


@dataclass(frozen=True, slots=True)
class Record:
    """What a reader yields: a document, or a bad record."""

    document: Document | None = None
    bad: BadRecord | None = None
    path: str = ""
    line: int | None = None

    @property
    def ok(self) -> bool:
        return self.document is not None


class Corpus:
    """A corpus directory written by ``fnt ingest``, as a re-iterable stream of documents.

    Parameters
    ----------
    path : str or Path
        The corpus directory (or its ``documents.parquet`` file).
    columns : sequence of str, optional
        Read only these columns (``id`` is always read); others get None.
    batch_size : int
        Rows read at a time; memory is bounded by one batch.

    Examples
    --------
    >>> corpus = Corpus("runs/demo/corpus")            # doctest: +SKIP
    >>> len(corpus), next(iter(corpus)).id             # doctest: +SKIP
    (157, 'seed-000-4aed66ba79373d17')
    """

    def __init__(
        self,
        path: str | Path,
        columns: Iterable[str] | None = None,
        batch_size: int = 512,
    ) -> None:
        path = Path(path)
        self.directory = path.parent if path.suffix == ".parquet" else path
        self.path = path if path.suffix == ".parquet" else path / DOCUMENTS_FILE
        self.columns = list(columns) if columns is not None else None
        self.batch_size = batch_size
        if not self.path.is_file():
            raise StageMissingError(
                f"{self.directory} is not a corpus directory (no {DOCUMENTS_FILE}); "
                f"create one with: fnt ingest SOURCE... --out {self.directory}"
            )

    def _parquet(self):
        import pyarrow.parquet as pq

        return pq.ParquetFile(self.path)

    def __len__(self) -> int:
        return self._parquet().metadata.num_rows

    def iter_rows(self) -> Iterator[dict[str, Any]]:
        """Yield raw rows as dicts (faster than documents when only a few columns are needed)."""
        pf = self._parquet()
        names = pf.schema_arrow.names
        columns = None
        if self.columns is not None:
            columns = [c for c in dict.fromkeys(["id", *self.columns]) if c in names]
        for batch in pf.iter_batches(batch_size=self.batch_size, columns=columns):
            yield from batch.to_pylist()

    def __iter__(self) -> Iterator[Document]:
        for row in self.iter_rows():
            if "text" not in row:
                row["text"] = ""
            yield Document.from_row(row)

    def ids(self) -> list[str]:
        """All document ids, in corpus order."""
        return self._parquet().read(columns=["id"]).column("id").to_pylist()

    def get(self, doc_id: str) -> Document:
        """The document with this id (a scan; use for a few look-ups, not in loops)."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        table = pq.read_table(self.path, filters=pc.field("id") == doc_id)
        if table.num_rows == 0:
            raise InputError(f"no document with id {doc_id!r} in {self.directory}")
        return Document.from_row(table.slice(0, 1).to_pylist()[0])

    def metadata_frame(self):
        """Document metadata (no text) as a pandas DataFrame, one row per document."""
        cols = [c for c in ("id", "title", "date", "source", "section", "url") if c]
        return self._parquet().read(columns=cols).to_pandas()

    def manifest(self) -> dict[str, Any]:
        """The ingest manifest (empty dict when absent)."""
        p = self.directory / MANIFEST_FILE
        return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}

    def __repr__(self) -> str:
        return f"Corpus({str(self.directory)!r})"


# --------------------------------------------------------------------------- dates

_FR_MONTHS = {
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8,
    "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10, "novembre": 11,
    "nov": 11, "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
}  # fmt: skip
_FR_DATE = re.compile(
    r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
    r"(\d{1,2})(?:er)?\s+([a-zéûè]+)\.?\s+(\d{4})",
    re.IGNORECASE,
)
_DMY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def parse_date(value: Any) -> str | None:
    """Parse a date into an ISO 8601 string, or raise ValueError.

    Accepts ISO dates and date-times, ``dd/mm/yyyy``, RFC 822 dates (RSS) and French dates
    such as ``mardi 1 octobre 2024`` or ``1er oct. 2024``. Empty values give None.

    Examples
    --------
    >>> parse_date("mardi 1er octobre 2024")
    '2024-10-01'
    >>> parse_date("2024-10-01T08:00:00+02:00")
    '2024-10-01T08:00:00+02:00'
    """
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    s = str(value).strip()
    if not s:
        return None
    try:
        if len(s) == 10:
            return _dt.date.fromisoformat(s).isoformat()
        return _dt.datetime.fromisoformat(s.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    m = _DMY.match(s)
    if m:
        return _dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    try:
        return email.utils.parsedate_to_datetime(s).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    m = _FR_DATE.search(s)
    if m and m[2].lower() in _FR_MONTHS:
        return _dt.date(int(m[3]), _FR_MONTHS[m[2].lower()], int(m[1])).isoformat()
    raise ValueError(f"unparseable date {s!r} (expected ISO 8601 such as 2024-10-01)")


# --------------------------------------------------------------------------- readers

#: A reader takes a path and options and yields records.
Reader = Callable[[Path, "ReadOptions"], Iterator[Record]]


@dataclass(frozen=True)
class ReadOptions:
    """How to read input files.

    Attributes
    ----------
    encoding : str
        ``utf-8`` (default: anything else is an error naming the file), ``auto`` (detect with
        charset-normalizer and say so) or a codec name such as ``cp1252``.
    mapping : dict
        Toolkit field → column name in the input (``{"text": "body", "title": "headline"}``).
    extra : str
        What to do with columns that are not fields: ``meta`` (keep under ``meta``, default),
        ``ignore`` or ``error``.
    """

    encoding: str = "utf-8"
    mapping: Mapping[str, str] = field(default_factory=dict)
    extra: str = "meta"


#: Encodings considered by ``--encoding auto``: those French text files actually come in.
#: (Unrestricted detection mistakes short French cp1252 files for cp1250 and the like.)
FRENCH_ENCODINGS = ["utf_8", "cp1252", "iso8859_15", "latin_1", "mac_roman", "utf_16"]


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=FRENCH_ENCODINGS).best()
    return best.encoding if best is not None else None


def decode_bytes(data: bytes, path: Path | str, encoding: str = "utf-8") -> tuple[str, str]:
    """Decode a file's bytes; return ``(text, encoding_used)``.

    Raises
    ------
    InputError
        When the bytes are not valid in the requested encoding, naming the byte offset and
        the likely encoding.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if encoding == "auto":
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            name = _detect(data) or "cp1252"
            if name in ("ascii", "latin_1", "iso8859_1"):
                name = "cp1252"  # superset used by French Windows files
            log.warning("%s: not UTF-8, decoded as %s", path, name)
            return data.decode(name, errors="replace"), name
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        guess = ""
        try:
            name = _detect(data[: 1 << 20])
            if name:
                guess = f" It looks like {name}."
        except Exception:  # pragma: no cover - detection is only a hint
            pass
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid {encoding} (byte offset {exc.start}).{guess} "
            "Rerun with --encoding auto, or --encoding cp1252 / latin-1",
            path=str(path),
            line=line,
        ) from None


def _open_text(path: Path, encoding: str) -> tuple[io.TextIOBase, str]:
    """Open a (possibly gzipped) text file; UTF-8 files are streamed, others decoded whole."""
    opener = gzip.open if path.suffix == ".gz" else open
    if encoding in ("utf-8", "utf8"):
        # streamed; decoding errors are caught line by line by the caller
        return opener(path, "rt", encoding="utf-8-sig", newline=""), "utf-8"
    with opener(path, "rb") as f:
        data = f.read()
    text, used = decode_bytes(data, path, encoding)
    return io.StringIO(text, newline=""), used


def _build_document(
    raw: Mapping[str, Any], opts: ReadOptions, path: Path, line: int | None, default_id: str
) -> Record:
    """Map a raw record (dict of columns) onto a Document, or a BadRecord."""
    mapping = dict(opts.mapping)
    columns_used = set()
    values: dict[str, Any] = {}
    for name in FIELDS:
        column = mapping.get(name, name)
        if column in raw:
            values[name] = raw[column]
            columns_used.add(column)
    where = dict(path=str(path), line=line)
    doc_id = values.get("id")
    doc_id = str(doc_id).strip() if doc_id not in (None, "") else default_id
    extra = {k: v for k, v in raw.items() if k not in columns_used}
    if "meta" in extra and isinstance(extra["meta"], dict):
        extra.update(extra.pop("meta"))
    if extra and opts.extra == "error":
        return Record(
            bad=BadRecord(
                **where,
                reason="unknown_column",
                problem=f"unknown column(s) {sorted(extra)}; map them with --map FIELD=COLUMN "
                "or keep them as metadata with --extra meta",
                doc_id=doc_id,
            ),
            path=str(path),
            line=line,
        )
    if opts.extra == "ignore":
        extra = {}
    text = values.get("text")
    if text is None or (isinstance(text, float) and text != text):
        hint = ""
        if "text" not in mapping and "text" not in raw:
            hint = f" (columns found: {sorted(raw)}; use --map text=COLUMN)"
        return Record(
            bad=BadRecord(**where, reason="missing_text", problem=f"no text{hint}", doc_id=doc_id),
            path=str(path),
            line=line,
        )
    text = str(text)
    if not text.strip():
        return Record(
            bad=BadRecord(**where, reason="empty_text", problem="empty text", doc_id=doc_id),
            path=str(path),
            line=line,
        )
    try:
        date = parse_date(values.get("date"))
    except ValueError as exc:
        return Record(
            bad=BadRecord(**where, reason="bad_date", problem=str(exc), doc_id=doc_id),
            path=str(path),
            line=line,
        )

    def clean(v: Any) -> str | None:
        if v is None or (isinstance(v, float) and v != v):
            return None
        s = str(v).strip()
        return s or None

    meta = {k: v for k, v in extra.items() if v is not None and not (isinstance(v, float) and v != v)}
    meta = json.loads(json.dumps(meta, ensure_ascii=False, default=str))
    doc = Document(
        id=doc_id,
        text=text,
        title=clean(values.get("title")),
        date=date,
        source=clean(values.get("source")),
        section=clean(values.get("section")),
        url=clean(values.get("url")),
        meta=meta,
    )
    return Record(document=doc, path=str(path), line=line)
