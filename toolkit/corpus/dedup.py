"""Exact and near-duplicate detection for news documents.

The same agency dispatch (AFP) appears in ten outlets, feeds repeat items, and exports overlap.
:class:`Deduplicator` finds duplicates by text (the title is ignored, so a re-titled copy is
still a duplicate), groups them, keeps one document per group and says which and why.

* ``exact``: a hash of the normalised text (case-folded words, punctuation and spacing ignored).
* ``near``: MinHash signatures of word 5-gram shingles and locality-sensitive hashing (banding
  parameters chosen as datasketch's ``MinHashLSH`` does); a candidate pair is a duplicate when its similarity
  ``max(Jaccard, containment)`` is at least ``threshold``. Containment (the share of the smaller
  document's shingles found in the larger one, estimated from the Jaccard estimate and the two
  set sizes) catches truncated copies, which plain Jaccard misses.

Memory holds signatures and ids, never texts: about ``4 * num_perm`` bytes per document for
``near`` and 16 bytes for ``exact``, plus ids, dates and lengths in the two-pass modes.

Which document is kept (``keep``):

* ``first``: the first one read (one streaming pass; only kept documents are indexed).
* ``earliest``: the earliest date (undated last), then the longest, then the first read.
* ``longest``: the longest text, then the earliest, then the first read.

The two last need a first pass (:meth:`Deduplicator.fit`) over the same records, then
:meth:`Deduplicator.filter`; ``fnt ingest`` reads its inputs twice for that.

Examples
--------
>>> from toolkit.corpus.documents import Document, Record
>>> recs = [Record(document=Document(id=str(i), text=t)) for i, t in
...         enumerate(["Le chat dort.", "le chat  dort", "Autre chose."])]
>>> d = Deduplicator(method="exact")
>>> [r.document.id if r.ok else r.bad.reason for r in d.filter(recs)]
['0', 'duplicate_text', '2']
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import logging
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.corpus.documents import BadRecord, Record
from toolkit.errors import ConfigError, InputError

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
#: At most this many groups are listed in the manifest (all are in the duplicates table).
MAX_LISTED_GROUPS = 200
TABLE_COLUMNS = ("group", "doc_id", "kept", "kept_id", "reason", "similarity", "date",
                 "length", "path", "line", "method")  # fmt: skip


def text_words(text: str) -> list[str]:
    """Case-folded words of ``text`` (punctuation, spacing and case ignored)."""
    return _WORD.findall(text.casefold())


def exact_key(text: str) -> bytes:
    """16-byte digest of the normalised text."""
    return hashlib.blake2b(" ".join(text_words(text)).encode("utf-8"), digest_size=16).digest()


class _WordHashes(dict):
    """word -> 64-bit hash (CRC-32 and Adler-32 of its UTF-8 bytes), computed on first use."""

    def __missing__(self, word: str) -> int:
        b = word.encode("utf-8")
        h = (zlib.crc32(b) << 32) | zlib.adler32(b)
        self[word] = h
        return h


class MinHasher:
    """MinHash signatures of word shingles, vectorised with numpy.

    Parameters
    ----------
    num_perm : int
        Signature length (hash functions).
    shingle : int
        Words per shingle.
    random_state : int
        Seed of the hash functions.
    """

    def __init__(self, num_perm: int = 128, shingle: int = 5, random_state: int = 0) -> None:
        self.num_perm = num_perm
        self.shingle = shingle
        self.random_state = random_state
        rng = np.random.default_rng(random_state)
        self._a = (rng.integers(0, 1 << 63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1))[:, None]
        self._b = rng.integers(0, 1 << 63, size=num_perm, dtype=np.uint64)[:, None]
        self._mix = rng.integers(1, 1 << 63, size=shingle, dtype=np.uint64) | np.uint64(1)
        self._cache: dict[str, int] = _WordHashes()

    def _word_hashes(self, words: list[str]) -> np.ndarray:
        if len(self._cache) > 2_000_000:
            self._cache.clear()
        return np.fromiter(map(self._cache.__getitem__, words), dtype=np.uint64, count=len(words))

    def shingle_hashes(self, text: str) -> np.ndarray:
        """Distinct 32-bit hashes of the text's word shingles, shape ``(n_shingles,)``."""
        words = text_words(text)
        if not words:
            return np.zeros(0, dtype=np.uint64)
        wh = self._word_hashes(words)
        k = min(self.shingle, len(wh))
        n = len(wh) - k + 1
        h = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(k):
                h = (h ^ wh[j : j + n]) * self._mix[j]
        return np.unique(h >> np.uint64(32))

    def signature(self, text: str) -> tuple[np.ndarray, int]:
        """The MinHash signature, shape ``(num_perm,)`` uint32, and the number of shingles."""
        sh = self.shingle_hashes(text)
        sig = np.full(self.num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for start in range(0, len(sh), 4096):
                chunk = sh[start : start + 4096][None, :]
                # multiply-shift hashing: the high 32 bits of a*h + b (mod 2**64)
                phv = self._a * chunk + self._b
                np.minimum(sig, phv.min(axis=1), out=sig)
        return (sig >> np.uint64(32)).astype(np.uint32), int(len(sh))


_WORKER_HASHER: MinHasher | None = None
#: Documents per batch sent to a worker process.
BATCH_SIZE = 256


def _sign_batch(params: tuple[int, int, int], texts: list[str]) -> list[tuple[np.ndarray, int]]:
    """Worker: signatures of a batch of texts (the hasher is built once per process)."""
    global _WORKER_HASHER
    h = _WORKER_HASHER
    if h is None or (h.num_perm, h.shingle, h.random_state) != params:
        h = _WORKER_HASHER = MinHasher(*params)
    return [h.signature(t) for t in texts]


@functools.lru_cache(maxsize=32)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """LSH ``(bands, rows)`` minimising false positives + false negatives around ``threshold``.

    The same criterion as datasketch's ``MinHashLSH`` (equal weights), computed with numpy.
    """
    best, best_err = (1, num_perm), float("inf")
    lo = np.linspace(0.0, threshold, 200)
    hi = np.linspace(threshold, 1.0, 200)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = np.trapezoid(1 - (1 - lo**r) ** b, lo)
            fn = np.trapezoid((1 - hi**r) ** b, hi)
            if fp + fn < best_err:
                best, best_err = (b, r), fp + fn
    return best


def similarity(sig_a: np.ndarray, n_a: int, sig_b: np.ndarray, n_b: int) -> tuple[float, float]:
    """Estimated ``(jaccard, containment)`` of two shingle sets from their signatures."""
    j = float(np.mean(sig_a == sig_b))
    small = min(n_a, n_b)
    if small == 0:
        return j, j
    inter = j * (n_a + n_b) / (1.0 + j)
    return j, min(1.0, inter / small)


@dataclass(slots=True)
class _Item:
    doc_id: str
    date: str | None
    length: int
    path: str
    line: int | None


class Deduplicator:
    """Find, group and remove duplicate documents in a stream of records.

    Parameters
    ----------
    method : {"exact", "near"}
    threshold : float
        ``near`` only: minimum similarity ``max(Jaccard, containment)`` of a duplicate pair.
    keep : {"first", "earliest", "longest"}
        Which document of a group is kept (see the module docstring).
    num_perm : int
        ``near`` only: MinHash signature length.
    shingle : int
        ``near`` only: words per shingle.
    candidate_threshold : float
        ``near`` only: Jaccard level the LSH bands are tuned for (lower finds more candidate
        pairs, including truncated copies, at some cost).
    min_containment_shingles : int
        ``near`` only: containment is used only when the smaller text has at least this many
        shingles (a one-line text is contained in many articles).
    random_state : int
        Seed of the MinHash functions.
    n_jobs : int, optional
        ``near`` only: processes computing signatures (default: the CPU count, at most 4);
        results do not depend on it. Small inputs (one batch) never start processes.

    Attributes
    ----------
    groups_ : list of dict
        One per group: kept id, reason (the criterion that decided: ``earliest``, ``longest``,
        ``dated`` when the others have no date, ``first read`` on a full tie, or ``first`` in
        streaming mode), duplicate ids and similarities.
    edges_ : list of (str, str, float)
        Every duplicate pair found ``(earlier id, later id, similarity)``; groups are the
        connected components of these pairs (so a chain A~B~C is one group).
    n_seen_ : int
        Documents examined.
    """

    def __init__(
        self,
        method: str = "exact",
        threshold: float = 0.8,
        keep: str = "first",
        num_perm: int = 128,
        shingle: int = 5,
        candidate_threshold: float = 0.25,
        min_containment_shingles: int = 15,
        random_state: int = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.method = method
        self.threshold = threshold
        self.keep = keep
        self.num_perm = num_perm
        self.shingle = shingle
        self.candidate_threshold = candidate_threshold
        self.min_containment_shingles = min_containment_shingles
        self.random_state = random_state
        self.n_jobs = n_jobs
        if method not in ("exact", "near"):
            raise ConfigError(f"unknown dedup method {method!r}; choose exact or near")
        if keep not in ("first", "earliest", "longest"):
            raise ConfigError(f"unknown keep rule {keep!r}; choose first, earliest or longest")
        if not 0.0 < threshold <= 1.0:
            raise ConfigError(f"dedup threshold must be in (0, 1], got {threshold}")
        self._reset()

    # ------------------------------------------------------------------ internals
    def _reset(self) -> None:
        self.n_seen_ = 0
        self.groups_: list[dict[str, Any]] = []
        self.edges_: list[tuple[str, str, float]] = []
        self._rows: list[dict[str, Any]] = []
        self._plan: dict[int, tuple[int, float]] | None = None  # seq -> (winner seq, sim)
        self._plan_ids: list[str] | None = None
        self._hasher = MinHasher(self.num_perm, self.shingle, self.random_state) if self.method == "near" else None
        if self.method == "near":
            self.bands_, self.rows_ = lsh_params(self.candidate_threshold, self.num_perm)
        self._keys: dict[bytes, int] = {}
        self._tables: list[dict[bytes, list[int]]] = []
        self._sigs: dict[int, tuple[np.ndarray, int]] = {}

    def _with_fingerprints(self, records: Iterable[Record]) -> Iterator[tuple[Record, Any]]:
        """Yield ``(record, fingerprint or None)`` in input order.

        ``near`` signatures are computed in worker processes, a bounded number of batches
        ahead (texts are not kept once sent), when there is more than one batch.
        """
        if self.method == "exact":
            for rec in records:
                yield rec, (exact_key(rec.document.text) if rec.document is not None else None)
            return
        import os
        from collections import deque

        n_jobs = self.n_jobs or min(4, os.cpu_count() or 1)
        params = (self.num_perm, self.shingle, self.random_state)
        executor = None
        pending: deque = deque()

        def flush_one():
            batch, fut = pending.popleft()
            fps = iter(fut.result() if hasattr(fut, "result") else fut)
            for rec in batch:
                yield rec, (next(fps) if rec.document is not None else None)

        try:
            batch: list[Record] = []
            texts: list[str] = []
            n_batches = 0
            for rec in records:
                if rec.document is not None:
                    texts.append(rec.document.text)
                batch.append(rec)
                if len(texts) >= BATCH_SIZE:
                    n_batches += 1
                    if n_batches == 1 or n_jobs == 1:
                        pending.append((batch, _sign_batch(params, texts)))
                    else:
                        if executor is None:
                            import multiprocessing
                            from concurrent.futures import ProcessPoolExecutor

                            executor = ProcessPoolExecutor(
                                n_jobs, mp_context=multiprocessing.get_context("spawn")
                            )
                        pending.append((batch, executor.submit(_sign_batch, params, texts)))
                    batch, texts = [], []
                    while len(pending) > 2 * n_jobs or (pending and not hasattr(pending[0][1], "result")):
                        yield from flush_one()
            if batch:
                pending.append((batch, _sign_batch(params, texts) if texts else []))
            while pending:
                yield from flush_one()
        finally:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)

    def _index(self, seq: int, fp: Any) -> None:
        if self.method == "exact":
            self._keys.setdefault(fp, seq)
            return
        sig, n = fp
        self._sigs[seq] = (sig, n)
        if not self._tables:
            self._tables = [defaultdict(list) for _ in range(self.bands_)]
        for band in range(self.bands_):
            key = sig[band * self.rows_ : (band + 1) * self.rows_].tobytes()
            self._tables[band][key].append(seq)

    def _matches(self, fp: Any) -> list[tuple[int, float]]:
        """Indexed documents that duplicate ``fp``, with their similarity, best first."""
        if self.method == "exact":
            seq = self._keys.get(fp)
            return [] if seq is None else [(seq, 1.0)]
        sig, n = fp
        if not self._tables:
            return []
        cands: set[int] = set()
        for band in range(self.bands_):
            key = sig[band * self.rows_ : (band + 1) * self.rows_].tobytes()
            hit = self._tables[band].get(key)
            if hit:
                cands.update(hit)
        out = []
        for c in cands:
            sig_c, n_c = self._sigs[c]
            j, cont = similarity(sig, n, sig_c, n_c)
            score = j
            if min(n, n_c) >= self.min_containment_shingles:
                score = max(j, cont)
            if score >= self.threshold:
                out.append((c, round(score, 4)))
        out.sort(key=lambda t: (-t[1], t[0]))
        return out

    # ------------------------------------------------------------------ public API
    def fit(self, records: Iterable[Record]) -> Deduplicator:
        """First pass (``keep="earliest"`` or ``"longest"``): group every document.

        Reads the records once, storing signatures, ids, dates and lengths; the groups are
        applied by :meth:`filter` on a second pass over the same records.
        """
        self._reset()
        items: list[_Item] = []
        parent: list[int] = []

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        fps: dict[int, Any] = {}
        for rec, fp in self._with_fingerprints(records):
            doc = rec.document
            if doc is None:
                continue
            seq = len(items)
            items.append(_Item(doc.id, doc.date, len(doc.text), rec.path, rec.line))
            parent.append(seq)
            for other, sim in self._matches(fp):
                self.edges_.append((items[other].doc_id, doc.id, sim))
                ra, rb = find(seq), find(other)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
            self._index(seq, fp)
            if self.method == "near":
                fps[seq] = fp
        members: dict[int, list[int]] = defaultdict(list)
        for seq in range(len(items)):
            members[find(seq)].append(seq)

        def rank(seq: int) -> tuple:
            it = items[seq]
            undated = it.date is None
            if self.keep == "earliest":
                return (undated, it.date or "", -it.length, seq)
            return (-it.length, undated, it.date or "", seq)

        plan: dict[int, tuple[int, float]] = {}
        for root in sorted(members):
            group = members[root]
            if len(group) < 2:
                continue
            ranked = sorted(group, key=rank)
            winner = ranked[0]
            why = self._why(rank(winner), rank(ranked[1]))
            for seq in group:
                if seq == winner:
                    continue
                sim = 1.0
                if self.method == "near":
                    (sa, na), (sb, nb) = fps[seq], fps[winner]
                    j, cont = similarity(sa, na, sb, nb)
                    sim = round(max(j, cont) if min(na, nb) >= self.min_containment_shingles else j, 4)
                plan[seq] = (winner, sim)
            self._add_group(winner, [(s, plan[s][1]) for s in group if s != winner], items, why)
        self._plan = plan
        self._plan_ids = [it.doc_id for it in items]
        self.n_planned_ = len(items)
        # the index is not needed any more
        self._tables, self._sigs, self._keys = [], {}, {}
        return self

    def _why(self, best: tuple, second: tuple) -> str:
        """Which criterion decided between the kept document and the runner-up."""
        names = (["dated", "earliest", "longest"] if self.keep == "earliest"
                 else ["longest", "dated", "earliest"])  # fmt: skip
        for name, a, b in zip(names, best, second, strict=False):
            if a != b:
                return name
        return "first read"

    def _add_group(self, winner: int, dups: list[tuple[int, float]], items: Any, reason: str) -> None:
        gid = len(self.groups_)
        w = items[winner]
        self.groups_.append({
            "group": gid, "kept": w.doc_id, "reason": reason,
            "duplicates": [items[s].doc_id for s, _ in dups],
            "similarity": [sim for _, sim in dups],
        })  # fmt: skip
        self._rows.append(self._row(gid, w, True, w.doc_id, reason, 1.0))
        for s, sim in dups:
            self._rows.append(self._row(gid, items[s], False, w.doc_id, reason, sim))

    def _row(self, gid: int, it: _Item, kept: bool, kept_id: str, reason: str, sim: float) -> dict[str, Any]:
        return {"group": gid, "doc_id": it.doc_id, "kept": kept, "kept_id": kept_id,
                "reason": reason, "similarity": sim, "date": it.date, "length": it.length,
                "path": it.path, "line": it.line, "method": self.method}  # fmt: skip

    def filter(self, records: Iterable[Record]) -> Iterator[Record]:
        """Yield records with duplicates replaced by BadRecords of reason ``duplicate_text``.

        With ``keep="first"`` this is the only pass; otherwise :meth:`fit` must have run on
        the same records first.
        """
        if self.keep != "first" and self._plan is None:
            raise ConfigError(f"keep={self.keep!r} needs a first pass: call fit(records) before filter")
        if self.keep == "first":
            self._reset()
        groups_by_kept: dict[int, int] = {}
        items: dict[int, _Item] = {}
        seq = -1
        stream = ((r, None) for r in records) if self._plan is not None else self._with_fingerprints(records)
        for rec, fp in stream:
            doc = rec.document
            if doc is None:
                yield rec
                continue
            seq += 1
            self.n_seen_ = seq + 1
            if self._plan is not None:
                assert self._plan_ids is not None
                if seq >= len(self._plan_ids) or self._plan_ids[seq] != doc.id:
                    raise InputError("the inputs changed between the two reading passes of "
                                     "deduplication; rerun", path=rec.path, line=rec.line)  # fmt: skip
                hit = self._plan.get(seq)
                if hit is None:
                    yield rec
                    continue
                winner, sim = hit
                kept_id = self._plan_ids[winner]
            else:
                matches = self._matches(fp)
                if not matches:
                    self._index(seq, fp)
                    items[seq] = _Item(doc.id, doc.date, len(doc.text), rec.path, rec.line)
                    yield rec
                    continue
                winner, sim = matches[0]
                kept_id = items[winner].doc_id
                self.edges_.append((kept_id, doc.id, sim))
                gid = groups_by_kept.get(winner)
                if gid is None:
                    gid = groups_by_kept[winner] = len(self.groups_)
                    self.groups_.append({"group": gid, "kept": kept_id, "reason": "first",
                                         "duplicates": [], "similarity": []})  # fmt: skip
                    self._rows.append(self._row(gid, items[winner], True, kept_id, "first", 1.0))
                g = self.groups_[gid]
                g["duplicates"].append(doc.id)
                g["similarity"].append(sim)
                self._rows.append(self._row(gid, _Item(doc.id, doc.date, len(doc.text), rec.path, rec.line),
                                            False, kept_id, "first", sim))  # fmt: skip
            yield Record(
                bad=BadRecord(rec.path, rec.line, "duplicate_text",
                              f"duplicate of {kept_id!r} (similarity {sim:.2f}, kept: {self.keep})",
                              doc.id),  # fmt: skip
                path=rec.path,
                line=rec.line,
            )
        if self._plan is not None and seq + 1 != len(self._plan_ids or []):
            raise InputError("the inputs changed between the two reading passes of deduplication; rerun")

    @property
    def n_duplicates_(self) -> int:
        return sum(len(g["duplicates"]) for g in self.groups_)

    def report(self) -> dict[str, Any]:
        """Settings and counts for the manifest (the first groups listed, all in the table)."""
        out: dict[str, Any] = {
            "method": self.method,
            "keep": self.keep,
            "documents_seen": self.n_seen_,
            "groups": len(self.groups_),
            "documents_removed": self.n_duplicates_,
            "groups_listed": self.groups_[:MAX_LISTED_GROUPS],
        }
        if self.method == "near":
            out.update(threshold=self.threshold, num_perm=self.num_perm, shingle=self.shingle,
                       lsh_bands=self.bands_, lsh_rows=self.rows_,
                       candidate_threshold=self.candidate_threshold,
                       random_state=self.random_state)  # fmt: skip
        return out

    def table_rows(self) -> list[dict[str, Any]]:
        """One row per document in a group (kept ones included), columns :data:`TABLE_COLUMNS`."""
        return sorted(self._rows, key=lambda r: (r["group"], not r["kept"]))

    def write_table(self, path: str | Path) -> Path:
        """Write the duplicate groups as CSV (atomically)."""
        from toolkit.runtime import atomic_write_text

        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=TABLE_COLUMNS, lineterminator="\n")
        w.writeheader()
        for row in self.table_rows():
            w.writerow(row)
        return atomic_write_text(path, buf.getvalue())


# --------------------------------------------------------------------------- evaluation

#: Kinds of modified copies planted by :func:`plant_duplicates`.
PLANT_KINDS = ("truncated", "retitled", "reordered", "agency", "agency_truncated")


def _split_paragraphs(text: str) -> list[str]:
    paras = [p for p in re.split(r"\n+", text) if p.strip()]
    if len(paras) >= 3:
        return paras
    return [s for s in re.split(r"(?<=[.!?»])\s+", text) if s.strip()]


def modify_text(text: str, title: str | None, kind: str, rng: np.random.Generator) -> tuple[str, str | None]:
    """A modified copy of a document, as an outlet republishing it would make.

    ``truncated`` keeps the first 50–90 % of the paragraphs (at least one); ``retitled`` changes
    the title and the first sentence's opening words; ``reordered`` shuffles the paragraphs (or
    sentences); ``agency`` adds an agency dateline and credit; ``agency_truncated`` both.
    """
    paras = _split_paragraphs(text)
    new_title = title
    if kind in ("truncated", "agency_truncated"):
        words = text.split()
        keep = max(20, int(len(words) * rng.uniform(0.5, 0.9)))
        cut = " ".join(words[:keep])
        # cut at the last paragraph or sentence end inside the kept words, as an editor would
        m = max(cut.rfind(". "), cut.rfind("\n"))
        text = cut[: m + 1] if m > len(cut) // 2 else cut
    if kind == "retitled":
        new_title = "Ce qu’il faut retenir : " + (title or "l’essentiel")
        text = "Selon nos informations, " + text[0].lower() + text[1:] if text else text
    if kind == "reordered":
        order = rng.permutation(len(paras))
        if len(paras) > 1 and (order == np.arange(len(paras))).all():
            order = np.roll(order, 1)
        sep = "\n" if "\n" in text else " "
        text = sep.join(paras[i] for i in order)
    if kind in ("agency", "agency_truncated"):
        city = ["PARIS", "LYON", "MARSEILLE", "BRUXELLES", "GENÈVE"][int(rng.integers(5))]
        text = f"{city} (AFP) — {text}\n(Avec AFP)"
    return text, new_title


def plant_duplicates(docs: list[dict[str, Any]], n: int, random_state: int = 0,
                     kinds: tuple[str, ...] = PLANT_KINDS) -> list[dict[str, Any]]:  # fmt: skip
    """Modified copies of ``n`` randomly chosen documents (dicts with id, title, text, date).

    Each copy has id ``planted-<kind>-<original id>``, a date one to three days later, and
    ``meta.planted_from`` naming its original: the ground truth of a near-duplicate test set.
    """
    rng = np.random.default_rng(random_state)
    picks = rng.choice(len(docs), size=min(n, len(docs)), replace=False)
    out = []
    for j, i in enumerate(picks):
        d = docs[int(i)]
        kind = kinds[j % len(kinds)]
        text, title = modify_text(d["text"], d.get("title"), kind, rng)
        date = d.get("date")
        if date:
            import datetime as _dt

            day = _dt.date.fromisoformat(date[:10]) + _dt.timedelta(days=int(rng.integers(1, 4)))
            date = day.isoformat()
        out.append({"id": f"planted-{kind}-{d['id']}", "title": title, "text": text, "date": date,
                    "source": "planted", "meta": {"planted_from": d["id"], "kind": kind}})  # fmt: skip
    return out
