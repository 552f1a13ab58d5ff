"""Multi-label topic classifier: fast lemma/prefix TF-IDF + seed-lemma features -> one-vs-rest LR.

One pass over the tokens of a post builds every feature (no regex-heavy vectoriser, no character
n-grams), so scoring stays in the tens of thousands of posts per second per core:

* ``word``: lemma unigrams and bigrams (diacritics-free lemmas from the spacy-lookups-data table);
* ``prefix``: the first ``prefix_len`` letters of every lemma (a cheap stand-in for character n-grams
  that catches inflections and spelling variants the lemma table does not know);
* ``seeds``: log(1 + hits) per topic of the taxonomy's seed lemmas.

Each TF-IDF block uses sublinear tf, smoothed idf and its own L2 norm. One logistic regression per
topic (liblinear, balanced class weights); per-topic decision thresholds are tuned on out-of-fold
(dev) predictions over the training split only.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from models.topics.taxonomy import SeedMatcher, load_taxonomy
from models.topics.text import _URL, TOKEN, _lemma_table, clean_for_model, tokens


@dataclass
class ModelConfig:
    """Hyper-parameters and which components are switched on (used for ablations)."""

    use_word: bool = True
    use_bigrams: bool = True
    use_prefix: bool = True
    prefix_len: int = 5
    use_seeds: bool = True
    seed_weight: float = 1.0
    C: float = 4.0
    min_df: int = 2
    max_word_features: int = 40000
    max_prefix_features: int = 15000
    default_threshold: float = 0.5
    projection_weight: float = 0.0  # > 0: append the e5-distilled projection block (E5Projection), scaled
    nb_scaling: float = 0.0  # > 0: scale each n-gram column by |NB log-count ratio| ** nb_scaling per topic
    nb_alpha: float = 1.0  # additive smoothing of those ratios
    extra: dict[str, Any] = field(default_factory=dict)


def lemma_string(text: str, table: dict[str, str] | None = None, folded: str | None = None) -> str:
    """Space-joined folded lemmas of a post (kept for inspection and for other callers)."""
    table = _lemma_table() if table is None else table
    folded = clean_for_model(text) if folded is None else folded
    return " ".join(table.get(t, t) for t in tokens(folded))


class Featurizer:
    """Vocabulary, idf and the single-pass feature builder (picklable; caches are rebuilt on load)."""

    def __init__(self, config: ModelConfig, n_topics: int) -> None:
        self.config = config
        self.n_topics = n_topics
        self.word_vocab: dict[str, int] = {}
        self.prefix_vocab: dict[str, int] = {}
        self.word_idf = np.zeros(0, dtype=np.float32)
        self.prefix_idf = np.zeros(0, dtype=np.float32)
        self.lemmas: dict[str, str] = {}
        self._seeds: SeedMatcher | None = None
        self._token_cache: dict[str, tuple[str, int, int, tuple[int, ...], bool]] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_seeds"] = None
        state["_token_cache"] = {}
        state.pop("_bigrams", None)
        state.pop("_bigram_arrays", None)
        state.pop("_phrase_firsts", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # -- per-token information ------------------------------------------------------------------------
    @property
    def seeds(self) -> SeedMatcher:
        if self._seeds is None:
            self._seeds = SeedMatcher(load_taxonomy(), self.lemmas)
        return self._seeds

    def _lemma(self, tok: str) -> str:
        return self.lemmas.get(tok, tok)

    def _token(self, tok: str) -> tuple[str, int, int, tuple[int, ...], bool]:
        """(lemma, word column of the lemma or -1, prefix column or -1, seed topics, may start a seed phrase)
        for a folded token."""
        info = self._token_cache.get(tok)
        if info is None:
            lem = self._lemma(tok)
            word = self.word_vocab.get(lem, -1) if len(lem) > 1 else -1
            pre = self.prefix_vocab.get(lem[: self.config.prefix_len], -1) if len(lem) > 2 else -1
            hits: tuple[int, ...] = ()
            starts = False
            if self.config.use_seeds:
                hits = self.seeds._token_hits(tok, lem)
                firsts = self.__dict__.get("_phrase_firsts")
                if firsts is None:
                    firsts = self.__dict__["_phrase_firsts"] = {p[0] for p in self.seeds.phrases}
                starts = lem in firsts or tok in firsts
            info = (lem, word, pre, hits, starts)
            if len(self._token_cache) < 400_000:
                self._token_cache[tok] = info
        return info

    # -- fitting --------------------------------------------------------------------------------------
    def fit(self, texts: list[str]) -> Featurizer:
        """Vocabularies (document frequency >= ``min_df``, most frequent first) and idf from ``texts``."""
        cfg = self.config
        full = _lemma_table()
        self.lemmas = full
        self._token_cache = {}
        df_word: Counter[str] = Counter()
        df_prefix: Counter[str] = Counter()
        for text in texts:
            lems = [full.get(t, t) for t in TOKEN.findall(fast_fold(text))]
            words: set[str] = set()
            prefixes: set[str] = set()
            for i, lem in enumerate(lems):
                if len(lem) > 1:
                    words.add(lem)
                if len(lem) > 2:
                    prefixes.add(lem[: cfg.prefix_len])
                if cfg.use_bigrams and i and len(lem) > 1 and len(lems[i - 1]) > 1:
                    words.add(lems[i - 1] + " " + lem)
            df_word.update(words)
            df_prefix.update(prefixes)
        n = len(texts)

        def vocab(df: Counter[str], limit: int) -> tuple[dict[str, int], np.ndarray]:
            kept = sorted((f for f, c in df.items() if c >= cfg.min_df), key=lambda f: (-df[f], f))[:limit]
            kept.sort()
            idf = np.array([math.log((1 + n) / (1 + df[f])) + 1.0 for f in kept], dtype=np.float32)
            return {f: k for k, f in enumerate(kept)}, idf

        if cfg.use_word:
            self.word_vocab, self.word_idf = vocab(df_word, cfg.max_word_features)
        if cfg.use_prefix:
            self.prefix_vocab, self.prefix_idf = vocab(df_prefix, cfg.max_prefix_features)
        self._prune_lemmas(full)
        return self

    def _prune_lemmas(self, full: dict[str, str]) -> None:
        """Keep only lemma-table entries that can change a feature, so the artifact is small and loads fast."""
        seeds = _seed_lemmas() if self.config.use_seeds else frozenset()
        plen = self.config.prefix_len
        words, prefixes = self.word_vocab, self.prefix_vocab
        keep: dict[str, str] = {}
        for form, lem in full.items():
            if form == lem:
                continue
            if lem in words or form in words or lem[:plen] in prefixes or lem in seeds:
                keep[form] = lem
        self.lemmas = keep
        self._seeds = None
        self._token_cache = {}
        self.__dict__.pop("_bigrams", None)
        self.__dict__.pop("_bigram_arrays", None)
        self.__dict__.pop("_phrase_firsts", None)

    # -- transforming ---------------------------------------------------------------------------------
    def _bigram_ids(self) -> dict[int, int]:
        """Bigram columns keyed by ``first_word_column * BIG + second_word_column`` (int keys: fast)."""
        cached = self.__dict__.get("_bigrams")
        if cached is None:
            cached = {}
            vocab = self.word_vocab
            for feat, col in vocab.items():
                if " " in feat:
                    a, b = feat.split(" ", 1)
                    if a in vocab and b in vocab:
                        cached[vocab[a] * _BIG + vocab[b]] = col
            self.__dict__["_bigrams"] = cached
        return cached

    def _sorted_bigrams(self) -> tuple[np.ndarray, np.ndarray]:
        """The bigram columns as sorted ``first * BIG + second`` keys and their columns (for ``searchsorted``)."""
        cached = self.__dict__.get("_bigram_arrays")
        if cached is None:
            pairs = self._bigram_ids()
            keys = np.fromiter(pairs, dtype=np.int64, count=len(pairs))
            cols = np.fromiter(pairs.values(), dtype=np.int64, count=len(pairs))
            order = np.argsort(keys)
            cached = self.__dict__["_bigram_arrays"] = (keys[order], cols[order])
        return cached

    def transform(self, texts: list[str], toks_per_post: list[list[str]] | None = None) -> sparse.csr_matrix:
        """(n, features) matrix: word block | prefix block | seed block.

        Vectorised over all tokens of the batch: every token is looked up once in the per-worker cache; counting,
        bigrams and TF-IDF are numpy. Only tokens that hit a seed, and posts that may hold a multi-word seed
        phrase, go through Python loops (docs/performance.md, item 25). ``toks_per_post`` (from
        :func:`folded_tokens`) lets callers that featurise the same texts twice tokenise them once."""
        cfg = self.config
        nw, npf = len(self.word_vocab), len(self.prefix_vocab)
        n = len(texts)
        if toks_per_post is None:
            toks_per_post = folded_tokens(texts)
        elif len(toks_per_post) != n:
            raise ValueError(f"{len(toks_per_post)} token lists for {n} texts")
        lengths = np.fromiter(map(len, toks_per_post), dtype=np.int64, count=n)
        flat = list(chain.from_iterable(toks_per_post))
        cache = self._token_cache
        for tok in set(flat).difference(cache):
            self._token(tok)
        if len(cache) >= 400_000:  # a full cache stores no new token: look the rest up one by one
            token = self._token
            infos = [cache.get(tok) or token(tok) for tok in flat]
        else:
            infos = list(map(cache.__getitem__, flat))
        total = len(flat)
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        blocks: list[sparse.csr_matrix] = []
        if cfg.use_word:
            word = np.fromiter(map(itemgetter(1), infos), dtype=np.int64, count=total)
            keep = word >= 0
            w_rows, w_cols = rows[keep], word[keep]
            bigram_keys, bigram_cols = self._sorted_bigrams() if cfg.use_bigrams else (np.zeros(0, np.int64), None)
            if len(bigram_keys) and total > 1:
                same_post = rows[1:] == rows[:-1]
                pair = same_post & keep[1:] & keep[:-1]
                keys = word[:-1][pair] * _BIG + word[1:][pair]
                at = np.minimum(np.searchsorted(bigram_keys, keys), len(bigram_keys) - 1)
                hit = bigram_keys[at] == keys
                w_rows = np.concatenate([w_rows, rows[1:][pair][hit]])
                w_cols = np.concatenate([w_cols, bigram_cols[at[hit]]])  # type: ignore[index]
            blocks.append(_tfidf_counts(w_rows, w_cols, self.word_idf, n, nw))
        if cfg.use_prefix:
            pre = np.fromiter(map(itemgetter(2), infos), dtype=np.int64, count=total)
            keep = pre >= 0
            blocks.append(_tfidf_counts(rows[keep], pre[keep], self.prefix_idf, n, npf))
        if cfg.use_seeds:
            blocks.append(sparse.csr_matrix(np.log1p(self._seed_counts(infos, rows, toks_per_post)) * cfg.seed_weight))
        return sparse.hstack(blocks, format="csr", dtype=np.float32)

    def _seed_counts(self, infos: list[tuple[str, int, int, tuple[int, ...], bool]], rows: np.ndarray,
                     toks_per_post: list[list[str]]) -> np.ndarray:
        """(n, topics) seed hits: single tokens, then multi-word phrases in posts with a token that may start one."""
        seed_rows = np.zeros((len(toks_per_post), self.n_topics), dtype=np.float32)
        has_hits = np.fromiter(map(len, map(itemgetter(3), infos)), dtype=np.int64, count=len(infos))
        for pos in np.flatnonzero(has_hits).tolist():
            for k in infos[pos][3]:
                seed_rows[rows[pos], k] += 1
        starts = np.fromiter(map(itemgetter(4), infos), dtype=bool, count=len(infos))
        if not starts.any():
            return seed_rows
        for r in np.unique(rows[starts]).tolist():
            self.add_phrase_hits(toks_per_post[r], seed_rows[r])
        return seed_rows

    def add_phrase_hits(self, toks: list[str], seed_row: np.ndarray) -> None:
        """Add the multi-word seed phrases of one post's folded tokens to its seed counts: at each token, every
        phrase length that matches, on the lemmas or else on the raw tokens."""
        phrases = self.seeds.phrases
        first = self.__dict__.get("_phrase_firsts")
        if first is None:
            first = self.__dict__["_phrase_firsts"] = {p[0] for p in phrases}
        max_phrase = self.seeds.max_phrase
        lems = [self._token(t)[0] for t in toks]
        n_tok = len(lems)
        for i in range(n_tok - 1):
            if lems[i] not in first and toks[i] not in first:
                continue
            for size in range(2, min(max_phrase, n_tok - i) + 1):
                for key in (tuple(lems[i : i + size]), tuple(toks[i : i + size])):
                    found = phrases.get(key)
                    if found:
                        for k in found:
                            seed_row[k] += 1
                        break

    @property
    def n_features(self) -> int:
        cfg = self.config
        return (
            (len(self.word_vocab) if cfg.use_word else 0)
            + (len(self.prefix_vocab) if cfg.use_prefix else 0)
            + (self.n_topics if cfg.use_seeds else 0)
        )


@lru_cache(maxsize=1)
def _seed_lemmas() -> frozenset[str]:
    """Lemmas of the full table that hit a seed (computed once per process)."""
    matcher = SeedMatcher(load_taxonomy(), _lemma_table())
    return frozenset(lem for lem in set(_lemma_table().values()) if matcher.is_seed(lem))


_BIG = 1 << 24


class _FoldMap(dict):  # type: ignore[type-arg]
    """``str.translate`` table for lower-cased text: Romanian diacritics (comma and cedilla) and other Latin
    accents to ASCII letters, every other non-ASCII character to a space. Filled lazily, per character."""

    def __init__(self) -> None:
        # ASCII maps to itself up front: a miss raising LookupError ("keep it") cost an exception per
        # distinct ASCII character of every post (1.6 M per 15,000 posts, docs/performance.md item 20)
        super().__init__((code, code) for code in range(128))

    def __missing__(self, code: int) -> str:
        base = "".join(
            c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c) and c.isascii()
        )
        value = base if base.isalnum() else " "
        self[code] = value
        return value


_FOLD_MAP = _FoldMap()


def folded_tokens(texts: list[str]) -> list[list[str]]:
    """The tokens of every post's :func:`fast_fold` key (what :meth:`Featurizer.transform` counts)."""
    findall = TOKEN.findall
    return [findall(fast_fold(text)) for text in texts]


def fast_fold(text: str) -> str:
    """Lower-case, URL-free, diacritics-free key of a post (same tokens as ``clean_for_model`` for Romanian
    text; emoji and other symbols become spaces). One C-level ``translate`` per post."""
    return _URL.sub(" ", text).lower().translate(_FOLD_MAP)


def _tfidf_counts(rows: np.ndarray, cols: np.ndarray, idf: np.ndarray, n: int, width: int) -> sparse.csr_matrix:
    """Sublinear tf * idf, L2-normalised rows, from one (row, column) pair per occurrence."""
    counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, width))
    counts.sum_duplicates()
    if counts.nnz:
        counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(1)).ravel())
    norms[norms == 0] = 1.0
    counts.data /= np.repeat(norms, np.diff(counts.indptr)).astype(np.float32)
    return counts


class E5Projection:
    """A fixed linear map from a post's lemma / prefix TF-IDF to the top principal components of its
    multilingual-e5-small embedding, L2-normalised (a dense "meaning" block for the linear model).

    Fitted once at training time by ridge regression on unannotated posts only
    (``python -m models.topics.e5_distill project``): only texts and their e5 embeddings are used, never a
    label, and no annotated post. Scoring needs no e5 model: one extra TF-IDF pass and a sparse-dense product.
    """

    def __init__(self, featurizer: Featurizer, weights: np.ndarray, info: dict[str, Any]) -> None:
        self.featurizer = featurizer
        self.weights = np.asarray(weights, dtype=np.float16)  # stored half precision; computed in float32
        self.info = info

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_weights32", None)  # rebuilt on first use; the pickle keeps the half-precision copy
        return state

    def _float32_weights(self) -> np.ndarray:
        """The weights in float32, converted once per process rather than on every batch."""
        cached = self.__dict__.get("_weights32")
        if cached is None:
            cached = self.__dict__["_weights32"] = self.weights.astype(np.float32)
        return cached

    def transform(self, texts: list[str], toks_per_post: list[list[str]] | None = None) -> np.ndarray:
        """(n, dims) float32, each row of unit length (or zero for a post without known features).
        ``toks_per_post``: :func:`folded_tokens` of ``texts``, when the caller already has them."""
        z = np.asarray(self.featurizer.transform(texts, toks_per_post) @ self._float32_weights(), dtype=np.float32)
        z /= np.linalg.norm(z, axis=1, keepdims=True) + 1e-9
        return z

    @property
    def dims(self) -> int:
        return int(self.weights.shape[1])

    def to_arrays(self, prefix: str = "projection_") -> dict[str, np.ndarray]:
        """Plain arrays (no pickle) for an ``.npz`` artifact: the vocabularies, lemma table and info as JSON,
        the idf vectors and the half-precision weights. :meth:`from_arrays` is the inverse."""
        fz = self.featurizer
        meta = {
            "config": {k: v for k, v in asdict(fz.config).items() if k != "extra"},
            "n_topics": fz.n_topics,
            "words": sorted(fz.word_vocab, key=fz.word_vocab.__getitem__),
            "prefixes": sorted(fz.prefix_vocab, key=fz.prefix_vocab.__getitem__),
            "lemmas": fz.lemmas,
            "info": self.info,
        }
        return {
            f"{prefix}meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
            f"{prefix}word_idf": fz.word_idf.astype(np.float32),
            f"{prefix}prefix_idf": fz.prefix_idf.astype(np.float32),
            f"{prefix}weights": self.weights.astype(np.float16),
        }

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str = "projection_") -> E5Projection:
        """Rebuild a projection from :meth:`to_arrays` output (a dict or an open ``.npz``)."""
        meta = json.loads(bytes(arrays[f"{prefix}meta"]).decode("utf-8"))
        config = ModelConfig(**meta["config"])
        fz = Featurizer(config, int(meta["n_topics"]))
        fz.word_vocab = {f: k for k, f in enumerate(meta["words"])}
        fz.prefix_vocab = {f: k for k, f in enumerate(meta["prefixes"])}
        fz.word_idf = np.asarray(arrays[f"{prefix}word_idf"], dtype=np.float32)
        fz.prefix_idf = np.asarray(arrays[f"{prefix}prefix_idf"], dtype=np.float32)
        fz.lemmas = dict(meta["lemmas"])
        if len(fz.word_idf) != len(fz.word_vocab) or len(fz.prefix_idf) != len(fz.prefix_vocab):
            raise ValueError("projection arrays do not match their vocabularies")
        return cls(fz, np.asarray(arrays[f"{prefix}weights"]), meta["info"])


@lru_cache(maxsize=4)
def load_projection(path: str) -> E5Projection:
    """The committed projection (joblib), loaded once per process."""
    import joblib

    projection = joblib.load(path)
    if not isinstance(projection, E5Projection):
        raise TypeError(f"{path} does not hold an E5Projection")
    return projection


def fit_projection(texts: list[str], embeddings: np.ndarray, dims: int = 64, alpha: float = 1.0,
                   config: ModelConfig | None = None) -> E5Projection:
    """Ridge regression from TF-IDF (no seed features) to the first ``dims`` principal components of the
    L2-normalised embeddings; deterministic."""
    from dataclasses import replace

    from sklearn.decomposition import PCA
    from sklearn.linear_model import Ridge

    config = replace(config or ModelConfig(), use_seeds=False, projection_weight=0.0)
    featurizer = Featurizer(config, len(load_taxonomy().ids)).fit(texts)
    X = featurizer.transform(texts)
    target = PCA(dims, random_state=0).fit_transform(np.asarray(embeddings, dtype=np.float64))
    ridge = Ridge(alpha=alpha, fit_intercept=False, solver="sparse_cg", random_state=0).fit(X, target)
    fitted = X @ ridge.coef_.T
    r2 = 1.0 - float(((fitted - target) ** 2).sum() / ((target - target.mean(0)) ** 2).sum())
    featurizer._token_cache = {}
    featurizer._seeds = None
    return E5Projection(featurizer, ridge.coef_.T, {"posts": len(texts), "dims": dims, "alpha": alpha,
                                                     "features": int(X.shape[1]), "train_r2": round(r2, 4)})


class TopicClassifier:
    """Fit/predict wrapper; ``predict_proba`` returns an (n, topics) matrix in taxonomy order."""

    def __init__(self, config: ModelConfig | None = None) -> None:
        self.config = config or ModelConfig()
        self.taxonomy = load_taxonomy()
        self.topic_ids = self.taxonomy.ids
        self.featurizer: Featurizer | None = None
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None
        self.thresholds = np.full(len(self.topic_ids), self.config.default_threshold)
        self.projection: E5Projection | None = None

    @property
    def lemmas(self) -> dict[str, str] | None:
        featurizer = self.__dict__.get("featurizer")
        return featurizer.lemmas if featurizer is not None else self.__dict__.get("lemmas")

    # -- training ---------------------------------------------------------------------------------
    def _fit_lr(self, X: sparse.csr_matrix, Y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X = X.astype(np.float64).tocsr()
        coefs = np.zeros((Y.shape[1], X.shape[1]), dtype=np.float32)
        intercepts = np.full(Y.shape[1], -10.0, dtype=np.float32)
        n_gram_columns = self._n_gram_columns()
        for k in range(Y.shape[1]):
            y = Y[:, k]
            if y.min() == y.max():
                continue
            lr = LogisticRegression(
                C=self.config.C, class_weight="balanced", solver="liblinear", max_iter=1000, random_state=0
            )
            if self.config.nb_scaling > 0:
                scale = np.ones(X.shape[1])
                scale[:n_gram_columns] = nb_scale(X[:, :n_gram_columns], y == 1, w, self.config.nb_alpha,
                                                  self.config.nb_scaling)
                lr.fit(X @ sparse.diags(scale), y, sample_weight=w)
                coefs[k] = lr.coef_[0] * scale  # folded in: scoring is the same product as without scaling
            else:
                lr.fit(X, y, sample_weight=w)
                coefs[k] = lr.coef_[0]
            intercepts[k] = lr.intercept_[0]
        return coefs, intercepts

    def _n_gram_columns(self) -> int:
        """How many leading feature columns are word / prefix n-grams (the seed and projection blocks follow)."""
        featurizer = self.featurizer
        assert featurizer is not None
        return featurizer.n_features - (len(self.topic_ids) if self.config.use_seeds else 0)

    def fit(self, texts: list[str], Y: np.ndarray, weights: np.ndarray | None = None) -> TopicClassifier:
        """Fit the vocabulary and one logistic regression per topic."""
        w = np.ones(len(texts)) if weights is None else np.asarray(weights, dtype=float)
        self.featurizer = Featurizer(self.config, len(self.topic_ids)).fit(texts)
        if self.config.projection_weight > 0 and self.projection is None:
            from models.topics.pipeline import E5_PROJECTION

            if not E5_PROJECTION.is_file():
                raise FileNotFoundError(f"{E5_PROJECTION} not found: run `python -m models.topics.e5_distill project`")
            self.projection = load_projection(str(E5_PROJECTION))
        self.coef, self.intercept = self._fit_lr(self._features(texts), Y, w)
        return self

    def _features(self, texts: list[str]) -> sparse.csr_matrix:
        """The n-gram / seed features, plus the scaled projection block when the model has one."""
        toks = folded_tokens(texts)  # both the features and the projection count these tokens
        X = self.featurizer.transform(texts, toks)  # type: ignore[union-attr]  # set by fit / the pickle
        projection = self.__dict__.get("projection")  # absent from artifacts pickled before it existed
        if projection is None or self.config.projection_weight <= 0:
            return X
        block = sparse.csr_matrix(projection.transform(texts, toks) * np.float32(self.config.projection_weight))
        return sparse.hstack([X, block], format="csr", dtype=np.float32)

    def tune_thresholds(
        self,
        texts: list[str],
        Y: np.ndarray,
        weights: np.ndarray,
        tunable: np.ndarray,
        folds: int = 5,
        seed: int = 0,
    ) -> np.ndarray:
        """Out-of-fold probabilities on the ``tunable`` (gold) rows, then the F1-best threshold per topic.

        Rows with ``tunable == False`` (weak / pseudo labels, synthetic posts) always stay in the
        training folds.
        """
        oof = oof_proba(self.config, texts, Y, weights, tunable, folds, seed)
        self.thresholds = best_thresholds(oof, Y[np.flatnonzero(tunable)], self.config.default_threshold)
        return oof

    # -- inference --------------------------------------------------------------------------------
    def _legacy_transform(self, texts: list[str]) -> sparse.csr_matrix:
        """Features of an artifact pickled by topics-1.x (sklearn vectorisers), so it still loads and scores."""
        state = self.__dict__
        cfg = self.config.__dict__
        folded = [clean_for_model(t) for t in texts]
        blocks: list[sparse.spmatrix] = []
        if state.get("word") is not None:
            table = state.get("lemmas") or _lemma_table()
            blocks.append(state["word"].transform([lemma_string(t, table, f) for t, f in zip(texts, folded, strict=True)]))
        if cfg.get("use_char") and state.get("char") is not None:
            blocks.append(state["char"].transform(folded))
        if cfg.get("use_seeds", True):
            matcher = state.get("_legacy_seeds")
            if matcher is None:
                matcher = state["_legacy_seeds"] = SeedMatcher(self.taxonomy, state.get("lemmas"))
            blocks.append(sparse.csr_matrix(np.log1p(matcher.matrix(texts, folded)) * cfg.get("seed_weight", 1.0)))
        return sparse.hstack(blocks, format="csr", dtype=np.float32)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probability per topic (columns in taxonomy order)."""
        if self.coef is None or self.intercept is None:
            raise RuntimeError("model is not fitted")
        if not texts:
            return np.zeros((0, len(self.topic_ids)))
        if getattr(self, "featurizer", None) is None:
            if self.__dict__.get("word") is None:
                raise RuntimeError("model is not fitted")
            X = self._legacy_transform(texts)
        else:
            X = self._features(texts)
        z = np.asarray(X @ self.coef.T, dtype=np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def predict(self, texts: list[str]) -> tuple[list[list[str]], np.ndarray]:
        """Topic id lists (probability >= topic threshold, best first) and the probability matrix."""
        proba = self.predict_proba(texts)
        chosen = proba >= self.thresholds
        labels: list[list[str]] = []
        ids = self.topic_ids
        for row, mask in zip(proba, chosen, strict=True):
            if not mask.any():
                labels.append([])
                continue
            ks = np.flatnonzero(mask)
            labels.append([ids[k] for k in ks[np.argsort(-row[ks], kind="stable")]])
        return labels, proba


def nb_scale(X: sparse.csr_matrix, positive: np.ndarray, weights: np.ndarray, alpha: float = 1.0,
             power: float = 1.0) -> np.ndarray:
    """Per column, ``|log(p / q)| ** power``: p, q = smoothed, weighted shares of the positive and negative
    posts' feature occurrences (Wang & Manning's NB log-count ratio, by magnitude: a linear model is free to
    pick the sign). Columns that tell the topic apart get a larger scale, so less regularisation."""
    present = X.copy()
    present.data[:] = 1.0
    p = np.asarray(present[positive].T @ weights[positive]).ravel() + alpha
    q = np.asarray(present[~positive].T @ weights[~positive]).ravel() + alpha
    return np.abs(np.log((p / p.sum()) / (q / q.sum()))) ** power


def oof_proba(
    config: ModelConfig,
    texts: list[str],
    Y: np.ndarray,
    weights: np.ndarray,
    tunable: np.ndarray,
    folds: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """K-fold out-of-fold probabilities for the ``tunable`` rows (other rows always train)."""
    gold = np.flatnonzero(tunable)
    other = np.flatnonzero(~tunable)
    oof = np.zeros((len(gold), Y.shape[1]))
    for tr, va in KFold(folds, shuffle=True, random_state=seed).split(gold):
        idx = np.concatenate([gold[tr], other])
        sub = TopicClassifier(config)
        sub.fit([texts[i] for i in idx], Y[idx], weights[idx])
        oof[va] = sub.predict_proba([texts[i] for i in gold[va]])
    return oof


def best_thresholds(proba: np.ndarray, Y: np.ndarray, default: float = 0.5) -> np.ndarray:
    """Per column, the threshold on a 0.05..0.95 grid maximising F1 (default when no positives)."""
    grid = np.round(np.arange(0.05, 0.96, 0.025), 3)
    out = np.full(Y.shape[1], default)
    for k in range(Y.shape[1]):
        y = Y[:, k].astype(bool)
        if not y.any():
            continue
        best, best_t = -1.0, default
        for t in grid:
            p = proba[:, k] >= t
            tp = float((p & y).sum())
            f1 = 2 * tp / (p.sum() + y.sum()) if (p.sum() + y.sum()) else 0.0
            # ties: prefer the threshold closest to the default (more stable than the extreme)
            if f1 > best + 1e-9 or (abs(f1 - best) <= 1e-9 and abs(t - default) < abs(best_t - default)):
                best, best_t = f1, float(t)
        out[k] = best_t
    return out
