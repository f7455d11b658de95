"""Build the fast entity model ``toolkit/data/fast_entities.json.gz`` from IOB entity gold.

Gold: the Europeana Newspapers French NER corpus (BnF, OCR'd newspapers 1870–1939, licence
CC0; ``enp_FR.bnf.bio`` in github.com/EuropeanaNewspapers/ner-corpora). It is not shipped;
pass its path. The file is cut into documents of about 500 tokens
(:func:`toolkit.annotation.entity_eval.read_iob`) and only the ``train`` split of
:func:`~toolkit.annotation.entity_eval.split_of` (60 %: blocks of four documents, three blocks
in five) is learned from; ``dev`` chose the settings and ``test`` is held out for
``benchmarks/annotation_entities.py``.

Each training document's rebuilt text goes through the toolkit exactly as at annotation time
(tokeniser, sentences, fast UPOS), and each word takes the gold type of the gold token its
surface token starts in. An averaged perceptron (IO tags O / PER / LOC / ORG, greedy left to
right) learns from features that each depend on one word type at one offset
(:func:`toolkit.annotation.features.entity_offset_features`: form, suffixes, shape,
capitalisation, lexicon class, gazetteer cue), the fast tagger's UPOS at -1, 0, +1, and the two
previous entity tags, so that the tagger scores batches with cached per-type tables.

Deterministic: fixed shuffling seed, sorted keys, gzip mtime 0.

Usage::

    .venv/bin/python tools/build_fast_entities.py --gold /tmp/enp_FR.bnf.bio
    .venv/bin/python tools/build_fast_entities.py --gold /tmp/enp_FR.bnf.bio --evaluate dev
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import logging
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from build_fast_tagger import _Perceptron, compact_weights, write_artifact  # noqa: E402

from toolkit.annotation.corrections import entity_cue  # noqa: E402
from toolkit.annotation.entity_eval import (  # noqa: E402
    project,
    read_iob,
    rebuild_text,
    score_entities,
    spans_of,
    split_of,
)
from toolkit.annotation.features import (  # noqa: E402
    BOS,
    ENTITY_ARTIFACT_VERSION,
    ENTITY_TAGSET,
    EOS,
    OFFSETS,
    UPOS_OFFSETS,
    entity_offset_features,
)

log = logging.getLogger("build_fast_entities")
DEFAULT_OUT = ROOT / "toolkit" / "data" / "fast_entities.json.gz"


def prepare(gold_docs, tagger):
    """Per document: ``(sentences, word char spans, gold doc)``, each sentence a list of
    ``(word, upos, gold tag index)``, tagged by the fast tagger as at annotation time."""
    from toolkit.annotation.annotate import annotate_documents

    tag_index = {t: i for i, t in enumerate(ENTITY_TAGSET)}
    texts = {}
    offsets = {}
    for d in gold_docs:
        texts[d.doc_id], offsets[d.doc_id] = rebuild_text(d.tokens)
    by_id = {d.doc_id: d for d in gold_docs}
    out = {d.doc_id: ([], []) for d in gold_docs}
    for doc in annotate_documents(list(texts.items()), tagger):
        if doc.error:
            raise RuntimeError(f"{doc.doc_id}: {doc.error}")
        gold = by_id[doc.doc_id]
        offs = offsets[doc.doc_id]
        starts = [s for s, _ in offs]
        toks = doc.tokens
        sents, spans = out[doc.doc_id]
        k = 0
        for sent in doc.sentences:
            n = sum(len(t.words) for t in sent.tokens)
            rows = []
            for i in range(k, k + n):
                tok = toks[doc.word_token[i]]
                g = bisect.bisect_right(starts, tok.start) - 1
                etype = gold.types[g] if g >= 0 and tok.start < offs[g][1] else ""
                rows.append((doc.norm[i], doc.upos[i], tag_index.get(etype, 0)))
                spans.append((tok.start, tok.end))
            sents.append(rows)
            k += n
    return [(out[d.doc_id][0], out[d.doc_id][1], d) for d in gold_docs]


def sentence_features(words, upos, lexicon):
    """Static feature lists of each word of a sentence (offsets and UPOS)."""
    ambs = lexicon.tags_many(words)
    padded = [BOS, BOS, *words, EOS, EOS]
    pad_amb = ["none", "none", *ambs, "none", "none"]
    per_type = [entity_offset_features(w, a, entity_cue(w) if w not in (BOS, EOS) else "")
                for w, a in zip(padded, pad_amb, strict=True)]
    out = []
    n = len(words)
    for i in range(n):
        feats = []
        for k, o in enumerate(OFFSETS):
            feats += per_type[i + 2 + o][k]
        for o in UPOS_OFFSETS:
            j = i + o
            feats.append(f"u{o}={upos[j] if 0 <= j < n else BOS}")
        out.append(feats)
    return out


def dynamic(prev2: str, prev: str) -> list[str]:
    return [f"t1={prev}", f"t2={prev2}|{prev}"]


def train(docs, n_iter: int, seed: int, lexicon):
    model = _Perceptron(len(ENTITY_TAGSET))
    prepared = []
    for sents, _, _ in docs:
        for rows in sents:
            words = [r[0] for r in rows]
            upos = [r[1] for r in rows]
            prepared.append((sentence_features(words, upos, lexicon), [r[2] for r in rows]))
    order = list(range(len(prepared)))
    rng = random.Random(seed)
    for it in range(n_iter):
        rng.shuffle(order)
        correct = total = 0
        for si in order:
            static, gold = prepared[si]
            prev2, prev = BOS, BOS
            for i, feats in enumerate(static):
                ids = model.ids(feats + dynamic(prev2, prev), grow=True)
                guess = int(np.argmax(model.W[ids].sum(axis=0)))
                model.update(ids, gold[i], guess)
                correct += guess == gold[i]
                total += 1
                prev2, prev = prev, ENTITY_TAGSET[guess]
        log.info("iteration %d: train accuracy %.4f", it + 1, correct / total)
    return model.feat_ids, model.averaged()


def predict(feat_ids, weights, words, upos, lexicon) -> list[str]:
    out = []
    prev2, prev = BOS, BOS
    for feats in sentence_features(words, upos, lexicon):
        ids = [feat_ids[f] for f in feats + dynamic(prev2, prev) if f in feat_ids]
        tag = ENTITY_TAGSET[int(np.argmax(weights[ids].sum(axis=0)))] if ids else "O"
        out.append(tag)
        prev2, prev = prev, tag
    return out


def evaluate(docs, feat_ids, weights, lexicon) -> dict:
    """Scores of the learned model (pure-Python decoding) with the benchmark's metric."""
    gold_spans, sys_spans = [], []
    for sents, wspans, gold in docs:
        tags = []
        for rows in sents:
            tags += predict(feat_ids, weights, [r[0] for r in rows], [r[1] for r in rows],
                            lexicon)
        char_spans = []
        i = 0
        while i < len(tags):
            if tags[i] == "O":
                i += 1
                continue
            j = i
            while j + 1 < len(tags) and tags[j + 1] == tags[i]:
                j += 1
            char_spans.append((wspans[i][0], wspans[j][1], tags[i]))
            i = j + 1
        sys_spans.append(spans_of(project(char_spans, rebuild_text(gold.tokens)[1])))
        gold_spans.append(gold.spans)
    return score_entities(gold_spans, sys_spans)


def main(argv: list[str] | None = None) -> int:
    from toolkit.annotation.lexicon import LEXICON_PATH, Lexicon
    from toolkit.annotation.taggers import FastTagger

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, required=True, help="enp_FR.bnf.bio (IOB, CC0)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threshold", type=float, default=0.05)
    ap.add_argument("--evaluate", choices=("dev", "test"),
                    help="also score the model on this split (pure-Python decoding)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.gold.is_file():
        log.error("gold file not found: %s", args.gold)
        return 1
    gold = read_iob(args.gold)
    train_docs = [d for i, d in enumerate(gold) if split_of(i) == "train"]
    lexicon = Lexicon(LEXICON_PATH)
    tagger = FastTagger(lexicon=lexicon, entity_artifact=None)  # UPOS only
    docs = prepare(train_docs, tagger)
    log.info("training on %d documents, %d sentences", len(docs), sum(len(s) for s, _, _ in docs))
    feat_ids, weights = train(docs, args.iterations, args.seed, lexicon)
    if args.evaluate:
        held = [d for i, d in enumerate(gold) if split_of(i) == args.evaluate]
        scores = evaluate(prepare(held, tagger), feat_ids, weights, lexicon)
        log.info("%s: %s", args.evaluate, json.dumps(
            {k: v["f1"] if "f1" in v else v for k, v in scores.items()}))
        log.info("%s overall: %s", args.evaluate, scores["overall"])
    compact = compact_weights(feat_ids, weights, args.threshold)
    artifact = {
        "version": ENTITY_ARTIFACT_VERSION,
        "source": f"{args.gold.name} sha256:"
                  f"{hashlib.sha256(args.gold.read_bytes()).hexdigest()[:16]} split=train",
        "iterations": args.iterations,
        "seed": args.seed,
        "tagset": list(ENTITY_TAGSET),
        "weights": compact,
    }
    write_artifact(artifact, args.out)
    log.info("wrote %s (%d features, %.1f kB)", args.out, len(compact),
             args.out.stat().st_size / 1024)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
