from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medcodes.service import CodeService
from medcodes.sources import vocabulary_table

HERE = Path(__file__).parent
FIXTURES = HERE / "data"
SHARED_DATA = HERE.parent.parent / "shared" / "data"


# The table the package ships (the embedded default's vocabularies and index priors), for the tests of it.
PACKAGED_VOCABULARY = vocabulary_table.packaged


@pytest.fixture(scope="session", autouse=True)
def _official_fixtures_alone() -> Iterator[None]:
    """Builds from the hand-written fixtures read those files alone, not also the packaged vocabulary table:
    what they test (ranking, similar codes, pages) is pinned to the fixtures, and the table, re-derived from
    the vocabularies, would move it. tests/test_vocabularies.py tests the table with ``PACKAGED_VOCABULARY``;
    builds from ../shared/data read the vocabularies' own files, which come first anyway."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vocabulary_table, "packaged", lambda: None)
        yield


@pytest.fixture
def interruptible() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt here and in the processes a test starts, as in a terminal: a shell that
    runs the tests in the background (``scripts/test &``) starts them with SIGINT ignored, and children inherit
    that."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The official release files in ../shared/data; tests that need them skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"official release files not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def full_db(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built once per test session from every official file in ../shared/data.

    MEDCODES_TEST_FULL_DB names an already built one instead (a developer's shortcut; CI builds it).
    """
    import os

    from medcodes.service import build_database

    prebuilt = os.environ.get("MEDCODES_TEST_FULL_DB")
    if prebuilt:
        return Path(prebuilt)

    db = tmp_path_factory.mktemp("full") / "full.db"
    build_database(db, shared_data)
    return db


@pytest.fixture(scope="session")
def full_service(full_db: Path) -> Iterator[CodeService]:
    """The service over ``full_db``, one per session."""
    service = CodeService.at(full_db)
    yield service
    service.close()


@pytest.fixture(scope="session")
def full_client(full_service: CodeService) -> Iterator[TestClient]:
    """The site and the JSON API over ``full_db`` (no generated explainers)."""
    from medcodes.explain.store import ExplainerStore
    from medcodes.web.app import create_app

    explainers = ExplainerStore.memory()
    with TestClient(create_app(full_service, explainers=explainers)) as client:
        yield client
    explainers.close()
