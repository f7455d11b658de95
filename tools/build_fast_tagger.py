"""Build the ``fast`` tagger artifact (``toolkit/data/fast_tagger.json.gz``).

The artifact holds, learned from UD French Sequoia **train only** (never dev, never GSD):

* a lemma/feature lexicon: ``(lowercased form, UPOS) -> most frequent lemma`` and the most
  frequent FEATS, plus ``form -> most frequent UPOS`` counts;
* two averaged-perceptron UPOS models, one reading left to right and one right to left
  (accurate mode votes with both and spaCy), whose features are *decomposable*: every static
  feature is a function of one word type at one relative offset (-2..+2) — its form,
  suffixes, prefixes, shape and its ambiguity class in the French lexicon
  ``toolkit/data/lexicon_fr.tsv.gz`` (``tools/build_lexicon.py``, from DELA) — so the tagger
  can score a whole batch with numpy from per-type cached vectors; the only dynamic features
  are the two previously predicted tags (greedy decoding, vectorised across sentences).

The output is deterministic (sorted keys, fixed seed for the shuffling, gzip mtime 0), so
re-running the script on the same treebank writes the same bytes.

Usage::

    .venv/bin/python tools/build_fast_tagger.py \
        --train ../shared/data/ud/UD_French-Sequoia/fr_sequoia-ud-train.conllu
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import os
import random
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.annotation.features import (  # noqa: E402
    ARTIFACT_VERSION,
    FAST_TAGSET,
    dynamic_features,
    static_features,
)
from toolkit.annotation.lexicon import LEXICON_PATH, Lexicon  # noqa: E402

log = logging.getLogger("build_fast_tagger")

DEFAULT_TRAIN = ROOT.parent / "shared" / "data" / "ud" / "UD_French-Sequoia" / (
    "fr_sequoia-ud-train.conllu"
)
DEFAULT_OUT = ROOT / "toolkit" / "data" / "fast_tagger.json.gz"


def read_conllu_words(path: Path) -> list[list[tuple[str, str, str, str]]]:
    """Read syntactic words ``(form, lemma, upos, feats)`` per sentence (ranges skipped)."""
    from toolkit.annotation.conllu import read_conllu

    return [
        [(row[1].replace("\u2019", "'"), row[2], row[3], row[5]) for row in sent.words()]
        for sent in read_conllu(path)
    ]


def build_lexicon(sents):
    lemmas: dict[str, Counter] = defaultdict(Counter)
    feats: dict[str, Counter] = defaultdict(Counter)
    tags: dict[str, Counter] = defaultdict(Counter)
    for sent in sents:
        for form, lemma, upos, fts in sent:
            key = f"{form.lower()}\t{upos}"
            lemmas[key][lemma] += 1
            feats[key][fts] += 1
            tags[form.lower()][upos] += 1

    def top(counter: Counter) -> str:
        # most frequent, ties broken alphabetically: deterministic
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    lemma_lex = {k: top(v) for k, v in sorted(lemmas.items())}
    feats_lex = {k: top(v) for k, v in sorted(feats.items())}
    tag_lex = {k: {t: n for t, n in sorted(v.items())} for k, v in sorted(tags.items())}
    return lemma_lex, feats_lex, tag_lex


class _Perceptron:
    """Averaged perceptron over integer feature ids (training only)."""

    def __init__(self, n_tags: int) -> None:
        self.n_tags = n_tags
        self.feat_ids: dict[str, int] = {}
        self.W = np.zeros((1024, n_tags))
        self.U = np.zeros((1024, n_tags))
        self.c = 1

    def ids(self, feats: list[str], grow: bool) -> np.ndarray:
        out = []
        for f in feats:
            i = self.feat_ids.get(f)
            if i is None:
                if not grow:
                    continue
                i = len(self.feat_ids)
                self.feat_ids[f] = i
                if i >= self.W.shape[0]:
                    self.W = np.vstack([self.W, np.zeros_like(self.W)])
                    self.U = np.vstack([self.U, np.zeros_like(self.U)])
            out.append(i)
        return np.unique(np.asarray(out, dtype=np.int64))

    def update(self, ids: np.ndarray, gold: int, guess: int) -> None:
        if gold != guess:
            self.W[ids, gold] += 1.0
            self.W[ids, guess] -= 1.0
            self.U[ids, gold] += self.c
            self.U[ids, guess] -= self.c
        self.c += 1

    def averaged(self) -> np.ndarray:
        n = len(self.feat_ids)
        return self.W[:n] - self.U[:n] / self.c


def train_tagger(sents, n_iter: int, seed: int, lexicon: Lexicon, reverse: bool = False):
    """Train one direction (``reverse``: right to left) and return its averaged weights."""
    tag_index = {t: i for i, t in enumerate(FAST_TAGSET)}
    model = _Perceptron(len(FAST_TAGSET))
    # static features per sentence are fixed: compute once
    prepared = []
    for sent in sents:
        if reverse:
            sent = sent[::-1]
        words = [w[0] for w in sent]
        ambs = [lexicon.tags(w) for w in words]
        gold = [tag_index.get(w[2], tag_index["X"]) for w in sent]
        static = [static_features(words, i, ambs) for i in range(len(words))]
        prepared.append((static, gold))
    order = list(range(len(prepared)))
    rng = random.Random(seed)
    for it in range(n_iter):
        rng.shuffle(order)
        correct = total = 0
        for si in order:
            static, gold = prepared[si]
            prev2, prev = "<S>", "<S>"
            for i, feats in enumerate(static):
                ids = model.ids(feats + dynamic_features(prev2, prev), grow=True)
                scores = model.W[ids].sum(axis=0)
                guess = int(np.argmax(scores))
                model.update(ids, gold[i], guess)
                correct += guess == gold[i]
                total += 1
                prev2, prev = prev, FAST_TAGSET[guess]
        log.info("%s iteration %d: train accuracy %.4f", "r2l" if reverse else "l2r", it + 1,
                 correct / total)
    weights = model.averaged()
    return model.feat_ids, weights


def compact_weights(feat_ids: dict[str, int], weights: np.ndarray, threshold: float):
    """Return ``{feature: [[tag_index, weight], ...]}`` keeping weights above ``threshold``."""
    out: dict[str, list[list[float]]] = {}
    for feat, i in sorted(feat_ids.items()):
        row = weights[i]
        kept = [[int(t), round(float(w), 3)] for t, w in enumerate(row) if abs(w) >= threshold]
        if kept:
            out[feat] = kept
    return out


def write_artifact(artifact: dict, out: Path) -> None:
    """Write ``artifact`` as gzipped canonical JSON (sorted keys, no gzip name or time), through a
    temporary file renamed at the end: the same input gives the same bytes."""
    payload = json.dumps(artifact, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9
    ) as gz:
        gz.write(payload.encode("utf-8"))
    os.chmod(tmp, 0o644)
    os.replace(tmp, out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, default=DEFAULT_TRAIN)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--iterations", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threshold", type=float, default=0.05)
    ap.add_argument("--lexicon", type=Path, default=LEXICON_PATH,
                    help="compiled lexicon (tools/build_lexicon.py)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.train.exists():
        log.error("training file not found: %s", args.train)
        return 1
    sents = read_conllu_words(args.train)
    log.info("read %d sentences from %s", len(sents), args.train)
    lemma_lex, feats_lex, tag_lex = build_lexicon(sents)
    lexicon = Lexicon(args.lexicon)
    feat_ids, weights = train_tagger(sents, args.iterations, args.seed, lexicon)
    compact = compact_weights(feat_ids, weights, args.threshold)
    feat_ids, weights = train_tagger(sents, args.iterations, args.seed, lexicon, reverse=True)
    compact_r2l = compact_weights(feat_ids, weights, args.threshold)
    train_hash = hashlib.sha256(args.train.read_bytes()).hexdigest()[:16]
    artifact = {
        "version": ARTIFACT_VERSION,
        "source": f"{args.train.name} sha256:{train_hash}",
        "iterations": args.iterations,
        "seed": args.seed,
        "tagset": list(FAST_TAGSET),
        "weights": compact,
        "weights_r2l": compact_r2l,
        "lexicon": f"{args.lexicon.name} sha256:"
                   f"{hashlib.sha256(args.lexicon.read_bytes()).hexdigest()[:16]}",
        "lemmas": lemma_lex,
        "feats": feats_lex,
        "tags": tag_lex,
    }
    write_artifact(artifact, args.out)
    log.info(
        "wrote %s (%d features, %d lexicon entries, %.1f kB)",
        args.out,
        len(compact) + len(compact_r2l),
        len(lemma_lex),
        args.out.stat().st_size / 1024,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
