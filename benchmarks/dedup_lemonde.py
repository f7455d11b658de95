"""Near-duplicate detection on Le Monde 2022 with planted modified copies.

Plants N modified copies (truncated, re-titled, paragraphs reordered, agency line added, agency
line + truncated) of randomly chosen Le Monde 2022 articles, deduplicates the whole corpus plus
the copies, and measures precision, recall and F1 of the planted pairs, side by side with two
baselines in the same run: exact-text hashing, and datasketch's own MinHash + MinHashLSH on the
same shingles with Jaccard only (no containment).

Precision counts every pair (planted copy, other document) put in one group; recall the share
of planted copies grouped with their original. Groups made only of real Le Monde articles
(natural near-duplicates: updated or republished articles) are counted and shown, not scored.

Usage::

    python benchmarks/dedup_lemonde.py [--planted 1000] [--threshold 0.8] [--sample N]
        [--no-baseline] [--ingest] [--json out.json]

``--ingest`` also times ``fnt ingest LEMONDE PLANTED --dedup near`` end to end (two reading
passes, Parquet writing). Le Monde text stays in a temporary directory.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "lemonde2022" / "lemonde_2022.jsonl.gz"


def load(path: Path, sample: int | None) -> list[dict]:
    docs = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("text", "").strip():
                docs.append(d)
            if sample and len(docs) >= sample:
                break
    return docs


def records(docs):
    from toolkit.corpus.documents import Document, Record

    for i, d in enumerate(docs):
        yield Record(document=Document(id=d["id"], text=d["text"], title=d.get("title"),
                                       date=d.get("date")), path="mem", line=i + 1)  # fmt: skip


def score(groups: list[list[str]], planted: list[dict], edges: list | None = None) -> dict:
    """Precision over duplicate pairs that involve a planted copy, recall over planted copies.

    A pair (copy, X) is correct when X is the copy's original or joins the original through
    pairs of real articles only (a natural near-duplicate of it). Without ``edges`` (a method
    that reports groups only), every pair inside a group is judged the same way.
    """
    truth = {p["id"]: p["meta"]["planted_from"] for p in planted}
    if edges is None:
        edges = [(g[0], x, 1.0) for g in groups for x in g[1:]]
    parent: dict[str, str] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in edges:  # natural components: real articles only
        if a not in truth and b not in truth:
            parent[find(a)] = find(b)
    group_of = {x: gi for gi, g in enumerate(groups) for x in g}
    correct = wrong = 0
    fp_examples = []
    for a, b, sim in edges:
        if a not in truth and b not in truth:
            continue
        ok = False
        for p_, x in ((a, b), (b, a)):
            if p_ in truth and (x == truth[p_] or find(x) == find(truth[p_]) or truth.get(x) == truth[p_]):
                ok = True
        if ok:
            correct += 1
        else:
            wrong += 1
            if len(fp_examples) < 5:
                fp_examples.append((a, b, sim))
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    found = 0
    missed = []
    for pid, orig in truth.items():
        kind = pid.split("-")[1]
        by_kind[kind][1] += 1
        if pid in group_of and group_of[pid] == group_of.get(orig):
            found += 1
            by_kind[kind][0] += 1
        elif len(missed) < 5:
            missed.append(pid)
    n = len(truth)
    precision = correct / (correct + wrong) if correct + wrong else 1.0
    recall = found / n if n else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    natural = sum(1 for g in groups if not any(x in truth for x in g))
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "correct_pairs": correct, "wrong_pairs": wrong, "found": found, "planted": n,
            "recall_by_kind": {k: round(v[0] / v[1], 3) for k, v in sorted(by_kind.items())},
            "natural_groups": natural, "fp_examples": fp_examples, "missed_examples": missed}  # fmt: skip


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the signature workers)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_toolkit(docs, method, threshold, keep="earliest"):
    from toolkit.corpus.dedup import Deduplicator

    c0 = cpu_seconds()
    t0 = time.perf_counter()
    d = Deduplicator(method=method, threshold=threshold, keep=keep)
    if keep != "first":
        d.fit(records(docs))
    kept = sum(1 for r in d.filter(records(docs)) if r.ok)
    seconds = time.perf_counter() - t0
    d.cpu_seconds_ = cpu_seconds() - c0
    groups = [[g["kept"], *g["duplicates"]] for g in d.groups_]
    return groups, seconds, kept, d


def run_datasketch(docs, threshold, num_perm=128):
    """Reference: datasketch MinHash (sha1 per shingle) + MinHashLSH, Jaccard only, keep first."""
    from datasketch import MinHash, MinHashLSH

    from toolkit.corpus.dedup import text_words

    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sigs = {}
    groups: dict[str, list[str]] = {}
    for i, d in enumerate(docs):
        w = text_words(d["text"])
        sh = {" ".join(w[j : j + 5]).encode() for j in range(max(1, len(w) - 4))}
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch(list(sh))
        best = None
        for key in lsh.query(m):
            j = m.jaccard(sigs[key])
            if j >= threshold and (best is None or j > best[1]):
                best = (key, j)
        if best is None:
            key = str(i)
            lsh.insert(key, m)
            sigs[key] = m
            groups[key] = [d["id"]]
        else:
            groups[best[0]].append(d["id"])
    seconds = time.perf_counter() - t0
    return [g for g in groups.values() if len(g) > 1], seconds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--planted", type=int, default=1000)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--sample", type=int, default=None, help="only the first N articles")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--ingest", action="store_true", help="also time fnt ingest --dedup near end to end")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"Le Monde 2022 not found at {args.data}", file=sys.stderr)
        return 2
    from toolkit.corpus.dedup import plant_duplicates

    t0 = time.perf_counter()
    docs = load(args.data, args.sample)
    planted = plant_duplicates(docs, args.planted, random_state=args.seed)
    # copies go after the originals, but in shuffled order among themselves
    corpus = docs + planted
    load_s = time.perf_counter() - t0
    print(f"{len(docs)} articles + {len(planted)} planted copies (loaded in {load_s:.1f} s); "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")  # fmt: skip
    results = {"articles": len(docs), "planted": len(planted), "threshold": args.threshold,
               "loadavg": round(os.getloadavg()[0], 2)}  # fmt: skip
    groups, secs, kept, dd = run_toolkit(corpus, "near", args.threshold)
    r = score(groups, planted, dd.edges_)
    r.update(seconds=round(secs, 1), cpu_seconds=round(dd.cpu_seconds_, 1), kept=kept, lsh=f"{dd.bands_}x{dd.rows_}")
    results["toolkit_near"] = r
    print(f"toolkit near (MinHash+LSH, max(Jaccard, containment) >= {args.threshold}, keep earliest): "
          f"P={r['precision']:.4f} R={r['recall']:.4f} F1={r['f1']:.4f} in {secs:.1f} s wall, {r['cpu_seconds']} s CPU; "
          f"by kind {r['recall_by_kind']}; natural groups {r['natural_groups']}")  # fmt: skip
    if r["fp_examples"]:
        print("  false-positive pairs:", r["fp_examples"])
    if r["missed_examples"]:
        print("  missed copies:", r["missed_examples"])
    groups, secs, kept, de = run_toolkit(corpus, "exact", 1.0)
    r = score(groups, planted, de.edges_)
    r.update(seconds=round(secs, 1), kept=kept)
    results["toolkit_exact"] = r
    print(f"exact hash (baseline): P={r['precision']:.4f} R={r['recall']:.4f} F1={r['f1']:.4f} in {secs:.1f} s; "
          f"by kind {r['recall_by_kind']}")  # fmt: skip
    if not args.no_baseline:
        groups, secs = run_datasketch(corpus, args.threshold)
        r = score(groups, planted)
        r.update(seconds=round(secs, 1))
        results["datasketch_jaccard"] = r
        print(f"datasketch MinHashLSH, Jaccard >= {args.threshold} (baseline): P={r['precision']:.4f} "
              f"R={r['recall']:.4f} F1={r['f1']:.4f} in {secs:.1f} s; by kind {r['recall_by_kind']}")  # fmt: skip
    if args.ingest:
        from toolkit.corpus.ingest import ingest

        with tempfile.TemporaryDirectory() as tmp:
            pp = Path(tmp) / "planted.jsonl"
            pp.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in planted), encoding="utf-8")
            t0 = time.perf_counter()
            m = ingest([args.data, pp], Path(tmp) / "c", dedup="near", dedup_threshold=args.threshold,
                       progress=False, clean=None)  # fmt: skip
            secs = time.perf_counter() - t0
            results["ingest_near"] = {"seconds": round(secs, 1), "documents": m["documents"],
                                      "removed": m["duplicates"]["documents_removed"],
                                      "peak_memory_mb": m["peak_memory_mb"]}  # fmt: skip
            print(f"fnt ingest LEMONDE PLANTED --dedup near (read twice, write Parquet): {secs:.1f} s, "
                  f"{m['documents']} kept, {m['duplicates']['documents_removed']} removed, "
                  f"peak {m['peak_memory_mb']} MiB")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
