"""Author pseudonyms: HMAC stability, secret handling, official accounts keep their names."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from jobs.text.pseudonym import (
    DEMO_SECRET,
    SECRET_ENV,
    OfficialRegistry,
    PseudonymSecretError,
    pseudonym,
    resolve_author,
    resolve_secret,
)

SECRET = "s" * 32


@pytest.fixture
def registry(tmp_path: Path) -> OfficialRegistry:
    path = tmp_path / "official_accounts.csv"
    path.write_text(
        "platform,handle,institution_id,institution_name\n"
        "x,guv_ro,guvernul-romaniei,Guvernul României\n"
        "facebook,politiaromana,politia-romana,Poliția Română\n",
        encoding="utf-8",
    )
    return OfficialRegistry.from_csv(path)


def test_pseudonym_is_stable_and_case_insensitive() -> None:
    a = pseudonym(SECRET, "x", "@Ion_Pop")
    assert a == pseudonym(SECRET, "X", "ion_pop")
    assert len(a) == 64 and "ion" not in a


def test_pseudonym_depends_on_secret_and_platform() -> None:
    base = pseudonym(SECRET, "x", "ion")
    assert base != pseudonym("t" * 32, "x", "ion")
    assert base != pseudonym(SECRET, "facebook", "ion")
    assert base != pseudonym(SECRET, "x", "ion2")


def test_missing_secret_is_a_clear_error() -> None:
    with pytest.raises(PseudonymSecretError, match=SECRET_ENV):
        resolve_secret(demo_mode=False, env={})


def test_short_secret_is_rejected() -> None:
    with pytest.raises(PseudonymSecretError, match="at least"):
        resolve_secret(demo_mode=False, env={SECRET_ENV: "short"})


def test_secret_from_env_or_settings() -> None:
    assert resolve_secret(demo_mode=False, env={SECRET_ENV: SECRET}) == SECRET
    assert resolve_secret(demo_mode=True, configured=SECRET, env={}) == SECRET


def test_demo_mode_uses_documented_secret_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="civic_pulse.pseudonym"):
        assert resolve_secret(demo_mode=True, env={}) == DEMO_SECRET
    assert "demo" in caplog.text


def test_official_account_keeps_its_name(registry: OfficialRegistry) -> None:
    author = resolve_author(SECRET, registry, "x", "@GUV_RO")
    assert author.is_official and author.display == "Guvernul României"
    assert author.institution_id == "guvernul-romaniei"
    other = resolve_author(SECRET, registry, "facebook", "guv_ro")  # same handle, other platform
    assert not other.is_official and other.display == f"user-{other.pseudonym[:12]}"


def test_platform_flag_without_registry_entry(registry: OfficialRegistry) -> None:
    author = resolve_author(SECRET, registry, "x", "primaria_nou", platform_flag=True)
    assert author.is_official and author.institution_id is None
    assert author.display is not None and "primaria" not in author.display


def test_missing_handle(registry: OfficialRegistry) -> None:
    author = resolve_author(SECRET, registry, "x", None)
    assert author.pseudonym is None and author.display is None and not author.is_official


def test_bad_registry_header(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("platform,handle\nx,a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        OfficialRegistry.from_csv(path)


def test_project_registry_loads() -> None:
    registry = OfficialRegistry.from_csv()
    assert len(registry) >= 1



POSTS = [
    {"platform": "twitter", "handle": "ion_popescu", "platform_official": False, "text": "@vecinul iar nu merge apa caldă pe Str. Lalelelor! #apa https://x.ro/a?b=1", "title": None, "geo_place": None},
    {"platform": "twitter", "handle": "ion_popescu", "platform_official": False, "text": "@vecinul iar nu merge apa caldă pe Str. Lalelelor! #apa https://x.ro/a?b=1", "title": None, "geo_place": None},
    {"platform": "facebook", "handle": "maria.i", "platform_official": False, "text": "Sunați-mă la 0722 123 456, CNP 1800101221144, @vecinul zice la fel", "title": "Consultare publică: bugetul 2027", "geo_place": "Cluj-Napoca"},
    {"platform": "facebook", "handle": "politiaromana", "platform_official": True, "text": "@politiaromana zice la fel", "title": "Consultare publică: bugetul 2027", "geo_place": "Cluj-Napoca"},
    {"platform": "news_comments", "handle": None, "platform_official": False, "text": "https://stiri.ro/x", "title": "Șantierul de pe Calea Floreasca, amânat", "geo_place": None},
    {"platform": "news_comments", "handle": "", "platform_official": False, "text": None, "title": "", "geo_place": ""},
    {"platform": "twitter", "handle": "ion_popescu", "platform_official": False, "text": "Ş şi ţ cu sedilă &amp; <b>HTML</b> 😡😡", "title": None, "geo_place": None},
    {"platform": "facebook", "handle": "ion_popescu", "platform_official": False, "text": "@vecinul iar nu merge apa caldă pe Str. Lalelelor! #apa https://x.ro/a?b=1", "title": None, "geo_place": None},
]  # fmt: skip


@pytest.mark.parametrize("cache_entries", [1, 2, 4096])
def test_memoised_text_pass_equals_the_reference(registry: OfficialRegistry, cache_entries: int) -> None:
    """The memoised TextPass gives exactly the unmemoised pass's columns, also when its memo evicts."""
    from typing import Any

    from jobs.text.enrich import TextPass

    reference = TextPass(SECRET, registry, cache_entries=0)
    text_pass = TextPass(SECRET, registry, cache_entries=cache_entries)
    got: list[dict[str, Any]] = []
    for post in POSTS * 3:
        fields: dict[str, Any] = {k: v for k, v in post.items() if k != "platform"}
        expected = reference.post(str(post["platform"]), **fields)
        got.append(text_pass.post(str(post["platform"]), **fields))
        assert got[-1] == expected
    masked, official = got[2], got[3]
    assert "<PHONE>" in masked["text_masked"] and "<CNP>" in masked["text_masked"] and "<USER>" in masked["text_masked"]
    assert official["text_masked"].startswith("@politiaromana") and official["author_display"] == "Poliția Română"
    assert got[4]["link_only"] and got[4]["lang"] == "ro"  # a bare link under a Romanian title
    assert got[6]["text_masked"].startswith("Ș și ț cu sedilă & HTML")
    assert got[7]["mentions"] != got[0]["mentions"]  # the same text on another platform: another pseudonym
    if cache_entries == 4096:
        # 24 posts: 39 cleanings (texts, titles, places) of 10 distinct (raw, platform); 6 distinct bodies
        assert text_pass.clean.cache_info()[:2] == (29, 10)  # type: ignore[attr-defined]
        assert text_pass.facts.cache_info().misses == 6  # type: ignore[attr-defined]


def test_shared_text_pass_is_kept_per_secret_and_registry_content(registry: OfficialRegistry) -> None:
    from jobs.text.enrich import shared_text_pass

    first = shared_text_pass(SECRET, registry)
    unpickled = OfficialRegistry({key: value for key, value in registry._entries.items()})
    assert shared_text_pass(SECRET, unpickled) is first  # the next task's copy of the registry reuses the memo
    other = shared_text_pass("t" * 20, registry)
    assert other is not first and other.secret == "t" * 20
    assert shared_text_pass("t" * 20, OfficialRegistry({})) is not other  # other content, other memo
