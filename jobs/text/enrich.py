"""One post through the whole silver text pipeline (pure Python; Spark calls it per Arrow batch).

Order: normalise → mask PII → mentions (official accounts keep '@handle', everybody else
becomes ``<USER>`` in the text and a pseudonym in ``mentions``) → extract URLs, hashtags,
emoji → key → language. Only masked text leaves this function.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from jobs.text.langid import LangResult, detect, detect_residual
from jobs.text.normalise import MENTION, Extracted, extract, find_urls, match_key, normalise, residual_text
from jobs.text.pii import PII_TYPES, mask
from jobs.text.pseudonym import Author, OfficialRegistry, pseudonym, resolve_author

USER_PLACEHOLDER = "<USER>"
CACHE_ENTRIES = 1 << 15
"""Results each memo of :class:`TextPass` keeps (least recently used ones are evicted)."""


def mask_mentions(text: str, secret: str, registry: OfficialRegistry, platform: str) -> tuple[str, list[str]]:
    """Replace non-official @mentions (outside URLs) by <USER>; return text and mention ids."""
    urls = find_urls(text)
    out: list[str] = []
    mentions: list[str] = []
    pos = 0
    for m in MENTION.finditer(text):
        if any(s <= m.start() < e for s, e in urls):
            continue
        handle = m.group(1)
        if registry.lookup(platform, handle) is not None:
            mentions.append(f"@{handle.lower()}")
            continue
        mentions.append(pseudonym(secret, platform, handle))
        out.append(text[pos : m.start()])
        out.append(USER_PLACEHOLDER)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), mentions


def clean_text(
    raw: str | None, secret: str, registry: OfficialRegistry, platform: str
) -> tuple[str, dict[str, int], list[str]]:
    """Normalised, PII-masked, mention-masked text; PII counts; mention ids."""
    masked = mask(normalise(raw))
    text, mentions = mask_mentions(masked.text, secret, registry, platform)
    return text, masked.counts, mentions


class BodyFacts(NamedTuple):
    """What the silver columns need from a masked post text (a function of that text alone)."""

    found: Extracted
    lang: LangResult
    key: str
    link_only: bool


def body_facts(body: str) -> BodyFacts:
    """Entities, language, match key and the link-only flag of a masked text."""
    found = extract(body)
    residual = residual_text(body)
    lang = detect_residual(residual)  # == detect(body), without computing the residual twice
    letters_left = residual.replace(USER_PLACEHOLDER, " ")
    link_only = bool(found.urls) and not any(ch.isalpha() for ch in letters_left)
    return BodyFacts(found, lang, match_key(body), link_only)


CleanFn = Callable[[str | None, str], tuple[str, dict[str, int], list[str]]]


class TextPass:
    """The silver text pass of one post (:meth:`post`) for one secret and registry, its text work memoised.

    Every step of the text work is a pure function of (raw text, platform) and then of the
    masked text, so repeats are looked up instead of recomputed: titles (every comment under an
    article carries the article's title), re-shared posts and templates, and texts that differ
    only in a masked mention. The results are the same objects for equal inputs: callers must
    not modify them. Memory is bounded by ``cache_entries`` results per memo (0: no memo, every
    post computed from scratch: the reference the memoised pass is tested against).
    """

    def __init__(self, secret: str, registry: OfficialRegistry, cache_entries: int = CACHE_ENTRIES) -> None:
        self.secret = secret
        self.registry = registry

        def clean(raw: str | None, platform: str) -> tuple[str, dict[str, int], list[str]]:
            return clean_text(raw, secret, registry, platform)

        def author(platform: str, handle: str | None, platform_official: bool) -> Author:
            return resolve_author(secret, registry, platform, handle, platform_official)

        self.clean: CleanFn = clean
        self.facts: Callable[[str], BodyFacts] = body_facts
        self.author: Callable[[str, str | None, bool], Author] = author
        if cache_entries:
            self.clean = lru_cache(maxsize=cache_entries)(clean)
            self.facts = lru_cache(maxsize=cache_entries)(body_facts)
            self.author = lru_cache(maxsize=cache_entries)(author)

    def post(
        self,
        platform: str,
        *,
        handle: str | None,
        platform_official: bool,
        text: str | None,
        title: str | None,
        geo_place: str | None,
    ) -> dict[str, Any]:
        """Derived silver columns of one bronze post (see schemas.silver for their meaning)."""
        author = self.author(platform, handle, platform_official)
        body, counts, mentions = self.clean(text, platform)
        title_masked: str | None = None
        if title:
            title_masked, title_counts, _ = self.clean(title, platform)
            counts = {k: counts[k] + title_counts[k] for k in PII_TYPES}
        place: str | None = None
        if geo_place:
            place, place_counts, _ = self.clean(geo_place, platform)
            counts = {k: counts[k] + place_counts[k] for k in PII_TYPES}
        facts = self.facts(body)
        lang = facts.lang
        if lang.lang == "und" and title_masked:  # a bare link under a titled item: the title decides
            lang = detect(f"{title_masked} {body}")
        return {
            "author_pseudonym": author.pseudonym,
            "author_display": author.display,
            "author_is_official": author.is_official,
            "institution_id": author.institution_id,
            "title_masked": title_masked or None,
            "text_masked": body,
            "text_key": facts.key,
            "geo_place": place or None,
            "urls": facts.found.urls,
            "mentions": mentions,
            "hashtags": facts.found.hashtags,
            "emoji": facts.found.emoji,
            "lang": lang.lang,
            "lang_confidence": round(lang.confidence, 4),
            **{f"pii_{k.lower()}": v for k, v in counts.items()},
            "link_only": facts.link_only,
        }


_SHARED: dict[tuple[str, frozenset[Any]], TextPass] = {}


def shared_text_pass(secret: str, registry: OfficialRegistry) -> TextPass:
    """The memoised :class:`TextPass` of this process for this secret and registry.

    Spark reuses a Python worker for many tasks and unpickles the registry afresh for each, so
    the memo is keyed by the registry's content: a title met in one task is a hit in the next.
    A worker keeps the memo of one configuration only.
    """
    key = (secret, registry.content())
    found = _SHARED.get(key)
    if found is None:
        _SHARED.clear()
        found = _SHARED[key] = TextPass(secret, registry)
    return found

