"""The words people type for what the code sets say otherwise: abbreviations, acronyms and lay terms.

Three sources, merged: the curated abbreviations and lay terms below (written by the medcodes team from
common clinical and everyday usage; tests/test_search_regression.py checks a sample of them against the
full release), the abbreviations the data spells out itself, "Non-ST elevation (NSTEMI) myocardial
infarction", harvested at build time by ``harvest()``, and the vocabularies' rewrites the build stored (a
name whose concept links to no code, read as the concept's label). Then the code sets' own short forms, read
off their short titles (``short_forms``: "malig" malignant), for a word none of those carries. Last, for a word
none of those carries and the index does not hold, the initialisms of the data's condition names
(``initialisms``: "ivh"). A key may be a phrase of up to four words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from medcodes.search import compounds, initialisms, lay_words, operation_verbs, short_forms, site_adjectives
from medcodes.search.ranking import DEFAULT, Ranking
from medcodes.search.text import tokens
from medcodes.store.sqlite import SQLiteStore

BLOB = "abbreviations-1"
# The engine reads typed phrases of up to this many words.
MAX_PHRASE_WORDS = 4
# Vocabularies whose rewrites are lay names of a clinical label: the Human Phenotype Ontology's ``layperson``
# synonyms (``sources.hpo``), read even where the code sets use every word of them (``load``).
LAY_SOURCES = frozenset({"hpo"})

# abbreviation (lower case) -> the phrases it stands for, most common first.
CURATED: dict[str, tuple[str, ...]] = {
    "mi": ("myocardial infarction",),
    "ami": ("acute myocardial infarction",),
    "stemi": ("st elevation myocardial infarction",),
    "nstemi": ("non st elevation myocardial infarction",),
    "cad": ("coronary artery disease", "atherosclerotic heart disease"),
    "chf": ("congestive heart failure",),
    "hf": ("heart failure",),
    "afib": ("atrial fibrillation",),
    "af": ("atrial fibrillation",),
    "htn": ("hypertension",),
    "hbp": ("hypertension", "high blood pressure"),
    "dvt": ("deep vein thrombosis",),
    "pe": ("pulmonary embolism",),
    "cva": ("cerebral infarction", "stroke"),
    "tia": ("transient ischemic attack",),
    "copd": ("chronic obstructive pulmonary disease",),
    "uri": ("upper respiratory infection",),
    "uti": ("urinary tract infection",),
    "dm": ("diabetes mellitus",),
    "t2dm": ("type 2 diabetes mellitus",),
    "t1dm": ("type 1 diabetes mellitus",),
    "ckd": ("chronic kidney disease",),
    "esrd": ("end stage renal disease",),
    "aki": ("acute kidney failure",),
    "gerd": ("gastro esophageal reflux disease",),
    "ibs": ("irritable bowel syndrome",),
    "ibd": ("inflammatory bowel disease",),
    "bph": ("benign prostatic hyperplasia",),
    "osa": ("obstructive sleep apnea",),
    "adhd": ("attention deficit hyperactivity disorder",),
    "ptsd": ("post traumatic stress disorder",),
    "ocd": ("obsessive compulsive disorder",),
    "tbi": ("traumatic brain injury",),
    "loc": ("loss of consciousness",),
    "ra": ("rheumatoid arthritis",),
    "oa": ("osteoarthritis",),
    "sle": ("systemic lupus erythematosus",),
    "ms": ("multiple sclerosis",),
    "als": ("amyotrophic lateral sclerosis",),
    "hiv": ("human immunodeficiency virus",),
    "aids": ("human immunodeficiency virus disease",),
    "tb": ("tuberculosis",),
    "fx": ("fracture",),
    "lac": ("laceration",),
    "cabg": ("coronary artery bypass",),
    "ptca": ("percutaneous transluminal coronary angioplasty", "dilation of coronary artery"),
    "egd": ("esophagogastroduodenoscopy", "inspection of upper intestinal tract"),
    "ercp": ("endoscopic retrograde cholangiopancreatography", "fluoroscopy of biliary and pancreatic ducts"),
    "hsg": ("hysterosalpingography", "fluoroscopy of fallopian tubes"),
    "iud": ("intrauterine contraceptive device", "intrauterine device", "contraceptive device into uterus"),
    "ct": ("computerized tomography", "ct scan"),
    "cat": ("computerized tomography",),
    "mri": ("magnetic resonance imaging",),
    "pet": ("positron emission tomography",),
    "ekg": ("electrocardiogram",),
    "ecg": ("electrocardiogram",),
    "eeg": ("electroencephalogram",),
    "tka": ("total knee replacement", "replacement of knee joint"),
    "tha": ("total hip replacement", "replacement of hip joint"),
    "orif": ("open reduction internal fixation",),
    "dme": ("durable medical equipment",),
    "cpap": ("continuous positive airway pressure",),
    "bipap": ("bilevel positive airway pressure",),
    "tpn": ("parenteral nutrition",),
    "picc": ("peripherally inserted central catheter", "insertion of infusion device into superior vena cava"),
    "ivf": ("in vitro fertilization",),
    "csection": ("cesarean",),
    "dnc": ("dilation and curettage",),
    "lbp": ("low back pain",),
    "sob": ("shortness of breath",),
    "acl": ("anterior cruciate ligament",),
    # Clinical shorthand on charts and referrals.
    "dm2": ("type 2 diabetes mellitus",),
    "dm 2": ("type 2 diabetes mellitus",),
    "dm1": ("type 1 diabetes mellitus",),
    "niddm": ("type 2 diabetes mellitus",),
    "iddm": ("type 1 diabetes mellitus",),
    "dka": ("diabetic ketoacidosis", "diabetes mellitus with ketoacidosis"),
    "gdm": ("gestational diabetes mellitus",),
    "hld": ("hyperlipidemia",),
    "a fib": ("atrial fibrillation",),
    "a flutter": ("atrial flutter",),
    "svt": ("supraventricular tachycardia",),
    "v tach": ("ventricular tachycardia",),
    "lbbb": ("left bundle branch block",),
    "rbbb": ("right bundle branch block",),
    "aaa": ("abdominal aortic aneurysm",),
    "pvd": ("peripheral vascular disease",),
    "ards": ("acute respiratory distress syndrome",),
    "pna": ("pneumonia",),
    "sids": ("sudden infant death syndrome",),
    "sah": ("subarachnoid hemorrhage",),
    "sdh": ("subdural hemorrhage",),
    "ich": ("intracerebral hemorrhage",),
    "pud": ("peptic ulcer disease", "peptic ulcer"),
    "sbo": ("small bowel obstruction", "intestinal obstruction"),
    "uc": ("ulcerative colitis",),
    "gi bleed": ("gastrointestinal hemorrhage",),
    "gi bleeding": ("gastrointestinal hemorrhage",),
    "hep a": ("hepatitis a",),
    "hep b": ("hepatitis b",),
    "hep c": ("hepatitis c",),
    "mdd": ("major depressive disorder",),
    "gad": ("generalized anxiety disorder",),
    "oud": ("opioid dependence", "opioid use disorder"),
    "aud": ("alcohol dependence", "alcohol use disorder"),
    "pih": ("gestational hypertension", "pregnancy induced hypertension"),
    "prom": ("premature rupture of membranes",),
    "iugr": ("intrauterine growth restriction", "poor fetal growth"),
    "nsvd": ("full term uncomplicated delivery", "delivery of products of conception"),
    "fb": ("foreign body",),
    "hx": ("history", "personal history"),
    "bx": ("excision diagnostic", "biopsy"),
    "abd": ("abdominal", "abdomen"),
    "n v": ("nausea with vomiting",),
    "cxr": ("plain radiography of chest", "chest x ray"),
    "kub": ("plain radiography of kidneys ureters and bladder",),
    "echo": ("echocardiography", "ultrasonography of heart"),
    "tte": ("transthoracic echocardiography", "ultrasonography of heart"),
    "tee": ("transesophageal echocardiography", "ultrasonography of heart"),
    "turp": ("transurethral resection of prostate", "resection of prostate via natural or artificial opening"),
    "tah": ("total abdominal hysterectomy", "resection of uterus"),
    "bso": (
        "bilateral salpingo oophorectomy",
        "resection of bilateral ovaries",
        "resection of bilateral fallopian tubes",
    ),
    "picc line": ("peripherally inserted central catheter", "insertion of infusion device into superior vena cava"),
    "lap chole": ("laparoscopic cholecystectomy", "resection of gallbladder percutaneous endoscopic"),
    "mcl": ("medial collateral ligament",),
    "ha": ("headache",),
    # The sides as notes write them ("lt knee pain", "rt shoulder", "bilat"): the abbreviation list reads LT and RT
    # only as liver transplantation, radiation therapy and the like, which stay as later readings.
    "lt": ("left",),
    "rt": ("right",),
    "bilat": ("bilateral",),
}

# Everyday words -> the words the code sets use. Kept to unambiguous pairs; each value is an alternative
# the engine also tries, never a replacement for what was typed.
LAY_TERMS: dict[str, tuple[str, ...]] = {
    "broken": ("fracture",),
    "break": ("fracture",),
    "fractured": ("fracture",),
    "tumor": ("neoplasm",),
    "cancer": ("malignant neoplasm",),
    "bleeding": ("hemorrhage",),
    "bleed": ("hemorrhage",),
    "swelling": ("edema",),
    "itching": ("pruritus",),
    "itchy": ("pruritus",),
    "fainting": ("syncope",),
    "nosebleed": ("epistaxis",),
    "bedwetting": ("enuresis",),
    "bed wetting": ("enuresis",),
    "pink eye": ("conjunctivitis",),
    "pinkeye": ("conjunctivitis",),
    "strep throat": ("streptococcal pharyngitis",),
    "heart attack": ("acute myocardial infarction", "myocardial infarction"),
    "high blood pressure": ("hypertension",),
    "low blood pressure": ("hypotension",),
    "high cholesterol": ("hypercholesterolemia",),
    "kidney stone": ("calculus of kidney",),
    "gallstone": ("calculus of gallbladder", "cholelithiasis"),
    "gallbladder removal": ("cholecystectomy", "resection of gallbladder"),
    "stomach flu": ("gastroenteritis",),
    "stool": ("feces",),
    "lower back": ("low back",),
    "attack": ("exacerbation",),
    # Supplies and treatments by their everyday words: HCPCS says "orthosis", the codes "injection" and "vaccine".
    "brace": ("orthosis",),
    "shot": ("injection", "vaccine"),
    # Injuries as people say them.
    "twisted": ("sprain",),
    "pulled": ("strain",),
    "bug bite": ("insect bite",),
    "walking pneumonia": ("mycoplasma pneumonia", "pneumonia due to mycoplasma pneumoniae"),
    "chickenpox": ("varicella",),
    "shingles": ("zoster",),
    "whooping cough": ("pertussis",),
    "german measles": ("rubella",),
    "lazy eye": ("amblyopia",),
    "cross eyed": ("strabismus",),
    "hay fever": ("allergic rhinitis",),
    "cold sore": ("herpesviral vesicular dermatitis",),
    "water pill": ("diuretic",),
    "blood thinner": ("anticoagulant",),
    "x ray": ("radiography", "plain radiography"),
    "xray": ("radiography", "plain radiography"),
    "removal": ("excision", "resection", "extraction"),
    "remove": ("excision", "resection", "extraction"),  # before ICD-10-PCS's "Removal" of a device (operation_verbs)
    "tube test for infertility": ("hysterosalpingography", "fluoroscopy of fallopian tubes"),
    "tubes tied": ("occlusion of fallopian tubes", "sterilization"),
    "womb": ("uterus",),
    "belly": ("abdomen", "abdominal"),
    "belly button": ("umbilical", "umbilicus"),
    "navel": ("umbilical", "umbilicus"),
    # Conditions by the names patients use.
    "sugar diabetes": ("diabetes mellitus", "type 2 diabetes mellitus"),
    "high blood sugar": ("hyperglycemia",),
    "low blood sugar": ("hypoglycemia",),
    "chicken pox": ("varicella",),
    "common cold": ("acute nasopharyngitis",),
    "head cold": ("acute nasopharyngitis",),
    "bladder infection": ("cystitis",),
    "ear infection": ("otitis media",),
    "swimmers ear": ("otitis externa",),
    "swimmer's ear": ("otitis externa",),
    "sinus infection": ("sinusitis",),
    "ear wax": ("impacted cerumen", "cerumen"),
    "ringing in the ears": ("tinnitus",),
    "ringing in ears": ("tinnitus",),
    "mini stroke": ("transient cerebral ischemic attack",),
    "stroke": ("cerebral infarction",),
    "blood clot": ("thrombosis", "embolism"),
    "hardening of the arteries": ("atherosclerosis",),
    "enlarged heart": ("cardiomegaly",),
    "heart murmur": ("cardiac murmur",),
    "irregular heartbeat": ("cardiac arrhythmia",),
    "collapsed lung": ("pneumothorax",),
    "water on the knee": ("effusion knee",),
    "slipped disc": ("intervertebral disc displacement",),
    "herniated disc": ("intervertebral disc displacement",),
    "bulging disc": ("intervertebral disc displacement",),
    "pinched nerve": ("radiculopathy", "nerve compression"),
    "frozen shoulder": ("adhesive capsulitis of shoulder",),
    "golfers elbow": ("medial epicondylitis",),
    "golfer's elbow": ("medial epicondylitis",),
    "hip fracture": ("fracture of neck of femur",),
    "broken hip": ("fracture of neck of femur",),
    "whiplash": ("sprain of ligaments of cervical spine",),
    "bunion": ("hallux valgus",),
    "ingrown toenail": ("ingrowing nail",),
    "athletes foot": ("tinea pedis",),
    "athlete's foot": ("tinea pedis",),
    "ringworm": ("tinea", "dermatophytosis"),
    "hives": ("urticaria",),
    "piles": ("hemorrhoids",),
    "black eye": ("contusion of eyelid and periocular area",),
    "stye": ("hordeolum",),
    "nearsighted": ("myopia",),
    "farsighted": ("hypermetropia",),
    "lockjaw": ("tetanus",),
    "bed sore": ("pressure ulcer",),
    "bedsore": ("pressure ulcer",),
    "pressure sore": ("pressure ulcer",),
    "head lice": ("pediculosis due to pediculus humanus capitis",),
    "food poisoning": ("foodborne intoxication",),
    "heat stroke": ("heatstroke and sunstroke",),
    "low thyroid": ("hypothyroidism",),
    "underactive thyroid": ("hypothyroidism",),
    "overactive thyroid": ("hyperthyroidism", "thyrotoxicosis"),
    "runny nose": ("rhinorrhea",),
    "stuffy nose": ("nasal congestion",),
    "bad breath": ("halitosis",),
    "tooth decay": ("dental caries",),
    "gum disease": ("periodontitis", "gingivitis"),
    "stomach ache": ("abdominal pain",),
    "tummy ache": ("abdominal pain",),
    "belly ache": ("abdominal pain",),
    "joint pain": ("arthralgia", "pain in joint"),
    "muscle pain": ("myalgia",),
    "pins and needles": ("paresthesia",),
    "morning sickness": ("vomiting of pregnancy", "hyperemesis gravidarum"),
    "miscarriage": ("spontaneous abortion",),
    "birth control": ("contraception", "contraceptive"),
    "alcoholism": ("alcohol dependence",),
    # Encounters, tests and procedures by the names patients use.
    "physical exam": ("general adult medical examination", "general medical examination"),
    "annual physical": ("general adult medical examination",),
    "checkup": ("general adult medical examination", "routine child health examination"),
    "check up": ("general adult medical examination", "routine child health examination"),
    "flu shot": ("influenza virus vaccine", "influenza vaccine"),
    "flu vaccine": ("influenza virus vaccine",),
    "pap smear": ("papanicolaou smear", "screening papanicolaou", "cervical smear"),
    "pap test": ("papanicolaou smear", "screening papanicolaou"),
    "mammogram": ("mammography",),
    "ultrasound": ("ultrasonography",),
    "spinal tap": ("lumbar puncture", "drainage of spinal canal"),
    "biopsy": ("excision diagnostic", "drainage diagnostic"),
    "c section": ("cesarean", "extraction of products of conception"),
    "cesarean section": ("cesarean", "extraction of products of conception"),
    "hip replacement": ("replacement of hip joint",),
    "knee replacement": ("replacement of knee joint",),
    "cataract surgery": ("extraction of lens", "replacement of lens"),
    "wisdom teeth": ("tooth",),
    "wisdom tooth": ("tooth",),
    "circumcision": ("resection of prepuce",),
    "heart bypass": ("coronary artery bypass", "bypass coronary artery"),
    "kidney dialysis": ("hemodialysis", "dialysis"),
    # Surgical approaches as ICD-10-PCS names them.
    "laparoscopic": ("percutaneous endoscopic",),
    "arthroscopic": ("percutaneous endoscopic",),
    "thoracoscopic": ("percutaneous endoscopic",),
    "endoscopic": ("via natural or artificial opening endoscopic", "percutaneous endoscopic"),
    # ICD-9-CM's wording for what ICD-10-CM says plainly.
    "without mention of": ("without",),
    "with mention of": ("with",),
}

# The classifications' conventional qualifiers: they say a code is a residual category, not what it is
# about, so a title without them is hardly a worse match (``Ranking.qualifier``).
QUALIFIERS: frozenset[str] = frozenset(
    {
        "not elsewhere classified",
        "nec",
        "not otherwise specified",
        "nos",
        # ICD-9-CM's conventions, for people (and crosswalks) carrying old titles over.
        "not stated as uncontrolled",
        "episode of care",
        "or not applicable",
        # The obstetric fifth digits' episodes of care, which ICD-10-CM says with trimesters and "complicating
        # the puerperium" instead ("delivered, with or without mention of antepartum condition").
        "with or without",
        "antepartum condition or complication",
        "postpartum condition or complication",
    }
)

# Words that join the others ("fracture of radius", "screening for"): they count little beside a word that
# names something, whatever their frequency in the data makes their idf ("for" is rarer than "unspecified")
# (``Ranking.function_word``).
FUNCTION_WORDS: frozenset[str] = frozenset(
    ("a", "an", "the", "of", "for", "to", "by", "in", "on", "at", "and", "or", "from", "as", "into", "its")
)

# Words that mark a residual category rather than name a thing ("other", "unspecified", "part")
# (``Ranking.residual_word``).
RESIDUAL_WORDS: frozenset[str] = frozenset(("other", "unspecified", "specified", "part", "parts", "site", "sites"))
# The residual words that say which case of a category is meant (a query saying one reads no residual prior).
RESIDUAL_CASE: frozenset[str] = frozenset(("other", "unspecified", "specified"))


def weight(phrase: str, ranking: Ranking = DEFAULT) -> float:
    """How much a typed word or phrase (normalised) counts beside a word that names something (1)."""
    if phrase in QUALIFIERS:
        return ranking.qualifier
    if phrase in FUNCTION_WORDS:
        return ranking.function_word
    return ranking.residual_word if phrase in RESIDUAL_WORDS else 1.0


# "<words> (ABBR)", also with a type numeral on both sides: "Complex regional pain syndrome I (CRPS I)".
_PARENTHESISED = re.compile(r"([A-Za-z][A-Za-z ,'-]{2,80}?)\s*\(([A-Z][A-Z0-9]{1,7})(?: ([IV]{1,3}))?\)")


def harvest(texts: Iterable[str]) -> dict[str, set[str]]:
    """Abbreviations the data spells out: "<words> (ABBR)" where ABBR's letters start the last words.

    "Chronic obstructive pulmonary disease (COPD)" -> {"copd": {"chronic obstructive pulmonary disease"}}
    """
    found: dict[str, set[str]] = {}
    for text in texts:
        if "(" not in text:
            continue
        for match in _PARENTHESISED.finditer(text):
            words = tokens(match.group(1))
            letters = match.group(2).lower()
            numeral = match.group(3)
            if numeral is not None:
                if not words or words[-1] != numeral.lower():
                    continue
                words = words[:-1]
            if len(letters) < 2 or len(words) < len(letters) - 1:
                continue
            initials = "".join(w[0] for w in words)
            # Initials of the last len(letters) words (or one fewer, for "N-terminal ... (NT-proBNP)"-like).
            for size in (len(letters), len(letters) - 1):
                if size >= 2 and initials[-size:] == letters[:size]:
                    found.setdefault(letters, set()).add(" ".join(words[-size:]))
                    break
    return found


def save(store: SQLiteStore) -> None:
    """Build-time step: harvest the data's own abbreviations and keep them in the store."""
    found = harvest(text for _, _, _, text in store.designation_rows())
    store.put_word_lists(BLOB, {k: sorted(v) for k, v in sorted(found.items())})


def _written_short(name: str) -> bool:
    """Written as an abbreviation: in capitals ("AAA"), a capital and a small letter ("Na", "Fx"), one word with
    a capital after its first letter ("EtOH", "HFpEF", "PrEP"; not "Double-Jointed"), or letters or two joined by
    slashes, as notes write them in either case ("h/o": history of, "S/P", "c/w")."""
    if name.isupper() or (len(name) == 2 and name[0].isupper() and name[1].islower()):
        return True
    if _SLASHED.fullmatch(name):
        return True
    return name.isalnum() and any(c.isupper() for c in name[1:])


# One or two letters, a slash, one or two letters, and so on: "h/o", "s/p", "c/w", "A/P".
_SLASHED = re.compile(r"[A-Za-z]{1,2}(?:/[A-Za-z]{1,2})+")


def load(
    store: SQLiteStore,
    is_word: Callable[[str], bool] | None = None,
    starts_word: Callable[[str], bool] | None = None,
) -> dict[str, tuple[str, ...]]:
    """The curated list merged with the harvested one, the indexes' readings (``SQLiteStore.readings``), the sites'
    adjectives (``site_adjectives``), the main terms' longer words (``compounds``), the operations' verbs
    (``operation_verbs``), the lay words (``lay_words``), the vocabularies' rewrites, the short forms and the
    initialisms (in that order).

    A rewrite stands for a name the code sets do not say: with ``is_word`` (whether the index holds a word), a
    rewrite whose every word the code sets use is left out, unless it is written as an abbreviation or is a lay
    name (``LAY_SOURCES``). Such names match codes by their own words, and the vocabularies' rewrites of them
    mostly broaden or narrow them ("disorders" -> "Disease or Disorder", "nervous system" -> "Nervous System
    Finding"); a lay name says in everyday words what its label says in the clinical one ("yellow skin" ->
    "Jaundice", "sinus inflammation" -> "Sinusitis"), and its words alone find what else says them ("Prolonged
    yellowing of skin in newborn", the neonatal jaundice). A lay name is read without its joining words too
    ("yellowing of the skin" as `yellowing skin`).

    An initialism (``initialisms``) is read only where nothing else says what the word is: it is none of the
    keys before it, and with ``starts_word`` (whether the index holds a word starting so) no word the index
    holds nor the start of one (a word cut short, "hyp", is read as such).
    """
    merged = {" ".join(tokens(k)): list(v) for k, v in (*CURATED.items(), *LAY_TERMS.items())}
    harvested = store.get_word_lists(BLOB)
    rewrites: dict[str, list[str]] = {}
    for name, label, source in store.rewrite_sources():
        words = tokens(name)
        # A name written as an abbreviation (``_written_short``: "AAA", "Na", "EtOH") stands for its meaning even
        # where its letters spell a word of the code sets, as does a lay name (``LAY_SOURCES``).
        if (
            is_word is not None
            and not _written_short(name)
            and source not in LAY_SOURCES
            and all(is_word(w) for w in words)
        ):
            continue
        meant = " ".join(tokens(label))
        rewrites.setdefault(" ".join(words), []).append(meant)
        if source in LAY_SOURCES:  # said without its joining words too ("yellowing of the skin": `yellowing skin`)
            bare = [w for w in words if w not in FUNCTION_WORDS]
            if 1 < len(bare) < len(words):
                rewrites.setdefault(" ".join(bare), []).append(meant)
    # What the indexes read a word as (``SQLiteStore.readings``: "overdose" -> "poisoning") is the data's own, as are
    # the noun a site's adjective is read as (``site_adjectives``: "penile" -> "penis") and the longer word a main
    # term's code says (``compounds``: "arthritis" -> "osteoarthritis"), the ICD-10-PCS operation a verb names
    # (``operation_verbs``: "transplant" -> "transplantation") and the word the code sets say where the vocabularies'
    # lay names say one they never write (``lay_words``: "collarbone" -> "clavicle").
    readings = (
        store.readings(),
        site_adjectives.load(store),
        compounds.load(store),
        operation_verbs.load(store),
        lay_words.load(store),
    )
    for found in (harvested, *readings, rewrites):
        for abbreviation, phrases in found.items():
            if not abbreviation or len(abbreviation.split()) > MAX_PHRASE_WORDS:
                continue
            known = merged.setdefault(abbreviation, [])
            known += [p for p in phrases if p and p not in known and p != abbreviation]
    for key, words in short_forms.load(store).items():
        if not merged.get(key):
            merged[key] = words
    if starts_word is not None:
        for key, names in initialisms.load(store).items():
            if not merged.get(key) and not starts_word(key):
                merged[key] = names
    return {k: tuple(v) for k, v in merged.items() if v}
