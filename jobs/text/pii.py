"""PII masking for Romanian text: CNP, phone numbers, e-mails, IBANs and vehicle plates.

Every match is validated before it is masked: CNPs by checksum, birth date and county code;
IBANs by country length and ISO 7064 mod-97; phone numbers by the Romanian numbering plan
(0 + 2/3/7 + 8 digits, with +40 / 0040 / (0) prefixes and the usual groupings, plus "+"
international numbers of 8-15 digits); plates by the county-code list and the
digits/letters pattern. Matches become ``<CNP>``, ``<PHONE>``, ``<EMAIL>``, ``<IBAN>``,
``<PLATE>``; counts per type are returned. URLs are left intact (their digits are ids, not
phone numbers), except ``mailto:`` and ``tel:`` links, which are masked whole. Masking is
idempotent: placeholders never match again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from jobs.text.normalise import find_urls

PII_TYPES = ("CNP", "PHONE", "EMAIL", "IBAN", "PLATE")

# ------------------------------------------------------------------------------------------- CNP
CNP_WEIGHTS = (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)
# 01-46 counties and Bucharest sectors 1-6, 47/48 former sectors 7/8, 51 Călărași, 52 Giurgiu.
CNP_COUNTIES = frozenset([*range(1, 49), 51, 52])
_CNP = re.compile(r"(?<![\w.,])[1-9]\d{12}(?![\w]|[.,]\d)")


def cnp_check_digit(first12: str) -> int:
    """Control digit of a CNP from its first 12 digits (sum of weights mod 11, 10 → 1)."""
    rest = sum(int(d) * w for d, w in zip(first12, CNP_WEIGHTS, strict=True)) % 11
    return 1 if rest == 10 else rest


def _cnp_centuries(sex_digit: int) -> tuple[int, ...]:
    return {1: (1900,), 2: (1900,), 3: (1800,), 4: (1800,), 5: (2000,), 6: (2000,)}.get(
        sex_digit,
        (1900, 2000),  # 7/8 residents, 9 foreigners: century not encoded
    )


def is_valid_cnp(digits: str) -> bool:
    """13 digits, a real birth date, a known county code, serial 001-999 and the right checksum."""
    if len(digits) != 13 or not digits.isdigit() or digits[0] == "0":
        return False
    yy, mm, dd = int(digits[1:3]), int(digits[3:5]), int(digits[5:7])
    if not any(_is_date(c + yy, mm, dd) for c in _cnp_centuries(int(digits[0]))):
        return False
    if int(digits[7:9]) not in CNP_COUNTIES or digits[9:12] == "000":
        return False
    return cnp_check_digit(digits[:12]) == int(digits[12])


def _is_date(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------------------ IBAN
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})(?=[ -]?[A-Za-z0-9])")
_IBAN_BODY_CHAR = re.compile(r"[A-Za-z0-9]")


def iban_mod97(compact: str) -> int:
    """ISO 7064 mod-97 of an IBAN (1 means valid)."""
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97


def is_valid_iban(text: str) -> bool:
    """Known country length (15-34 for others), alphanumeric body and mod-97 == 1."""
    compact = text.replace(" ", "").replace("-", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    return iban_mod97(compact) == 1


def _iban_spans(text: str) -> Iterator[tuple[int, int]]:
    """Longest valid IBAN starting at each candidate, written compact or in space-separated groups."""
    pos = 0
    while True:
        m = _IBAN_START.search(text, pos)
        if not m:
            return
        start = m.start()
        country = m.group(1).upper()
        lengths = [IBAN_LENGTHS[country]] if country in IBAN_LENGTHS else list(range(34, 14, -1))
        # Walk the characters, allowing single spaces, recording where each compact length ends.
        ends: dict[int, int] = {}
        count, i = 0, start
        while i < len(text) and count < 34:
            ch = text[i]
            if _IBAN_BODY_CHAR.match(ch):
                count += 1
                ends[count] = i + 1
                i += 1
            elif ch in " -" and i + 1 < len(text) and _IBAN_BODY_CHAR.match(text[i + 1]) and count >= 4:
                i += 1
            else:
                break
        found = None
        for n in lengths:
            end = ends.get(n)
            if end is None:
                continue
            if end < len(text) and text[end].isalnum():
                continue  # must end at a word boundary
            if is_valid_iban(text[start:end]):
                found = (start, end)
                break
        if found:
            yield found
            pos = found[1]
        else:
            pos = m.start() + 1


# ----------------------------------------------------------------------------------------- phone
_SEP = r"[ .\-/]"
_PHONE = re.compile(
    r"(?<![\w+/.,\-])"
    r"(?P<prefix>(?:\(\+40\)|(?:\+|00)40)"
    + _SEP
    + r"?(?:\(0\)"
    + _SEP
    + r"?)?|\(0\)|\+(?!40)[1-9]\d{0,2}"
    + _SEP
    + r"?)?"
    r"(?P<body>\(?\d{1,4}\)?(?:" + _SEP + r"?\(?\d{1,4}\)?){1,6})"
    r"(?![\w]|[.,\-/]\d)"
)


def _phone_ok(prefix: str, body: str) -> bool:
    digits = re.sub(r"\D", "", body)
    groups = [g for g in re.split(r"[ .\-/()]+", body) if g]
    if not prefix:
        # National form: 0 + [237] + 8 digits. The first group has at least 3 digits ("07xx", "021",
        # "(0264)"), except "0 722 123 456" and pairs split by spaces only ("07 22 12 34 56"), so
        # that dates such as "07.12.2023 10" never pass.
        if len(digits) != 10 or not re.match(r"0[237]", digits):
            return False
        if len(groups[0]) < 3:
            trunk_apart = groups[0] == "0" and len(groups[1]) == 3
            spaced_pairs = re.fullmatch(r"[\d ]+", body) is not None and all(len(g) == 2 for g in groups)
            return trunk_apart or spaced_pairs
        return all(len(g) >= 2 for g in groups)
    if re.match(r"\(?(?:\+|00)40", prefix):
        if digits.startswith("0") and "(0)" not in prefix:
            digits = digits[1:]  # "+40 0722..." written with the trunk zero
        return len(digits) == 9 and digits[0] in "237" and all(len(g) >= 2 for g in groups)
    total = len(re.sub(r"\D", "", prefix)) + len(digits)  # other countries: E.164, 8-15 digits
    return 8 <= total <= 15 and all(len(g) >= 2 for g in groups[1:])


def _phone_spans(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    while True:
        m = _PHONE.search(text, pos)
        if not m:
            return
        span = _phone_match(m)
        if span:
            yield span
            pos = span[1]
        else:
            pos = m.start() + 1


def _phone_match(m: re.Match[str]) -> tuple[int, int] | None:
    prefix, body = m.group("prefix") or "", m.group("body")
    if body.count("(") == body.count(")") and _phone_ok(prefix, body):
        return m.span()
    # The greedy body may have swallowed a neighbouring number: try shorter group prefixes.
    parts = list(re.finditer(r"\(?\d{1,4}\)?", body))
    for k in range(len(parts) - 1, 0, -1):
        sub = body[: parts[k - 1].end()]
        if sub.count("(") == sub.count(")") and _phone_ok(prefix, sub):
            return m.start(), m.start("body") + len(sub)
    return None


# ----------------------------------------------------------------------------------------- e-mail
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:@|\s?[\[(]at[\])]\s?)[A-Za-z0-9-]+(?:(?:\.|\s?[\[(]dot[\])]\s?)[A-Za-z0-9-]+)*"
    r"(?:\.|\s?[\[(]dot[\])]\s?)[A-Za-z]{2,24}\b",
    re.IGNORECASE,
)


def _email_spans(text: str) -> Iterator[tuple[int, int]]:
    for m in _EMAIL.finditer(text):
        yield m.span()


# ----------------------------------------------------------------------------------------- plate
PLATE_COUNTIES = frozenset(
    "AB AG AR B BC BH BN BR BT BV BZ CJ CL CS CT CV DB DJ GJ GL GR HD HR IF IL IS MH MM MS NT OT PH"
    " SB SJ SM SV TL TM TR VL VN VS".split()
)
_PLATE = re.compile(r"(?<![\w-])([A-Z]{1,2})[ \-]?(\d{2,3})[ \-]?([A-Z]{3})(?![\w]|-\w)")


def _plate_spans(text: str) -> Iterator[tuple[int, int]]:
    for m in _PLATE.finditer(text):
        county, number, letters = m.groups()
        if county not in PLATE_COUNTIES or int(number) == 0:
            continue
        if len(number) == 3 and county != "B":
            continue  # only Bucharest plates have three digits
        if letters[0] in "IO" or "Q" in letters:
            continue
        yield m.span()


# ----------------------------------------------------------------------------------------- mask
_CNP_SPANS: Callable[[str], Iterator[tuple[int, int]]] = lambda text: (  # noqa: E731
    m.span() for m in _CNP.finditer(text) if is_valid_cnp(m.group(0))
)
# Order matters: an IBAN contains digit runs, a CNP is also a 13-digit number.
DETECTORS: tuple[tuple[str, Callable[[str], Iterator[tuple[int, int]]]], ...] = (
    ("EMAIL", _email_spans),
    ("IBAN", _iban_spans),
    ("CNP", _CNP_SPANS),
    ("PHONE", _phone_spans),
    ("PLATE", _plate_spans),
)
_LINK_PII = re.compile(r"^(mailto|tel):", re.IGNORECASE)
# Every detector needs one of these (digits; '@' or an "(at)" spelling; a mailto:/tel: link).
# Most posts have none, and skip all detectors after this one search.
_MAY_HOLD_PII = re.compile(r"\d|@|[\[(]at[\])]|mailto:|tel:", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One detected PII span in the input text."""

    kind: str
    start: int
    end: int
    value: str


@dataclass
class Masked:
    """Masked text, counts per PII type and the findings (values stay in memory only)."""

    text: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PII_TYPES, 0))
    findings: list[Finding] = field(default_factory=list)


def find_pii(text: str) -> list[Finding]:
    """Non-overlapping PII findings, earlier detectors winning; URLs (except mailto/tel) skipped."""
    if not _MAY_HOLD_PII.search(text):
        return []
    return _run_detectors(text)


def _run_detectors(text: str) -> list[Finding]:
    """:func:`find_pii` without the quick pre-check (tests compare the two)."""
    taken: list[tuple[int, int]] = []
    findings: list[Finding] = []
    for s, e in find_urls(text):
        link = _LINK_PII.match(text[s:e])
        if link:
            kind = "EMAIL" if link.group(1).lower() == "mailto" else "PHONE"
            findings.append(Finding(kind, s, e, text[s:e]))
        taken.append((s, e))
    for kind, spans in DETECTORS:
        for s, e in spans(text):
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            findings.append(Finding(kind, s, e, text[s:e]))
    return sorted(findings, key=lambda f: f.start)


def mask(text: str | None) -> Masked:
    """Replace every finding with its placeholder and count them per type."""
    if not text:
        return Masked(text or "")
    findings = find_pii(text)
    counts = dict.fromkeys(PII_TYPES, 0)
    out: list[str] = []
    pos = 0
    for f in findings:
        out.append(text[pos : f.start])
        out.append(f"<{f.kind}>")
        counts[f.kind] += 1
        pos = f.end
    out.append(text[pos:])
    return Masked("".join(out), counts, findings)
