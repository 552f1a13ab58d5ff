"""Romanian labels for the report: counties, sentiment classes, alert types, topics, placeholders."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

COUNTIES: dict[str, str] = {
    "RO-AB": "Alba",
    "RO-AR": "Arad",
    "RO-AG": "Argeș",
    "RO-BC": "Bacău",
    "RO-BH": "Bihor",
    "RO-BN": "Bistrița-Năsăud",
    "RO-BT": "Botoșani",
    "RO-BV": "Brașov",
    "RO-BR": "Brăila",
    "RO-BZ": "Buzău",
    "RO-CS": "Caraș-Severin",
    "RO-CL": "Călărași",
    "RO-CJ": "Cluj",
    "RO-CT": "Constanța",
    "RO-CV": "Covasna",
    "RO-DB": "Dâmbovița",
    "RO-DJ": "Dolj",
    "RO-GL": "Galați",
    "RO-GR": "Giurgiu",
    "RO-GJ": "Gorj",
    "RO-HR": "Harghita",
    "RO-HD": "Hunedoara",
    "RO-IL": "Ialomița",
    "RO-IS": "Iași",
    "RO-IF": "Ilfov",
    "RO-MM": "Maramureș",
    "RO-MH": "Mehedinți",
    "RO-MS": "Mureș",
    "RO-NT": "Neamț",
    "RO-OT": "Olt",
    "RO-PH": "Prahova",
    "RO-SM": "Satu Mare",
    "RO-SJ": "Sălaj",
    "RO-SB": "Sibiu",
    "RO-SV": "Suceava",
    "RO-TR": "Teleorman",
    "RO-TM": "Timiș",
    "RO-TL": "Tulcea",
    "RO-VS": "Vaslui",
    "RO-VL": "Vâlcea",
    "RO-VN": "Vrancea",
    "RO-B": "București",
}
UNKNOWN_COUNTY = "Județ necunoscut"
NO_TOPIC = "Fără temă"

SENTIMENTS = {"negative": "Negativ", "neutral": "Neutru", "positive": "Pozitiv"}

ALERT_TYPES = {
    "volume_spike": "Creștere bruscă a volumului",
    "negative_surge": "Val de mesaje negative",
    "emerging_term": "Termen nou în discuție",
}
DIMENSIONS = {
    "institution_id": "Instituția",
    "topic": "Tema",
    "county_code": "Județul",
    "term": "Termenul",
}
LANGUAGES = {
    "ro": "română",
    "ro-Cyrl": "română (chirilică)",
    "hu": "maghiară",
    "en": "engleză",
    "ru": "rusă",
    "uk": "ucraineană",
    "fr": "franceză",
    "de": "germană",
    "it": "italiană",
    "es": "spaniolă",
    "und": "nedeterminată",
}
PII = {
    "pii_cnp": "CNP",
    "pii_phone": "numere de telefon",
    "pii_email": "adrese de e-mail",
    "pii_iban": "IBAN-uri",
    "pii_plate": "numere de înmatriculare",
}
PLATFORMS = {"ALL": "toate platformele"}

# Typed masking placeholders of silver text → what the reader sees in a quote.
PLACEHOLDERS = {
    "CNP": "[CNP]",
    "PHONE": "[telefon]",
    "EMAIL": "[e-mail]",
    "IBAN": "[IBAN]",
    "PLATE": "[nr. auto]",
    "USER": "[utilizator]",
}
_PLACEHOLDER_RE = re.compile(r"<([A-Z_]+)>")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def county_name(code: str | None) -> str:
    if not code or code == "NONE":
        return UNKNOWN_COUNTY
    return COUNTIES.get(code, code)


def quote(text: str | None, limit: int = 160) -> str:
    """A masked snippet made readable: placeholders in Romanian, links removed, whitespace collapsed.

    The input is already masked (gold.alerts examples come from silver ``text_masked``); this
    never sees raw text. Links are dropped so the report holds no URL at all.
    """
    if not text:
        return ""
    out = _PLACEHOLDER_RE.sub(lambda m: PLACEHOLDERS.get(m.group(1), f"[{m.group(1).lower()}]"), text)
    out = _URL_RE.sub("[link]", out)
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"


def taxonomy_labels() -> tuple[str | None, dict[str, str]]:
    """(taxonomy version, topic id → Romanian label) from models/topics/taxonomy.json.

    Read as a file (importing ``models.topics`` would load the topic model). The labels a report
    used are stored in its manifest, so a re-render never depends on the current taxonomy file.
    """
    spec = importlib.util.find_spec("models")
    if spec is None or not spec.submodule_search_locations:
        return None, {}
    path = Path(list(spec.submodule_search_locations)[0]) / "topics" / "taxonomy.json"
    if not path.is_file():
        return None, {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return str(raw.get("version")), {t["id"]: t["label_ro"] for t in raw.get("topics", [])}


def topic_label(topic: str, labels: dict[str, str]) -> str:
    if topic == "NONE":
        return NO_TOPIC
    return labels.get(topic) or topic.replace("_", " ").capitalize()
