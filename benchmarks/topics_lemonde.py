"""Topic models on Le Monde 2022: the toolkit's pipeline side by side with tutorial baselines.

Systems (each trained in its own fresh process, so wall time and peak memory are its own):

* ``toolkit-lda``: the default pipeline — token table (fast annotation) -> vocabulary
  (lemmas of nouns/proper nouns/adjectives, stop lists, entities, phrases, display forms)
  -> the default model ``lda`` (:class:`toolkit.topics.TomotopyLDA`: Gibbs LDA with an
  NMF-informed prior, asymmetric α; pseudo-document model when documents are short).
* ``toolkit-gensim``: same bag of words -> ``GensimLDA`` (the previous default).
* ``toolkit-nmf``: same bag of words -> ``NMFModel`` (TF-IDF + NMF).
* (a) ``gensim-tutorial``: ``simple_preprocess`` + French stop list + ``filter_extremes(5, 0.5)``
  + ``LdaModel(passes=10)``.
* (b) ``sklearn-tutorial``: ``CountVectorizer`` (default token_pattern, same stop list,
  min_df=5, max_df=0.5) + ``LatentDirichletAllocation`` defaults.
* (c) ``tomotopy-tutorial``: tomotopy ``LDAModel``, 1,000 iterations, on the tokens of (a).
* (d) ``sklearn-nmf-tutorial``: ``TfidfVectorizer`` with (b)'s settings + ``NMF`` defaults.

The French stop list of the baselines is spaCy's (``spacy.lang.fr.stop_words``, 507 words),
the list a tutorial reaches for offline.

**One evaluator, one ranking.** Every system's top terms are ranked **by probability** (the
topic-term weights; what each tutorial prints) and scored by the independent evaluator
``../shared/eval/topic_eval.py`` (its own preprocessing: lowercase, elisions split, simplemma
lemmas; a phrase is present when all its words are): NPMI of the top 10 over document
co-occurrence in the reference corpus (default: the corpus's own documents, title + text;
``--reference`` gives another JSONL, e.g. the full articles when the models are trained on
short items), diversity of the top 25, NMI/ARI of each document's main topic against its
``section``. The toolkit's terms are given as its vocabulary keys (``affaire_étranger``),
the evaluator lemmatises the corpus side. Relevance-ranked terms (pyLDAvis λ = 0.6, each
system's own matrix and term counts) are scored too and reported in separate ``*_rel``
columns, never as the headline. Stability is the mean best-match (Hungarian) Jaccard of the
probability top 10 over every pair of seeds.

Usage::

    .venv/bin/python benchmarks/topics_lemonde.py --corpus-dir /tmp/lm --k 20 40 --seed 0 \\
        --out benchmarks/results/topics_lemonde.json

``--corpus-dir`` is a corpus directory (``fnt ingest`` of the Le Monde JSONL, annotated with
``fnt annotate`` in fast mode); when it does not exist the script ingests and annotates it
(``--sample N`` articles, 0 = all; ``--source`` another JSONL such as the short-text version
made by ``benchmarks/make_short_lemonde.py``) and times that as part of the toolkit's pipeline.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np  # noqa: E402
from _util import LEMONDE, dump, measure  # noqa: E402

SYSTEMS = ("toolkit-lda", "toolkit-nmf", "a-gensim", "b-sklearn-lda", "c-tomotopy", "d-sklearn-nmf")
EXTRA_SYSTEMS = ("toolkit-gensim",)
TOPIC_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "topic_eval.py"
TOP = 25
LAMBDA = 0.6  # the relevance λ of topics.json (toolkit default)


# --------------------------------------------------------------------------- data


def _read_docs(corpus_dir: str) -> tuple[list[str], list[str]]:
    import pandas as pd

    df = pd.read_parquet(Path(corpus_dir) / "documents.parquet", columns=["id", "title", "text"])
    texts = [(f"{t.strip()}\n\n{x}" if isinstance(t, str) and t.strip() else x) for t, x in zip(df["title"], df["text"], strict=True)]
    return df["id"].tolist(), texts


def _stop_list() -> list[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    return sorted(STOP_WORDS)


def _tops(topic_term, vocab, n=TOP) -> list[list[str]]:
    import numpy as np

    return [[vocab[i] for i in np.argsort(-row, kind="stable")[:n]] for row in topic_term]


def _rel_tops(topic_term, term_frequency, vocab, lam=LAMBDA, n=TOP) -> list[list[str]]:
    """Top terms by pyLDAvis relevance over the whole vocabulary (``toolkit.topics.describe.
    relevant_terms`` ranks only a topic's 200 most probable terms; the recorded results were
    computed with this version)."""
    phi = np.asarray(topic_term, dtype=np.float64)
    phi = np.maximum(phi / np.maximum(phi.sum(axis=1, keepdims=True), 1e-300), 1e-15)
    tf = np.maximum(np.asarray(term_frequency, dtype=np.float64).ravel(), 1e-15)
    rel = lam * np.log(phi) + (1 - lam) * np.log(phi / (tf / tf.sum()))
    return _tops(rel, vocab, n)


# --------------------------------------------------------------------------- systems (children)


def run_toolkit(corpus_dir: str, k: int, seed: int, model: str, reuse_bow: bool = False) -> dict[str, Any]:
    from toolkit.topics import make_model
    from toolkit.topics.describe import relevant_terms
    from toolkit.vocabulary import BagOfWords, VocabularyConfig, build_bow

    t0 = time.perf_counter()
    cache = Path(corpus_dir + "_bench_bow")
    if reuse_bow and (cache / "bow.npz").is_file():  # stability re-runs: same bag of words
        bow = BagOfWords.load(cache)
    else:
        bow = build_bow(corpus_dir, VocabularyConfig())
        bow.save(cache)
    t1 = time.perf_counter()
    est = make_model(model, k, seed)
    est.fit(bow)
    t2 = time.perf_counter()
    out = est.output()
    top = out.all_top_terms(TOP)
    return {
        "top": top, "top_rel": [relevant_terms(out, t, TOP, LAMBDA) for t in range(out.n_topics)],
        "display": [out.shown(t) for t in top], "variant": out.info.get("variant"),
        "variant_reason": out.info.get("variant_reason"),
        "doc_ids": out.doc_ids, "main": out.main_topic().tolist(),
        "prep_s": round(t1 - t0, 2), "train_s": round(t2 - t1, 2), "n_terms": out.n_terms,
    }  # fmt: skip


def _gensim_tokens(corpus_dir: str):
    from gensim.corpora import Dictionary
    from gensim.utils import simple_preprocess

    ids, texts = _read_docs(corpus_dir)
    stops = set(_stop_list())
    docs = [[w for w in simple_preprocess(t) if w not in stops] for t in texts]
    dictionary = Dictionary(docs)
    dictionary.filter_extremes(no_below=5, no_above=0.5)
    return ids, docs, dictionary


def run_a(corpus_dir: str, k: int, seed: int) -> dict[str, Any]:
    from gensim.models import LdaModel

    t0 = time.perf_counter()
    ids, docs, dictionary = _gensim_tokens(corpus_dir)
    corpus = [dictionary.doc2bow(d) for d in docs]
    t1 = time.perf_counter()
    lda = LdaModel(corpus=corpus, id2word=dictionary, num_topics=k, passes=10, random_state=seed)
    t2 = time.perf_counter()
    main = []
    for bow in corpus:
        dist = lda.get_document_topics(bow, minimum_probability=0.0)
        main.append(int(max(dist, key=lambda x: x[1])[0]) if bow else -1)
    vocab = [dictionary[i] for i in range(len(dictionary))]
    tf = [dictionary.cfs.get(i, 0) for i in range(len(dictionary))]
    return {"top": _tops(lda.get_topics(), vocab), "top_rel": _rel_tops(lda.get_topics(), tf, vocab),
            "doc_ids": ids, "main": main,
            "prep_s": round(t1 - t0, 2), "train_s": round(t2 - t1, 2), "n_terms": len(vocab)}  # fmt: skip


def run_b(corpus_dir: str, k: int, seed: int) -> dict[str, Any]:
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    t0 = time.perf_counter()
    ids, texts = _read_docs(corpus_dir)
    vec = CountVectorizer(stop_words=_stop_list(), min_df=5, max_df=0.5)
    X = vec.fit_transform(texts)
    t1 = time.perf_counter()
    lda = LatentDirichletAllocation(n_components=k, random_state=seed)
    W = lda.fit_transform(X)
    t2 = time.perf_counter()
    main = [int(r.argmax()) if X[i].nnz else -1 for i, r in enumerate(W)]
    vocab = vec.get_feature_names_out().tolist()
    tf = np.asarray(X.sum(axis=0)).ravel()
    return {"top": _tops(lda.components_, vocab), "top_rel": _rel_tops(lda.components_, tf, vocab),
            "doc_ids": ids, "main": main,
            "prep_s": round(t1 - t0, 2), "train_s": round(t2 - t1, 2), "n_terms": len(vocab)}  # fmt: skip


def run_c(corpus_dir: str, k: int, seed: int) -> dict[str, Any]:
    import numpy as np
    import tomotopy as tp

    t0 = time.perf_counter()
    ids, docs, dictionary = _gensim_tokens(corpus_dir)
    keep = dictionary.token2id
    model = tp.LDAModel(k=k, seed=seed)
    placed = []
    for d in docs:
        words = [w for w in d if w in keep]
        if words:
            model.add_doc(words)
        placed.append(bool(words))
    t1 = time.perf_counter()
    model.train(1000)
    t2 = time.perf_counter()
    it = iter(model.docs)
    main = [int(np.argmax(next(it).get_topic_dist())) if p else -1 for p in placed]
    vocab = list(model.used_vocabs)
    tt = np.array([model.get_topic_word_dist(t) for t in range(k)])
    return {"top": _tops(tt, vocab), "top_rel": _rel_tops(tt, model.used_vocab_freq, vocab),
            "doc_ids": ids, "main": main,
            "prep_s": round(t1 - t0, 2), "train_s": round(t2 - t1, 2), "n_terms": len(vocab)}  # fmt: skip


def run_d(corpus_dir: str, k: int, seed: int) -> dict[str, Any]:
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    t0 = time.perf_counter()
    ids, texts = _read_docs(corpus_dir)
    vec = TfidfVectorizer(stop_words=_stop_list(), min_df=5, max_df=0.5)
    X = vec.fit_transform(texts)
    t1 = time.perf_counter()
    nmf = NMF(n_components=k, random_state=seed)
    W = nmf.fit_transform(X)
    t2 = time.perf_counter()
    main = [int(r.argmax()) if r.sum() > 0 else -1 for r in W]
    vocab = vec.get_feature_names_out().tolist()
    from sklearn.feature_extraction.text import CountVectorizer  # term counts for relevance only

    tf = np.asarray(CountVectorizer(vocabulary=vec.vocabulary_).fit_transform(texts).sum(axis=0)).ravel()
    return {"top": _tops(nmf.components_, vocab), "top_rel": _rel_tops(nmf.components_, tf, vocab),
            "doc_ids": ids, "main": main,
            "prep_s": round(t1 - t0, 2), "train_s": round(t2 - t1, 2), "n_terms": len(vocab)}  # fmt: skip


def run_system(name: str, corpus_dir: str, k: int, seed: int, reuse_bow: bool = False) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    toolkit = {"toolkit-lda": "lda", "toolkit-gensim": "gensim-lda", "toolkit-nmf": "nmf"}
    if name in toolkit:
        return run_toolkit(corpus_dir, k, seed, toolkit[name], reuse_bow)
    return {"a-gensim": run_a, "b-sklearn-lda": run_b, "c-tomotopy": run_c, "d-sklearn-nmf": run_d}[name](corpus_dir, k, seed)


# --------------------------------------------------------------------------- corpus + reference


def prepare_corpus(corpus_dir: Path, sample: int, seed: int, source: Path = LEMONDE) -> dict[str, Any]:
    """Ingest (a sample of) Le Monde (or ``source``) and annotate it in fast mode; returns stage costs."""
    from toolkit.annotation.annotate import annotate_corpus
    from toolkit.corpus.ingest import ingest

    src = corpus_dir.parent / (corpus_dir.name + "_src")
    src.mkdir(parents=True, exist_ok=True)
    with gzip.open(source, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    if sample:
        random.Random(seed).shuffle(rows)
        rows = rows[:sample]
    with open(src / "lemonde.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({k: r.get(k) for k in ("id", "title", "text", "date", "source", "section", "url")}, ensure_ascii=False) + "\n")
    costs = {}
    costs["ingest"] = measure(ingest, [src], corpus_dir)
    costs["ingest"].pop("result", None)
    costs["annotate"] = measure(annotate_corpus, corpus_dir)
    costs["annotate"].pop("result", None)
    return costs


def lemma_forms(corpus_dir: str) -> dict[str, list[list[str]]]:
    """lemma (lowercase) -> list of its forms, each as reference tokens, from the token table."""
    import re

    import pyarrow.parquet as pq

    pat = re.compile(r"\w+")
    table = pq.read_table(Path(corpus_dir) / "tokens.parquet", columns=["norm", "lemma"])
    out: dict[str, set[tuple[str, ...]]] = {}
    for norm, lemma in zip(table.column("norm").to_pylist(), table.column("lemma").to_pylist(), strict=True):
        if not lemma or not norm:
            continue
        key = lemma.lower().replace("’", "'")
        out.setdefault(key, set()).add(tuple(pat.findall(norm.lower())))
    return {k: [list(v) for v in vs if v] for k, vs in out.items()}


def build_reference(corpus_dir: str):
    import re

    from toolkit.topics.evaluation import ReferenceCorpus

    _, texts = _read_docs(corpus_dir)
    pat = re.compile(r"\w+")
    forms = lemma_forms(corpus_dir)

    def mapper(word: str):
        return forms.get(word, [])

    return ReferenceCorpus.from_texts((pat.findall(t.lower()) for t in texts), mapper=mapper)


def write_reference(corpus_dir: str, path: Path) -> Path:
    """The corpus's documents (id, title, text, section) as the evaluator's JSONL reference."""
    import pandas as pd

    df = pd.read_parquet(Path(corpus_dir) / "documents.parquet", columns=["id", "title", "text", "section"])
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in df.itertuples(index=False):
            f.write(json.dumps({"id": r.id, "title": r.title, "text": r.text, "section": r.section}, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def shared_evaluator():
    """The independent evaluator ``../shared/eval/topic_eval.py`` as a module."""
    import importlib.util

    if not TOPIC_EVAL.is_file():
        raise SystemExit(f"{TOPIC_EVAL} not found: the benchmark scores every system with it")
    spec = importlib.util.spec_from_file_location("topic_eval", TOPIC_EVAL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def evaluate_all(runs: dict, reference_path: Path, ids: list[str] | None) -> dict:
    """Score every run (probability and relevance tops) with the shared evaluator, one reference."""
    te = shared_evaluator()
    terms: set[str] = set()
    for r in runs.values():
        for key in ("top", "top_rel"):
            terms |= te.needed_terms(r[key], 10)
    ref = te.Reference(reference_path, terms, ("section",), ids)
    scores = {}
    for key, r in runs.items():
        assign = {d: int(z) for d, z in zip(r["doc_ids"], r["main"], strict=True)}
        prob = te.evaluate(ref, r["top"], assign)
        rel = te.evaluate(ref, r["top_rel"], None)
        scores[key] = {
            "npmi": round(prob["npmi"], 4), "npmi_strict": round(prob["npmi_strict"], 4),
            "diversity": round(prob["diversity"], 4), "nmi": round(prob["nmi"], 4), "ari": round(prob["ari"], 4),
            "npmi_rel": round(rel["npmi"], 4), "diversity_rel": round(rel["diversity"], 4),
            "npmi_per_topic": [round(x, 4) if x is not None else None for x in prob["npmi_per_topic"]],
            "assigned": prob["assign"]["documents"] - prob["assign"]["no_topic"],
        }  # fmt: skip
    return scores


SEED_ARTICLE = "seed-000-4aed66ba79373d17"  # the bundled corpus's seed article (China–Russia diplomacy)


def themes_check(corpus_dir: str, ks: list[int], seed: int, model: str = "lda", phrase_min_count: int | None = None) -> list[dict[str, Any]]:
    """Seeded (default themes) against unseeded ``model`` at each k: NPMI cost, each theme
    topic's NPMI against the median topic of its model, seed retention, and the seed
    article's rank in the *diplomatie* topic. NPMI is the experiment evaluation's (top 10 over
    the bag of words' documents), the figure the demo report shows."""
    from toolkit.topics import make_model, seed_retention
    from toolkit.topics.evaluation import ReferenceCorpus, npmi_coherence, topic_diversity
    from toolkit.vocabulary import VocabularyConfig, build_bow

    cfg = VocabularyConfig() if phrase_min_count is None else VocabularyConfig(phrase_min_count=phrase_min_count)
    bow = build_bow(corpus_dir, cfg)
    reference = ReferenceCorpus.from_bow(bow)
    rows = []
    for k in ks:
        plain = make_model(model, k, seed).fit(bow).output()
        seeded = make_model(model, k, seed, themes="default").fit(bow).output()
        n_plain = npmi_coherence(plain, reference, 10)
        n_seeded = npmi_coherence(seeded, reference, 10)
        median = float(np.median(n_seeded["per_topic"]))
        row = {
            "k": k, "model": model, "npmi_unseeded": round(n_plain["mean"], 4), "npmi_seeded": round(n_seeded["mean"], 4),
            "cost": round(n_plain["mean"] - n_seeded["mean"], 4), "median_topic_npmi": round(median, 4),
            "theme_npmi": {name: round(n_seeded["per_topic"][t], 4) for t, name in seeded.themes.items()},
            "diversity_unseeded": round(topic_diversity(plain), 3), "diversity_seeded": round(topic_diversity(seeded), 3),
            "seed_retention_top20": seed_retention(seeded, top_n=20),
        }  # fmt: skip
        dip = [t for t, name in seeded.themes.items() if name == "diplomatie"]
        if dip and SEED_ARTICLE in seeded.doc_ids:
            share = seeded.doc_topic[:, dip[0]]
            i = seeded.doc_ids.index(SEED_ARTICLE)
            row["seed_article_diplomatie_share"] = round(float(share[i]), 4)
            row["seed_article_diplomatie_rank"] = int((share > share[i]).sum()) + 1
        rows.append(row)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus-dir", required=True, type=Path)
    ap.add_argument("--source", type=Path, default=LEMONDE, help="JSONL(.gz) to ingest when the corpus must be built")
    ap.add_argument("--sample", type=int, default=0, help="articles when the corpus must be built (0 = all)")
    ap.add_argument("--reference", type=Path, default=None,
                    help="reference JSONL for coherence (default: the corpus's own documents), e.g. the full "
                         "articles when the corpus holds short items")  # fmt: skip
    ap.add_argument("--k", type=int, nargs="+", default=[20, 40])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=SYSTEMS + EXTRA_SYSTEMS)
    ap.add_argument("--stability-seeds", type=int, default=5)
    ap.add_argument("--stability-k", type=int, nargs="*", default=[20])
    ap.add_argument("--stability-systems", nargs="*", default=list(SYSTEMS))
    ap.add_argument("--reuse-bow", action="store_true",
                    help="toolkit systems load the bag of words cached by an earlier run (CORPUS_DIR_bench_bow, "
                         "same vocabulary settings) instead of building it: prep_s is then the load time")  # fmt: skip
    ap.add_argument("--stage-costs", type=Path, help="JSON with ingest/annotate seconds and peak_mb measured elsewhere")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/topics_lemonde.json"))
    ap.add_argument("--themes-check", action="store_true", help="only compare seeded and unseeded models (--themes-model)")
    ap.add_argument("--themes-model", default="lda", help="model of --themes-check (default: the toolkit default, lda)")
    ap.add_argument("--phrase-min-count", type=int, default=None, help="vocabulary phrase_min_count of --themes-check (demo: 3)")
    args = ap.parse_args(argv)
    if args.themes_check:
        rows = themes_check(str(args.corpus_dir), args.k, args.seed, args.themes_model, args.phrase_min_count)
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
        dump(args.out, {"themes_check": rows, "command": " ".join(sys.argv)})
        return 0

    import os

    import pandas as pd

    from toolkit.topics.evaluation import stability

    costs: dict[str, Any] = {}
    if not (args.corpus_dir / "tokens.parquet").is_file():
        costs = prepare_corpus(args.corpus_dir, args.sample, args.seed, args.source)
    elif args.stage_costs:
        costs = json.loads(args.stage_costs.read_text())
    else:
        ann = json.loads((args.corpus_dir / "annotation.json").read_text())
        man = json.loads((args.corpus_dir / "manifest.json").read_text())
        costs = {"ingest": {"seconds": man.get("timings", {}).get("ingest_seconds"), "peak_mb": man.get("peak_memory_mb")},
                 "annotate": {"seconds": ann.get("timings", {}).get("seconds"), "peak_mb": None}}  # fmt: skip
    corpus_dir = str(args.corpus_dir)
    meta = pd.read_parquet(args.corpus_dir / "documents.parquet", columns=["id", "section"])
    ids = meta["id"].tolist()
    print(f"corpus: {len(ids)} documents; stages: {json.dumps(costs)}; load {os.getloadavg()}", flush=True)

    runs: dict[tuple[str, int], dict[str, Any]] = {}
    stab_tops: dict[tuple[str, int], list] = {}
    loads: dict[tuple[str, int], list] = {}
    for k in args.k:
        for name in args.systems:
            before = os.getloadavg()
            r = measure(run_system, name, corpus_dir, k, args.seed, args.reuse_bow)
            loads[(name, k)] = [round(before[0], 2), round(os.getloadavg()[0], 2)]
            runs[(name, k)] = r
            print(f"trained {name} k={k}: {r['seconds']} s, peak {r['peak_mb']} MiB, train {r['result']['train_s']} s, "
                  f"load {loads[(name, k)]}", flush=True)  # fmt: skip
            if k in args.stability_k and args.stability_seeds > 1 and name in args.stability_systems:
                runs_s = [r["result"]]
                for s in range(1, args.stability_seeds):
                    runs_s.append(measure(run_system, name, corpus_dir, k, args.seed + s, True)["result"])
                stab_tops[(name, k)] = runs_s
                print(f"  stability runs done ({args.stability_seeds} seeds)", flush=True)

    reference = args.reference
    if reference is None:
        reference = write_reference(corpus_dir, Path(corpus_dir + "_reference.jsonl"))
    scores = evaluate_all({key: r["result"] for key, r in runs.items()}, reference, None if args.reference else ids)
    prep = sum(v.get("seconds") or 0 for v in costs.values())
    rows = []
    for (name, k), r in runs.items():
        res = r["result"]
        ev = scores[(name, k)]
        row = {"system": name, "k": k, "ranking": "probability", **{x: ev[x] for x in ("npmi", "npmi_strict", "diversity", "nmi", "ari")}}
        row["stability"] = row["stability_rel"] = None
        if (name, k) in stab_tops:
            seeds = stab_tops[(name, k)]
            row["stability"] = round(stability([x["top"] for x in seeds], 10), 4)
            row["stability_rel"] = round(stability([x["top_rel"] for x in seeds], 10), 4)
            row["stability_seeds"] = len(seeds)
        row["npmi_rel"] = ev["npmi_rel"]
        row["diversity_rel"] = ev["diversity_rel"]
        row["train_s"] = res["train_s"]
        row["prep_s"] = res["prep_s"]
        row["pipeline_s"] = round(r["seconds"] + (prep if name.startswith("toolkit") else 0), 1)
        row["peak_mb"] = r["peak_mb"]
        row["load_before_after"] = loads[(name, k)]
        row["n_terms"] = res["n_terms"]
        row["assigned_docs"] = ev["assigned"]
        row["variant"] = res.get("variant")
        row["variant_reason"] = res.get("variant_reason")
        row["npmi_per_topic"] = ev["npmi_per_topic"]
        row["top10"] = [" ".join(t[:10]) for t in res["top"]]
        if res.get("display"):
            row["top10_display"] = [" · ".join(t[:10]) for t in res["display"]]
        rows.append(row)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.drop(columns=[c for c in ("top10", "top10_display", "npmi_per_topic", "variant_reason") if c in table]).to_string(index=False))
    dump(args.out, {"documents": len(ids), "reference": str(reference), "evaluator": str(TOPIC_EVAL),
                    "stages": costs, "results": rows, "command": " ".join(sys.argv)})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
