"""Vocabulary of the sample-data generator: places, institutions, topics and phrasings (Romanian).

Templates use ``{inst}`` (an institution), ``{city}``, ``{county}`` and ``{plate}`` (county code).
Every topic has negative, neutral and positive sentences, some with negation ("nu e rău").
"""

from __future__ import annotations

# (county, main city, plate code): the 41 counties and Bucharest.
COUNTIES: tuple[tuple[str, str, str], ...] = (
    ("Alba", "Alba Iulia", "AB"), ("Arad", "Arad", "AR"), ("Argeș", "Pitești", "AG"),
    ("Bacău", "Bacău", "BC"), ("Bihor", "Oradea", "BH"), ("Bistrița-Năsăud", "Bistrița", "BN"),
    ("Botoșani", "Botoșani", "BT"), ("Brașov", "Brașov", "BV"), ("Brăila", "Brăila", "BR"),
    ("Buzău", "Buzău", "BZ"), ("Caraș-Severin", "Reșița", "CS"), ("Călărași", "Călărași", "CL"),
    ("Cluj", "Cluj-Napoca", "CJ"), ("Constanța", "Constanța", "CT"), ("Covasna", "Sfântu Gheorghe", "CV"),
    ("Dâmbovița", "Târgoviște", "DB"), ("Dolj", "Craiova", "DJ"), ("Galați", "Galați", "GL"),
    ("Giurgiu", "Giurgiu", "GR"), ("Gorj", "Târgu Jiu", "GJ"), ("Harghita", "Miercurea Ciuc", "HR"),
    ("Hunedoara", "Deva", "HD"), ("Ialomița", "Slobozia", "IL"), ("Iași", "Iași", "IS"),
    ("Ilfov", "Voluntari", "IF"), ("Maramureș", "Baia Mare", "MM"), ("Mehedinți", "Drobeta-Turnu Severin", "MH"),
    ("Mureș", "Târgu Mureș", "MS"), ("Neamț", "Piatra Neamț", "NT"), ("Olt", "Slatina", "OT"),
    ("Prahova", "Ploiești", "PH"), ("Satu Mare", "Satu Mare", "SM"), ("Sălaj", "Zalău", "SJ"),
    ("Sibiu", "Sibiu", "SB"), ("Suceava", "Suceava", "SV"), ("Teleorman", "Alexandria", "TR"),
    ("Timiș", "Timișoara", "TM"), ("Tulcea", "Tulcea", "TL"), ("Vaslui", "Vaslui", "VS"),
    ("Vâlcea", "Râmnicu Vâlcea", "VL"), ("Vrancea", "Focșani", "VN"), ("București", "București", "B"),
)

# Institutions: national ones by name, local ones with {city}/{county}.
NATIONAL_INSTITUTIONS = (
    "Guvernul", "Ministerul Sănătății", "Ministerul Educației", "Ministerul Finanțelor", "ANAF", "CNAS",
    "Casa de Pensii", "Ministerul Transporturilor", "CFR Călători", "CNAIR", "APIA", "Poliția Română",
    "Ministerul Muncii", "ANPC", "Ministerul Justiției", "DNA", "Parlamentul", "Ministerul Mediului",
    "Garda de Mediu", "ANPIS", "Ministerul Afacerilor Externe", "Direcția Pașapoarte", "ADR",
)
LOCAL_INSTITUTIONS = (
    "Primăria {city}", "Consiliul Județean {county}", "ISU {county}", "IPJ {county}", "Poliția Locală {city}",
    "DSP {county}", "Spitalul Județean {city}", "Inspectoratul Școlar {county}", "Casa de Pensii {county}",
    "CAS {county}", "Prefectura {county}", "Evidența Populației {city}", "DGASPC {county}",
    "regia de transport din {city}", "operatorul de salubritate din {city}", "SPCLEP {city}",
)

TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "health": {
        "neg": (
            "La UPU la {inst} am așteptat 9 ore și nimeni nu ne-a băgat în seamă.",
            "Nu mai sunt medicamente compensate în farmaciile din {city}, iar {inst} tace.",
            "Programare la RMN peste 4 luni? Asta e bătaie de joc, {inst}!",
            "Spitalul din {city} arată ca acum 40 de ani, n-a mers nimic din ce s-a promis.",
        ),
        "neu": (
            "Știe cineva dacă {inst} a schimbat programul de la ambulatoriu?",
            "{inst} anunță noi locuri pentru vaccinare în {city} de luni.",
        ),
        "pos": (
            "Mulțumesc echipei de la {inst}, m-au tratat foarte frumos.",
            "Nu e rău deloc noul ambulatoriu din {city}, curat și fără cozi.",
        ),
    },
    "education": {
        "neg": (
            "Școala din cartier nu are nici acum autorizație ISU, ce face {inst}?",
            "Manualele n-au ajuns nici azi la elevii din {county}. Rușine, {inst}!",
            "Profesorii pleacă pe capete, {inst} nu face nimic.",
        ),
        "neu": (
            "Când se publică de către {inst} calendarul pentru evaluarea națională?",
            "Înscrierile la grădiniță în {city} încep pe 15, conform {inst}.",
        ),
        "pos": (
            "Bravo {inst} pentru laboratoarele noi din liceele din {city}!",
            "Nu pot să zic că e rău programul after-school din {city}, copiii sunt mulțumiți.",
        ),
    },
    "public_transport": {
        "neg": (
            "Autobuzul 35 din {city} n-a mai venit de 40 de minute. {inst}, unde sunteți?",
            "Trenul spre {city} iar are 120 de minute întârziere, CFR Călători ca de obicei.",
            "Tramvaiele din {city} sunt arhipline și murdare, {inst} doar promite.",
        ),
        "neu": (
            "{inst} modifică traseele liniilor de noapte din {city} de la 1 decembrie.",
            "Unde se poate cumpăra abonamentul lunar la {inst}?",
        ),
        "pos": (
            "Autobuzele electrice noi din {city} chiar sunt excelente, felicitări {inst}!",
            "Plata cu cardul în autobuz funcționează perfect, nu e rău deloc.",
        ),
    },
    "roads": {
        "neg": (
            "Gropile de pe strada principală din {city} au rămas la fel de un an. {inst} doarme.",
            "Centura {city} e blocată iar, lucrările nu se mai termină.",
            "Drumul județean din {county} e impracticabil, n-a mers nimeni să-l repare.",
        ),
        "neu": (
            "{inst} anunță restricții de circulație pe DN1 în zona {city}.",
            "Se asfaltează de mâine strada Republicii din {city}, conform {inst}.",
        ),
        "pos": (
            "În sfârșit s-a deschis pasajul din {city}, mulțumim {inst}!",
            "Nu e rău noul sens giratoriu din {city}, traficul merge mai bine.",
        ),
    },
    "environment": {
        "neg": (
            "Gunoiul nu a mai fost ridicat de o săptămână în {city}! {inst} unde e?",
            "Miroase a ars în tot orașul {city} în fiecare seară, Garda de Mediu nu face nimic.",
            "Se taie copacii din parc fără aviz, {inst} închide ochii.",
        ),
        "neu": (
            "{inst} organizează colectarea deșeurilor voluminoase în {city} sâmbătă.",
            "Care e programul centrului de colectare selectivă din {city}?",
        ),
        "pos": (
            "Parcul nou din {city} e superb, felicitări {inst}!",
            "Colectarea separată merge bine în cartierul nostru, nu e rău deloc.",
        ),
    },
    "utilities": {
        "neg": (
            "Nu avem apă caldă de 3 zile în {city}! {inst} nu răspunde la telefon.",
            "Facturile la căldură s-au dublat, iar caloriferele sunt reci. Bătaie de joc!",
            "Iar s-a oprit curentul în {city}, a treia oară săptămâna asta.",
        ),
        "neu": (
            "{inst} anunță oprirea apei calde în {city} pentru lucrări la rețea.",
            "Când se reia furnizarea agentului termic în cartierul Mănăștur?",
        ),
        "pos": (
            "Au reparat conducta în două ore, mulțumim {inst}!",
            "Nu pot să mă plâng, căldura a venit la timp anul ăsta în {city}.",
        ),
    },
    "taxes": {
        "neg": (
            "Site-ul {inst} e picat iar în ultima zi de depunere a declarației unice.",
            "Am plătit impozitul de două ori și {inst} nu îmi returnează banii de 6 luni.",
            "Amenzi de la {inst} pentru o eroare a lor, n-a mers nici contestația.",
        ),
        "neu": (
            "Până când se poate plăti impozitul pe clădiri cu bonificație la {inst}?",
            "{inst} a publicat ghidul pentru declarația unică 2026.",
        ),
        "pos": (
            "SPV-ul de la {inst} a mers fără probleme azi, incredibil!",
            "Am primit rambursarea TVA rapid, nu e rău deloc {inst}.",
        ),
    },
    "pensions_social": {
        "neg": (
            "Recalcularea pensiei durează de un an la {inst}, bătrânii așteaptă degeaba.",
            "Alocația a întârziat iar luna asta, {inst} nu explică nimic.",
            "Ajutorul de încălzire n-a mai venit, iar la {inst} coada e până în stradă.",
        ),
        "neu": (
            "Ce acte trebuie la {inst} pentru indemnizația de creștere a copilului?",
            "{inst} anunță plata pensiilor recalculate începând cu luna viitoare.",
        ),
        "pos": (
            "Mi-au rezolvat dosarul de pensie în două săptămâni, mulțumesc {inst}!",
            "Nu e rău că se poate depune online cererea la {inst}.",
        ),
    },
    "jobs_prices": {
        "neg": (
            "Prețurile la alimente au explodat în {city}, cu salariul minim nu mai trăiești.",
            "Fabrica din {city} se închide și 600 de oameni rămân pe drumuri. {inst} tace.",
            "Chiriile din {city} sunt mai mari decât salariile, nimeni nu face nimic.",
        ),
        "neu": (
            "{inst} organizează bursa locurilor de muncă la {city} vineri.",
            "Câte locuri de muncă noi au fost anunțate în {county} anul acesta?",
        ),
        "pos": (
            "S-a deschis un parc industrial nou lângă {city}, în sfârșit locuri de muncă!",
            "Nu e rău programul de sprijin pentru IMM-uri de la {inst}.",
        ),
    },
    "safety": {
        "neg": (
            "Cartierul e plin de câini fără stăpân și {inst} nu intervine.",
            "Am sunat la 112 și echipajul {inst} a venit după o oră.",
            "Gălăgie și scandal în fiecare noapte în centrul {city}, poliția nu vine.",
        ),
        "neu": (
            "{inst} anunță controale în trafic pe drumurile din {county} în weekend.",
            "Atenție, {inst} avertizează despre apeluri false în numele băncilor.",
        ),
        "pos": (
            "Pompierii de la {inst} au intervenit în 8 minute, eroi adevărați!",
            "Mulțumesc {inst}, mi-au găsit bicicleta furată în două zile.",
        ),
    },
    "justice_corruption": {
        "neg": (
            "Iar un director de la {inst} prins cu mită și scapă cu suspendare. Halal justiție!",
            "Procesul meu e amânat a zecea oară, justiția din România nu funcționează.",
            "Licitație cu dedicație la {inst}, toată lumea știe cine câștigă.",
        ),
        "neu": (
            "DNA a deschis o anchetă privind contractele {inst}.",
            "Când se pronunță instanța în dosarul retrocedărilor din {city}?",
        ),
        "pos": (
            "Bine că s-a făcut în sfârșit dreptate, respect pentru procurori!",
            "Nu e rău că {inst} publică acum toate contractele online.",
        ),
    },
    "paperwork_queues": {
        "neg": (
            "Coadă de 4 ore la {inst} pentru buletin, cu un singur ghișeu deschis.",
            "La {inst} mi-au cerut aceeași adeverință de trei ori. Birocrație curată!",
            "Programarea la pașapoarte în {city} e abia peste 2 luni, n-a mers nici online.",
        ),
        "neu": (
            "Ce program are {inst} sâmbăta?",
            "{inst} extinde programul cu publicul până la ora 19.",
        ),
        "pos": (
            "Am scos cartea de identitate în 20 de minute la {inst}, chapeau!",
            "Nu e rău deloc sistemul nou de programări de la {inst}.",
        ),
    },
    "digital_services": {
        "neg": (
            "ghiseul.ro nu îmi acceptă plata de 3 zile, eroare la fiecare încercare.",
            "Aplicația {inst} se blochează la autentificare, degeaba e digitalizare.",
            "ROeID nu merge deloc, am stat o oră degeaba.",
        ),
        "neu": (
            "Se poate plăti amenda pe ghiseul.ro sau trebuie mers la {inst}?",
            "{inst} a lansat platforma de programări online.",
        ),
        "pos": (
            "Am plătit impozitul pe ghiseul.ro în 2 minute, super!",
            "Nu e rău deloc noul portal al {inst}, în sfârșit merge totul online.",
        ),
    },
    "urbanism_parking": {
        "neg": (
            "Blocuri construite peste noapte în {city}, fără locuri de parcare. {inst} aprobă orice.",
            "Nu există niciun loc de parcare în centrul {city}, iar abonamentul s-a scumpit.",
            "Trotuarele din {city} sunt ocupate de mașini, nimeni nu amendează.",
        ),
        "neu": (
            "{inst} supune dezbaterii publice noul PUG al {city}.",
            "Unde se depune cererea pentru loc de parcare de reședință la {inst}?",
        ),
        "pos": (
            "Parcarea subterană nouă din {city} e foarte bună, felicitări {inst}!",
            "Nu e rău că au lărgit trotuarele în centru.",
        ),
    },
    "culture_sport": {
        "neg": (
            "Sala de sport a școlii din {city} e închisă de 3 ani, {inst} nu are bani.",
            "Teatrul din {city} se degradează și {inst} nu alocă nimic.",
        ),
        "neu": (
            "{inst} anunță programul Zilelor orașului {city}.",
            "Se redeschide bazinul olimpic din {city} luna viitoare.",
        ),
        "pos": (
            "Festival minunat în {city} weekendul ăsta, bravo {inst}!",
            "Stadionul renovat din {city} arată excelent.",
        ),
    },
    "agriculture": {
        "neg": (
            "Subvențiile APIA n-au venit nici acum pentru fermierii din {county}.",
            "Seceta ne-a distrus recolta și {inst} nu dă despăgubiri.",
        ),
        "neu": (
            "APIA {county} prelungește termenul pentru cererile unice de plată.",
            "Ce documente cere APIA pentru sprijinul cuplat?",
        ),
        "pos": (
            "Am primit avansul de la APIA la timp, mulțumim!",
            "Nu e rău noul program pentru tinerii fermieri.",
        ),
    },
    "diaspora": {
        "neg": (
            "La consulatul din Londra programarea pentru pașaport e peste 5 luni!",
            "Am stat 6 ore la coadă la vot în străinătate, nu s-a schimbat nimic.",
        ),
        "neu": (
            "Ce acte trebuie pentru transcrierea certificatului de naștere din Italia?",
            "MAE anunță secții de votare noi pentru diaspora.",
        ),
        "pos": (
            "Consulatul din Madrid a răspuns rapid și profesionist, mulțumesc!",
            "Nu e rău deloc că se poate face procura online acum.",
        ),
    },
    "politics": {
        "neg": (
            "{inst} mărește taxele și tot ei își dau pensii speciale. Demisia!",
            "Promisiuni din campanie, nimic făcut. Rușine, {inst}!",
        ),
        "neu": (
            "{inst} dezbate azi bugetul pe 2027.",
            "Consiliul Local {city} votează azi proiectul pentru parcările de reședință.",
        ),
        "pos": (
            "În sfârșit o decizie bună de la {inst}, bravo!",
            "Nu e rău că s-a votat transparentizarea salariilor.",
        ),
    },
    "consultations": {
        "neg": (
            "Consultarea publică de la {inst} a fost anunțată cu o zi înainte, o formalitate.",
            "Am trimis propuneri la {inst} și nu a răspuns nimeni.",
        ),
        "neu": (
            "{inst} lansează consultarea publică privind bugetul participativ {city}.",
            "Petiție pentru piste de biciclete în {city}, semnați dacă sunteți de acord.",
        ),
        "pos": (
            "Proiectul din bugetul participativ a fost realizat, mulțumim {inst}!",
            "Nu e rău că {inst} chiar a ținut cont de propunerile cetățenilor.",
        ),
    },
}

# Openers, closers and emoji agree with the sentence's tone, so labels stay consistent.
OPENERS = {
    "neg": ("", "", "", "Iar? ", "Din nou: ", "Oameni buni! ", "Sincer. ", "Vă rog frumos! "),
    "neu": ("", "", "", "Bună ziua! ", "Info: ", "Pentru cine e interesat: "),
    "pos": ("", "", "", "Sincer. ", "Oameni buni! ", "În sfârșit o veste bună: "),
}
CLOSERS = {
    "neg": ("", "", " Rușine!", " Până când?", " Nu se mai poate așa.", " Incredibil.", " Vă rog să rezolvați."),
    "neu": ("", "", " Mulțumesc anticipat.", " Aștept un răspuns."),
    "pos": ("", "", " Mulțumim!", " Bravo!", " Așa da!"),
}
EMOJI = {
    "neg": ("😡", "😢", "🤦", "💩", "😤"),
    "neu": ("🚌", "🏥", "🚧", "📄", "🤔"),
    "pos": ("👍", "👏", "❤️", "🙏", "😊"),
}
QUOTED = ("„Revenim cu un răspuns” – asta ne-au zis.", "Au spus „vedem” – și atât…", "„Se rezolvă” – de un an.")
HEADLINES = (
    "Scandal la spitalul județean din {county}", "Se scumpesc apa și căldura în {county}",
    "Lucrări de asfaltare blocate în {county}", "Cozi la pașapoarte în {county}",
    "Gunoiul nu se ridică în mai multe localități din {county}", "Noi autobuze electrice în {county}",
    "Controale ANAF la firmele din {county}", "Pensiile recalculate întârzie în {county}",
    "Școli fără autorizație ISU în {county}", "Parcări de reședință: ce se schimbă în {county}",
    "Consultare publică pentru bugetul județului {county}", "Fermierii din {county} așteaptă subvențiile APIA",
)

HASHTAGS = {
    "health": "sanatate", "education": "educatie", "public_transport": "transportpublic", "roads": "drumuri",
    "environment": "mediu", "utilities": "apacalda", "taxes": "ANAF", "pensions_social": "pensii",
    "jobs_prices": "scumpiri", "safety": "siguranta", "justice_corruption": "coruptie",
    "paperwork_queues": "birocratie", "digital_services": "ghiseulro", "urbanism_parking": "parcari",
    "culture_sport": "cultura", "agriculture": "APIA", "diaspora": "diaspora", "politics": "politica",
    "consultations": "consultarepublica",
}

OFFICIAL_REPLIES = (
    "Bună ziua! Vă rugăm să ne transmiteți detaliile în mesaj privat pentru a verifica situația.",
    "Vă mulțumim pentru sesizare. Am transmis-o compartimentului de specialitate.",
    "Bună ziua, echipele noastre intervin în cursul zilei de azi. Ne cerem scuze pentru neplăcere.",
    "Pentru sesizări vă rugăm să folosiți și numărul unic 0800 800 800 sau formularul de pe site.",
    "Problema a fost remediată. Vă mulțumim pentru răbdare!",
)

CAMPAIGNS = (
    "Cerem demisia conducerii {inst}! Distribuie și semnează petiția #demisia",
    "Spunem NU scumpirii biletelor în {city}! Distribuiți ca să afle toată lumea #nuscumpirii",
    "Salvați parcul din {city}! Nu lăsați să se construiască blocuri în locul lui #salvatiparcul",
)

FOREIGN = (
    ("hu", "A kórházban órákig kellett várni, senki sem segített."),
    ("hu", "Köszönjük a polgármesteri hivatalnak az új parkot!"),
    ("en", "Waited three hours at the passport office in {city}, absolutely ridiculous."),
    ("en", "Great job by the firefighters today, thank you!"),
    ("ru", "Почему в {city} опять нет горячей воды? Сколько можно ждать?"),
    ("ro", "Ынтрерупере де курент ын {city} де трей зиле."),  # Moldovan Cyrillic
)
EMOJI_ONLY = ("😡😡😡", "👍👍", "🤦‍♂️🤦‍♂️", "🙏❤️", "💩💩💩")

FIRST_NAMES = (
    "Andrei", "Maria", "Ion", "Elena", "Mihai", "Ana", "Alexandru", "Ioana", "Cristian", "Gabriela", "Vasile",
    "Mihaela", "Florin", "Daniela", "Bogdan", "Raluca", "Sorin", "Alina", "Radu", "Cristina", "Dan", "Roxana",
    "Ștefan", "Oana", "Lucian", "Adriana", "Gheorghe", "Larisa", "Tudor", "Bianca", "Attila", "Zsófia",
)
LAST_NAMES = (
    "Popescu", "Ionescu", "Popa", "Pop", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei", "Ciobanu",
    "Rusu", "Munteanu", "Florea", "Constantin", "Moldovan", "Dinu", "Mureșan", "Lungu", "Toma", "Barbu",
    "Nagy", "Kovács", "Ștefănescu", "Țurcanu", "Sârbu",
)

# Institutions a complaint about a topic is plausibly addressed to.
TOPIC_INSTITUTIONS: dict[str, tuple[str, ...]] = {
    "health": ("Ministerul Sănătății", "CNAS", "DSP {county}", "Spitalul Județean {city}", "CAS {county}"),
    "education": ("Ministerul Educației", "Inspectoratul Școlar {county}", "Primăria {city}"),
    "public_transport": ("regia de transport din {city}", "Primăria {city}", "CFR Călători",
                         "Ministerul Transporturilor"),
    "roads": ("CNAIR", "Primăria {city}", "Consiliul Județean {county}", "Ministerul Transporturilor"),
    "environment": ("operatorul de salubritate din {city}", "Garda de Mediu", "Primăria {city}",
                    "Ministerul Mediului"),
    "utilities": ("Primăria {city}", "Consiliul Județean {county}", "ANPC"),
    "taxes": ("ANAF", "Ministerul Finanțelor", "Primăria {city}"),
    "pensions_social": ("Casa de Pensii", "Casa de Pensii {county}", "ANPIS", "DGASPC {county}",
                        "Ministerul Muncii"),
    "jobs_prices": ("Guvernul", "Ministerul Muncii", "Consiliul Județean {county}", "ANPC"),
    "safety": ("IPJ {county}", "Poliția Locală {city}", "ISU {county}", "Poliția Română"),
    "justice_corruption": ("Ministerul Justiției", "DNA", "Primăria {city}", "Consiliul Județean {county}"),
    "paperwork_queues": ("Evidența Populației {city}", "SPCLEP {city}", "Direcția Pașapoarte", "Prefectura {county}"),
    "digital_services": ("ADR", "ANAF", "Primăria {city}", "Direcția Pașapoarte"),
    "urbanism_parking": ("Primăria {city}", "Poliția Locală {city}", "Consiliul Județean {county}"),
    "culture_sport": ("Primăria {city}", "Consiliul Județean {county}"),
    "agriculture": ("APIA", "Consiliul Județean {county}"),
    "diaspora": ("Ministerul Afacerilor Externe", "Direcția Pașapoarte"),
    "politics": ("Guvernul", "Parlamentul", "Consiliul Județean {county}", "Primăria {city}"),
    "consultations": ("Primăria {city}", "Consiliul Județean {county}", "Guvernul"),
}
