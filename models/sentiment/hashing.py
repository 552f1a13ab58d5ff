"""Vectorised character n-gram hashing: numpy instead of one Python string per n-gram.

All documents of a batch are encoded once as UTF-32 code points; a polynomial rolling hash over
each window (finalised with the splitmix64 mixer) picks the bucket. Windows that would cross two
documents are dropped. Deterministic across processes and platforms (no Python ``hash``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

_PRIME = np.uint64(0x100000001B3)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_SEP = "\x00"


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the rolling hash over all 64 bits."""
    values = values ^ (values >> _S30)
    values = values * _M1
    values = values ^ (values >> _S27)
    values = values * _M2
    return values ^ (values >> _S31)


def char_ngram_counts(docs: Sequence[str], ngram_range: tuple[int, int], n_features: int) -> sp.csr_matrix:
    """Counts of hashed character n-grams of ``" " + doc + " "``, shape ``(len(docs), n_features)``."""
    low, high = ngram_range
    n_docs = len(docs)
    if n_docs == 0:
        return sp.csr_matrix((0, n_features), dtype=np.float32)
    padded = [f" {d.replace(_SEP, ' ')} " for d in docs]
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=n_docs) + 1
    joined = _SEP.join(padded) + _SEP
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc_of = np.repeat(np.arange(n_docs, dtype=np.int32), lengths)
    seps = np.concatenate(([0], np.cumsum(codes == 0)))
    total = codes.shape[0]
    rolling = np.zeros(total, dtype=np.uint64)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    buckets = np.uint64(n_features)
    with np.errstate(over="ignore"):
        for n in range(1, high + 1):
            width = total - n + 1
            if width <= 0:
                break
            rolling = rolling[:width] * _PRIME + codes[n - 1 : n - 1 + width]
            if n < low:
                continue
            valid = np.flatnonzero(seps[n : n + width] == seps[:width])
            rows.append(doc_of[valid])
            cols.append((_mix(rolling[valid] + np.uint64(n)) % buckets).astype(np.int32))
    row = np.concatenate(rows)
    col = np.concatenate(cols)
    data = np.ones(row.shape[0], dtype=np.float32)
    matrix = sp.csr_matrix((data, (row, col)), shape=(n_docs, n_features), dtype=np.float32)
    matrix.sum_duplicates()
    return matrix


def _inverse_mod_2_64(value: int) -> int:
    """Multiplicative inverse of an odd number modulo 2**64."""
    return pow(value, -1, 1 << 64)


_BASE = 0x100000001B3
_BASE_INV = _inverse_mod_2_64(_BASE)
_SPACE = 32


def _powers(base: int, count: int) -> np.ndarray:
    """``base**i mod 2**64`` for ``i < count``."""
    values = np.full(count, base, dtype=np.uint64)
    values[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(values, dtype=np.uint64)


def word_ngram_counts(docs: Sequence[str], ngram_range: tuple[int, int], n_features: int) -> sp.csr_matrix:
    """Counts of hashed word n-grams (tokens separated by single spaces), fully vectorised.

    The hash of the substring ``s[i:k]`` is ``sum(c[j] * B**(j-i))`` mod 2**64, read off prefix sums
    of ``c[j] * B**j`` times ``B**-i``; an n-gram is the substring from its first token's start to
    its last token's end, so it covers the separating spaces too.
    """
    low, high = ngram_range
    n_docs = len(docs)
    if n_docs == 0:
        return sp.csr_matrix((0, n_features), dtype=np.float32)
    joined = _SEP.join(d.replace(_SEP, " ") for d in docs) + _SEP
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    total = codes.shape[0]
    is_sep = codes == 0
    boundary = np.flatnonzero(is_sep | (codes == _SPACE))
    starts = np.concatenate(([0], boundary[:-1] + 1))
    ends = boundary
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    doc_of_pos = np.concatenate(([0], np.cumsum(is_sep)))[:-1].astype(np.int32)
    token_doc = doc_of_pos[starts]
    with np.errstate(over="ignore"):
        prefix = np.concatenate(([np.uint64(0)], np.cumsum(codes * _powers(_BASE, total), dtype=np.uint64)))
        inverse = _powers(_BASE_INV, total + 1)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        buckets = np.uint64(n_features)
        for n in range(low, high + 1):
            if len(starts) < n:
                break
            first = starts[: len(starts) - n + 1]
            last_end = ends[n - 1 :]
            same_doc = np.flatnonzero(token_doc[: len(first)] == token_doc[n - 1 :])
            first, last_end = first[same_doc], last_end[same_doc]
            hashed = (prefix[last_end] - prefix[first]) * inverse[first]
            rows.append(token_doc[same_doc])
            cols.append((_mix(hashed + np.uint64(1000 + n)) % buckets).astype(np.int32))
    if not rows:
        return sp.csr_matrix((n_docs, n_features), dtype=np.float32)
    row = np.concatenate(rows)
    col = np.concatenate(cols)
    matrix = sp.csr_matrix((np.ones(row.shape[0], dtype=np.float32), (row, col)), shape=(n_docs, n_features),
                           dtype=np.float32)
    matrix.sum_duplicates()
    return matrix
