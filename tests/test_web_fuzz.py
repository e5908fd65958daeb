"""A short schemathesis run against the API (every check it has): the OpenAPI document and the answers agree.

Schemathesis generates requests from /openapi.json (valid ones and, for the negative checks, ones the document
says are invalid), sends them to the app in process, and checks every answer: no 5xx, statuses and bodies as
documented, invalid input refused, 405 with Allow for other methods, and more. A few dozen cases per operation
keep it to seconds; docs/operations.md gives the long run (over 10,000 cases) and its result.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, CheckFunction, load_all_checks
from schemathesis.config import SchemathesisConfig

from medcodes.service import CodeService
from medcodes.web.app import create_app
from tests.test_web_support import web_db

CASES_PER_OPERATION = 20
# Every check schemathesis has, named rather than left to its defaults.
load_all_checks()
EVERY_CHECK: list[CheckFunction] = [c for c in CHECKS.get_all() if not isinstance(c, type)]


def _app() -> FastAPI:
    # Built when the module is collected (schemathesis reads the document then), in a folder removed at exit.
    folder = Path(tempfile.mkdtemp(prefix="medcodes-fuzz-"))
    atexit.register(shutil.rmtree, folder, True)
    return create_app(CodeService.at(web_db(folder)))


# The statuses that count as accepted and as refused, beyond schemathesis' defaults (the long run uses it too).
CONFIG = SchemathesisConfig.from_path(Path(__file__).parent / "schemathesis.toml")
schema = schemathesis.openapi.from_asgi("/openapi.json", _app(), config=CONFIG)


@schema.parametrize()
@settings(max_examples=CASES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_agrees_with_its_openapi_document(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(checks=EVERY_CHECK)
