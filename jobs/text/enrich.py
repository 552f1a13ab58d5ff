"""One post through the whole silver text pipeline (pure Python; Spark calls it per Arrow batch).

Order: normalise → mask PII → mentions (official accounts keep '@handle', everybody else
becomes ``<USER>`` in the text and a pseudonym in ``mentions``) → extract URLs, hashtags,
emoji → key → language. Only masked text leaves this function.
"""

from __future__ import annotations

from typing import Any

from jobs.text.langid import detect, detect_residual
from jobs.text.normalise import MENTION, extract, find_urls, match_key, normalise, residual_text
from jobs.text.pii import PII_TYPES, mask
from jobs.text.pseudonym import OfficialRegistry, pseudonym, resolve_author

USER_PLACEHOLDER = "<USER>"


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


def enrich_post(
    secret: str,
    registry: OfficialRegistry,
    platform: str,
    *,
    handle: str | None,
    platform_official: bool,
    text: str | None,
    title: str | None,
    geo_place: str | None,
) -> dict[str, Any]:
    """Derived silver columns of one bronze post (see schemas.silver for their meaning)."""
    author = resolve_author(secret, registry, platform, handle, platform_official)
    body, counts, mentions = clean_text(text, secret, registry, platform)
    title_masked: str | None = None
    if title:
        title_masked, title_counts, _ = clean_text(title, secret, registry, platform)
        counts = {k: counts[k] + title_counts[k] for k in PII_TYPES}
    place: str | None = None
    if geo_place:
        place, place_counts, _ = clean_text(geo_place, secret, registry, platform)
        counts = {k: counts[k] + place_counts[k] for k in PII_TYPES}
    found = extract(body)
    residual = residual_text(body)
    lang = detect_residual(residual)  # == detect(body), without computing the residual twice
    if lang.lang == "und" and title_masked:  # a bare link under a titled item: the title decides
        lang = detect(f"{title_masked} {body}")
    residual = residual.replace(USER_PLACEHOLDER, " ")
    link_only = bool(found.urls) and not any(ch.isalpha() for ch in residual)
    return {
        "author_pseudonym": author.pseudonym,
        "author_display": author.display,
        "author_is_official": author.is_official,
        "institution_id": author.institution_id,
        "title_masked": title_masked or None,
        "text_masked": body,
        "text_key": match_key(body),
        "geo_place": place or None,
        "urls": found.urls,
        "mentions": mentions,
        "hashtags": found.hashtags,
        "emoji": found.emoji,
        "lang": lang.lang,
        "lang_confidence": round(lang.confidence, 4),
        **{f"pii_{k.lower()}": v for k, v in counts.items()},
        "link_only": link_only,
    }
