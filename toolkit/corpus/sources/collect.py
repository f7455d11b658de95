"""Live collection: poll RSS/Atom feeds (and fetch pages), append only new items.

``fnt collect rss FEEDS.toml --out DIR`` reads the feed list, downloads each feed, and appends
the items not seen before to ``DIR/items.jsonl`` (one document a line, the format ``fnt ingest``
reads). Running it again adds nothing twice: the items already in ``items.jsonl`` are the
state, so an interrupted run resumes where it stopped (a line cut by a crash is dropped and
re-fetched next time). A feed that times out or answers an HTTP error gets a clear per-feed
error and the other feeds go on. Each run appends a summary line to ``DIR/collect_log.jsonl``.

Feed list (TOML; unknown keys are an error)::

    timeout = 20                  # seconds per request (optional)
    fetch_full = false            # also fetch each new item's page for its full text
    user_agent = "fnt-collect"    # optional

    [[feeds]]
    name = "Le Monde – International"
    url = "https://www.lemonde.fr/international/rss_full.xml"

    [[feeds]]
    name = "Local file"
    url = "saved/feed.xml"        # a path or file:// URL works too
    fetch_full = true             # per-feed override

Then: ``fnt ingest DIR/items.jsonl --dedup near --out CORPUS``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import re
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from toolkit.corpus.sources.http import DEFAULT_USER_AGENT, http_get
from toolkit.errors import ConfigError, InputError

log = logging.getLogger(__name__)

ITEMS_FILE = "items.jsonl"
LOG_FILE = "collect_log.jsonl"
_TOP_KEYS = {"timeout", "fetch_full", "user_agent", "feeds"}
_FEED_KEYS = {"name", "url", "fetch_full"}


@dataclass(frozen=True)
class FeedSpec:
    """One feed to poll."""

    name: str
    url: str
    fetch_full: bool = False


def load_feeds(path: str | Path) -> tuple[list[FeedSpec], dict[str, Any]]:
    """Read a feed list (TOML): the feeds and the global options (timeout, user_agent…)."""
    path = Path(path)
    try:
        cfg = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such feed list") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    unknown = set(cfg) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
    feeds = []
    for i, f in enumerate(cfg.get("feeds", []), start=1):
        if not isinstance(f, dict) or "url" not in f:
            raise ConfigError(f"{path}: feed {i} needs a url ([[feeds]] url = \"...\")")
        bad = set(f) - _FEED_KEYS
        if bad:
            raise ConfigError(f"{path}: feed {i}: unknown key(s) {sorted(bad)}; allowed: {sorted(_FEED_KEYS)}")
        url = str(f["url"])
        if "://" not in url:  # a local path, relative to the feed list
            url = str((path.parent / url).resolve())
        feeds.append(FeedSpec(name=str(f.get("name") or urlparse(url).hostname or url), url=url,
                              fetch_full=bool(f.get("fetch_full", cfg.get("fetch_full", False)))))  # fmt: skip
    if not feeds:
        raise ConfigError(f"{path}: no feeds; add [[feeds]] tables with name and url")
    options = {"timeout": float(cfg.get("timeout", 20)), "user_agent": cfg.get("user_agent", DEFAULT_USER_AGENT)}
    return feeds, options


def _slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return s[:30] or "feed"


def item_id(feed: FeedSpec, key: str) -> str:
    """Stable document id of an item: feed slug + hash of (feed url, item key)."""
    h = hashlib.sha1(f"{feed.url}\x1f{key}".encode()).hexdigest()[:12]
    return f"{_slug(feed.name)}-{h}"


class ItemStore:
    """The append-only ``items.jsonl`` of a collection directory and the keys already in it."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / ITEMS_FILE
        self.keys: set[str] = set()
        self.repaired_bytes = 0
        self._load()

    def _load(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            return
        good = 0
        with open(self.path, "rb") as f:
            while line := f.readline():
                if not line.endswith(b"\n"):
                    break
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    break
                good += len(line)
                key = (obj.get("meta") or {}).get("collect_key")
                if key:
                    self.keys.add(key)
        size = self.path.stat().st_size
        if good < size:  # a line cut by an interrupted run: drop it, it is fetched again
            self.repaired_bytes = size - good
            log.warning("%s: dropping %d bytes of an interrupted write", self.path, size - good)
            with open(self.path, "r+b") as f:
                f.truncate(good)

    def append(self, rows: Iterable[dict[str, Any]]) -> int:
        """Append rows whose ``meta.collect_key`` is new; return how many were written."""
        n = 0
        with open(self.path, "a", encoding="utf-8") as f:
            for row in rows:
                key = row["meta"]["collect_key"]
                if key in self.keys:
                    continue
                f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
                self.keys.add(key)
                n += 1
            f.flush()
            os.fsync(f.fileno())
        return n


def _row_from_record(rec, feed: FeedSpec, fetched_at: str) -> dict[str, Any] | None:
    doc = rec.document
    if doc is None:
        return None
    key = doc.meta.get("item_key") or doc.id
    meta = dict(doc.meta, feed_name=feed.name, feed_url=feed.url, collected_at=fetched_at,
                collect_key=f"{feed.url}\x1f{key}")  # fmt: skip
    return {"id": item_id(feed, key), "title": doc.title, "text": doc.text, "date": doc.date,
            "source": doc.source or feed.name, "section": doc.section, "url": doc.url, "meta": meta}  # fmt: skip


def _fetch_full(row: dict[str, Any], timeout: float, user_agent: str) -> None:
    from toolkit.corpus.sources.web import decode_html, extract_page

    url = row.get("url")
    if not url:
        return
    try:
        data, headers = http_get(url, timeout=timeout, user_agent=user_agent)
        html = decode_html(data, url, "auto")[0]
        page = extract_page(html, url)
    except InputError as exc:
        row["meta"]["fetch_error"] = exc.message
        return
    except Exception as exc:  # a page that cannot be parsed keeps the feed summary
        row["meta"]["fetch_error"] = f"{type(exc).__name__}: {exc}"
        return
    text = page.get("text") or ""
    if len(text) > len(row["text"] or ""):
        row["meta"]["summary"] = row["text"]
        row["text"] = text
        row["meta"]["full_text"] = "fetched"


def collect_feeds(
    feeds: list[FeedSpec],
    out: str | Path,
    *,
    timeout: float = 20.0,
    user_agent: str = DEFAULT_USER_AGENT,
    fetch_full: bool | None = None,
) -> dict[str, Any]:
    """Poll ``feeds`` once and append their new items to ``out/items.jsonl``.

    Parameters
    ----------
    feeds : list of FeedSpec
    out : path
        Collection directory (created if needed).
    timeout : float
        Seconds per HTTP request.
    user_agent : str
    fetch_full : bool, optional
        Fetch each new item's page for its full text (overrides each feed's setting).

    Returns
    -------
    dict
        The run report: per feed ``status`` (``ok``/``error``), ``items``, ``new``, ``error``;
        totals; also appended to ``out/collect_log.jsonl``.
    """
    from toolkit.corpus.sources.rss import read_feed_bytes

    started = time.perf_counter()
    store = ItemStore(out)
    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    report: dict[str, Any] = {"started": now, "feeds": [], "new_items": 0, "errors": 0,
                              "repaired_bytes": store.repaired_bytes}  # fmt: skip
    for feed in feeds:
        entry: dict[str, Any] = {"name": feed.name, "url": feed.url}
        t0 = time.perf_counter()
        try:
            data, _ = http_get(feed.url, timeout=timeout, user_agent=user_agent)
            rows, bad = [], 0
            for rec in read_feed_bytes(data, feed.url, feed_name=None, feed_url=feed.url):
                row = _row_from_record(rec, feed, now)
                if row is None:
                    bad += 1
                    continue
                rows.append(row)
            new_rows = [r for r in rows if r["meta"]["collect_key"] not in store.keys]
            if fetch_full if fetch_full is not None else feed.fetch_full:
                for row in new_rows:
                    _fetch_full(row, timeout, user_agent)
            n_new = store.append(new_rows)
            entry.update(status="ok", items=len(rows), new=n_new, bad_items=bad)
            report["new_items"] += n_new
            log.info("%s: %d item(s), %d new", feed.name, len(rows), n_new)
        except InputError as exc:
            entry.update(status="error", error=exc.message, items=0, new=0)
            report["errors"] += 1
            log.warning("%s: %s", feed.name, exc.message)
        except Exception as exc:  # one broken feed never stops the others
            entry.update(status="error", error=f"{type(exc).__name__}: {exc}", items=0, new=0)
            report["errors"] += 1
            log.warning("%s: unexpected error", feed.name, exc_info=True)
        entry["seconds"] = round(time.perf_counter() - t0, 3)
        report["feeds"].append(entry)
    report["total_items"] = len(store.keys)
    report["seconds"] = round(time.perf_counter() - started, 3)
    with open(Path(out) / LOG_FILE, "a", encoding="utf-8") as f:
        f.write(json.dumps(report, ensure_ascii=False) + "\n")
    return report


def collect_pages(
    urls: list[str], out: str | Path, *, timeout: float = 20.0, user_agent: str = DEFAULT_USER_AGENT
) -> dict[str, Any]:
    """Fetch web pages once each (by URL) and append their main text to ``out/items.jsonl``."""
    from toolkit.corpus.sources.web import decode_html, page_record

    started = time.perf_counter()
    store = ItemStore(out)
    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    report: dict[str, Any] = {"started": now, "pages": [], "new_items": 0, "errors": 0}
    spec = FeedSpec(name="pages", url="pages")
    for url in urls:
        entry: dict[str, Any] = {"url": url}
        key = f"page\x1f{url}"
        if key in store.keys:
            entry["status"] = "seen"
            report["pages"].append(entry)
            continue
        try:
            data, _ = http_get(url, timeout=timeout, user_agent=user_agent)
            rec = page_record(decode_html(data, url, "auto")[0], url, url=url, doc_id=item_id(spec, url))
            if rec.document is None:
                raise InputError(rec.bad.problem if rec.bad else "no main text", path=url)
            doc = rec.document
            row = {"id": doc.id, "title": doc.title, "text": doc.text, "date": doc.date,
                   "source": doc.source, "section": doc.section, "url": doc.url or url,
                   "meta": dict(doc.meta, collected_at=now, collect_key=key)}  # fmt: skip
            store.append([row])
            entry["status"] = "ok"
            report["new_items"] += 1
        except InputError as exc:
            entry.update(status="error", error=exc.message)
            report["errors"] += 1
        report["pages"].append(entry)
    report["seconds"] = round(time.perf_counter() - started, 3)
    with open(Path(out) / LOG_FILE, "a", encoding="utf-8") as f:
        f.write(json.dumps(report, ensure_ascii=False) + "\n")
    return report
