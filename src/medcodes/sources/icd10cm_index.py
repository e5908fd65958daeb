"""The ICD-10-CM index family: the Alphabetic Index, the External Cause Index, the Drug and Neoplasm tables.

All four are published by CDC in one XML vocabulary rooted at ``<ICD10CM.index>``
(``icd10cm-index-2025.xsd`` for the two indexes, ``icd-10-cm-drug-neoplasm-2025.xsd`` for the tables):
``letter`` > ``mainTerm`` > nested ``term level="N"``, each with a ``title`` (whose ``<nemod>`` children are
the nonessential modifiers printed in parentheses) and either ``code``/``manif``/``see``/``seeAlso`` (indexes)
or one ``cell col="N"`` per table column named by ``indexHeading/head col="N"`` (tables).

``load_index`` and ``load_table`` turn a file into ``IndexTerm``s; ``designations`` turns index terms into
``Designation``s of codes that exist, following "see" references to the term they name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from medcodes.errors import SourceError
from medcodes.models import TABLE_COLUMN, Designation, DesignationKind, IndexTerm, Prior
from medcodes.sources.files import parse_xml, squash
from medcodes.systems import SystemId

__all__ = ["IndexDesignations", "designations", "load_index", "load_table", "resolve_code"]

_ROOT = "ICD10CM.index"
# Table cells that hold no code: the drug table writes "--", the neoplasm table "-".
_EMPTY_CELLS = frozenset({"", "-", "--"})
_PARENTHESES = re.compile(r"\([^()]*\)")
_TRAILING_NEC = re.compile(r"\s+n[eo][cs]$")
# A reference may end in a further instruction: "Encephalopathy; and see also Epilepsy",
# "Disease, heart - see also Disease, cardiovascular". Only the first target is followed.
_TRAILING_INSTRUCTION = re.compile(r"\s*(?:;|\s[-\u2013\u2014]\s)\s*(?:and\s+)?see\b.*$", re.IGNORECASE)
_LEADING_ALSO = re.compile(r"^also\s+", re.IGNORECASE)
# "see category T71", "see subcategory M14.8-", "see categories T17 and" + <code>T18</code>: the reference
# names codes, not a term. The E-index also writes these as <seecat>/<subcat> elements.
_CATEGORY_REFERENCE = re.compile(r"^(?:sub)?categor(?:y|ies)\b(.*)$", re.IGNORECASE)
_CATEGORY_WORDS = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?-?|and|or", re.IGNORECASE)
# Lower-case references that tell the coder what to look up instead of naming a term: "see condition",
# "see specific type of allergic reaction", "see by type". The Alphabetic Index even has a main term
# "Condition" (post COVID-19), which "see condition" must not reach.
_INSTRUCTION = re.compile(r"^(?:condition|specific|specified|by|nature of)\b")
# Trailing parts of a reference that qualify rather than name ("Abscess, by site", "Fall, by type"): the
# term before them is the target. Any other unmatched part means the term named is missing; the nearest
# existing ancestor would be a guess ("Dependence, drug, nicotine" is not "Dependence" F19.20).
_QUALIFIER = re.compile(r"^by\b", re.IGNORECASE)
_ONE_QUALIFIER = re.compile(r"^by \w+$", re.IGNORECASE)
# The Table of Drugs' column a substance's name means said alone ("lithium poisoning", "carbon monoxide
# poisoning"): the guidelines code a poisoning whose intent is not documented as accidental (ICD-10-CM
# Official Guidelines I.C.19.e.5(b)), and the table prints that column first, "Poisoning Accidental
# (unintentional)". The other columns are decided by words the query says ("assault", "self-harm").
_DEFAULT_COLUMN = re.compile(r"^poisoning\W+accidental\b", re.IGNORECASE)
DRUG_TABLE = "drug"  # the Table of Drugs and Chemicals, as the other files cite it
EXTERNAL_CAUSE_INDEX = "eindex"
# References that leave the index they are written in, as the CDC files spell them.
_OTHER_INDEX = {
    "index to diseases and injuries": "index",
    "table of drugs and chemicals": DRUG_TABLE,
    "index to external causes of injury": EXTERNAL_CAUSE_INDEX,
}
# The Table of Neoplasms, which the Alphabetic Index cites as its main term "Neoplasm": "Chordoma - see
# Neoplasm, vertebral (column), malignant", "Adenocarcinoma - see also Neoplasm, malignant, by site".
NEOPLASM_TABLE = "neoplasm"
# A term that says its site is specified ("specified site", "specified site NEC", "site specified NEC").
_SPECIFIED_SITE = re.compile(r"^(?:single )?(?:specified site|site specified)\b", re.IGNORECASE)
_UNSPECIFIED_SITE = "unspecified site"
# References followed in a row: a term a reference names may itself say only "see" (a cycle ends here too).
_CHAIN = 3


@dataclass(frozen=True, slots=True)
class IndexDesignations:
    """What ``designations`` made of a set of index terms, with what it could not use."""

    designations: tuple[Designation, ...]
    unresolved_codes: int  # code occurrences that name no existing code, even by prefix
    unresolved_references: int  # see/see-also references that gave no code
    # What a main term, or a main term and one subterm, means without more words: the codes written on
    # the term, else those its reference gives ("Attack, heart - see Infarct, myocardium" -> I21.9).
    priors: tuple[Prior, ...] = ()


# --- reading -----------------------------------------------------------------------------------------------


def load_index(path: Path, source: str) -> Iterator[IndexTerm]:
    """Yield one IndexTerm per mainTerm and term of an Alphabetic Index or External Cause Index file.

    The file is parsed before this returns, so a malformed file raises SourceError here, not later.
    """
    root = _parse_root(path)
    return _index_terms(root, source)


def load_table(path: Path, source: str) -> Iterator[IndexTerm]:
    """Yield the IndexTerms of a Table of Drugs and Chemicals or Table of Neoplasms file.

    Each term gives one IndexTerm per cell that holds a code (``column`` = that column's heading), plus one
    without codes that carries its see/see-also, or that keeps the term in the tree when no cell holds a
    code (so that every term of the file is there, and references can reach it).
    """
    root = _parse_root(path)
    heading = root.find("indexHeading")
    if heading is None:
        raise SourceError(path, _line(root), "not an ICD-10-CM table file: no <indexHeading>")
    columns = {head.get("col", ""): squash(_all_text(head)) for head in heading.iter("head")}
    return _table_terms(root, path, source, columns)


def _line(element: etree._Element) -> int | None:
    # lxml-stubs leave ``sourceline`` untyped; lxml gives an int, or None for a tree built in memory.
    line: object = element.sourceline
    return line if isinstance(line, int) else None


def _parse_root(path: Path) -> etree._Element:
    root = parse_xml(path)
    if root.tag != _ROOT:
        raise SourceError(path, _line(root), f"not an ICD-10-CM index file: root <{root.tag}>")
    return root


def _index_terms(root: etree._Element, source: str) -> Iterator[IndexTerm]:
    for element, path, nemod in _walk(root):
        codes = tuple(code for tag in ("code", "manif") for code in _codes(element.find(tag)))
        yield IndexTerm(
            source=source,
            path=path,
            codes=codes,
            see=_see(element),
            see_also=_text_of(element.find("seeAlso")),
            nemod=nemod,
        )


def _table_terms(root: etree._Element, path: Path, source: str, columns: dict[str, str]) -> Iterator[IndexTerm]:
    for element, term_path, nemod in _walk(root):
        cells = 0
        for cell in element.findall("cell"):
            code = squash(_all_text(cell))
            if code in _EMPTY_CELLS:
                continue
            column = columns.get(cell.get("col", ""))
            if column is None:
                raise SourceError(path, _line(cell), f"cell col={cell.get('col')!r} has no <head>")
            cells += 1
            yield IndexTerm(source=source, path=term_path, codes=(code,), nemod=nemod, column=column)
        see, see_also = _see(element), _text_of(element.find("seeAlso"))
        if see or see_also or not cells:
            yield IndexTerm(source=source, path=term_path, see=see, see_also=see_also, nemod=nemod)


def _walk(root: etree._Element) -> Iterator[tuple[etree._Element, tuple[str, ...], str | None]]:
    """Every mainTerm and term in document order, with its path of cleaned titles and its nemod."""
    stack: list[tuple[etree._Element, tuple[str, ...]]] = [
        (main, ()) for letter in reversed(root.findall("letter")) for main in reversed(letter.findall("mainTerm"))
    ]
    while stack:
        element, parent = stack.pop()
        title, nemod = _title(element.find("title"))
        path = (*parent, title) if title else parent
        yield element, path, nemod
        stack.extend((child, path) for child in reversed(element.findall("term")))


def _title(element: etree._Element | None) -> tuple[str, str | None]:
    """The title outside its <nemod> children, and the nemod text (None when there is none)."""
    if element is None:
        return "", None
    words: list[str] = [element.text or ""]
    modifiers: list[str] = []
    for child in element:
        (modifiers if child.tag == "nemod" else words).append(_all_text(child))
        words.append(child.tail or "")
    title, nemod = squash("".join(words)), squash(" ".join(modifiers))
    # A title written only as a modifier ("<title><nemod>(gastro)</nemod></title>" in the reconstructed
    # index, where the flattening lost the text after the nemod) would otherwise vanish from the path and
    # merge its codes into its parent's; the modifier is the only name it has.
    return (title or nemod), (nemod or None)


def _see(element: etree._Element) -> str | None:
    """The <see> text, with <seecat>/<subcat> spelled out as the printed index does ("see category T71")."""
    parts = [
        text
        for text in (
            _text_of(element.find("see")),
            _prefixed("category", _text_of(element.find("seecat"))),
            _prefixed("subcategory", _text_of(element.find("subcat"))),
        )
        if text
    ]
    return "; ".join(parts) or None


def _prefixed(word: str, text: str | None) -> str | None:
    return f"{word} {text}" if text else None


def _codes(element: etree._Element | None) -> list[str]:
    # Manifestation codes are printed in brackets ("[H28]"); the brackets are typography, not code.
    text = _text_of(element)
    return [token.strip("[]") for token in text.split() if token.strip("[]")] if text else []


def _text_of(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return squash(_all_text(element)) or None


def _all_text(element: etree._Element) -> str:
    return "".join(str(part) for part in element.itertext())


# --- codes -------------------------------------------------------------------------------------------------


def resolve_code(code: str, known: Collection[str]) -> str | None:
    """The existing code an index code points to, or None.

    The index writes codes as the tabular list does, but "C79.8-" asks for more characters and "T51.3X1" may
    lack its 7th; such a code resolves to itself when it exists, else to its longest existing prefix of at
    least three characters (a category).
    """
    compact = code.strip().upper().rstrip("-").replace(".", "")
    for size in range(len(compact), 2, -1):
        candidate = _dotted(compact[:size])
        if candidate in known:
            return candidate
    return None


def _dotted(compact: str) -> str:
    # ICD-10-CM notation: the dot always follows the three-character category.
    return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


# --- designations ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Node:
    """One term of one index, rebuilt from IndexTerm paths, with the codes written on it."""

    path: tuple[str, ...]
    cells: list[tuple[str | None, str]] = field(default_factory=list)  # (column, code as written)
    # The "see" references of a term, as written: a term that says "see" is nothing but what it names. (A "see
    # also" only adds a place to look: "Findings, abnormal ... - see also Abnormal" is not the main term Abnormal.)
    references: list[str] = field(default_factory=list)
    children: dict[str, _Node] = field(default_factory=dict)  # key: the title, normalised (``_key``)
    # Built on first lookup: children by their title without modifiers (``_bare``), and by its first word.
    _bare_titles: dict[str, list[_Node]] | None = None
    _first_words: dict[str, list[_Node]] | None = None
    _stems: dict[str, list[_Node]] | None = None

    def child(self, title: str) -> _Node:
        key = _key(title)
        node = self.children.get(key)
        if node is None:
            node = self.children[key] = _Node((*self.path, title))
            self._bare_titles = self._first_words = self._stems = None
        return node

    def lookup(self, text: str) -> list[_Node]:
        """The children a part of a reference names: by exact title, else by the title without its
        modifiers, else by the title's first comma-separated word (the index cites its main term
        "Infarct, infarction" as "Infarct", and "myocardium, myocardial" as "myocardium"), else a one-word
        title by a longer or shorter form of its word (the Table of Neoplasms' row "vertebra (column)" is
        cited as "Neoplasm, vertebral (column), malignant")."""
        key = _key(text)
        exact = self.children.get(key)
        if exact is not None:
            return [exact]
        if self._bare_titles is None or self._first_words is None or self._stems is None:
            self._bare_titles, self._first_words, self._stems = {}, {}, {}
            for title, node in self.children.items():
                bare_title = _bare(title)
                self._bare_titles.setdefault(bare_title, []).append(node)
                self._first_words.setdefault(_bare(title.split(",", 1)[0]), []).append(node)
                if (word_stem := _word_stem(bare_title)) is not None:
                    self._stems.setdefault(word_stem, []).append(node)
        bare = _bare(key)
        found = self._bare_titles.get(bare) or self._first_words.get(bare)
        if found:
            return found
        word_stem = _word_stem(bare)
        if word_stem is None:
            return []
        # Only a form that is the other plus an ending: "retinal" for "retina", not "hyperlipidemia" for
        # "hyperlipidosis" (the same first letters, another condition).
        return [node for node in self._stems.get(word_stem, []) if _forms_of_one_word(bare, _bare(_key(node.path[-1])))]

    def target_cells(self) -> list[tuple[str | None, str]]:
        """The codes a reference to this term stands for: its own; else the one code that its direct
        subterms all carry, when there are several. Anything less would be a guess: a lone subterm is a
        special case ("Syndrome, hyperkinetic - see Hyperkinesia", whose one subterm is "heart" I51.89), and
        so is the one coded subterm among uncoded ones ("Stab, stabbing - see Cut": "machine NEC" W31.9)."""
        if self.cells or len(self.children) < 2:
            return self.cells
        below = [child.cells for child in self.children.values()]
        if not all(below) or len({code for cells in below for _, code in cells}) != 1:
            return []
        return list(dict.fromkeys(cell for cells in below for cell in cells))


def designations(
    terms: Iterable[IndexTerm], known: Collection[str], system: SystemId, cited: Iterable[IndexTerm] = ()
) -> IndexDesignations:
    """Designations of existing codes made from index terms, directly and through see references.

    A term with codes designates each code that resolves (``resolve_code``). A "see" reference, and a
    "see also" on a term without a code of its own, is followed to the term it names (in the same index,
    or in the one it names: "Index to Diseases and Injuries, ...", or in ``cited``, the terms of the other
    indexes and tables the references may name) and designates that term's codes with ``via`` = the
    reference as written; a table target keeps its column in the text. A reference to "Neoplasm, <site>,
    <behaviour>" names one cell of the Table of Neoplasms (``_neoplasm_cell``). A reference counts as
    unresolved when it gives no designation. Terms whose paths coincide (titles that differ only in their
    nonessential modifiers) are one target.
    """
    terms = list(terms)
    roots = _tree([*terms, *cited])
    resolved: dict[str, str | None] = {}
    made: dict[Designation, None] = {}  # an ordered set
    priors: dict[Prior, None] = {}
    unresolved_codes = 0
    unresolved_references = 0

    def existing(code: str) -> str | None:
        """The existing code a code as written stands for (``resolve_code``, once per code)."""
        if code not in resolved:
            resolved[code] = resolve_code(code, known)
        return resolved[code]

    def designate(
        term: IndexTerm, cells: list[tuple[str | None, str]], via: str | None
    ) -> list[tuple[str | None, str]]:
        """Add a designation per resolvable cell; return the (column, code) of each designated."""
        targets: list[tuple[str | None, str]] = []
        for column, code in cells:
            target = existing(code)
            if target is not None:
                targets.append((column, target))
                text = f"{term.text}{TABLE_COLUMN}{column}" if column else term.text
                made[Designation(system, target, DesignationKind.INDEX_TERM, text, term.source, via)] = None
        return targets

    for term in terms:
        own = designate(term, [(term.column, c) for c in term.codes], None)
        unresolved_codes += len(term.codes) - len(own)
        prior, prior_via = own, None
        references = [term.see] if term.see else []
        if term.see_also and not _node(roots[term.source], term.path).cells:
            references.append(term.see_also)
        # "Glioblastoma, specified site - see Neoplasm, malignant, by site": the site is to be said, and the
        # table's own row (C80.1, the unspecified site) is not what the term means.
        site_said = bool(_SPECIFIED_SITE.match(term.path[-1]))
        for reference in references:
            cells, named = _follow(reference, term.source, roots, site_said, within=term.path)
            found = designate(term, cells, reference)
            if named:
                # "see category T71" names its codes itself: they are counted nowhere else.
                unresolved_codes += len(cells) - len(found)
            if not found:
                unresolved_references += 1
            elif not prior:
                prior, prior_via = found, reference
        if not prior and not references:
            # "Glioblastoma" holds no code; its subterm "unspecified site" (C71.9) is what it means said alone.
            unspecified = _node(roots[term.source], term.path).children.get(_UNSPECIFIED_SITE)
            if unspecified is not None:
                prior = [(c, t) for c, code in unspecified.cells if (t := existing(code)) is not None]
                prior_via = _UNSPECIFIED_SITE
        # What a main term, or a main term and one subterm, means without more words. A table's cell is decided
        # by its column: of the tables' cells (its own, or those a reference leads to), only the Table of Drugs'
        # default column gives priors.
        if 1 <= len(term.path) <= 2:
            subterm = term.path[1] if len(term.path) == 2 else None
            for column, code in prior:
                if column is None or _DEFAULT_COLUMN.match(column):
                    priors[Prior(system, code, term.path[0], subterm, term.nemod, term.source, prior_via)] = None
    for said in _unqualified(terms, made):
        made.setdefault(said)
    return IndexDesignations(tuple(made), unresolved_codes, unresolved_references, tuple(priors))


# A main term's qualified form holds at least this many times the entries of its every other form to be its reading
# when the query names the main term without a qualifier (``_unqualified``).
_DEFAULT_FORM_SHARE = 10


def _unqualified(terms: Sequence[IndexTerm], made: Mapping[Designation, None]) -> list[Designation]:
    """The entries of a main term's default form also named without its qualifier. Some main terms come in
    qualified forms ("Fracture, traumatic" with 1,194 entries, "Fracture, pathological" with 102, "Fracture,
    nontraumatic, NEC" 13; "Wound, open" 503, "Wound, superficial" 1): the form that holds far more entries than
    any other is what the main term means said alone, so its entries are names without the qualifier too
    ("Fracture, hip" for "Fracture, traumatic, hip"), with ``via`` the entry as printed. Said alone, `hip fracture`
    found "Pathological fracture, hip" (M84.459A) as well as "Fracture, traumatic, hip" (S72.00-), the words alike."""
    entries: Counter[str] = Counter(term.path[0] for term in terms if term.path)
    forms: dict[str, list[str]] = {}
    for main in entries:
        forms.setdefault(main.split(",", 1)[0].strip(), []).append(main)
    defaults: dict[str, str] = {}
    for first, mains in forms.items():
        if len(mains) < 2:
            continue
        ranked = sorted(mains, key=lambda m: -entries[m])
        if ranked[0] != first and entries[ranked[0]] >= _DEFAULT_FORM_SHARE * entries[ranked[1]]:
            defaults[ranked[0] + ", "] = first
    if not defaults:
        return []
    out: list[Designation] = []
    for d in made:
        for qualified, first in defaults.items():
            if d.text.startswith(qualified):
                text = f"{first}, {d.text[len(qualified) :]}"
                out.append(replace(d, text=text, via=d.via if d.via is not None else d.text))
    return out


# A reference to a column of the Table of Drugs said of any substance: "Overdose - see Table of Drugs and
# Chemicals, by drug, poisoning", "Toxicity - see Table of Drugs and Chemicals, by substance, poisoning".
# A main term's forms ("Overdose, overdosage") share their first letters; a longer key is no word a person
# types.
_FORM_STEM = 5
_READING_WORDS = 4
# A main term with a "see also" and at most this many subterms of its own is read as the term it sends to.
_SEE_ALSO_SUBTERMS = 9
_ANY_SUBSTANCE = re.compile(r"^table of drugs and chemicals, by [a-z ]+, ([a-z ]+)$", re.IGNORECASE)


def readings(terms: Iterable[IndexTerm]) -> dict[str, list[str]]:
    """What the Alphabetic Index says a word means where a main term holds nothing but a "see" to another
    main term or to a column of the Table of Drugs for any substance, and where it sends a site's adjective and
    its noun each to the other (``_site_words``: "renal" and "kidney").

    - "Emesis - see Vomiting" reads "emesis" as "vomiting", so that "bloody emesis" finds "Vomiting, blood"
      (K92.0), and "Blockage - see Obstruction" reads "bowel blockage" as an obstruction of the intestine.
      Only a reference to a main term the index holds, whole: "see condition", "see Neoplasm, bone, benign"
      and "see Lipoma, by site" name no one term to read the word as.
    - "Overdose, overdosage - see Table of Drugs and Chemicals, by drug, poisoning" reads "overdose" and
      "overdosage" as "poisoning", so that "lithium overdose" finds the table's row "Lithium - Poisoning".
      Terms that say the column themselves ("Medicine poisoning") are left out."""
    terms = list(terms)
    found: dict[str, list[str]] = {}
    for typed, meant in (*_main_term_words(terms), *_site_words(terms)):
        meanings = found.setdefault(typed, [])
        if meant not in meanings:
            meanings.append(meant)
    return found


def _main_term_words(terms: Sequence[IndexTerm]) -> Iterator[tuple[str, str]]:
    """(word, word read) pairs of the main terms that hold nothing but a "see", or a "see also" and few subterms
    (``readings``).

    Main terms only, each form: a main term and a subterm ("Drug, overdose") would read both words as the
    target's, losing the one that names the substance ("drug overdose" is a drug's poisoning, not any
    poisoning); their words are read one by one. A main term with codes or subterms of its own is no plain
    other name of the term it sends to ("Toxicity" has subterms, but sends any substance to the table). One
    that says "see also" ("Cut (external) - see also Laceration", "Bruise - see also Contusion") says where else
    its word is classified, and is read so where it has at most ``_SEE_ALSO_SUBTERMS`` subterms: many classify
    the word itself ("Subluxation - see also Dislocation", "Stenosis - see also Stricture", "Disease - see also
    Syndrome")."""
    main = {_bare(_key(t.path[0])): squash(_PARENTHESES.sub(" ", t.path[0])) for t in terms if len(t.path) == 1}
    subterms = Counter(_key(t.path[0]) for t in terms if len(t.path) > 1)

    def whole(reference: str) -> str | None:
        """The main term a reference names whole (not "condition", nor a row: "Neoplasm, nerve, malignant")."""
        key = _key(reference)
        if "," in key or ";" in key or _INSTRUCTION.match(key):
            return None
        return main.get(_bare(key))

    for term in terms:
        if len(term.path) != 1:
            continue
        held = subterms[_key(term.path[0])]
        target: str | None = None
        if term.see is None:
            if term.see_also is not None and held <= _SEE_ALSO_SUBTERMS:
                target = whole(term.see_also)
        elif cited := _ANY_SUBSTANCE.match(term.see):
            target = squash(cited.group(1))
        elif not term.codes and not held:
            target = whole(term.see)
        if not target:
            continue
        meant = target.casefold()
        forms = [squash(f).casefold() for f in term.path[0].split(",")]
        if len(forms) > 1 and not all(" " not in f and f[:_FORM_STEM] == forms[0][:_FORM_STEM] for f in forms):
            forms = [squash(term.path[0]).casefold()]  # "Necrolysis, toxic epidermal" is one name
        for key in (squash(_PARENTHESES.sub(" ", f)).casefold() for f in forms):
            if key and "," not in key and len(key.split()) <= _READING_WORDS and meant not in key:
                yield key, meant


# A site's adjective and its noun ("renal" and "kidney") the index sends each to the other under the same main
# term ("Cyst, renal - see Cyst, kidney"; "Infarct, brain - see Infarct, cerebral"), in this many main terms at
# least, are read each as the other in any query.
_SITE_MAIN_TERMS = 2
_SITE_ADJECTIVE = re.compile(r"(?:al|ac|ic|ar|ary)$")  # "renal", "cardiac", "gastric", "pulmonary"


def _site_words(terms: Sequence[IndexTerm]) -> list[tuple[str, str]]:
    """(word, word read) pairs from subterms the index sends to another subterm of the same main term, one word
    each, both ways, one of them an adjective: "Calculus, renal - see Calculus, kidney" and "Abscess, kidney -
    see Abscess, renal"; "Ulcer, stomach - see Ulcer, gastric" and "Dilatation, gastric - see Dilatation,
    stomach". The index also routes a part to its whole ("Abrasion, heel - see Abrasion, foot"; "Hemorrhage,
    cerebellar - see Hemorrhage, brain"), a site to its neighbour ("hip", "thigh") and one case to another
    ("Appendicitis, gangrenous - see Appendicitis, acute"), one way or both: where it classifies them, not
    what the word means."""
    sent: dict[tuple[str, str], set[str]] = {}
    for term in terms:
        if len(term.path) != 2 or term.see is None or ";" in term.see or term.see.count(",") != 1:
            continue
        main, sub = _bare(_key(term.path[0].split(",")[0])), _bare(_key(term.path[1]))
        cited_main, cited_sub = (_bare(_key(part)) for part in term.see.split(","))
        if cited_main == main and sub != cited_sub and sub.isalpha() and cited_sub.isalpha():
            sent.setdefault((sub, cited_sub), set()).add(main)
    return sorted(
        (typed, meant)
        for (typed, meant), mains in sent.items()
        if (back := sent.get((meant, typed))) is not None
        and len(mains | back) >= _SITE_MAIN_TERMS
        and bool(_SITE_ADJECTIVE.search(typed)) != bool(_SITE_ADJECTIVE.search(meant))
    )


def _tree(terms: Iterable[IndexTerm]) -> dict[str, _Node]:
    """The terms of each index as a tree, with the codes written on each term."""
    roots: dict[str, _Node] = {}
    for term in terms:
        node = roots.setdefault(term.source, _Node(()))
        for title in term.path:
            node = node.child(title)
        node.cells.extend((term.column, code) for code in term.codes)
        if term.see:
            node.references.append(term.see)
    return roots


def _node(root: _Node, path: tuple[str, ...]) -> _Node:
    node = root
    for title in path:
        node = node.children[_key(title)]
    return node


def _follow(
    reference: str,
    source: str,
    roots: dict[str, _Node],
    site_said: bool = False,
    *,
    depth: int = 0,
    within: tuple[str, ...] = (),
) -> tuple[list[tuple[str | None, str]], bool]:
    """The (column, code) pairs a reference stands for (empty when it names no term or no single code),
    and whether the reference names the codes itself rather than a term. ``site_said``: the referring term
    says its site is specified, so a reference into the Table of Neoplasms must name the row. ``within``: the
    referring term's path, whose main term a reference that could name several stays in (``_match``).

    A term the reference names that has no code but a "see" of its own stands for what that one gives
    ("Fracture, traumatic, hip - see Fracture, femur, neck", whose term says "see Fracture, femur, upper end,
    neck" S72.00-), up to ``_CHAIN`` references in a row."""
    text = _LEADING_ALSO.sub("", _TRAILING_INSTRUCTION.sub("", squash(reference)).strip(" ,.;"))
    category = _CATEGORY_REFERENCE.match(text)
    if category:
        return [(None, code) for code in _category_codes(category.group(1))], True
    if _INSTRUCTION.match(text):
        return [], False
    parts = [part for part in (squash(p) for p in text.split(",")) if part]
    if parts and (other := _OTHER_INDEX.get(_key(parts[0]))):
        source, parts = other, parts[1:]
    elif parts and _bare(_key(parts[0])) == "neoplasm" and source != NEOPLASM_TABLE and NEOPLASM_TABLE in roots:
        return _neoplasm_cell(parts[1:], roots[NEOPLASM_TABLE], site_said), False
    root = roots.get(source)
    if root is None or not parts:
        return [], False
    named = _named(root, parts, within)
    if named is None:
        return [], False
    cells = named.target_cells()
    if not cells and depth < _CHAIN:  # no code of its own (a term with one gives it above)
        for further in named.references:
            cells, _ = _follow(further, source, roots, site_said, depth=depth + 1, within=named.path)
            if cells:
                break
    return cells, False


def _named(root: _Node, parts: list[str], within: tuple[str, ...] = ()) -> _Node | None:
    """The term a reference's parts name, from the main term down (qualifying parts after it: "by site"); else
    the term they name with the first part's words read as a main term and a subterm: "see also Otitis media"
    names "Otitis, media", as the reference writes a path in natural order. ``within``: the referring term's
    path (``_match``)."""
    consumed, node = _match(root, parts, 0, within)
    if consumed and all(_QUALIFIER.match(part) for part in parts[consumed:]):
        return node
    words = parts[0].split()
    for k in range(len(words) - 1, 0, -1):
        tried = [" ".join(words[:k]), " ".join(words[k:]), *parts[1:]]
        consumed, node = _match(root, tried, 0, within)
        # Read so, only a whole qualifier may be left over ("Cryptococcosis by site"), not a path that reads
        # on ("Abortion by type complicated by embolism").
        if consumed and all(_ONE_QUALIFIER.match(part) for part in tried[consumed:]):
            return node
    return None


def _neoplasm_cell(parts: list[str], table: _Node, site_said: bool = False) -> list[tuple[str | None, str]]:
    """The code of the Table of Neoplasms' cell that a reference's parts name: the parts that are words of
    column headings name the first column whose heading holds them all ("malignant": Malignant Primary;
    "malignant, secondary": Malignant Secondary; "in situ": Ca in situ), the others the row, from the table's
    main term down ("connective tissue" NEC; none: the main term's own row, "Neoplasm, malignant, by site" is
    C80.1). "by site" qualifies. The reference says the column, so the designation's text does not."""
    tops = list(table.children.values())
    if len(tops) != 1:
        return []
    headings = list(dict.fromkeys(column for column, _ in tops[0].cells if column))
    behaviour = [part for part in parts if _headings_holding([part], headings)]
    site = [part for part in parts if part not in behaviour and not _QUALIFIER.match(part)]
    columns = _headings_holding(behaviour, headings)
    if not behaviour or not columns or (site_said and not site):
        return []
    consumed, row = _match(tops[0], site, 0)
    if consumed != len(site):
        return []
    return [(None, code) for heading, code in row.cells if heading == columns[0]]


def _headings_holding(parts: list[str], headings: list[str]) -> list[str]:
    """The column headings that hold the words of every part, each in a row ("malignant": "Malignant
    Primary" and "Malignant Secondary")."""
    wanted = [f" {_key(part)} " for part in parts]
    return [heading for heading in headings if all(words in f" {_key(heading)} " for words in wanted)]


def _category_codes(words: str) -> list[str]:
    """The codes of "category T71" or "categories T17 and T18"; none where the words say more than that
    ("categories T36-T65 with 7th character S" is a rule for the coder, not a code)."""
    tokens = [token for token in re.split(r"[\s,]+", words) if token]
    if not all(_CATEGORY_WORDS.fullmatch(token) for token in tokens):
        return []
    return [token.upper() for token in tokens if token.lower() not in ("and", "or")]


def _match(node: _Node, parts: list[str], start: int, within: tuple[str, ...] = ()) -> tuple[int, _Node]:
    """The deepest term under ``node`` that ``parts[start:]`` names, and how many parts that took.

    Titles may hold commas themselves ("Neoplasm, neoplastic", "cable car, not on rails"), so each step
    tries the longest run of parts first. Where a part names several terms as deep, the one on the referring
    term's path (``within``) is taken: "Fracture, traumatic, arm, radius - see Fracture, radius" names the
    radius of its own main term, not of "Fracture, pathological", which the index lists first. Where none is, the
    one holding the most subterms, the principal of its namesakes: "Injury, arm, fracture - see Fracture, humerus"
    names the humerus of "Fracture, traumatic" (1,194 entries), not of "Fracture, pathological" (102).
    """
    best = (start, node)
    for end in range(len(parts), start, -1):
        named = node.lookup(", ".join(parts[start:end]))
        for child in sorted(named, key=lambda c: (c.path != within[: len(c.path)], -len(c.children))):
            found = _match(child, parts, end, within)
            if found[0] > best[0]:
                best = found
        if best[0] == len(parts):
            break
    return best


# A one-word title of at least this many letters may be cited by a form that adds or drops an ending of at most
# _ENDING letters ("vertebra" / "vertebral", "benzodiazepines" / "benzodiazepine").
_FORM_MIN_LENGTH = 6
_ENDING = 3


def _word_stem(title: str) -> str | None:
    """The first letters of a one-word title long enough to be cited by another form, else None."""
    return title[:_FORM_MIN_LENGTH] if len(title) >= _FORM_MIN_LENGTH and title.isalpha() else None


def _forms_of_one_word(first: str, second: str) -> bool:
    shorter, longer = sorted((first, second), key=len)
    return longer.startswith(shorter) and len(longer) - len(shorter) <= _ENDING


def _key(text: str) -> str:
    return squash(text).casefold()


def _bare(key: str) -> str:
    # "Loss (of), pregnancy" cites the main term "Loss" whose "(of)" is a nonessential modifier, "Dye(s)"
    # cites "Dye", and "see Antimony" or "Neoplasm, connective tissue" cite "Antimony NEC" and "connective
    # tissue NEC": titles are compared without parenthesised words and without a closing NEC or NOS.
    return _TRAILING_NEC.sub("", squash(_PARENTHESES.sub(" ", key)))
