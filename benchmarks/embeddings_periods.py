"""A word's neighbours per period on Le Monde 2022: ``PeriodEmbeddings`` by quarter.

Trains one seeded Word2Vec skip-gram model per quarter of 2022 on the token cache that
``embeddings_throughput.py`` writes (same tokens: lemmas, stop lists, merged entities,
phrases), aligns each quarter onto the previous one (orthogonal Procrustes) and prints, for a
few words of the year's news (*gaz*, *sanction*, *inflation*, *nucléaire*), the neighbours in
each quarter and the cosine shift of the word between consecutive quarters. There is no
baseline: this is the exploration the issue asks for, run at full scale, with its cost.

Usage::

    .venv/bin/python benchmarks/embeddings_periods.py --corpus-dir CORPUS_DIR \\
        --cache MODELS_DIR/cache/tokens.txt [--words gaz,sanction] [--freq quarter]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import dump  # noqa: E402

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus-dir", required=True, help="annotated corpus (for the document dates)")
    ap.add_argument("--cache", required=True, help="token cache written by embeddings_throughput.py")
    ap.add_argument("--words", default="gaz,sanction,inflation,nucléaire")
    ap.add_argument("--freq", default="quarter", choices=["month", "quarter", "year"])
    ap.add_argument("--topn", type=int, default=8)
    ap.add_argument("--out", default=str(HERE / "results" / "embeddings_periods.json"))
    args = ap.parse_args(argv)

    import logging

    import pandas as pd

    from toolkit.embeddings import PeriodEmbeddings, TokenCache
    from toolkit.runtime import peak_memory_mb

    logging.basicConfig(level=logging.WARNING)
    meta = pd.read_parquet(Path(args.corpus_dir) / "documents.parquet", columns=["id", "date"])
    cache = TokenCache.open(args.cache)
    t0 = time.perf_counter()
    pe = PeriodEmbeddings(model="word2vec", freq=args.freq, random_state=0, vector_size=100,
                          window=5, min_count=5, epochs=5, workers=1)  # fmt: skip
    pe.fit(cache.tagged(), meta)  # (doc_id-tagged token lists, streamed from the cache file)
    seconds = time.perf_counter() - t0
    out: dict = {"freq": args.freq, "periods": pe.periods_, "train_seconds": round(seconds, 1),
                 "peak_mb": peak_memory_mb(), "words": {}}  # fmt: skip
    print(f"{len(pe.periods_)} periods ({', '.join(pe.periods_)}) in {seconds:.0f} s", flush=True)
    for word in filter(None, args.words.split(",")):
        try:
            nb = pe.neighbours(word, topn=args.topn)
            shift = pe.shift(word)
        except Exception as exc:  # a word missing from a period: say so, go on
            out["words"][word] = str(exc)
            print(f"{word}: {exc}", flush=True)
            continue
        out["words"][word] = {
            "neighbours": json.loads(nb.to_json(orient="records", force_ascii=False)),
            "shift": json.loads(shift.to_json(orient="records", force_ascii=False)),
        }
        print(f"\n{word}", flush=True)
        for period, group in nb.groupby("period", sort=False):
            print(f"  {period}: " + ", ".join(group["term"].head(args.topn)), flush=True)
        print("  shift: " + shift.to_string(index=False).replace("\n", "\n         "), flush=True)
    dump(args.out, {**out, "command": " ".join(sys.argv)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
