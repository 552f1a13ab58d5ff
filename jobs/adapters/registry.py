"""Reference registries: landing sources (``sources.toml``) and official accounts (CSV)."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jobs.adapters.common import OfficialLookup
from jobs.adapters.encoding import normalize_encoding

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"
SOURCES_FILE = REFERENCE_DIR / "sources.toml"
OFFICIAL_FILE = REFERENCE_DIR / "official_accounts.csv"
OFFICIAL_COLUMNS = ("platform", "handle", "institution_id", "institution_name")

PLATFORM_TYPES = (
    "social_network", "social_news", "blog_forum", "social_bookmarking", "photo_video", "e_petition",
)  # same as schemas.bronze.PLATFORM_TYPES (checked by a test; adapters must not import pyspark)

# format -> (default platform_type, default id family; None = the source name)
FORMATS: dict[str, tuple[str, str | None]] = {
    "x_api_v2": ("social_network", "x"),
    "facebook_graph": ("social_network", "facebook"),
    "instagram_graph": ("photo_video", "instagram"),
    "youtube_comments": ("photo_video", "youtube"),
    "reddit_listing": ("social_bookmarking", "reddit"),
    "rss": ("blog_forum", None),
    "atom": ("blog_forum", None),
    "news_comments_csv": ("social_news", None),
    "petitions_csv": ("e_petition", None),
    "canonical_jsonl": ("social_network", None),
}


class RegistryError(ValueError):
    """A reference file is malformed (configuration error, raised before any data is read)."""


@dataclass(frozen=True)
class SourceSpec:
    """How one landing folder is read."""

    source: str
    format: str | None = None  # None: sniff every file
    platform_type: str | None = None
    family: str | None = None
    encoding: str | None = None
    timezone: str = "Europe/Bucharest"

    def resolve(self, fmt: str) -> tuple[str, str]:
        """(platform_type, family) for a file of format ``fmt`` from this source."""
        default_type, default_family = FORMATS[fmt]
        return self.platform_type or default_type, self.family or default_family or self.source


def _spec_from(source: str, entry: dict[str, object]) -> SourceSpec:
    allowed = {"format", "platform_type", "family", "encoding", "timezone"}
    extra = set(entry) - allowed
    if extra:
        raise RegistryError(f"source {source!r}: unknown keys {sorted(extra)}")
    fmt = entry.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise RegistryError(f"source {source!r}: unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    ptype = entry.get("platform_type")
    if ptype is not None and ptype not in PLATFORM_TYPES:
        raise RegistryError(f"source {source!r}: platform_type {ptype!r} not in {PLATFORM_TYPES}")
    encoding = entry.get("encoding")
    if encoding is not None:
        try:
            encoding = normalize_encoding(str(encoding))
        except ValueError as exc:
            raise RegistryError(f"source {source!r}: {exc}") from exc
    tz = str(entry.get("timezone", "Europe/Bucharest"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RegistryError(f"source {source!r}: unknown timezone {tz!r}") from exc
    family = entry.get("family")
    return SourceSpec(
        source=source,
        format=str(fmt) if fmt else None,
        platform_type=str(ptype) if ptype else None,
        family=str(family) if family else None,
        encoding=encoding,
        timezone=tz,
    )


class SourceRegistry:
    """Landing source name → SourceSpec; unknown names get an all-sniffing spec."""

    def __init__(self, specs: dict[str, SourceSpec]) -> None:
        self._specs = dict(specs)

    @classmethod
    def from_toml(cls, path: str | Path = SOURCES_FILE) -> SourceRegistry:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise RegistryError(f"cannot read source registry {path}: {exc}") from exc
        sources = data.get("sources", {})
        if not isinstance(sources, dict):
            raise RegistryError(f"{path}: [sources] must be a table")
        return cls({name: _spec_from(name, dict(entry)) for name, entry in sources.items()})

    def get(self, source: str) -> SourceSpec:
        return self._specs.get(source) or SourceSpec(source=source)

    def __contains__(self, source: object) -> bool:
        return source in self._specs

    def names(self) -> list[str]:
        return sorted(self._specs)


def load_official_accounts(path: str | Path = OFFICIAL_FILE) -> OfficialLookup:
    """Read ``platform,handle,institution_id,institution_name`` into a lookup."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != OFFICIAL_COLUMNS:
                raise RegistryError(f"{path}: header must be {','.join(OFFICIAL_COLUMNS)}, got {reader.fieldnames}")
            pairs: dict[tuple[str, str], str] = {}
            for n, row in enumerate(reader, start=2):
                if not row["platform"] or not row["handle"] or not row["institution_id"]:
                    raise RegistryError(f"{path}:{n}: platform, handle and institution_id are required")
                pairs[(row["platform"], row["handle"])] = row["institution_id"]
    except OSError as exc:
        raise RegistryError(f"cannot read official accounts {path}: {exc}") from exc
    return OfficialLookup(pairs)


@lru_cache(maxsize=1)
def default_sources() -> SourceRegistry:
    return SourceRegistry.from_toml(SOURCES_FILE)


@lru_cache(maxsize=1)
def default_official() -> OfficialLookup:
    return load_official_accounts(OFFICIAL_FILE)
