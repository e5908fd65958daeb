from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medcodes.service import CodeService

HERE = Path(__file__).parent
FIXTURES = HERE / "data"
SHARED_DATA = HERE.parent.parent / "shared" / "data"


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
