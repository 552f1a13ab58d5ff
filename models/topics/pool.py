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


def draw_rare_pool(
    root: Path, exclude: set[tuple[str, str]], per_topic: int = 20, seed: int = 7
) -> list[RawPost]:
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


# --- round 6 (held-out enlargement) -------------------------------------------------------------------
#
# Candidates for round 6 were drawn by four routes (recorded per row in ``pool``): broad per-topic keyword
# search (``ROUND6_BROAD``, random sample per topic), the champion's most uncertain posts (smallest logit
# margin to a per-topic threshold), a plain random sample, and narrow rare-topic patterns
# (``ROUND6_NARROW``, every hit); a fifth route took e5 nearest neighbours of the gold positives of rare
# topics. Every candidate was annotated (nothing was skipped for being hard), then split by
# ``assign_round_split`` *before* any model saw the new labels.

# Broad per-topic search on folded text (random sample per topic), deliberately wider than the seeds.
ROUND6_BROAD: dict[str, str] = {
    "sanatate": r"\b(spital|medic|doctor|pacient|asistent|vaccin|covid|coronavirus|virus|pandemi|epidemi|carantin|izolare|cnas|dsp\b|farmaci|ambulant|smurd|urgent|bolnav|infect|test(e|are|at)|ati\b|sanatat|boli\b|masti|masca|dezinfect|ventilat|chirurg|tratament|medicament|spitalul)",
    "educatie": r"\b(scoal|scoli|elev|profesor|invatator|student|universit|facultat|liceu|licee|gradinit|bacalaureat|bac\b|invatamant|educati|scolar|didactic|examen|manual|cursuri|teze|olimpiad|catedr|dascal|copiii la scoala|ore online)",
    "transport_public": r"\b(autobuz|tramvai|troleibuz|metrou|tren|cfr\b|ctp\b|stb\b|ratb|metrorex|abonament|statie|statia|calator|vagon|transport(ul)? (in )?comun|transport(ul)? public|mijloace de transport|linia \d|navet|aeroport|zbor|avion|taxi|uber)",
    "drumuri_infrastructura": r"\b(drum|strada|strazi|autostrad|centura|pod(ul)?\b|trotuar|asfalt|trafic|ambuteiaj|blocaj|pasaj|giratoriu|semafor|trecere de pietoni|pist(a|e) de bici|biciclet|cnair|carosabil|gropi|groapa|infrastructur|sofer|masini|masina|circulat|bulevard|intersecti|rond|sens unic|lucrari)",
    "mediu_salubritate": r"\b(gunoi|salubr|tomberon|recicl|deseu|deseuri|polu|parc(ul|uri|urile)?\b|copac|arbor|padur|defris|spati(u|i)(le)? verz|maidanez|caini|smog|ecolog|mediu(lui)?\b|gradina botanic|iarba|natura|taieri|someș|somes|raul|plastic|murdar|mizerie)",
    "utilitati": r"\b(apa calda|apa rece|apa potabil|canaliz|termofic|caldur|calorifer|curent|electric|energie|gaz(e|ul)?\b|iluminat|factur|utilitat|enel|electrica|distrigaz|contor|apa nova|compania de apa|termoficare|frig in casa|fara apa|lumina|becuri)",
    "taxe_fiscalitate": r"\b(anaf|impozit|tax(a|e|ele|ei)\b|tva\b|cass\b|cas\b|fisc|contributi|evaziun|contribuabil|spv\b|accize|amenzi|amend)",
    "protectie_sociala": r"\b(pensi|alocati|ajutor(ul|ului|ul)? social|ajutoare|indemnizati|handicap|dizabilit|varstnic|batran|azil|orfelinat|asistat|asistenta social|dgaspc|protectia copilului|saraci|somer|cantina social|boschet|fara adapost|persoane vulnerabile)",
    "munca_economie": r"\b(salari|somaj|loc(uri)? de munca|angaja|firm|afacer|antreprenor|pret|scump|inflati|econom|investit|fabric|industri|muncitor|patron|concedi|bani|leu|lei\b|euro|bursa|criz|faliment|business|comert|magazin|benzin|combustibil|munca)",
    "siguranta_publica": r"\b(politi|jandarm|isu\b|pompier|infracti|infractor|furt|fur(a|at)\b|hot(i|ul|ii)?\b|crim|agresi|accident|112\b|patrul|arest|igpr|amenda|violen|batai|talhar|viol\b|drog|arma|cutit|incendi|cutremur|siguranta|pericol)",
    "justitie_anticoruptie": r"\b(justiti|tribunal|instant|judecat|procuror|dna\b|diicot|coruptie|corupt|spag|mita|licitati|penal|condamn|inchisoare|puscari|ccr\b|curtea constitutional|dosar|abuz|trafic de influenta|hoti(i)? din|furat bani|legea|legi|achitat|parchet|csm\b)",
    "administratie_servicii": r"\b(ghiseu|functionar|birocrat|buletin|carte(a)? de identitate|pasaport|certificat|adeverint|autorizati|permis|licenta|registratur|stare civila|evidenta populatiei|acte(le)?\b|dosar(ul)? cu sina|coada|cozi|programare|formular|stampil|hartii|declarati|primari(a|e|ei|ile)\b|institutii|servicii publice|cerere)",
    "servicii_digitale": r"\b(ghiseul|online|on-line|site(ul|uri)?\b|platform|aplicati|app\b|digital|e-guvernare|semnatura electronic|spv\b|internet|portal|e-?mail|mail\b|web|electronic|calculator|computer|tableta|telefon|wifi|wi-fi|facebook|sms\b|formular online|programare online|zoom)",
    "urbanism_locuire": r"\b(constructi|construi|bloc(uri|ul|urile)?\b|cladir|apartament|locuint|chiri|parcar|pug\b|puz\b|urbanis|dezvoltator|imobiliar|beton|seismic|bulina rosie|demol|garaj|cartier|vila|case\b|casa\b|teren|proprietar|imobil|etaj|santier|locatar)",
    "cultura_sport": r"\b(muzeu|teatr|festival|concert|bibliotec|cultur|monument|filarmonic|opera\b|stadion|baza sportiv|sala polivalent|bazin|tineret|casa de cultura|spectacol|sport|fotbal|meci|echipa|cfr cluj|u cluj|untold|film|cinema|carte|arta|artist|muzica|expozit|patrimoniu|biseric)",
    "agricultura_rural": r"\b(apia\b|afir\b|fermier|agricult|agricol|subventi|recolt|teren(uri)? agricol|vaci|vita|oi\b|oaie|porc|pasun|sat(ul|ele|e)?\b|rural|taran|legum|tractor|zootehn|lapte|cereal|porumb|grau|la tara|comuna|comune|ciobani|stana|gradina)",
    "diaspora_externe": r"\b(diaspora|consulat|ambasad|strainatate|afara\b|ue\b|uniunea europeana|schengen|nato\b|bruxelles|comisia europeana|externe|rusia|ucrain|europ|germania|italia|spania|anglia|marea britanie|ungaria|moldova|basarabi|sua\b|america|china|chinezi|trump|putin|merkel|macron|emigr|imigr|repatri|de afara|din afara)",
    "politica_guvernare": r"\b(guvern|parlament|partid|ministr|premier|presedint|alegeri|alegere|vot(ul|at|eaza|ati|ez)?\b|referendum|psd|pnl|usr|aur\b|udmr|senat|deputat|politic|ordonant|oug\b|stare(a)? de urgenta|candidat|iohannis|orban|dancila|dragnea|ponta|basescu|tariceanu|ciolacu|cioloş|ciolos|barna|klaus|primar|consilier|boc\b|firea|stat(ul)?\b)",
    "participare_publica": r"\b(consultar|dezbater|petiti|transparent|buget(ul)? participativ|consiliul local|consiliu(l)? local|sesizar|audient|legea 544|informatii publice|sedint|cetateni(i|lor)?\b|locuitori(i|lor)?\b|proteste?|protest|miting|semnaturi|comunicat|comunicare|raspuns(ul)? primariei|intreba(t|ti) cetatenii)",
}

# Narrow, precision-oriented patterns for rare topics (every hit annotated).
ROUND6_NARROW: dict[str, str] = {
    "participare_publica": r"\b(consultar(e|ea|i) public|dezbater(e|ea|i) public|petiti|transparent|buget(ul)? participativ|consiliul? (local|judetean)|sedint(a|ele) de consiliu|consilier(i|ii)? local|sesizar|audient|legea 544|informatii de interes public|initiativ(a|e) cetatene|strang(em|eti|e) semnaturi|semneaza petiti|raspuns(ul)? (de la )?primari|intreba(t|ti) (si )?(pe )?(cetateni|locuitori|oameni))",
    "taxe_fiscalitate": r"\b(anaf|impozit|tva\b|cass\b|fisc|evaziun|contribuabil|accize|taxa (pe|de|la|locala)|taxe(le)? (locale|pe|de)|taxa auto|timbru(l)? de mediu|plati(m|ti|t)? taxe|platitori de taxe|declaratia unica|spv\b|taxe si impozite)",
    "agricultura_rural": r"\b(apia\b|afir\b|fermier|agricult|agricol|subventi|recolt|tarani(i|lor)|taran(ul)? roman|pesta porcina|porci(i)?\b|vaci(le)?\b|oi(le)?\b|stana|ciobani|zootehn|irigat|secet|la tara\b|satul (romanesc|meu|natal)|lumea satului|mediul rural|din rural|pamant(ul)? (agricol)?|teren(uri)? agricol|grau|porumb|legumicult|piata agro|producatori (locali|romani))",
    "cultura_sport": r"\b(muzeu|teatr|festival|concert|filarmonic|bibliotec|monument|statui|opera (nationala|romana)|stadion|baza sportiv|sala (polivalenta|de sport)|bazin(ul)? (olimpic|de inot)|strand|casa de cultura|spectacol|untold|tiff|centrul cultural|patrimoni|expozit|ministerul culturii|cinematograf|cultur(a|ii) (romane|romaneasca)|sportul romanesc|sport(ul)? (de masa|scolar))",
    "servicii_digitale": r"\b(ghiseul|online|on-line|site(ul|-ul)? (primariei|ministerului|oficial|guvern|anaf|institutiei)|platform(a|ei) (online|digitala|guvern|electronica)|aplicati(a|e) (oficiala|guvern|primariei|de la)|digitaliz|e-guvernare|semnatur(a|i) electronic|spv\b|portal|e-?mail|formular(ul)? online|programare online|plat(a|i|esti) online|electronic|informatiz|birocratie digitala|ro-?alert|stiri false online|internet(ul)? (in|la) scoli|scoala online|cursuri online|ore(le)? online|teleworking|telemunca)",
    "administratie_servicii": r"\b(ghiseu|functionar|birocrat|buletin(ul)? (de identitate|expirat)|carte(a)? de identitate|pasaport|certificat|adeverint|autorizati|permis(ul)? (de conducere|auto)|licenta|registratur|stare(a)? civila|evidenta populatiei|acte(le)? (necesare|de la)|dosar(ul)? cu sina|coada la|cozi la|programare la|formular|stampil|hartii(le)?|declarati(a|e) (pe proprie|de)|institutii(le)? (statului|publice)|servicii(le)? publice|prefectur|ghiseele|functionarii|bugetari|cerere(a)? (la|catre))",
    "mediu_salubritate": r"\b(gunoi|salubr|tomberon|recicl|deseu|polu|copac|arbor|padur|defris|spati(u|i)(le)? verz|maidanez|caini (comunitari|fara stapan|vagabonzi)|smog|ecolog|mediul(ui)? inconjurator|garda de mediu|pata rat|groapa de gunoi|calitatea aerului|aer(ul)? (poluat|curat)|schimbari(le)? climatice|clim(a|atic)|incalzire(a)? globala|murdari|mizeri(a|e) (de pe|din|pe) (strazi|strada|parc))",
    "utilitati": r"\b(apa calda|apa rece|apa potabil|canaliz|termofic|caldur(a)? (in|la) (case|bloc|apartament)|calorifer|curent(ul)? (electric)?|electricitat|energie(i)? electric|gaz(e|ul)? (natural|la)|iluminat|factur(a|i|ile)|utilitat|enel|electrica\b|distrigaz|e-?on\b|engie|contor|apa nova|compania de apa|fara apa|fara curent|pret(ul)? (la )?(energie|gaz|curent))",
    "transport_public": r"\b(autobuz|tramvai|troleibuz|metrou|tren(ul|uri|urile)?\b|cfr\b|ctp\b|stb\b|ratb|metrorex|abonament(ul)? (de|la) (transport|autobuz|tramvai|metrou|tren)|statia de (autobuz|tramvai|metrou)|transport(ul)? (in )?comun|transport(ul)? public|mijloace(le)? de transport|linia \d+|navetis|microbuz|maxi-?taxi|calatori(i|lor)?\b)",
    "urbanism_locuire": r"\b(constructi|construi(t|esc|esti|re)|bloc(uri|ul|urile)? (de|noi|vechi)|cladir|apartament|locuint|chiri|parcar|pug\b|puz\b|urbanis|dezvoltator|imobiliar|beton|seismic|bulina rosie|demol|garaj|santier|autorizati(e|a) de construire|spatii(le)? verzi (transformate|betonate)|cartier(ul|e)? (nou|noi|rezidential)|statie de incarcare|locuri de parcare)",
    "educatie": r"\b(scoal|scoli|elev|profesor|invatator|student|universit|facultat|liceu|licee|gradinit|bacalaureat|bac\b|evaluare(a)? nationala|invatamant|educati(a|ei) (sexuala|din|in|romaneasca)|manual(e|ul|ele)|ministerul educatiei|an(ul)? scolar|cadre didactice|catedr)",
    "protectie_sociala": r"\b(pensi|alocati|ajutor(ul|ului)? social|ajutoare sociale|indemnizati|handicap|dizabilit|varstnic|azil(e|ul)?\b|camin(e|ul)? de batrani|orfelinat|asistat|asistenta sociala|dgaspc|protectia copilului|cantina sociala|fara adapost|persoane vulnerabile|casa de pensii|pensionar)",
}

ROUND6_BROAD_QUOTA = {
    "servicii_digitale": 80,
    "agricultura_rural": 90,
    "utilitati": 80,
    "administratie_servicii": 70,
    "mediu_salubritate": 70,
    "participare_publica": 80,
    "cultura_sport": 60,
    "taxe_fiscalitate": 70,
    "educatie": 60,
    "protectie_sociala": 70,
    "transport_public": 70,
    "diaspora_externe": 40,
    "justitie_anticoruptie": 40,
    "drumuri_infrastructura": 40,
    "siguranta_publica": 30,
    "urbanism_locuire": 30,
    "munca_economie": 25,
    "sanatate": 20,
    "politica_guvernare": 20,
}
ROUND6_NARROW_QUOTA = {"servicii_digitale": 70, "educatie": 40, "urbanism_locuire": 50}  # others: all hits

TEST_TARGET = 25  # wanted held-out positives per topic


def _unit(key: str) -> float:
    """A stable pseudo-random number in [0, 1) from a string (split assignment must not depend on order)."""
    import hashlib

    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], 16) / float(16**12)


def _shingles(text: str) -> set[str]:
    toks = re.findall(r"\w+", fold(text))
    return {" ".join(toks[i : i + 3]) for i in range(max(len(toks) - 2, 1))}


def _labels(row: dict[str, object]) -> list[str]:
    labels = row["labels"]
    if not isinstance(labels, list):
        raise TypeError(f"labels of {row.get('id')!r} must be a list, got {type(labels).__name__}")
    return [str(t) for t in labels]


def assign_round_split(
    new: list[dict[str, object]],
    existing: list[dict[str, object]],
    test_target: int = TEST_TARGET,
    floor: float = 0.3,
    cap: float = 0.6,
    negative_share: float = 0.35,
    dup_jaccard: float = 0.7,
) -> dict[str, str]:
    """``train``/``test`` for newly annotated real posts (``id``, ``text``, ``labels``).

    * A post whose word-trigram Jaccard similarity with an already annotated post is ``>= dup_jaccard``
      inherits that post's split (near-duplicates never straddle the split); near-duplicate new posts
      share the split of the first of them.
    * Otherwise the post goes to test with probability ``f``: for each of its topics
      ``clip((test_target - held_out_so_far) / new_posts_with_topic, floor, cap)``, the maximum over its
      topics; ``negative_share`` for posts without a topic. The draw is a hash of the post id, so the
      assignment does not depend on file order and is reproducible.
    """
    from collections import Counter

    held = Counter(t for r in existing if r.get("split") == "test" for t in _labels(r))
    fresh = Counter(t for r in new for t in _labels(r))
    frac = {t: min(cap, max(floor, (test_target - held[t]) / fresh[t])) for t in fresh}
    known = [
        (_shingles(str(r["text"])), str(r["split"])) for r in existing if r.get("split") in ("train", "test")
    ]
    out: dict[str, str] = {}
    placed: list[tuple[set[str], str]] = []
    for r in new:
        sh = _shingles(str(r["text"]))
        inherited = None
        for other, split in known + placed:
            inter = len(sh & other)
            if inter and inter / len(sh | other) >= dup_jaccard:
                inherited = split
                break
        if inherited is None:
            labels = list(r["labels"])  # type: ignore[call-overload]
            f = max((frac[t] for t in labels), default=negative_share)
            inherited = "test" if _unit(f"round6:{r['id']}") < f else "train"
        out[str(r["id"])] = inherited
        placed.append((sh, inherited))
    return out
