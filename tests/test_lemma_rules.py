"""Suffix rules of the fallback lemmatiser that used to turn words into non-words.

Found on the Le Monde 2022 vocabulary with ``benchmarks/lemma_rules_lemonde.py`` (words the
fast tagger tagged ADJ, then rewrote with an adjective suffix rule).
"""

import pytest

from toolkit.annotation.lemmas import adjective_lemma, fallback_lemma


@pytest.mark.parametrize(
    "form, expected",
    [
        # -aux -> -al only when the -al word exists
        ("taux", "taux"), ("faux", "faux"), ("nationaux", "national"),
        # -euse: agent nouns stay, adjectives in -eux still get their masculine
        ("chanteuse", "chanteuse"), ("joueuse", "joueuse"), ("porteuse", "porteuse"),
        ("précieuse", "précieux"), ("creuse", "creux"), ("heureuse", "heureux"), ("sérieuse", "sérieux"),
        # nouns the lexicon knows as their own lemma are not cut (-ive, -elle, -enne, -ée)
        ("tentative", "tentative"), ("initiative", "initiative"), ("rebelle", "rebelle"),
        ("antenne", "antenne"), ("pérenne", "pérenne"), ("idée", "idée"), ("année", "année"),
        # verb forms mis-tagged ADJ keep their form instead of becoming non-words
        ("vienne", "vienne"), ("cultive", "cultive"),
        # the rules still work where they should
        ("sportive", "sportif"), ("actives", "actif"), ("européennes", "européen"),
    ],
)  # fmt: skip
def test_adjective_rules_keep_words(form, expected):
    assert adjective_lemma(form) == expected
    assert fallback_lemma(form, "ADJ") == expected


def test_taux_as_noun_and_adjective():
    assert fallback_lemma("taux", "NOUN") == "taux"
    assert fallback_lemma("Taux", "ADJ") == "Taux"  # unknown capitalised word: kept as written
