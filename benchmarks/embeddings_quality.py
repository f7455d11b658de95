"""Embedding quality on Le Monde 2022: document vectors (section classification) and word
vectors (French news relatedness), against TF-IDF and spaCy ``fr_core_news_md`` vectors.

Reads the models and the token cache written by ``embeddings_throughput.py`` (same corpus).

* Section classification: the 9 largest sections, one fixed stratified split (75 % train,
  25 % test, ``random_state=0``), logistic regression whose C is chosen by 3-fold
  cross-validation on the training part only (C in 0.1, 1, 10; dense features standardised).
  Features: Doc2Vec PV-DBOW vectors, averaged Word2Vec vectors, averaged FastText vectors,
  averaged ``fr_core_news_md`` static vectors (300 dimensions, looked up for the same tokens;
  phrase tokens such as ``droit_de_douane`` averaged from their words), and a TF-IDF baseline
  over the same tokens (``min_df=2``, sublinear tf). Macro-F1 on the test part.
* Relatedness: ``benchmarks/data/fr_news_relatedness.csv`` (96 pairs, 0–10), Spearman's rho
  of cosine similarity for each model and for ``fr_core_news_md``; pairs with a word outside a
  model's vocabulary are dropped for that model (FastText answers all of them from
  subwords), and rho is also given on the pairs every model covers.

Usage::

    .venv/bin/python benchmarks/embeddings_quality.py --corpus-dir CORPUS_DIR \
        --models-dir runs/embeddings-lemonde
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import dump  # noqa: E402

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "data" / "fr_news_relatedness.csv"


def _md_vectors():
    import spacy

    nlp = spacy.load("fr_core_news_md", exclude=["tok2vec", "morphologizer", "parser", "senter",
                                                  "attribute_ruler", "lemmatizer", "ner"])  # fmt: skip
    return nlp.vocab


def _md_lookup(vocab, cache: dict, token: str):
    if token in cache:
        return cache[token]
    vecs = []
    for part in token.split("_"):
        for cand in (part, part.capitalize()):
            if vocab.has_vector(cand):
                vecs.append(vocab.get_vector(cand))
                break
    v = np.mean(vecs, axis=0) if vecs else None
    cache[token] = v
    return v


def classification(args, models, doc_tokens: dict[str, list[str]]) -> dict:
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GridSearchCV, train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    meta = pd.read_parquet(Path(args.corpus_dir) / "documents.parquet", columns=["id", "section"])
    meta = meta[meta["id"].isin(doc_tokens.keys())]
    top = meta["section"].value_counts().head(9).index
    meta = meta[meta["section"].isin(top)].reset_index(drop=True)
    train_ids, test_ids, y_train, y_test = train_test_split(
        meta["id"].tolist(), meta["section"].tolist(), test_size=0.25,
        stratify=meta["section"], random_state=0,
    )  # fmt: skip
    out: dict = {"sections": list(top), "train": len(train_ids), "test": len(test_ids), "results": {}}

    def evaluate(name: str, x_train, x_test, dense: bool, dims: int) -> None:
        t0 = time.perf_counter()
        clf = LogisticRegression(max_iter=3000)
        pipe = make_pipeline(StandardScaler(), clf) if dense else clf
        key = "logisticregression__C" if dense else "C"
        grid = GridSearchCV(pipe, {key: [0.1, 1.0, 10.0]}, cv=3, scoring="f1_macro", n_jobs=1)
        grid.fit(x_train, y_train)
        pred = grid.predict(x_test)
        f1 = f1_score(y_test, pred, average="macro")
        out["results"][name] = {"macro_f1": round(float(f1), 4), "dimensions": dims,
                                "C": grid.best_params_[key], "seconds": round(time.perf_counter() - t0, 1)}  # fmt: skip
        print(f"  {name:28s} dims {dims:>7,}  macro-F1 {f1:.4f}  (C={grid.best_params_[key]})", flush=True)

    for name, model in models.items():
        idx = {d: i for i, d in enumerate(model.doc_ids_)}
        mat = model.document_vectors()
        label = "Doc2Vec PV-DBOW" if name == "doc2vec" else f"averaged {name}"
        evaluate(label, mat[[idx[d] for d in train_ids]], mat[[idx[d] for d in test_ids]], True, mat.shape[1])

    vocab = _md_vectors()
    cache: dict = {}

    def md_doc(doc_id: str) -> np.ndarray:
        vecs = [v for v in (_md_lookup(vocab, cache, t) for t in doc_tokens[doc_id]) if v is not None]
        return np.mean(vecs, axis=0) if vecs else np.zeros(300, dtype=np.float32)

    evaluate("averaged fr_core_news_md", np.vstack([md_doc(d) for d in train_ids]),
             np.vstack([md_doc(d) for d in test_ids]), True, 300)  # fmt: skip

    tfidf = TfidfVectorizer(analyzer=str.split, min_df=2, sublinear_tf=True)
    x_train = tfidf.fit_transform(" ".join(doc_tokens[d]) for d in train_ids)
    x_test = tfidf.transform(" ".join(doc_tokens[d]) for d in test_ids)
    evaluate("TF-IDF (baseline)", x_train, x_test, False, x_train.shape[1])
    return out


def relatedness(models) -> dict:
    import pandas as pd
    from scipy.stats import spearmanr

    pairs = pd.read_csv(PAIRS)
    vocab = _md_vectors()
    scores: dict[str, list] = {}
    for name, model in models.items():
        sims = []
        for w1, w2 in zip(pairs.word1, pairs.word2, strict=True):
            try:
                sims.append(model.similarity(w1, w2))
            except Exception:  # word outside the vocabulary
                sims.append(np.nan)
        scores[name] = sims
    md = []
    for w1, w2 in zip(pairs.word1, pairs.word2, strict=True):
        if vocab.has_vector(w1) and vocab.has_vector(w2):
            a, b = vocab.get_vector(w1), vocab.get_vector(w2)
            md.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))))
        else:
            md.append(np.nan)
    scores["fr_core_news_md"] = md
    frame = pd.DataFrame(scores)
    common = frame.notna().all(axis=1)
    out = {"pairs": len(pairs), "common_pairs": int(common.sum()), "results": {}}
    for name in frame.columns:
        ok = frame[name].notna()
        rho = spearmanr(pairs.score[ok], frame[name][ok]).statistic
        rho_common = spearmanr(pairs.score[common], frame[name][common]).statistic
        out["results"][name] = {"covered": int(ok.sum()), "spearman": round(float(rho), 3),
                                "spearman_common": round(float(rho_common), 3)}  # fmt: skip
        print(f"  {name:16s} covered {int(ok.sum()):>3}/{len(pairs)}  rho {rho:.3f}  "
              f"rho on {int(common.sum())} common pairs {rho_common:.3f}", flush=True)  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus-dir", required=True)
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--out", default=str(HERE / "results" / "embeddings_quality.json"))
    args = ap.parse_args(argv)

    import logging

    from toolkit.embeddings import TokenCache, load_model

    logging.basicConfig(level=logging.WARNING)
    models = {k: load_model(Path(args.models_dir) / k) for k in ("word2vec", "fasttext", "doc2vec")
              if (Path(args.models_dir) / k).is_dir()}  # fmt: skip
    cache = TokenCache(Path(args.models_dir) / "cache" / "tokens.txt")
    doc_tokens: dict[str, list[str]] = {}
    for doc_id, toks in cache.units():
        doc_tokens.setdefault(doc_id, []).extend(toks)
    results: dict = {"models": {k: m.manifest_["params"] for k, m in models.items()}}
    print("section classification (macro-F1, test part):", flush=True)
    results["classification"] = classification(args, models, doc_tokens)
    print("relatedness (Spearman):", flush=True)
    results["relatedness"] = relatedness(models)
    results["neighbours"] = {}
    for word in ("gaz", "sanction", "pékin", "inflation"):
        for name, model in models.items():
            try:
                nb = model.neighbours(word, topn=8)
            except Exception as exc:
                results["neighbours"][f"{name}:{word}"] = str(exc)
                continue
            results["neighbours"][f"{name}:{word}"] = [[t, round(s, 3), c] for t, s, c in nb.itertuples(index=False)]
            if name == "word2vec":
                print(f"  {word}: " + ", ".join(f"{t} ({s:.2f}, {c})" for t, s, c in nb.itertuples(index=False)))
    dump(args.out, results)
    print(json.dumps({"classification": {k: v["macro_f1"] for k, v in results["classification"]["results"].items()},
                      "relatedness": {k: v["spearman"] for k, v in results["relatedness"]["results"].items()}},
                     ensure_ascii=False))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
