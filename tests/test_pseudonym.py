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
