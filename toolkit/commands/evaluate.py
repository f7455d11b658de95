"""``fnt evaluate``: evaluation commands.

``fnt evaluate annotation GOLD.conllu`` scores the annotation against UD gold (CoNLL 2018
shared-task metrics). Other evaluation sub-commands register themselves by adding a function
``(subparsers) -> None`` to :data:`SUBCOMMANDS`.
"""

from __future__ import annotations

import argparse
import json


def run_annotation(args: argparse.Namespace) -> int:
    from toolkit.annotation.evaluation import evaluate_annotation, format_table

    result = evaluate_annotation(args.gold, args.mode, tokenize_only=args.tokenize_only)
    if args.json:
        keys = ("tokens_f1", "words_f1", "sentences_f1", "upos_f1", "lemma_f1", "tokens_per_second")
        out = {k: result[k] for k in keys}
        if args.verbose:
            out.update({k: v for k, v in result.items() if k not in out})
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(format_table(result))
    return 0


def _register_annotation(evsub: argparse._SubParsersAction) -> None:
    p = evsub.add_parser(
        "annotation",
        help="score tokenisation, sentences, UPOS and lemmas against UD gold (CoNLL 2018)",
        description=(
            "Rebuild the raw text of a gold CoNLL-U file, annotate it with the toolkit and score "
            "it as the CoNLL 2018 shared task does: tokens, words (multiword tokens aligned by "
            "LCS), sentences, UPOS and LEMMA F1 (percentages)."
        ),
        epilog=(
            "examples:\n"
            "  fnt evaluate annotation fr_sequoia-ud-dev.conllu --mode fast\n"
            "  fnt evaluate annotation fr_gsd-ud-dev.conllu --mode accurate --json"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("gold", metavar="GOLD.conllu", help="UD gold file")
    p.add_argument("--mode", choices=("fast", "accurate"), default="fast")
    p.add_argument("--json", action="store_true", help="print a JSON object instead of a table")
    p.add_argument("--tokenize-only", action="store_true",
                   help="score tokens, words and sentences only (no tagging)")  # fmt: skip
    p.set_defaults(func=run_annotation)


#: Functions adding sub-commands to ``fnt evaluate``.
SUBCOMMANDS = [_register_annotation]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="evaluate annotation (and other stages) against references",
        description="Evaluation commands. Run 'fnt evaluate WHAT --help'.",
    )
    evsub = p.add_subparsers(dest="evaluate_command", metavar="WHAT")
    for add in SUBCOMMANDS:
        add(evsub)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
