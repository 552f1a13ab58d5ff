"""Text normalisation for Romanian social posts: diacritics, placeholders, emoji, negation scope.

Every text goes through :func:`clean_text` (canonical Unicode form, kept in prepared splits) and
then :func:`analyse` (the feature streams the model sees). Both are pure and deterministic.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Cedilla forms (legacy encodings) -> comma-below forms (correct Romanian orthography).
_CEDILLA_PAIRS = (("ş", "ș"), ("Ş", "Ș"), ("ţ", "ț"), ("Ţ", "Ț"))
# Diacritics-free key: the form most social posts (and LaRoSeDa) are written in.
_STRIP_PAIRS = (("ă", "a"), ("â", "a"), ("î", "i"), ("ș", "s"), ("ț", "t"), ("Ă", "A"), ("Â", "A"),
                ("Î", "I"), ("Ș", "S"), ("Ț", "T"))

PLACEHOLDERS = ("CNP", "PHONE", "EMAIL", "IBAN", "PLATE", "URL", "USER")
# "<EMAIL>", "< email >" and the "<|EMAIL|>" form some corpora use for masked mentions.
_PLACEHOLDER_RE = re.compile(r"<\s*\|?\s*(" + "|".join(PLACEHOLDERS) + r")\s*\|?\s*>", re.IGNORECASE)
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_USER_RE = re.compile(r"(?<!\w)@\w+")
_HASHTAG_RE = re.compile(r"#(\w+)")
_ELONGATION_RE = re.compile(r"(\w)\1{2,}")
_PUNCT_RUN_RE = re.compile(r"([!?.])\1{2,}")
_DIGITS_RE = re.compile(r"\d+")
# "n-a", "n-am", "nu-i" -> "nu a", "nu am", "nu i" so the negator is a token of its own.
_NEG_CLITIC_RE = re.compile(r"\bn-(?=[a-z])")
_NU_HYPHEN_RE = re.compile(r"\bnu-(?=[a-z])")
_OTHER_HYPHEN_RE = re.compile(r"\b([a-z]+)-(?=[a-z])")

# Emoticons (checked before punctuation is split off). Order matters: longer first.
_EMOTICONS_POS = (":-)", ":)", ":-d", ":d", ";-)", ";)", "=)", ":p", ":-p", "<3", "xd", "^^", ":*")
_EMOTICONS_NEG = (":'(", ":-(", ":(", ":/", ":-/", "</3", ">:(", ":|", ":\\", "=(")
_EMOTICON_RE = re.compile(
    r"(?<!\w)("
    + "|".join(re.escape(e) for e in sorted(_EMOTICONS_POS + _EMOTICONS_NEG, key=len, reverse=True))
    + r")(?!\w)"
)

# A small emoji lexicon: codepoints grouped by the sentiment they usually carry in posts.
_EMOJI_POS = set(
    "😀😃😄😁😆😊🙂🙃😉😍🥰😘😗😙😚😋😛😜🤪😝🤗🤩🥳😎👍👏🙌💪🎉🎊✨🌞🌹🌸🌺💐🌷❤💕💖💗💓💞💘💝🧡💛💚💙💜"
    "🤍🤎♥☺✅🆗💯🔥👌🤝🙏😇🥂🍾🏆⭐🌟😂🤣😅😸😻"
)
_EMOJI_NEG = set(
    "😞😔😟😕🙁☹😣😖😫😩🥺😢😭😤😠😡🤬🤯😳😱😨😰😥😓🤢🤮💩👎💔😒🙄😑😬🤦🤥😷🤒🤕☠💀⚠❌🚫😪😿😾👿😈🖕"
)
_EMOJI_NEU = set("🤔😐😶🤷👀📢📣📌📍🗳🏛📰")
_EMOJI_RE = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF]"
)
_SKIN_AND_JOINERS = re.compile("[\U0001F3FB-\U0001F3FF\u200d\ufe0e\ufe0f]")

EMO_POS, EMO_NEG, EMO_NEU, EMO_OTHER = "xxemopos", "xxemoneg", "xxemoneu", "xxemo"

NEGATORS = frozenset({"nu", "nici", "niciodata", "nicio", "niciun", "niciuna", "niciunul", "fara", "nimic",
                      "nimeni", "deloc", "nicidecum", "not", "no"})
_SCOPE_BREAKERS = frozenset({"dar", "insa", "ci", "totusi", "iar", "si", "but"})
NEGATION_WINDOW = 3
_TOKEN_RE = re.compile(r"xx[a-z]+|[a-z0-9]+(?:'[a-z]+)?|[!?]+|[.,;:]")
_CLAUSE_END = frozenset({".", ",", ";", ":", "!", "?", "!!", "??", "?!", "!?"})
_NEGATOR_RE = re.compile(r"\b(?:" + "|".join(sorted(NEGATORS)) + r")\b")
# A word that is not a neutral placeholder token, or a positive/negative emoji token.
_SIGNAL_RE = re.compile(r"(?<![a-z0-9])(?!xx(?:cnp|phone|email|iban|plate|url|user|hash|emoneu|emo)\b)[a-z]")
_EMOTICON_CHARS = frozenset(":;=<^")

# Small polarity lexicon (diacritics-free forms). Used only for the optional xxpolpos/xxpolneg
# tokens, whose polarity flips inside a negation scope ("nu e rau" -> xxpolpos).
POLARITY_POSITIVE = frozenset("""
bun buna buni bune bine excelent excelenta excelente minunat minunata minunate frumos frumoasa frumosi
frumoase perfect perfecta perfecte super superb superba grozav grozava extraordinar extraordinara
fantastic fantastica multumit multumita multumiti multumesc multumim recomand ok corect corecta util
utila utile placut placuta placute fericit fericita fericiti bravo felicitari mersi calitate rapid
rapida eficient eficienta fain faina misto genial geniala incantat incantata iubesc apreciez
""".split())
POLARITY_NEGATIVE = frozenset("""
rau rea rai rele prost proasta prosti proaste groaznic groaznica groaznice oribil oribila oribile
slab slaba slabe nasol nasoala naspa jalnic jalnica dezamagit dezamagita dezamagiti dezamagire
mizerie mizerabil mizerabila rusine teapa hot hoti furt defect defecta stricat stricata problema
probleme greu grea scump scumpa scumpe inutil inutila urat urata urate trist trista tristete enervant
nervos furios frica groaza pericol periculos corupt corupti coruptie minciuna mincinos dezastru jale
""".split())
_POLARITY_RE = re.compile(r"\b(?:" + "|".join(sorted(POLARITY_POSITIVE | POLARITY_NEGATIVE)) + r")\b")
POL_POS, POL_NEG = "xxpolpos", "xxpolneg"


def clean_text(text: object) -> str:
    """Canonical Unicode form: NFC, comma-below ș/ț, HTML entities decoded, whitespace collapsed."""
    if text is None:
        return ""
    value = str(text)
    if "&" in value:
        value = html.unescape(value.replace("& gt ;", ">").replace("& lt ;", "<").replace("& amp ;", "&"))
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
        for cedilla, comma in _CEDILLA_PAIRS:
            if cedilla in value:
                value = value.replace(cedilla, comma)
    return " ".join(value.split())


def strip_diacritics(text: str) -> str:
    """Diacritics-free key (ă/â→a, î→i, ș→s, ț→t), the form most posts and LaRoSeDa use."""
    if text.isascii():
        return text
    for accented, plain in _STRIP_PAIRS:
        if accented in text:
            text = text.replace(accented, plain)
    return text


def _emoji_token(char: str) -> str:
    if char in _EMOJI_POS:
        return EMO_POS
    if char in _EMOJI_NEG:
        return EMO_NEG
    if char in _EMOJI_NEU:
        return EMO_NEU
    return EMO_OTHER


def _replace_emoji(match: re.Match[str]) -> str:
    return f" {_emoji_token(match.group(0))} "


def _replace_emoticon(match: re.Match[str]) -> str:
    return f" {EMO_POS if match.group(1) in _EMOTICONS_POS else EMO_NEG} "


@dataclass(frozen=True)
class Analysed:
    """Feature streams of one text: word tokens (negation-marked) and the plain character stream."""

    words: str
    chars: str
    has_signal: bool


def normalise_key(text: object) -> str:
    """Lower-case diacritics-free text with placeholders, URLs, users and emoji mapped to tokens."""
    value = clean_text(text)
    if "<" in value:
        value = _PLACEHOLDER_RE.sub(lambda m: f" xx{m.group(1).lower()} ", value)
    if "://" in value or "www." in value or "WWW." in value:
        value = _URL_RE.sub(" xxurl ", value)
    if "@" in value:
        value = _USER_RE.sub(" xxuser ", _EMAIL_RE.sub(" xxemail ", value))
    if not value.isascii():
        value = _EMOJI_RE.sub(_replace_emoji, _SKIN_AND_JOINERS.sub("", value))
        value = strip_diacritics(value.lower())
    else:
        value = value.lower()
    if "xd" in value or not _EMOTICON_CHARS.isdisjoint(value):
        value = _EMOTICON_RE.sub(_replace_emoticon, value)
    if "#" in value:
        value = _HASHTAG_RE.sub(r" xxhash \1 ", value)
    value = _ELONGATION_RE.sub(r"\1", value)
    value = _PUNCT_RUN_RE.sub(r"\1\1", value)
    value = _DIGITS_RE.sub("0", value)
    if "-" in value:
        value = _NEG_CLITIC_RE.sub("nu ", value)
        value = _NU_HYPHEN_RE.sub("nu ", value)
        value = _OTHER_HYPHEN_RE.sub(r"\1 ", value)
    return " ".join(value.split())


def mark_negation(tokens: list[str], window: int = NEGATION_WINDOW) -> list[str]:
    """Prefix up to ``window`` tokens after a negator with ``neg_`` (scope ends at punctuation/"dar")."""
    out: list[str] = []
    remaining = 0
    for token in tokens:
        if token in _CLAUSE_END or token in _SCOPE_BREAKERS:
            remaining = 0
            out.append(token)
        elif token in NEGATORS:
            remaining = window
            out.append(token)
        elif remaining > 0 and not token.startswith("xx"):
            out.append("neg_" + token)
            remaining -= 1
        else:
            out.append(token)
    return out


def _polarity(tokens: list[str], negated: bool) -> tuple[list[str], list[str] | None]:
    """Polarity tokens for lexicon words (flipped when ``neg_``-marked) and, if any word was flipped,
    the token list with flipped words replaced by their polarity token (for the char stream)."""
    extra: list[str] = []
    replaced: list[str] | None = None
    for i, token in enumerate(tokens):
        flip = negated and token.startswith("neg_")
        base = token[4:] if flip else token
        if base in POLARITY_POSITIVE:
            extra.append(POL_NEG if flip else POL_POS)
        elif base in POLARITY_NEGATIVE:
            extra.append(POL_POS if flip else POL_NEG)
        else:
            continue
        if flip:
            replaced = replaced or [t[4:] if t.startswith("neg_") else t for t in tokens]
            replaced[i] = extra[-1]
    return extra, replaced


def analyse(text: object, negation: bool = True, polarity: bool = False) -> Analysed:
    """Word stream (tokens, negation-marked if asked), char stream and the has-signal flag."""
    key = normalise_key(text)
    tokens = _TOKEN_RE.findall(key)
    negated = negation and _NEGATOR_RE.search(key) is not None
    if negated:
        tokens = mark_negation(tokens)
    chars = key
    if polarity and _POLARITY_RE.search(key):
        extra, replaced = _polarity(tokens, negated)
        tokens = tokens + extra
        chars = " ".join(replaced) if replaced is not None else key
        chars = f"{chars} {' '.join(extra)}"
    return Analysed(words=" ".join(tokens), chars=chars, has_signal=_SIGNAL_RE.search(key) is not None)
