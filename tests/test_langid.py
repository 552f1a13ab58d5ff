"""Language identification: labelled fixture accuracy, Moldovan Cyrillic, short/emoji posts."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from jobs.text.langid import RO_CYRL, UND, detect
from jobs.text.normalise import normalise

CASES = Path(__file__).parent / "fixtures" / "langid_cases.jsonl"


def load_cases() -> list[dict[str, str]]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_fixture_covers_every_class() -> None:
    counts = Counter(c["lang"] for c in load_cases())
    assert set(counts) == {"ro", RO_CYRL, "hu", "en", "ru", "uk", UND}
    assert min(counts.values()) >= 15


def test_accuracy_on_labelled_fixture() -> None:
    cases = load_cases()
    wrong = [(c["lang"], detect(normalise(c["text"])).lang, c["text"]) for c in cases]
    wrong = [w for w in wrong if w[0] != w[1]]
    per_class = Counter(c["lang"] for c in cases)
    errors = Counter(w[0] for w in wrong)
    assert 1 - len(wrong) / len(cases) >= 0.95, wrong
    for lang, n in per_class.items():
        assert 1 - errors[lang] / n >= 0.85, (lang, wrong)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Primaria nu a reparat drumul de trei luni", "ro"),
        ("Ce rușine pentru oraș!", "ro"),
        ("Мулцумим пентру ажутор, а фост фоарте бине.", RO_CYRL),
        ("Спасибо за быструю помощь, всё отлично.", "ru"),
        ("Дякую за швидку допомогу, все чудово.", "uk"),
        ("Köszönöm szépen a gyors segítséget.", "hu"),
        ("Thanks a lot for the quick help.", "en"),
        ("👍👍👍", UND),
        ("ok", UND),
        ("https://example.com #rezist @cineva", UND),
        ("", UND),
    ],
)
def test_examples(text: str, lang: str) -> None:
    assert detect(normalise(text)).lang == lang


def test_result_carries_confidence_and_rule() -> None:
    result = detect("Guvernul trebuie să explice de unde bani pentru pensii.")
    assert result.lang == "ro" and 0.5 <= result.confidence <= 1.0 and result.rule
    assert detect("😂").confidence == 0.0


def test_real_romanian_sentences_when_datasets_exist() -> None:
    from jobs.text.measure import DEFAULT_DATASETS, real_romanian_sample

    if not Path(DEFAULT_DATASETS).is_dir():
        pytest.skip(f"shared datasets not found at {DEFAULT_DATASETS}")
    sample = real_romanian_sample(DEFAULT_DATASETS, per_source=15)
    assert len(sample) >= 45
    correct = sum(detect(normalise(text)).lang == "ro" for text in sample)
    assert correct / len(sample) >= 0.9


def test_cyrillic_class_matches_unicode_names_everywhere() -> None:
    """The precompiled Cyrillic character class equals "CYRILLIC in the character name" on every code point."""
    import sys

    from jobs.text.langid import _CYRILLIC, _is_cyrillic

    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        assert bool(_CYRILLIC.fullmatch(ch)) == _is_cyrillic(ch), hex(cp)


def test_clearly_romanian_text_skips_lingua(monkeypatch: pytest.MonkeyPatch) -> None:
    """Romanian-only letters plus Romanian function words: ro without calling lingua; one cue alone is not enough."""
    from jobs.text import langid

    calls: list[str] = []
    real = langid._scores

    def counting(text: str) -> dict[str, float]:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(langid, "_scores", counting)
    result = detect("Strada Fabricii e plină de gropi și nimeni de la primărie nu face nimic.")
    assert (result.lang, result.rule) == ("ro", "romanian_letters_and_words") and 0.5 < result.confidence <= 1.0
    assert calls == []
    # a Romanian place name in an English sentence: letters but no Romanian function words → lingua decides
    english = detect("Waited three hours at the passport office in Bistrița, absolutely ridiculous.")
    assert english.lang == "en" and english.rule == "lingua" and len(calls) == 1
    # function words without Romanian letters → lingua decides too
    detect("Primaria nu a reparat drumul de trei luni si nimeni nu face nimic")
    assert len(calls) == 2


@pytest.mark.parametrize(
    "text",
    [
        "Je suis allé à Timișoara, la ville est magnifique et les gens sont gentils.",
        "Siamo stati a Brașov, la città è bellissima e la gente molto gentile.",
        "Estuvimos en Constanța, la playa es muy bonita y la gente amable.",
        "Wir waren in Sibiu, die Altstadt ist sehr schön und sauber.",
        "The hospital in Pitești is new and the doctors were great, de facto the best.",
    ],
)
def test_romanian_letters_in_a_foreign_sentence_still_go_to_lingua(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A foreign function word vetoes the letters-only shortcut: a Romanian place name alone does not decide."""
    from jobs.text import langid

    calls: list[str] = []
    real = langid._scores
    monkeypatch.setattr(langid, "_scores", lambda t: calls.append(t) or real(t))
    result = detect(normalise(text))
    assert result.rule in ("lingua", "romanian_cues") and len(calls) == 1


def test_romanian_letters_and_one_function_word_skip_lingua(monkeypatch: pytest.MonkeyPatch) -> None:
    """Romanian letters, one Romanian function word and no foreign one: ro without lingua (rule named)."""
    from jobs.text import langid

    calls: list[str] = []
    monkeypatch.setattr(langid, "_scores", lambda text: calls.append(text) or {})
    for text in ("ANAF a publicat ghidul pentru declarația unică",
                 "Festival minunat în Zalău weekendul ăsta, bravo Consiliul Județean Sălaj"):
        result = detect(normalise(text))
        assert (result.lang, result.rule) == ("ro", "romanian_letters_no_foreign_words"), text
    assert calls == []
    # no Romanian function word at all: lingua still decides
    detect(normalise("Pasajul Târgu Mureș deschis, mulțumim Primăria Târgu Mureș"))
    assert len(calls) == 1
