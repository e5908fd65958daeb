"""The prompt of a generated explainer: rules, the official facts, one hand-written example of the same kind.

``PROMPT_VERSION`` is stored with every explainer. Bump it whenever the rules, the examples or the way the
facts are written change, so that explainers written under an older prompt can be found and redone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from medcodes.explain.facts import Grounding
from medcodes.explain.llm import Message
from medcodes.explain.schema import ITEM_MAX_CHARS, SCHEMA_VERSION, SECTIONS, TEXT_MAX_CHARS
from medcodes.explain.validate import Problem
from medcodes.models import ExplainerKind, SectionType
from medcodes.systems import SystemId

PROMPT_VERSION = f"explain-1/{SCHEMA_VERSION}"

_RULES = """\
You write plain-language explainers of medical codes for patients, carers and coding staff.

Rules:
1. The official facts below say exactly what the code covers. Stay within them: do not widen or narrow
   the code (add no side, cause, stage, device, approach or body part that the facts do not state), and
   never contradict them.
2. Beyond the facts, give only general, widely accepted medical information about what the code names,
   of the kind found in a hospital's patient leaflet. If you are not sure of something, leave it out.
3. Where something depends on the patient (treatment choices, anesthesia, duration, recovery, outlook,
   coverage), say so plainly, for example "This varies from person to person; the care team decides."
4. Write for a general reader: short sentences, everyday words, and explain any medical term you use.
   Plain text only: no Markdown, no headings, no bullet characters, no numbering inside items.
5. Mention no code except codes that appear in the facts, written exactly as they appear there.
6. Give no doses, strengths, tablet counts or dosing schedules unless the official title states them.
   Name no brands, products, companies, people or websites.
7. Give no statistics, percentages or success rates.
8. This is general information, not medical advice: describe, do not instruct the reader what to do
   about their own care, except to contact a clinician.
9. Answer with one JSON object and nothing else. It has exactly these keys, each one filled in:
{sections}
   A string is at most {text_max} characters. A list holds 2 to 8 short items (steps: up to 12) of at
   most {item_max} characters each; steps are in the order they happen."""


@dataclass(frozen=True, slots=True)
class Example:
    """A hand-written explainer (examples/*.json): a few-shot example and a test fixture."""

    system: SystemId
    code: str
    kind: ExplainerKind
    facts: str
    answer: str  # the sections as the model should answer them: one JSON object


def rules(kind: ExplainerKind) -> str:
    lines = []
    for spec in SECTIONS[kind]:
        shape = "string" if spec.type is SectionType.TEXT else "list of strings"
        if spec.type is SectionType.STEPS:
            shape += ", in order"
        lines.append(f'   - "{spec.key}" ({shape}): {spec.guidance}')
    return _RULES.format(sections="\n".join(lines), text_max=TEXT_MAX_CHARS, item_max=ITEM_MAX_CHARS)


def messages(grounding: Grounding, feedback: Sequence[Problem] = ()) -> list[Message]:
    """The chat messages that ask for ``grounding``'s explainer; ``feedback`` lists a rejected answer's problems."""
    out = [Message("system", rules(grounding.kind))]
    example = examples().get(grounding.kind)
    if example is not None:
        out.append(Message("user", _ask(example.facts)))
        out.append(Message("assistant", example.answer))
    ask = _ask(grounding.text)
    if feedback:
        problems = "\n".join(f"- {p}" for p in feedback)
        ask += (
            "\n\nA previous answer for this code was rejected for these reasons:\n"
            f"{problems}\nWrite a new answer that follows every rule."
        )
    out.append(Message("user", ask))
    return out


def _ask(facts: str) -> str:
    return f"Official facts:\n{facts}\n\nWrite the explainer of this code as one JSON object."


@cache
def examples() -> dict[ExplainerKind, Example]:
    """The hand-written examples shipped in ``medcodes/explain/examples``, one per kind."""
    out: dict[ExplainerKind, Example] = {}
    folder = resources.files("medcodes.explain") / "examples"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        example = parse_example(entry.read_text(encoding="utf-8"))
        out.setdefault(example.kind, example)
    return out


def parse_example(text: str) -> Example:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("an example is one JSON object")
    facts = value["facts"]
    return Example(
        SystemId(str(value["system"])),
        str(value["code"]),
        ExplainerKind(str(value["kind"])),
        "\n".join(facts) if isinstance(facts, list) else str(facts),
        json.dumps(value["sections"], ensure_ascii=False, indent=1),
    )
