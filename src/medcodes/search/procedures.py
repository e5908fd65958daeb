"""Procedure names built from Greek and Latin parts, said the way ICD-10-PCS titles say them.

People name a procedure by a combining form and a suffix ("appendectomy", "colonoscopy", "salpingo-
oophorectomy"); ICD-10-PCS titles name the root operation and the body part ("Resection of Appendix",
"Inspection of Lower Intestinal Tract, Via Natural or Artificial Opening Endoscopic"). The official PCS Index
bridges the two, but a release folder may not hold it. This module reads such a word as its parts and offers
the PCS wording as alternatives to the word typed (never instead of it):

    appendectomy    -> "resection appendix", "excision appendix"
    colonoscopy     -> "inspection colon endoscopic", "inspection lower intestinal tract endoscopic"
    cholecystectomy -> "resection gallbladder", "excision gallbladder"

Both lists are written by the team from the PCS root-operation definitions and body-part values; a word is
read only when it ends in a known suffix and what precedes it is one or more known combining forms, each
optionally followed by the linking vowel ("esophago-gastro-duodeno-scopy").
"""

from __future__ import annotations

from functools import lru_cache

from medcodes.search.text import singular

# Suffix -> the PCS wording of the operation, "{}" standing for the body part (the first the likeliest). A
# "-scopy" is an inspection through an endoscope, which the titles say as the approach.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "ectomy": ("resection {}", "excision {}"),
    "ostomy": ("bypass {}",),
    "otomy": ("drainage {}", "division {}"),
    "scopy": ("inspection {} endoscopic",),
    "plasty": ("repair {}", "replacement {}", "supplement {}"),
    "pexy": ("reposition {}",),
    "rrhaphy": ("repair {}",),
    "lysis": ("release {}",),
    "tripsy": ("fragmentation {}",),
    "centesis": ("drainage {}",),
    "desis": ("fusion {}",),
    "graphy": ("fluoroscopy {}", "plain radiography {}"),
    "gram": ("fluoroscopy {}", "plain radiography {}"),
}

# Combining form -> the body part as PCS titles name it (alternatives, the first the likeliest).
FORMS: dict[str, tuple[str, ...]] = {
    "adenoid": ("adenoids",),
    "adrenal": ("adrenal gland",),
    "amnio": ("amniotic fluid",),
    "append": ("appendix",),
    "appendic": ("appendix",),
    "arteri": ("artery",),
    "arthr": ("joint",),
    "blephar": ("eyelid",),
    "bronch": ("bronchus", "tracheobronchial tree"),
    "cardi": ("heart",),
    "cervic": ("cervix",),
    "chol": ("gallbladder", "bile duct"),
    "cholecyst": ("gallbladder",),
    "choledoch": ("common bile duct",),
    "col": ("colon", "lower intestinal tract"),
    "colon": ("colon", "lower intestinal tract"),
    "colp": ("vagina",),
    "crani": ("skull",),
    "cyst": ("bladder",),
    "disc": ("intervertebral disc",),
    "disk": ("intervertebral disc",),
    "duoden": ("duodenum", "upper intestinal tract"),
    "enter": ("small intestine",),
    "episi": ("perineum",),
    "esophag": ("esophagus", "upper intestinal tract"),
    "gastr": ("stomach", "upper intestinal tract"),
    "gingiv": ("gingiva",),
    "gloss": ("tongue",),
    "hepat": ("liver",),
    "hyster": ("uterus",),
    "ile": ("ileum",),
    "irid": ("iris",),
    "jejun": ("jejunum",),
    "kerat": ("cornea",),
    "lapar": ("peritoneal cavity", "abdominal wall"),
    "laryng": ("larynx",),
    "lob": ("lung lobe",),
    "mamm": ("breast",),
    "mast": ("breast",),
    "mastoid": ("mastoid sinus",),
    "myring": ("tympanic membrane",),
    "nephr": ("kidney",),
    "oophor": ("ovary",),
    "orchi": ("testis",),
    "orchid": ("testis",),
    "pancreat": ("pancreas",),
    "parathyroid": ("parathyroid gland",),
    "pericardi": ("pericardium", "pericardial cavity"),
    "phleb": ("vein",),
    "pleur": ("pleura", "pleural cavity"),
    "pneum": ("lung",),
    "pneumon": ("lung",),
    "proct": ("rectum",),
    "prostat": ("prostate",),
    "pyel": ("kidney pelvis",),
    "rect": ("rectum",),
    "rhin": ("nasal",),
    "salping": ("fallopian tube",),
    "sept": ("nasal septum",),
    "sigmoid": ("sigmoid colon",),
    "splen": ("spleen",),
    "thora": ("pleural cavity",),
    "thorac": ("pleural cavity", "chest wall"),
    "thyroid": ("thyroid gland",),
    "tonsill": ("tonsils",),
    "trache": ("trachea",),
    "tympan": ("tympanic membrane",),
    "ureter": ("ureter",),
    "urethr": ("urethra",),
    "vas": ("vas deferens",),
    "ven": ("vein",),
    "vitr": ("vitreous",),
}

_LINKING = "oi"  # linking vowels between parts: "colon-o-scopy", "arthr-o-desis", "salping-o-"
_MOST_PARTS = 3
_MOST_ALTERNATIVES = 6


def _forms(stem: str, parts: int = _MOST_PARTS) -> list[list[str]] | None:
    """``stem`` read as one or more combining forms (each with an optional linking vowel), longest first."""
    if not stem:
        return []
    if parts == 0:
        return None
    for end in range(len(stem), 1, -1):
        form = stem[:end]
        if form not in FORMS:
            continue
        rest = stem[end:]
        if rest[:1] and rest[0] in _LINKING:
            tail = _forms(rest[1:], parts - 1)
            if tail is not None:
                return [[form], *tail]
        tail = _forms(rest, parts - 1)
        if tail is not None:
            return [[form], *tail]
    return None


@lru_cache(maxsize=4096)
def expand(word: str) -> tuple[str, ...]:
    """The PCS wordings of a procedure name made of parts ("appendectomy" -> "resection appendix", ...)."""
    word = singular(word)
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if not word.endswith(suffix) or len(word) <= len(suffix) + 1:
            continue
        stem = word[: -len(suffix)]
        if stem[-1:] in _LINKING and stem[:-1] in FORMS:
            stem = stem[:-1]
        found = _forms(stem)
        if not found:
            return ()
        # The last part names the body part operated on ("esophago-gastro-duodeno-scopy": the duodenum, and
        # the upper intestinal tract it shares with the others).
        body_parts = FORMS[found[-1][0]]
        out = [operation.format(part) for operation in SUFFIXES[suffix] for part in body_parts]
        return tuple(dict.fromkeys(out))[:_MOST_ALTERNATIVES]
    return ()


def body_part(word: str) -> tuple[str, ...]:
    """A combining form typed alone with its linking vowel ("salpingo-", "oophoro-"): the body part it names."""
    if len(word) > 3 and word[-1] in _LINKING and word[:-1] in FORMS:
        return FORMS[word[:-1]]
    return ()
