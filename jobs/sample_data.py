"""Seeded generator of realistic Romanian landing data in every supported export format.

    python -m jobs.sample_data --day 2026-11-27 --posts 5000 --landing ./landing --seed 7
    python -m jobs.sample_data --day 2026-11-28 --posts 5000 --landing ./landing --seed 7 \\
        --repeat-of 2026-11-27            # also re-emit ~10% of that day's posts with more likes

Writes ``<landing>/<source>/<day>/<source>-<day>-NNNN.<ext>`` for 13 sources (X, Facebook,
Instagram, YouTube, Reddit, RSS, Atom, four news-comment CSVs in UTF-8+BOM / Windows-1250 /
ISO-8859-2 / ISO-8859-16, an e-petition CSV and canonical JSONL; some gzipped) and
``<landing>/_manifests/<day>.json`` with what was planted: records per source, malformed records
and files (each must come back as exactly one Rejected), exact duplicates, campaign copies, replies,
official replies, PII. Same arguments → byte-identical files. Generation streams: at most one
file's worth of posts (≤ 50 000; JSON pages ≤ 1 000 items) is held in memory.

``--posts`` counts the day's new records in parseable files (posts + comments, duplicates and
malformed records included); the truncated JSON file planted per day is extra (``malformed_files``),
and so are ``--repeat-of`` re-emissions (``repeated_records``, included in ``records``).
"""

from __future__ import annotations

import argparse
import csv
import email.utils
import gzip
import html
import io
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from math import log as _log
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from jobs import sample_vocab as V
from jobs.adapters.common import stable_id
from jobs.adapters.registry import OFFICIAL_FILE

BUCHAREST = ZoneInfo("Europe/Bucharest")
P_MALFORMED = 0.004
P_DUPLICATE = 0.005
P_CAMPAIGN = 0.015
P_LATE_REPLY = 0.02
P_PII = 0.05
DEFAULT_REPEAT_FRACTION = 0.10
CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")
COMMA = str.maketrans("şţŞŢ", "șțȘȚ")
STRIP = str.maketrans("ăâîșțşţĂÂÎȘȚŞŢ", "aaistst" "AAISTST")
_CEDILLA_PAIRS = (("ș", "ş"), ("ț", "ţ"), ("Ș", "Ş"), ("Ț", "Ţ"))
_STRIP_PAIRS = tuple(zip("ăâîșțşţĂÂÎȘȚŞŢ", "aaiststAAISTST", strict=True))


def _replace_all(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """Same as str.translate for a few letters, several times faster on non-ASCII text."""
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


def to_cedilla(text: str) -> str:
    return _replace_all(text, _CEDILLA_PAIRS)


def strip_diacritics(text: str) -> str:
    return _replace_all(text, _STRIP_PAIRS)
_HOUR_TABLE = [h for h, w in enumerate(
    (1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 10, 11, 11, 10, 10, 10, 10, 11, 12, 12, 10, 6, 3)
) for _ in range(w)]
_TOPIC_KEYS = tuple(V.TOPICS)


@dataclass(frozen=True)
class SourceDef:
    """One landing source the generator writes."""

    name: str
    fmt: str
    weight: float
    ext: str
    chunk: int
    encoding: str = "utf-8"
    delimiter: str = ","
    official_platform: str | None = None
    max_replies: int = 4
    date_style: str = "iso"

    @property
    def legacy(self) -> bool:
        return self.encoding not in ("utf-8", "utf-8-sig")


SOURCES: tuple[SourceDef, ...] = (
    SourceDef("x", "x_api_v2", 0.20, ".json", 1000, official_platform="x"),
    SourceDef("facebook_pages", "facebook_graph", 0.21, ".json.gz", 1000, official_platform="facebook"),
    SourceDef("instagram", "instagram_graph", 0.07, ".json", 1000, official_platform="instagram"),
    SourceDef("youtube", "youtube_comments", 0.07, ".json.gz", 1000, official_platform="youtube"),
    SourceDef("reddit", "reddit_listing", 0.07, ".json", 1000),
    SourceDef("blogs_rss", "rss", 0.04, ".xml", 1000, max_replies=0),
    SourceDef("forum_atom", "atom", 0.03, ".xml.gz", 1000),
    SourceDef("hotnews_comments", "news_comments_csv", 0.06, ".csv", 50_000, encoding="utf-8-sig"),
    SourceDef("digi24_comments", "news_comments_csv", 0.04, ".csv", 50_000, encoding="cp1250", delimiter=";",
              date_style="dmy"),
    SourceDef("ziare_comments", "news_comments_csv", 0.03, ".csv.gz", 50_000, encoding="iso-8859-2",
              date_style="local"),
    SourceDef("adevarul_comments", "news_comments_csv", 0.03, ".csv", 50_000, encoding="iso-8859-16",
              date_style="dmy"),
    SourceDef("petitii_gov", "petitions_csv", 0.03, ".csv", 50_000, max_replies=0, date_style="local"),
    SourceDef("partner_canonical", "canonical_jsonl", 0.12, ".jsonl.gz", 50_000),
)
SOURCE_BY_NAME = {s.name: s for s in SOURCES}
MIN_PER_SOURCE = 10
BAD_KINDS = {
    "x_api_v2": ("missing_text", "bad_date", "text_not_string"),
    "facebook_graph": ("missing_text", "bad_date", "text_not_string"),
    "instagram_graph": ("missing_text", "bad_date"),
    "youtube_comments": ("missing_text", "bad_date", "text_not_string"),
    "reddit_listing": ("removed", "bad_date", "text_not_string"),
    "rss": ("missing_text", "bad_date"),
    "atom": ("missing_text", "bad_date"),
    "news_comments_csv": ("wrong_columns", "bad_date", "missing_text"),
    "petitions_csv": ("wrong_columns", "bad_date", "missing_text"),
    "canonical_jsonl": ("truncated", "missing_text", "bad_date"),
}
NESTED = frozenset({"facebook_graph", "instagram_graph", "youtube_comments", "reddit_listing"})
CAMPAIGN_SOURCES = frozenset({"x", "facebook_pages", "partner_canonical"})


class Post:
    """One generated record (post or comment); ``ts`` is epoch seconds (UTC)."""

    __slots__ = ("nid", "handle", "name", "uid", "official", "ts", "text", "title", "lang", "likes", "shares",
                 "replies", "views", "signatures", "parent", "root", "county", "bad", "topic", "inst")

    def __init__(self, nid: str, handle: str, name: str, uid: str, ts: int, text: str, lang: str, topic: str,
                 county: str, parent: str | None, root: str, likes: int = 0, shares: int = 0, views: int = 0) -> None:
        self.nid, self.handle, self.name, self.uid, self.ts = nid, handle, name, uid, ts
        self.text, self.lang, self.topic, self.county = text, lang, topic, county
        self.parent, self.root = parent, root
        self.likes, self.shares, self.views, self.replies = likes, shares, views, 0
        self.official = False
        self.title: str | None = None
        self.signatures: int | None = None
        self.bad: str | None = None
        self.inst: str | None = None

    def copy(self) -> Post:
        twin = Post.__new__(Post)
        for slot in self.__slots__:
            setattr(twin, slot, getattr(self, slot))
        return twin


# ---------------------------------------------------------------------------------------------- PII


def cnp(rng: random.Random) -> str:
    """A Romanian personal numeric code with a correct control digit."""
    year = rng.randint(1940, 2007)
    sex = rng.choice((1, 2)) + (4 if year >= 2000 else 0)
    body = f"{sex}{year % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1, 46):02d}" \
           f"{rng.randint(1, 999):03d}"
    total = sum(int(d) * int(w) for d, w in zip(body, "279146358279", strict=True))
    control = total % 11
    return body + str(1 if control == 10 else control)


def iban(rng: random.Random) -> str:
    """A Romanian IBAN with a valid mod-97 check."""
    bank = rng.choice(("BTRL", "RNCB", "BRDE", "INGB", "RZBR", "TREZ"))
    account = "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))
    digits = "".join(str(int(c, 36)) for c in f"{bank}{account}RO00")
    check = 98 - int(digits) % 97
    return f"RO{check:02d}{bank}{account}"


def phone(rng: random.Random) -> str:
    n = f"7{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 999999):06d}"
    if rng.random() < 0.5:
        return f"0{n[:3]} {n[3:6]} {n[6:]}"
    return f"+40 {n[:3]} {n[3:6]} {n[6:]}"


def plate(rng: random.Random, code: str) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVXYZ") for _ in range(3))
    number = rng.randint(10, 999) if code == "B" else rng.randint(10, 99)
    return f"{code} {number:02d} {letters}"


# --------------------------------------------------------------------------------------- generator


def _ascii(text: str) -> str:
    return strip_diacritics(text).replace("ö", "o").replace("ó", "o").replace("á", "a")


@lru_cache(maxsize=1 << 16)
def user(idx: int) -> tuple[str, str, str]:
    """(handle, display name, numeric id) of synthetic citizen number ``idx``."""
    first = V.FIRST_NAMES[idx % len(V.FIRST_NAMES)]
    last = V.LAST_NAMES[(idx // len(V.FIRST_NAMES)) % len(V.LAST_NAMES)]
    handle = f"{_ascii(first).lower()}_{_ascii(last).lower()}{idx // 800 or ''}"
    return handle, f"{first} {last}", str(1_400_000_000_000 + idx)


def id_maker(src: SourceDef, dayord: int) -> Callable[[int], str]:
    """Counter → platform-shaped native id for one source and day (pure, so days can be replayed)."""
    base = dayord * 10_000_000
    fmt = src.fmt
    if fmt == "x_api_v2":
        return lambda n: str(1_800_000_000_000_000_000 + base + n)
    if fmt == "facebook_graph":
        page = 100_000_000_000 + dayord % 1000
        return lambda n: f"{page}_{base + n}"
    if fmt == "instagram_graph":
        return lambda n: str(17_000_000_000_000_000 + base + n)
    if fmt == "youtube_comments":
        return lambda n: f"Ugx{base + n:x}AaABAg"
    if fmt == "reddit_listing":
        return lambda n: _base36(base + n)
    if fmt == "rss":
        return lambda n: f"https://blog-civic.ro/?p={base + n}"
    if fmt == "atom":
        return lambda n: f"tag:forum.civic.ro,2026:post-{base + n}"
    if fmt == "petitions_csv":
        return lambda n: f"P{base + n}"
    if fmt == "canonical_jsonl":
        return lambda n: f"pc-{base + n}"
    return lambda n: str(base + n)


def native_id(src: SourceDef, dayord: int, counter: int) -> str:
    """Platform-shaped native id; a pure function of (source, day, counter)."""
    return id_maker(src, dayord)(counter)


def _base36(n: int) -> str:
    chars = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = chars[r] + out
    return out or "0"


class TextMaker:
    """Romanian (mostly) post texts with topics, tones, diacritics variants, emoji, PII."""

    def __init__(self, rng: random.Random, legacy: bool) -> None:
        self.rng = rng
        self.legacy = legacy
        self.pii: dict[str, int] = {"cnp": 0, "phone": 0, "email": 0, "iban": 0, "plate": 0}

    def make(self) -> tuple[str, str, str, str, str, str]:
        """(text, lang, topic, county, core sentence, institution)."""
        rand = self.rng.random
        county, city, code = V.COUNTIES[int(rand() * len(V.COUNTIES))]
        r = rand()
        if not self.legacy and r < 0.004:
            emoji = V.EMOJI_ONLY[int(rand() * len(V.EMOJI_ONLY))]
            return emoji, "und", "other", county, emoji, ""
        if r < 0.02:
            lang, tpl = V.FOREIGN[int(rand() * len(V.FOREIGN))]
            text = tpl.format(city=city)
            if not self.legacy or lang in ("en", "hu"):
                return text, lang, "other", county, text, ""
        topic = _TOPIC_KEYS[int(rand() * len(_TOPIC_KEYS))]
        tone_r = rand()
        tone = "neg" if tone_r < 0.55 else ("neu" if tone_r < 0.8 else "pos")
        options = V.TOPICS[topic][tone]
        sentence = options[int(rand() * len(options))]
        pool = V.TOPIC_INSTITUTIONS[topic]
        inst = pool[int(rand() * len(pool))].format(city=city, county=county)
        core = sentence.format(inst=inst, city=city, county=county)
        openers, closers = V.OPENERS[tone], V.CLOSERS[tone]
        text = openers[int(rand() * len(openers))] + core + closers[int(rand() * len(closers))]
        if tone == "neg" and rand() < 0.08:
            text += " " + V.QUOTED[int(rand() * len(V.QUOTED))]
        if rand() < 0.15:
            text += f" #{V.HASHTAGS[topic]}"
        if rand() < 0.08:
            text += f" @{_ascii(inst.split()[0])}"
        if rand() < 0.15:
            icons = V.EMOJI[tone]
            text += " " + icons[int(rand() * len(icons))] * (1 + int(rand() * 3))
        if rand() < P_PII:
            text += " " + self._pii(code)
        v = rand()
        if v < 0.15:
            text = to_cedilla(text)
        elif v < 0.35:
            text = strip_diacritics(text)
        return text, "ro", topic, county, core, inst

    def _pii(self, code: str) -> str:
        rng = self.rng
        kind = ("cnp", "phone", "email", "iban", "plate")[int(rng.random() * 5)]
        self.pii[kind] += 1
        if kind == "cnp":
            return f"CNP-ul meu e {cnp(rng)}, verificați dosarul."
        if kind == "phone":
            return f"Sunați-mă la {phone(rng)}."
        if kind == "email":
            first = _ascii(V.FIRST_NAMES[int(rng.random() * len(V.FIRST_NAMES))]).lower()
            last = _ascii(V.LAST_NAMES[int(rng.random() * len(V.LAST_NAMES))]).lower()
            return f"Scrieți-mi la {first}.{last}{rng.randint(1, 99)}@gmail.com"
        if kind == "iban":
            return f"Am plătit în contul {iban(rng)} și banii nu au ajuns."
        return f"Mașina {plate(rng, code)} parchează zilnic pe trotuar."


def _official_accounts() -> dict[str, list[tuple[str, str]]]:
    accounts: dict[str, list[tuple[str, str]]] = {}
    with open(OFFICIAL_FILE, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            accounts.setdefault(row["platform"], []).append((row["handle"], row["institution_name"]))
    return accounts


@dataclass
class Plan:
    """What one source's stream planted (the manifest entry)."""

    records: int = 0
    malformed_records: int = 0
    duplicates: int = 0
    campaign_posts: int = 0
    replies: int = 0
    official_posts: int = 0
    official_replies: int = 0
    late_replies: int = 0


def day_start(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def campaign_windows(seed: int, day: date) -> list[tuple[int, int]]:
    """(template index, window start epoch) of the coordinated campaigns of a day."""
    rng = random.Random(f"{seed}|{day}|campaigns")
    start = day_start(day)
    return [(i, start + rng.randint(8 * 3600, 20 * 3600)) for i in rng.sample(range(len(V.CAMPAIGNS)), 2)]


def source_threads(seed: int, day: date, src: SourceDef, count: int,
                   officials: dict[str, list[tuple[str, str]]], plan: Plan,
                   texts: TextMaker | None = None) -> Iterator[list[Post]]:
    """Threads (root first, then replies) of one source for one day; exactly ``count`` records.

    A pure function of its arguments: regenerating a day yields the same threads (used by
    ``--repeat-of``). Malformed records are marked in ``Post.bad`` and rendered by the writer.
    """
    rng = random.Random(f"{seed}|{day}|{src.name}")
    aux = random.Random(f"{seed}|{day}|{src.name}|plant")
    texts = texts or TextMaker(rng, src.legacy)
    dayord = day.toordinal()
    start = day_start(day)
    end = start + 86_399
    accounts = officials.get(src.official_platform or "", [])
    pool = max(200, count // 6)
    campaigns = campaign_windows(seed, day) if src.name in CAMPAIGN_SOURCES else []
    bad_kinds = BAD_KINDS[src.fmt]
    nested = src.fmt in NESTED
    counter = 0

    rand = rng.random
    make_text = texts.make
    new_id = id_maker(src, dayord)
    wants_title = src.fmt in ("reddit_listing", "rss", "atom", "petitions_csv")

    def new_post(ts: int, parent: str | None, root: str | None) -> Post:
        nonlocal counter
        nid = new_id(counter)
        counter += 1
        text, lang, topic, county, core, inst = make_text()
        handle, name, uid = user(int(rand() * pool))
        # exponential engagement counts (means 12 likes, 3 shares, 900 views)
        post = Post(nid, handle, name, uid, ts, text, lang, topic, county, parent, root or nid,
                    int(-_log(1.0 - rand()) * 12), int(-_log(1.0 - rand()) * 3),
                    int(-_log(1.0 - rand()) * 900) + 20)
        if wants_title:
            post.title = core.rstrip(".!?")[:90]
        if src.fmt == "petitions_csv":
            post.signatures = int(rng.expovariate(1 / 800))
            post.inst = inst or "Guvernul"
            if lang == "ro" and topic != "other":
                post.text = f"Petiție către {post.inst}. {text} Solicităm rezolvarea urgentă a problemei."
        if counter == 4 or aux.random() < P_MALFORMED:
            post.bad = bad_kinds[int(aux.random() * len(bad_kinds))]
        return post

    def officialize(post: Post, reply: bool) -> None:
        which = int(rng.random() * len(accounts))
        handle, name = accounts[which]
        post.handle, post.name, post.official = handle, name, True
        post.uid = str(900_000 + which)
        if reply:
            post.text = V.OFFICIAL_REPLIES[int(rng.random() * len(V.OFFICIAL_REPLIES))]
            if src.legacy:
                post.text = to_cedilla(post.text)

    produced = 0
    while produced < count:
        ts = start + _HOUR_TABLE[int(rng.random() * len(_HOUR_TABLE))] * 3600 + int(rng.random() * 3600)
        # a reply to a post of the previous day (flat formats only)
        if not nested and src.max_replies and aux.random() < P_LATE_REPLY:
            parent = native_id(src, dayord - 1, int(aux.random() * 50))
            post = new_post(ts, parent, parent)
            if accounts and rng.random() < 0.5:
                officialize(post, reply=True)
                plan.official_replies += 1
            plan.late_replies += 1
            plan.replies += 1
            plan.malformed_records += post.bad is not None
            produced += 1
            yield [post]
            continue
        root = new_post(ts, None, None)
        if campaigns and root.bad is None and aux.random() < P_CAMPAIGN:
            tpl, window = campaigns[int(aux.random() * len(campaigns))]
            # One city per campaign (template + window), so the copies are near-identical.
            aux.random()  # keeps the random sequence of the other fields unchanged
            county, city, _ = V.COUNTIES[(tpl * 7919 + window // 60) % len(V.COUNTIES)]
            text = V.CAMPAIGNS[tpl].format(inst="Primăria " + city, city=city)
            variant = aux.random()
            if variant < 0.3:
                text = text.upper()
            elif variant < 0.6:
                text = text.replace("!", "!!") + " " + V.EMOJI["neg"][int(aux.random() * len(V.EMOJI["neg"]))]
            elif variant < 0.8:
                text = strip_diacritics(text)
            root.text, root.ts, root.lang, root.topic = text, window + int(aux.random() * 3600), "ro", "campaign"
            plan.campaign_posts += 1
        elif accounts and rng.random() < 0.03:
            officialize(root, reply=False)
            plan.official_posts += 1
        thread = [root]
        produced += 1
        n_replies = 0
        if src.max_replies:
            r = rng.random()
            n_replies = 0 if r < 0.55 else (1 if r < 0.75 else int(2 + rng.random() * (src.max_replies - 1)))
        n_replies = min(n_replies, count - produced)
        official_slot = int(rng.random() * n_replies) if n_replies and accounts and rng.random() < 0.3 else -1
        for k in range(n_replies):
            official = k == official_slot
            delay = int(rng.lognormvariate(9.2, 1.0)) if official else int(rng.lognormvariate(7.0, 1.2))
            reply_ts = min(root.ts + 30 + delay, end)
            parent = root.nid
            if src.fmt in ("facebook_graph", "reddit_listing", "instagram_graph") and k and rng.random() < 0.3:
                parent = thread[1 + int(rng.random() * k)].nid
            reply = new_post(reply_ts, parent, root.nid)
            if official:
                officialize(reply, reply=True)
                plan.official_replies += 1
            thread.append(reply)
            plan.replies += 1
            produced += 1
        root.replies = n_replies
        # exact duplicates: a record emitted twice (nested formats: roots only)
        if produced < count and aux.random() < P_DUPLICATE * (1 + n_replies):
            candidates = [p for p in (thread[:1] if nested else thread) if p.bad is None]
            if candidates:
                dup = candidates[int(aux.random() * len(candidates))]
                copy = dup.copy()
                thread.append(copy)
                copy.bad = "duplicate"
                plan.duplicates += 1
                produced += 1
        plan.malformed_records += sum(1 for p in thread if p.bad and p.bad != "duplicate")
        yield thread
    plan.records += produced


# ------------------------------------------------------------------------------------------ writers


@lru_cache(maxsize=64)
def _day_prefix(days: int) -> str:
    return date.fromordinal(days + 719_163).isoformat()  # 719 163 = date(1970, 1, 1).toordinal()


def _hms(ts: int) -> str:
    days, secs = divmod(ts, 86_400)
    hours, rest = divmod(secs, 3600)
    return f"{_day_prefix(days)}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _iso(ts: int) -> str:
    return _hms(ts) + "Z"


def _fb_time(ts: int) -> str:
    return _hms(ts) + "+0000"


@lru_cache(maxsize=4096)
def _bucharest_offset(hour: int) -> int:
    """UTC offset (seconds) of Europe/Bucharest during the UTC hour ``hour`` since the epoch."""
    offset = datetime.fromtimestamp(hour * 3600, BUCHAREST).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def _local(ts: int, style: str) -> str:
    """Bucharest wall time: dmy ``27.11.2026 14:03:00``, local ``2026-11-27 14:03:00`` or ISO+offset."""
    offset = _bucharest_offset(ts // 3600)
    stamp = _hms(ts + offset)
    if style == "dmy":
        return f"{stamp[8:10]}.{stamp[5:7]}.{stamp[:4]} {stamp[11:]}"
    if style == "local":
        return stamp.replace("T", " ")
    return f"{stamp}+{offset // 3600:02d}:{offset % 3600 // 60:02d}"


_BAD_DATE = ("2026-13-45T25:61:00Z", "ieri la prânz", "31.02.2026 10:00", "0000-00-00 00:00:00")


def _open(path: Path) -> IO[bytes]:
    raw: IO[bytes] = open(path, "wb")  # noqa: SIM115 - closed by the writer
    if path.name.endswith(".gz"):
        # no name and mtime 0 in the header: same input, same bytes
        packed = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0)
        packed.myfileobj = raw  # type: ignore[assignment]  # closing the gzip stream closes the file too
        return packed  # type: ignore[return-value]
    return raw


class Writer:
    """Writes the threads of one source, starting a new file every ``chunk`` records.

    Document formats (JSON, XML) buffer one file's threads and serialise them at once; line
    formats (CSV, JSONL) set ``streaming`` and write each thread as it comes (constant memory).
    """

    streaming = False

    def __init__(self, src: SourceDef, folder: Path, day: date, prefix: str = "") -> None:
        self.src = src
        self.folder = folder
        self.day = day
        self.prefix = prefix
        self.buffer: list[list[Post]] = []
        self.buffered = 0
        self.files: list[str] = []
        self._fh: IO[bytes] | None = None

    def _next_file(self) -> IO[bytes]:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{self.src.name}-{self.prefix}{self.day.isoformat()}-{len(self.files) + 1:04d}{self.src.ext}"
        self.files.append(name)
        return _open(self.folder / name)

    def add(self, thread: list[Post]) -> None:
        self.buffered += len(thread)
        if self.streaming:
            if self._fh is None:
                self._fh = self._next_file()
                self.begin(self._fh)
            self.write_rows(thread)
        else:
            self.buffer.append(thread)
        if self.buffered >= self.src.chunk:
            self.flush()

    def flush(self) -> None:
        """Finish the current file (if any)."""
        if self.streaming:
            if self._fh is not None:
                self.end()
                self._fh.close()
                self._fh = None
        elif self.buffer:
            with self._next_file() as fh:
                self.write(fh, self.buffer)
        self.buffer, self.buffered = [], 0

    def write(self, fh: IO[bytes], threads: list[list[Post]]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def begin(self, fh: IO[bytes]) -> None:
        """Streaming formats: start a file (header)."""

    def write_rows(self, thread: list[Post]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def end(self) -> None:
        """Streaming formats: finish a file before it is closed."""


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


class XWriter(Writer):
    def tweet(self, p: Post) -> dict[str, Any]:
        t: dict[str, Any] = {
            "id": p.nid, "text": p.text, "author_id": p.uid, "created_at": _iso(p.ts)[:-1] + ".000Z",
            "conversation_id": p.root, "lang": p.lang if p.lang != "und" else "zxx",
            "edit_history_tweet_ids": [p.nid],
            "public_metrics": {"retweet_count": p.shares, "reply_count": p.replies, "like_count": p.likes,
                               "quote_count": 0, "impression_count": p.views},
        }
        if p.parent:
            t["referenced_tweets"] = [{"type": "replied_to", "id": p.parent}]
        if p.bad == "missing_text":
            del t["text"]
        elif p.bad == "bad_date":
            t["created_at"] = _BAD_DATE[p.ts % len(_BAD_DATE)]
        elif p.bad == "text_not_string":
            t["text"] = {"body": p.text}
        return t

    def write(self, fh: IO[bytes], threads: list[list[Post]]) -> None:
        data = [self.tweet(p) for th in threads for p in th]
        users: dict[str, dict[str, Any]] = {}
        for th in threads:
            for p in th:
                users.setdefault(p.uid, {
                    "id": p.uid, "username": p.handle, "name": p.name, "location": p.county,
                    "verified": p.official, "verified_type": "government" if p.official and p.ts % 2 else "none",
                })
        doc = {"data": data, "includes": {"users": list(users.values())},
               "meta": {"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}}
        fh.write(_dump(doc))


def _tree(thread: list[Post]) -> dict[str, list[Post]]:
    children: dict[str, list[Post]] = {}
    for p in thread[1:]:
        if p.bad != "duplicate":
            children.setdefault(p.parent or "", []).append(p)
    return children


class FacebookWriter(Writer):
    def item(self, p: Post, children: dict[str, list[Post]], top: bool) -> dict[str, Any]:
        author: dict[str, Any] = {"name": p.name, "id": p.uid}
        if p.official:
            author["username"] = p.handle
        it: dict[str, Any] = {"id": p.nid, "message": p.text, "created_time": _fb_time(p.ts), "from": author}
        kids = children.get(p.nid, [])
        if top:
            it["permalink_url"] = f"https://www.facebook.com/{p.nid.replace('_', '/posts/')}"
            it["shares"] = {"count": p.shares}
            it["reactions"] = {"data": [], "summary": {"total_count": p.likes}}
        else:
            it["like_count"] = p.likes
            it["comment_count"] = len(kids)
        if kids or top:
            it["comments"] = {"data": [self.item(k, children, False) for k in kids],
                              "summary": {"total_count": len(kids), "order": "chronological"}}
        if p.bad == "missing_text":
            del it["message"]
            it["story"] = f"{p.name} updated their cover photo."
        elif p.bad == "bad_date":
            it["created_time"] = _BAD_DATE[p.ts % len(_BAD_DATE)]
        elif p.bad == "text_not_string":
            it["message"] = [p.text]
        return it

    def write(self, fh: IO[bytes], threads: list[list[Post]]) -> None:
        data = []
        for th in threads:
            children = _tree(th)
            data.append(self.item(th[0], children, True))
            data.extend(self.item(p, {}, True) for p in th[1:] if p.bad == "duplicate")
        fh.write(_dump({"data": data, "paging": {"cursors": {"before": "QVFIU", "after": "QVFIR"}}}))


class InstagramWriter(Writer):
    def item(self, p: Post, children: dict[str, list[Post]], media: bool) -> dict[str, Any]:
        kids = children.get(p.nid, [])
        if media:
            it: dict[str, Any] = {
                "id": p.nid, "caption": p.text, "media_type": "IMAGE", "timestamp": _fb_time(p.ts),
                "permalink": f"https://www.instagram.com/p/C{p.nid[-9:]}/", "username": p.handle,
                "like_count": p.likes, "comments_count": len(kids),
                "comments": {"data": [self.item(k, children, False) for k in kids]},
            }
        else:
            it = {"id": p.nid, "text": p.text, "timestamp": _fb_time(p.ts), "username": p.handle,
                  "like_count": p.likes}
            if kids:
                it["replies"] = {"data": [self.item(k, children, False) for k in kids]}
        key = "caption" if media else "text"
        if p.bad == "missing_text":
            it[key] = None
        elif p.bad == "bad_date":
            it["timestamp"] = _BAD_DATE[p.ts % len(_BAD_DATE)]
        return it

    def write(self, fh: IO[bytes], threads: list[list[Post]]) -> None:
        data = []
        for th in threads:
            data.append(self.item(th[0], _tree(th), True))
            data.extend(self.item(p, {}, True) for p in th[1:] if p.bad == "duplicate")
        fh.write(_dump({"data": data, "paging": {"cursors": {"after": "QVFIUm"}}}))


class YouTubeWriter(Writer):
    def comment(self, p: Post, video: str, parent: str | None) -> dict[str, Any]:
        snip: dict[str, Any] = {
            "channelId": "UCgovRO", "videoId": video, "textDisplay": html.escape(p.text).replace("\n", "<br>"),
            "textOriginal": p.text, "authorDisplayName": f"@{p.handle}",
            "authorProfileImageUrl": "https://yt3.ggpht.com/a/default.jpg",
            "authorChannelUrl": f"http://www.youtube.com/@{p.handle}",
            "authorChannelId": {"value": f"UC{p.uid}"}, "canRate": True, "viewerRating": "none",
            "likeCount": p.likes, "publishedAt": _iso(p.ts), "updatedAt": _iso(p.ts),
        }
        if parent:
            snip["parentId"] = parent
        if p.bad == "missing_text":
            del snip["textOriginal"], snip["textDisplay"]
        elif p.bad == "bad_date":
            snip["publishedAt"] = _BAD_DATE[p.ts % len(_BAD_DATE)]
        elif p.bad == "text_not_string":
            snip["textOriginal"] = 404
        return {"kind": "youtube#comment", "etag": "e", "id": p.nid, "snippet": snip}

    def thread(self, th: list[Post]) -> dict[str, Any]:
        root = th[0]
        video = f"v{root.county[:3].encode().hex()}{int(root.nid[3:-6], 16) % 97:02d}"
        replies = [p for p in th[1:] if p.bad != "duplicate"]
        item: dict[str, Any] = {
            "kind": "youtube#commentThread", "etag": "t", "id": root.nid,
            "snippet": {"channelId": "UCgovRO", "videoId": video,
                        "topLevelComment": self.comment(root, video, None), "canReply": True,
                        "totalReplyCount": len(replies), "isPublic": True},
        }
        if replies:
            item["replies"] = {"comments": [self.comment(p, video, root.nid) for p in replies]}
        return item

    def write(self, fh: IO[bytes], threads: list[list[Post]]) -> None:
        items = []
        for th in threads:
            items.append(self.thread(th))
            items.extend(self.thread([p]) for p in th[1:] if p.bad == "duplicate")
        fh.write(_dump({"kind": "youtube#commentThreadListResponse", "etag": "l",
                        "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}, "items": items}))


SUBREDDITS = ("Romania", "Cluj", "bucuresti", "timisoara", "iasi", "brasov", "RoMoney", "programare")


class RedditWriter(Writer):
    def child(self, p: Post, children: dict[str, list[Post]], root: Post) -> dict[str, Any]:
        sub = SUBREDDITS[int(root.nid, 36) % len(SUBREDDITS)]
        link = f"/r/{sub}/comments/{root.nid}/"
        created: Any = float(p.ts)
        if p is root or p.parent is None:
            data: dict[str, Any] = {
                "id": p.nid, "name": f"t3_{p.nid}", "subreddit": sub, "title": p.title or p.text[:80],
                "selftext": p.text, "author": p.handle, "created_utc": created, "ups": p.likes, "score": p.likes,
                "num_comments": p.replies, "permalink": link, "url": f"https://www.reddit.com{link}",
            }
            kind = "t3"
        else:
            kids = children.get(p.nid, [])
            parent_kind = "t3" if p.parent == root.nid else "t1"
            data = {
                "id": p.nid, "name": f"t1_{p.nid}", "subreddit": sub, "body": p.text, "author": p.handle,
                "created_utc": created, "ups": p.likes, "score": p.likes, "parent_id": f"{parent_kind}_{p.parent}",
                "link_id": f"t3_{root.nid}", "permalink": f"{link}c/{p.nid}/",
                "replies": {"kind": "Listing", "data": {"children": [self.child(k, children, root) for k in kids]}}
                if kids else "",
            }
            kind = "t1"
        if p.bad == "removed" and kind == "t1":
            data["body"] = "[removed]"
        elif p.bad == "removed":
            data["title"] = None
        elif p.bad == "bad_date":
            data["created_utc"] = "ieri"
        elif p.bad == "text_not_string":
            data["body" if kind == "t1" else "title"] = 42
        return {"kind": kind, "data": data}

    def write(self, fh: IO[bytes], threads: list[list[Post]]) -> None:
        listings: list[dict[str, Any]] = []
        for th in threads:
            root = th[0]
            children = _tree(th)
            listings.append({"kind": "Listing", "data": {"children": [self.child(root, children, root)]}})
            comments = [self.child(k, children, root) for k in children.get(root.nid, [])]
            comments += [self.child(p, {}, root) for p in th[1:] if p.bad == "duplicate"]
            if comments:
                listings.append({"kind": "Listing", "data": {"children": comments}})
        fh.write(_dump(listings))


class RssWriter(Writer):
    def write(self, fh: IO[bytes], threads: list[list[Post]]) -> None:
        out = io.StringIO()
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                  'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                  'xmlns:slash="http://purl.org/rss/1.0/modules/slash/">\n<channel>\n'
                  "<title>Blog civic</title><link>https://blog-civic.ro/</link>"
                  "<description>Opinii despre administrația publică</description><language>ro</language>\n")
        for th in threads:
            for p in th:
                when = email.utils.format_datetime(datetime.fromtimestamp(p.ts, BUCHAREST))
                if p.bad == "bad_date":
                    when = "Vineri, 27 noiembrie"
                body = "" if p.bad == "missing_text" else f"<p>{html.escape(p.text)}</p>"
                out.write(
                    f"<item><title>{escape(p.title or '')}</title><link>{escape(p.nid)}</link>"
                    f"<guid isPermaLink=\"true\">{escape(p.nid)}</guid><pubDate>{when}</pubDate>"
                    f"<dc:creator>{escape(p.name)}</dc:creator><description>{escape(body)}</description>"
                    f"<slash:comments>{p.likes // 3}</slash:comments></item>\n"
                )
        out.write("</channel>\n</rss>\n")
        fh.write(out.getvalue().encode())


class AtomWriter(Writer):
    def write(self, fh: IO[bytes], threads: list[list[Post]]) -> None:
        out = io.StringIO()
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
                  'xmlns:thr="http://purl.org/syndication/thread/1.0">\n<title>Forum civic</title>'
                  '<id>tag:forum.civic.ro,2026:feed</id>'
                  f"<updated>{_iso(day_start(self.day) + 86_399)}</updated>\n")
        for th in threads:
            for p in th:
                when = "mâine" if p.bad == "bad_date" else _iso(p.ts)
                reply = (f'<thr:in-reply-to ref={quoteattr(p.parent)} type="text/html"/>' if p.parent else "")
                content = "" if p.bad == "missing_text" else (
                    f'<content type="html">{escape(html.escape(p.text))}</content>')
                out.write(
                    f"<entry><id>{escape(p.nid)}</id><title>{escape(p.title or '')}</title>"
                    f'<link rel="alternate" href={quoteattr("https://forum.civic.ro/t/" + p.nid.rsplit("-", 1)[-1])}/>'
                    f"<published>{when}</published><updated>{when}</updated>"
                    f"<author><name>{escape(p.handle)}</name></author>{reply}{content}</entry>\n"
                )
        out.write("</feed>\n")
        fh.write(out.getvalue().encode())


class CsvWriter(Writer):
    header: tuple[str, ...] = ()
    streaming = True

    def row(self, p: Post) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def begin(self, fh: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(fh, encoding=self.src.encoding, newline="", write_through=False)
        self._csv = csv.writer(self._text, delimiter=self.src.delimiter, lineterminator="\r\n")
        self._csv.writerow(self.header)

    def write_rows(self, thread: list[Post]) -> None:
        for p in thread:
            row = self.row(p)
            if p.bad == "wrong_columns":
                row = row[:-3]
            elif p.bad == "missing_text":
                row[self.header.index("text")] = ""
            self._csv.writerow(row)

    def end(self) -> None:
        self._text.flush()
        self._text.detach()


class NewsCsvWriter(CsvWriter):
    header = ("article_url", "article_title", "comment_id", "parent_comment_id", "author", "date", "text", "likes")

    def row(self, p: Post) -> list[str]:
        article = int(p.root) // 7  # about seven comment threads per article
        when = _BAD_DATE[p.ts % len(_BAD_DATE)] if p.bad == "bad_date" else _local(p.ts, self.src.date_style)
        site = self.src.name.split("_")[0]
        county = V.COUNTIES[article % len(V.COUNTIES)][0]
        title = V.HEADLINES[article % len(V.HEADLINES)].format(county=county)
        if self.src.legacy:
            title = _legacy_text(title, self.src.encoding)
        return [f"https://www.{site}.ro/actualitate/articol-{article}", title,
                p.nid, p.parent or "", p.handle, when, p.text, str(p.likes)]


class PetitionWriter(CsvWriter):
    header = ("petition_id", "title", "text", "initiator", "created", "signatures", "institution", "county")

    def row(self, p: Post) -> list[str]:
        when = _BAD_DATE[p.ts % len(_BAD_DATE)] if p.bad == "bad_date" else _local(p.ts, self.src.date_style)
        return [p.nid, p.title or "", p.text, p.name, when, str(p.signatures or 0), p.inst or "", p.county]


class CanonicalWriter(Writer):
    TYPES = ("social_network", "social_news", "blog_forum", "photo_video")

    streaming = True

    def begin(self, fh: IO[bytes]) -> None:
        self._out = fh

    def write_rows(self, thread: list[Post]) -> None:
        lines = []
        for p in thread:
            rec: dict[str, Any] = {
                "native_id": p.nid, "platform_type": self.TYPES[p.ts % len(self.TYPES)],
                "url": f"https://partener.ro/p/{p.nid}", "author_handle": p.handle, "author_name": p.name,
                "is_official_account": p.official,
                "parent_id": stable_id(self.src.name, p.parent) if p.parent else None,
                "thread_id": stable_id(self.src.name, p.root) if p.parent else None,
                "created_at": _iso(p.ts), "text": p.text, "lang_hint": p.lang, "likes": p.likes,
                "shares": p.shares, "replies": p.replies, "views": p.views, "geo_place": p.county,
            }
            if p.bad == "missing_text":
                del rec["text"]
            elif p.bad == "bad_date":
                rec["created_at"] = _BAD_DATE[p.ts % len(_BAD_DATE)]
            line = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
            if p.bad == "truncated":
                line = line[: len(line) // 2]
            lines.append(line)
        self._out.write(("\n".join(lines) + "\n").encode())


WRITERS: dict[str, type[Writer]] = {
    "x_api_v2": XWriter, "facebook_graph": FacebookWriter, "instagram_graph": InstagramWriter,
    "youtube_comments": YouTubeWriter, "reddit_listing": RedditWriter, "rss": RssWriter, "atom": AtomWriter,
    "news_comments_csv": NewsCsvWriter, "petitions_csv": PetitionWriter, "canonical_jsonl": CanonicalWriter,
}


# ------------------------------------------------------------------------------------------ driver


def split_counts(total: int) -> dict[str, int]:
    """Records per source: proportional to weights, at least MIN_PER_SOURCE each, summing to total."""
    if total < MIN_PER_SOURCE * len(SOURCES):
        raise ValueError(f"--posts must be at least {MIN_PER_SOURCE * len(SOURCES)}, got {total}")
    weight = sum(s.weight for s in SOURCES)
    counts = {s.name: max(MIN_PER_SOURCE, int(total * s.weight / weight)) for s in SOURCES}
    biggest = max(SOURCES, key=lambda s: s.weight).name
    counts[biggest] += total - sum(counts.values())
    return counts


def _sanitize_legacy(thread: list[Post], encoding: str) -> None:
    """Make texts representable in a legacy code page (cedilla letters, no emoji/Cyrillic)."""
    for p in thread:
        for field in ("text", "title", "name", "county"):
            value = getattr(p, field)
            if value and not value.isascii():
                setattr(p, field, _legacy_text(value, encoding))


@lru_cache(maxsize=4096)
def _legacy_text(value: str, encoding: str) -> str:
    clean = value.translate(CEDILLA if encoding != "iso-8859-16" else COMMA)
    clean = clean.encode(encoding, "ignore").decode(encoding).strip()
    return clean or strip_diacritics("Fără diacritice, dar cu aceeași nemulțumire.")


def _truncated_file(folder: Path, src: SourceDef, day: date, seed: int) -> str:
    """A Facebook page export cut mid-way (as an interrupted download leaves it)."""
    rng = random.Random(f"{seed}|{day}|broken")
    texts = TextMaker(rng, False)
    data = [{"id": f"999_{i}", "message": texts.make()[0], "created_time": _fb_time(day_start(day) + 3600 * i)}
            for i in range(5)]
    blob = _dump({"data": data})
    name = f"{src.name}-{day.isoformat()}-partial.json"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(blob[: int(len(blob) * 0.6)])
    return name


def sample_texts(n: int, seed: int = 7) -> list[str]:
    """``n`` generated post texts (same mix of topics, tones and languages as the landing files)."""
    maker = TextMaker(random.Random(seed), legacy=False)
    return [maker.make()[0] for _ in range(n)]


def generate_day(landing: Path, day: date, posts: int, seed: int, repeat_of: date | None = None,
                 repeat_fraction: float = DEFAULT_REPEAT_FRACTION) -> dict[str, Any]:
    """Write one landing day and its manifest; return the manifest."""
    officials = _official_accounts()
    counts = split_counts(posts)
    manifest: dict[str, Any] = {
        "day": day.isoformat(), "seed": seed, "posts": posts, "generator": "jobs.sample_data/1",
        "sources": {}, "totals": {},
    }
    previous: dict[str, Any] | None = None
    if not 0.0 <= repeat_fraction <= 1.0:
        raise ValueError(f"--repeat-fraction must be between 0 and 1, got {repeat_fraction}")
    if repeat_of is not None:
        if repeat_of >= day:
            raise ValueError(f"--repeat-of {repeat_of} must be before --day {day}")
        prev_path = landing / "_manifests" / f"{repeat_of.isoformat()}.json"
        if not prev_path.exists():
            raise ValueError(f"--repeat-of {repeat_of}: no manifest {prev_path}; generate that day first")
        previous = json.loads(prev_path.read_text(encoding="utf-8"))
        if previous["seed"] != seed:
            raise ValueError(f"--repeat-of {repeat_of} was generated with seed {previous['seed']}, not {seed}")
    for src in SOURCES:
        folder = landing / src.name / day.isoformat()
        plan = Plan()
        writer = WRITERS[src.fmt](src, folder, day)
        texts = TextMaker(random.Random(f"{seed}|{day}|{src.name}|text"), src.legacy)
        for thread in source_threads(seed, day, src, counts[src.name], officials, plan, texts):
            if src.legacy:
                _sanitize_legacy(thread, src.encoding)
            writer.add(thread)
        writer.flush()
        malformed_files: list[str] = []
        if src.name == "facebook_pages":
            malformed_files.append(_truncated_file(folder, src, day, seed))
        entry: dict[str, Any] = {
            "format": src.fmt, "encoding": src.encoding, "files": writer.files + malformed_files,
            "malformed_files": malformed_files,
        }
        repeated = 0
        if previous is not None and src.name in previous["sources"]:
            repeated, repeat_files = _repeat(landing, day, src, previous, officials, repeat_fraction)
            entry["files"] += repeat_files
        manifest["sources"][src.name] = {
            **entry,
            "records": plan.records + repeated,
            "malformed_records": plan.malformed_records,
            "duplicates": plan.duplicates,
            "campaign_posts": plan.campaign_posts,
            "replies": plan.replies,
            "late_replies": plan.late_replies,
            "official_posts": plan.official_posts,
            "official_replies": plan.official_replies,
            "repeated_records": repeated,
            "pii": texts.pii,
        }
    return _finish(landing, day, manifest)


def _finish(landing: Path, day: date, manifest: dict[str, Any]) -> dict[str, Any]:
    totals: dict[str, int] = {}
    keys = ("records", "malformed_records", "duplicates", "campaign_posts", "replies", "official_replies",
            "repeated_records")
    for key in keys:
        totals[key] = sum(row[key] for row in manifest["sources"].values())
    totals["malformed_files"] = sum(len(row["malformed_files"]) for row in manifest["sources"].values())
    totals["expected_rejected"] = totals["malformed_records"] + totals["malformed_files"]
    totals["expected_valid"] = totals["records"] - totals["malformed_records"]
    manifest["totals"] = totals
    out = landing / "_manifests"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{day.isoformat()}.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                 encoding="utf-8")
    return manifest


def _repeat(landing: Path, day: date, src: SourceDef, previous: dict[str, Any],
            officials: dict[str, list[tuple[str, str]]], fraction: float) -> tuple[int, list[str]]:
    """Re-emit a sample of valid threads of an earlier day with higher engagement."""
    old_day = date.fromisoformat(previous["day"])
    seed = int(previous["seed"])
    pick = random.Random(f"{seed}|{day}|{src.name}|repeat")
    writer = WRITERS[src.fmt](src, landing / src.name / day.isoformat(), day, prefix=f"repeat-of-{old_day}-")
    count = previous["sources"][src.name]["records"] - previous["sources"][src.name].get("repeated_records", 0)
    texts = TextMaker(random.Random(f"{seed}|{old_day}|{src.name}|text"), src.legacy)
    written = 0
    for thread in source_threads(seed, old_day, src, count, officials, Plan(), texts):
        if src.legacy:
            _sanitize_legacy(thread, src.encoding)
        if pick.random() >= fraction or any(p.bad for p in thread):
            continue
        for p in thread:
            p.likes = p.likes * 2 + 5 + int(pick.random() * 50)
            p.shares = (p.shares or 0) + 1
            p.views = (p.views or 0) * 3 + 100
            if p.signatures is not None:
                p.signatures = p.signatures * 2 + 10
        writer.add(thread)
        written += len(thread)
    writer.flush()
    return written, writer.files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate seeded Romanian sample landing data.")
    parser.add_argument("--day", required=True, type=date.fromisoformat, help="UTC day, YYYY-MM-DD")
    parser.add_argument("--posts", type=int, default=5000, help="records to write (all sources)")
    parser.add_argument("--landing", default="./landing", help="landing root")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat-of", type=date.fromisoformat, default=None,
                        help="also re-emit a sample of this earlier day's posts (same ids, more likes)")
    parser.add_argument("--repeat-fraction", type=float, default=DEFAULT_REPEAT_FRACTION)
    ns = parser.parse_args(argv)
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        manifest = generate_day(Path(ns.landing), ns.day, ns.posts, ns.seed, ns.repeat_of, ns.repeat_fraction)
    except ValueError as exc:
        parser.error(str(exc))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    totals = manifest["totals"]
    print(f"{ns.day}: {totals['records']} records ({totals['expected_rejected']} planted rejects, "
          f"{totals['duplicates']} duplicates) in {elapsed:.2f}s wall / {cpu:.2f}s CPU = "
          f"{totals['records'] / elapsed:,.0f} records/s wall, {totals['records'] / cpu:,.0f} records/s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["SOURCES", "generate_day", "main", "split_counts"]
