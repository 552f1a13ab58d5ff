"""Text normalisation for Romanian social posts.

``normalise`` makes the display form: Unicode NFC, cedilla ş ţ Ş Ţ turned into the correct
comma-below ș ț Ș Ț, HTML tags and entities removed (RSS items, forum posts), invisible
characters dropped, whitespace collapsed. It is idempotent: it repeats its passes until the
text stops changing. ``match_key`` makes the key used for exact-duplicate matching: lower
case, no diacritics, no punctuation or emoji, single spaces — so "Școală", "Şcoala" and
"scoala" share one key. ``extract`` pulls URLs, @mentions, #hashtags and emoji out of a text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

CEDILLA_TO_COMMA = str.maketrans({"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"})

# Only real HTML element names are stripped, so "a < b", "<3" and the masking placeholders
# (<CNP>, <PHONE>...) survive a second pass.
_HTML_ELEMENTS = (
    "a abbr address article aside audio b big blockquote body br button caption center cite code col"
    " colgroup dd del details dfn div dl dt em embed fieldset figcaption figure font footer form h1 h2"
    " h3 h4 h5 h6 head header hr html i iframe img input ins kbd label legend li link main mark meta"
    " nav nobr noscript object ol optgroup option p param picture pre q s samp section select small"
    " source span strike strong style sub summary sup svg table tbody td textarea tfoot th thead time"
    " title tr tt u ul var video wbr"
).split()
_BLOCK_CONTENT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->|<!\[CDATA\[|\]\]>", re.DOTALL)
_TAG = re.compile(
    r"</?(?:" + "|".join(sorted(_HTML_ELEMENTS, key=len, reverse=True)) + r")(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff\u180e]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")

_EMOJI_BASE = (
    "[\U0001f300-\U0001faff\U0001f000-\U0001f02f\U0001f0a0-\U0001f0ff\U0001f170-\U0001f251"
    "\u2600-\u27bf\u2300-\u23ff\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u203c\u2049\u2122\u2139"
    "\u2194-\u2199\u21a9\u21aa\u3030\u303d\u3297\u3299]"
)
_EMOJI_MOD = "(?:\ufe0f|[\U0001f3fb-\U0001f3ff]|[\U000e0020-\U000e007f])*"
EMOJI = re.compile(
    "(?:[\U0001f1e6-\U0001f1ff]{2}"  # flags: two regional indicators
    "|[#*0-9]\ufe0f?\u20e3"  # keycaps
    f"|{_EMOJI_BASE}{_EMOJI_MOD}(?:\u200d{_EMOJI_BASE}{_EMOJI_MOD})*)"
)
URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'«»“”]+|\b(?:mailto|tel):[^\s<>\"']+",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?)]}'\""
MENTION = re.compile(r"(?<![\w@./])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,48}[A-Za-z0-9_])?)")
HASHTAG = re.compile(r"(?<![\w&#/])#(\w{2,100})")
_NON_KEY = re.compile(r"[\W_]+")
_MAX_PASSES = 8


# Characters that make a pass do more than NFC + cedilla fix + whitespace collapse. Text
# without any of them (nearly every post) skips the HTML, entity and invisible-character passes.
_NEEDS_FULL_PASS = re.compile("[<&>\u00ad\u200b\u2060\ufeff\u180e\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _one_pass(text: str) -> str:
    text = _nfc(text).translate(CEDILLA_TO_COMMA)
    if "<" in text or "]]>" in text:
        text = _BLOCK_CONTENT.sub(" ", text)
        text = _COMMENT.sub(" ", text)
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = _nfc(text).translate(CEDILLA_TO_COMMA)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def normalise(text: str | None) -> str:
    """NFC, comma-below ș/ț, no HTML, no invisible characters, single spaces; idempotent."""
    if not text:
        return ""
    if not _NEEDS_FULL_PASS.search(text):
        # Plain text: one pass is NFC, the cedilla fix and whitespace collapse, and its result
        # is already stable (NFC and the cedilla fix are idempotent and commute here), so the
        # confirming second pass of the loop below is skipped. Same result, tested against it.
        return _SPACES.sub(" ", _nfc(text).translate(CEDILLA_TO_COMMA)).strip()
    for _ in range(_MAX_PASSES):
        again = _one_pass(text)
        if again == text:
            break
        text = again
    return text


class _StripMap(dict[int, "int | str"]):
    """Code point → itself without combining marks (after NFD), filled on first sight.

    Dropping every combining mark of an NFD string is a per-character mapping (canonical
    reordering only moves combining marks), so ``str.translate`` with this table equals
    ``"".join(ch for ch in NFD(text) if not combining(ch))`` — about twice as fast.
    """

    def __missing__(self, cp: int) -> int | str:
        ch = chr(cp)
        stripped = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        value: int | str = cp if stripped == ch else stripped
        self[cp] = value
        return value


_STRIP = _StripMap()


def strip_diacritics(text: str) -> str:
    """Remove combining marks after canonical decomposition (ă→a, ș→s, ş→s, é→e...)."""
    if text.isascii():
        return text
    return text.translate(_STRIP)


def match_key(text: str | None) -> str:
    """Lower-case, diacritics-free, punctuation- and emoji-free key with single spaces."""
    if not text:
        return ""
    # casefold() folds Cherokee small letters to capitals; lower() after it makes the key lower case
    base = strip_diacritics(normalise(text)).casefold().lower()
    base = strip_diacritics(unicodedata.normalize("NFC", base))  # casefold can re-introduce marks
    return _NON_KEY.sub(" ", EMOJI.sub(" ", base)).strip()


@dataclass(frozen=True)
class Extracted:
    """URLs, mentions (handles without '@'), hashtags (lower case, no '#') and emoji of a text."""

    urls: list[str]
    mentions: list[str]
    hashtags: list[str]
    emoji: list[str]


def find_urls(text: str) -> list[tuple[int, int]]:
    """Spans of URLs, trailing punctuation excluded."""
    spans = []
    for m in URL.finditer(text):
        start, end = m.span()
        while end > start and text[end - 1] in _URL_TRAILING:
            end -= 1
        spans.append((start, end))
    return spans


def extract(text: str) -> Extracted:
    """Pull entities out of an already normalised text; mentions and hashtags outside URLs."""
    url_spans = find_urls(text)
    urls = [text[s:e] for s, e in url_spans]

    def outside(pos: int) -> bool:
        return not any(s <= pos < e for s, e in url_spans)

    mentions = [m.group(1) for m in MENTION.finditer(text) if outside(m.start())]
    hashtags = [m.group(1).casefold() for m in HASHTAG.finditer(text) if outside(m.start())]
    emoji = [m.group(0) for m in EMOJI.finditer(text)]
    return Extracted(urls=urls, mentions=mentions, hashtags=hashtags, emoji=emoji)


def residual_text(text: str) -> str:
    """The text without URLs, mentions, hashtags and emoji (for link-only and short-text checks)."""
    out = text
    for s, e in reversed(find_urls(out)):
        out = out[:s] + " " + out[e:]
    out = MENTION.sub(" ", out)
    out = HASHTAG.sub(" ", out)
    out = EMOJI.sub(" ", out)
    return _SPACES.sub(" ", out).strip()
