"""The ``fnt`` command.

Each command group lives in ``toolkit.commands.<name>`` and exposes ``register(subparsers)``;
the parser it adds sets ``func`` (called with the parsed arguments, returning an exit code).
Errors derived from :class:`toolkit.errors.ToolkitError` become a one-line message on stderr
and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from toolkit import __version__
from toolkit.errors import ToolkitError

#: Command modules, in the order they appear in ``fnt --help``.
COMMAND_MODULES = [
    "toolkit.commands.ingest",
    "toolkit.commands.info",
    "toolkit.commands.annotate",
    "toolkit.commands.evaluate",
    "toolkit.commands.topics",
    "toolkit.commands.embed",
    "toolkit.commands.run",
    "toolkit.commands.report",
    "toolkit.commands.validate",
    "toolkit.commands.collect",
]

log = logging.getLogger("toolkit")


def build_parser() -> argparse.ArgumentParser:
    """Build the ``fnt`` argument parser from every available command module."""
    parser = argparse.ArgumentParser(
        prog="fnt",
        description=(
            "French News Toolkit: build a corpus of French news, annotate it "
            "(tokens, lemmas, parts of speech, entities), train topic models and "
            "embeddings, and export reports."
        ),
        epilog="Run 'fnt COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"fnt {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command group not present in this installation
                continue
            raise
        module.register(sub)
    for leaf in _leaf_parsers(parser):
        if leaf is not parser:
            _add_verbosity(leaf)
    return parser


def _leaf_parsers(parser: argparse.ArgumentParser):
    """Every parser below ``parser`` (sub-commands of sub-commands included)."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from _leaf_parsers(child)


def _add_verbosity(p: argparse.ArgumentParser) -> None:
    """Accept -v/-q after the sub-command too (``fnt ingest ... -q``)."""
    opts = {o for a in p._actions for o in a.option_strings}
    if "-v" not in opts:
        p.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                       help="more log output (-vv for debug)")  # fmt: skip
    if "-q" not in opts:
        p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                       help="only warnings and errors")  # fmt: skip


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    # the toolkit's own messages at INFO; other libraries only speak up with -vv
    logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")  # fmt: skip
    logging.getLogger("toolkit").setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``fnt`` with ``argv`` (defaults to ``sys.argv[1:]``) and return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0 if args.command is None else 2
    _setup_logging(args.verbose, args.quiet)
    try:
        return int(args.func(args) or 0)
    except ToolkitError as exc:
        print(f"fnt {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"fnt {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
