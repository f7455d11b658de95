"""The vocabulary's processing steps, per document (:class:`_Processor`) and vectorised over
record batches of the token table (:class:`_BatchProcessor`), and the token-table readers they use.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import InputError
from toolkit.vocabulary.config import (
    _COLUMNS,
    _CONTRACTIONS,
    _DIGIT,
    _HAS_LETTER,
    _NOUN_HOMOGRAPHS,
    _NUMBER,
    _ORDINAL,
    ALWAYS_DROPPED_POS,
    CONNECTOR_WORDS,
    VocabularyConfig,
)
from toolkit.vocabulary.display import align_phrases, join_surface

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- processing steps


@dataclass
class _Word:
    text: str  # unit text
    form: str  # lowercased form
    upos: str
    keep: bool = True
    connector: bool = False


@dataclass
class _Processor:
    """The named steps applied to one document's rows (see :func:`explain`)."""

    cfg: VocabularyConfig
    entities_available: bool = True
    stops: frozenset[str] = field(init=False)
    bp_single: frozenset[str] = field(init=False)
    bp_multi: tuple[tuple[str, ...], ...] = field(init=False)

    def __post_init__(self) -> None:
        self.stops = self.cfg.stop_set()
        self.bp_single, self.bp_multi = self.cfg.boilerplate_lists()
        self.pos = frozenset(self.cfg.pos) if self.cfg.pos is not None else None
        self._edge_words = CONNECTOR_WORDS | self.stops
        self._cache: dict[tuple[str, str, str], int] = {}
        self._bp_first: dict[str, list[tuple[str, ...]]] = {}
        for seq in self.bp_multi:
            self._bp_first.setdefault(seq[0], []).append(seq)

    # step 1
    def select(self, forms, norms, lemmas, upos) -> list[_Word]:
        unit = self.cfg.unit
        src = lemmas if unit == "lemma" else norms if unit == "norm" else forms
        out = []
        for i in range(len(forms)):
            t = src[i] or norms[i] or forms[i] or ""
            if unit == "lemma" and (upos[i] == "PROPN"):
                t = norms[i] or forms[i] or t  # names: keep the written form, not a guessed lemma
            t = unicodedata.normalize("NFC", t.replace("’", "'"))
            f = (norms[i] or forms[i] or "").replace("’", "'").lower()
            out.append(_Word(t.lower() if self.cfg.lowercase else t, f, upos[i] or "X"))
        return out

    # step 2
    def merge_entities(self, words: list[_Word], ent_ids, sents) -> tuple[list[_Word], list[int]]:
        if not self.cfg.merge_entities:
            return words, list(sents)
        out: list[_Word] = []
        out_sents: list[int] = []
        i, n = 0, len(words)
        while i < n:
            j = i + 1
            if self.entities_available:
                e = ent_ids[i]
                if e is not None and e >= 0:
                    while j < n and ent_ids[j] == e and sents[j] == sents[i]:
                        j += 1
            elif words[i].upos == "PROPN":
                while j < n and words[j].upos == "PROPN" and sents[j] == sents[i]:
                    j += 1
            if j - i > 1:
                span = words[i:j]
                # trim leading/trailing function words (« la France » -> france)
                while len(span) > 1 and span[0].form in self._edge_words:
                    span = span[1:]
                while len(span) > 1 and span[-1].form in self._edge_words:
                    span = span[:-1]
                parts = [w.form for w in span if _HAS_LETTER.search(w.form)]
                if len(parts) > 1:
                    text = "_".join(p.strip("'") if k == len(parts) - 1 else p for k, p in enumerate(parts))
                    text = re.sub(r"'_", "'", text)
                    out.append(_Word(text if self.cfg.lowercase else text, text, "PROPN"))
                    out_sents.append(sents[i])
                    i = j
                    continue
                if parts:
                    w = span[0] if len(span) == 1 else next(w for w in span if _HAS_LETTER.search(w.form))
                    out.append(_Word(w.text, w.form, "PROPN" if w.upos not in ("DET", "ADP") else w.upos))
                    out_sents.append(sents[i])
                    i = j
                    continue
            out.extend(words[i:j])
            out_sents.extend(sents[i:j])
            i = j
        return out, out_sents

    # step 3a
    def boilerplate(self, words: list[_Word]) -> list[_Word]:
        if self.bp_multi:
            forms = [w.form for w in words]
            n = len(forms)
            first = self._bp_first
            for i in range(n):
                for seq in first.get(forms[i], ()):
                    if tuple(forms[i : i + len(seq)]) == seq:
                        for k in range(i, i + len(seq)):
                            words[k].keep = False
        for w in words:
            if w.form in self.bp_single or w.text in self.bp_single:
                w.keep = False
        return words

    # step 3b
    def _decide(self, t: str, form: str, upos: str) -> int:
        """0 = drop, 1 = keep, 2 = connector (kept inside phrases only)."""
        cfg = self.cfg
        if upos in ALWAYS_DROPPED_POS or not _HAS_LETTER.search(t):
            if not (cfg.keep_numbers and (upos == "NUM" or _NUMBER.match(t))):
                return 0
        if not cfg.keep_numbers and (
            upos == "NUM" or (_DIGIT.search(t) and (_NUMBER.match(t) or _ORDINAL.match(t)))
        ):
            return 0
        if form in CONNECTOR_WORDS or t in CONNECTOR_WORDS:
            return 2
        stop = t in self.stops or (form in self.stops and upos not in ("NOUN", "PROPN"))
        if stop and t in _NOUN_HOMOGRAPHS and upos == "NOUN":
            stop = False
        if stop or len(t) < cfg.min_length:
            return 0
        if self.pos is not None and upos not in self.pos:
            return 0
        return 1

    def filter(self, words: list[_Word]) -> list[_Word]:
        cache = self._cache
        for w in words:
            if not w.keep:
                continue
            key = (w.text, w.form, w.upos)
            d = cache.get(key)
            if d is None:
                d = self._decide(w.text.lower(), w.form, w.upos)
                if len(cache) < 2_000_000:
                    cache[key] = d
            if d != 1:
                w.keep = False
                w.connector = d == 2
        return words

    # step 3c
    @staticmethod
    def segments(words: list[_Word], sents: Sequence[int]) -> list[list[str]]:
        """Runs of kept words (with connectors inside), cut at dropped words and sentences."""
        segs: list[list[str]] = []
        cur: list[str] = []
        prev_sent = None
        for w, s in zip(words, sents, strict=True):
            if s != prev_sent and cur:
                segs.append(cur)
                cur = []
            prev_sent = s
            if w.keep:
                cur.append(w.text)
            elif w.connector and cur:
                cur.append(w.form if w.form in CONNECTOR_WORDS else w.text)
            elif cur:
                segs.append(cur)
                cur = []
        if cur:
            segs.append(cur)
        # connectors at the end of a segment are useless
        out = []
        for seg in segs:
            while seg and seg[-1] in CONNECTOR_WORDS:
                seg.pop()
            if seg:
                out.append(seg)
        return out

    def document_segments(self, rows: dict[str, list]) -> list[list[str]]:
        words = self.select(rows["form"], rows["norm"], rows["lemma"], rows["upos"])
        words, sents = self.merge_entities(words, rows["ent_id"], rows["sent"])
        words = self.boilerplate(words)
        words = self.filter(words)
        return self.segments(words, sents)


def _tidy(token: str) -> str:
    if "_" not in token:
        return token
    token = token.replace("'_", "'")
    for a, b in _CONTRACTIONS:
        token = token.replace(a, b)
    return token


def _final_tokens(segment: Sequence[str]) -> list[str]:
    """Step 5: drop connectors left alone after phrasing; ``milliard_d'_euro`` ->
    ``milliard_d'euro``, ``conseil_de_les_ministre`` -> ``conseil_des_ministre``."""
    return [_tidy(t) for t in segment if t not in CONNECTOR_WORDS]


def final_tokens_with_surfaces(segments: Sequence[tuple[Sequence[str], Sequence[str]]],
                               phraser: Any) -> tuple[list[str], list[str]]:  # fmt: skip
    """A document's final tokens (phrased, as :func:`_final_tokens`) and the surface string of
    each, from its ``(tokens, surfaces)`` segments (:meth:`_BatchProcessor.process` with
    ``with_surfaces``)."""
    toks: list[str] = []
    shown: list[str] = []
    for seg, surf in segments:
        pairs = align_phrases(phraser, seg, surf) if phraser is not None else zip(seg, surf, strict=True)
        for t, f in pairs:
            if t not in CONNECTOR_WORDS:
                toks.append(_tidy(t))
                shown.append(f)
    return toks, shown


# --------------------------------------------------------------------------- token table


def _entities_available(path: Path) -> bool:
    """True when any row of the token table belongs to an entity (row-group statistics)."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    if "ent_id" not in names:
        return False
    idx = names.index("ent_id")
    for rg in range(pf.metadata.num_row_groups):
        col = pf.metadata.row_group(rg).column(idx)
        st = col.statistics
        if st is None or not st.has_min_max:
            # no statistics: read the column of this row group
            import pyarrow.compute as pc

            arr = pf.read_row_group(rg, columns=["ent_id"]).column(0)
            if len(arr) and pc.max(arr).as_py() is not None and pc.max(arr).as_py() >= 0:
                return True
        elif st.max is not None and st.max >= 0:
            return True
    return False


def iter_document_rows(path: Path, batch_size: int = 65_536) -> Iterator[tuple[str, dict[str, list]]]:
    """Stream the token table one document at a time: ``(doc_id, {column: list})``.

    Rows of one document are contiguous (the annotation writes documents in order); a
    document may span record batches.
    """
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    missing = [c for c in ("doc_id", "sent", "form", "lemma", "upos") if c not in names]
    if missing:
        raise InputError(f"token table lacks column(s) {', '.join(missing)}; re-run fnt annotate", path=str(path))
    cols = [c for c in _COLUMNS if c in names]
    pending_id: str | None = None
    pending: dict[str, list] = {c: [] for c in _COLUMNS}
    seen: set[str] = set()
    for batch in pf.iter_batches(batch_size=batch_size, columns=cols):
        data = {c: batch.column(c).to_pylist() for c in cols}
        n = batch.num_rows
        if "norm" not in data:
            data["norm"] = data["form"]
        if "ent_id" not in data:
            data["ent_id"] = [-1] * n
        ids = data["doc_id"]
        start = 0
        for i in range(1, n + 1):
            if i == n or ids[i] != ids[start]:
                did = ids[start]
                if did != pending_id:
                    if pending_id is not None:
                        yield pending_id, pending
                        seen.add(pending_id)
                    if did in seen:
                        raise InputError(
                            "token table rows of a document are not contiguous; re-run fnt annotate",
                            path=str(path), doc_id=did,
                        )  # fmt: skip
                    pending_id = did
                    pending = {c: data[c][start:i] for c in _COLUMNS}
                else:
                    for c in _COLUMNS:
                        pending[c].extend(data[c][start:i])
                start = i
    if pending_id is not None:
        yield pending_id, pending


# --------------------------------------------------------------------------- fast (batch) path


def _iter_tables(path: Path, batch_size: int = 262_144):
    """Yield pyarrow tables holding whole documents (a document never spans two tables)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    missing = [c for c in ("doc_id", "sent", "form", "lemma", "upos") if c not in names]
    if missing:
        raise InputError(f"token table lacks column(s) {', '.join(missing)}; re-run fnt annotate", path=str(path))
    cols = [c for c in _COLUMNS if c in names]
    carry = None
    for batch in pf.iter_batches(batch_size=batch_size, columns=cols):
        table = pa.Table.from_batches([batch])
        if carry is not None:
            table = pa.concat_tables([carry, table])
        n = table.num_rows
        if n == 0:
            continue
        ids = table.column("doc_id")
        last = ids[n - 1]
        # rows of the last document may continue in the next batch
        import pyarrow.compute as pc

        is_last = pc.equal(ids, last)
        first_last = n - int(pc.sum(is_last).as_py())
        if first_last == 0:
            carry = table
            continue
        carry = table.slice(first_last)
        yield table.slice(0, first_last)
    if carry is not None and carry.num_rows:
        yield carry


class _BatchProcessor:
    """The steps of :class:`_Processor`, vectorised over a table of many documents.

    Decisions are made once per distinct (token, form, part of speech) and broadcast with
    numpy, so the Python work is proportional to the number of distinct words and of kept
    tokens, not of rows. :func:`explain` runs the reference per-word implementation; a test
    checks that both agree.
    """

    def __init__(self, proc: _Processor) -> None:
        self.proc = proc
        self.cfg = proc.cfg

    def _texts(self, table, surfaces: bool = False):
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        def col(name):
            if name in table.column_names:
                return pc.fill_null(table.column(name), "")
            return pa.chunked_array([pa.array([""] * table.num_rows)])

        form = col("form")
        norm = col("norm") if "norm" in table.column_names else form
        norm = pc.if_else(pc.equal(norm, ""), form, norm)
        lemma = col("lemma")
        upos = pc.if_else(pc.equal(col("upos"), ""), "X", col("upos"))
        unit = self.cfg.unit
        src = lemma if unit == "lemma" else norm if unit == "norm" else form
        src = pc.if_else(pc.equal(src, ""), norm, src)
        if unit == "lemma":
            src = pc.if_else(pc.equal(upos, "PROPN"), norm, src)
        text = pc.utf8_normalize(pc.replace_substring(src, "’", "'"), form="NFC")
        if self.cfg.lowercase:
            text = pc.utf8_lower(text)
        flow = pc.utf8_lower(pc.replace_substring(norm, "’", "'"))
        as_np = lambda a: np.asarray(a.to_numpy(zero_copy_only=False), dtype=object)  # noqa: E731
        if surfaces:  # the words as written (case kept), for display forms
            surf = pc.utf8_normalize(pc.replace_substring(norm, "’", "'"), form="NFC")
            return as_np(text), as_np(flow), as_np(upos), as_np(surf)
        return as_np(text), as_np(flow), as_np(upos), None

    def process(self, table, with_sentences: bool = False, with_surfaces: bool = False):
        """``[(doc_id, segments)]`` (or ``[(doc_id, [(sent, segments)])]``) for a table.

        With ``with_surfaces`` each segment is a pair ``(tokens, surfaces)``: the surface string
        of every token (the words as written, case kept; a merged entity's words joined).
        """
        import numpy as np
        import pandas as pd

        proc = self.proc
        n = table.num_rows
        text, form, upos, surf = self._texts(table, with_surfaces)
        doc = np.asarray(table.column("doc_id").to_numpy(zero_copy_only=False), dtype=object)
        sent = table.column("sent").to_numpy().astype(np.int64)
        if "ent_id" in table.column_names:
            ent = np.asarray(table.column("ent_id").fill_null(-1).to_numpy(), dtype=np.int64)
        else:
            ent = np.full(n, -1, dtype=np.int64)
        alive = np.ones(n, dtype=bool)  # False: absorbed into a merged entity
        # ---- step 2: entity merging (python only on multi-word spans)
        if self.cfg.merge_entities and n:
            same_doc = np.r_[False, doc[1:] == doc[:-1]]
            same_sent = same_doc & np.r_[False, sent[1:] == sent[:-1]]
            if proc.entities_available:
                inside = ent >= 0
                cont = same_sent & inside & np.r_[False, ent[1:] == ent[:-1]]
            else:
                inside = upos == "PROPN"
                cont = same_sent & inside & np.r_[False, inside[:-1]]
            starts = np.flatnonzero(inside & ~cont)
            not_cont = np.r_[np.flatnonzero(~cont), n]
            ends = not_cont[np.searchsorted(not_cont, starts, side="right")]
            multi = ends - starts >= 2
            for s, nxt in zip(starts[multi].tolist(), ends[multi].tolist(), strict=True):
                span = [_Word(text[i], form[i], upos[i]) for i in range(s, nxt)]
                while len(span) > 1 and span[0].form in proc._edge_words:
                    span = span[1:]
                while len(span) > 1 and span[-1].form in proc._edge_words:
                    span = span[:-1]
                parts = [w.form for w in span if _HAS_LETTER.search(w.form)]
                if not parts:
                    continue
                if surf is not None:  # the same trimming, on row indices
                    a, b = s, nxt
                    while b - a > 1 and form[a] in proc._edge_words:
                        a += 1
                    while b - a > 1 and form[b - 1] in proc._edge_words:
                        b -= 1
                    shown = [surf[i] for i in range(a, b) if _HAS_LETTER.search(form[i])]
                    surf[s] = join_surface(shown) if len(parts) > 1 else shown[0]
                alive[s + 1 : nxt] = False
                if len(parts) > 1:
                    t = "_".join(p.strip("'") if k == len(parts) - 1 else p for k, p in enumerate(parts))
                    t = re.sub(r"'_", "'", t)
                    text[s], form[s], upos[s] = t, t, "PROPN"
                else:
                    w = span[0] if len(span) == 1 else next(w for w in span if _HAS_LETTER.search(w.form))
                    text[s], form[s] = w.text, w.form
                    upos[s] = "PROPN" if w.upos not in ("DET", "ADP") else w.upos
        # integer codes: every later step compares integers, not strings
        tc, tu = pd.factorize(text)
        fc, fu = pd.factorize(form)
        uc, uu = pd.factorize(upos)
        dc, _ = pd.factorize(doc)
        tu, fu, uu = list(tu), list(fu), list(uu)
        # ---- step 3a: boilerplate
        bp_drop = np.zeros(n, dtype=bool)
        if proc.bp_multi and n:
            fidx = {f: i for i, f in enumerate(fu)}
            for seq in proc.bp_multi:
                L = len(seq)
                ids = [fidx.get(w, -1) for w in seq]
                if n < L or -1 in ids:
                    continue
                m = fc[: n - L + 1] == ids[0]
                for j in range(1, L):
                    if not m.any():
                        break
                    m &= fc[j : n - L + 1 + j] == ids[j]
                for i in np.flatnonzero(m):
                    bp_drop[i : i + L] = True
        if proc.bp_single and n:
            single = proc.bp_single
            f_in = np.fromiter((f in single for f in fu), dtype=bool, count=len(fu))
            t_in = np.fromiter((t in single for t in tu), dtype=bool, count=len(tu))
            bp_drop |= f_in[fc] | t_in[tc]
        # ---- step 3b: decisions per distinct (text, form, upos)
        nf, nu = max(len(fu), 1), max(len(uu), 1)
        combo = (tc.astype(np.int64) * nf + fc) * nu + uc
        cc, cu = pd.factorize(combo)
        cache = proc._cache
        decide = proc._decide
        table_codes = np.empty(len(cu), dtype=np.int8)
        for u, value in enumerate(cu.tolist()):
            t, rest = divmod(value, nf * nu)
            f, pos = divmod(rest, nu)
            key = (tu[t], fu[f], uu[pos])
            d = cache.get(key)
            if d is None:
                d = decide(key[0].lower(), key[1], key[2])
                if len(cache) < 2_000_000:
                    cache[key] = d
            table_codes[u] = d
        code = table_codes[cc] if n else np.zeros(0, dtype=np.int8)
        code[bp_drop] = 0
        code[~alive] = -1  # absorbed into a merged entity: neither kept nor a break
        # ---- step 3c: segments = runs of kept words (connectors inside), cut at dropped words
        rows = np.flatnonzero(code != -1)
        code_r, doc_r, sent_r = code[rows], dc[rows], sent[rows]
        m = len(rows)
        new_sent = np.ones(m, dtype=bool)
        if m > 1:
            new_sent[1:] = (doc_r[1:] != doc_r[:-1]) | (sent_r[1:] != sent_r[:-1])
        seg_all = np.cumsum(new_sent | (code_r == 0))
        P = np.flatnonzero(code_r > 0)
        segP = seg_all[P]
        kept = code_r[P] == 1
        sel = kept.copy()
        if len(P):
            def _seen(flags, segs):
                start = np.r_[True, segs[1:] != segs[:-1]]
                cs = np.cumsum(flags)
                starts = np.flatnonzero(start)
                base = np.repeat(cs[starts] - flags[starts], np.diff(np.r_[starts, len(flags)]))
                return (cs - base) > 0

            before = _seen(kept, segP)
            after = _seen(kept[::-1], segP[::-1])[::-1]
            sel |= before & after
        idx = rows[P[sel]]
        conn = code[idx] == 2
        tokens = np.where(conn, form[idx], text[idx]).tolist()
        shown = surf[idx].tolist() if surf is not None else None
        seg_sel = segP[sel]
        out_segs: dict[Any, list] = {}
        if len(idx):
            bounds = np.flatnonzero(seg_sel[1:] != seg_sel[:-1]) + 1
            starts = np.r_[0, bounds].tolist()
            ends = np.r_[bounds, len(idx)].tolist()
            seg_docs = doc[idx[starts]].tolist()
            seg_sents = sent[idx[starts]].tolist()
            for d, s, a, b in zip(seg_docs, seg_sents, starts, ends, strict=True):
                seg = (tokens[a:b], shown[a:b]) if shown is not None else tokens[a:b]
                item = (s, seg) if with_sentences else seg
                lst = out_segs.get(d)
                if lst is None:
                    out_segs[d] = [item]
                else:
                    lst.append(item)
        return [(d, out_segs.get(d, [])) for d in dict.fromkeys(doc.tolist())]


