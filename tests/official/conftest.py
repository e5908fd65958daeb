"""The official-files tier: every code of each system compared with the publisher's file, read by the tests.

Runs on the database built from ../shared/data (the session's ``full_db``; MEDCODES_TEST_FULL_DB names a
prebuilt one) and skips, with the reason, where the files are absent. Each test records how many items it
compared; the counts are printed at the end of the run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcodes.service import CodeService

CHECKED: dict[str, int] = {}


def checked(what: str, count: int) -> None:
    """Record that ``count`` items of ``what`` were compared with the official file."""
    CHECKED[what] = count


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CHECKED:
        terminalreporter.section("compared with the official files")
        for what, count in CHECKED.items():
            terminalreporter.write_line(f"{count:>10,}  {what}")


@pytest.fixture(scope="session")
def data(shared_data: Path) -> Path:
    return shared_data


@pytest.fixture(scope="session")
def db(full_db: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{full_db}?mode=ro", uri=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def service(full_service: CodeService) -> CodeService:
    return full_service
