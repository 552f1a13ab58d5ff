"""Gazetteer extraction of public institutions, county (ISO 3166-2:RO) and SIRUTA locality from a post.

Matching is on diacritics-free lower-cased tokens; case rules, context words and a common-word
stoplist keep ambiguous names (``MAI``, ``Roman``, ``Unirea``...) from firing on ordinary words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from models.entities.places import COUNTY_ISO, Locality, counties, localities
from models.topics.text import fold, normalise_cedilla

DATA = Path(__file__).parent / "data" / "institutions.json"
COMMON = Path(__file__).parent / "data" / "common_word_localities.json"
_TOKEN = re.compile(r"@?\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?\n:;]\s*$")
_RO_DIACRITICS = set("ăâîșțĂÂÎȘȚ")
_URL = re.compile(r"https?://\S+|www\.\S+")
_SMALL_WORDS = {"de", "din", "lui", "cel", "pe", "sub", "la"}
# "guvernul ucrainean/italian..." is not the Romanian government
_FOREIGN_ADJ = ("ucrain", "italian", "german", "frances", "francez", "rus", "maghiar", "ungar", "chinez", "american",
                "britanic", "spaniol", "bulgar", "sarb", "polonez", "austriac", "moldov", "israel", "turc", "grec",
                "federal")
_NATIONAL_GENERIC = {"guvernul_romaniei", "parlamentul_romaniei", "politia_romana", "jandarmeria"}
# "Ministrul Apărării din Ucraina", "guvernul de la Kiev": a foreign body, not the Romanian one
_FOREIGN_PLACES = frozenset(
    "ucraina ucrainei kiev kyiv rusia rusiei moscova kremlin moldova moldovei chisinau ungaria ungariei budapesta "
    "germania germaniei berlin franta frantei paris italia italiei roma spania spaniei madrid sua america americii "
    "washington anglia angliei londra britania britaniei bulgaria bulgariei sofia polonia poloniei varsovia austria "
    "austriei viena israel israelului turcia turciei ankara grecia greciei atena china chinei beijing serbia serbiei "
    "belgrad olanda olandei belgia belgiei bruxelles portugalia portugaliei suedia suediei elvetia elvetiei".split()
)
_FOREIGN_LINKS = {"din", "al", "a", "lui", "de"}
_NATIONAL_KINDS = {"ministry", "government", "parliament", "police", "justice"}
# alias-shaped phrases that name something else: CFR Cluj is the football club, not the railway
_NOT_INSTITUTIONS = {("cfr", "cluj")}

# county names that are also ordinary words / rivers / first names: match only capitalised
_COUNTY_TITLE_ONLY = {"alba", "olt", "neamt", "calarasi", "constanta", "timis", "mures", "arges", "prahova",
                      "buzau", "ialomita", "gorj", "dolj", "giurgiu", "vrancea"}
_COUNTY_CUES = {"judetul", "judetului", "jud", "judet", "judetele"}
_LOCALITY_CUES = {"comuna", "comunei", "satul", "satului", "localitatea", "localitatii", "orasul", "orasului",
                  "municipiul", "municipiului", "in", "la", "din", "spre", "langa", "pe", "prin", "catre",
                  "dinspre", "inspre", "pana", "primaria", "primariei", "primarul", "primarului"}
# "Primăria Unirea", "primarul din ..." name a locality as surely as "comuna Unirea"
_STRONG_CUES = {"comuna", "comunei", "satul", "satului", "localitatea", "localitatii", "orasul", "orasului",
                "municipiul", "municipiului", "primaria", "primariei", "primarul", "primarului"}
# "Calea Aradului", "Bd. Timișoara", "Piața Romană": a street or square named after a place is not the place
_STREET_WORDS = {"calea", "caii", "strada", "strazii", "str", "bulevardul", "bulevardului", "bd", "bdul", "blvd",
                 "soseaua", "soselei", "sos", "aleea", "splaiul", "intrarea", "piata", "pietei", "drumul",
                 "intersectia", "intersectiei"}
# municipalities whose articled / oblique forms are recognised ("Piteștiul", "Craiovei", "Brașovului")
_MUNICIPALITY_KINDS = {1, 4}
_HANDLE = re.compile(r"@(\w+)", re.UNICODE)
# locality names that are common words, first names, historic figures or foreign places
LOCALITY_STOPLIST = set(
    "ion creanga|mihai viteazu|vasile alecsandri|mihail kogalniceanu|nicolae balcescu|avram iancu|tudor "
    "vladimirescu|mihai eminescu|george enescu|stefan cel mare|traian|decebal|horia|victoria|unirea|independenta|"
    "pacea|libertatea|progresul|viitorul|speranta|dan|ion|maria|ana|elena|mare|mic|noua|nou|centru|gara|lunca|"
    "valea|dealu|poiana|gura|pod|podu|baraj|cetate|cetatea|livada|mihai|sat|targ|targu|sud|nord|est|vest|rai|"
    "roma|paris|berlin|viena|madrid|italia|spania|germania|franta|america|europa|romani|roman|bucium|vulcan|"
    "fantana|fantanele|izvoare|izvoarele|padureni|dumbrava|crangu|salcia|plopu|plopi|frasin|stejaru|teiu|"
    "stalpu|razboieni|vladimirescu|cuza voda|mihai bravu|bogdan voda|dragos voda|alexandru cel bun|"
    "petru rares|radu voda|carol|ferdinand|regina maria|brad|bradu|coasta|costesti|piatra|stanca|manastirea|"
    "schitu|sfantu gheorghe|gheorghe|sfintesti|oituz|marasesti|zorilor|grigorescu|manastur|gheorgheni|marasti|"
    "iris|bulgaria|barbu|lazar|david|adam|cristian|cornel|vasile|nicolae|stefan|petru|pavel|andrei|sorin|"
    "tudor|florin|cosmin|marin|marius|popa|popesti|pescari|ungureni|romanesti|secaria|cracea|baia|baile|bai|"
    "ocna|campulung|stefanesti|scorteni|vale|varsatura|alunis|aluniș|bucuresti noi|noua|dealul|muncel|"
    "ciresu|cires|floresti noi|movila|movilita|dobra|dobroteasa|hotar|hotarele|pietris|rediu|vatra|zavoi|"
    "ghiseu|gunoi|oras|gradina|gradinari|morii|morilor|moara|moara noua|tarla|tarlele|campina noua|lacu|"
    "lacul|balta|baltati|insula|ostrov|ostrovu|nucet|pucioasa|videle|urlati|navodari|siret|faget|"
    "sulina|mare|baia|brad|baba novac|tirol|voluntari|capitala|balan|"
    # Bucharest neighbourhoods that are also villages elsewhere ("în Rahova" is not Rahova, Prahova)
    "rahova|ferentari|militari|berceni|drumul taberei|colentina|giulesti|vitan|dristor|crangasi|pajura|"
    "damaroaia|ghencea|cotroceni|obor|dorobanti|primaverii|tineretului|titan|floreasca|pipera".split("|")
)
# Oblique (genitive-dative) forms of institution head nouns -> the articled nominative the aliases use,
# so "Ministerului Sănătății", "Primăriei Sector 3" and "Prefecturii Cluj" match "Ministerul Sănătății"...
# Applied only to institution matching, on folded tokens, both to the aliases and to the post.
HEAD_NOUN_NOMINATIVE: dict[str, str] = {
    "ministerului": "ministerul", "ministrului": "ministrul", "primariei": "primaria", "primarului": "primarul",
    "spitalului": "spitalul", "consiliului": "consiliul", "prefecturii": "prefectura", "prefectului": "prefectul",
    "politiei": "politia", "inspectoratului": "inspectoratul", "agentiei": "agentia", "casei": "casa",
    "directiei": "directia", "curtii": "curtea", "tribunalului": "tribunalul", "parchetului": "parchetul",
    "guvernului": "guvernul", "parlamentului": "parlamentul", "senatului": "senatul", "camerei": "camera",
    "universitatii": "universitatea", "autoritatii": "autoritatea", "garzii": "garda", "oficiului": "oficiul",
    "institutului": "institutul", "companiei": "compania", "regiei": "regia", "serviciului": "serviciul",
    "jandarmeriei": "jandarmeria", "administratiei": "administratia", "presedintiei": "presedintia",
    "institutiei": "institutia", "societatii": "societatea", "bancii": "banca", "avocatului": "avocatul",
    "departamentului": "departamentul", "secretariatului": "secretariatul", "judecatoriei": "judecatoria",
    # feminine adjectives agree with the head: "Curții Constituționale", "Casei Naționale", "Poliției Române"
    "nationale": "nationala", "constitutionale": "constitutionala", "romane": "romana", "generale": "generala",
    "locale": "locala", "judetene": "judeteana", "electorale": "electorala", "superioare": "superioara",
}


def _head_nominative(tokens: list[str]) -> list[str]:
    """Folded tokens with oblique institution head nouns put in the nominative (see HEAD_NOUN_NOMINATIVE)."""
    if HEAD_NOUN_NOMINATIVE.keys().isdisjoint(tokens):  # most posts: no copy
        return tokens
    return [HEAD_NOUN_NOMINATIVE.get(t, t) for t in tokens]


PROMINENT: dict[str, str] = {"floresti": "RO-CJ", "apahida": "RO-CJ", "baciu": "RO-CJ", "otopeni": "RO-IF",
                             "voluntari": "RO-IF", "mamaia": "RO-CT", "feleacu": "RO-CJ"}
LOCALITY_ALIASES: dict[str, str] = {"cluj": "cluj-napoca", "capitala": "bucuresti", "capitalei": "bucuresti",
                                     "clujul": "cluj-napoca", "clujului": "cluj-napoca",
                                     "bucurestiul": "bucuresti", "bucurestiului": "bucuresti",
                                     "tg mures": "targu mures", "iasul": "iasi", "iasului": "iasi"}


@dataclass(frozen=True)
class _Pattern:
    tokens: tuple[str, ...]
    target: Any
    case: str  # upper | title | any
    context: tuple[str, ...]  # folded word prefixes; one must start a token of the post


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    names = json.loads(COMMON.read_text(encoding="utf-8"))["names"]
    return frozenset(names) | frozenset(LOCALITY_STOPLIST)


@lru_cache(maxsize=1)
def _lowercase_blocked() -> frozenset[str]:
    return frozenset(json.loads(COMMON.read_text(encoding="utf-8"))["towns_lowercase_blocked"])


def _is_common_word(folded: str) -> bool:
    return folded in _common_words() or folded.replace("-", " ") in LOCALITY_STOPLIST


_FOLDED_TOKENS: dict[str, str] = {}


def _fold_token(token: str) -> str:
    """``fold`` of one token, memoised (bounded): posts repeat their words."""
    folded = _FOLDED_TOKENS.get(token)
    if folded is None:
        folded = fold(token)
        if len(_FOLDED_TOKENS) < 200_000:
            _FOLDED_TOKENS[token] = folded
    return folded


def _toks(text: str) -> list[str]:
    return [fold(t) for t in _TOKEN.findall(normalise_cedilla(text))]


def split_handle(word: str) -> list[str]:
    """The words of a social-media handle: ``PrimariaClujNapoca`` -> ``Primaria Cluj Napoca``, ``PrimariaSector6``
    -> ``Primaria Sector 6``, ``ANAFRomania`` -> ``ANAF Romania``; underscores split too."""
    parts: list[str] = []
    for chunk in word.split("_"):
        cur = ""
        for k, ch in enumerate(chunk):
            if cur:
                prev, nxt = cur[-1], chunk[k + 1 : k + 2]
                if (ch.isdigit() != prev.isdigit() or (ch.isupper() and prev.islower())
                        or (ch.isupper() and prev.isupper() and nxt.islower())):
                    parts.append(cur)
                    cur = ""
            cur += ch
        if cur:
            parts.append(cur)
    return parts


def _municipality_forms(key: str) -> list[str]:
    """Articled and oblique forms of a one-word municipality name (folded): ``pitesti`` -> ``pitestiul``,
    ``pitestiului``; ``craiova`` -> ``craiovei``; ``oradea`` -> ``oradiei``; ``sibiu`` -> ``sibiul``, ``sibiului``."""
    if key.endswith("ea"):
        return [key[:-2] + "iei", key[:-1] + "i"]
    if key.endswith("a"):
        return [key[:-1] + "ei"]
    if key.endswith("u"):
        return [key + "l", key + "lui"]
    if key[-1:].isalpha() and key[-1] not in "aeo":
        return [key + "ul", key + "ului"]
    return []


def _county_forms(name: str) -> list[str]:
    """Nominative plus common inflections (``Clujul``, ``Clujului``, ``Constanței``, ``Sucevei``)."""
    forms = [name]
    f = fold(name)
    if name[-1] in "aă" and f.endswith("ea"):
        forms.append(name[:-1] + "i")
    elif name[-1] == "a":
        forms.append(name[:-1] + "ei")
    elif name[-1] == "u":  # "Sibiul", "Buzăului" (not "Sibiuul")
        forms += [name + "l", name + "lui"]
    elif name[-1].isalpha():
        forms += [name + "ul", name + "ului"]
    irregular = {"Suceava": ["Sucevei"], "Iași": ["Iașului", "Iașul"], "Satu Mare": ["Sătmarului"],
                 "Caraș-Severin": ["Caraș"], "Bistrița-Năsăud": ["Bistrița"], "București": ["Bucureștiului",
                                                                                         "Bucureștiul"]}
    return forms + irregular.get(name, [])


class Extractor:
    """Holds the compiled gazetteer; use ``extract`` (or the module-level helper)."""

    def __init__(self, path: Path = DATA) -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = raw["version"]
        self.institutions: dict[str, dict[str, Any]] = {}
        self.patterns: dict[str, list[_Pattern]] = {}
        for entry in raw["institutions"]:
            info = {"id": entry["id"], "name": entry["name"], "kind": entry["kind"], "county": entry["county"]}
            self.institutions[entry["id"]] = info
            for alias in entry["aliases"]:
                if isinstance(alias, str):
                    alias = {"text": alias}
                toks = tuple(_head_nominative(_toks(alias["text"])))
                if toks:
                    self._add(_Pattern(toks, ("inst", entry["id"]), alias.get("case", "any"),
                                       tuple(alias.get("context", []))))
        for code, name in counties().items():
            for form in _county_forms(name):
                toks = tuple(_toks(form))
                case = "title" if fold(name) in _COUNTY_TITLE_ONLY else "any"
                self._add(_Pattern(toks, ("county", code), case, ()))
        self.max_len = max(len(p.tokens) for ps in self.patterns.values() for p in ps)
        # first token -> [(length, {tokens: patterns in insertion order})], longest first: a post token is
        # compared with the aliases that share its next tokens, not with every alias sharing its first one
        # (hundreds start with "casa", "isu", "politia" since the county services)
        self._index: dict[str, list[tuple[int, dict[tuple[str, ...], list[_Pattern]]]]] = {}
        for first, pats in self.patterns.items():
            by_len: dict[int, dict[tuple[str, ...], list[_Pattern]]] = {}
            for pat in pats:
                by_len.setdefault(len(pat.tokens), {}).setdefault(pat.tokens, []).append(pat)
            self._index[first] = sorted(by_len.items(), reverse=True)
        self.loc_index = localities()
        # spelled-out forms mapped to a SIRUTA name: the fixed aliases, "Sector 5" / "Sectorului 5" for the sectors,
        # and the articled / oblique forms of unambiguous one-word municipalities ("Piteștiul", "Craiovei")
        self.loc_aliases: dict[str, str] = dict(LOCALITY_ALIASES)
        for n in range(1, 7):
            self.loc_aliases.update({f"sector {n}": f"sectorul {n}", f"sectorului {n}": f"sectorul {n}"})
        for key, locs in self.loc_index.items():
            if (locs[0].kind in _MUNICIPALITY_KINDS and (len(locs) == 1 or locs[1].rank < locs[0].rank)
                    and key.isalpha() and not _is_common_word(key)):
                for form in _municipality_forms(key):
                    if form not in self.loc_index and not _is_common_word(form):
                        self.loc_aliases.setdefault(form, key)
        self._alias_targets = frozenset(self.loc_aliases.values())
        # first token -> longest name (in tokens) starting with it; hyphens split like the text tokeniser
        self.loc_first: dict[str, int] = {}
        for key in [*self.loc_index, *self.loc_aliases]:
            parts = _toks(key)
            if parts:
                self.loc_first[parts[0]] = max(self.loc_first.get(parts[0], 0), len(parts))
        # first tokens that may match in lower case (towns and cities, aliases)
        self.loc_first_lower = {
            _toks(k)[0] for k, locs in self.loc_index.items() if locs[0].is_town_or_city and _toks(k)
        } | {_toks(k)[0] for k in [*LOCALITY_ALIASES, "sector 1", "sectorului 1"] if not k.startswith("capital")}

    def _add(self, pattern: _Pattern) -> None:
        self.patterns.setdefault(pattern.tokens[0], []).append(pattern)

    # -- helpers -----------------------------------------------------------------------------------
    @staticmethod
    def _case_ok(case: str, originals: list[str], before: str = "", after: str = "") -> bool:
        if case == "upper":
            # "MAI" in an all-caps sentence ("MAI BINE") is the adverb, not the ministry
            shouting = any(len(t) > 3 and t.isupper() and t.isalpha() for t in (before, after))
            return all(t.isupper() for t in originals) and not shouting
        if case == "title":
            return all(t[:1].isupper() for t in originals if t[:1].isalpha())
        return True

    def _foreign_or_other(self, inst_id: str, folded: list[str], i: int, n: int) -> bool:
        """True when the alias at ``folded[i:i+n]`` names something else: a phrase of ``_NOT_INSTITUTIONS``, or a
        national body followed by a foreign country (``Ministrul Apărării din Ucraina``, ``guvernul de la Kiev``)."""
        if any(tuple(folded[i : i + len(p)]) == p for p in _NOT_INSTITUTIONS):
            return True
        info = self.institutions[inst_id]
        if info["county"] is not None or info["kind"] not in _NATIONAL_KINDS:
            return False
        after = folded[i + n : i + n + 4]
        if after and after[0] in _FOREIGN_LINKS:
            rest = after[2:] if after[0] == "de" and after[1:2] == ["la"] else after[1:]
            if rest[:1] == ["republica"]:  # "din Republica Moldova"
                rest = rest[1:]
            return bool(rest) and rest[0] in _FOREIGN_PLACES
        return False

    def _longest_match(self, heads: list[str], folded: list[str], originals: list[str], i: int) -> _Pattern | None:
        """The longest alias (first in gazetteer order among equally long ones) matching at token ``i`` whose
        case and context rules hold."""
        for n, by_tokens in self._index.get(heads[i], ()):
            if i + n > len(heads):
                continue
            for pat in by_tokens.get(tuple(heads[i : i + n]), ()):
                before = originals[i - 1] if i > 0 else ""
                after = originals[i + n] if i + n < len(originals) else ""
                county_cue = pat.target[0] == "county" and i > 0 and folded[i - 1] in _COUNTY_CUES
                if not county_cue and not self._case_ok(pat.case, originals[i : i + n], before, after):
                    continue
                if pat.context and not any(t.startswith(c) for c in pat.context for t in folded):
                    continue
                return pat
        return None

    @staticmethod
    def _sentence_initial(text: str, start: int) -> bool:
        return start == 0 or bool(_SENTENCE_END.search(text[:start]))

    # -- main ----------------------------------------------------------------------------------------
    def extract(self, text: str | None) -> dict[str, Any]:
        """``{institutions: [{id, name, kind, county}], county: ISO|None, locality: {siruta, name}|None}``."""
        empty: dict[str, Any] = {"institutions": [], "county": None, "locality": None}
        if not text or not text.strip():
            return empty
        text, handle_spans = self._expand_handles(_URL.sub(" ", normalise_cedilla(text)))
        matches = list(_TOKEN.finditer(text))
        spans = [(m.start(), m.group()) for m in matches]
        # words read out of a handle name institutions (@PrimariaSector6), never places: @GabrielGiurgiu2 is a person
        in_handle = [any(a <= m.start() < b for a, b in handle_spans) for m in matches] if handle_spans else None
        originals = [s[1] for s in spans]
        folded_text = fold(text)
        if len(folded_text) == len(text):
            folded = [folded_text[m.start() : m.end()] for m in matches]
        else:  # a character folds to several (or none): fold token by token
            folded = [_fold_token(t) for t in originals]
        heads = _head_nominative(folded)
        insts: list[tuple[int, str]] = []
        evidence: list[tuple[int, int, str]] = []  # (priority, position, county code); cue-marked counties first
        blocked = list(in_handle) if in_handle else [False] * len(folded)
        index = self._index
        i = 0
        # only tokens that start some alias can match: visit those, in order, past the end of the last match
        for start in [k for k, head in enumerate(heads) if head in index]:
            if start < i:
                continue
            i = start
            best = self._longest_match(heads, folded, originals, i)
            if best is None:
                continue
            n = len(best.tokens)
            kind, value = best.target
            nxt = folded[i + n] if i + n < len(folded) else ""
            if kind == "inst" and value in _NATIONAL_GENERIC and nxt.startswith(_FOREIGN_ADJ):
                i += n
                continue
            if kind == "inst" and self._foreign_or_other(value, folded, i, n):
                i += n
                continue
            if kind == "inst":
                if value not in {v for _, v in insts}:
                    insts.append((i, value))
                    if self.institutions[value]["county"]:
                        evidence.append((1, i, self.institutions[value]["county"]))
            elif (i > 0 and folded[i - 1] in _STREET_WORDS) or any(blocked[i : i + n]):
                i += n  # "Calea Aradului" is a street, not Arad county; a handle's words are not a place
                continue
            else:
                cue = i > 0 and folded[i - 1] in _COUNTY_CUES
                written = " ".join(originals[i : i + n])
                if _RO_DIACRITICS & set(written) and not any(
                    written.lower() == form.lower() for form in _county_forms(counties()[value])
                ):
                    i += n  # "Casa Albă" is not Alba county: diacritics present and different
                    continue
                title_only = fold(counties()[value]) in _COUNTY_TITLE_ONLY
                if cue or not (title_only and self._sentence_initial(text, spans[i][0])):
                    evidence.append((0 if cue else 1, i, value))
                if cue:
                    for k in range(i, i + n):
                        blocked[k] = True
            i += n
        mentioned = {c for _, _, c in evidence}
        found = self._locality(text, spans, originals, folded, blocked, mentioned)
        if found is not None:
            evidence.append((1, found[0], found[1].county))
        county = min(evidence)[2] if evidence else None
        locality = found[1] if found else None
        return {
            "institutions": [dict(self.institutions[x]) for _, x in insts],
            "county": county,
            "locality": {"siruta": locality.siruta, "name": locality.name} if locality else None,
        }

    def _expand_handles(self, text: str) -> tuple[str, list[tuple[int, int]]]:
        """``text`` with each handle that is not itself an alias (``@PrimariaS3`` is) written as its words when it
        has several (``@PrimariaClujNapoca``), is an acronym (``@CNAIR``) or starts an alias (``@Primaria``), and
        the character spans of those words; ``@Stelian`` stays a handle."""
        if "@" not in text:
            return text, []
        out: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = length = 0
        for m in _HANDLE.finditer(text):
            word = m.group(1)
            parts = split_handle(word)
            if "@" + fold(word) in self._index or not (
                len(parts) >= 2 or (len(word) > 1 and word.isupper()) or fold(word) in self._index
            ):
                continue
            out.append(text[pos : m.start()])
            length += m.start() - pos
            words = " ".join(parts)
            spans.append((length, length + len(words)))
            out.append(words)
            length += len(words)
            pos = m.end()
        out.append(text[pos:])
        return "".join(out), spans

    def _locality(
        self,
        text: str,
        spans: list[tuple[int, str]],
        originals: list[str],
        folded: list[str],
        consumed: list[bool],
        mentioned: set[str],
    ) -> tuple[int, Locality] | None:
        loc_first = self.loc_first
        i = 0
        # only tokens that start some locality name can match: visit those, in order, past the last candidate
        for start in [k for k, tok in enumerate(folded) if tok in loc_first]:
            if start < i:
                continue
            i = start
            found: tuple[int, list[Locality], str] | None = None
            longest = loc_first[folded[i]]
            if not originals[i][:1].isupper() and (
                folded[i] not in self.loc_first_lower or folded[i] in _lowercase_blocked()
            ):
                longest = 0
            for n in range(min(longest, len(folded) - i), 0, -1):
                if any(consumed[i : i + n]):
                    continue
                key = " ".join(folded[i : i + n])
                key = self.loc_aliases.get(key, key)
                cands = self.loc_index.get(key)
                if not cands:
                    # hyphenated names are tokenised apart: "cluj napoca" -> "cluj-napoca"
                    cands = self.loc_index.get(key.replace(" ", "-"))
                    key = key.replace(" ", "-")
                if cands:
                    found = (n, cands, key)
                    break
            if found is None:
                continue
            n, cands, key = found
            if i > 0 and folded[i - 1] in _STREET_WORDS:  # "Calea Baia Mare" is a street
                i += n
                continue
            choice = self._resolve(text, spans, originals, folded, i, n, cands, key, mentioned)
            if choice is not None:
                return i, choice
            i += n
        return None

    def _resolve(
        self,
        text: str,
        spans: list[tuple[int, str]],
        originals: list[str],
        folded: list[str],
        i: int,
        n: int,
        cands: list[Locality],
        key: str,
        mentioned: set[str],
    ) -> Locality | None:
        words = originals[i : i + n]
        capitalised = all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _SMALL_WORDS for w in words)
        written = " ".join(words).lower()
        if _RO_DIACRITICS & set(written) and fold(written) == fold(cands[0].name.replace("-", " ")):
            # diacritics-insensitive, but not diacritics-blind: "constantă" is not "Constanța"
            if written != cands[0].name.lower().replace("-", " "):
                return None
        prev = folded[i - 1] if i > 0 else ""
        common = _is_common_word(key) or key.replace("-", " ") in LOCALITY_STOPLIST
        top = cands[0]
        in_county = [c for c in cands if c.county in mentioned]
        if key in self._alias_targets and len(cands) == 1 and not common:
            strong = True
        else:
            strong = top.is_town_or_city and (len(cands) == 1 or cands[1].rank < top.rank)
        if common:
            # ordinary words need capitalisation and an explicit locality cue ("comuna Unirea"),
            # or a weaker cue ("din Roman") plus a mention of the locality's county
            if not capitalised:
                return None
            if prev not in _STRONG_CUES and not (prev in _LOCALITY_CUES and in_county):
                return None
        elif not strong:
            # communes / villages (often also surnames): capitalised and introduced by a place cue
            # ("la Cojocna", "comuna Baciu") or disambiguated by a county mention
            if not capitalised or not (prev in _LOCALITY_CUES or in_county):
                return None
        elif not capitalised and len(key) < 4:
            return None
        if in_county:
            return in_county[0]
        if len(cands) == 1 or cands[0].rank > cands[1].rank:
            return top
        if key in PROMINENT:
            pick = [c for c in cands if c.county == PROMINENT[key]]
            if pick:
                return pick[0]
        return None


@lru_cache(maxsize=1)
def default_extractor() -> Extractor:
    """The shared extractor (built once per process)."""
    return Extractor()


def extract(text: str | None) -> dict[str, Any]:
    """Extract institutions, county and locality from one post."""
    return default_extractor().extract(text)


COUNTY_CODES = sorted(set(COUNTY_ISO.values()))
