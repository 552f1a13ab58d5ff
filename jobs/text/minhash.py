"""MinHash band keys of match keys, for near-duplicate candidates (numpy, one Arrow batch at a time).

Silver finds near duplicates by banded MinHash LSH on the 5-character shingles of ``text_key``:
:data:`LSH_BANDS` bands of :data:`LSH_ROWS` MinHash values each; two posts are candidates when
all values of one band agree (P = 1 - (1 - J^6)^14: 0.986 at Jaccard 0.8, 0.20 at 0.5), and
every candidate is then checked with its exact Jaccard similarity (jobs/text/near_dup.py).

The values are computed here, inside the silver ``mapInArrow`` pass that already holds every
key in Python, vectorised over the whole batch: one array of 5-gram hashes for all keys of
the batch (a polynomial rolling hash of the code points, finished with the splitmix64 mixer),
then per hash function ``k`` the minimum of ``(a_k · h + b_k) mod 2^64 >> 32`` per key
(multiply-add-shift, a universal family; ``np.minimum.reduceat`` over key segments), then a
64-bit key per band. No per-shingle Python, no Spark higher-order functions. A key's bands
depend on the key only (fixed seed), so every worker and every run agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

SHINGLE_CHARS = 5
LSH_BANDS = 14
LSH_ROWS = 6
LSH_SEED = 20261128
MIN_KEY_CHARS = 20  # shorter keys take no part in near-duplicate detection
PAIR_SLICE = 500_000  # pairs per sparse product in ShingleMatrix.similar (a template bucket can give millions)

_HASHES = LSH_BANDS * LSH_ROWS
_rng = np.random.Generator(np.random.PCG64(LSH_SEED))
_A = _rng.integers(0, 2**63, size=_HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
_B = _rng.integers(0, 2**63, size=_HASHES, dtype=np.uint64) * np.uint64(2)
_BAND_SALT = _rng.integers(0, 2**63, size=LSH_BANDS, dtype=np.uint64)
_POLY = np.uint64(0x100000001B3)  # FNV-1 64 prime as the rolling-hash base
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _splitmix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (bijective on uint64; spreads the bits of the rolling hash)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX2
    return x ^ (x >> np.uint64(31))


def band_keys(keys: Sequence[str | None]) -> list[list[int] | None]:
    """Per key: :data:`LSH_BANDS` signed 64-bit band keys, or None when shorter than MIN_KEY_CHARS."""
    out: list[list[int] | None] = [None] * len(keys)
    chosen = [i for i, k in enumerate(keys) if k is not None and len(k) >= MIN_KEY_CHARS]
    if not chosen:
        return out
    slot: dict[str, int] = {}  # each distinct key is hashed once (templates, re-shares)
    of_chosen = [slot.setdefault(keys[i] or "", len(slot)) for i in chosen]
    texts = list(slot)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = SHINGLE_CHARS
    with np.errstate(over="ignore"):
        rolling = codes[: len(codes) - n + 1].copy()
        for j in range(1, n):
            rolling = rolling * _POLY + codes[j : len(codes) - n + 1 + j]
        hashes = _splitmix(rolling)
        # keep the windows that lie inside one key: positions start .. start + length - n
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        counts = lengths - n + 1
        seg = np.repeat(np.arange(len(texts)), counts)
        offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        hashes = hashes[starts[seg] + offset]
        seg_starts = np.cumsum(counts) - counts
        signature = np.empty((_HASHES, len(texts)), dtype=np.uint64)
        for k in range(_HASHES):
            signature[k] = np.minimum.reduceat((hashes * _A[k] + _B[k]) >> np.uint64(32), seg_starts)
        bands = np.empty((len(texts), LSH_BANDS), dtype=np.uint64)
        for b in range(LSH_BANDS):
            acc = np.full(len(texts), _BAND_SALT[b], dtype=np.uint64)
            for r in range(LSH_ROWS):
                acc = _splitmix(acc * _POLY + signature[b * LSH_ROWS + r])
            bands[:, b] = acc
    signed = bands.view(np.int64).tolist()
    for i, pos in zip(chosen, of_chosen, strict=True):
        out[i] = signed[pos]
    return out


def shingle_set(key: str) -> frozenset[str]:
    """Distinct :data:`SHINGLE_CHARS`-character substrings of a key (code points, as Spark's ``substring``)."""
    n = SHINGLE_CHARS
    return frozenset(key[i : i + n] for i in range(len(key) - n + 1))


class ShingleCache:
    """Shingle sets of recently seen keys (a task's candidate pairs share their keys a lot)."""

    def __init__(self, max_keys: int = 50_000) -> None:
        self.max_keys = max_keys
        self._sets: dict[str, frozenset[str]] = {}

    def shingles(self, key: str) -> frozenset[str]:
        found = self._sets.get(key)
        if found is None:
            if len(self._sets) >= self.max_keys:
                self._sets.clear()  # bounded memory; a miss only costs rebuilding the set
            found = self._sets[key] = shingle_set(key)
        return found

    def jaccard(self, a: str, b: str) -> float:
        """Exact Jaccard similarity of the two keys' shingle sets (0 when both are empty)."""
        sa, sb = self.shingles(a), self.shingles(b)
        common = len(sa & sb)
        union = len(sa) + len(sb) - common
        return common / union if union else 0.0


def jaccard_at_least(left: Sequence[str], right: Sequence[str], threshold: float) -> list[bool]:
    """Per pair: exact Jaccard similarity of the two keys' shingle sets >= ``threshold``."""
    cache = ShingleCache()
    return [cache.jaccard(a, b) >= threshold for a, b in zip(left, right, strict=True)]


_CODE_BITS = 12  # 5 code points below 4096 pack exactly into one 60-bit integer


def _code_points(keys: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """(lengths, concatenated code points) of ``keys``; None if a code point is >= 4096."""
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    points = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if points.size and int(points.max()) >= 1 << _CODE_BITS:
        return None
    return lengths, points


def _shingle_codes(lengths: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(key index, exact integer code) of every shingle (numpy; the path without numba)."""
    n = SHINGLE_CHARS
    counts = np.maximum(lengths - n + 1, 0)
    windows = len(points) - n + 1
    if windows <= 0 or not counts.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    code = points[:windows].copy()
    for j in range(1, n):
        code = (code << np.uint64(_CODE_BITS)) | points[j : windows + j]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    seg = np.repeat(np.arange(len(lengths)), counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return seg, code[starts[seg] + offset]


class ShingleMatrix:
    """The shingle sets of some keys, built once, for any number of exact pair checks.

    Each key's shingles are computed once, however many pairs it is in; every shingle becomes an
    exact integer (5 code points of 12 bits). With numba (pinned), each key's row is its sorted
    distinct codes and a pair is checked by an early-stopping merge (:func:`_compiled`); without
    it, the rows form a sparse 0/1 matrix and intersection sizes come from a row-wise product.
    Keys holding a code point >= 4096 (CJK, say) take the slower :func:`jaccard_at_least` path.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = keys
        self.indptr: np.ndarray | None = None  # rows: codes[indptr[i]:indptr[i + 1]], sorted, distinct
        self.codes: np.ndarray | None = None
        self.matrix: Any = None  # the sparse form, without numba
        self.size: np.ndarray | None = None
        found = _code_points(list(keys))
        self.exact_only = found is None
        if found is None:
            return
        lengths, points = found
        compiled = _compiled()
        if compiled is not None:
            self.indptr, self.codes = compiled.shingle_rows(lengths, points, SHINGLE_CHARS, _CODE_BITS)
            self.size = np.diff(self.indptr)
            return
        import pandas as pd
        import scipy.sparse as sp

        seg, code = _shingle_codes(lengths, points)
        if code.size == 0:
            return
        # A hash table, not a sort of every shingle of the batch: np.unique(return_inverse=True) was the
        # walk's largest single cost (9.5 of 38.9 profiled s at 100k; docs/performance.md, item 15).
        columns = pd.factorize(code)[0]
        matrix = sp.csr_matrix(
            (np.ones(len(seg), dtype=np.int32), (seg, columns)), shape=(len(keys), int(columns.max()) + 1)
        )
        matrix.sum_duplicates()
        matrix.data[:] = 1  # a set: a shingle twice in one key counts once
        self.matrix = matrix
        self.size = np.diff(matrix.indptr)

    def similar(self, ia: np.ndarray, ib: np.ndarray, threshold: float) -> np.ndarray:
        """Per pair of positions (``keys[ia[k]]``, ``keys[ib[k]]``): exact Jaccard similarity >= ``threshold``."""
        n = len(ia)
        if n == 0:
            return np.zeros(0, dtype=bool)
        if self.exact_only:
            keys = self.keys
            return np.array(
                jaccard_at_least([keys[i] for i in ia.tolist()], [keys[i] for i in ib.tolist()], threshold), dtype=bool
            )
        if self.size is None:
            return np.zeros(n, dtype=bool)
        size = self.size
        if self.codes is not None and self.indptr is not None:
            compiled = _compiled()
            assert compiled is not None
            return compiled.at_least(self.indptr, self.codes, ia, ib, least_common(size[ia] + size[ib], threshold))
        if self.matrix is None:
            return np.zeros(n, dtype=bool)
        matrix = self.matrix
        common = np.concatenate([  # in slices: the row copies of a slice stay within a few hundred MB
            np.asarray(matrix[ia[at : at + PAIR_SLICE]].multiply(matrix[ib[at : at + PAIR_SLICE]]).sum(axis=1)).ravel()
            for at in range(0, n, PAIR_SLICE)
        ])
        union = size[ia] + size[ib] - common
        with np.errstate(divide="ignore", invalid="ignore"):
            return (union > 0) & (common / np.where(union > 0, union, 1) >= threshold)


def least_common(total: np.ndarray, threshold: float) -> np.ndarray:
    """Per pair with ``total`` = |A| + |B| shingles: the fewest common shingles ``c`` such that
    ``c / (total - c) >= threshold`` holds in floating point, exactly as :meth:`ShingleMatrix.similar`
    tests it (``total + 1`` when none does, e.g. two empty sets).

    The ratio grows with ``c``, so every ``c`` from this one up passes and every one below fails.
    """
    total = total.astype(np.int64)
    guess = np.floor(threshold * total / (1.0 + threshold)).astype(np.int64) - 1
    guess = np.clip(guess, 0, total)

    def passes(c: np.ndarray) -> np.ndarray:
        union = total - c
        with np.errstate(divide="ignore", invalid="ignore"):
            return (union > 0) & (c / np.where(union > 0, union, 1) >= threshold)

    for _ in range(4):  # the guess is at most a couple below the answer
        step = ~passes(guess) & (guess <= total)
        if not step.any():
            break
        guess = guess + step
    return np.where(passes(guess), guess, total + 1)


_COMPILED: list[Any] = []


def _compiled() -> Any:
    """The compiled shingle rows and pair check (numba), or None where numba is missing.

    ``shingle_rows``: per key, the sorted distinct codes of its 5-character windows (no hash
    table of the batch's shingles and no sparse matrix to build). ``at_least``: per pair, a merge
    of the two sorted rows that stops as soon as the pair cannot reach its ``least_common`` count;
    most candidate pairs of a template bucket are far from similar and stop after a few dozen
    steps, where the sparse product copied and multiplied both whole rows (docs/performance.md,
    item 20). Compiled once per process and cached on disk.
    """
    if not _COMPILED:
        try:
            from numba import njit
        except ImportError:  # pragma: no cover - numba is a pinned dependency
            _COMPILED.append(None)
            return None

        def compile_cached(function: Any) -> Any:
            try:
                return njit(cache=True, nogil=True)(function)
            except RuntimeError:  # no writable cache location (a read-only install): compile per process
                return njit(nogil=True)(function)

        def shingle_rows(lengths: np.ndarray, points: np.ndarray, n: int,
                         bits: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
            total = 0
            for length in lengths:
                total += max(length - n + 1, 0)
            codes = np.empty(total, dtype=np.uint64)
            indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
            at, out = 0, 0
            for i in range(len(lengths)):
                start = out
                for w in range(lengths[i] - n + 1):
                    code = np.uint64(0)
                    for j in range(n):
                        code = (code << np.uint64(bits)) | points[at + w + j]
                    codes[out] = code
                    out += 1
                if out - start > 1:
                    codes[start:out].sort()
                    kept = start + 1
                    for q in range(start + 1, out):
                        if codes[q] != codes[kept - 1]:
                            codes[kept] = codes[q]
                            kept += 1
                    out = kept
                indptr[i + 1] = out
                at += lengths[i]
            return indptr, codes[:out].copy()

        def at_least(indptr: np.ndarray, codes: np.ndarray, ia: np.ndarray, ib: np.ndarray,
                     need: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
            out = np.zeros(len(ia), dtype=np.bool_)
            for k in range(len(ia)):
                a, a_end = indptr[ia[k]], indptr[ia[k] + 1]
                b, b_end = indptr[ib[k]], indptr[ib[k] + 1]
                wanted = need[k]
                common = 0
                while a < a_end and b < b_end:
                    if common + min(a_end - a, b_end - b) < wanted:
                        break
                    x, y = codes[a], codes[b]
                    if x == y:
                        common += 1
                        a += 1
                        b += 1
                    elif x < y:
                        a += 1
                    else:
                        b += 1
                out[k] = common >= wanted
            return out

        from types import SimpleNamespace

        _COMPILED.append(SimpleNamespace(shingle_rows=compile_cached(shingle_rows), at_least=compile_cached(at_least)))
    return _COMPILED[0]


def similar_index_pairs(keys: Sequence[str], ia: np.ndarray, ib: np.ndarray, threshold: float) -> np.ndarray:
    """Per pair of positions (``keys[ia[k]]``, ``keys[ib[k]]``): exact Jaccard similarity >= ``threshold``.

    Same answer as :func:`jaccard_at_least` (tested); see :class:`ShingleMatrix`.
    """
    if len(ia) == 0:
        return np.zeros(0, dtype=bool)
    return ShingleMatrix(keys).similar(ia, ib, threshold)
