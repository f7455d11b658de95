"""Vocabulary and bag of words, partition by partition (here or on a cluster).

Three partitioned passes over the token table, each task reading only its partition:

1. **phrase counts**: each partition's unigram and bigram counts (gensim ``Phrases``'s own
   counting); the client sums them and freezes one phrase model — the same model as one
   ``Phrases`` pass over the whole corpus;
2. **document frequencies**: each partition's final tokens per document (steps of
   :mod:`toolkit.vocabulary` plus the phrase model), spilled to a file beside the output, and
   its document and collection frequencies with the order in which new words appear; the
   client sums them into one gensim ``Dictionary`` (ids in the order gensim's
   ``doc2bow(allow_update=True)`` gives over the whole corpus), then ``filter_extremes``;
3. **bag of words**: each partition's rows of the document–term matrix over that dictionary,
   written as ``bow/parts/part-NNNNN.npz``.

Memory on the client holds the phrase counts, the dictionary and the document ids, not the
documents; the result equals :func:`toolkit.vocabulary.bow_from_token_lists` over a
:class:`~toolkit.vocabulary.TokenStream` (same dictionary, same matrix rows, same dropped
documents).
"""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toolkit.vocabulary.bow import kept_display, vocabulary_stats
from toolkit.vocabulary.config import CONNECTOR_WORDS
from toolkit.vocabulary.display import SurfaceCounter
from toolkit.vocabulary.steps import final_tokens_with_surfaces

log = logging.getLogger(__name__)

#: The phrase model's default vocabulary cap (gensim ``Phrases(max_vocab_size=...)``).
PHRASES_MAX_VOCAB = 40_000_000


# ------------------------------------------------------------------------------- partitions


def token_partitions(tokens_path: Path, documents_per_partition: int) -> Iterator[Any]:
    """Work items for the token table: ``("rg", path, first, stop)`` row-group ranges when the
    annotation recorded its partitions; otherwise tables of about ``documents_per_partition``
    whole documents read here (a document never spans two items)."""
    import json

    ann = tokens_path.parent / "annotation.json"
    parts = None
    if ann.is_file():
        try:
            parts = json.loads(ann.read_text(encoding="utf-8")).get("partitions")
        except ValueError:
            parts = None
    if parts:
        for p in parts:
            a, b = p["row_groups"]
            if b > a:
                yield ("rg", str(tokens_path), a, b)
        return
    yield from _grouped_tables(tokens_path, documents_per_partition)


def _grouped_tables(tokens_path: Path, size: int) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from toolkit.vocabulary.steps import _iter_tables

    buf: list = []
    n_docs = 0
    for table in _iter_tables(tokens_path):
        ids = table.column("doc_id")
        k = len(pc.unique(ids))
        # cut the table where the partition is full (whole documents only)
        while n_docs + k > size and table.num_rows:
            need = size - n_docs
            change = pc.not_equal(ids.slice(1), ids.slice(0, len(ids) - 1))
            starts = [0] + [i + 1 for i in pc.indices_nonzero(change).to_pylist()]
            cut = starts[need] if need < len(starts) else table.num_rows
            buf.append(table.slice(0, cut))
            yield pa.concat_tables(buf)
            buf, n_docs = [], 0
            table = table.slice(cut)
            ids = table.column("doc_id")
            k = len(pc.unique(ids)) if table.num_rows else 0
        if table.num_rows:
            buf.append(table)
            n_docs += k
    if buf:
        yield pa.concat_tables(buf)


_COLUMNS = ["doc_id", "sent", "form", "norm", "lemma", "upos", "ent_id"]


def _table(item: Any):
    if isinstance(item, tuple) and item and item[0] == "rg":
        import pyarrow.parquet as pq

        _, path, a, b = item
        pf = pq.ParquetFile(path)
        cols = [c for c in _COLUMNS if c in pf.schema_arrow.names]
        return pf.read_row_groups(list(range(a, b)), columns=cols)
    return item


def _processor(cfg: dict[str, Any], entities: bool):
    from toolkit.vocabulary.config import VocabularyConfig
    from toolkit.vocabulary.steps import _BatchProcessor, _Processor

    return _BatchProcessor(_Processor(VocabularyConfig.from_dict(cfg), entities))


# ------------------------------------------------------------------------------- tasks


def phrase_counts(item: Any, cfg: dict[str, Any], entities: bool) -> tuple[dict[str, int], int]:
    """Unigram and bigram counts of a partition's segments, as ``Phrases`` counts them."""
    from gensim.models.phrases import Phrases

    table = _table(item)
    segs = (seg for _doc, doc_segs in _processor(cfg, entities).process(table) for seg in doc_segs)
    _, vocab, total = Phrases._learn_vocab(segs, max_vocab_size=PHRASES_MAX_VOCAB, delimiter="_",
                                           connector_words=CONNECTOR_WORDS, progress_per=10**12)  # fmt: skip
    return vocab, total


#: Buckets the phrase counts are spilled into (by a stable hash of the key): the client, or a
#: merge task, holds one bucket of every partition at a time, not the whole bigram table.
PHRASE_BUCKETS = 32


def _bucket(key: str, n: int) -> int:
    import zlib

    return zlib.crc32(key.encode("utf-8")) % n


def spill_phrase_counts(pair: tuple[Any, str], cfg: dict[str, Any], entities: bool,
                        buckets: int = PHRASE_BUCKETS) -> dict[str, int]:  # fmt: skip
    """Pass 1 (task): a partition's phrase counts, written to ``{prefix}-BB.pkl``, one file per
    hash bucket of the keys (so that one bucket of every partition can be summed alone)."""
    from toolkit.runtime import atomic_path

    item, prefix = pair
    vocab, total = phrase_counts(item, cfg, entities)
    split: list[dict[str, int]] = [{} for _ in range(buckets)]
    for w, c in vocab.items():
        split[_bucket(w, buckets)][w] = c
    n_keys = len(vocab)
    del vocab
    for b, part in enumerate(split):
        with atomic_path(f"{prefix}-{b:02d}.pkl", suffix=".pkl") as tmp, open(tmp, "wb") as f:
            pickle.dump(part, f, protocol=pickle.HIGHEST_PROTOCOL)
    return {"total": total, "keys": n_keys}


def merge_phrase_bucket(bucket: int, prefixes: list[str], min_count: int, delimiter: str = "_") -> dict[str, int]:
    """Pass 1 merge (task): sum one bucket's counts over every partition (in partition order)
    and keep what a frozen ``Phrases`` model can use: every key without ``delimiter`` (the
    words a candidate phrase is scored from) and every key counted at least ``min_count``
    times (with NPMI scoring a rarer phrase scores -inf). The bucket files are removed.

    The phrases frozen from the kept counts are those frozen from all counts, so the phrase
    model does not depend on this pruning, nor on how the corpus is partitioned.
    """
    total: dict[str, int] = {}
    for prefix in prefixes:
        path = Path(f"{prefix}-{bucket:02d}.pkl")
        with open(path, "rb") as f:
            part = pickle.load(f)
        if not total:
            total = part
        else:
            for w, c in part.items():
                total[w] = total.get(w, 0) + c
        del part
    kept = {w: c for w, c in total.items() if c >= min_count or delimiter not in w}
    for prefix in prefixes:
        Path(f"{prefix}-{bucket:02d}.pkl").unlink(missing_ok=True)
    return kept


def document_frequencies(item: Any, cfg: dict[str, Any], entities: bool, phraser: Any,
                         spill: str) -> dict[str, Any]:  # fmt: skip
    """Pass 2 (task): final tokens per document (spilled to ``spill``) and the partition's
    frequencies: ``order`` (new words in ``doc2bow`` order), ``dfs``, ``cfs``, counts and the
    ids of documents left without tokens."""
    from toolkit.runtime import atomic_path

    table = _table(item)
    order: list[str] = []
    dfs: dict[str, int] = {}
    cfs: dict[str, int] = {}
    empty: list[str] = []
    docs: list[tuple[str, list[str]]] = []
    n_read = num_pos = num_nnz = 0
    surfaces = SurfaceCounter()
    for doc_id, segs in _processor(cfg, entities).process(table, with_surfaces=True):
        n_read += 1
        toks, shown = final_tokens_with_surfaces(segs, phraser)
        surfaces.update(toks, shown)
        if not toks:
            empty.append(doc_id)
            continue
        counts: dict[str, int] = {}
        for t in toks:
            counts[t] = counts.get(t, 0) + 1
        new = sorted(w for w in counts if w not in dfs)
        order.extend(new)
        for w, c in counts.items():
            dfs[w] = dfs.get(w, 0) + 1
            cfs[w] = cfs.get(w, 0) + c
        num_pos += len(toks)
        num_nnz += len(counts)
        docs.append((doc_id, toks))
    with atomic_path(spill, suffix=".pkl") as tmp, open(tmp, "wb") as f:
        pickle.dump(docs, f, protocol=pickle.HIGHEST_PROTOCOL)
    return {"order": order, "dfs": dfs, "cfs": cfs, "documents": len(docs), "read": n_read,
            "num_pos": num_pos, "num_nnz": num_nnz, "empty": empty, "surfaces": surfaces.counts}  # fmt: skip


def merged_frequencies(spill: str, aliases: dict[str, str]) -> dict[str, Any]:
    """Spelling-merge pass (task): for each key that others are merged into, the documents
    holding any spelling of it, and how many (document, key) pairs the merge removes."""
    with open(spill, "rb") as f:
        docs = pickle.load(f)
    dfs: dict[str, int] = {}
    saved_nnz = 0
    for _doc_id, toks in docs:
        before = set(toks)
        after = {aliases.get(t, t) for t in before}
        saved_nnz += len(before) - len(after)
        for t in after:
            dfs[t] = dfs.get(t, 0) + 1
    return {"dfs": dfs, "saved_nnz": saved_nnz}


def bow_part(spill: str, token2id: dict[str, int], n_terms: int, out: str,
             aliases: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Pass 3 (task): the partition's document–term rows over the final dictionary, written to
    ``out`` (``.npz``); documents left with no term are dropped and named. ``aliases`` maps
    keys merged into another spelling of the same name to that key."""
    import numpy as np
    import scipy.sparse as sp

    from toolkit.runtime import atomic_path

    with open(spill, "rb") as f:
        docs = pickle.load(f)
    Path(spill).unlink(missing_ok=True)
    indptr = [0]
    cols: list[int] = []
    vals: list[int] = []
    ids: list[str] = []
    emptied: list[str] = []
    aliases = aliases or {}
    for doc_id, toks in docs:
        counts: dict[int, int] = {}
        for t in toks:
            j = token2id.get(aliases.get(t, t))
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            emptied.append(doc_id)
            continue
        for j in sorted(counts):
            cols.append(j)
            vals.append(counts[j])
        indptr.append(len(cols))
        ids.append(doc_id)
    m = sp.csr_matrix((np.asarray(vals, dtype=np.int32), np.asarray(cols, dtype=np.int32),
                       np.asarray(indptr, dtype=np.int64)), shape=(len(ids), n_terms))  # fmt: skip
    with atomic_path(out, suffix=".npz") as tmp, open(tmp, "wb") as f:
        sp.save_npz(f, m, compressed=True)
    return {"ids": ids, "emptied": emptied, "nnz": int(m.nnz), "tokens": int(m.sum())}


# ------------------------------------------------------------------------------- driver


def build_bow_partitioned(
    corpus_dir: str | Path,
    config: Any,
    out: str | Path,
    executor: Any = None,
    *,
    partition_documents: int = 2000,
    progress: bool = False,
) -> dict[str, Any]:
    """Build the dictionary and the partitioned bag of words of an annotated corpus.

    Parameters
    ----------
    corpus_dir : path
        Annotated corpus directory (``tokens.parquet``).
    config : VocabularyConfig
    out : path
        Output directory: ``dictionary.gensim``, ``parts/part-NNNNN.npz``, ``bow_docs.json``,
        ``vocabulary.json`` (see :class:`toolkit.distributed.bow.PartitionedBow`).
    executor : Executor, optional
        Where the tasks run (default: this process).
    partition_documents : int
        Documents per partition when the token table does not record its partitions.

    Returns
    -------
    dict
        The statistics saved in ``vocabulary.json`` (as :class:`~toolkit.vocabulary.BagOfWords`).

    Raises
    ------
    ModelError
        When no document or no term survives the filters.
    """
    from gensim.corpora import Dictionary
    from gensim.models.phrases import Phrases

    from toolkit.annotation.table import require_tokens
    from toolkit.distributed.executor import LocalExecutor
    from toolkit.errors import ModelError
    from toolkit.runtime import atomic_path, release_memory, write_json
    from toolkit.vocabulary.steps import _entities_available

    executor = executor or LocalExecutor()
    path = require_tokens(corpus_dir)
    out = Path(out)
    (out / "parts").mkdir(parents=True, exist_ok=True)
    cfg = config.to_dict()
    entities = _entities_available(path)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    def items():
        return token_partitions(path, partition_documents)

    def bar(desc):
        from tqdm.auto import tqdm

        return tqdm(desc=desc, unit="part", disable=not progress)

    # pass 1: phrases
    phraser = None
    if config.phrases:
        ph = Phrases(min_count=config.phrase_min_count, threshold=config.phrase_threshold, scoring="npmi",
                     connector_words=CONNECTOR_WORDS, progress_per=10**9)  # fmt: skip
        prefixes: list[str] = []

        def phrase_items():
            for i, item in enumerate(items()):
                prefix = str(out / "parts" / f"part-{i:05d}.phrases")
                prefixes.append(prefix)
                yield item, prefix

        total = 0
        n_keys = 0
        log.info("vocabulary pass 1/3 (phrases): counting unigrams and bigrams per partition")
        try:
            with bar("phrase counts") as b:
                for res in executor.map(spill_phrase_counts, phrase_items(), cfg, entities, label="phrases"):
                    total += res["total"]
                    n_keys += res["keys"]
                    b.update()
            log.info("vocabulary pass 1/3: phrase counts of %d partitions, %d keys summed over partitions, "
                     "spilled in %d buckets", len(prefixes), n_keys, PHRASE_BUCKETS)  # fmt: skip
            log.info("vocabulary pass 1/3 (phrase-buckets): summing %d buckets", PHRASE_BUCKETS)
            vocab: dict[str, int] = {}
            with bar("phrase buckets") as b:
                for kept in executor.map(merge_phrase_bucket, range(PHRASE_BUCKETS), prefixes,
                                         config.phrase_min_count, label="phrase-buckets"):  # fmt: skip
                    vocab.update(kept)
                    b.update()
        finally:
            for prefix in prefixes:
                for bk in range(PHRASE_BUCKETS):
                    Path(f"{prefix}-{bk:02d}.pkl").unlink(missing_ok=True)
        log.info("vocabulary pass 1/3: %d phrase counts kept: the words, and keys counted %d times or more",
                 len(vocab), config.phrase_min_count)  # fmt: skip
        ph.vocab = vocab
        ph.corpus_word_count = total
        phraser = ph.freeze()
        del ph, vocab
        release_memory()
        log.info("learned %d phrases", len(phraser.phrasegrams))
    timings["phrases"] = round(time.perf_counter() - t0, 3)

    # pass 2: document frequencies, one deterministic dictionary
    t1 = time.perf_counter()
    dictionary = Dictionary()
    token2id = dictionary.token2id
    spills: list[str] = []
    empty: list[str] = []
    n_read = 0
    n_docs = 0
    surfaces = SurfaceCounter()

    def spill_items():
        for i, item in enumerate(items()):
            spill = str(out / "parts" / f"part-{i:05d}.tokens.pkl")
            spills.append(spill)
            yield item, spill

    log.info("vocabulary pass 2/3 (frequencies): document frequencies per partition")
    with bar("document frequencies") as b:
        for res in executor.map(_doc_freq_task, spill_items(), cfg, entities, phraser, label="frequencies"):
            for w in res["order"]:
                if w not in token2id:
                    token2id[w] = len(token2id)
            for w, c in res["dfs"].items():
                j = token2id[w]
                dictionary.dfs[j] = dictionary.dfs.get(j, 0) + c
            for w, c in res["cfs"].items():
                j = token2id[w]
                dictionary.cfs[j] = dictionary.cfs.get(j, 0) + c
            dictionary.num_docs += res["documents"]
            dictionary.num_pos += res["num_pos"]
            dictionary.num_nnz += res["num_nnz"]
            n_docs += res["documents"]
            n_read += res["read"]
            empty += res["empty"]
            for key, c in res["surfaces"].items():
                have = surfaces.counts.get(key)
                if have is None:
                    surfaces.counts[key] = c
                else:
                    have.update(c)
            b.update()
    if not n_docs:
        for s in spills:
            Path(s).unlink(missing_ok=True)
        raise ModelError(
            f"no document has any token left after filtering ({n_read} read): loosen the vocabulary "
            "settings (pos, stopwords, min_length) or check the token table"
        )
    log.info("vocabulary pass 2/3 (spellings): %d keys, %d with surface counts", len(token2id), len(surfaces.counts))
    dictionary, aliases, surfaces = _merge_spellings(dictionary, surfaces, spills, executor)
    n_terms_before = len(dictionary)
    no_below = config.effective_no_below(n_docs)
    no_above = config.effective_no_above(n_docs)
    dictionary.filter_extremes(no_below=no_below, no_above=no_above, keep_n=config.keep_n)
    if len(dictionary) == 0:
        for s in spills:
            Path(s).unlink(missing_ok=True)
        raise ModelError(
            f"the vocabulary is empty after filter_extremes(no_below={no_below}, no_above={no_above}) "
            f"on {n_docs} documents: lower no_below, raise no_above, or use a larger corpus"
        )
    timings["dictionary"] = round(time.perf_counter() - t1, 3)

    # pass 3: bag of words, one file per partition
    t2 = time.perf_counter()
    final = dict(dictionary.token2id)
    doc_ids: list[str] = []
    emptied: list[str] = []
    parts_meta: list[dict[str, Any]] = []
    n_tokens = 0
    pairs = [(s, str(out / "parts" / f"part-{i:05d}.npz")) for i, s in enumerate(spills)]
    log.info("vocabulary pass 3/3 (bow): %d terms kept", len(final))
    with bar("bag of words") as b:
        for (_, npz), res in zip(pairs, executor.map(_bow_task, pairs, final, len(final), aliases, label="bow"), strict=True):
            parts_meta.append({"file": f"parts/{Path(npz).name}", "documents": len(res["ids"]), "nnz": res["nnz"]})
            doc_ids.extend(res["ids"])
            emptied.extend(res["emptied"])
            n_tokens += res["tokens"]
            b.update()
    empty.extend(emptied)
    timings["bow"] = round(time.perf_counter() - t2, 3)
    stats = vocabulary_stats(n_read, doc_ids, empty, n_terms_before, dictionary, no_below, no_above, n_tokens)
    display, aliases = kept_display(surfaces, dictionary, aliases, stats)
    with atomic_path(out / "dictionary.gensim", suffix=".gensim") as tmp:
        dictionary.save(str(tmp))
    write_json(out / "bow_docs.json", doc_ids)
    write_json(out / "display.json", {"display": display, "aliases": aliases})
    write_json(out / "vocabulary.json", {"config": config.to_dict(), "stats": stats, "n_documents": len(doc_ids),
                                         "n_terms": len(dictionary), "layout": "partitioned",
                                         "parts": parts_meta, "timings": timings})  # fmt: skip
    return stats


def _doc_freq_task(pair: tuple[Any, str], cfg: dict[str, Any], entities: bool, phraser: Any) -> dict[str, Any]:
    return document_frequencies(pair[0], cfg, entities, phraser, pair[1])


def _bow_task(pair: tuple[str, str], token2id: dict[str, int], n_terms: int,
              aliases: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    return bow_part(pair[0], token2id, n_terms, pair[1], aliases)


def _merge_spellings(dictionary: Any, surfaces: Any, spills: list[str], executor: Any) -> tuple[Any, dict, Any]:
    """Merge keys that are spellings of one name, as the single-pass bag of words does
    (:func:`toolkit.vocabulary.bow._merge_spellings`): same ids, same frequencies. The merged
    keys' document frequencies are counted again over the spilled partitions."""
    from gensim.corpora import Dictionary

    from toolkit.vocabulary.display import merge_targets, merged_counter

    freq = {tok: dictionary.cfs.get(i, 0) for tok, i in dictionary.token2id.items()}
    targets = merge_targets(surfaces, freq)
    if not targets:
        return dictionary, {}, surfaces
    old = dictionary.token2id
    survivors = [t for t in sorted(old, key=old.get) if t not in targets]
    new_id = {t: i for i, t in enumerate(survivors)}
    merged = Dictionary()
    merged.token2id = new_id
    merged.id2token = {}
    for t in survivors:  # keys not involved in a merge keep their frequencies
        merged.dfs[new_id[t]] = dictionary.dfs.get(old[t], 0)
    for t, i in old.items():
        j = new_id[targets.get(t, t)]
        merged.cfs[j] = merged.cfs.get(j, 0) + dictionary.cfs.get(i, 0)
    groups = set(targets.values())
    saved = 0
    counted: dict[str, int] = {}
    for res in executor.map(merged_frequencies, spills, dict(targets), label="spellings"):
        saved += res["saved_nnz"]
        for t in groups:
            counted[t] = counted.get(t, 0) + res["dfs"].get(t, 0)
    for t in groups:
        merged.dfs[new_id[t]] = counted.get(t, 0)
    merged.num_docs = dictionary.num_docs
    merged.num_pos = dictionary.num_pos
    merged.num_nnz = dictionary.num_nnz - saved
    return merged, dict(targets), merged_counter(surfaces, targets)
