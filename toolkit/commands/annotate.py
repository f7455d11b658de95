"""``fnt annotate``: tokens, lemmas, parts of speech and entities for a text file or a corpus."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from toolkit.errors import ToolkitError

log = logging.getLogger("toolkit.annotation.annotate")


def _iramuteq_text(text: str) -> str:
    from toolkit.annotation.normalise import normalize

    # '*' introduces variables in IRaMuTeQ; keep it out of the text
    return normalize(text).replace("*", " ").strip()


def _write_output(lines, out: str | None) -> None:
    """Write an iterable of text chunks to ``out`` atomically, or to stdout."""
    if out in (None, "-"):
        for chunk in lines:
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    from toolkit.runtime import atomic_path

    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        for chunk in lines:
            fh.write(chunk)


def _annotate_text_file(args: argparse.Namespace) -> int:
    from toolkit.annotation.annotate import (
        annotate_documents,
        read_text_file,
        resolve_tagger,
        to_conllu_lines,
    )
    from toolkit.annotation.conllu import iramuteq_header

    text = read_text_file(args.input, encoding=args.encoding)
    doc_id = "stdin" if args.input == "-" else Path(args.input).stem
    if args.format == "iramuteq":
        chunk = iramuteq_header({"source": doc_id}) + "\n" + _iramuteq_text(text) + "\n"
        _write_output([chunk], args.out)
        return 0
    tagger = resolve_tagger(args.mode)
    state = {"non_french": False, "sentences": 0}

    def chunks():
        for part in annotate_documents([(doc_id, text)], tagger):
            if part.error:
                raise ToolkitError(f"{args.input}: annotation failed: {part.error}")
            state["non_french"] |= part.non_french
            state["sentences"] += len(part.sentences)
            yield "".join(line + "\n" for line in to_conllu_lines(part))

    _write_output(chunks(), args.out)
    if not state["sentences"]:
        log.warning("%s: empty text (no tokens), nothing to annotate", args.input)
    if state["non_french"]:
        log.warning("%s: the text does not look French; annotated anyway", args.input)
    return 0


def _corpus_iramuteq(corpus_dir: Path, out: str | None) -> int:
    from toolkit.annotation.annotate import _check_corpus
    from toolkit.annotation.conllu import iramuteq_header
    from toolkit.corpus.documents import Corpus

    _check_corpus(corpus_dir)

    def chunks():
        for doc in Corpus(corpus_dir):
            header = iramuteq_header(
                {"source": doc.source, "date": doc.date, "section": doc.section}
            )
            yield header + "\n" + _iramuteq_text(doc.full_text) + "\n\n"

    _write_output(chunks(), out)
    return 0


def run(args: argparse.Namespace) -> int:
    from toolkit.annotation.annotate import annotate_corpus

    path = Path(args.input)
    if args.input != "-" and path.is_dir():
        if args.format == "iramuteq":
            return _corpus_iramuteq(path, args.out)
        if args.format == "conllu" and args.out in (None, "-"):
            raise ToolkitError(
                "CoNLL-U export of a corpus directory needs --out FILE "
                "(the token table is written with no --format)"
            )
        manifest = annotate_corpus(
            path,
            args.mode,
            n_process=args.n_process,
            batch_size=args.batch_size,
            progress=not args.quiet,
            fmt="conllu" if args.format == "conllu" else "table",
            out=args.out if args.format == "conllu" else None,
            entities=args.entities,
        )
        c = manifest["counts"]
        where = args.out if args.format == "conllu" else f"{path}/tokens.parquet"
        print(
            f"{where}: {c['documents']} documents, {c['sentences']} sentences, "
            f"{c['tokens']} tokens, {c['words']} words "
            f"({manifest['timings']['tokens_per_second']} tokens/s, mode {args.mode}, "
            f"{manifest['entities']} entities)"
        )
        if c["empty_documents"]:
            print(f"  {c['empty_documents']} empty document(s)")
        if c["non_french_documents"]:
            print(f"  {c['non_french_documents']} document(s) do not look French (annotated anyway)")
        if c["failed_documents"]:
            msg = (
                f"{c['failed_documents']} document(s) failed, e.g. "
                f"{manifest['failed'][0]['id']}: {manifest['failed'][0]['reason']} "
                f"(all listed in {path}/annotation.json)"
            )
            if args.strict:
                raise ToolkitError(msg)
            print(f"  warning: {msg}")
        return 0
    if args.format is None:
        args.format = "conllu"
    return _annotate_text_file(args)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "annotate",
        help="tokens, lemmas, parts of speech and entities (CoNLL-U, token table, IRaMuTeQ)",
        description=(
            "Annotate French text. For a text file (or - for stdin) write CoNLL-U (default) or "
            "the IRaMuTeQ text format to stdout or --out. For a corpus directory made by "
            "'fnt ingest', write CORPUS_DIR/tokens.parquet and CORPUS_DIR/annotation.json, or "
            "with --format conllu --out FILE a CoNLL-U file (one '# newdoc id' per document)."
        ),
        epilog=(
            "examples:\n"
            "  fnt annotate article.txt --mode fast --format conllu > article.conllu\n"
            "  cat article.txt | fnt annotate - > article.conllu\n"
            "  fnt annotate old.txt --encoding cp1252 > old.conllu\n"
            "  fnt annotate runs/corpus --mode fast\n"
            "  fnt annotate runs/corpus --mode accurate --format conllu --out corpus.conllu\n"
            "  fnt annotate runs/corpus --format iramuteq --out corpus_iramuteq.txt"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", metavar="INPUT", help="text file, '-' for stdin, or corpus directory")
    p.add_argument("--mode", choices=("fast", "accurate"), default="fast",
                   help="fast: rules + compact tagger; accurate: spaCy fr_core_news_md "
                        "(default: fast)")  # fmt: skip
    p.add_argument("--format", choices=("conllu", "iramuteq"), default=None,
                   help="output format (text input: conllu by default; corpus: token table "
                        "by default)")  # fmt: skip
    p.add_argument("--out", default=None, help="output file (default: stdout for text input)")
    p.add_argument("--encoding", default="utf-8",
                   help="encoding of a text input (e.g. cp1252, latin-1; default utf-8)")
    p.add_argument("--n-process", type=int, default=None,
                   help="worker processes for a corpus in fast mode (default 2)")
    p.add_argument("--batch-size", type=int, default=64, help="documents per batch (default 64)")
    p.add_argument("--entities", choices=("auto", "fast", "accurate"), default="auto",
                   help="corpus in fast mode: entities from the fast entity model (fast) or "
                        "from spaCy md's NER (accurate); auto: each mode's own "
                        "(default auto)")  # fmt: skip
    p.add_argument("--strict", action="store_true",
                   help="exit with an error if any document fails (default: warn)")
    p.set_defaults(func=run)
