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
* Latin text with both kinds of Romanian cues — a Romanian-only letter (ă ș ț, no ő ű) *and*
  at least two Romanian function words making up a quarter of the words — is ``ro`` without
  asking lingua (rule ``romanian_letters_and_words``, confidence ``0.5 + 0.1 × function
  words``, at most 1): lingua is the expensive part (~0.9 ms a post) and on such texts it
  only ever confirmed Romanian (measured in docs/performance.md).
* Latin text with a Romanian-only letter, at least one Romanian function word and none of the
  frequent words of the other languages (:data:`FOREIGN_FUNCTION_WORDS`) is ``ro`` too (rule
  ``romanian_letters_no_foreign_words``, same confidence): posts full of names and nouns ("ANAF a
  publicat ghidul pentru declarația unică"). An English or French sentence naming Timișoara holds
  a foreign function word and still goes to lingua (docs/performance.md, item 20).
* Other Latin text takes lingua's best language. Romanian cues (ă ș ț, or at least two Romanian
  function words making up a quarter of the words) make it ``ro`` when lingua's best guess is
  Romanian anyway or lingua is unsure (< :data:`CUE_OVERRIDE_BELOW`); without cues, a best
  guess under :data:`MIN_CONFIDENCE` is ``und``.

lingua's scores are memoised per process (:data:`SCORE_CACHE_SIZE` texts): copies of a post
(campaigns, copy-paste) are scored once.
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

SCORE_CACHE_SIZE = 8192

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
# Frequent words of the other Latin-script languages that are not common Romanian words (diacritics
# removed). One of them in a text with Romanian letters sends it to lingua (a Romanian place name in an
# English or French sentence); without one, Romanian letters and a Romanian function word decide.
# A word here that is also Romanian only costs a lingua call, never a label.
FOREIGN_FUNCTION_WORDS = frozenset(
    # English
    "the and of to is was were with that this for you have has be not it on at from by they we he she"
    " what which will would there their or but if my your all so just about been can our his her them"
    " who how when where why than then also only very out up yes get one people like know think good"
    " new because into some any do does did thanks please"
    # French
    " je vous nous ils elle elles les du est et une que qui pour avec mais aux cette sont ont etre"
    " tres comme leur dans pas ou sur son suis sommes etes avons avez ete cest jai quil"
    # Italian
    " lo gli della delle dei degli che di non sono per questo questa anche piu perche molto tutto"
    " essere hanno nel nella alla del con uno sei siamo"
    # Spanish
    " los las que por para pero muy esta es como sus yo hay todo tiene donde cuando tambien mas nos"
    " su ha estoy somos"
    # German
    " der die das und ist nicht ein eine mit sich auf fur dem den von zu ich sie wir auch wie oder"
    " aber nach bei aus wenn noch nur"
    # Hungarian
    " az hogy nem egy van meg csak mint vagy ez azt volt lesz kell itt ott nagyon koszonom koszonjuk"
    " mar".split()
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


@lru_cache(maxsize=SCORE_CACHE_SIZE)
def _scores(text: str) -> dict[str, float]:
    """lingua's confidence per language (memoised; callers must not modify the result)."""
    return {_iso(c.language): float(c.value) for c in _detector().compute_language_confidence_values(text)}


def _is_cyrillic(ch: str) -> bool:
    return "CYRILLIC" in unicodedata.name(ch, "")


# Blocks that hold characters named CYRILLIC (Cyrillic, Supplement, Extended-A/B/C/D,
# phonetic extensions, combining half marks); the class keeps exactly the named ones, so
# counting its matches equals counting ``_is_cyrillic`` characters (tested over all code points).
_CYRILLIC_BLOCKS = (
    (0x0400, 0x052F), (0x1C80, 0x1C8F), (0x1D00, 0x1DBF), (0x2DE0, 0x2DFF), (0xA640, 0xA69F),
    (0xFE20, 0xFE2F), (0x1E030, 0x1E08F),
)  # fmt: skip
_CYRILLIC = re.compile(
    "["
    + "".join(
        re.escape(chr(cp)) for lo, hi in _CYRILLIC_BLOCKS for cp in range(lo, hi + 1) if _is_cyrillic(chr(cp))
    )
    + "]"
)


def detect(text: str | None) -> LangResult:
    """Language of a normalised (ideally already masked) post."""
    if not text:
        return LangResult(UND, 0.0, "empty")
    return detect_residual(residual_text(text))


def detect_residual(residual: str) -> LangResult:
    """:func:`detect` for a text already passed through ``residual_text`` (saves doing it twice)."""
    residual = _PLACEHOLDER.sub(" ", residual)
    words = [w for w in _WORD.findall(residual) if len(w) >= 2]
    letters = sum(len(w) for w in words)
    if letters < MIN_LETTERS or not words:
        return LangResult(UND, 0.0, "too_short")
    clean = " ".join(words)
    cyrillic = len(_CYRILLIC.findall(clean)) if not clean.isascii() else 0
    if cyrillic * 2 > letters:
        return _detect_cyrillic(clean, words)
    return _detect_latin(clean, words)


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
    folded = [strip_diacritics(w).lower() for w in words]
    hits = sum(1 for w in folded if w in RO_FUNCTION_WORDS)
    ro_words = hits >= 2 and hits / len(words) >= 0.25
    if ro_letters and ro_words:
        return LangResult("ro", min(1.0, 0.5 + 0.1 * hits), "romanian_letters_and_words")
    if ro_letters and hits and not any(w in FOREIGN_FUNCTION_WORDS for w in folded):
        return LangResult("ro", min(1.0, 0.5 + 0.1 * hits), "romanian_letters_no_foreign_words")
    scores = _scores(clean)
    best, conf = max(scores.items(), key=lambda kv: kv[1]) if scores else (UND, 0.0)
    ro_cues = ro_letters or ro_words
    if ro_cues and (best == "ro" or conf < CUE_OVERRIDE_BELOW):
        return LangResult("ro", max(scores.get("ro", 0.0), 0.5), "romanian_cues")
    if conf < MIN_CONFIDENCE:
        return LangResult(UND, conf, "low_confidence")
    return LangResult(best, conf, "lingua")
