"""Text encoding detection for Romanian CSV exports.

Heuristic (one streaming pass over the file, constant memory):

1. UTF-8 byte-order mark → ``utf-8-sig``.
2. The file decodes as UTF-8 (or is mostly valid UTF-8: valid multi-byte characters outnumber
   broken sequences 10 to 1, as after a truncated write; the bad bytes become U+FFFD) → ``utf-8``,
   unless a legacy reading is clearly more plausible. Short legacy texts can be valid UTF-8 by
   accident ("Îş" in Windows-1250 is the UTF-8 for Greek "κ", "Ă”" is "Ô"), so the UTF-8 reading is
   scored per character (×2, a character being two bytes): Romanian, Hungarian and Cyrillic letters
   +3, typographic punctuation and emoji +2, other Latin letters +1, C1 controls / Greek / Armenian /
   Hebrew / Arabic −5; legacy wins only with a strictly higher score (step 3's scoring).
3. Otherwise it is a legacy 8-bit code page: Windows-1250, ISO-8859-2 or ISO-8859-16. The three
   put the Romanian letters ă â î ş/ș ţ/ț at the *same* byte values, so letters alone cannot
   decide. The other bytes can: each high byte of the file is decoded in each candidate and
   scored — Romanian letters (+3), typographic punctuation a Romanian text plausibly uses
   („ ” “ « » – — … € ’) (+2), other letters (+0), and implausible characters (C1 control codes
   U+0080–U+009F, Ľ ľ ¤ and similar) (−5). Windows-1250 is impossible when the file holds a byte
   it leaves undefined (0x81 0x83 0x88 0x90 0x98). Highest score wins; ties go to Windows-1250
   (what Excel on Romanian Windows writes), then ISO-8859-16, then ISO-8859-2.

When nothing distinguishes them the choice only changes ş/ţ (cedilla) into ș/ț (comma below),
which the text normaliser treats as equal. A source whose encoding is known should say so in
``sources.toml`` (``encoding = "cp1250"``); that override skips detection.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections import Counter
from collections.abc import Iterable

from jobs.adapters.common import open_bytes

LEGACY_CANDIDATES = ("cp1250", "iso-8859-16", "iso-8859-2")
SUPPORTED = ("utf-8", "utf-8-sig", *LEGACY_CANDIDATES)
_ALIASES = {
    "utf8": "utf-8", "utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf_8_sig": "utf-8-sig",
    "cp1250": "cp1250", "windows-1250": "cp1250", "win1250": "cp1250",
    "iso-8859-2": "iso-8859-2", "latin2": "iso-8859-2", "iso8859-2": "iso-8859-2",
    "iso-8859-16": "iso-8859-16", "latin10": "iso-8859-16", "iso8859-16": "iso-8859-16",
}
ROMANIAN_LETTERS = frozenset("ăâîșşțţĂÂÎȘŞȚŢ")
PLAUSIBLE_PUNCT = frozenset("„”“«»–—…€’‘")
HUNGARIAN_LETTERS = frozenset("áéíóöőúüűÁÉÍÓÖŐÚÜŰ")
IMPLAUSIBLE = frozenset("ĽľĹĺ¤ŔŕŘřŮů˘˙˝˛ˇ")
_CHUNK = 1 << 20
# Characters that valid-UTF-8 decoding of legacy bytes produces (e.g. "Îş" in cp1250 is the valid
# UTF-8 for Greek "κ") but Romanian citizen text practically never contains.
_ASCII = bytes(range(128))


def normalize_encoding(name: str) -> str:
    """Canonical name of a supported encoding; ValueError for anything else."""
    key = name.strip().lower().replace("_", "-")
    if key not in _ALIASES:
        raise ValueError(f"unsupported encoding {name!r}; use one of {', '.join(SUPPORTED)}")
    return _ALIASES[key]


def _char_score(char: str) -> int:
    if char in ROMANIAN_LETTERS:
        return 3
    if char in PLAUSIBLE_PUNCT:
        return 2
    if char in IMPLAUSIBLE or unicodedata.category(char) == "Cc":
        return -5
    return 0


def _utf8_char_score(char: str) -> int:
    code = ord(char)
    if char in ROMANIAN_LETTERS or char in HUNGARIAN_LETTERS or 0x400 <= code <= 0x4FF:
        return 3
    if char in PLAUSIBLE_PUNCT or code >= 0x1F000 or 0x2600 <= code <= 0x27BF:
        return 2
    if 0x80 <= code <= 0x9F or 0x370 <= code <= 0x8FF:
        return -5
    if 0xC0 <= code <= 0x24F:
        return 1
    return 0


def score_utf8(chars: Counter[str]) -> int:
    """Plausibility of a UTF-8 reading from its non-ASCII characters, weighted by their byte length.

    Legacy readings score one character per byte, so each UTF-8 character counts once per byte
    it spans (a „ is three bytes that a cp1250 reading would see as three characters).
    """
    return sum(
        _utf8_char_score(c) * len(c.encode("utf-8")) * n for c, n in chars.items() if c > "\x7f" and c != "\ufffd"
    )


def score_legacy(high_bytes: Counter[int]) -> dict[str, int | None]:
    """Score of each legacy candidate for a histogram of bytes ≥ 0x80 (None = impossible)."""
    scores: dict[str, int | None] = {}
    for enc in LEGACY_CANDIDATES:
        total = 0
        for byte, count in high_bytes.items():
            try:
                char = bytes((byte,)).decode(enc)
            except UnicodeDecodeError:
                total = None  # type: ignore[assignment]
                break
            total += _char_score(char) * count
        scores[enc] = total
    return scores


def detect_bytes(chunks: Iterable[bytes]) -> str:
    """Encoding of a byte stream given as chunks (see module docstring)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    high: Counter[int] = Counter()
    first = True
    valid_multibyte = 0
    invalid = 0
    utf8_chars: Counter[str] = Counter()
    for chunk in chunks:
        if first:
            if chunk.startswith(codecs.BOM_UTF8):
                return "utf-8-sig"
            first = False
        high_only = chunk.translate(None, _ASCII)
        decoded = decoder.decode(chunk)
        if not high_only:
            continue
        high.update(high_only)
        bad = decoded.count("\ufffd")
        invalid += bad
        valid_multibyte += len(decoded) - len(decoded.encode("ascii", "ignore")) - bad
        utf8_chars.update(decoded)  # counted in C, no per-character list
    tail = decoder.decode(b"", final=True)
    invalid += tail.count("\ufffd")
    utf8_chars.update(tail)
    scores = score_legacy(high)
    possible = [(s, -i, enc) for i, (enc, s) in enumerate(scores.items()) if s is not None]
    best_score, _, best = max(possible)
    looks_utf8 = invalid == 0 or valid_multibyte >= 10 * invalid
    if looks_utf8 and best_score <= score_utf8(utf8_chars):
        return "utf-8"
    return best


def detect_encoding(path: str) -> str:
    """Encoding of a landing file (gzip-transparent), streaming in 1 MiB chunks."""

    def chunks() -> Iterable[bytes]:
        with open_bytes(path) as fh:
            while block := fh.read(_CHUNK):
                yield block

    return detect_bytes(chunks())
