"""Pseudonymous authors: HMAC-SHA256 of platform + handle, keyed by a secret from the environment.

The secret comes from ``CIVIC_PULSE_PSEUDONYM_SECRET``. Without it the job stops with a clear
error, unless ``Settings.demo_mode`` is on: then the fixed, public :data:`DEMO_SECRET` is used
and a warning says so (demo pseudonyms can be reversed by anyone who guesses a handle).
Official institutional accounts listed in ``jobs/reference/official_accounts.csv`` keep their
institution's name. Handles are compared case-insensitively, without a leading '@'.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SECRET_ENV = "CIVIC_PULSE_PSEUDONYM_SECRET"
DEMO_SECRET = "civic-pulse-demo-secret-not-for-production"
MIN_SECRET_CHARS = 16
REGISTRY_FILE = Path(__file__).resolve().parents[1] / "reference" / "official_accounts.csv"
REGISTRY_COLUMNS = ("platform", "handle", "institution_id", "institution_name")
DISPLAY_PREFIX_CHARS = 12

log = logging.getLogger("civic_pulse.pseudonym")


class PseudonymSecretError(RuntimeError):
    """No usable pseudonym secret: set CIVIC_PULSE_PSEUDONYM_SECRET or turn demo mode on."""


def resolve_secret(
    demo_mode: bool, configured: str | None = None, env: Mapping[str, str] | None = None
) -> str:
    """The secret from settings or the environment; the documented demo secret only in demo mode."""
    env = os.environ if env is None else env
    secret = configured or env.get(SECRET_ENV, "")
    if secret:
        if len(secret) < MIN_SECRET_CHARS:
            raise PseudonymSecretError(f"{SECRET_ENV} must be at least {MIN_SECRET_CHARS} characters long")
        return secret
    if demo_mode:
        log.warning(
            "demo mode: pseudonyms use the public demo secret %r; never use them in production", DEMO_SECRET
        )
        return DEMO_SECRET
    raise PseudonymSecretError(
        f"{SECRET_ENV} is not set: author pseudonyms need a secret (or run with CIVIC_PULSE_DEMO_MODE=1)"
    )


def normalize_handle(handle: str) -> str:
    """Case-insensitive, no leading '@', no surrounding spaces."""
    return handle.strip().lstrip("@").strip().lower()


def pseudonym(secret: str, platform: str, handle: str) -> str:
    """Hex HMAC-SHA256(secret, platform + US + handle); stable for one secret."""
    message = f"{platform.strip().lower()}\x1f{normalize_handle(handle)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def display_name(pseudo: str) -> str:
    """Short, stable display form of a pseudonym."""
    return f"user-{pseudo[:DISPLAY_PREFIX_CHARS]}"


@dataclass(frozen=True)
class Institution:
    institution_id: str
    name: str


class OfficialRegistry:
    """(platform, handle) → institution, from ``platform,handle,institution_id,institution_name``."""

    def __init__(self, entries: Mapping[tuple[str, str], Institution]) -> None:
        self._entries = {(p.strip().lower(), normalize_handle(h)): i for (p, h), i in entries.items()}

    @classmethod
    def from_csv(cls, path: str | Path = REGISTRY_FILE) -> OfficialRegistry:
        """Read the registry; a malformed file is an error, a missing default file an empty registry."""
        path = Path(path)
        if not path.exists():
            if path == REGISTRY_FILE:
                log.warning("no official accounts registry at %s: no author keeps a name", path)
                return cls({})
            raise FileNotFoundError(f"official accounts registry {path} does not exist")
        entries: dict[tuple[str, str], Institution] = {}
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != REGISTRY_COLUMNS:
                raise ValueError(
                    f"{path}: header must be {','.join(REGISTRY_COLUMNS)}, got {reader.fieldnames}"
                )
            for n, row in enumerate(reader, start=2):
                if not all((row["platform"], row["handle"], row["institution_id"], row["institution_name"])):
                    raise ValueError(f"{path}:{n}: every column is required")
                entries[(row["platform"], row["handle"])] = Institution(
                    row["institution_id"].strip(), row["institution_name"].strip()
                )
        return cls(entries)

    def lookup(self, platform: str, handle: str | None) -> Institution | None:
        if not handle:
            return None
        return self._entries.get((platform.strip().lower(), normalize_handle(handle)))

    def __len__(self) -> int:
        return len(self._entries)

    def content(self) -> frozenset[tuple[tuple[str, str], Institution]]:
        """The normalised entries as a hashable value (equal registries, equal content)."""
        return frozenset(self._entries.items())


@lru_cache(maxsize=1024)
def platform_of(source: str) -> str:
    """Platform (id family) of a landing source, e.g. ``facebook_pages`` → ``facebook``.

    Uses the source registry when it is importable; otherwise the source name itself.
    """
    try:
        from jobs.adapters.registry import FORMATS, default_sources
    except ImportError:
        return source.lower()
    try:
        spec = default_sources().get(source)
    except Exception:  # a broken sources.toml is the ingest job's error to report, not ours
        return source.lower()
    if spec.family:
        return spec.family.lower()
    if spec.format:
        return (FORMATS[spec.format][1] or source).lower()
    return source.lower()


@dataclass(frozen=True)
class Author:
    """What silver keeps about an author."""

    pseudonym: str | None
    display: str | None
    is_official: bool
    institution_id: str | None


def resolve_author(
    secret: str,
    registry: OfficialRegistry,
    platform: str,
    handle: str | None,
    platform_flag: bool = False,
) -> Author:
    """Pseudonym for everyone; registry accounts keep their institution's name."""
    if not handle or not normalize_handle(handle):
        return Author(None, None, bool(platform_flag), None)
    pseudo = pseudonym(secret, platform, handle)
    inst = registry.lookup(platform, handle)
    if inst is not None:
        return Author(pseudo, inst.name, True, inst.institution_id)
    return Author(pseudo, display_name(pseudo), bool(platform_flag), None)
