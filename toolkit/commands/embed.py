"""``fnt embed``: train word/document embeddings and explore them.

Subcommands::

    fnt embed train CORPUS_DIR --model {word2vec,fasttext,doc2vec} --seed S --out DIR
    fnt embed neighbours WORD --model DIR [--topn N] [--min-count C] [--json]
    fnt embed similar-docs DOC_ID --model DIR [--topn N] [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from pathlib import Path

log = logging.getLogger("toolkit.embed")


def _quiet_gensim(args: argparse.Namespace) -> None:
    """gensim logs every step at INFO; keep that for -vv."""
    if getattr(args, "verbose", 0) < 2:
        logging.getLogger("gensim").setLevel(logging.WARNING)


def _ensure_tokens(corpus_dir: Path) -> None:
    """Annotate the corpus in fast mode when it has no token table yet."""
    from toolkit.errors import NotInstalledError, StageMissingError

    if not (corpus_dir / "documents.parquet").is_file():
        raise StageMissingError(
            f"{corpus_dir} is not a corpus directory (no documents.parquet); create one with: "
            f"fnt ingest SOURCE... --out {corpus_dir}"
        )
    if (corpus_dir / "tokens.parquet").is_file():
        return
    try:
        from toolkit.annotation.annotate import annotate_corpus
    except ImportError as exc:  # pragma: no cover - depends on installation state
        raise NotInstalledError(
            "the corpus has no token table and toolkit.annotation.annotate is not available to make one"
        ) from exc
    log.info("%s has no token table: annotating it first (fast mode)", corpus_dir)
    annotate_corpus(corpus_dir, mode="fast")


def run_train(args: argparse.Namespace) -> int:
    _quiet_gensim(args)
    from toolkit.embeddings.models import make_model

    corpus_dir = Path(args.corpus)
    tokens = {"unit": args.unit, "phrases": not args.no_phrases, "merge_entities": not args.no_entities}
    params: dict = {
        "vector_size": args.vector_size, "window": args.window, "min_count": args.min_count,
        "epochs": args.epochs, "workers": args.workers, "random_state": args.seed,
        "tokens": tokens, "progress": not args.quiet and sys.stderr.isatty(),
    }  # fmt: skip
    if args.model in ("word2vec", "fasttext"):
        params["architecture"] = args.architecture
    else:
        params["mode"] = args.mode
        params["doc_vectors"] = args.doc_vectors
    model = make_model(args.model, **params)  # validates before the (long) annotation step
    model._check_params()
    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.force:
        from toolkit.errors import InputError

        raise InputError("output directory exists and is not empty; choose another --out or add --force", path=str(out))
    _ensure_tokens(corpus_dir)
    model.fit(corpus_dir)
    model.save(out, overwrite=args.force)
    t = model.training_
    print(
        f"{args.model}: {t['tokens']} tokens, {t['documents']} documents, vocabulary "
        f"{t['vocabulary_size']}, {t['epochs']} epochs, {t['train_seconds']:.1f}s training "
        f"({t['raw_words_per_second']} words/s) -> {out}"
    )
    return 0


def _frame_to_records(df) -> list[dict]:
    records = []
    for row in df.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if isinstance(v, float) and math.isnan(v):
                v = None
            elif hasattr(v, "item"):
                v = v.item()
            clean[k] = round(v, 4) if isinstance(v, float) else v
        records.append(clean)
    return records


def run_neighbours(args: argparse.Namespace) -> int:
    _quiet_gensim(args)
    from toolkit.embeddings.models import load_model

    model = load_model(args.model)
    df = model.neighbours(args.word, topn=args.topn, min_count=args.min_count)
    if df.attrs.get("from_subwords"):
        log.warning("%r is not in the vocabulary: FastText built its vector from subwords", args.word)
    if args.json:
        print(json.dumps(_frame_to_records(df), ensure_ascii=False, indent=2))
    else:
        for row in df.itertuples(index=False):  # the surface form people read, the key when it differs
            key = f"\t[{row.term}]" if row.display != row.term else ""
            print(f"{row.display}\t{row.similarity:.3f}\t{row.count}{key}")
    return 0


def _metadata_for(model):
    """The training corpus's metadata (titles, dates, sections), when it is still there."""
    corpus_dir = model.training_.get("corpus_dir")
    if not corpus_dir or not (Path(corpus_dir) / "documents.parquet").is_file():
        return None
    from toolkit.corpus.documents import Corpus

    return Corpus(corpus_dir).metadata_frame()


def run_similar_docs(args: argparse.Namespace) -> int:
    _quiet_gensim(args)
    from toolkit.embeddings.models import load_model

    model = load_model(args.model)
    df = model.similar_documents(args.doc_id, topn=args.topn, metadata=_metadata_for(model))
    if args.json:
        print(json.dumps(_frame_to_records(df), ensure_ascii=False, indent=2))
    else:
        for row in df.to_dict(orient="records"):
            title = row.get("title") or ""
            print(f"{row['doc_id']}\t{row['similarity']:.3f}\t{title}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "embed",
        help="train and explore word/document embeddings (Word2Vec, FastText, Doc2Vec)",
        description="Train gensim Word2Vec, FastText or Doc2Vec on an annotated corpus, "
        "then look up word neighbours and similar documents.",
    )
    esub = p.add_subparsers(dest="embed_command", metavar="SUBCOMMAND")

    t = esub.add_parser(
        "train",
        help="train a model on a corpus directory",
        description="Train on CORPUS_DIR (annotated first in fast mode if it has no token "
        "table). With --workers 1 (default) the same --seed gives the same vectors.",
    )
    t.add_argument("corpus", metavar="CORPUS_DIR")
    t.add_argument("--model", choices=["word2vec", "fasttext", "doc2vec"], default="word2vec")
    t.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    t.add_argument("--out", required=True, metavar="DIR", help="model directory to write")
    t.add_argument("--force", action="store_true", help="replace an existing --out directory")
    t.add_argument("--unit", choices=["lemma", "form"], default="lemma", help="token unit (default lemma)")
    t.add_argument("--no-phrases", action="store_true", help="do not join detected phrases into one token")
    t.add_argument("--no-entities", action="store_true", help="do not merge named entities into one token")
    t.add_argument("--architecture", choices=["skipgram", "cbow"], default="skipgram",
                   help="word2vec/fasttext architecture (default skipgram)")  # fmt: skip
    t.add_argument("--mode", choices=["dbow", "dm"], default="dbow", help="doc2vec mode (default dbow)")
    t.add_argument("--doc-vectors", choices=["paragraph", "paragraph+words"], default="paragraph",
                   help="doc2vec document vectors: the paragraph vector (default), or it followed by the "
                        "mean of the model's word vectors (twice the size; better for classification)")  # fmt: skip
    t.add_argument("--vector-size", type=int, default=None,
                   help="default: 50 under a million tokens, else 100")  # fmt: skip
    t.add_argument("--window", type=int, default=None, help="default: 10 under a million tokens, else 5")
    t.add_argument("--min-count", type=int, default=3)
    t.add_argument("--epochs", type=int, default=None, help="default: chosen from the corpus size")
    t.add_argument("--workers", type=int, default=1, help="threads; >1 is faster but not repeatable")
    t.set_defaults(func=run_train)

    n = esub.add_parser("neighbours", help="nearest words to WORD", description="Nearest words (cosine) with corpus counts.")
    n.add_argument("word", metavar="WORD")
    n.add_argument("--model", required=True, metavar="DIR")
    n.add_argument("--topn", type=int, default=10)
    n.add_argument("--min-count", type=int, default=None, help="hide neighbours rarer than this")
    n.add_argument("--json", action="store_true", help='print [{"term", "display", "similarity", "count"}, ...]')
    n.set_defaults(func=run_neighbours)

    s = esub.add_parser(
        "similar-docs",
        help="documents most similar to DOC_ID",
        description="Doc2Vec paragraph vectors, or averaged word vectors for word2vec/fasttext.",
    )
    s.add_argument("doc_id", metavar="DOC_ID")
    s.add_argument("--model", required=True, metavar="DIR")
    s.add_argument("--topn", type=int, default=10)
    s.add_argument("--json", action="store_true", help='print [{"doc_id", "similarity", "title", ...}]')
    s.set_defaults(func=run_similar_docs)

    def _help(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=_help)
