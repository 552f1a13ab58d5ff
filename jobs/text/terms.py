"""Candidate terms of a post for emerging-term alerts: distinct unigrams and bigrams, no stop words.

Pure Python on purpose: the gold job runs :func:`term_batches` in one ``mapInArrow`` pass. The same
logic as Spark SQL higher-order functions (split, filter, zip_with against a literal stop-word
array) cost 16.5 s per 84k posts here; this pass took 3.7-8.3 s on the same posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyarrow as pa

# Diacritics-free Romanian and English function words (text_key is lower-case, diacritics-free).
STOPWORDS = frozenset(
    """
    a ai al ale alt alta alte altii am ar are as asa asta aceasta acest acesta acestea acestei acestia
    acea aceea acei aceia acel acela acele acolo acum adica ai aia aici aiurea al ala alea ati au avea
    avem aveti azi ba bine cam cand care careia caror carui cat cate cati catre ce cea cei cel cele
    celor ceva chiar cine cineva cu cum cumva da daca dar de deci deja despre din dintre doar dupa ea
    ei el ele era erau este eu fara fi fie fiecare fost foarte fel iar ii il im in inca inainte intre
    isi iti la le li lor lui ma mai mare mea mei mele meu mi mie mult multe multi ne nici nimic noi
    nostru noastra nu numai o ori oricare orice pana pe pentru peste poate pot prea prin sa sale sau
    se si sa sunt suntem sunteti sub ta tale te tine toata toate tot toti totul tu tuturor un una unde
    unei unele uneori unor unui unul va vom voi vor vostru vreo vreun zi zice the and for that this
    with you are was not but have has they his her its our your from will would there their what
    which when who how all can just about into than then them these those been were out also http
    https www com
    """.split()
)
# Placeholders, links, handles and pseudonyms are not terms. \S is spelled out as ASCII
# non-whitespace so a link ends where Java's \S would have ended it too.
_NOT_SPACE = r"[^ \t\n\x0b\f\r]"
PLACEHOLDER_RE = re.compile(
    rf"<[a-z_]+>|https?://{_NOT_SPACE}+|www\.{_NOT_SPACE}+|@{_NOT_SPACE}+|user-[0-9a-f]+|\b[0-9a-f]{{12,}}\b"
)
_NON_LETTERS = re.compile(r"[^a-z]+")
MIN_TERM_CHARS = 3

TERM_SCHEMA = pa.schema(
    [("post_id", pa.string()), ("day", pa.date32()), ("author_pseudonym", pa.string()), ("term", pa.string())]
)


def _kept(word: str) -> bool:
    return len(word) >= MIN_TERM_CHARS and word not in STOPWORDS


def post_terms(text_key: str | None) -> list[str]:
    """Distinct terms of a diacritics-free text key, in first-seen order: unigrams, then bigrams.

    A unigram is a run of ``a-z`` of at least 3 letters that is not a stop word; a bigram is two
    adjacent tokens that are both kept (a dropped word in between breaks the pair).
    """
    if not text_key:
        return []
    tokens = [w for w in _NON_LETTERS.split(PLACEHOLDER_RE.sub(" ", text_key.lower())) if w]
    kept = [_kept(w) for w in tokens]
    unigrams = [w for w, k in zip(tokens, kept, strict=True) if k]
    bigrams = [
        f"{a} {b}" for a, b, ka, kb in zip(tokens, tokens[1:], kept, kept[1:], strict=False) if ka and kb
    ]
    return list(dict.fromkeys(unigrams + bigrams))


def term_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: (post_id, day, author_pseudonym, text_key) in, one row per post and term out."""
    for batch in batches:
        keys = batch.column("text_key").to_pylist()
        rows: list[int] = []
        terms: list[str] = []
        for i, key in enumerate(keys):
            found = post_terms(key)
            rows.extend([i] * len(found))
            terms.extend(found)
        if not terms:
            continue
        take = pa.array(rows, pa.int32())
        yield pa.RecordBatch.from_arrays(
            [
                batch.column("post_id").take(take),
                batch.column("day").take(take),
                batch.column("author_pseudonym").take(take),
                pa.array(terms, pa.string()),
            ],
            schema=TERM_SCHEMA,
        )
