"""A vertebra named by its level, as the clinic and radiology write it ("C2", "T4", "L1"), read in the
classifications' words: the second cervical vertebra.

A spine level is a letter for the region and the vertebra's number within it, counted from the head: C1 to C7
(cervical), T1 to T12 (thoracic), L1 to L5 (lumbar). ICD-10-CM's fracture and injury titles spell the level out
("Fracture of second cervical vertebra", "Fracture of first lumbar vertebra"); where they write it as the clinic
does ("T11-T12 vertebra", "C5-C6 level", "C1 level of cervical spinal cord"), the word as typed matches, and it
stays the first reading: "C2" is also the second component of complement ("C2 deficiency"). The sacrum's segments
are not named so by the classifications ("Fracture of sacrum"), and S1 is also a heart sound: they are left alone.
"""

from __future__ import annotations

from medcodes.search.text import spelled_ordinal

# The region's letter, its name, and its number of vertebrae.
REGIONS: dict[str, tuple[str, int]] = {"c": ("cervical", 7), "t": ("thoracic", 12), "l": ("lumbar", 5)}


def named(word: str) -> tuple[str, ...]:
    """The vertebra a spine level names, in words: "c2" -> ("second cervical vertebra",), "l1" -> ("first lumbar
    vertebra",); () for any other word ("c8", a nerve root; "t0"; "c02")."""
    region = REGIONS.get(word[:1])
    if region is None or not word[1:].isdigit() or word[1] == "0":
        return ()
    name, count = region
    number = int(word[1:])
    spelled = spelled_ordinal(number) if number <= count else None
    return (f"{spelled} {name} vertebra",) if spelled else ()
