"""Table contracts for every Delta table; jobs never hard-code a schema or a path."""

from __future__ import annotations

from schemas.contract import TableContract


def all_contracts() -> list[TableContract]:
    """Every contract the project defines, in layer order."""
    from schemas import bronze

    found: list[TableContract] = [bronze.POSTS, bronze.QUARANTINE, bronze.INGEST_RUNS]
    for optional in ("silver", "enriched", "gold", "ops"):
        try:
            module = __import__(f"schemas.{optional}", fromlist=["CONTRACTS"])
        except ModuleNotFoundError:
            continue
        found.extend(getattr(module, "CONTRACTS", []))
    return found


def contract(qualified_name: str) -> TableContract:
    """Look a contract up by ``layer.name``."""
    for c in all_contracts():
        if c.qualified_name == qualified_name:
            return c
    raise KeyError(f"no table contract named {qualified_name!r}")


__all__ = ["TableContract", "all_contracts", "contract"]
