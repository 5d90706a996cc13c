"""Does a message contain one of its program's risk phrases?

Both sides are normalised the same way (``normalise``): Unicode NFKC, accents
removed (NFKD without combining marks), case folded, typographic apostrophes
made plain, every run of non-word characters (spaces, punctuation, line breaks)
made one space. A phrase matches on whole words: "suicide" matches "Suicide!"
and "SUÏCIDE" but not "suicideproof"; "hacerme dano" and "hacerme daño"
are the same phrase. Pure functions, no queries."""

import re
import unicodedata


def normalise(text):
    """``text`` lower-cased without accents, words separated by one space."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    # Apostrophes are part of a word ("can't"); everything else that is not a word character separates.
    return " ".join(re.findall(r"[\w']+", plain))


def matching_phrases(body, phrases):
    """The phrases (as given) found in ``body`` on whole-word boundaries, in the order given."""
    text = f" {normalise(body)} "
    found = []
    for phrase in phrases:
        needle = normalise(phrase)
        if needle and f" {needle} " in text:
            found.append(phrase)
    return found
