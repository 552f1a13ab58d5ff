"""X (Twitter) API v2 search/timeline responses: ``data`` tweets plus ``includes.users``/``places``.

Mapping: id → native_id; ``note_tweet.text`` (long posts) or ``text`` → text; created_at; author via
``author_id`` → ``includes.users`` (username → author_handle, name → author_name, location →
geo_place, ``verified_type == "government"`` → official); ``referenced_tweets[type=replied_to]`` →
parent_id; ``conversation_id`` → thread_id; public_metrics like/retweet/reply/impression counts →
likes/shares/replies/views; ``geo.coordinates`` [lon, lat] and ``includes.places`` full_name → geo.
ingest_line is the tweet's 1-based position in ``data``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jobs.adapters.base import Record, Rejected
from jobs.adapters.common import (
    Context,
    RecordError,
    as_dict,
    dumps,
    file_rejected,
    load_json_document,
    new_record,
    opt_str,
    parse_ts,
    ref_id,
    require_text,
    to_count,
    to_float,
)


def _index(items: object, key: str = "id") -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(i[key]): i for i in items if isinstance(i, dict) and key in i}


def _tweet(tweet: dict[str, Any], users: dict[str, dict[str, Any]], places: dict[str, dict[str, Any]],
           ctx: Context, line: int, raw: str) -> Record:
    tweet_id = opt_str(tweet.get("id"))
    if not tweet_id:
        raise RecordError("missing id")
    note = tweet.get("note_tweet")
    text = require_text(note.get("text") if isinstance(note, dict) and note.get("text") else tweet.get("text"))
    created_at = parse_ts(tweet.get("created_at"))
    user = users.get(str(tweet.get("author_id")), {})
    handle = opt_str(user.get("username"))
    parent = None
    refs = tweet.get("referenced_tweets") or []
    if not isinstance(refs, list):
        raise RecordError("referenced_tweets is not a list")
    for ref in refs:
        if isinstance(ref, dict) and ref.get("type") == "replied_to":
            parent = ref_id(ctx, ref.get("id"))
    conversation = opt_str(tweet.get("conversation_id"))
    metrics = tweet.get("public_metrics") or {}
    if not isinstance(metrics, dict):
        raise RecordError("public_metrics is not an object")
    geo = as_dict(tweet.get("geo"))
    place = places.get(str(geo.get("place_id")), {})
    coords = as_dict(geo.get("coordinates")).get("coordinates")
    lon, lat = (coords[0], coords[1]) if isinstance(coords, list) and len(coords) == 2 else (None, None)
    return new_record(
        ctx,
        native_id=tweet_id,
        created_at=created_at,
        text=text,
        line=line,
        raw=raw,
        author_handle=handle,
        author_name=opt_str(user.get("name")),
        url=f"https://x.com/{handle or 'i/web'}/status/{tweet_id}",
        platform_official=user.get("verified_type") == "government",
        parent_id=parent,
        thread_id=ref_id(ctx, conversation) if conversation else None,
        lang_hint=opt_str(tweet.get("lang")),
        likes=to_count(metrics.get("like_count"), "like_count"),
        shares=to_count(metrics.get("retweet_count"), "retweet_count"),
        replies=to_count(metrics.get("reply_count"), "reply_count"),
        views=to_count(metrics.get("impression_count"), "impression_count"),
        geo_place=opt_str(place.get("full_name")) or opt_str(user.get("location")),
        geo_lat=to_float(lat, "latitude"),
        geo_lon=to_float(lon, "longitude"),
    )


def parse(path: str, ctx: Context) -> Iterator[Record | Rejected]:
    doc, bad = load_json_document(path)
    if bad:
        yield bad
        return
    data = doc.get("data") if isinstance(doc, dict) else None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        yield file_rejected("not an X API v2 response: expected an object with a 'data' list", dumps(doc))
        return
    includes = as_dict(doc.get("includes"))
    users = _index(includes.get("users"))
    places = _index(includes.get("places"))
    for line, tweet in enumerate(data, start=1):
        if not isinstance(tweet, dict):
            yield Rejected(line, f"tweet is not an object ({type(tweet).__name__})", dumps(tweet))
            continue
        user = users.get(str(tweet.get("author_id")))
        raw = dumps({"data": tweet, "includes": {"users": [user] if user else []}})
        try:
            yield _tweet(tweet, users, places, ctx, line, raw)
        except RecordError as exc:
            yield Rejected(line, str(exc), raw)
