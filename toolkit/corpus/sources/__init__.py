"""Real-world sources: RSS/Atom feeds, web pages, Europresse exports; cleaning, deduplication
and live collection.

Importing this package registers readers with :data:`toolkit.corpus.registry.READERS`
(:mod:`toolkit.corpus.readers` imports it), so ``fnt ingest`` reads, besides JSONL/CSV/Parquet/
text files:

* ``.xml``, ``.rss``, ``.atom``: RSS or Atom feeds, one document per item;
* ``.html``, ``.htm``: Europresse exports (recognised by their markup; one document per
  article), RSS saved with an ``.html`` name, or web pages (one document per page);
* ``http(s)://`` URLs given to ``fnt ingest``: a feed or a web page, fetched once
  (:func:`read_url`); ``fnt collect`` polls feeds over time (:mod:`~toolkit.corpus.sources.collect`).

Modules: :mod:`~toolkit.corpus.sources.rss`, :mod:`~toolkit.corpus.sources.web`,
:mod:`~toolkit.corpus.sources.europresse`, :mod:`~toolkit.corpus.clean`,
:mod:`~toolkit.corpus.dedup`, :mod:`~toolkit.corpus.sources.collect`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from toolkit.corpus.documents import BadRecord, ReadOptions, Record
from toolkit.corpus.registry import register_reader

#: Reasons for which real-world sources hold no content (an export's article without its text,
#: a page that is only navigation, an empty feed item or file, a page too large to parse).
#: ``fnt ingest`` counts them as skipped even without ``--skip-bad``: they are not errors in
#: the file's format, and one of them should not stop a folder of hundreds of files.
CONTENT_MISSING = frozenset({"no_body", "no_main_text", "empty_item", "empty_file", "too_large"})


def read_html(path: Path, opts: ReadOptions | None = None) -> Iterator[Record]:
    """Reader for ``.html``/``.htm``: a Europresse export, a feed, or a web page.

    Files larger than :data:`toolkit.corpus.sources.web.MAX_PAGE_BYTES` are skipped (``too_large``)
    unless they are Europresse exports (which hold many articles).
    """
    from toolkit.corpus.sources import europresse, rss, web

    data = path.read_bytes()
    if len(data) < 4096 and not data.strip():
        yield Record(bad=BadRecord(str(path), None, "empty_file", "empty file"), path=str(path))
        return
    if rss.looks_like_feed(data[:4096]) and not data[:4096].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        yield from rss.read_feed_bytes(data, str(path))
        return
    if len(data) > web.MAX_PAGE_BYTES and b"DocPublicationName" not in data[:200_000]:
        yield Record(bad=BadRecord(str(path), None, "too_large",
                                   f"page of {len(data) / 2**20:.0f} MiB is larger than the "
                                   f"{web.MAX_PAGE_BYTES // 2**20} MiB limit for web pages"),  # fmt: skip
                     path=str(path))
        return
    text, _ = web.decode_html(data, path, (opts or ReadOptions()).encoding)
    if europresse.looks_like_europresse(text):
        yield from europresse.read_europresse(path, text)
        return
    yield from web.read_web_page(path, text)


def read_feed_file(path: Path, opts: ReadOptions | None = None) -> Iterator[Record]:
    """Reader for ``.xml``/``.rss``/``.atom`` files."""
    from toolkit.corpus.sources import rss

    data = path.read_bytes()
    if len(data) < 4096 and not data.strip():
        yield Record(bad=BadRecord(str(path), None, "empty_file", "empty file"), path=str(path))
        return
    yield from rss.read_feed_bytes(data, str(path))


def is_url(source: str | Path) -> bool:
    """True for ``http://`` and ``https://`` sources (read over the network, not from disk)."""
    return str(source).startswith(("http://", "https://"))


def read_url(url: str, opts: ReadOptions | None = None, *, timeout: float = 30.0,
             cache: dict[str, bytes] | None = None) -> Iterator[Record]:  # fmt: skip
    """Fetch a feed or a web page and read it (a feed gives one record per item).

    ``cache`` (url → bytes) lets a second reading pass reuse the download. Network failures
    (HTTP errors, timeouts) raise InputError naming the URL.
    """
    from toolkit.corpus.sources import http, rss, web

    data = cache.get(url) if cache is not None else None
    if data is None:
        data, _ = http.http_get(url, timeout=timeout)
        if cache is not None:
            cache[url] = data
    head = data[:4096]
    if rss.looks_like_feed(head) and not head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        yield from rss.read_feed_bytes(data, url, feed_url=url)
        return
    if len(data) > web.MAX_PAGE_BYTES:
        yield Record(bad=BadRecord(url, None, "too_large", "page larger than the limit for web pages"), path=url)
        return
    text, _ = web.decode_html(data, url, "auto" if opts is None else opts.encoding)
    yield web.page_record(text, url, url=url)


for _suffix in (".xml", ".rss", ".atom"):
    register_reader(_suffix, read_feed_file)
for _suffix in (".html", ".htm"):
    register_reader(_suffix, read_html)
