"""Which petitions / consultations a post mentions: its URLs contain the item id, or its text the title.

Exact (the same pairs as checking every post against every item with ``in``), without comparing
every post with every item: an item is a candidate for a post only when they share an equality key,
and each candidate is then checked with ``in``.

* URLs: an id of at least :data:`URL_KEY_CHARS` characters is looked up by its first characters
  among the same-length substrings of the post's URLs; shorter ids are checked against every URL.
* Texts: a title's key is its longest pair of adjacent *interior* tokens, else its longest interior
  token (tokens = maximal ``[a-z0-9]`` runs; interior = another character on both sides inside
  the title). Wherever the title occurs in a text, that token is a whole token of the text too and
  adjacent interior tokens are adjacent there, so the post's token pairs / tokens are looked up.
  Titles without an interior token are few and are checked against every text. Titles shorter
  than :data:`MIN_TITLE_KEY` characters never match.

The gold job runs :func:`mention_batches` in one ``mapInArrow`` pass (jobs/gold.py::mention_pairs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pyarrow as pa

URL_KEY_CHARS = 8
MIN_TITLE_KEY = 20
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
PAIR_SCHEMA = pa.schema([("item_id", pa.string()), ("post_id", pa.string())])


def interior_key(title_key: str) -> tuple[str | None, int]:
    """(key, n-gram size) of a title: its longest adjacent pair of interior tokens, else its longest one.

    Size 0 (key None): the title has no interior token. Ties go to the first longest.
    """
    parts = _TOKEN_SPLIT.split(title_key)
    inner = [w for w in parts[1:-1] if w]
    pairs = [f"{a} {b}" for a, b in zip(inner, inner[1:], strict=False)]
    for size, candidates in ((2, pairs), (1, inner)):
        if candidates:
            return max(candidates, key=len), size  # max() keeps the first of equal lengths
    return None, 0


class MentionIndex:
    """The items of one snapshot, keyed for lookups from a post's URLs and text."""

    def __init__(self, items: Iterable[tuple[str, str | None]]) -> None:
        self.by_id_prefix: dict[str, list[str]] = {}
        self.short_ids: list[str] = []
        self.by_text_key: dict[tuple[int, str], list[tuple[str, str]]] = {}
        self.unkeyed_titles: list[tuple[str, str]] = []
        for item_id, title_key in items:
            if len(item_id) >= URL_KEY_CHARS:
                self.by_id_prefix.setdefault(item_id[:URL_KEY_CHARS], []).append(item_id)
            else:
                self.short_ids.append(item_id)
            if title_key is None or len(title_key) < MIN_TITLE_KEY:
                continue
            key, size = interior_key(title_key)
            if key is None:
                self.unkeyed_titles.append((item_id, title_key))
            else:
                self.by_text_key.setdefault((size, key), []).append((item_id, title_key))

    def mentioned(self, text_key: str | None, urls: Iterable[str] | None) -> set[str]:
        """Ids of the items whose id is in one of ``urls`` or whose title key is in ``text_key``."""
        found: set[str] = set()
        for url in urls or ():
            if url is None:
                continue
            found.update(i for i in self.short_ids if i in url)
            for start in range(max(len(url) - URL_KEY_CHARS + 1, 1)):
                for item_id in self.by_id_prefix.get(url[start:start + URL_KEY_CHARS], ()):
                    if item_id in url:
                        found.add(item_id)
        if text_key:
            found.update(i for i, title in self.unkeyed_titles if title in text_key)
            if self.by_text_key:
                tokens = [t for t in _TOKEN_SPLIT.split(text_key) if t]
                keys = {(1, t) for t in tokens}
                keys.update((2, f"{a} {b}") for a, b in zip(tokens, tokens[1:], strict=False))
                for key in keys:
                    for item_id, title in self.by_text_key.get(key, ()):
                        if title in text_key:
                            found.add(item_id)
        return found


def mention_batches(index: MentionIndex, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: (post_id, text_key, urls) in, distinct (item_id, post_id) pairs out."""
    for batch in batches:
        ids = batch.column("post_id").to_pylist()
        texts = batch.column("text_key").to_pylist()
        urls = batch.column("urls").to_pylist()
        items: list[str] = []
        posts: list[str] = []
        for post_id, text, post_urls in zip(ids, texts, urls, strict=True):
            for item_id in sorted(index.mentioned(text, post_urls)):
                items.append(item_id)
                posts.append(post_id)
        if items:
            yield pa.RecordBatch.from_arrays([pa.array(items, pa.string()), pa.array(posts, pa.string())],
                                             schema=PAIR_SCHEMA)
