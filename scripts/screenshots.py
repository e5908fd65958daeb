"""Take the screenshots in docs/screenshots/: home, results and code pages (ICD-10-CM, ICD-10-PCS), at 1280 px
(desktop) and 375 px (phone), with Playwright driving Debian's Chromium against a real server.

    python scripts/screenshots.py --db /path/to/full.db [--out docs/screenshots] [--chromium /usr/bin/chromium]

The database should be one built from the official releases (``medcodes build --from ../shared/data``). The
generated explainers shown are the hand-written examples that ship with medcodes
(``src/medcodes/explain/examples/``: E11.9, 0UT70ZZ, E0601), stored in an in-memory explainers store as
reviewed, with the model name "hand-written example": no model output is committed. Pictures are PNG with
a 256-colour palette where Pillow is installed (a tenth of the size), else as Chromium writes them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from medcodes.explain.prompt import PROMPT_VERSION, examples
from medcodes.explain.store import ExplainerStore
from medcodes.explain.validate import parse_answer
from medcodes.models import Explainer, ExplainerStatus, Provenance
from medcodes.service import CodeService
from medcodes.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
# (file name, path, what to do before the picture)
SHOTS = (
    ("home", "/", None),
    ("results", "/search?q=heart+attack", None),
    ("suggestions", "/", "suggest"),
    ("code-icd10cm", "/code/icd10cm/E11.9", None),
    ("code-icd10pcs", "/code/icd10pcs/0UT70ZZ", None),
    ("similar", "/code/icd10cm/S52.521A/similar", None),
)
WIDTHS = {"desktop": (1280, 900), "phone": (375, 740)}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def explainers(service: CodeService) -> ExplainerStore:
    """The shipped hand-written examples, as reviewed explainers of the codes they are written for."""
    store = ExplainerStore.memory()
    for kind, example in examples().items():
        draft, problems = parse_answer(example.answer, kind)
        grounding = service.explainer_grounding(example.code, example.system)
        if draft is None or grounding is None:
            raise SystemExit(f"the example of {example.code} does not parse: {problems}")
        created = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
        provenance = Provenance(
            "hand-written example",
            "",
            PROMPT_VERSION,
            grounding.facts_hash,
            grounding.release,
            created,
            ExplainerStatus.REVIEWED,
            reviewed_by="medcodes",
            reviewed_at=created,
            origin="hand-written example shipped with medcodes",
        )
        store.save(Explainer(example.system, example.code, kind, draft.sections, provenance))
    return store


def serve(service: CodeService, store: ExplainerStore) -> tuple[str, uvicorn.Server, threading.Thread]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    app = create_app(service, explainers=store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def shrink(path: Path) -> None:
    """Quantise to a 256-colour palette (Pillow, if installed): a page shot is mostly flat colour."""
    try:
        # Optional and untyped here: imported by name so that the type check needs no Pillow installed.
        pil: Any = importlib.import_module("PIL.Image")
    except ImportError:
        return
    with pil.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=pil.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    service = CodeService.at(args.db)
    store = explainers(service)
    base, server, thread = serve(service, store)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            for device, (width, height) in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                for name, path, action in SHOTS:
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    full = action is None
                    if action == "suggest":
                        page.locator("#q").press_sequentially("acute myocardial inf", delay=30)
                        page.locator("#q-listbox [role=option]").first.wait_for()
                        page.locator("#q").press("ArrowDown")
                    target = args.out / f"{name}-{device}.png"
                    # Code pages are long: the first two screens tell what a reader meets first.
                    clip = name.startswith(("code", "similar")) or name == "results"
                    page.screenshot(
                        path=str(target),
                        full_page=full and not clip,
                        clip={"x": 0, "y": 0, "width": width, "height": height * 2} if clip else None,
                    )
                    shrink(target)
                    print(
                        f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
                        f" {target.stat().st_size // 1024} KB"
                    )
                context.close()
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()
        service.close()


if __name__ == "__main__":
    main()
