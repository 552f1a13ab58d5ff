"""Draw the annotation pool: a reproducible mix of random posts and posts enriched for policy talk.

Enrichment uses a deliberately broad stem list (not the classifier's seeds) so that rare topics
appear often enough to annotate, while the random part keeps the realistic share of no-topic posts.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from models.topics.sources import RawPost, datasets_root, dump_jsonl, read_all
from models.topics.text import fold

ENRICH_STEMS = (
    "spital medic pacient vaccin covid virus sanatat doctor farmac boln scoal elev profesor student "
    "universit bac autobuz tramvai troleibuz metrou tren cfr ctp stb bilet abonament drum autostrad "
    "strad trotuar pod asfalt gropi trafic blocaj sensul gunoi salubr poluar parc copaci arbor maidanez "
    "padur apa canal caldur termoficar curent gaz iluminat factur taxa impozit anaf fisc amend pensi "
    "alocati ajutor handicap batran somaj salari pret inflati firm afacer locuri de munca politi jandarm "
    "isu pompier crim hot furt urgent 112 justiti tribunal judecat dna coruptie licitati procuror "
    "primari primar functionar ghiseu coad buletin pasaport act certificat autorizati online site "
    "ghiseul platform digital constructi bloc beton parcar locuint chiri cartier pug puz seism "
    "cultur muzeu teatru festival stadion sport sala tineri agricult fermier apia sat rural diaspora "
    "consulat ambasad strainatate vot ue europ guvern parlament ministr partid psd pnl usr alegeri "
    "presedint iohannis orban dancila senat deputat consultare petiti transparent buget consili cetaten"
).split()

_ENRICH = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in ENRICH_STEMS) + r")", re.IGNORECASE)

QUOTAS: dict[str, tuple[int, int]] = {
    # source: (enriched, random)
    "news_ro_offense": (230, 110),
    "roff": (170, 110),
    "hate_speech_ro": (25, 10),
    "red_v1": (12, 8),
    "sart": (12, 8),
}


def draw_pool(root: Path, seed: int = 20260528) -> list[RawPost]:
    """Sample the pool per ``QUOTAS``; posts shorter than 4 words are skipped."""
    rng = random.Random(seed)
    pool: list[RawPost] = []
    seen: set[str] = set()
    for source, posts in read_all(root).items():
        n_enriched, n_random = QUOTAS[source]
        usable = [p for p in posts if len(p.text.split()) >= 4 and fold(p.text) not in seen]
        hits = [p for p in usable if _ENRICH.search(fold(p.text))]
        rng.shuffle(hits)
        chosen = hits[:n_enriched]
        taken = {p.source_id for p in chosen}
        rest = [p for p in usable if p.source_id not in taken]
        rng.shuffle(rest)
        chosen += rest[:n_random]
        for post in chosen:
            key = fold(post.text)
            if key not in seen:
                seen.add(key)
                pool.append(post)
    rng.shuffle(pool)
    return pool


def main(root: str | None = None, output: str = "/tmp/civic_pulse_pool.jsonl") -> None:
    """Write the pool to ``output`` (outside the project: it still has to be annotated)."""
    pool = draw_pool(datasets_root(root))
    dump_jsonl([{"source": p.source, "source_id": p.source_id, "text": p.text} for p in pool], Path(output))
    print(f"wrote {len(pool)} posts to {output}")


if __name__ == "__main__":
    main()


RARE_PATTERNS: dict[str, str] = {
    "transport_public": r"\b(autobuz|tramvai|troleibuz|metrou|ctp\b|stb\b|ratb|transport(ul)? (in )?comun|cfr\b|tren)",
    "agricultura_rural": r"\b(apia\b|fermier|agricult|subventi|recolt|tractor|la tara\b|satul\b|satele\b|rural)",
    "participare_publica": r"\b(consultar|dezbatere public|petiti|transparent|buget(ul)? participativ|audient|sedinta de consiliu|consiliul local)",
    "cultura_sport": r"\b(muzeu|teatr|festival|concert|filarmonic|biblioteca|stadion|baza sportiv|sala polivalent|opera\b|cinema)",
    "administratie_servicii": r"\b(ghiseu|functionar|buletin|pasaport|certificat|adeverint|hartii|birocrat|dosar cu sina|programare la)",
    "utilitati": r"\b(apa calda|caldur|termoficar|calorifer|curent(ul)?\b|enel|electrica|gaze?\b|canalizar|iluminat|factur)",
    "protectie_sociala": r"\b(pensi|alocati|ajutor social|handicap|dizabilit|batrani|azil|indemnizati|asistat)",
    "taxe_fiscalitate": r"\b(anaf|impozit|taxe|taxa\b|fisc|tva\b|contributi)",
    "mediu_salubritate": r"\b(gunoi|salubr|recicl|poluar|copaci|arbori|spatii verzi|maidanez|caini fara stapan|deseuri|padur)",
    "servicii_digitale": r"\b(online|site(ul)?\b|ghiseul|aplicati|platform|digital|e-mail|internet)",
    "educatie": r"\b(scoal|elev|profesor|student|universitat|liceu|bacalaureat|gradinit|invatamant|manual)",
}


def draw_rare_pool(root: Path, exclude: set[tuple[str, str]], per_topic: int = 20, seed: int = 7) -> list[RawPost]:
    """Posts matching topic-specific patterns for rare topics, not already in ``exclude``."""
    rng = random.Random(seed)
    everything = [p for posts in read_all(root).values() for p in posts]
    taken = set(exclude)
    pool: list[RawPost] = []
    for pattern in RARE_PATTERNS.values():
        rx = re.compile(pattern)
        hits = [
            p
            for p in everything
            if (p.source, p.source_id) not in taken and len(p.text.split()) >= 4 and rx.search(fold(p.text))
        ]
        rng.shuffle(hits)
        for post in hits[:per_topic]:
            taken.add((post.source, post.source_id))
            pool.append(post)
    return pool
