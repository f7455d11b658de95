"""A bag of words stored as partitions: ``parts/part-NNNNN.npz`` plus one dictionary.

:class:`PartitionedBow` has the attributes of :class:`toolkit.vocabulary.BagOfWords`
(``dictionary``, ``doc_ids``, ``config``, ``stats``, ``n_documents``, ``n_terms``,
``vocabulary``) and reads its rows part by part: :meth:`rows` gives any range of documents,
:meth:`iter_parts` streams them, ``matrix`` assembles the whole matrix only when asked.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


def is_partitioned(directory: str | Path) -> bool:
    p = Path(directory) / "vocabulary.json"
    if not p.is_file():
        return False
    import json

    return json.loads(p.read_text(encoding="utf-8")).get("layout") == "partitioned"


@dataclass
class PartitionedBow:
    """Dictionary + document–term rows in part files (see module docstring)."""

    directory: Path
    dictionary: Any
    doc_ids: list[str]
    config: Any
    stats: dict[str, Any] = field(default_factory=dict)
    parts: list[dict[str, Any]] = field(default_factory=list)
    display: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: str | Path) -> PartitionedBow:
        from gensim.corpora import Dictionary

        from toolkit.errors import StageMissingError
        from toolkit.runtime import read_json
        from toolkit.vocabulary.config import VocabularyConfig

        d = Path(directory)
        if not is_partitioned(d):
            raise StageMissingError(f"{d} holds no partitioned bag of words (vocabulary.json, parts/)")
        info = read_json(d / "vocabulary.json")
        shown = read_json(d / "display.json") if (d / "display.json").is_file() else {}
        return cls(d, Dictionary.load(str(d / "dictionary.gensim")), list(read_json(d / "bow_docs.json")),
                   VocabularyConfig.from_dict(info["config"]), info.get("stats", {}), list(info["parts"]),
                   dict(shown.get("display", {})), dict(shown.get("aliases", {})))  # fmt: skip

    def shown(self, term: str) -> str:
        """The display form of ``term`` (its key with spaces when none was recorded)."""
        return self.display.get(term) or term.replace("_", " ")

    def display_list(self) -> list[str]:
        """Display forms in term-id order (parallel to :attr:`vocabulary`)."""
        return [self.shown(t) for t in self.vocabulary]

    # -- shape
    @property
    def n_documents(self) -> int:
        return len(self.doc_ids)

    @property
    def n_terms(self) -> int:
        return len(self.dictionary)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_documents, self.n_terms)

    @property
    def vocabulary(self) -> list[str]:
        return [self.dictionary[i] for i in range(len(self.dictionary))]

    # -- rows
    def _offsets(self) -> list[int]:
        out = [0]
        for p in self.parts:
            out.append(out[-1] + int(p["documents"]))
        return out

    def part(self, i: int):
        import scipy.sparse as sp

        return sp.load_npz(self.directory / self.parts[i]["file"]).tocsr()

    def iter_parts(self) -> Iterator[Any]:
        """The parts' CSR matrices (int32 counts), in document order."""
        for i in range(len(self.parts)):
            yield self.part(i)

    def rows(self, start: int, stop: int):
        """Documents ``start`` to ``stop`` (excluded) as a CSR matrix, reading only their parts."""
        import scipy.sparse as sp

        offsets = self._offsets()
        stop = min(stop, offsets[-1])
        if start >= stop:
            return sp.csr_matrix((0, self.n_terms), dtype=np.int32)
        first = bisect.bisect_right(offsets, start) - 1
        blocks = []
        i = first
        while i < len(self.parts) and offsets[i] < stop:
            m = self.part(i)
            a = max(start, offsets[i]) - offsets[i]
            b = min(stop, offsets[i + 1]) - offsets[i]
            blocks.append(m[a:b])
            i += 1
        return blocks[0] if len(blocks) == 1 else sp.vstack(blocks, format="csr")

    @property
    def matrix(self):
        """The whole document–term matrix (assembled in memory: avoid on large corpora)."""
        import scipy.sparse as sp

        parts = list(self.iter_parts())
        if not parts:
            return sp.csr_matrix((0, self.n_terms), dtype=np.int32)
        return sp.vstack(parts, format="csr")

    def matrix_of(self, terms: list[str]):
        """The whole matrix with only the columns of ``terms`` kept (the others empty), streamed:
        what coherence needs from the training corpus, in memory proportional to those terms."""
        import scipy.sparse as sp

        index = self.dictionary.token2id
        mask = np.zeros(self.n_terms, dtype=np.int32)
        for t in terms:
            if t in index:
                mask[index[t]] = 1
        keep = sp.diags(mask, dtype=np.int32, format="csr")
        blocks = []
        for m in self.iter_parts():
            b = (m @ keep).tocsr()
            b.eliminate_zeros()
            blocks.append(b)
        if not blocks:
            return sp.csr_matrix((0, self.n_terms), dtype=np.int32)
        return sp.vstack(blocks, format="csr")

    def term_frequency(self) -> np.ndarray:
        """Corpus count of each term, shape (n_terms,), streamed."""
        tf = np.zeros(self.n_terms, dtype=np.int64)
        for m in self.iter_parts():
            tf += np.asarray(m.sum(axis=0)).ravel()
        return tf

    def doc_lengths(self) -> np.ndarray:
        """Tokens per document, shape (n_documents,), streamed."""
        return np.concatenate([np.asarray(m.sum(axis=1)).ravel() for m in self.iter_parts()]) if self.parts \
            else np.zeros(0, dtype=np.int64)  # fmt: skip

    def gensim_corpus(self) -> PartsCorpus:
        """The rows as a re-iterable gensim corpus (lists of ``(term_id, count)``), streamed."""
        return PartsCorpus(self)

    def texts(self) -> Iterator[list[str]]:
        """Documents as lists of in-vocabulary terms (for gensim's C_V coherence), streamed."""
        vocab = self.vocabulary
        for m in self.iter_parts():
            for i in range(m.shape[0]):
                a, b = m.indptr[i], m.indptr[i + 1]
                yield [vocab[j] for j, c in zip(m.indices[a:b], m.data[a:b], strict=True) for _ in range(int(c))]

    def to_bag_of_words(self):
        """The same data as an in-memory :class:`toolkit.vocabulary.BagOfWords`."""
        from toolkit.vocabulary.bow import BagOfWords

        return BagOfWords(self.dictionary, self.matrix, list(self.doc_ids), self.config, dict(self.stats),
                          dict(self.display), dict(self.aliases))  # fmt: skip


def sample_rows(source, n: int, size: int):
    """Evenly spaced rows (at most ``size``; all of them when ``n <= size``) of a CSR matrix
    or a :class:`PartitionedBow`, as a CSR matrix read part by part."""
    import scipy.sparse as sp

    if n <= size:
        return source.matrix if isinstance(source, PartitionedBow) else source
    want = np.unique((np.arange(size) * (n / size)).astype(np.int64))
    if not isinstance(source, PartitionedBow):
        return source[want]
    blocks, offset = [], 0
    for m in source.iter_parts():
        sel = want[(want >= offset) & (want < offset + m.shape[0])] - offset
        if len(sel):
            blocks.append(m[sel])
        offset += m.shape[0]
    return sp.vstack(blocks, format="csr")


class PartsCorpus:
    """A :class:`PartitionedBow` seen as a re-iterable gensim corpus, one part in memory."""

    def __init__(self, bow: PartitionedBow) -> None:
        self.bow = bow

    def __len__(self) -> int:
        return self.bow.n_documents

    def __iter__(self):
        for m in self.bow.iter_parts():
            indptr, indices, data = m.indptr, m.indices, m.data
            for i in range(m.shape[0]):
                a, b = indptr[i], indptr[i + 1]
                yield list(zip(indices[a:b].tolist(), data[a:b].tolist(), strict=True))


@functools.lru_cache(maxsize=8)
def _parts_index(directory: str, mtime_ns: int) -> tuple[list[int], list[str], int]:
    import json

    info = json.loads((Path(directory) / "vocabulary.json").read_text(encoding="utf-8"))
    offsets = [0]
    for p in info["parts"]:
        offsets.append(offsets[-1] + int(p["documents"]))
    return offsets, [p["file"] for p in info["parts"]], int(info["n_terms"])


def read_rows(directory: str | Path, start: int, stop: int):
    """Rows ``start`` to ``stop`` of a partitioned bag of words, reading only the part files
    that hold them (no dictionary, no document ids: what an E-step task needs)."""
    import scipy.sparse as sp

    d = Path(directory)
    offsets, files, n_terms = _parts_index(str(d), (d / "vocabulary.json").stat().st_mtime_ns)
    stop = min(stop, offsets[-1])
    if start >= stop:
        return sp.csr_matrix((0, n_terms), dtype=np.int32)
    i = bisect.bisect_right(offsets, start) - 1
    blocks = []
    while i < len(files) and offsets[i] < stop:
        m = sp.load_npz(d / files[i]).tocsr()
        blocks.append(m[max(start, offsets[i]) - offsets[i] : min(stop, offsets[i + 1]) - offsets[i]])
        i += 1
    return blocks[0] if len(blocks) == 1 else sp.vstack(blocks, format="csr")


def load_bag(directory: str | Path):
    """The bag of words saved in ``directory``: a :class:`PartitionedBow` (``parts/``) or a
    :class:`toolkit.vocabulary.BagOfWords` (``bow.npz``)."""
    if is_partitioned(directory):
        return PartitionedBow.load(directory)
    from toolkit.vocabulary.bow import BagOfWords

    return BagOfWords.load(directory)
