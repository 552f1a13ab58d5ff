"""What every adapter yields: canonical post records, or rejected records with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Filled by the ingest job, never by an adapter.
JOB_FILLED = ("created_date", "run_id", "ingested_at", "landing_date", "ingest_file")


@dataclass(frozen=True)
class Rejected:
    """A record (or a whole file when ``line`` is 0) that cannot become a post."""

    line: int
    reason: str
    raw: str


# A canonical record: keys are bronze.posts columns minus JOB_FILLED. ``created_at`` is a
# timezone-aware UTC datetime; engagement counts are ints or None; ``ingest_line`` and
# ``raw_payload`` are always set.
Record = dict[str, Any]
