"""Stage 1–2, sources → corpus: read news from files, folders, feeds and exports into a corpus.

Takes JSON Lines, CSV, Parquet, text files, RSS/Atom feeds, saved web pages and Europresse
exports; gives a corpus directory (``documents.parquet`` + ``manifest.json``) that
:class:`Corpus` streams as :class:`Document` records.

Modules:

* :mod:`~toolkit.corpus.documents` — :class:`Document`, :class:`Corpus`, records, dates, encodings;
* :mod:`~toolkit.corpus.registry` — the one registry of readers (:func:`register_reader`);
* :mod:`~toolkit.corpus.readers` — the built-in readers and :func:`read_documents`;
* :mod:`~toolkit.corpus.sources` — RSS/Atom, web pages, Europresse, live collection;
* :mod:`~toolkit.corpus.clean` — optional cleaning steps (encoding, HTML, boilerplate);
* :mod:`~toolkit.corpus.dedup` — exact and near-duplicate detection;
* :mod:`~toolkit.corpus.ingest` — :func:`ingest`: inputs → corpus directory, and :func:`corpus_info`.
"""

from __future__ import annotations

from toolkit._lazy import lazy_exports

_EXPORTS = {
    "Document": "toolkit.corpus.documents",
    "Corpus": "toolkit.corpus.documents",
    "ReadOptions": "toolkit.corpus.documents",
    "register_reader": "toolkit.corpus.registry",
    "read_documents": "toolkit.corpus.readers",
    "Cleaner": "toolkit.corpus.clean",
    "Deduplicator": "toolkit.corpus.dedup",
    "corpus_info": "toolkit.corpus.ingest",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

__all__ = sorted(_EXPORTS)
