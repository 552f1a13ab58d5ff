"""Generate ``data/institutions.json``: curated national institutions + generated local ones.

Run ``python -m models.entities.build_gazetteer``. City halls come from SIRUTA (``sirutalib``): the 102
municipalities plus Bucharest's PMB and sector halls; county councils and prefectures for all 41 counties.

Alias entries are strings or objects ``{"text", "case", "context"}``: ``case`` is ``upper`` (the text
must be upper-case, e.g. ``MAI``), ``title`` (capitalised) or ``any``; ``context`` lists folded words of
which one must occur in the post (e.g. ``CTP`` only with transport words, as CTP is also a journalist).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from models.entities.places import COUNTY_ISO, counties, municipalities
from models.topics.text import fold

OUT = Path(__file__).parent / "data" / "institutions.json"
GAZETTEER_VERSION = "1.2.0"

TRANSPORT_CONTEXT = ["autobuz", "autobuzul", "autobuze", "tramvai", "troleibuz", "statie", "sofer", "bilet",
                     "abonament", "transport", "linia", "cluj", "calatori", "banda", "benzi"]


def up(text: str) -> dict[str, Any]:
    return {"text": text, "case": "upper"}


def title(text: str) -> dict[str, Any]:
    return {"text": text, "case": "title"}


def ctx(text: str, words: list[str], case: str = "any") -> dict[str, Any]:
    return {"text": text, "case": case, "context": words}


# (id, name, kind, county, aliases) -- ministries of the Romanian government (structure of June 2025)
MINISTRIES: list[tuple[str, str, list[Any]]] = [
    ("ministerul_finantelor", "Ministerul Finanțelor",
     ["Ministerul Finanțelor Publice", "ministrul finanțelor", "ministrul de finanțe", "Ministerul de Finanțe",
      up("MFP"), "Finanțele Publice"]),
    ("ministerul_afacerilor_interne", "Ministerul Afacerilor Interne",
     ["ministrul de interne", "ministrul afacerilor interne", "Ministerul de Interne", up("MAI")]),
    ("ministerul_afacerilor_externe", "Ministerul Afacerilor Externe",
     ["ministrul de externe", "ministrul afacerilor externe", "Ministerul de Externe", up("MAE"),
      "ministru de Externe"]),
    ("ministerul_apararii_nationale", "Ministerul Apărării Naționale",
     ["ministrul apărării", "Ministerul Apărării", up("MApN"), up("MAPN")]),
    ("ministerul_justitiei", "Ministerul Justiției", ["ministrul justiției"]),
    ("ministerul_sanatatii", "Ministerul Sănătății", ["ministrul sănătății", up("MS"), "ministerul sanatatii"]),
    ("ministerul_educatiei", "Ministerul Educației și Cercetării",
     ["Ministerul Educației", "ministrul educației", "Ministerul Educației Naționale", up("MEN"), up("MEC"),
      "ministrul învățământului", "Ministerul Cercetării"]),
    ("ministerul_muncii", "Ministerul Muncii, Familiei, Tineretului și Solidarității Sociale",
     ["Ministerul Muncii", "ministrul muncii", "Ministerul Muncii și Protecției Sociale",
      "Ministerul Muncii și Solidarității Sociale", "Ministerul Familiei"]),
    ("ministerul_transporturilor", "Ministerul Transporturilor și Infrastructurii",
     ["Ministerul Transporturilor", "ministrul transporturilor", up("MTI")]),
    ("ministerul_dezvoltarii", "Ministerul Dezvoltării, Lucrărilor Publice și Administrației",
     ["Ministerul Dezvoltării", "ministrul dezvoltării", up("MDLPA")]),
    ("ministerul_agriculturii", "Ministerul Agriculturii și Dezvoltării Rurale",
     ["Ministerul Agriculturii", "ministrul agriculturii", up("MADR")]),
    ("ministerul_mediului", "Ministerul Mediului, Apelor și Pădurilor",
     ["Ministerul Mediului", "ministrul mediului", up("MMAP")]),
    ("ministerul_energiei", "Ministerul Energiei", ["ministrul energiei"]),
    ("ministerul_economiei", "Ministerul Economiei, Digitalizării, Antreprenoriatului și Turismului",
     ["Ministerul Economiei", "ministrul economiei", "Ministerul Digitalizării", "Ministerul Turismului"]),
    ("ministerul_investitiilor", "Ministerul Investițiilor și Proiectelor Europene",
     ["Ministerul Fondurilor Europene", "ministrul fondurilor europene", "ministrul investițiilor", up("MIPE")]),
    ("ministerul_culturii", "Ministerul Culturii", ["ministrul culturii"]),
]

NATIONAL: list[tuple[str, str, str, list[Any]]] = [
    ("guvernul_romaniei", "Guvernul României", "government",
     ["Guvernul", "guvern", "guvernului", title("Executivul"), "Palatul Victoria", "prim-ministrul", "premierul",
      "Secretariatul General al Guvernului", up("SGG")]),
    ("administratia_prezidentiala", "Administrația Prezidențială", "government",
     ["Președinția României", ctx("Președinția", ["romaniei", "iohannis", "cotroceni", "statului"]),
      "Palatul Cotroceni", "președintele României",
      ctx("Președintele", ["iohannis", "romaniei", "statului", "tarii", "cotroceni"], "title")]),
    ("parlamentul_romaniei", "Parlamentul României", "parliament",
     ["Parlamentul", "parlament", "parlamentului", "parlamentarii", "parlamentarilor"]),
    ("senatul_romaniei", "Senatul României", "parliament", ["Senatul", "senatului"]),
    ("camera_deputatilor", "Camera Deputaților", "parliament", ["Camera Deputaților", "Camerei Deputaților"]),
    ("parlamentul_european", "Parlamentul European", "parliament",
     ["Europarlamentul", "Parlamentului European", "parlamentul UE", "Parlamentul Uniunii Europene"]),
    ("comisia_europeana", "Comisia Europeană", "agency", ["Comisia Europeana", "Bruxelles-ul"]),
    ("anaf", "Agenția Națională de Administrare Fiscală", "agency",
     ["ANAF", "Fiscul", "fiscul", "fiscului", title("Finanțele"), "anaf-ul"]),
    ("cnas", "Casa Națională de Asigurări de Sănătate", "agency",
     ["CNAS", "Casa de Asigurări de Sănătate", "Casa de Sănătate", "casa de asigurari"]),
    ("cnpp", "Casa Națională de Pensii Publice", "agency",
     ["CNPP", "Casa de Pensii", "Casa Națională de Pensii", "casa de pensii", "Casa Județeană de Pensii"]),
    ("igsu", "Inspectoratul General pentru Situații de Urgență", "agency",
     ["IGSU", "ISU", "SMURD", "Inspectoratul pentru Situații de Urgență", "ISU-ul"]),
    ("politia_romana", "Poliția Română (IGPR)", "police",
     ["IGPR", "Poliția", "politia", "poliția rutieră", "Poliția Rutieră", "IPJ", "polițiștii", "politistii", "polițiști", "politisti",
      "Inspectoratului Județean de Poliție", "Inspectoratului de Poliție", "poliției rutiere", "Inspectoratul de Poliție", "Inspectoratul Județean de Poliție",
      "Inspectoratul General al Poliției Române", "poliției", "politiei"]),
    ("jandarmeria", "Jandarmeria Română", "police",
     ["Jandarmeria", "jandarmeriei", "jandarmerie", "IGJR", "jandarmii", "jandarmi", "jandarmilor"]),
    ("politia_de_frontiera", "Poliția de Frontieră", "police", ["Poliția de Frontieră", "Poliției de Frontieră"]),
    ("politia_locala", "Poliția Locală", "police", ["Poliția Locală", "Poliției Locale", "polițiștii locali", "politistii locali",
                                                   "politisti locali", "polițiști locali"]),
    ("dsp", "Direcția de Sănătate Publică", "agency", ["DSP", "Direcția de Sănătate Publică", "DSP-ul"]),
    ("anpc", "Autoritatea Națională pentru Protecția Consumatorilor", "agency",
     ["ANPC", "Protecția Consumatorului", "Protecția Consumatorilor"]),
    ("apia", "Agenția de Plăți și Intervenție pentru Agricultură", "agency",
     ["APIA", "Agenția de Plăți și Intervenții pentru Agricultură"]),
    ("afir", "Agenția pentru Finanțarea Investițiilor Rurale", "agency", ["AFIR"]),
    ("dna", "Direcția Națională Anticorupție", "justice", ["DNA", "DNA-ul", "procurorii DNA", "Direcția Anticorupție"]),
    ("diicot", "Direcția de Investigare a Infracțiunilor de Criminalitate Organizată și Terorism", "justice",
     ["DIICOT"]),
    ("parchetul_general", "Parchetul de pe lângă Înalta Curte de Casație și Justiție", "justice",
     ["Parchetul General", "procurorul general"]),
    ("iccj", "Înalta Curte de Casație și Justiție", "justice", ["ICCJ", "ÎCCJ", "Înalta Curte", "instanța supremă"]),
    ("ccr", "Curtea Constituțională a României", "justice",
     ["CCR", "Curtea Constituțională", "Curtea Constitutionala", "judecătorii constituționali", "constituționalii"]),
    ("csm", "Consiliul Superior al Magistraturii", "justice", ["CSM"]),
    ("anre", "Autoritatea Națională de Reglementare în Domeniul Energiei", "agency", ["ANRE"]),
    ("cnair", "Compania Națională de Administrare a Infrastructurii Rutiere", "public_company",
     ["CNAIR", "Compania de Drumuri", "compania de drumuri", "Drumurile Naționale", "CNADNR"]),
    ("anp", "Administrația Națională a Penitenciarelor", "agency", ["ANP"]),
    ("garda_de_mediu", "Garda Națională de Mediu", "agency", ["Garda de Mediu", "Gărzii de Mediu", "Garzii de Mediu",
                                                            "comisarii de mediu"]),
    ("anl", "Agenția Națională pentru Locuințe", "agency", ["ANL", "ANL-ul", "ANL-ului"]),
    ("cna", "Consiliul Național al Audiovizualului", "agency", ["CNA", "CNA-ul"]),
    ("sri", "Serviciul Român de Informații", "agency", ["SRI", "SRI-ul", "SRI-ului"]),
    ("ani", "Autoritatea Națională de Integritate", "agency", ["ANI", "Agenția Națională de Integritate"]),
    ("bec", "Biroul Electoral Central", "agency", [up("BEC"), "Biroul Electoral Central"]),  # "un bec" is a bulb
    ("aep", "Autoritatea Electorală Permanentă", "agency", ["AEP", "Autoritatea Electorală"]),
    ("ins", "Institutul Național de Statistică", "agency", ["INS", "Institutul de Statistică"]),
    ("bnr", "Banca Națională a României", "agency", ["BNR", "Banca Națională"]),
    ("asf", "Autoritatea de Supraveghere Financiară", "agency", ["ASF"]),
    ("itm", "Inspecția Muncii", "agency", [up("ITM"), "Inspectoratul Teritorial de Muncă"]),
    ("anofm", "Agenția Națională pentru Ocuparea Forței de Muncă", "agency", ["ANOFM", "AJOFM"]),
    ("dgaspc", "Direcția Generală de Asistență Socială și Protecția Copilului", "agency",
     ["DGASPC", title("Protecția Copilului"), title("Direcția de Asistență Socială")]),
    ("anpis", "Agenția Națională pentru Plăți și Inspecție Socială", "agency",
     ["ANPIS", "AJPIS", "Agenția Județeană pentru Plăți și Inspecție Socială"]),
    ("aspa", "Autoritatea pentru Supravegherea și Protecția Animalelor", "agency",
     ["ASPA", "Autoritatea pentru Supravegherea și Protecția Animalelor București"]),
    ("ancom", "Autoritatea Națională pentru Administrare și Reglementare în Comunicații", "agency", ["ANCOM"]),
    ("rar", "Registrul Auto Român", "agency", [up("RAR"), "Registrul Auto"]),
    ("drpciv", "Direcția Regim Permise de Conducere și Înmatriculare a Vehiculelor", "agency",
     ["DRPCIV", "Serviciul de Permise"]),
    ("depabd", "Direcția pentru Evidența Persoanelor", "agency",
     ["Evidența Populației", "evidenta populatiei", "Serviciul de Evidență a Persoanelor", "DEPABD",
      # the local offices citizens name (no county body in the gazetteer): the national directorate
      "Evidența Persoanelor", "SPCLEP", "Serviciul Public Comunitar Local de Evidență a Persoanelor"]),
    ("dgp", "Direcția Generală de Pașapoarte", "agency",
     ["Serviciul de Pașapoarte", "DGP", "Serviciul Pașapoarte", "Serviciul Public Comunitar de Pașapoarte"]),
    ("onrc", "Oficiul Național al Registrului Comerțului", "agency", ["ONRC", "Registrul Comerțului"]),
    ("avocatul_poporului", "Avocatul Poporului", "agency", ["Avocatul Poporului"]),
    ("curtea_de_conturi", "Curtea de Conturi", "agency", ["Curtea de Conturi"]),
    ("anm", "Administrația Națională de Meteorologie", "agency", ["ANM"]),
    ("romsilva", "Regia Națională a Pădurilor - Romsilva", "public_company", ["Romsilva"]),
    ("apele_romane", "Administrația Națională Apele Române", "agency", ["Apele Române"]),
    ("cfr", "Compania Națională de Căi Ferate CFR", "public_company",
     ["CFR", "Căile Ferate", "CFR SA", "CFR Infrastructură"]),
    ("cfr_calatori", "CFR Călători", "public_company", ["CFR Călători", "CFR Calatori"]),
    ("metrorex", "Metrorex", "public_company", ["Metrorex"]),
    ("stb", "Societatea de Transport București", "public_company", ["STB", "RATB"]),
    ("ctp_cluj", "Compania de Transport Public Cluj-Napoca", "public_company",
     [ctx("CTP", TRANSPORT_CONTEXT), "CTP Cluj", "CTP-ul", "ctp-uri", "ctp-ul"]),
    ("posta_romana", "Compania Națională Poșta Română", "public_company", ["Poșta Română", "Posta Romana"]),
    ("tarom", "TAROM", "public_company", ["TAROM"]),
    ("hidroelectrica", "Hidroelectrica", "public_company", ["Hidroelectrica"]),
    ("romgaz", "Romgaz", "public_company", ["Romgaz"]),
    ("transelectrica", "Transelectrica", "public_company", ["Transelectrica"]),
    ("tvr", "Televiziunea Română", "public_company", ["TVR"]),
    # hospitals and universities best known nationally
    ("spital_matei_bals", "Institutul Național de Boli Infecțioase „Prof. Dr. Matei Balș”", "hospital",
     ["Matei Balș", "spitalul Matei Balș", "Institutul Matei Balș"]),
    ("spital_floreasca", "Spitalul Clinic de Urgență București (Floreasca)", "hospital",
     ["Spitalul Floreasca", "Urgența Floreasca", "SCUB", "UPU Floreasca",
      # bare "Floreasca" is also a neighbourhood: only with a word about emergencies or patients
      ctx("Floreasca", ["urgen", "upu", "spital", "medic", "pacient", "garda", "ambulan"], "title")]),
    ("spital_universitar_bucuresti", "Spitalul Universitar de Urgență București", "hospital",
     ["Spitalul Universitar", "SUUB"]),
    ("spital_militar_central", "Spitalul Universitar de Urgență Militar Central", "hospital",
     [ctx("Spitalul Militar", ["bucuresti", "central", "capitala"]), "Spitalul Militar Central"]),
    ("spital_victor_babes_bucuresti", "Spitalul Clinic de Boli Infecțioase „Victor Babeș” București", "hospital",
     ["Spitalul Victor Babeș"]),
    ("ubb", "Universitatea Babeș-Bolyai", "school", ["UBB", "Universitatea Babeș-Bolyai", "Babeș-Bolyai"]),
    ("unibuc", "Universitatea din București", "school", ["Universitatea din București", "UNIBUC"]),
    ("upb", "Universitatea Politehnica București", "school", ["Politehnica București", "UPB"]),
    ("umf_carol_davila", "UMF „Carol Davila” București", "school", ["UMF Carol Davila", "Carol Davila"]),
    ("uaic", "Universitatea „Alexandru Ioan Cuza” din Iași", "school", ["UAIC", "Universitatea Cuza"]),
    ("uvt", "Universitatea de Vest din Timișoara", "school", ["Universitatea de Vest", "UVT"]),
    ("utcn", "Universitatea Tehnică din Cluj-Napoca", "school", ["Universitatea Tehnică", "UTCN"]),
    ("umf_cluj", "UMF „Iuliu Hațieganu” Cluj-Napoca", "school", ["UMF Cluj", "Iuliu Hațieganu"]),
    # public utility operators citizens write about most (water, heating, electricity)
    ("termoenergetica", "Termoenergetica București", "public_company", ["Termoenergetica", "RADET"]),
    ("apa_nova", "Apa Nova București", "public_company", ["Apa Nova", "Apa Nova București"]),
    # municipal water, heating and transport operators that citizens name in complaints
    ("compania_de_apa_oltenia", "Compania de Apă Oltenia", "public_company", ["Compania de Apă Oltenia"]),
    ("aquavas", "Aquavas Vaslui", "public_company", ["Aquavas"]),
    ("compania_apa_brasov", "Compania Apa Brașov", "public_company", ["Compania Apa Brașov", "Apa Brașov"]),
    ("hidro_prahova", "Hidro Prahova", "public_company", ["Hidro Prahova"]),
    ("apa_canal_galati", "Apă Canal Galați", "public_company", ["Apă Canal Galați", "Apa Canal Galați"]),
    ("colterm", "Colterm Timișoara", "public_company", ["Colterm"]),
    ("stpt", "Societatea de Transport Public Timișoara", "public_company", ["STPT"]),
    ("transurb", "Transurb Galați", "public_company", ["Transurb"]),
    ("tursib", "Tursib Sibiu", "public_company", ["Tursib"]),
    ("rat_brasov", "Regia Autonomă de Transport Brașov", "public_company", ["RAT Brașov", "RATBV"]),
    ("ctp_iasi", "Compania de Transport Public Iași", "public_company", ["CTP Iași"]),
    ("administratia_strazilor", "Administrația Străzilor București", "agency", ["Administrația Străzilor"]),
    ("compania_de_apa_somes", "Compania de Apă Someș", "public_company", ["Compania de Apă Someș", "CAS Someș"]),
    ("apavital", "Apavital Iași", "public_company", ["Apavital"]),
    ("aquatim", "Aquatim Timișoara", "public_company", ["Aquatim"]),
    ("raja_constanta", "RAJA Constanța", "public_company", [up("RAJA"), "RAJA Constanța"]),
    ("electrica", "Electrica SA", "public_company", ["Electrica Furnizare", "Distribuție Energie Electrică", "Electrica Distribuție",
      # bare "Electrica" is also the adjective ("energie electrică"): capitalised, with a billing/supply word
      ctx("Electrica", ["factur", "furnizor", "contor", "abonat", "client", "curent", "lumin", "stalp",
                        "retea", "bransa", "avari"], "title")]),
]

# the 15 courts of appeal (seat -> county)
COURTS_OF_APPEAL: dict[str, str] = {
    "Alba Iulia": "RO-AB", "Bacău": "RO-BC", "Brașov": "RO-BV", "București": "RO-B", "Cluj": "RO-CJ",
    "Constanța": "RO-CT", "Craiova": "RO-DJ", "Galați": "RO-GL", "Iași": "RO-IS", "Oradea": "RO-BH",
    "Pitești": "RO-AG", "Ploiești": "RO-PH", "Suceava": "RO-SV", "Târgu Mureș": "RO-MS", "Timișoara": "RO-TM",
}

NATIONAL_COUNTY = {
    "ctp_cluj": "RO-CJ", "stb": "RO-B", "metrorex": "RO-B", "spital_matei_bals": "RO-B", "spital_floreasca": "RO-B",
    "spital_universitar_bucuresti": "RO-B", "spital_militar_central": "RO-B", "spital_victor_babes_bucuresti": "RO-B",
    "ubb": "RO-CJ", "unibuc": "RO-B", "upb": "RO-B", "umf_carol_davila": "RO-B", "uaic": "RO-IS", "uvt": "RO-TM",
    "utcn": "RO-CJ", "umf_cluj": "RO-CJ", "termoenergetica": "RO-B", "apa_nova": "RO-B",
    "compania_de_apa_somes": "RO-CJ", "apavital": "RO-IS", "aquatim": "RO-TM", "raja_constanta": "RO-CT",
    "aspa": "RO-B", "compania_de_apa_oltenia": "RO-DJ", "aquavas": "RO-VS", "compania_apa_brasov": "RO-BV",
    "hidro_prahova": "RO-PH", "apa_canal_galati": "RO-GL", "colterm": "RO-TM", "stpt": "RO-TM", "transurb": "RO-GL",
    "tursib": "RO-SB", "rat_brasov": "RO-BV", "ctp_iasi": "RO-IS", "administratia_strazilor": "RO-B",
}

# well-known mayors (surname -> municipality slug); matched capitalised, with "primar" context
MAYORS: dict[str, list[str]] = {
    "cluj-napoca": ["Boc", "Emil Boc"],
    "oradea": ["Bolojan"],
    "baia-mare": ["Cherecheș", "Chereches"],
    "timisoara": ["Fritz", "Dominic Fritz"],
    "iasi": ["Chirica", "Mihai Chirica"],
    "constanta": ["Chițac"],
    "brasov": ["Allen Coliban"],
    "sibiu": ["Astrid Fodor"],
    "suceava": ["Ion Lungu"],
}
MAYOR_ANY_CASE = {"Boc"}
MAYOR_CONTEXT_FREE = {"Boc", "Emil Boc", "Allen Coliban", "Astrid Fodor", "Dominic Fritz", "Mihai Chirica"}

GENITIVE: dict[str, list[str]] = {
    "cluj-napoca": ["Cluj", "Clujului", "clujeană", "clujene", "Cluj Napoca"],
    "bucuresti": ["Bucureștiului", "Capitalei", "Capitala"],
    "iasi": ["Iașului", "Iașiului"], "brasov": ["Brașovului"], "timisoara": ["Timișoarei"],
    "constanta": ["Constanței"], "oradea": ["Oradiei", "orădeană"], "craiova": ["Craiovei"], "sibiu": ["Sibiului"],
    "suceava": ["Sucevei"], "galati": ["Galațiului", "Galațiului"], "ploiesti": ["Ploieștiului", "Ploieștiului"],
    "arad": ["Aradului"], "pitesti": ["Piteștiului"], "bacau": ["Bacăului"], "baia-mare": ["Băii Mari"],
    "targu-mures": ["Târgu Mureș", "Tg. Mureș", "Tg Mures"],
}


def slug(text: str) -> str:
    return fold(text).replace(" ", "-")


def city_halls() -> list[dict[str, Any]]:
    """Primării of the 102 municipalities, PMB and the six Bucharest sector halls."""
    out: list[dict[str, Any]] = []
    for loc in municipalities():
        s = slug(loc.name)
        forms = [loc.name, *GENITIVE.get(s, [])]
        aliases: list[Any] = []
        for form in forms:
            aliases += [f"Primăria {form}", f"Primăria municipiului {form}", f"Primăria din {form}",
                        f"primarul {form}", f"primarul din {form}", f"primarul municipiului {form}",
                        f"primarului {form}", f"Primăriei {form}", f"Primăriei Municipiului {form}",
                        f"Consiliul Local {form}", f"Consiliul Local al municipiului {form}",
                        f"Consiliul Local din {form}"]
        for mayor in MAYORS.get(s, []):
            aliases += [f"primarul {mayor}", f"primarului {mayor}"]
            aliases.append(mayor if mayor in MAYOR_ANY_CASE else title(mayor) if mayor in MAYOR_CONTEXT_FREE else ctx(mayor, ["primar", "primarul",
                                                                                        "primarului", "primaria"],
                                                                              "title"))
        out.append({"id": f"primaria_{s.replace('-', '_')}", "name": f"Primăria Municipiului {loc.name}",
                    "kind": "city_hall", "county": loc.county, "siruta": loc.siruta, "aliases": aliases})
    pmb_aliases: list[Any] = [up("PMB"), "Primăria Capitalei", "Primăria Generală", "Primăria București",
                              "Primăria Municipiului București", "primarul general", "primarul Capitalei",
                              "Primăria Bucureștiului", "primarul Bucureștiului", "Primăriei Capitalei",
                              "Primăriei Generale", "Gabriela Firea", title("Firea"), "Primărie Generală",
                              "@PrimariaBuc", "PMB-ul"]
    out.append({"id": "pmb", "name": "Primăria Municipiului București", "kind": "city_hall", "county": "RO-B",
                "siruta": 179132, "aliases": pmb_aliases})
    for n in range(1, 7):
        out.append({"id": f"primaria_sector_{n}", "name": f"Primăria Sectorului {n}", "kind": "city_hall",
                    "county": "RO-B", "siruta": [179141, 179150, 179169, 179178, 179187, 179196][n - 1],
                    "aliases": [f"Primăria Sectorului {n}", f"Primăria Sector {n}", f"@PrimariaS{n}",
                                f"primarul Sectorului {n}", f"primarul sectorului {n}",
                                f"Primăria S{n}", f"Primăriei Sectorului {n}", f"Consiliul Local Sector {n}",
                                f"Consiliul Local al Sectorului {n}", f"Consiliul Local Sectorul {n}"]})
    return out


def county_services(code: str, name: str, short: str, seat: str | None = None) -> list[dict[str, Any]]:
    """A county's deconcentrated services and court: emergency inspectorate (ISU), police inspectorate (IPJ),
    public health directorate (DSP), pension house (CJP), health insurance house (CAS), school inspectorate
    (ISJ) and tribunal. Aliases name the county, or its seat when that is another name (``Casa de Pensii
    Craiova``), so a bare ``ISU`` or ``DSP`` still resolves to the national body."""
    forms = [name] + ([f"{name}-Ilfov"] if code == "RO-B" else [])
    places = [name] + ([seat] if seat and fold(seat) != fold(name) else [])
    isu = [a for f in forms for a in (f"ISU {f}", f"Inspectoratul pentru Situații de Urgență {f}",
                                      f"SMURD {f}", f"pompierii din {f}")]
    ipj = [a for f in forms[:1] for a in (f"IPJ {f}", f"Inspectoratul de Poliție Județean {f}",
                                          f"Inspectoratul Județean de Poliție {f}", f"Poliția Județeană {f}",
                                          f"Poliția județului {f}")]
    dsp = [f"DSP {name}", f"Direcția de Sănătate Publică {name}", f"Direcția de Sănătate Publică a județului {name}",
           f"Direcția de Sănătate Publică a municipiului {name}"] + [f"DSP {p}" for p in places[1:]]
    cjp = [f"Casa Județeană de Pensii {name}", f"CJP {name}", f"Casa de Pensii {name}",
           f"Casa de Pensii a municipiului {name}"] + [f"Casa de Pensii {p}" for p in places[1:]]
    if code == "RO-B":  # the sector offices of the Bucharest pension house
        cjp += [a for n in range(1, 7) for a in (f"Casa de Pensii Sector {n}", f"Casa de Pensii Sectorul {n}",
                                                 f"Casa de Pensii a Sectorului {n}")]
    cas = [f"Casa de Asigurări de Sănătate {name}", f"Casa Județeană de Asigurări de Sănătate {name}",
           f"CAS {name}", f"CJAS {name}"] + (["CASMB", f"Casa de Asigurări de Sănătate a Municipiului {name}"]
                                               if code == "RO-B" else [f"CAS {p}" for p in places[1:]])
    ipj += [f"Poliția Rutieră {name}"]
    isj = ([f"ISJ {name}", f"Inspectoratul Școlar Județean {name}", f"Inspectoratul Școlar {name}",
            f"Inspectoratul Școlar al județului {name}"] if code != "RO-B"
           else ["ISMB", "Inspectoratul Școlar al Municipiului București", "Inspectoratul Școlar București"])
    tribunal = [f"Tribunalul {name}"] + (["Tribunalul Bucureștiului"] if code == "RO-B" else [])
    where = "Municipiului București" if code == "RO-B" else f"Județului {name}"
    out = [
        {"id": f"isu_{short}", "name": f"Inspectoratul pentru Situații de Urgență al {where}", "kind": "agency",
         "county": code, "aliases": isu},
        {"id": f"dsp_{short}", "name": f"Direcția de Sănătate Publică a {where}", "kind": "agency",
         "county": code, "aliases": dsp},
        {"id": f"cjp_{short}", "name": f"Casa de Pensii a {where}", "kind": "agency", "county": code, "aliases": cjp},
        {"id": f"cas_{short}", "name": f"Casa de Asigurări de Sănătate a {where}", "kind": "agency", "county": code,
         "aliases": cas},
        {"id": f"isj_{short}", "name": "Inspectoratul Școlar al Municipiului București" if code == "RO-B"
         else f"Inspectoratul Școlar Județean {name}", "kind": "school", "county": code, "aliases": isj},
        {"id": f"tribunalul_{short}", "name": f"Tribunalul {name}", "kind": "justice", "county": code,
         "aliases": tribunal},
    ]
    if code != "RO-B":  # Bucharest's police is the DGPMB
        out.append({"id": f"ipj_{short}", "name": f"Inspectoratul de Poliție Județean {name}", "kind": "police",
                    "county": code, "aliases": ipj})
    return out


def county_bodies() -> list[dict[str, Any]]:
    """County councils, prefectures, county emergency hospitals and county services (ISU, IPJ, DSP, pension and
    health insurance houses) for the 41 counties, plus Bucharest's prefecture, council and services."""
    out: list[dict[str, Any]] = []
    seats = {loc.county: loc.name for loc in municipalities() if loc.kind == 1}
    for code, name in sorted(counties().items()):
        if code == "RO-B":
            out.append({"id": "prefectura_bucuresti", "name": "Instituția Prefectului Municipiului București",
                        "kind": "prefecture", "county": code,
                        "aliases": ["Prefectura Capitalei", "Prefectura București", "prefectul Capitalei",
                                    "Prefectura Bucureștiului", "Prefectul Capitalei"]})
            out.append({"id": "cgmb", "name": "Consiliul General al Municipiului București", "kind": "county_council",
                        "county": code, "aliases": ["CGMB", "Consiliul General"]})
            out += county_services(code, "București", "b")
            out.append({"id": "dgpmb", "name": "Direcția Generală de Poliție a Municipiului București",
                        "kind": "police", "county": code,
                        "aliases": ["DGPMB", "Poliția Capitalei", "Poliția Municipiului București",
                                    "Poliția București", "Poliția Bucureștiului"]})
            continue
        short = code.split("-")[1].lower()
        cj_forms = [name, f"județului {name}", f"Județean {name}"]
        out.append({"id": f"cj_{short}", "name": f"Consiliul Județean {name}", "kind": "county_council",
                    "county": code,
                    "aliases": [f"Consiliul Județean {name}", f"Consiliului Județean {name}", up(f"CJ {name}"),
                                f"CJ {name}", f"președintele CJ {name}", f"Consiliul Județean al județului {name}"]
                    + [f"președintele Consiliului {f}" for f in cj_forms[:1]]})
        out.append({"id": f"prefectura_{short}", "name": f"Instituția Prefectului Județului {name}",
                    "kind": "prefecture", "county": code,
                    "aliases": [f"Prefectura {name}", f"Prefectura județului {name}", f"prefectul județului {name}",
                                f"Instituția Prefectului {name}", f"prefectul de {name}", f"Prefecturii {name}"]})
        seat = seats.get(code)
        if seat:
            out.append({"id": f"sju_{slug(seat).replace('-', '_')}",
                        "name": f"Spitalul Județean de Urgență {seat}", "kind": "hospital", "county": code,
                        "aliases": [f"Spitalul Județean de Urgență {seat}", f"Spitalul Județean {seat}",
                                    f"Spitalului Județean {seat}", f"SJU {seat}",
                                    f"Spitalul Clinic Județean de Urgență {seat}", f"Spitalul Județean {name}",
                                    f"Spitalului Județean de Urgență {seat}", f"Spitalul Județean din {seat}",
                                    # colloquial: "la Județeanul din Cluj"
                                    f"Județeanul din {seat}", f"Județeanul {seat}"]
                        + ([f"Spitalul Județean de Urgență {name}", f"SJU {name}", f"Județeanul din {name}",
                            f"Județeanul {name}"] if name != seat else [])})
        out += county_services(code, name, short, seat)
    return out


def _mark_common_acronyms(entries: list[dict[str, Any]]) -> None:
    """Acronym aliases that are also ordinary words (``MAI``, ``ANI``, ``BEC``) must be upper-case in text."""
    from models.topics.text import _lemma_table

    table = _lemma_table()
    for entry in entries:
        for k, alias in enumerate(entry["aliases"]):
            if isinstance(alias, str):
                bare = alias.replace("-", "")
                if bare.isupper() and len(bare) <= 6 and " " not in alias and fold(bare) in table:
                    entry["aliases"][k] = up(alias)


def build() -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    for iid, name, aliases in MINISTRIES:
        # "ministrul sănătății" -> "ministru al sănătății"; "ministrul de finanțe" -> "ministru de finanțe"
        extra = [f"ministru {rest}" if rest.startswith("de ") else f"ministru al {rest}"
                 for a in aliases if isinstance(a, str) and a.startswith("ministrul ")
                 for rest in [a.removeprefix("ministrul ")]]
        entries.append({"id": iid, "name": name, "kind": "ministry", "county": None,
                        "aliases": [name, *aliases, *extra]})
    for iid, name, kind, aliases in NATIONAL:
        entries.append({"id": iid, "name": name, "kind": kind, "county": NATIONAL_COUNTY.get(iid),
                        "aliases": [name, *aliases]})
    entries += city_halls()
    entries += county_bodies()
    for seat, county in COURTS_OF_APPEAL.items():
        entries.append({"id": f"curtea_de_apel_{slug(seat).replace('-', '_')}", "name": f"Curtea de Apel {seat}",
                        "kind": "justice", "county": county,
                        "aliases": [f"Curtea de Apel {seat}", ctx(f"CA {seat}", ["apel", "instant", "dosar", "sentint", "judec", "magistrat"], "title")]})
    _mark_common_acronyms(entries)
    ids = [e["id"] for e in entries]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"duplicate institution ids: {sorted(dupes)}")
    assert set(COUNTY_ISO.values()) == set(counties())
    return {"version": GAZETTEER_VERSION, "source": "curated + SIRUTA (sirutalib 1.3.0)", "institutions": entries}


def main() -> None:
    data = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    kinds: dict[str, int] = {}
    for e in data["institutions"]:
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    print(f"wrote {len(data['institutions'])} institutions to {OUT}: {kinds}")




COMMON_OUT = Path(__file__).parent / "data" / "common_word_localities.json"


def common_word_localities() -> list[str]:
    """Locality names that are also ordinary Romanian words (spacy-lookups-data lemma table).

    A folded name counts as a common word when it is an inflected form of another lemma
    (``unirea`` -> ``unire``) or the lemma of at least four forms (``roman``, ``lunca``).
    Computed at build time so that extraction does not need the 300k-entry lemma table.
    """
    from collections import Counter

    from models.entities.places import localities
    from models.topics.text import _lemma_table

    table = _lemma_table()
    forms_per_lemma = Counter(table.values())
    out = []
    for name, locs in localities().items():
        if locs[0].is_town_or_city:
            continue  # towns/cities: inflected proper nouns, handled by the manual stoplist in extract.py
        key = name.replace("-", " ")
        words = key.split()
        if len(words) == 1 and ((key in table and table[key] != key) or forms_per_lemma.get(key, 0) >= 4):
            out.append(name)
    return sorted(out)


def lowercase_blocked_towns() -> list[str]:
    """Town/city names that, written in lower case, are inflected common words (``voluntari``, ``flamanzi``)."""
    from models.entities.places import localities
    from models.topics.text import _lemma_table

    table = _lemma_table()
    return sorted(n for n, locs in localities().items() if locs[0].is_town_or_city and table.get(n, n) != n)


def write_common() -> None:
    names = common_word_localities()
    COMMON_OUT.write_text(json.dumps({"source": "spacy-lookups-data ro lemma table (MIT) x SIRUTA names",
                                      "names": names, "towns_lowercase_blocked": lowercase_blocked_towns()},
                                     ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"wrote {len(names)} common-word locality names to {COMMON_OUT}")


if __name__ == "__main__":
    main()
    write_common()
