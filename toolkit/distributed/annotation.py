"""Annotation of a corpus partition by partition (on the workers of a cluster, or here).

Each task reads its documents from ``documents.parquet``, annotates them with the tagger of
its own process (``toolkit.annotation.taggers.get_tagger`` caches it per process: it is loaded once per
worker and never sent from the client) and writes its token table as one Parquet file,
atomically. The client then joins the parts, in partition order, into the usual
``tokens.parquet`` — each partition in its own row groups, listed in ``annotation.json``
(``partitions``) so later partitioned steps read exactly their documents' rows.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from toolkit.distributed.partitions import (
    DEFAULT_PARTITION_DOCUMENTS,
    Partition,
    plan,
    read_documents,
)

log = logging.getLogger(__name__)

#: Largest row group written when joining the parts (rows).
ROW_GROUP_ROWS = 100_000


def annotate_partition(part: Partition, documents_path: str, mode: str, parts_dir: str,
                       batch_size: int = 64, entities: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Annotate one partition into ``parts_dir/part-NNNNN.parquet``; return its counts.

    Runs on a worker. The tagger comes from this process's cache.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from toolkit.annotation.annotate import _process_batch, token_schema
    from toolkit.annotation.taggers import get_tagger
    from toolkit.runtime import atomic_path

    tagger = get_tagger(mode, entities=entities)
    docs = read_documents(documents_path, part.start, part.stop)
    out = {"index": part.index, "documents": 0, "sentences": 0, "tokens": 0, "words": 0,
           "rows": 0, "empty": [], "non_french": [], "failed": [],
           "tagger": {"name": tagger.name, "version": tagger.version}, "pid": os.getpid()}  # fmt: skip
    target = Path(parts_dir) / f"{part.name}.parquet"
    schema = token_schema()
    with atomic_path(target, suffix=".parquet") as tmp:
        with pq.ParquetWriter(tmp, schema) as writer:
            for i in range(0, len(docs), batch_size):
                res = _process_batch(docs[i : i + batch_size], "table", tagger)
                for k in ("documents", "sentences", "tokens", "words"):
                    out[k] += getattr(res, k)
                out["empty"] += res.empty
                out["non_french"] += res.non_french
                out["failed"] += res.failed
                if res.payload:
                    table = pa.Table.from_batches(res.payload, schema=schema)
                    out["rows"] += table.num_rows
                    writer.write_table(table)
    return out


def annotate_corpus_partitioned(
    corpus_dir: str | Path,
    executor: Any,
    mode: str = "fast",
    *,
    partition_documents: int = DEFAULT_PARTITION_DOCUMENTS,
    batch_size: int = 64,
    progress: bool = False,
    entities: str = "auto",
) -> dict[str, Any]:
    """Annotate a corpus directory partition by partition with ``executor``.

    ``entities`` chooses where fast mode's entities come from, as in
    :func:`toolkit.annotation.annotate.annotate_corpus`; each worker loads that tagger once.

    Writes ``tokens.parquet`` (same rows, in the same order, as
    :func:`toolkit.annotation.annotate.annotate_corpus`) and ``annotation.json``, whose ``partitions``
    list gives each partition's documents and row groups.

    Returns
    -------
    dict
        The manifest written to ``annotation.json``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    from tqdm.auto import tqdm

    from toolkit.annotation.annotate import (
        DOCUMENTS_FILE,
        MANIFEST_FILE,
        TOKENS_FILE,
        _check_corpus,
        outcome_fields,
        token_schema,
    )
    from toolkit.corpus.documents import Corpus
    from toolkit.runtime import atomic_path, base_manifest, write_json

    corpus_dir = _check_corpus(corpus_dir)
    if mode not in ("fast", "accurate"):
        from toolkit.errors import ToolkitError

        raise ToolkitError(f"unknown mode {mode!r}: use 'fast' or 'accurate'")
    n_docs = len(Corpus(corpus_dir))
    from toolkit.annotation.taggers import resolve_entities

    ents = resolve_entities(mode, entities)
    ent_arg = "accurate" if mode == "fast" and ents == "accurate" else None
    parts = plan(n_docs, partition_documents)
    parts_dir = corpus_dir / ".token-parts"
    parts_dir.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    counts = {"documents": 0, "sentences": 0, "tokens": 0, "words": 0}
    empty: list[str] = []
    non_french: list[str] = []
    failed: list[dict[str, str]] = []
    tagger_info: dict[str, Any] = {}
    partitions: list[dict[str, Any]] = []
    bar = tqdm(total=n_docs, unit="doc", desc=f"annotate ({mode}, partitions)", disable=not progress)
    rg = 0
    target = corpus_dir / TOKENS_FILE
    schema = token_schema()
    try:
        with atomic_path(target, suffix=".parquet") as tmp, pq.ParquetWriter(tmp, schema) as writer:
            results = executor.map(annotate_partition, parts, str(corpus_dir / DOCUMENTS_FILE), mode,
                                   str(parts_dir), batch_size, ent_arg, label="annotate")  # fmt: skip
            for part, res in zip(parts, results, strict=True):
                for k in counts:
                    counts[k] += res[k]
                empty += res["empty"]
                non_french += res["non_french"]
                failed += res["failed"]
                tagger_info = res["tagger"]
                path = parts_dir / f"{part.name}.parquet"
                first_rg = rg
                pf = pq.ParquetFile(path)
                for batch in pf.iter_batches(batch_size=ROW_GROUP_ROWS):
                    if batch.num_rows:  # one row group per batch, never across partitions
                        writer.write_table(pa.Table.from_batches([batch]), row_group_size=ROW_GROUP_ROWS)
                        rg += 1
                del pf
                path.unlink()
                partitions.append({"index": part.index, "start": part.start, "stop": part.stop,
                                   "rows": res["rows"], "row_groups": [first_rg, rg]})  # fmt: skip
                bar.update(len(part))
    finally:
        bar.close()
        shutil.rmtree(parts_dir, ignore_errors=True)
    seconds = time.perf_counter() - t0
    manifest = base_manifest(
        "annotation",
        mode=mode,
        format="table",
        output=TOKENS_FILE,
        tagger=tagger_info,
        **outcome_fields(corpus_dir, counts, empty, non_french, failed, seconds),
        settings={"partition_documents": partition_documents, "batch_size": batch_size,
                  "executor": executor.kind, "entities": entities},
        entities=ents,
        partitions=partitions,
    )  # fmt: skip
    write_json(corpus_dir / MANIFEST_FILE, manifest)
    return manifest
