"""``fnt collect``: poll RSS/Atom feeds or fetch web pages, appending only new items."""

from __future__ import annotations

import argparse
import sys

from toolkit.errors import ConfigError


def _print_report(report: dict, out: str) -> None:
    for f in report.get("feeds", report.get("pages", [])):
        name = f.get("name") or f.get("url")
        if f["status"] == "error":
            print(f"  {name}: ERROR {f['error']}", file=sys.stderr)
        elif f["status"] == "ok" and "items" in f:
            print(f"  {name}: {f['items']} item(s), {f['new']} new")
        else:
            print(f"  {name}: {f['status']}")
    print(f"{report['new_items']} new item(s) appended to {out}/items.jsonl "
          f"({report.get('total_items', '?')} in all); {report['errors']} error(s)")  # fmt: skip


def run_rss(args: argparse.Namespace) -> int:
    from toolkit.corpus.sources.collect import collect_feeds, load_feeds

    feeds, options = load_feeds(args.feeds)
    report = collect_feeds(
        feeds, args.out,
        timeout=args.timeout if args.timeout is not None else options["timeout"],
        user_agent=options["user_agent"],
        fetch_full=True if args.fetch_full else None,
    )  # fmt: skip
    _print_report(report, args.out)
    return 1 if report["errors"] else 0


def run_pages(args: argparse.Namespace) -> int:
    from pathlib import Path

    from toolkit.corpus.sources.collect import collect_pages

    try:
        lines = Path(args.urls).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{args.urls}: cannot read the URL list ({exc.strerror})") from None
    urls = [u.strip() for u in lines if u.strip() and not u.lstrip().startswith("#")]
    report = collect_pages(urls, args.out, timeout=args.timeout or 20.0)
    _print_report(report, args.out)
    return 1 if report["errors"] else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "collect",
        help="poll RSS/Atom feeds or fetch web pages into a collection (new items only)",
        description=(
            "Collect news online. Items are appended to DIR/items.jsonl; running again adds "
            "only new items (resumable and idempotent). Each run is logged in "
            "DIR/collect_log.jsonl. Feeds that fail get a per-feed error; the others go on; "
            "the exit code is 1 when any feed failed. Turn the collection into a corpus with "
            "'fnt ingest DIR/items.jsonl --dedup near --out CORPUS'."
        ),
    )
    csub = p.add_subparsers(dest="collect_kind", metavar="KIND")
    r = csub.add_parser("rss", help="poll the feeds listed in a TOML file",
                        description="Poll RSS/Atom feeds listed in FEEDS.toml ([[feeds]] name, url).")  # fmt: skip
    r.add_argument("feeds", metavar="FEEDS.toml")
    r.add_argument("--out", required=True, metavar="DIR")
    r.add_argument("--timeout", type=float, default=None, metavar="S", help="seconds per request (default: file's or 20)")
    r.add_argument("--fetch-full", action="store_true", help="fetch each new item's page for its full text")
    r.set_defaults(func=run_rss)
    w = csub.add_parser("pages", help="fetch the web pages listed in a file (one URL a line)")
    w.add_argument("urls", metavar="URLS.txt")
    w.add_argument("--out", required=True, metavar="DIR")
    w.add_argument("--timeout", type=float, default=None, metavar="S")
    w.set_defaults(func=run_pages)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
