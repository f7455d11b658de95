"""Lemma rules shared by both tagging modes.

Numbers, ordinals, elided forms, pronouns (UD strong forms), abbreviations, inverted clitics,
hyphenated compounds, verbs, participles and adjectives unknown to the lexicon (simplemma and
suffix rules). :func:`fallback_lemma` is the entry point for a word the lexicon does not know.
"""

from __future__ import annotations

import functools
import logging
import re

log = logging.getLogger(__name__)

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


