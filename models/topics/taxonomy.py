"""The versioned policy-topic taxonomy and its seed-lemma matcher (weak supervision)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from models.topics.text import clean_for_model, lemma, tokens

TAXONOMY_PATH = Path(__file__).with_name("taxonomy.json")


@dataclass(frozen=True)
class Topic:
    """One taxonomy entry."""

    id: str
    label_ro: str
    description: str
    seeds: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    """Ordered topics plus the taxonomy version recorded on every scored row."""

    version: str
    topics: tuple[Topic, ...]

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.topics]


@lru_cache(maxsize=4)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    """Load ``taxonomy.json`` (cached)."""
    raw = json.loads(Path(path or TAXONOMY_PATH).read_text(encoding="utf-8"))
    topics = tuple(
        Topic(t["id"], t["label_ro"], t["description"], tuple(t["seeds"])) for t in raw["topics"]
    )
    ids = [t.id for t in topics]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate topic ids in taxonomy")
    return Taxonomy(raw["version"], topics)


TAXONOMY_VERSION = load_taxonomy().version
TOPIC_IDS = load_taxonomy().ids


class SeedMatcher:
    """Counts seed hits per topic on folded tokens and their lemmas.

    Seeds: ``word`` (token or lemma equals), ``stem*`` (token or lemma starts with stem),
    ``multi_word`` (consecutive lemmas).
    """

    def __init__(self, taxonomy: Taxonomy | None = None, lemmas: dict[str, str] | None = None) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self.lemmas = lemmas
        self.n = len(self.taxonomy.topics)
        self.exact: dict[str, set[int]] = {}
        self.prefix: dict[str, set[int]] = {}
        self.phrases: dict[tuple[str, ...], set[int]] = {}
        for k, topic in enumerate(self.taxonomy.topics):
            for seed in topic.seeds:
                seed = seed.lower()
                if "_" in seed:
                    self.phrases.setdefault(tuple(seed.split("_")), set()).add(k)
                elif seed.endswith("*"):
                    self.prefix.setdefault(seed[:-1], set()).add(k)
                else:
                    self.exact.setdefault(seed, set()).add(k)
        self.prefix_lengths = sorted({len(p) for p in self.prefix})
        self.max_phrase = max((len(p) for p in self.phrases), default=1)
        self.phrase_words = {w for p in self.phrases for w in p}
        self._cache: dict[tuple[str, str], tuple[int, ...]] = {}

    def is_seed(self, form: str) -> bool:
        """True when ``form`` is a seed word, starts with a seed prefix or is part of a seed phrase."""
        if form in self.exact or form in self.phrase_words:
            return True
        return any(form[:n] in self.prefix for n in self.prefix_lengths if len(form) >= n)

    def _token_hits(self, tok: str, lem: str) -> tuple[int, ...]:
        """Topics hit by one token (memoised: tokens repeat a lot in bulk scoring)."""
        key = (tok, lem)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        hit: set[int] = set()
        for form in (tok, lem):
            hit |= self.exact.get(form, set())
            for length in self.prefix_lengths:
                if len(form) < length:
                    break
                hit |= self.prefix.get(form[:length], set())
        result = tuple(sorted(hit))
        if len(self._cache) < 500_000:
            self._cache[key] = result
        return result

    def counts(self, text: str) -> np.ndarray:
        """Hit counts per topic (each token counts at most once per topic)."""
        return self.counts_folded(clean_for_model(text))

    def counts_folded(self, folded: str) -> np.ndarray:
        """``counts`` for text already passed through ``clean_for_model``."""
        out = np.zeros(self.n, dtype=np.float32)
        toks = tokens(folded)
        table = self.lemmas
        lems = [table.get(t, t) for t in toks] if table is not None else [lemma(t) for t in toks]
        for tok, lem in zip(toks, lems, strict=True):
            for k in self._token_hits(tok, lem):
                out[k] += 1
        if self.phrases:
            for size in range(2, self.max_phrase + 1):
                for i in range(len(lems) - size + 1):
                    for key in (tuple(lems[i : i + size]), tuple(toks[i : i + size])):
                        found = self.phrases.get(key)
                        if found:
                            for k in found:
                                out[k] += 1
                            break
        return out

    def matrix(self, texts: list[str], folded: list[str] | None = None) -> np.ndarray:
        """Stacked ``counts`` for many texts (``folded``: their ``clean_for_model`` forms, if at hand)."""
        if not texts:
            return np.zeros((0, self.n), dtype=np.float32)
        folded = folded if folded is not None else [clean_for_model(t) for t in texts]
        return np.vstack([self.counts_folded(f) for f in folded])
