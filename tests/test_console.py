"""The terminal prints official text exactly: square brackets are words, never markup (rich drops "[any part]")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

from medcodes.cli import main
from medcodes.console import line, terminal

from .helpers import fixture_db

SOURCE = Path(__file__).parent.parent / "src" / "medcodes"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_db(tmp_path_factory.mktemp("console"))


def test_show_prints_a_bracketed_title_whole(db: Path) -> None:
    result = CliRunner().invoke(main, ["show", "T40", "--db", str(db)])
    assert result.exit_code == 0
    assert "narcotics and psychodysleptics [hallucinogens]" in result.stdout


def test_search_prints_a_bracketed_title_whole(db: Path) -> None:
    result = CliRunner().invoke(main, ["search", "psychodysleptics", "--db", str(db)])
    assert "psychodysleptics [hallucinogens]" in result.stdout


def test_a_line_keeps_brackets_that_look_like_markup() -> None:
    console = terminal()
    with console.capture() as captured:
        console.print(line(("L02.212", "bold"), " ", "Cutaneous abscess of back [any part, except buttock and flank]"))
        console.print("[bold]not a style[/bold] [link=http://example.org]x[/link]")
    assert captured.get() == (
        "L02.212 Cutaneous abscess of back [any part, except buttock and flank]\n"
        "[bold]not a style[/bold] [link=http://example.org]x[/link]\n"
    )


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) == name or getattr(node.func, "attr", None) == name)
    ]


@pytest.mark.parametrize("module", sorted(SOURCE.rglob("*.py")), ids=lambda p: str(p.relative_to(SOURCE)))
def test_only_the_console_module_makes_consoles_and_nothing_reads_markup(module: Path) -> None:
    """One place prints official text: every console comes from console.terminal(), with markup off."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    if module.name != "console.py" or module.parent != SOURCE:
        assert not _calls(tree, "Console"), f"{module.name} makes a rich Console: use medcodes.console.terminal()"
    assert not _calls(tree, "from_markup"), f"{module.name} reads markup"
    assert not _calls(tree, "render_markup"), f"{module.name} reads markup"
    for column in _calls(tree, "TextColumn"):
        markup = [k for k in column.keywords if k.arg == "markup"]
        assert markup and isinstance(markup[0].value, ast.Constant) and markup[0].value.value is False, (
            f"{module.name}:{column.lineno}: a progress column reads its text as markup unless markup=False"
        )
