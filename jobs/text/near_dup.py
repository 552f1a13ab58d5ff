"""Similar pairs inside LSH buckets, a batch of buckets at a time, keeping only a spanning forest.

Silver sends every (band, band_key, node, text_key) row whose bucket holds more than one node
to Python, grouped by bucket and sorted (jobs/silver.py). :class:`BucketStream` collects whole
buckets and compares their nodes with the exact Jaccard similarity of their shingle sets:

* a bucket of up to ``all_pairs_up_to`` nodes: every pair;
* a larger one (a template copied thousands of times): sorted neighbourhood, each node against
  the ``window`` nodes before it in two text orders (how texts begin, how they end), so a
  variant that changed its opening still meets its template.

A pair whose nodes the task has already connected (through an earlier batch: another band of
the same cluster) is not compared, and a bucket whose nodes are all connected costs nothing
but a lookup per node. The candidate pairs of a batch are de-duplicated (a pair sharing several
bands of the batch is compared once) and checked in two vectorised rounds over one shingle
matrix (:class:`jobs.text.minhash.ShingleMatrix`): first the pairs that can connect a bucket on
their own (a star from its first node, or neighbours in text order), then the others whose nodes
the first round left apart. The similar ones that join two components are returned. Their
connected components equal those of every candidate pair that is similar.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from jobs.text.minhash import ShingleMatrix

ORDER_CHARS = 32  # characters of a key's opening (or ending) that set its place in a bucket's order
BATCH_ROWS = 20_000  # rows of whole buckets compared together


class UnionFind:
    """Disjoint sets of node ids; each set's root is its smallest id."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def root(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> bool:
        """Join the sets of ``a`` and ``b``; False when they were already one set."""
        ra, rb = self.root(a), self.root(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


def sorted_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_index=True)``: the distinct values in order, each one's first position.

    By a stable sort and a mask: numpy 2.4's ``np.unique`` hashes first and was several times
    slower on the walk's tens of millions of pair codes (docs/performance.md, item 20).
    """
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first], order[first]


def sorted_difference(values: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """``np.setdiff1d(values, removed, assume_unique=True)`` for two sorted arrays of distinct values."""
    if len(removed) == 0 or len(values) == 0:
        return values
    at = np.minimum(np.searchsorted(removed, values), len(removed) - 1)
    return values[removed[at] != values]


def union_find_components(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """node -> smallest node id of its connected component."""
    forest = UnionFind()
    for a, b in pairs:
        forest.union(a, b)
    return {node: forest.root(node) for node in list(forest.parent)}


class BucketStream:
    """Compares the nodes of each LSH bucket, in batches of whole buckets; one per Python task.

    Feed it (band, band_key, node, key) rows sorted by (band, band_key), in any chunks: a
    bucket that continues into the next chunk is held until it is complete.
    """

    def __init__(self, threshold: float, all_pairs_up_to: int, window: int, batch_rows: int = BATCH_ROWS) -> None:
        self.threshold = threshold
        self.all_pairs_up_to = all_pairs_up_to
        self.window = window
        self.batch_rows = batch_rows
        self.forest = UnionFind()
        self.comparisons = 0  # exact similarities computed (for tests and logs)
        self._rows: list[tuple[int, int, str, str]] = []

    def feed(self, rows: Iterable[tuple[int, int, str, str]]) -> list[tuple[str, str]]:
        """Edges of the complete buckets once at least ``batch_rows`` rows are waiting."""
        self._rows.extend(rows)
        if len(self._rows) < self.batch_rows:
            return []
        last = self._rows[-1][:2]
        cut = len(self._rows) - 1
        while cut > 0 and self._rows[cut - 1][:2] == last:
            cut -= 1  # the last bucket may go on in the next chunk
        if cut == 0:
            return []
        ready, self._rows = self._rows[:cut], self._rows[cut:]
        return self._compare(ready)

    def finish(self) -> list[tuple[str, str]]:
        """Edges of the buckets still waiting."""
        ready, self._rows = self._rows, []
        return self._compare(ready)

    def _candidates(
        self, starts: np.ndarray, ends: np.ndarray, keys: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row positions (i, j) of the pairs to compare, and which of them go first.

        All pairs in a bucket of up to ``all_pairs_up_to`` rows, the sorted neighbourhood in a
        larger one. First: the pairs that can connect a bucket on their own, a star (the bucket's
        first row with every other) or a chain (neighbours in either text order).
        """
        left: list[np.ndarray] = []
        right: list[np.ndarray] = []
        first: list[np.ndarray] = []
        triu: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            size = end - start
            if size <= self.all_pairs_up_to:
                if size not in triu:
                    ti, tj = np.triu_indices(size, 1)
                    triu[size] = ti, tj, ti == 0
                i, j, star = triu[size]
                left.append(i + start)
                right.append(j + start)
                first.append(star)
                continue
            rows = range(start, end)  # in node order within the bucket: ties keep it

            def opening(r: int) -> str:
                return keys[r][:ORDER_CHARS]

            def ending(r: int) -> str:
                return keys[r][::-1][:ORDER_CHARS]

            for order_key in (opening, ending):
                order = np.array(sorted(rows, key=order_key), dtype=np.int64)
                for gap in range(1, min(self.window, size - 1) + 1):
                    left.append(order[gap:])
                    right.append(order[:-gap])
                    first.append(np.full(size - gap, gap == 1))
        if not left:
            empty = np.zeros(0, np.int64)
            return empty, empty, np.zeros(0, bool)
        return np.concatenate(left), np.concatenate(right), np.concatenate(first)

    def _compare(self, rows: list[tuple[int, int, str, str]]) -> list[tuple[str, str]]:
        if len(rows) < 2:
            return []
        import pandas as pd

        root = self.forest.root
        band = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        band_key = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        keys = [r[3] for r in rows]
        # nodes of the batch as integers, in order of first appearance (pandas.factorize, in C, not a
        # Python dict lookup per row); their components (as of now) as integers
        codes, uniques = pd.factorize(np.array([r[2] for r in rows], dtype=object))
        node_of_row = codes.astype(np.int64)
        names: list[str] = uniques.tolist()
        n = len(names)
        parent = self.forest.parent.get  # most nodes were never joined: their own root, no walk up
        roots = [x if (up := parent(x)) is None or up == x else root(x) for x in names]
        component = pd.factorize(np.array(roots, dtype=object))[0].astype(np.int64)
        root_of_row = component[node_of_row]
        change = np.flatnonzero((band[1:] != band[:-1]) | (band_key[1:] != band_key[:-1])) + 1
        starts = np.concatenate(([0], change))
        ends = np.concatenate((change, [len(rows)]))
        # a bucket whose nodes are already one component has nothing to add
        open_bucket = np.minimum.reduceat(root_of_row, starts) != np.maximum.reduceat(root_of_row, starts)
        i, j, first = self._candidates(starts[open_bucket], ends[open_bucket], keys)
        keep = root_of_row[i] != root_of_row[j]
        a, b = node_of_row[i[keep]], node_of_row[j[keep]]
        pair_code = np.minimum(a, b) * n + np.maximum(a, b)
        # each pair once, however many bands it shares; stars and chains first, and the other pairs
        # only where those left their nodes in different components
        leading = sorted_unique(pair_code[first[keep]])[0]
        rest = sorted_difference(sorted_unique(pair_code)[0], leading)
        first_row = np.empty(n, dtype=np.int64)
        # a node's key is the same in every row: take it from the node's first row
        first_row[node_of_row[::-1]] = np.arange(len(rows) - 1, -1, -1)
        # shingles only of the nodes some pair may compare (not of closed buckets' nodes)
        compared = np.zeros(n, dtype=bool)
        for codes_ in (leading, rest):
            compared[codes_ // n] = True
            compared[codes_ % n] = True
        used = np.flatnonzero(compared)
        position = np.full(n, -1, dtype=np.int64)
        position[used] = np.arange(len(used))
        shingles = ShingleMatrix([keys[r] for r in first_row[used].tolist()])
        edges: list[tuple[str, str]] = []
        joined: list[tuple[int, int]] = []  # components the first round joined
        for later, round_codes in enumerate((leading, rest)):
            if later:
                if joined:  # the components after the first round, without a root() per node
                    from scipy.sparse import coo_matrix
                    from scipy.sparse.csgraph import connected_components

                    labels = int(component.max()) + 1
                    x, y = np.array(joined, dtype=np.int64).T
                    graph = coo_matrix((np.ones(len(x), np.int8), (x, y)), shape=(labels, labels))
                    component = connected_components(graph, directed=False)[1][component]
                round_codes = round_codes[component[round_codes // n] != component[round_codes % n]]
            low, high = round_codes // n, round_codes % n
            self.comparisons += len(round_codes)
            similar = shingles.similar(position[low], position[high], self.threshold)
            low, high = low[similar], high[similar]
            # many similar pairs join the same two components: one union per pair of components
            cl, ch = component[low], component[high]
            once = sorted_unique(np.minimum(cl, ch) * n + np.maximum(cl, ch))[1]
            for x, y, cx, cy in zip(low[once].tolist(), high[once].tolist(), cl[once].tolist(), ch[once].tolist(),
                                    strict=True):
                u, v = names[x], names[y]
                if self.forest.union(u, v):
                    edges.append((u, v) if u < v else (v, u))
                    joined.append((cx, cy))
        return edges


def bucket_edges(
    rows: Iterable[tuple[int, int, str, str]], threshold: float, all_pairs_up_to: int, window: int,
    batch_rows: int = BATCH_ROWS,
) -> list[tuple[str, str]]:
    """Edges from (band, band_key, node, key) rows sorted by (band, band_key)."""
    stream = BucketStream(threshold, all_pairs_up_to, window, batch_rows)
    return stream.feed(rows) + stream.finish()
