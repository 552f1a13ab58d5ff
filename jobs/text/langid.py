"""Offline language identification tuned for Romanian civic posts.

Model: ``lingua-language-detector`` (its n-gram models ship inside the wheel; nothing is
downloaded), restricted to the languages that matter here: Romanian, Hungarian, English,
Russian, Ukrainian, plus French, German, Italian and Spanish so that those do not get
forced into Romanian. Around it:

* URLs, mentions, hashtags, emoji, masking placeholders and digits are removed first. Fewer
  than :data:`MIN_LETTERS` letters, or no word of two letters, is ``und``; a single word is
  ``und`` unless it carries a Romanian-only letter (ă ș ț).
* Cyrillic text is ``ro-Cyrl`` (Romanian written in the Moldovan Cyrillic alphabet, BCP 47
  script subtag; what is often called "Moldovan") when it contains ӂ or at least two
  Romanian cue words in Cyrillic spelling (ши, ын, пентру, есте, сынт, кэ..., any word starting
  with ы or ending in э), else
  Russian or Ukrainian as lingua decides between the two.
* Latin text takes lingua's best language. Romanian cues (ă ș ț, or at least two Romanian
  function words making up a quarter of the words) make it ``ro`` when lingua's best guess is
  Romanian anyway or lingua is unsure (< :data:`CUE_OVERRIDE_BELOW`); without cues, a best
  guess under :data:`MIN_CONFIDENCE` is ``und``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from jobs.text.normalise import residual_text, strip_diacritics

if TYPE_CHECKING:
    from lingua import LanguageDetector

UND = "und"
RO_CYRL = "ro-Cyrl"
MIN_LETTERS = 4
CUE_OVERRIDE_BELOW = 0.80
MIN_CONFIDENCE = 0.35

_PLACEHOLDER = re.compile(r"<(?:CNP|PHONE|EMAIL|IBAN|PLATE|USER)>")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_RO_ONLY = re.compile("[ăĂșȘțȚ]")
_HU_ONLY = re.compile("[őŐűŰ]")

# Romanian function words, diacritics removed; only words rare in en/hu/fr/it/es.
RO_FUNCTION_WORDS = frozenset(
    "si este sunt pentru din care mai nu sa fost fi sau dar cand unde cum asta acest aceasta"
    " foarte doar toti lor lui noi voi ei ea daca iar deja acum aici nici dupa despre pana"
    " spre fara intre ale cu pe la de ca ce mult multe niste nimic nimeni ceva tot toate"
    " am ai au avem aveti ar vor va ne ma te isi esti eu tu asa inca cine cat cei cele cel cea"
    " vreau trebuie poate bine azi ieri maine acolo".split()
)
# Romanian function words in Moldovan Cyrillic spelling (none is a common Russian/Ukrainian word).
MD_CYRILLIC_WORDS = frozenset(
    "ши ку ын ынтр ынтре дин пентру каре есте сынт сынтем фост кэ сэ ынсэ деспре доар фоарте"
    " бине мулт мулць ноастрэ ностру ачест ачаста ачастэ аича акум сау дакэ поате пе ла ам ау"
    " тоць лор луй нимик нимень ну май фэрэ песте ун уна аре".split()
)
_MD_ONLY = re.compile("[ӂӁ]")

_LANGS = (
    "ROMANIAN",
    "HUNGARIAN",
    "ENGLISH",
    "RUSSIAN",
    "UKRAINIAN",
    "FRENCH",
    "GERMAN",
    "ITALIAN",
    "SPANISH",
)
_lock = threading.Lock()


@dataclass(frozen=True)
class LangResult:
    """Language code, confidence 0..1 and the rule that decided it (for audits and tests)."""

    lang: str
    confidence: float
    rule: str


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    """One detector per Python process (Spark reuses its Python workers)."""
    from lingua import Language, LanguageDetectorBuilder

    with _lock:
        return LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in _LANGS)).build()


def _iso(language: object) -> str:
    return str(language.iso_code_639_1.name).lower()  # type: ignore[attr-defined]


def _scores(text: str) -> dict[str, float]:
    return {_iso(c.language): float(c.value) for c in _detector().compute_language_confidence_values(text)}


def _is_cyrillic(ch: str) -> bool:
    return "CYRILLIC" in unicodedata.name(ch, "")


def detect(text: str | None) -> LangResult:
    """Language of a normalised (ideally already masked) post."""
    if not text:
        return LangResult(UND, 0.0, "empty")
    residual = _PLACEHOLDER.sub(" ", residual_text(text))
    words = [w for w in _WORD.findall(residual) if len(w) >= 2]
    letters = sum(len(w) for w in words)
    if letters < MIN_LETTERS or not words:
        return LangResult(UND, 0.0, "too_short")
    cyrillic = sum(1 for w in words for ch in w if _is_cyrillic(ch))
    if cyrillic * 2 > letters:
        return _detect_cyrillic(" ".join(words), words)
    return _detect_latin(" ".join(words), words)


def _detect_cyrillic(clean: str, words: list[str]) -> LangResult:
    lowered = [w.lower() for w in words]
    # Romanian function words, words starting with ы (ын-, ынтр-: never in Ukrainian, hardly in
    # Russian) and words ending in э (the Moldovan spelling of final ă).
    hits = sum(
        1 for w in lowered if w in MD_CYRILLIC_WORDS or w.startswith("ы") or (len(w) > 2 and w.endswith("э"))
    )
    if _MD_ONLY.search(clean) or hits >= 2 or (hits == 1 and len(words) <= 3):
        return LangResult(RO_CYRL, min(1.0, 0.5 + 0.1 * hits), "moldovan_cyrillic_cues")
    if len(words) == 1:
        return LangResult(UND, 0.0, "single_word")
    scores = _scores(clean)
    ru, uk = scores.get("ru", 0.0), scores.get("uk", 0.0)
    if ru + uk == 0:
        return LangResult(UND, 0.0, "no_cyrillic_model_match")
    lang = "uk" if uk > ru else "ru"
    return LangResult(lang, max(ru, uk) / (ru + uk), "lingua_cyrillic")


def _detect_latin(clean: str, words: list[str]) -> LangResult:
    ro_letters = bool(_RO_ONLY.search(clean)) and not _HU_ONLY.search(clean)
    if len(words) == 1:
        if ro_letters:
            return LangResult("ro", 0.6, "single_word_ro_letters")
        return LangResult(UND, 0.0, "single_word")
    scores = _scores(clean)
    best, conf = max(scores.items(), key=lambda kv: kv[1]) if scores else (UND, 0.0)
    plain = [strip_diacritics(w).lower() for w in words]
    hits = sum(1 for w in plain if w in RO_FUNCTION_WORDS)
    ro_cues = ro_letters or (hits >= 2 and hits / len(words) >= 0.25)
    if ro_cues and (best == "ro" or conf < CUE_OVERRIDE_BELOW):
        return LangResult("ro", max(scores.get("ro", 0.0), 0.5), "romanian_cues")
    if conf < MIN_CONFIDENCE:
        return LangResult(UND, conf, "low_confidence")
    return LangResult(best, conf, "lingua")
