"""Shared set-up of the web tests: a database built from the hand-written fixtures of several systems.

ICD-10-CM (tests/helpers.py), ICD-10-PCS (axes with definitions), HCPCS (indicators, history), ICD-11
(WHO's licence notice), ICD-9-CM, the GEMs and WHO's ICD-10/ICD-11 tables (crosswalks) are copied into one
release folder under their official names and built the way `medcodes build --from` builds. Building takes a
fraction of a second.
Generated explainers for the code pages are the shipped example answers (tests/test_explain_support.py),
kept in an in-memory explainers store.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from medcodes.explain.prompt import PROMPT_VERSION
from medcodes.explain.store import ExplainerStore
from medcodes.explain.validate import parse_answer
from medcodes.models import Explainer, ExplainerKind, ExplainerStatus, Provenance
from medcodes.service import CodeService, build_database
from medcodes.systems import SystemId
from medcodes.web.pages import highlight
from medcodes.web.urls import code_path, slug
from tests.helpers import FIXTURES, fixture_release
from tests.test_explain_support import answer

# (fixture folder, fixture file) -> the official file name the build recognises.
_OTHER_SYSTEMS = {
    ("icd10pcs", "tables_sample.xml"): "icd10pcs_tables_2026.xml",
    ("icd10pcs", "order_sample.txt"): "icd10pcs_order_2026.txt",
    ("icd10pcs", "definitions_sample.xml"): "icd10pcs_definitions_2026.xml",
    ("hcpcs", "anweb_sample.txt"): "HCPC2026_JAN_ANWEB.txt",
    ("icd11", "simple_tabulation_sample.txt"): "SimpleTabulation-ICD-11-MMS-en.txt",
    ("icd9cm", "CMS32_DESC_LONG_DX.txt"): "CMS32_DESC_LONG_DX.txt",
    ("icd9cm", "CMS32_DESC_SHORT_DX.txt"): "CMS32_DESC_SHORT_DX.txt",
    ("icd9cm", "CMS32_DESC_LONG_SG.txt"): "CMS32_DESC_LONG_SG.txt",
    ("icd9cm", "CMS32_DESC_SHORT_SG.txt"): "CMS32_DESC_SHORT_SG.txt",
    ("gems", "2018_I10gem.txt"): "2018_I10gem.txt",
    ("gems", "2018_I9gem.txt"): "2018_I9gem.txt",
    ("who_maps", "10To11MapToOneCategory.txt"): "10To11MapToOneCategory.txt",
    ("who_maps", "10To11MapToMultipleCategories.txt"): "10To11MapToMultipleCategories.txt",
    ("who_maps", "11To10MapToOneCategory.txt"): "11To10MapToOneCategory.txt",
}


def web_db(folder: Path) -> Path:
    """A database holding the fixtures of every system the web pages show something special for."""
    release = fixture_release(folder / "release")
    for (system, name), official in _OTHER_SYSTEMS.items():
        shutil.copy(FIXTURES / system / name, release / official)
    db = folder / "web.db"
    build_database(db, release)
    return db


def web_service(folder: Path) -> CodeService:
    return CodeService.at(web_db(folder))


EXPLAINER_MODEL = "test-model"
EXPLAINER_CREATED = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)


def example_explainer(
    service: CodeService,
    system: SystemId,
    code: str,
    kind: ExplainerKind,
    *,
    status: ExplainerStatus = ExplainerStatus.GENERATED,
    current: bool = True,
    **sections: object,
) -> Explainer:
    """The shipped example answer of ``kind`` (sections changed by ``sections``) as the explainer of ``code``.

    It is grounded in the code's facts in ``service`` when ``current``; otherwise its facts hash is another
    one, and the service marks it stale.
    """
    draft, problems = parse_answer(answer(kind, **sections), kind)
    assert draft is not None, problems
    grounding = service.explainer_grounding(code, system)
    facts_hash = grounding.facts_hash if grounding is not None and current else "f" * 64
    provenance = Provenance(
        EXPLAINER_MODEL, "llm.example.org/v1", PROMPT_VERSION, facts_hash, "2026", EXPLAINER_CREATED, status
    )
    return Explainer(system, code, kind, draft.sections, provenance)


def explainer_store(*explainers: Explainer) -> ExplainerStore:
    """An in-memory explainers store holding ``explainers`` (the caller closes it)."""
    store = ExplainerStore.memory()
    for explainer in explainers:
        store.save(explainer)
    return store


# ---------------------------------------------------------------------------------------------- URL helpers
def test_slug_of_a_title() -> None:
    assert slug("Type 2 diabetes mellitus without complications") == "type-2-diabetes-mellitus-without-complications"


def test_slug_folds_accents_and_drops_punctuation() -> None:
    assert slug("Ménière's disease, [bilateral]") == "meniere-s-disease-bilateral"


def test_slug_is_cut_at_a_word_boundary() -> None:
    assert slug("word " * 30) == "-".join(["word"] * 16)


def test_code_path_keeps_the_canonical_code() -> None:
    assert code_path(SystemId.ICD10CM, "A15-A19", "Tuberculosis") == "/code/icd10cm/A15-A19-tuberculosis"


def test_highlight_cuts_a_title_into_marked_pieces() -> None:
    pieces = [(p.text, p.marked) for p in highlight("Torus fracture of radius", ((0, 5), (18, 24)))]
    assert pieces == [("Torus", True), (" fracture of ", False), ("radius", True)]


def test_highlight_clips_overlapping_and_out_of_range_spans() -> None:
    pieces = [(p.text, p.marked) for p in highlight("Asthma", ((0, 3), (2, 4), (5, 99)))]
    assert pieces == [("Ast", True), ("h", True), ("m", False), ("a", True)]


# ---------------------------------------------------------------------------------------------- reading pages
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Tags inside a line of text: their edges add no space to the text a test reads.
_INLINE = {"a", "abbr", "b", "code", "em", "i", "mark", "q", "small", "span", "strong"}


@dataclass
class Page:
    """What the tests read from an HTML page: ids, the text under each id, links, scripts, head tags."""

    title: str = ""
    ids: dict[str, str] = field(default_factory=dict)  # id -> text inside the element
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    scripts: list[tuple[dict[str, str], str]] = field(default_factory=list)  # (attributes, content)
    meta: dict[str, str] = field(default_factory=dict)
    head_links: list[dict[str, str]] = field(default_factory=list)
    attributes: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, name, value) of every attribute
    marks: list[str] = field(default_factory=list)

    def link(self, rel: str) -> str:
        return next(attrs["href"] for attrs in self.head_links if attrs.get("rel") == rel)

    def text(self, element_id: str) -> str:
        return " ".join(self.ids[element_id].split())


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open: list[tuple[str, str | None]] = []  # (tag, id)
        self.href: str | None = None
        self.anchor_text: list[str] = []
        self.script: dict[str, str] | None = None
        self.script_text: list[str] = []
        self.in_title = False
        self.in_mark = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.page.attributes += [(tag, name, value) for name, value in values.items()]
        if tag == "meta" and "name" in values:
            self.page.meta[values["name"]] = values.get("content", "")
        elif tag == "link":
            self.page.head_links.append(values)
        elif tag == "a" and "href" in values:
            self.href, self.anchor_text = values["href"], []
        elif tag == "script":
            self.script, self.script_text = values, []
        elif tag == "title":
            self.in_title = True
        elif tag == "mark":
            self.in_mark = True
            self.page.marks.append("")
        if tag not in _INLINE:
            self._space()
        if tag not in _VOID:
            self.open.append((tag, values.get("id")))
            if values.get("id"):
                self.page.ids[values["id"]] = ""

    def _space(self) -> None:
        for _, element_id in self.open:
            if element_id:
                self.page.ids[element_id] += " "

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href is not None:
            self.page.links.append((self.href, " ".join("".join(self.anchor_text).split())))
            self.href = None
        elif tag == "script" and self.script is not None:
            self.page.scripts.append((self.script, "".join(self.script_text)))
            self.script = None
        elif tag == "title":
            self.in_title = False
        elif tag == "mark":
            self.in_mark = False
        if tag not in _INLINE:
            self._space()
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        if self.href is not None:
            self.anchor_text.append(data)
        if self.script is not None:
            self.script_text.append(data)
        if self.in_mark:
            self.page.marks[-1] += data
        for _, element_id in self.open:
            if element_id:
                self.page.ids[element_id] += data


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


# ---------------------------------------------------------------------------------------------- wording
class _Blocks(HTMLParser):
    """The text of a page's <main>, one string per block (a heading, a list item, a paragraph, a table cell)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = [""]
        self.depth = 0  # inside <main> when > 0
        self.spans: list[bool] = []  # for each open <span>: whether it is a badge, a block of its own

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth += 1
        badge = tag == "span" and bool({"badge", "sys"} & set((dict(attrs).get("class") or "").split()))
        if tag == "span":
            self.spans.append(badge)
        if tag not in _INLINE or badge:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1
        badge = tag == "span" and bool(self.spans) and self.spans.pop()
        if tag not in _INLINE or badge:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        if self.depth > 0:
            self.blocks[-1] += data


def blocks(html: str) -> list[str]:
    reader = _Blocks()
    reader.feed(html)
    reader.close()
    return [" ".join(b.split()) for b in reader.blocks if b.strip()]


# A word said twice ("code code"), and "a" before a name said with a vowel sound ("a ICD-10-CM", "a MS-DRG").
_DOUBLED = re.compile(r"\b([A-Za-z]{2,})\s+\1\b", re.IGNORECASE)
_ARTICLE = re.compile(r"(?:^|\s)[Aa] (?:ICD|MS-DRG|MDC)\b|(?:^|\s)[Aa]n (?:HCPCS|CPT)\b")


def wording_slips(html: str, official: Callable[[str], bool]) -> list[str]:
    """Blocks of a page's main text that say a word twice or take the wrong article, where the words are not
    the official text's own (``official(phrase)``: an official title, note or label holds the phrase)."""
    slips = []
    for block in blocks(html):
        found = [m.group(0) for m in _DOUBLED.finditer(block)] + [m.group(0).strip() for m in _ARTICLE.finditer(block)]
        if any(not official(phrase) for phrase in found):
            slips.append(block)
    return slips


def official_text(db: Path) -> Callable[[str], bool]:
    """Whether a phrase is written in a database's official text (titles, designations, notes, property labels)."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    sql = (
        "SELECT EXISTS (SELECT 1 FROM designations WHERE text LIKE :p) OR EXISTS (SELECT 1 FROM notes WHERE text LIKE"
        " :p) OR EXISTS (SELECT 1 FROM properties WHERE label LIKE :p OR definition LIKE :p)"
    )

    def official(phrase: str) -> bool:
        return bool(connection.execute(sql, {"p": f"%{phrase}%"}).fetchone()[0])

    return official
