"""Corrections shared by both tagging modes: entity typing and UPOS fixes.

A small gazetteer of frequent names in French news types entities (never adding one on a
function word) and, with :func:`entity_cue`, gives the fast entity model its cues; :func:`fix_upos` corrects UPOS (unknown capitalised words inside a sentence →
PROPN, a single *des* → DET, inverted clitics *-t-il* → PRON), measured on the UD dev sets.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from toolkit.annotation.features import FAST_TAGSET
from toolkit.annotation.lemmas import _known

log = logging.getLogger(__name__)

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
#: words that announce an organisation name after them (*ministère de la Guerre*, *parti
#: radical*, *Société générale*) or a place (*rue*, *département*): cues of the fast entity model
_ORG_HEADS = frozenset("""ministère parti société compagnie banque comité union ligue
conseil chambre assemblée commission syndicat fédération confédération association académie
université institut tribunal cour journal agence groupe gouvernement église armée école club
caisse office crédit cercle congrès sénat parlement mouvement front cie""".split())
_LOC_CUES = frozenset("""rue place boulevard avenue quai route pont port gare département ville
village commune région province canton île mont lac fleuve rivière vallée forêt""".split())


def entity_cue(word: str) -> str:
    """Gazetteer cue of a word for the fast entity model: ``"ORG"``/``"LOC"`` (known name),
    ``"title"`` (*M.*, *président*), ``"orghead"``, ``"loccue"`` or ``""``."""
    label = GAZETTEER.get(word)
    if label:
        return label
    low = word.lower()
    if low in _GAZ_PER_TITLES or low in ("mm", "mme.", "madame", "monsieur", "mgr", "docteur",
                                         "colonel", "capitaine", "lieutenant", "abbé"):
        return "title"
    if low in _ORG_HEADS:
        return "orghead"
    if low in _LOC_CUES:
        return "loccue"
    return ""


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


