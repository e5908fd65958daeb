"""A vertebra named by its level, as the clinic and radiology write it ("C2", "T4", "L1"), read in the
classifications' words: the second cervical vertebra.

A spine level is a letter for the region and the vertebra's number within it, counted from the head: C1 to C7
(cervical), T1 to T12 (thoracic), L1 to L5 (lumbar). ICD-10-CM's fracture and injury titles spell the level out
("Fracture of second cervical vertebra", "Fracture of first lumbar vertebra"); where they write it as the clinic
does ("T11-T12 vertebra", "C5-C6 level", "C1 level of cervical spinal cord"), the word as typed matches, and it
stays the first reading: "C2" is also the second component of complement ("C2 deficiency"). The sacrum's segments
are not named so by the classifications ("Fracture of sacrum"), and S1 is also a heart sound: they are left alone.

Two adjacent levels bound a disc, which ICD-10-CM names by the spine's part ("lumbar region", "lumbosacral
region"): ``between`` gives that part, which the engine reads where no name holds the levels as typed.
"""

from __future__ import annotations

from collections.abc import Sequence

from medcodes.search.text import spelled_ordinal

# The region's letter, its name, and its number of vertebrae.
REGIONS: dict[str, tuple[str, int]] = {"c": ("cervical", 7), "t": ("thoracic", 12), "l": ("lumbar", 5)}
# Where one region meets the next: its last level, the next region's first, and the classifications' name for the
# part of the spine between them ("Other intervertebral disc degeneration, lumbosacral region").
JUNCTIONS: dict[tuple[str, str], str] = {
    ("c7", "t1"): "cervicothoracic",
    ("t12", "l1"): "thoracolumbar",
    ("l5", "s1"): "lumbosacral",
}


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


def between(words: Sequence[str]) -> tuple[str, ...]:
    """The part of the spine two adjacent levels bound, as the disc codes name it: ("l4", "l5") -> ("lumbar",),
    ("l5", "s1") -> ("lumbosacral",), ("c7", "t1") -> ("cervicothoracic",); () for any other two words.

    ICD-10-CM names a lumbar or thoracic disc by its region ("Other intervertebral disc displacement, lumbar
    region"), not by the levels people give ("L4-L5 disc herniation"); its dislocations and its cervical discs
    write the levels ("L4/L5 lumbar vertebra", "C5-C6 level"), which the words as typed match (the engine reads the
    region only where no name holds the levels with the query's other words)."""
    if len(words) != 2:
        return ()
    upper, lower = words
    if (junction := JUNCTIONS.get((upper, lower))) is not None:
        return (junction,)
    if not (named(upper) and named(lower)) or upper[0] != lower[0] or int(lower[1:]) != int(upper[1:]) + 1:
        return ()
    return (REGIONS[upper[0]][0],)
