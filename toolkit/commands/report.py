"""``fnt report``: (re)build the HTML report, Markdown summary and tables of a run directory."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from toolkit.report import build_report

    path = build_report(args.run_dir, out=args.out)
    print(f"report: {path}")
    print(f"summary: {path.parent / 'summary.md'}")
    print(f"tables: {path.parent / 'tables'} (README.md lists files and columns)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write the HTML/Markdown report and tables of a run directory",
        description="Write RUN_DIR/report/index.html (self-contained, offline), summary.md and tables/.",
    )
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--out", metavar="DIR", help="report directory (default RUN_DIR/report)")
    p.set_defaults(func=run)
