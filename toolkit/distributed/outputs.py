"""Large-corpus outputs: the token table and the document–topic table as Parquet datasets
partitioned by month (Hive layout, ``month=2022-01/part-0.parquet``).

pandas (``pd.read_parquet(DIR)``), DuckDB (``read_parquet('DIR/*/*.parquet',
hive_partitioning = true)``), Spark and Dask read such a directory as one table, with ``month``
as a column, and can read one month without touching the others. Both are written streaming,
a bounded number of rows at a time (:data:`BUFFER_ROWS`), so memory does not grow with the
corpus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Partition value of documents without a date.
NO_DATE = "none"


def document_months(documents_path: str | Path) -> dict[str, str]:
    """``doc_id -> "YYYY-MM"`` (or ``"none"``) from a corpus's ``documents.parquet``."""
    import pyarrow.parquet as pq

    out: dict[str, str] = {}
    pf = pq.ParquetFile(documents_path)
    for batch in pf.iter_batches(columns=["id", "date"], batch_size=65_536):
        for doc_id, date in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
            out[doc_id] = date[:7] if date and len(date) >= 7 and date[4] == "-" else NO_DATE
    return out


#: Rows buffered in all before the largest month's buffer is written out as a row group.
BUFFER_ROWS = 65_536


def _write(batches, schema, directory: Path, buffer_rows: int | None = None) -> None:
    """Write record batches (with a ``month`` column) as ``directory/month=M/part-0.parquet``.

    One Parquet writer per month stays open; the rows of each month are buffered until
    ``buffer_rows`` rows are waiting in all, then the month with the most rows is written as
    one row group. Memory is bounded by ``buffer_rows`` rows, whatever the corpus size and the
    order of the documents (pyarrow's dataset writer keeps up to ``max_rows_per_group`` rows
    per open file).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from toolkit.runtime import atomic_directory

    buffer_rows = buffer_rows or BUFFER_ROWS
    file_schema = schema.remove(schema.get_field_index("month"))
    with atomic_directory(directory, overwrite=True) as tmp:
        writers: dict[str, Any] = {}
        pending: dict[str, list] = {}
        waiting = [0]

        def flush(month: str) -> None:
            tables = pending.pop(month, [])
            if not tables:
                return
            w = writers.get(month)
            if w is None:
                (tmp / f"month={month}").mkdir(parents=True, exist_ok=True)
                w = writers[month] = pq.ParquetWriter(tmp / f"month={month}" / "part-0.parquet", file_schema)
            t = pa.concat_tables(tables)
            waiting[0] -= t.num_rows
            w.write_table(t)

        try:
            for batch in batches:
                table = pa.Table.from_batches([batch])
                months = table.column("month")
                data = table.drop_columns(["month"])
                for m in pc.unique(months).to_pylist():
                    part = data.filter(pc.equal(months, m)) if len(months) else data
                    pending.setdefault(m, []).append(part)
                    waiting[0] += part.num_rows
                while waiting[0] > buffer_rows:
                    flush(max(pending, key=lambda k: sum(t.num_rows for t in pending[k])))
            for m in sorted(pending):
                flush(m)
        finally:
            for w in writers.values():
                w.close()


def write_tokens_by_month(tokens_path: str | Path, months: dict[str, str], directory: str | Path) -> int:
    """Stream the token table into ``directory/month=YYYY-MM/``; return the rows written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(tokens_path)
    schema = pf.schema_arrow.append(pa.field("month", pa.string()))
    n = [0]

    def batches():
        for batch in pf.iter_batches(batch_size=BUFFER_ROWS):
            ids = batch.column("doc_id").to_pylist()
            month = pa.array([months.get(i, NO_DATE) for i in ids], type=pa.string())
            n[0] += batch.num_rows
            yield pa.RecordBatch.from_arrays([*batch.columns, month], schema=schema)

    _write(batches(), schema, Path(directory))
    return n[0]


def write_document_topics_by_month(output: Any, months: dict[str, str], directory: str | Path) -> int:
    """The document–topic matrix (``doc_id, topic_0 … topic_{k-1}``) into
    ``directory/month=YYYY-MM/``; return the rows written."""
    import pyarrow as pa

    k = output.n_topics
    fields = [pa.field("doc_id", pa.string())] + [pa.field(f"topic_{t}", pa.float64()) for t in range(k)]
    schema = pa.schema([*fields, pa.field("month", pa.string())])
    n = len(output.doc_ids)

    def batches():
        for a in range(0, n, 50_000):
            ids = output.doc_ids[a : a + 50_000]
            block = output.doc_topic[a : a + 50_000]
            cols = [pa.array(ids, type=pa.string())] + [pa.array(block[:, t]) for t in range(k)]
            cols.append(pa.array([months.get(i, NO_DATE) for i in ids], type=pa.string()))
            yield pa.RecordBatch.from_arrays(cols, schema=schema)

    _write(batches(), schema, Path(directory))
    return n
