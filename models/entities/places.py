"""Counties (ISO 3166-2:RO) and SIRUTA localities, loaded from ``sirutalib``'s bundled table."""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from models.topics.text import fold

# county name (folded, without "judetul") -> ISO 3166-2:RO code
COUNTY_ISO: dict[str, str] = {
    "alba": "RO-AB", "arad": "RO-AR", "arges": "RO-AG", "bacau": "RO-BC", "bihor": "RO-BH",
    "bistrita-nasaud": "RO-BN", "botosani": "RO-BT", "brasov": "RO-BV", "braila": "RO-BR", "buzau": "RO-BZ",
    "caras-severin": "RO-CS", "calarasi": "RO-CL", "cluj": "RO-CJ", "constanta": "RO-CT", "covasna": "RO-CV",
    "dambovita": "RO-DB", "dolj": "RO-DJ", "galati": "RO-GL", "giurgiu": "RO-GR", "gorj": "RO-GJ",
    "harghita": "RO-HR", "hunedoara": "RO-HD", "ialomita": "RO-IL", "iasi": "RO-IS", "ilfov": "RO-IF",
    "maramures": "RO-MM", "mehedinti": "RO-MH", "mures": "RO-MS", "neamt": "RO-NT", "olt": "RO-OT",
    "prahova": "RO-PH", "satu mare": "RO-SM", "salaj": "RO-SJ", "sibiu": "RO-SB", "suceava": "RO-SV",
    "teleorman": "RO-TR", "timis": "RO-TM", "tulcea": "RO-TL", "vaslui": "RO-VS", "valcea": "RO-VL",
    "vrancea": "RO-VN", "bucuresti": "RO-B",
}

# SIRUTA TIP -> preference rank (higher wins when a name is shared)
_RANK = {1: 6, 4: 6, 40: 6, 5: 5, 2: 5, 6: 5, 3: 3, 9: 2, 17: 2, 22: 2, 10: 1, 11: 1, 18: 1, 19: 1, 23: 1}
_PREFIXES = ("MUNICIPIUL ", "ORAȘ ", "JUDEȚUL ")


@dataclass(frozen=True)
class Locality:
    """A SIRUTA unit: code, display name, county ISO code, SIRUTA type and preference rank."""

    siruta: int
    name: str
    county: str
    kind: int
    rank: int

    @property
    def is_town_or_city(self) -> bool:
        return self.rank >= 5


def _siruta_csv() -> Path:
    spec = importlib.util.find_spec("sirutalib")
    if spec is None or spec.origin is None:
        raise RuntimeError("sirutalib is not installed")
    return Path(spec.origin).with_name("siruta.csv")


def _display(name: str) -> str:
    """``CLUJ-NAPOCA`` -> ``Cluj-Napoca``; ``SATU MARE`` -> ``Satu Mare``."""
    small = {"de", "din", "lui", "cel", "pe", "sub", "la"}
    words = name.lower().split(" ")
    return " ".join(
        w if (k and w in small) else "-".join(part.capitalize() for part in w.split("-")) for k, w in enumerate(words)
    )


@lru_cache(maxsize=1)
def counties() -> dict[str, str]:
    """ISO code -> display name of the 41 counties and Bucharest."""
    out: dict[str, str] = {}
    with open(_siruta_csv(), encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            if row["TIP"] == "40":
                name = row["DENLOC"]
                for p in _PREFIXES:
                    name = name.removeprefix(p)
                out[COUNTY_ISO[fold(name)]] = _display(name)
    return out


@lru_cache(maxsize=1)
def localities() -> dict[str, list[Locality]]:
    """Folded name -> localities sharing it (best rank first); component duplicates of their UAT dropped."""
    county_code: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    with open(_siruta_csv(), encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            rows.append(row)
            if row["TIP"] == "40":
                name = row["DENLOC"]
                for p in _PREFIXES:
                    name = name.removeprefix(p)
                county_code[row["JUD"]] = COUNTY_ISO[fold(name)]
    by_code = {r["SIRUTA"]: r for r in rows}
    index: dict[str, list[Locality]] = {}
    for row in rows:
        kind = int(row["TIP"])
        if kind == 40 and row["JUD"] != "40":
            continue  # counties are matched separately
        name = row["DENLOC"]
        for p in _PREFIXES:
            name = name.removeprefix(p)
        if kind == 40:
            name = "BUCUREȘTI"
        if kind == 6:
            name = name.removeprefix("BUCUREȘTI ")
        parent = by_code.get(row["SIRSUP"])
        if kind in (9, 17, 22) and parent is not None:
            pname = parent["DENLOC"]
            for p in _PREFIXES:
                pname = pname.removeprefix(p)
            if fold(pname) == fold(name):
                continue  # e.g. the town proper inside its own UAT
        if kind == 9 and row["JUD"] == "40":
            continue
        code = 179132 if kind == 40 else int(row["SIRUTA"])
        loc = Locality(code, _display(name), county_code[row["JUD"]], kind, _RANK.get(kind, 1))
        index.setdefault(fold(name), []).append(loc)
    for locs in index.values():
        locs.sort(key=lambda loc: -loc.rank)
    return index


def municipalities() -> list[Locality]:
    """The 102 municipalities outside Bucharest (SIRUTA types 1 and 4)."""
    return sorted(
        (loc for locs in localities().values() for loc in locs if loc.kind in (1, 4)), key=lambda loc: loc.siruta
    )
