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

The gold job runs :func:`mention_batches` in one ``mapInArrow`` pass and expands titles to their
items in Spark (jobs/gold.py::mention_pairs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import pyarrow as pa

URL_KEY_CHARS = 8
MIN_TITLE_KEY = 20
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")


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
    """The items of one snapshot, keyed for lookups from a post's URLs and text.

    Items sharing a title (petitions copied from one template) are one *title*: a text is checked
    once per distinct title, and :func:`mention_batches` returns (title, post) pairs that the
    caller expands to the title's items (:attr:`items_of_title`), not one row per item.
    """

    def __init__(self, items: Iterable[tuple[str, str | None]]) -> None:
        self.by_id_prefix: dict[str, list[str]] = {}
        self.short_ids: list[str] = []
        self.titles: list[str] = []
        """Distinct title keys of at least MIN_TITLE_KEY characters; a title's number is its index."""
        self.items_of_title: list[list[str]] = []
        self.title_of_item: dict[str, int] = {}
        self.by_text_key: dict[tuple[int, str], list[int]] = {}
        self.unkeyed_titles: list[int] = []
        number: dict[str, int] = {}
        for item_id, title_key in items:
            if len(item_id) >= URL_KEY_CHARS:
                self.by_id_prefix.setdefault(item_id[:URL_KEY_CHARS], []).append(item_id)
            else:
                self.short_ids.append(item_id)
            if title_key is None or len(title_key) < MIN_TITLE_KEY:
                continue
            if title_key not in number:
                number[title_key] = len(self.titles)
                self.titles.append(title_key)
                self.items_of_title.append([])
                key, size = interior_key(title_key)
                if key is None:
                    self.unkeyed_titles.append(number[title_key])
                else:
                    self.by_text_key.setdefault((size, key), []).append(number[title_key])
            self.items_of_title[number[title_key]].append(item_id)
            self.title_of_item[item_id] = number[title_key]

    def mentioned_by_url(self, urls: Iterable[str | None] | None) -> set[str]:
        """Ids of the items whose id is in one of ``urls``."""
        found: set[str] = set()
        for url in urls or ():
            if url is None:
                continue
            found.update(i for i in self.short_ids if i in url)
            for start in range(max(len(url) - URL_KEY_CHARS + 1, 1)):
                for item_id in self.by_id_prefix.get(url[start:start + URL_KEY_CHARS], ()):
                    if item_id in url:
                        found.add(item_id)
        return found

    def mentioned_titles(self, text_key: str | None) -> set[int]:
        """Numbers of the titles that ``text_key`` contains."""
        if not text_key:
            return set()
        titles = self.titles
        found = {n for n in self.unkeyed_titles if titles[n] in text_key}
        if self.by_text_key:
            tokens = [t for t in _TOKEN_SPLIT.split(text_key) if t]
            keys = {(1, t) for t in tokens}
            keys.update((2, f"{a} {b}") for a, b in zip(tokens, tokens[1:], strict=False))
            for key in keys:
                for n in self.by_text_key.get(key, ()):
                    if n not in found and titles[n] in text_key:
                        found.add(n)
        return found

    def mentioned(self, text_key: str | None, urls: Iterable[str | None] | None) -> set[str]:
        """Ids of the items whose id is in one of ``urls`` or whose title key is in ``text_key``."""
        found = self.mentioned_by_url(urls)
        for n in self.mentioned_titles(text_key):
            found.update(self.items_of_title[n])
        return found


def mention_batches(
    index: MentionIndex, batches: Iterator[pa.RecordBatch], carry: Sequence[str] = ()
) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: (post_id, text_key, urls, *carry) in, (item_id, title_no, post_id, *carry) out.

    A row names an item found by URL (``title_no`` null) or a title found in the text
    (``item_id`` null: every item of :attr:`MentionIndex.items_of_title` of it). An item found
    both ways comes once, through its title, so the expanded pairs are distinct. The ``carry``
    columns of the post are copied to its rows in Arrow (``take``), never through Python.
    """
    title_of_item = index.title_of_item
    for batch in batches:
        ids = batch.column("post_id").to_pylist()
        texts = batch.column("text_key").to_pylist()
        urls = batch.column("urls").to_pylist()
        items: list[str | None] = []
        titles: list[int | None] = []
        rows: list[int] = []
        for row, (text, post_urls) in enumerate(zip(texts, urls, strict=True)):
            found = index.mentioned_titles(text)
            for n in sorted(found):
                items.append(None)
                titles.append(n)
                rows.append(row)
            if post_urls:
                for item_id in sorted(index.mentioned_by_url(post_urls)):
                    if title_of_item.get(item_id) not in found:
                        items.append(item_id)
                        titles.append(None)
                        rows.append(row)
        if rows:
            taken = pa.array(rows, pa.int32())
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(items, pa.string()),
                    pa.array(titles, pa.int32()),
                    pa.array([ids[r] for r in rows], pa.string()),
                    *[batch.column(c).take(taken) for c in carry],
                ],
                names=["item_id", "title_no", "post_id", *carry],
            )
