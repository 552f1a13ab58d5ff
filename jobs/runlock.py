"""One writer per stage at a time: concurrent runs queue instead of interleaving their commits.

Each stage takes an exclusive ``flock`` on ``<lake_root>/_locks/<stage>.lock`` for as long as it
writes. The kernel drops the lock when the process ends, even on ``kill -9``, so a killed run
never leaves a stale lock behind. A second run of the same stage waits (up to
``CIVIC_PULSE_LOCK_TIMEOUT_S``, default 1 h) and then works on the tables as the first one left
them; because every write is an idempotent MERGE or partition replacement, running the same
day twice, even at the same time, cannot duplicate or lose rows. Delta's optimistic commit
check is the second line of defence, and the only one on object-store lake roots (where this
lock is skipped: use the scheduler's ``max_active_runs=1`` there).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jobs.settings import Settings

log = logging.getLogger("civic_pulse.runlock")

DEFAULT_TIMEOUT_S = 3600.0


class StageLocked(RuntimeError):
    """Another run held the stage's lock for longer than the timeout."""


def lock_path(settings: Settings, stage: str) -> Path | None:
    """The lock file of ``stage``, or None when the lake root is not a local path."""
    root = settings.lake_root
    if "://" in root and not root.startswith("file://"):
        return None
    local = root[len("file://") :] if root.startswith("file://") else root
    return Path(local) / "_locks" / f"{stage}.lock"


@contextmanager
def stage_lock(
    settings: Settings, stage: str, run_id: str, timeout_s: float | None = None, poll_s: float = 0.5
) -> Iterator[None]:
    """Hold the exclusive lock of ``stage`` for the block; wait for it up to ``timeout_s``."""
    path = lock_path(settings, stage)
    if path is None:
        log.info("lake root %s is not local: relying on Delta's commit check only", settings.lake_root)
        yield
        return
    if timeout_s is None:
        timeout_s = float(os.environ.get("CIVIC_PULSE_LOCK_TIMEOUT_S", DEFAULT_TIMEOUT_S))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout_s
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    log.warning("stage %s is running in another process (%s): waiting", stage, _holder(path))
                    waited = True
                if time.monotonic() >= deadline:
                    raise StageLocked(
                        f"stage {stage!r} is still locked by another run after {timeout_s:.0f} s "
                        f"({_holder(path)}); nothing was written by run {run_id}"
                    ) from None
                time.sleep(poll_s)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"run_id": run_id, "pid": os.getpid(), "host": socket.gethostname()}).encode())
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8") or "unknown holder"
    except OSError:
        return "unknown holder"
