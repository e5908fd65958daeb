"""A word people use that the code sets never write, read as the word the vocabularies' names say in its place
(search/lay_words.py)."""

from __future__ import annotations

from pathlib import Path

from medcodes.search import abbreviations, index, lay_words
from medcodes.search.query import parse
from medcodes.store.sqlite import SQLiteStore

from .helpers import code_engine

# Names a vocabulary gives concepts that link to no code, beside the labels they stand for (HPO's layperson names
# are written so: "Broad collarbone" is its "Broad clavicles").
REWRITES = [
    ("Broad collarbone", "Broad clavicles", "hpo"),
    ("Short collarbone", "Short clavicle", "hpo"),
    ("Absent collarbone", "Aplastic clavicle", "hpo"),
    ("Drooping upper eyelid", "Ptosis of upper eyelid", "hpo"),
    ("Bluish lips", "Cyanosis of the lips", "hpo"),
    # A phrase for a phrase: "laugh" goes as well with "nasolabial" as with "fold", and stands for neither.
    ("Deep laugh lines", "Deep nasolabial fold", "hpo"),
    ("Prominent laugh lines", "Prominent nasolabial fold", "hpo"),
    # A proper name is no word anyone's everyday speech puts for another.
    ("Kuttner tumor", "Sclerosing sialadenitis", "ncit"),
    ("Kuttner tumour", "Sclerosing sialadenitis", "ncit"),
    # The abbreviation list spells letters out: its rewrites are read elsewhere.
    ("fx", "fracture", "abbrev-imantsm"),
]
TITLES = {
    "S42.009A": "Fracture of unspecified part of unspecified clavicle, initial encounter for closed fracture",
    "S82.90XA": "Unspecified fracture of unspecified lower leg, initial encounter for closed fracture",
    "T14.8XXA": "Other injury of unspecified body region, initial encounter",
    "H02.409": "Unspecified ptosis of unspecified eyelid",
    "K11.20": "Sialoadenitis, unspecified",
    "R23.0": "Cyanosis",
    "L81.9": "Disorder of pigmentation, unspecified",
}
INDEX_TERMS = {
    "S82.90XA": "Broken, leg (see Fracture, leg)",
    "T14.8XXA": "Broken, bone (see Fracture)",
    # One edit from "bluish" is nothing, two is "bruise": the speller's nearest word, where no other reading is.
    "L81.9": "Bruise, skin",
}


def _with_rewrites(store: SQLiteStore) -> SQLiteStore:
    store.connection.executemany(
        "INSERT INTO rewrites (text, target, source, term, scope) VALUES (?, ?, ?, ?, 'exact')",
        [(name, label, source, "") for name, label, source in REWRITES],
    )
    store.connection.commit()
    return store


def test_forms_of_one_word_are_the_same_word() -> None:
    assert lay_words.same_word("clavicle", "clavicles")
    assert lay_words.same_word("abnormal", "abnormality")
    assert not lay_words.same_word("collarbone", "clavicle")


def test_the_words_a_name_says_in_place_of_its_labels_are_left_over() -> None:
    assert lay_words.leftovers("Broad collarbone", "Broad clavicles") == ({"collarbone"}, {"clavicles"})
    assert lay_words.leftovers("Drooping upper eyelid", "Ptosis of upper eyelid") == ({"drooping"}, {"ptosis"})
    # Short words and the words that join a clause are no words for a word.
    assert lay_words.leftovers("Red eye", "Eye redness") == (set(), {"redness"})
    assert lay_words.leftovers("Eyelid swelling without pain", "Eyelid edema") == ({"swelling", "pain"}, {"edema"})


def test_a_lay_word_is_read_as_the_word_the_code_sets_say() -> None:
    pairs = [(name, label) for name, label, source in REWRITES if source != "abbrev-imantsm"]
    own = {"clavicle", "clavicles", "ptosis", "upper", "eyelid", "fold", "nasolabial", "sialadenitis", "deep"}
    proper = lay_words.names_only(name for name, _ in pairs)
    assert proper == set()  # "Kuttner" is each name's first word: written so, any word is capitalised
    proper = lay_words.names_only([*(name for name, _ in pairs), "Sclerosing Kuttner tumor", "FSGS"])
    assert proper == {"kuttner", "fsgs"}
    read = lay_words.derive(pairs, own, proper)
    # Three names put "collarbone" where their labels say "clavicle"; one alone puts "drooping" for "ptosis".
    assert read["collarbone"] == ["clavicle"]
    assert read["drooping"] == ["ptosis"]
    # "laugh" pairs as well with two words; "kuttner" is written only as a name; "upper" and "eyelid" are said by
    # both sides; "absent" is left over beside "aplastic", which the code sets do not say.
    assert not {"laugh", "lines", "kuttner", "upper", "eyelid", "absent"} & set(read)
    # A word the code sets say themselves is theirs to read, not a lay word.
    assert "collarbone" not in lay_words.derive(pairs, own | {"collarbone"}, proper)
    # Nor is a word paired once, beside other words left over ("absent" and "aplastic" alone would be).
    assert "absent" not in lay_words.derive(pairs, own | {"aplastic"}, proper)


def test_broken_collarbone_finds_the_fracture_of_the_clavicle(tmp_path: Path) -> None:
    steps = (index.write, abbreviations.save, lay_words.save)
    engine = code_engine(tmp_path / "s.db", TITLES, INDEX_TERMS)
    store = _with_rewrites(engine.store)
    for step in steps:
        step(store)
    assert lay_words.load(store) == {"bluish": ["cyanosis"], "collarbone": ["clavicle"], "drooping": ["ptosis"]}
    engine = type(engine)(store)
    found = engine.search(parse("broken collarbone")).hits
    # Before, "collarbone" matched nothing, and "Broken, leg" came first.
    assert found[0].code == "S42.009A"
    found = engine.search(parse("collarbone fracture")).hits
    assert found[0].code == "S42.009A"
    assert ("synonym", "collarbone = clavicle") in [(r.field, r.text) for r in found[0].reasons]
    assert engine.search(parse("drooping eyelid")).hits[0].code == "H02.409"
    # A lay word that found something is no typo: `bluish skin` is not corrected to "bruise skin".
    found_bluish = engine.search(parse("bluish skin"))
    assert found_bluish.hits[0].code == "R23.0"
    assert found_bluish.corrected_query is None
    # "bluish lips" is the whole name the label "Cyanosis of the lips" rewrites, but no code's name says its words
    # together: read as one phrase it found nothing, and the speller made it "bruise lips". Word by word, "bluish"
    # is read as cyanosis.
    found_lips = engine.search(parse("bluish lips"))
    assert found_lips.corrected_query is None
    assert found_lips.hits[0].code == "R23.0"


def test_a_database_built_before_the_lay_words_reads_none(tmp_path: Path) -> None:
    engine = code_engine(tmp_path / "s.db", TITLES, INDEX_TERMS)
    assert lay_words.load(engine.store) == {}
