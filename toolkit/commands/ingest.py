"""``fnt ingest``: read files and folders into a corpus directory."""

from __future__ import annotations

import argparse

from toolkit.errors import InputError


def _parse_mapping(items: list[str]) -> dict[str, str]:
    from toolkit.corpus.documents import FIELDS

    mapping = {}
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or field not in FIELDS or not column:
            raise InputError(f"--map {item!r}: expected FIELD=COLUMN with FIELD one of {', '.join(FIELDS)}")
        mapping[field] = column
    return mapping


def run(args: argparse.Namespace) -> int:
    from toolkit.corpus.documents import ReadOptions
    from toolkit.corpus.ingest import corpus_info, format_info, ingest

    options = ReadOptions(encoding=args.encoding, mapping=_parse_mapping(args.map), extra=args.extra)
    clean = None
    steps = [s for s in (args.clean or "").split(",") if s and s != "none"]
    if steps or args.lang or args.min_length:
        from toolkit.corpus.clean import Cleaner

        clean = Cleaner(steps, language=args.lang, min_length=args.min_length)
    manifest = ingest(
        args.sources,
        args.out,
        options=options,
        skip_bad=args.skip_bad,
        dedup=args.dedup,
        force=args.force,
        progress=not args.quiet,
        clean=clean,
        dedup_threshold=args.threshold,
        keep=args.keep,
    )
    print(format_info(corpus_info(args.out), str(args.out)))
    skipped = sum(manifest["skipped"].values())
    if skipped:
        print(f"  ({skipped} bad records skipped; listed in {args.out}/manifest.json)")
    dup = manifest.get("duplicates")
    if dup:
        print(f"  duplicates: {dup['documents_removed']} removed in {dup['groups']} group(s), "
              f"kept the {dup['keep']}; listed in {args.out}/{dup['table']}")  # fmt: skip
    filtered = (manifest.get("accounting") or {}).get("filtered")
    if filtered:
        print(f"  filtered by cleaning: {filtered}")
    detected = manifest.get("encodings_detected")
    if detected:
        print(f"  not UTF-8, decoded as: {detected}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ingest",
        help="read files and folders into a corpus directory",
        description=(
            "Read news documents from files and folders into a corpus directory "
            "(documents.parquet + manifest.json) that later stages read. Supported: JSON Lines "
            "(.jsonl, .jsonl.gz), CSV, Parquet, .txt/.md (one document per file), and the "
            "source formats installed (RSS/Atom .xml, web pages and Europresse .html)."
        ),
        epilog=(
            "examples:\n"
            "  fnt ingest corpus/ --out runs/corpus\n"
            "  fnt ingest export.csv --map text=body --map title=headline --out runs/c\n"
            "  fnt ingest old_files/ --encoding auto --skip-bad --out runs/c\n"
            "  fnt ingest europresse/ feeds/ pages/ --dedup near --lang fr --out runs/press"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="files, folders, or http(s) URLs of RSS/Atom feeds and web pages")  # fmt: skip
    p.add_argument("--out", required=True, metavar="DIR", help="corpus directory to create")
    p.add_argument(
        "--encoding",
        default="utf-8",
        metavar="{utf-8,auto,NAME}",
        help="input encoding: utf-8 (default; other bytes are an error), auto (detect and "
        "say so), or a codec such as cp1252",
    )
    p.add_argument(
        "--map", action="append", default=[], metavar="FIELD=COLUMN",
        help="read FIELD (id, title, text, date, source, section, url) from COLUMN; repeatable",
    )  # fmt: skip
    p.add_argument(
        "--extra", choices=("meta", "ignore", "error"), default="meta",
        help="columns that are not fields: keep as metadata (default), ignore, or reject",
    )  # fmt: skip
    p.add_argument(
        "--dedup", choices=("none", "exact", "near"), default="none",
        help="remove duplicate documents: exact text, or near-duplicates (MinHash)",
    )  # fmt: skip
    p.add_argument(
        "--threshold", type=float, default=0.8, metavar="T",
        help="--dedup near: similarity (max of Jaccard and containment of word 5-grams) at or "
        "above which two texts are duplicates (default 0.8)",
    )  # fmt: skip
    p.add_argument(
        "--keep", choices=("earliest", "longest", "first"), default="earliest",
        help="which document of a duplicate group is kept (default earliest; earliest and "
        "longest read the inputs twice)",
    )  # fmt: skip
    p.add_argument(
        "--clean", default="fix_encoding,strip_html,normalize", metavar="STEPS",
        help="comma-separated cleaning steps: fix_encoding (mojibake), strip_html, boilerplate "
        "('Lire aussi', cookie lines), normalize (Unicode NFC, invisible characters, spaces); "
        "'none' for no cleaning (default: fix_encoding,strip_html,normalize)",
    )  # fmt: skip
    p.add_argument("--lang", default=None, metavar="CODE",
                   help="keep only documents in this language (e.g. fr; offline identification)")  # fmt: skip
    p.add_argument("--min-length", type=int, default=0, metavar="N",
                   help="drop documents shorter than N characters after cleaning")  # fmt: skip
    p.add_argument("--skip-bad", action="store_true", help="skip and count bad records instead of stopping")
    p.add_argument("--force", action="store_true", help="replace DIR if it exists")
    p.set_defaults(func=run)
