"""Mention matching in pure Python: hypothesis against plain substring checks of every item."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.text.mentions import MIN_TITLE_KEY, MentionIndex, interior_key

words = st.sampled_from(["apa", "cluj", "primaria", "x", "1500", "de", "reabilitare", "scoala", "in"])
seps = st.sampled_from([" ", " ", ", ", "-", "!", " ... ", "é", "„"])
phrase = st.lists(st.tuples(words, seps), max_size=9).map(lambda ws: "".join(w + s for w, s in ws))
item_ids = st.one_of(st.sampled_from(["p1", "p22", "x9"]), st.from_regex(r"item[0-9]{2,6}[a-f]{0,6}", fullmatch=True))


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(st.tuples(item_ids, phrase), max_size=12, unique_by=lambda t: t[0]),
    glue=st.tuples(phrase, phrase, st.sampled_from(["", " ", "x", "-"])),
    pick=st.integers(min_value=0, max_value=20),
    url_tail=st.sampled_from(["", "9", "/x", "?a=1"]),
)
def test_index_finds_exactly_the_substring_matches(
    items: list[tuple[str, str]], glue: tuple[str, str, str], pick: int, url_tail: str
) -> None:
    before, after, join = glue
    text = before + join + (items[pick % len(items)][1] if items else "") + after
    urls = [f"https://ex.ro/pet/{items[(pick + 1) % len(items)][0]}{url_tail}"] if items else []
    expected = {
        i for i, title in items
        if any(i in u for u in urls) or (len(title) >= MIN_TITLE_KEY and title in text)
    }
    assert MentionIndex(items).mentioned(text, urls) == expected


def test_interior_key_prefers_the_longest_inner_pair_then_token() -> None:
    assert interior_key("petitie pentru apa curata in cluj") == ("pentru apa", 2)
    assert interior_key("-reabilitare-") == ("reabilitare", 1)
    assert interior_key("reabilitarecuratacluj-primaria") == (None, 0)
