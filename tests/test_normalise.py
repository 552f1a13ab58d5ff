"""Normalisation: examples plus hypothesis properties (idempotence, diacritic-variant keys)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from jobs.text.normalise import extract, match_key, normalise, residual_text, strip_diacritics

RO_LETTERS = "abcdefghijklmnopqrstuvwxyzăâîșțşţ"
ro_text = st.text(
    alphabet=st.sampled_from(list(RO_LETTERS + RO_LETTERS.upper() + " .,!?-\n\t0123456789")), max_size=80
)
html_bits = st.sampled_from(
    ["<p>", "</p>", "<br/>", "<b>", "</b>", "&amp;", "&lt;", "&gt;", "&nbsp;", "&#351;", "&amp;lt;b&amp;gt;",
     "<a href='x'>", "</a>", "<script>x()</script>", "<!-- c -->", "<3", "a < b", "<CNP>", "\u200b", "\xa0"]
)  # fmt: skip
messy = st.lists(st.one_of(ro_text, html_bits, st.text(max_size=10)), max_size=12).map("".join)


def variants(text: str) -> list[str]:
    """The same text with and without diacritics, cedilla or comma-below, in other cases."""
    comma = text.replace("ş", "ș").replace("ţ", "ț").replace("Ş", "Ș").replace("Ţ", "Ț")
    cedilla = comma.replace("ș", "ş").replace("ț", "ţ").replace("Ș", "Ş").replace("Ț", "Ţ")
    return [text, comma, cedilla, strip_diacritics(text), text.upper(), cedilla.lower()]


def test_cedilla_becomes_comma_below() -> None:
    assert normalise("Şcoala din Ţara Bârsei, aşa şi aşa") == "Școala din Țara Bârsei, așa și așa"


def test_html_tags_and_entities_are_stripped() -> None:
    raw = "<p>Primăria&nbsp;Cluj &amp; Consiliul</p><br/><script>alert(1)</script>a &lt; b, <3 <CNP>"
    assert normalise(raw) == "Primăria Cluj & Consiliul a < b, <3 <CNP>"


def test_whitespace_and_invisibles_collapse() -> None:
    assert normalise("  a\u200b b\n\n\tc\xa0 d  ") == "a b c d"


def test_nfc() -> None:
    assert normalise("s\u0326i a\u0306") == "și ă"


def test_match_key() -> None:
    assert match_key("Școală ŞCOALĂ, scoala!! 😀") == "scoala scoala scoala"
    assert match_key("") == "" and match_key(None) == ""


def test_extract_entities() -> None:
    found = extract("Vezi https://x.ro/a?b=1. @Primaria_Cluj #Cluj #ȘCOALĂ 👍🏽 🇷🇴 👨‍👩‍👧 ion@x.ro")
    assert found.urls == ["https://x.ro/a?b=1"]
    assert found.mentions == ["Primaria_Cluj"]  # the e-mail is not a mention
    assert found.hashtags == ["cluj", "școală"]
    assert found.emoji == ["👍🏽", "🇷🇴", "👨\u200d👩\u200d👧"]
    assert residual_text("https://x.ro @ab #bv 😀") == ""


@settings(max_examples=300, deadline=None)
@given(messy)
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=300, deadline=None)
@given(ro_text)
def test_every_diacritic_variant_has_the_same_key(text: str) -> None:
    keys = {match_key(v) for v in variants(text)}
    assert len(keys) == 1


@settings(max_examples=200, deadline=None)
@given(messy)
@example("Ꭰ")  # Cherokee: str.casefold() maps its small letters to capitals (found by hypothesis)
def test_key_is_plain_lowercase_ascii_for_romanian(text: str) -> None:
    key = match_key(strip_diacritics(text) + " ăîșțâ")
    assert key == key.lower() and "  " not in key and key == key.strip()
    assert not any(ch in key for ch in "ăâîșțşţ")


def _normalise_by_passes(text: str) -> str:
    """The reference: full passes until the text stops changing (what normalise did before its fast path)."""
    from jobs.text.normalise import _MAX_PASSES, _one_pass

    if not text:
        return ""
    for _ in range(_MAX_PASSES):
        again = _one_pass(text)
        if again == text:
            break
        text = again
    return text


def _strip_by_nfd(text: str) -> str:
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


tricky = st.sampled_from(
    ["ş", "ţ", "Ş", "s\u0327", "s\u0326", "a\u0306", "e\u200b\u0301", "]]>", "<![CDATA[", "\x01", "\x85", "\u2028",
     "İ", "ß", "ﬁ", "Ω", "\u0344", "\u1e9b\u0323", "한국", "\ufeff", "\u00ad", " \t\n ", "&#x219;", "&amp;"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(ro_text, html_bits, tricky, st.text(max_size=10)), max_size=12).map("".join))
def test_fast_path_equals_full_passes(text: str) -> None:
    assert normalise(text) == _normalise_by_passes(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
def test_strip_diacritics_equals_nfd_without_combining_marks(text: str) -> None:
    assert strip_diacritics(text) == _strip_by_nfd(text)


def test_strip_diacritics_per_code_point_table_is_exact() -> None:
    """Every code point of the first planes, alone and before combining marks, against the NFD rule."""
    chars = [chr(c) for c in range(0x30000) if not 0xD800 <= c <= 0xDFFF]
    for ch in chars:
        assert strip_diacritics(ch) == _strip_by_nfd(ch), hex(ord(ch))
    sample = "".join(chars[::97]) + "s\u0326\u0327a\u0306\u0301"
    assert strip_diacritics(sample) == _strip_by_nfd(sample)
