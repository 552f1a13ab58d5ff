"""Romanian text normalisation shared by the topic model and the entity extractor."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# cedilla forms (ş ţ) are the legacy encoding of comma-below (ș ț); unify them first
_CEDILLA = str.maketrans({"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"})
_FOLD = str.maketrans(
    {"ă": "a", "â": "a", "î": "i", "ș": "s", "ț": "t", "Ă": "A", "Â": "A", "Î": "I", "Ș": "S", "Ț": "T"}
)
_URL = re.compile(r"https?://\S+|www\.\S+")
TOKEN = re.compile(r"[0-9a-zăâîșțA-ZĂÂÎȘȚ]+(?:-[a-zăâîșțA-ZĂÂÎȘȚ]+)*", re.UNICODE)


def normalise_cedilla(text: str) -> str:
    """Replace cedilla ş/ţ with comma-below ș/ț."""
    return text.translate(_CEDILLA)


def strip_diacritics(text: str) -> str:
    """Remove Romanian (and any other combining) diacritics, keeping case."""
    text = normalise_cedilla(text).translate(_FOLD)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case, diacritics-free key used for matching."""
    return strip_diacritics(text).lower()


def clean_for_model(text: str) -> str:
    """Fold text and drop URLs so that the classifier sees stable tokens."""
    return fold(_URL.sub(" ", text))


def tokens(text: str) -> list[str]:
    """Word tokens (letters/digits, inner hyphens kept) of already folded text."""
    return TOKEN.findall(text)


@lru_cache(maxsize=1)
def _lemma_table() -> dict[str, str]:
    """Romanian lemma lookup from spacy-lookups-data, keyed by folded form (no downloads).

    ``spacy.blank("ro")`` would load the same table lazily; reading the packaged JSON directly
    keeps the string keys (spaCy's ``Table`` stores hashes) so we can fold them.
    """
    import importlib.resources

    import srsly

    ref = importlib.resources.files("spacy_lookups_data") / "data" / "ro_lemma_lookup.json.gz"
    with importlib.resources.as_file(ref) as path:
        table: dict[str, str] = srsly.read_gzip_json(path)
    folded: dict[str, str] = {}
    for form, lem in table.items():
        folded.setdefault(fold(form), fold(lem))
    return folded


def lemma(token: str) -> str:
    """Lemma of a folded token (the token itself when the table does not know it)."""
    return _lemma_table().get(token, token)


def lemmas(text: str) -> list[str]:
    """Folded lemmas of a raw text."""
    table = _lemma_table()
    return [table.get(t, t) for t in tokens(clean_for_model(text))]
