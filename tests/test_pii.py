"""PII masking: labelled set (precision/recall), near misses, hypothesis properties."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.text.normalise import normalise
from jobs.text.pii import PII_TYPES, cnp_check_digit, is_valid_cnp, is_valid_iban, mask

CASES = Path(__file__).parent / "fixtures" / "pii_cases.jsonl"
HARD = Path(__file__).parent / "fixtures" / "pii_cases_hard.jsonl"


def load_cases() -> list[dict[str, object]]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_hard_cases() -> None:
    from jobs.text.measure import measure_pii

    cases = [json.loads(line) for line in HARD.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = measure_pii(cases)
    assert result["precision"] == 1.0, result["errors"]
    assert result["recall"] >= 0.9, result["errors"]


def score() -> dict[str, tuple[int, int, int]]:
    """(tp, fp, fn) per type, matching (type, exact value)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for case in load_cases():
        gold = Counter((e["type"], e["value"]) for e in case["entities"])  # type: ignore[attr-defined]
        pred = Counter((f.kind, f.value) for f in mask(normalise(str(case["text"]))).findings)
        for key in gold | pred:
            hit = min(gold[key], pred[key])
            tp[key[0]] += hit
            fp[key[0]] += pred[key] - hit
            fn[key[0]] += gold[key] - hit
    return {t: (tp[t], fp[t], fn[t]) for t in PII_TYPES}


def test_fixture_is_big_enough_and_has_near_misses() -> None:
    cases = load_cases()
    assert len(cases) >= 200
    assert sum(1 for c in cases if not c["entities"]) >= 60
    assert {e["type"] for c in cases for e in c["entities"]} == set(PII_TYPES)  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", PII_TYPES)
def test_precision_and_recall_per_type(kind: str) -> None:
    tp, fp, fn = score()[kind]
    assert tp / (tp + fp) >= 0.97, (kind, tp, fp, fn)
    assert tp / (tp + fn) >= 0.95, (kind, tp, fp, fn)


@pytest.mark.parametrize(
    "text",
    [
        "Prețul a ajuns la 1.250.000 lei în 2023.",
        "Comanda nr. 1234567890 și codul 1234567890123.",
        "Ședința e pe 07.12.2023 la 10:30, sala 0721.",
        "Legea 544/2001, OUG 57/2019.",
        "IBAN greșit RO49AAAA1B31007593840001.",
        "Numărul CJ 123 ABC nu există, nici XY 12 ABC.",
        "Nr. 07221234567 are prea multe cifre, 072212345 prea puține.",
        "Ședința e pe 07.12.2023 10 și 07 12 2023 10:30.",
    ],
)
def test_near_misses_are_not_masked(text: str) -> None:
    result = mask(text)
    assert result.text == text and sum(result.counts.values()) == 0


def test_mixed_text_is_masked_with_counts() -> None:
    text = (
        "CNP 1850101123451, tel 0722.123.456 / +40 21 312 34 56 / (+40) 722 123 456 / 07 22 12 34 56, "
        "ion@x.ro, IBAN RO49 AAAA 1B31 0075 9384 0000, mașina B 123 ABC și CJ-12-XYZ."
    )
    result = mask(text)
    assert result.text == (
        "CNP <CNP>, tel <PHONE> / <PHONE> / <PHONE> / <PHONE>, <EMAIL>, IBAN <IBAN>, mașina <PLATE> și <PLATE>."
    )
    assert result.counts == {"CNP": 1, "PHONE": 4, "EMAIL": 1, "IBAN": 1, "PLATE": 2}


def test_urls_stay_but_mailto_and_tel_links_are_masked() -> None:
    text = "https://facebook.com/posts/0722123456 mailto:ion@x.ro tel:+40722123456"
    assert mask(text).text == "https://facebook.com/posts/0722123456 <EMAIL> <PHONE>"


def test_cnp_validation() -> None:
    assert is_valid_cnp("1850101123451")
    assert not is_valid_cnp("1850101123452")  # checksum
    assert not is_valid_cnp("1851301123450")  # month 13
    assert not is_valid_cnp("1850101603455")  # county 60
    assert not is_valid_cnp("185010112345")


# ---------------------------------------------------------------------------- properties
@st.composite
def valid_cnps(draw: st.DrawFn) -> str:
    sex = draw(st.integers(1, 8))
    century = {1: 1900, 2: 1900, 3: 1800, 4: 1800, 5: 2000, 6: 2000}.get(sex, 1900)
    day = draw(st.dates(min_value=date(century, 1, 1), max_value=date(century + 99, 12, 31)))
    county = draw(st.sampled_from([*range(1, 47), 51, 52]))
    serial = draw(st.integers(1, 999))
    body = f"{sex}{day.year % 100:02d}{day.month:02d}{day.day:02d}{county:02d}{serial:03d}"
    return body + str(cnp_check_digit(body))


@st.composite
def valid_ibans(draw: st.DrawFn) -> str:
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    bban = draw(st.sampled_from(["BTRL", "RNCB", "INGB"])) + "".join(
        draw(st.lists(st.sampled_from(chars), min_size=16, max_size=16))
    )
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "RO00")) % 97
    compact = f"RO{check:02d}{bban}"
    if draw(st.booleans()):
        return " ".join(compact[i : i + 4] for i in range(0, 24, 4))
    return compact


context = st.sampled_from(["CNP {}", "Date: {}.", "{} e al meu", "trimit ({}) azi", "cont {}, mulțumesc"])
free_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(valid_cnps(), context)
def test_valid_cnps_are_always_masked(cnp: str, template: str) -> None:
    result = mask(template.format(cnp))
    assert cnp not in result.text and result.counts["CNP"] == 1


@settings(max_examples=300, deadline=None)
@given(valid_ibans(), context)
def test_valid_ibans_are_always_masked(iban: str, template: str) -> None:
    assert is_valid_iban(iban)
    result = mask(template.format(iban))
    assert result.counts["IBAN"] == 1 and "<IBAN>" in result.text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(free_text, valid_cnps(), valid_ibans(), st.just(" 0722 123 456 "), st.just(" B 12 ABC ")),
                max_size=6).map(" ".join))  # fmt: skip
def test_masking_is_idempotent(text: str) -> None:
    once = mask(text)
    twice = mask(once.text)
    assert twice.text == once.text
    assert sum(twice.counts.values()) == 0


def test_random_digit_runs_rarely_pass_as_cnp() -> None:
    rng = random.Random(7)
    hits = sum(is_valid_cnp("".join(rng.choice("0123456789") for _ in range(13))) for _ in range(20000))
    assert hits / 20000 < 0.01


pii_bits = st.sampled_from(
    ["ion@x.ro", "ion (at) x (dot) ro", "ion [AT] x [DOT] ro", "mailto:ion", "MAILTO:x", "tel:abc", "TEL:0722",
     "0722 123 456", "1850101123451", "RO49AAAA1B31007593840000", "B 123 ABC", "CJ 12 XYZ", "٣٤٥", "@", " at ",
     "https://x.ro/a?b=1", "www.x.ro"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(free_text, pii_bits, st.text(max_size=12)), max_size=8).map(" ".join))
def test_quick_precheck_never_changes_the_findings(text: str) -> None:
    """find_pii skips the detectors when a text cannot hold PII; it must find exactly what they find."""
    from jobs.text.pii import _run_detectors, find_pii

    assert find_pii(text) == _run_detectors(text)
