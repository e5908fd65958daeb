"""Words as the engine compares them: folded, split, and spelled one way.

The same functions run over every designation at build time and over every query, so that a word
typed one way finds a title written another: accents and case are folded, British spellings are mapped
to the American ones the US code sets use (haemorrhage -> hemorrhage, oesophagus -> esophagus, tumour
-> tumor, centre -> center), and plurals are reduced for exact matching (injuries -> injury).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# British -> American spelling, applied to single lower-case words. Each rule is a regex and its
# replacement; they are applied in order. They were written from the spelling differences between WHO
# ICD-10 and ICD-10-CM titles (WHO writes British English).
_SPELLING: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^oe(?=[a-z]{3})", "e"),  # oesophagus, oedema, oestrogen
        (r"(?<=[a-z])oe(?=a)", "e"),  # diarrhoea, dyspnoea, apnoea, gonorrhoea
        (r"(?<=[a-z])oedem", "edem"),  # lymphoedema, myxoedema
        (r"rrhoe", "rrhe"),  # seborrhoeic, haemorrhoeal
        (r"homoeo", "homeo"),  # homoeopathic
        (r"amoeb", "ameb"),  # amoeba, amoebiasis
        (r"foet", "fet"),  # foetus, foetal
        (r"coel(?=ia)", "cel"),  # coeliac
        (r"(?<=[a-z])ae(?=[a-z])", "e"),  # haemorrhage, anaemia, caecum, paediatric, leukaemia
        (r"^aet", "et"),  # aetiology
        (r"(?<=[a-z]{3})our(?=(al|ally|ed|ing|able|ite|ites|s)?$)", "or"),  # tumour, behavioural, colours
        (r"isation(s?)$", r"ization\1"),  # hospitalisation, immunisation
        (r"(?<=[a-z]{3})is(ed|ing)$", r"iz\1"),  # localised, immunised
        (r"(?<=[a-z]{2})yse(d|s)?$", r"yze\1"),  # analyse, paralysed
        (r"^(cent|fib|lit|met|calib|thea|lus|spec|somb)re(s?)$", r"\1er\2"),  # centre, fibre, litre
        (r"ogue(s?)$", r"og\1"),  # catalogue, analogue
        (r"gramme(s?)$", r"gram\1"),
        (r"sulph", "sulf"),  # sulphate, sulphonamide
        (r"^aluminium$", "aluminum"),
        (r"^grey$", "gray"),
    )
)


@lru_cache(maxsize=65536)
def normalize_word(word: str) -> str:
    """One folded word, spelled as the US code sets spell it."""
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    return word


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _kept(match: re.Match[str]) -> str:
    return "" if unicodedata.combining(match.group()) else match.group()


def fold(text: str) -> str:
    """Lower case with accents removed."""
    return _NON_ASCII.sub(_kept, unicodedata.normalize("NFKD", text)).lower()


# An ASCII text's words are its runs of letters and digits: every other byte is a space, and upper case lower case.
_ASCII_WORDS = bytes(ord(chr(b).lower()) if chr(b).isascii() and chr(b).isalnum() else ord(" ") for b in range(256))


# A sign closing a word: "ER+", "HER2-", "CD4+ cells", "HR+ with HER2-", "O157:H-". The word starts with a letter and
# stands alone (not the end of a code, "S72.0-", nor of a part, "(naso-)gastric"), and the sign ends it.
_CLOSES_WORD = r"(?=$|[\s,;:)\]/])"  # what may follow a sign: the end, a space, a mark, a bracket or a slash
_SIGNED = re.compile(rf"(?<![\w.+\-(])([^\W\d_][^\W_]*)([+-]){_CLOSES_WORD}")
# A minus after a word is most often a hyphen whose word follows later ("two- or three-wheeled", "low- velocity",
# "broncho-,"): it says "negative" only after a short word (a marker: "ER", "HER2", "ALK") where the text ends, a
# bracket or a slash follows, or "with" or another marker's sign ("HR- with HER2+", "er- pr- her2-").
_MARKER_LETTERS = 4
_MINUS_FOLLOWED = re.compile(rf"$|[\])/,;:]|\s+(with\b|[^\W\d_][^\W_]{{0,3}}[+-]{_CLOSES_WORD})")
_SIGN_WORDS = {"+": "positive", "-": "negative"}
_MINUS_CLOSING = re.compile(r"-(?![^\W_])")


def signs(text: str) -> str:
    """The text with a sign that closes a word written as the word it stands for, and as one word joined to it:
    "ER+" is "ER positive ERpositive", "HR- with HER2+" "HR negative HRnegative with HER2 positive HER2positive" (a
    name as the classifications write it, Z17.0, Z17.420, and a query as clinicians type it, `hiv+`). A plus closes
    any word that starts with a letter ("CD4+ cells", "GEFS+"); a minus only a marker's (``_MINUS_FOLLOWED``).
    Without this, "ER+" and "ER-" were one word, and `er+` found the estrogen receptor negative status first. The
    joined word keeps each sign with its marker, which the words alone do not: "HR+ with HER2-" and "HR- with HER2+"
    say the same four words (``sign_joined``)."""
    if "+" not in text and ("-" not in text or _MINUS_CLOSING.search(text) is None):
        return text  # a hyphen between letters ("X-ray") closes no word

    def read(match: re.Match[str]) -> str:
        word, sign = match.group(1), match.group(2)
        if sign == "-" and (len(word) > _MARKER_LETTERS or _MINUS_FOLLOWED.match(text, match.end()) is None):
            return match.group()
        said = _SIGN_WORDS[sign]
        return f"{word} {said} {word}{said}"

    return _SIGNED.sub(read, text)


def sign_joined(words: Sequence[str], position: int) -> bool:
    """Whether ``words[position]`` is the word ``signs`` joins of the two before it ("er", "positive",
    "erpositive"): a query's such word asks for the sign on its marker where a name writes it so, and is no word
    of its own where none does."""
    return (
        position >= 2
        and words[position - 1] in _SIGN_WORDS.values()
        and words[position] == words[position - 2] + words[position - 1]
    )


# A range of numbers a name writes: "40.0-44.9", "9 - 12", "19.9 or less", "less than 500", "70 or greater", "more
# than 36" (not a code's, "E08-E13", nor a vertebra's, "T12-L1").
_NUMBER = r"\d+(?:\.\d+)?"
RANGE = re.compile(
    rf"(?<![\w.])(?:(?P<low>{_NUMBER})\s*-\s*(?P<high>{_NUMBER})(?![\w.]|-\d)"
    rf"|(?P<at_most>{_NUMBER})\s+or\s+less\b|less\s+than\s+(?P<below>{_NUMBER})\b"
    rf"|(?P<at_least>{_NUMBER})\s+or\s+(?:greater|more)\b|(?:greater|more)\s+than\s+(?P<above>{_NUMBER})\b)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_RANGE_WORD = re.compile(r"^\d[\dp]*(?:to\d[\dp]*|atmost|below|atleast|above)$")


def range_word(match: re.Match[str]) -> str:
    """The one word a range is also read as ("40.0-44.9": "40p0to44p9", "19.9 or less": "19p9atmost"): its words
    alone ("40", "0", "44", "9") would match a name that says them apart, and "9 or more" every "9-12 ... 24 hours
    or more"."""
    low, high, at_most, below, at_least, above = match.group("low", "high", "at_most", "below", "at_least", "above")
    if low is not None and high is not None:
        word = f"{low}to{high}"
    elif at_most is not None:
        word = f"{at_most}atmost"
    elif below is not None:
        word = f"{below}below"
    elif at_least is not None:
        word = f"{at_least}atleast"
    else:
        word = f"{above}above"
    return word.replace(".", "p")


def may_hold_range(text: str) -> bool:
    """Whether a text may write a range (``RANGE``): a dash, "or" or "than", and a digit; most names do not."""
    return ("-" in text or " or " in text or "than" in text) and _DIGIT.search(text) is not None


def ranges_read(text: str) -> str:
    """The text with each range it writes followed by the one word it is read as (``range_word``)."""
    if not may_hold_range(text):
        return text
    return RANGE.sub(lambda match: f"{match.group()} {range_word(match)}", text)


def is_range_word(word: str) -> bool:
    """Whether a query's word is one ``ranges_read`` makes: no word of its own where no name holds it."""
    return _RANGE_WORD.match(word) is not None


# "w/o" and "w/" as the short titles and notes write "without" and "with" ("Drug or chemical induced diabetes mellitus
# w/o complications", `dm w/o complications`): read as letters, the clause they open was no clause.
_WITHOUT = re.compile(r"(?<![\w/])w/o(?![\w/])", re.IGNORECASE)
_WITH = re.compile(r"(?<![\w/])w/(?=\s|$)", re.IGNORECASE)


def slashed(text: str) -> str:
    """The text with "w/o" written "without" and "w/" "with"."""
    if "/" not in text:
        return text
    return _WITH.sub("with", _WITHOUT.sub("without", text))


def read_marks(text: str) -> str:
    """The text as its words are read: "w/o" as "without" (``slashed``), a sign closing a word as its word
    (``signs``), a range as one word too (``ranges_read``). Most names hold none of them and are read as written
    after a few scans."""
    if "-" not in text and "+" not in text and "/" not in text and " or " not in text and "than" not in text:
        return text
    return ranges_read(signs(slashed(text)))


def folded_words(text: str) -> list[str]:
    """The words of a text as written, folded (``fold``) but not normalised: ``_WORD``'s runs of ``fold(text)``,
    its marks read as words ("w/o", a sign, a range: ``read_marks``). An ASCII text (nearly every designation) is
    read by a byte table, at half the cost of the pattern."""
    text = read_marks(text)
    if text.isascii():
        return text.encode().translate(_ASCII_WORDS).decode().split()
    return _WORD.findall(fold(text))


def tokens(text: str) -> list[str]:
    """The normalised words of a text, in order."""
    return list(map(normalize_word, folded_words(text)))


# A word in a "without" (or "not") clause is indexed and matched marked, as a different word: "Type 2
# diabetes mellitus without complications" holds "~complications", so "diabetes complications" does not
# find it and "diabetes without complications" does; "not having achieved remission" holds "~remission".
# What follows "unspecified as" or "specified as" is marked too: "Duodenal ulcer, unspecified as acute or
# chronic" does not say acute. A clause runs to the next comma, semicolon, colon or bracket, or to a word
# that starts another part of the title ("without complications in remission", "without hemopericardium
# as current complication"), and is at most a few words long. Titles and queries are read alike, so what
# they mark agrees.
# A "non-" prefix, written apart from its word (with a hyphen or a space), marks that one word: "Non-Hodgkin
# lymphoma" holds "~hodgkin" and "Non-ST elevation (NSTEMI) myocardial infarction" "~st", so that "hodgkin
# lymphoma" and "st elevation mi" do not find what they are not, and "non hodgkin lymphoma" does. Such a word
# names a kind ("non-Hodgkin"), not what the code is not, and counts in full (``prefix_negated``).
NEGATED = "~"
NON = "non"
_OPENS = frozenset({"without", "not"})
_CLOSES = frozenset({"with", "in", "as", "due", "following", "during", "after", "requiring"})
_UNDECIDED = frozenset({"unspecified", "specified"})
CLAUSE_WORDS = _OPENS | _CLOSES  # the words that open or close a clause
_LONGEST = 6
_WORD_OR_BREAK = re.compile(r"[^\W_]+|[,;:()\[\]]", re.UNICODE)


# A word that may open a clause ("as" after "unspecified"), or negate the next ("non"): a text without one has
# none (most titles).
_MAY_OPEN = frozenset({"without", "not", "as", NON})


def negated(text: str) -> list[bool]:
    """For each of ``tokens(text)``, whether it stands in a "without" or "not" clause (those words do not) or
    follows "non"."""
    words = folded_words(text)
    if _MAY_OPEN.isdisjoint(words):
        return [False] * len(words)
    text = read_marks(text)
    folded = text.lower() if text.isascii() else fold(text)
    out: list[bool] = []
    left = 0  # words the open clause may still hold
    previous = ""
    for match in _WORD_OR_BREAK.finditer(folded):
        piece = match.group()
        if not piece[0].isalnum():
            left, previous = 0, ""
            continue
        word = normalize_word(piece)
        if previous == NON and word != NON:  # "non-Hodgkin": this word only
            previous = word
            out.append(True)
            left = max(left - 1, 0)
            continue
        # "unspecified as acute or chronic", "not specified as primary or secondary": what follows is not said.
        undecided = word == "as" and previous in _UNDECIDED
        previous = word
        if word in _OPENS or undecided:
            out.append(False)
            left = _LONGEST
            continue
        if left and word in _CLOSES and left < _LONGEST:
            left = 0
        out.append(left > 0)
        left = max(left - 1, 0)
    return out


# Words that end a name's head: what follows qualifies it ("Dependence on wheelchair", "Seat attachment, walker").
_JOINS = CLAUSE_WORDS | frozenset(["of", "on", "for", "to", "by", "from", "at", "using"])
_BRACKETS = frozenset("()[]")


def may_have_head(text: str, words: Sequence[str]) -> bool:
    """Whether ``head_words(text)`` may be other than None, from the text's ``index_words``: a name with no
    comma, semicolon or colon and no joining word is all head."""
    return not _JOINS.isdisjoint(words) or "," in text or ";" in text or ":" in text


def head_words(text: str) -> frozenset[str] | None:
    """The words of a name's head: those before its first comma, semicolon, colon or joining word; None where
    the head is all of the name or none of it."""
    folded = text.lower() if text.isascii() else fold(text)
    head: list[str] = []
    rest = False
    for match in _WORD_OR_BREAK.finditer(folded):  # not findall: the head ends early in most names
        piece = match.group()
        if piece in _BRACKETS:
            continue
        word = normalize_word(piece) if piece[0].isalnum() else ""
        if not word or word in _JOINS:
            rest = True
            break
        head.append(word)
    if not head or not rest:
        return None
    return frozenset(head)


# The conventions a name may end its head with: "Cancer NOS" names a cancer.
NOT_HEADS = frozenset({"nos", "nec"})


def head_noun(text: str) -> str | None:
    """The last word of a name's head (``head_words``, its bracketed words left out): what the name names.
    "Walker, rigid (pickup)" and "Late walker" name a walker, "Crutch paralysis" a paralysis, "Extraction of Right
    Lens" an extraction, "Presence of insulin pump" a presence; None where the name starts with a joining word."""
    folded = text.lower() if text.isascii() else fold(text)
    last: str | None = None
    depth = 0
    for match in _WORD_OR_BREAK.finditer(folded):  # not findall: the head ends early in most names
        piece = match.group()
        if piece in "([":
            depth += 1
        elif piece in ")]":
            depth = max(depth - 1, 0)
        elif depth:
            continue
        elif not piece[0].isalnum():
            break
        else:
            word = normalize_word(piece)
            if word in _JOINS:
                break
            if word not in NOT_HEADS:
                last = word
    return last


def prefix_negated(words: Sequence[str], position: int) -> bool:
    """Whether the word at ``position`` is marked for the "non" before it (a kind it names, counted in full),
    rather than for a clause."""
    return position > 0 and words[position - 1] == NON and words[position] != NON


def marked(word: str, negate: bool) -> str:
    return NEGATED + word if negate else word


def unmarked(word: str) -> str:
    return word.removeprefix(NEGATED)


def index_words(text: str) -> list[str]:
    """The words of a designation as the lexical index holds them: ``tokens`` with "without" clauses marked."""
    words = folded_words(text)
    if _MAY_OPEN.isdisjoint(words):  # no clause (most titles): the words as they are
        return list(map(normalize_word, words))
    return [marked(w, n) for w, n in zip(tokens(text), negated(text), strict=True)]


def spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, normalised word) for every word of ``text`` as written, for highlighting."""
    if text.isascii():  # lower-casing keeps every position: no folding needed
        return [(m.start(), m.end(), normalize_word(m.group())) for m in _WORD.finditer(text.lower())]
    out: list[tuple[int, int, str]] = []
    for match in _WORD.finditer(text):
        folded = fold(match.group())
        out.extend((match.start(), match.end(), normalize_word(w)) for w in _WORD.findall(folded)[:1])
    return out


# English nouns whose plural is no added ending ("flat feet" is "Flat, foot"; "wisdom teeth"), both ways.
_IRREGULAR = {
    "foot": "feet", "tooth": "teeth", "child": "children", "louse": "lice", "mouse": "mice", "man": "men",
    "woman": "women", "goose": "geese",
}  # fmt: skip
_IRREGULAR.update({plural: one for one, plural in list(_IRREGULAR.items())})
# Latin and Greek plurals the titles use, by their endings (singular ending, plural ending): "var(ix/ices)",
# "menin(x/ges)", "condylo(ma/mata)". Not "-a"/"-ae", "-us"/"-i", "-um"/"-a" nor "-on"/"-a", whose other forms are
# also genitives or other words ("influenzae" in Haemophilus influenzae, "uteri" in "cervix uteri"; "cornea" and
# "corneum"; "silica" and "silicon"). "-is"/"-es" too: "diagnosis" <-> "diagnoses", "prosthesis", "testis".
_LATIN = (("ix", "ices"), ("ex", "ices"), ("nx", "nges"), ("ma", "mata"), ("is", "es"))
_LATIN_MIN_LENGTH = 5
# An "-s" noun's plural ("lenses", "viruses"), which ``singular`` cannot tell from an "-e" noun's ("doses"): its
# singular, one way (``plurals`` gives "lenses" from "lens").
_SES = "ses"


@lru_cache(maxsize=65536)
def other_numbers(word: str) -> tuple[str, ...]:
    """The forms of another number a noun takes without an added -s: English irregular plurals ("feet" <->
    "foot") and Latin and Greek endings ("varices" <-> "varix", "meninges" <-> "meninx"). Forms no word of the
    data has are harmless: only those the index holds are read."""
    if word in _IRREGULAR:
        return (_IRREGULAR[word],)
    if len(word) < _LATIN_MIN_LENGTH:
        return ()
    found = [word[:-2]] if word.endswith(_SES) else []
    for one, many in _LATIN:
        if word.endswith(many):
            found.append(word[: -len(many)] + one)
        elif word.endswith(one):
            found.append(word[: -len(one)] + many)
    return tuple(dict.fromkeys(f for f in found if f != word and len(f) >= _LATIN_MIN_LENGTH - 1))


def _ordinals() -> dict[str, str]:
    """Ordinals in figures and in words, first to twelfth ("4th" <-> "fourth"): titles spell them out ("Fourth
    [trochlear] nerve palsy", "third trimester"), short titles and ICD-10-PCS body parts write figures ("Burn of
    2nd deg", "Right 1st Toe")."""
    spelled = (
        "first", "second", "third", "fourth", "fifth", "sixth",
        "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth",
    )  # fmt: skip
    forms: dict[str, str] = {}
    for number, word in enumerate(spelled, 1):
        figures = _in_figures(number)
        forms[figures], forms[word] = word, figures
    return forms


def _in_figures(number: int) -> str:
    """An ordinal from 1 to 12 in figures: "1st", "2nd", "12th"."""
    return str(number) + {1: "st", 2: "nd", 3: "rd"}.get(number, "th")


def _numerals() -> dict[str, str]:
    """Numbers in Roman numerals and in figures, 2 to 12 ("iii" <-> "3"): a stage or type is written so by some
    names ("Type II Diabetes", "Stage III") and in figures by others ("Chronic kidney disease, stage 3"). Not "i"
    and "x" (nor 1 and 10), which are a word and a letter of their own ("x-linked")."""
    romans = {2: "ii", 3: "iii", 4: "iv", 5: "v", 6: "vi", 7: "vii", 8: "viii", 9: "ix", 11: "xi", 12: "xii"}
    return {form: other for n, r in romans.items() for form, other in ((r, str(n)), (str(n), r))}


_ORDINALS = _ordinals()
_NUMERALS = _numerals()


def ordinal(word: str) -> tuple[str, ...]:
    """An ordinal number's other spelling: "4th" -> ("fourth",), "third" -> ("3rd",); () for other words."""
    return _other_spelling(_ORDINALS, word)


def spelled_ordinal(number: int) -> str | None:
    """The ordinal of a number from 1 to 12 in words ("second"); None for any other number."""
    return _ORDINALS.get(_in_figures(number)) if 1 <= number <= 12 else None


def numeral(word: str) -> tuple[str, ...]:
    """A number's other spelling, Roman or in figures: "iii" -> ("3",), "4" -> ("iv",); () for other words."""
    return _other_spelling(_NUMERALS, word)


def _other_spelling(spellings: dict[str, str], word: str) -> tuple[str, ...]:
    other = spellings.get(word)
    return (other,) if other else ()


_VOWELS = frozenset("aeiou")


@lru_cache(maxsize=65536)
def plurals(word: str) -> tuple[str, ...]:
    """The plural forms a singular word may take in a title (fracture -> fractures, injury -> injuries)."""
    if len(word) <= 2 or word.isdigit():
        return ()
    if word.endswith("y") and len(word) > 3 and word[-2] not in _VOWELS:
        return (word[:-1] + "ies",)
    if word.endswith(("s", "x", "ch", "sh")):
        return (word + "es",)
    return (word + "s",)


@lru_cache(maxsize=65536)
def singular(word: str) -> str:
    """A plural reduced to its singular, for exact matching (injuries -> injury, fractures -> fracture).

    Words ending in -us, -is, -ss, -os and short words are left alone (status, arthritis, abscess, exophthalmos); a
    word ending in -ys is a plural where a vowel comes before the y (kidneys, airways, x-rays), and a word cut short
    where a consonant does (the short titles' "dialys", "epiphys"); "-aches" after a consonant is an ache's plural
    ("headaches"), after a vowel a plural in -es ("reaches").
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("aches") and (len(word) == 5 or word[-6] not in _VOWELS):
        return word[:-1]  # an ache ("headaches", "earaches"), not a reach or a coach
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("ys"):
        return word[:-1] if word[-3] in _VOWELS else word
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "os")):
        return word[:-1]
    return word


# Words of at least this many letters also match words sharing their stem: their first ~70 % ("absent" ~
# "absence": 6 letters, as a noun and its adjective differ in their ending).
STEM_MIN_LENGTH = 6
STEM_SHARE = 0.7


@lru_cache(maxsize=65536)
def stem(word: str) -> str | None:
    """The part of a long word that its other forms share ("tuberculous", "tuberculosis" -> "tubercul"),
    or None for short words and numbers."""
    if len(word) < STEM_MIN_LENGTH or not word.isalpha():
        return None
    return word[: max(5, round(len(word) * STEM_SHARE))]


def distinct_length(words: Sequence[str]) -> int:
    """How many different words a designation has, counting forms of one word once.

    Index headings list a word's forms together ("Hypertension, hypertensive", "Attack, attacks"): such a
    heading is as specific as the one word.
    """
    return len({word_form(w) for w in words})


@lru_cache(maxsize=65536)
def word_form(word: str) -> str:
    """What ``distinct_length`` counts a word by: its stem, else its singular."""
    return stem(word) or singular(word)
