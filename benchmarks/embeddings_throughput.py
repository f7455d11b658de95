"""Embedding training throughput: the toolkit (streamed from the token table) against gensim
trained directly on an in-memory list of the same tokens.

Streaming cost is measured in two parts, each in a fresh process:

1. the token cache: one streamed pass over the token table (``TokenStream``: lemmas, stop
   words, merged entities, phrases) writes the tokens in gensim's LineSentence format
   (``TokenCache.write``); this is what ``fit(CORPUS_DIR)`` does first, once per corpus and
   token settings;
2. for each model (Word2Vec skip-gram, FastText skip-gram, Doc2Vec PV-DBOW): the toolkit
   trains from the cache (``make_model(kind).fit(TokenCache.open(...))``, the cache streamed
   from disk, never held in memory) and, in another fresh process, gensim trains on an
   in-memory Python list of the same tokens (read before the timed section) with the same
   parameters and seed. The toolkit's model is saved to ``--models-dir`` for
   ``embeddings_quality.py``.

Training words/second are gensim's raw words processed divided by the ``train()`` wall time;
words per CPU-second (all threads of the process) are reported too, because the machine is
shared and wall time moves with its load. Target: the toolkit within 10 % of the baseline.
With ``--workers2`` the toolkit also trains with 2 workers (gensim ``corpus_file`` mode, not
repeatable).

Usage::

    .venv/bin/python benchmarks/embeddings_throughput.py --corpus-dir CORPUS_DIR \
        --models-dir runs/embeddings-lemonde [--models word2vec,fasttext,doc2vec] [--epochs 5] \
        [--reuse-cache] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import _child, dump  # noqa: E402


def measure(fn, *args):
    """Run ``fn(*args)`` in a fresh *spawned* process (forking after pyarrow/gensim threads
    can hang); return its result, wall seconds and peak RSS (MiB)."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, child))
    proc.start()
    child.close()
    try:
        out = parent.recv()
    except EOFError:
        proc.join()
        raise SystemExit(
            f"{fn.__name__} failed in its process (exit code {proc.exitcode})"
        ) from None
    proc.join()
    return out


PARAMS = {"vector_size": 100, "window": 5, "min_count": 5, "negative": 5, "sample": 1e-3}


def write_cache(corpus_dir: str, cache_file: str) -> dict:
    from toolkit.embeddings import DEFAULT_TOKENS, TokenCache, token_stream

    Path(cache_file).parent.mkdir(parents=True, exist_ok=True)
    stream = token_stream(corpus_dir, DEFAULT_TOKENS)
    t0 = time.perf_counter()
    stream.phraser  # noqa: B018 - phrases are learned (or loaded from the vocabulary cache) first
    t_phr = time.perf_counter() - t0
    cache = TokenCache(cache_file).write(stream)
    return {
        "phrases_seconds": round(t_phr, 2), "tokens": cache.n_tokens,
        "documents": cache.n_documents, "tokens_hash": cache.content_hash,
    }  # fmt: skip


def toolkit_fit(kind: str, cache_file: str, models_dir: str, epochs: int, workers: int) -> dict:
    from toolkit.embeddings import TokenCache, make_model

    extra = {"bucket": 200_000} if kind == "fasttext" else {}
    model = make_model(kind, **PARAMS, **extra, epochs=epochs, workers=workers, random_state=0)
    model.fit(TokenCache.open(cache_file))
    if workers == 1:
        model.save(Path(models_dir) / kind, overwrite=True)
    return dict(model.training_)


def baseline_fit(kind: str, cache_file: str, epochs: int) -> dict:
    from gensim.models import Doc2Vec, FastText, Word2Vec
    from gensim.models.doc2vec import TaggedDocument

    with (
        open(cache_file, encoding="utf-8") as f,
        open(cache_file + ".ids", encoding="utf-8") as ids,
    ):
        if kind == "doc2vec":
            corpus = [
                TaggedDocument(line.split(), [i.rstrip("\n")])
                for line, i in zip(f, ids, strict=True)
            ]
        else:
            corpus = [line.split() for line in f]
    common = dict(**PARAMS, workers=1, seed=0, epochs=epochs)
    if kind == "word2vec":
        model = Word2Vec(**common, sg=1)
    elif kind == "fasttext":
        model = FastText(**common, sg=1, bucket=200_000)
    else:
        model = Doc2Vec(**common, dm=0, dbow_words=1)
    t0 = time.perf_counter()
    model.build_vocab(corpus)
    t1, c1 = time.perf_counter(), time.process_time()
    model.train(
        corpus,
        total_examples=model.corpus_count,
        total_words=model.corpus_total_words,
        epochs=epochs,
    )
    t_train, cpu = time.perf_counter() - t1, time.process_time() - c1
    raw = model.corpus_total_words * epochs
    return {
        "tokens": model.corpus_total_words, "vocabulary_size": len(model.wv),
        "vocab_seconds": round(t1 - t0, 3), "train_seconds": round(t_train, 3),
        "train_cpu_seconds": round(cpu, 3), "raw_words_per_second": round(raw / t_train),
        "raw_words_per_cpu_second": round(raw / cpu),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--corpus-dir", required=True, help="annotated corpus directory (tokens.parquet)"
    )
    ap.add_argument("--models-dir", required=True, help="where to save the trained models")
    ap.add_argument(
        "--models", default="word2vec,fasttext,doc2vec", help="comma-separated; empty: cache only"
    )
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--workers2", action="store_true", help="also time the toolkit with 2 workers")
    ap.add_argument(
        "--reuse-cache", action="store_true",
        help="use MODELS_DIR/cache/tokens.txt if it exists instead of rewriting it (its timing is then "
        "not measured again; lets the models run one at a time)",
    )  # fmt: skip
    ap.add_argument(
        "--out",
        default=str(Path(__file__).resolve().parent / "results" / "embeddings_throughput.json"),
    )
    args = ap.parse_args(argv)

    import logging

    logging.basicConfig(level=logging.WARNING)
    results: dict = {
        "corpus_dir": args.corpus_dir,
        "params": PARAMS,
        "epochs": args.epochs,
        "models": {},
    }
    cache_file = str(Path(args.models_dir) / "cache" / "tokens.txt")
    if args.reuse_cache and Path(cache_file).is_file():
        from toolkit.embeddings import TokenCache

        cache = TokenCache.open(cache_file)
        results["cache"] = {"reused": cache_file, "tokens": cache.n_tokens, "documents": cache.n_documents,
                            "tokens_hash": cache.content_hash}  # fmt: skip
        print(
            f"token cache reused: {cache.n_tokens:,} tokens from {cache.n_documents:,} documents",
            flush=True,
        )
    else:
        cached = measure(write_cache, args.corpus_dir, cache_file)
        results["cache"] = cached
        print(
            f"token cache: {cached['result']['tokens']:,} tokens from {cached['result']['documents']:,} "
            f"documents in {cached['seconds']:.1f}s (phrases {cached['result']['phrases_seconds']:.1f}s), "
            f"peak {cached['peak_mb']:.0f} MiB", flush=True,
        )  # fmt: skip
    for kind in filter(None, args.models.split(",")):
        tk = measure(toolkit_fit, kind, cache_file, args.models_dir, args.epochs, 1)
        base = measure(baseline_fit, kind, cache_file, args.epochs)
        t, b = tk["result"], base["result"]
        row = {
            "toolkit": tk, "baseline": base,
            "ratio_wall": round(t["raw_words_per_second"] / b["raw_words_per_second"], 3),
            "ratio_cpu": round(t["raw_words_per_cpu_second"] / b["raw_words_per_cpu_second"], 3),
        }  # fmt: skip
        if args.workers2:
            row["toolkit_workers2"] = measure(
                toolkit_fit, kind, cache_file, args.models_dir, args.epochs, 2
            )
        results["models"][kind] = row
        print(
            f"{kind:9s} toolkit {t['raw_words_per_second']:>9,} w/s, {t['raw_words_per_cpu_second']:>9,} w/cpu-s "
            f"(train {t['train_seconds']:.1f}s, wall {tk['seconds']:.1f}s, peak {tk['peak_mb']:.0f} MiB) | "
            f"gensim list {b['raw_words_per_second']:>9,} w/s, {b['raw_words_per_cpu_second']:>9,} w/cpu-s "
            f"(train {b['train_seconds']:.1f}s, wall {base['seconds']:.1f}s, peak {base['peak_mb']:.0f} MiB) | "
            f"ratio wall {row['ratio_wall']:.3f} cpu {row['ratio_cpu']:.3f}",
            flush=True,
        )
        if args.workers2:
            w2 = row["toolkit_workers2"]["result"]
            print(f"{'':9s} toolkit workers=2 (corpus_file): {w2['raw_words_per_second']:,} w/s, "
                  f"train {w2['train_seconds']:.1f}s", flush=True)  # fmt: skip
    dump(args.out, results)
    print(json.dumps({k: [v["ratio_wall"], v["ratio_cpu"]] for k, v in results["models"].items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
