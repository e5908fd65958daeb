"""The FHIR server checked by clients nobody here wrote, over HTTP on 127.0.0.1.

- ``fhirpy`` (pinned in the dev extra) runs the operations, GET and POST;
- every answer is parsed by ``fhirclient``'s R4 models with ``strict=True`` and by ``fhir.resources``
  (its R4B models: the package has no R4 of its own, and R4B keeps R4's terminology resources);
- ``fhir-kit-client`` (npm, pinned in tests/js/package-lock.json) runs the same operations from Node:
  tests/js/fhir_kit_client.mjs. It skips where Node or the npm packages are missing; .ci/run installs both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medcodes.service import CodeService
from medcodes.web.app import create_app
from tests.helpers import live_server
from tests.test_web_support import web_db

CM = "http://hl7.org/fhir/sid/icd-10-cm"
I9 = "http://hl7.org/fhir/sid/icd-9-cm"
JS = Path(__file__).parent / "js"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    service = CodeService.at(web_db(tmp_path_factory.mktemp("clients")))
    with live_server(create_app(service)) as url:
        yield url + "/fhir"
    service.close()


def parsed(answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` read by both Python model libraries (each raises on anything not valid R4), returned as is."""
    from fhir.resources.R4B import get_fhir_model_class
    from fhirclient.models import fhirelementfactory

    kind = answer["resourceType"]
    model = fhirelementfactory.FHIRElementFactory.instantiate(kind, answer)  # strict by default
    assert model.as_json()["resourceType"] == kind
    get_fhir_model_class(kind).model_validate(answer)
    return answer


def test_fhirpy_reads_the_capability_statement(base: str) -> None:
    from fhirpy import SyncFHIRClient

    client = SyncFHIRClient(base)
    found = parsed(client.execute("metadata", method="get"))
    assert found["instantiates"] == ["http://hl7.org/fhir/CapabilityStatement/terminology-server"]
    caps = parsed(client.execute("metadata", method="get", params={"mode": "terminology"}))
    assert CM in {cs["uri"] for cs in caps["codeSystem"]}


def test_fhirpy_searches_and_reads_code_systems(base: str) -> None:
    from fhirpy import SyncFHIRClient

    client = SyncFHIRClient(base)
    systems = client.resources("CodeSystem").search(url=CM).fetch()
    assert [s["id"] for s in systems] == ["icd10cm"]
    parsed(client.execute("CodeSystem/icd10cm", method="get"))
    parsed(client.execute("ValueSet/icd10cm", method="get"))
    parsed(client.execute("CodeSystem", method="get"))


def test_fhirpy_lookup_get_and_post(base: str) -> None:
    from fhirpy import SyncFHIRClient

    client = SyncFHIRClient(base)
    got = parsed(client.execute("CodeSystem/$lookup", method="get", params={"system": CM, "code": "E11.9"}))
    posted = parsed(
        client.execute(
            "CodeSystem/$lookup",
            data={
                "resourceType": "Parameters",
                "parameter": [{"name": "coding", "valueCoding": {"system": CM, "code": "E11.9"}}],
            },
        )
    )
    assert _value(got, "display") == _value(posted, "display") == "Type 2 diabetes mellitus without complications"


def test_fhirpy_expand_with_filter_count_and_offset(base: str) -> None:
    from fhirpy import SyncFHIRClient

    client = SyncFHIRClient(base)
    page = parsed(
        client.execute(
            "ValueSet/$expand",
            method="get",
            params={"url": f"{CM}?fhir_vs", "filter": "fracture", "count": 2, "offset": 1},
        )
    )
    assert page["expansion"]["offset"] == 1
    assert len(page["expansion"]["contains"]) <= 2
    posted = parsed(
        client.execute(
            "ValueSet/$expand",
            data={
                "resourceType": "Parameters",
                "parameter": [
                    {
                        "name": "valueSet",
                        "resource": {
                            "resourceType": "ValueSet",
                            "status": "active",
                            "compose": {
                                "include": [
                                    {"system": CM, "filter": [{"property": "concept", "op": "is-a", "value": "E11"}]}
                                ]
                            },
                        },
                    },
                    {"name": "includeDesignations", "valueBoolean": True},
                ],
            },
        )
    )
    assert {c["code"] for c in posted["expansion"]["contains"]} >= {"E11", "E11.9"}


def test_fhirpy_validate_code_subsumes_and_translate(base: str) -> None:
    from fhirpy import SyncFHIRClient

    client = SyncFHIRClient(base)
    valid = parsed(
        client.execute(
            "ValueSet/$validate-code", method="get", params={"url": f"{CM}?fhir_vs", "system": CM, "code": "E11.9"}
        )
    )
    assert _value(valid, "result") is True
    invalid = parsed(client.execute("CodeSystem/$validate-code", method="get", params={"url": CM, "code": "E11.99"}))
    assert _value(invalid, "result") is False
    parsed(next(p["resource"] for p in invalid["parameter"] if p["name"] == "issues"))
    outcome = parsed(
        client.execute("CodeSystem/$subsumes", method="get", params={"system": CM, "codeA": "E11", "codeB": "E11.9"})
    )
    assert _value(outcome, "outcome") == "subsumes"
    mapped = parsed(
        client.execute(
            "ConceptMap/$translate", method="get", params={"system": CM, "code": "E11.9", "targetsystem": I9}
        )
    )
    assert _value(mapped, "result") is True


def test_errors_are_operation_outcomes_the_models_read(base: str) -> None:
    import httpx

    for url in (
        f"{base}/ValueSet/$expand?url=http://example.org/none",
        f"{base}/Patient/1",
        f"{base}/CodeSystem/$lookup?system={CM}&code=E11.99",
    ):
        r = httpx.get(url)
        assert 400 <= r.status_code < 500
        assert parsed(r.json())["resourceType"] == "OperationOutcome"


# ---------------------------------------------------------------------------------------------- Node
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="Node is not installed (apt-get install nodejs npm)")
@pytest.mark.skipif(
    not (JS / "node_modules" / "fhir-kit-client").is_dir(), reason="npm packages missing: run `npm ci` in tests/js"
)
def test_fhir_kit_client_runs_every_operation(base: str) -> None:
    assert NODE is not None
    run = subprocess.run(
        [NODE, str(JS / "fhir_kit_client.mjs"), base], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert results["capabilityStatement"] == "CapabilityStatement"
    assert results["lookupGet"] == results["lookupPost"] == "Type 2 diabetes mellitus without complications"
    assert results["expandGet"][0] == "I21.9"
    assert "E11.9" in results["expandPost"]
    assert results["validateGet"] is True
    assert results["validatePost"] is False
    assert results["translate"] == ["250.00"]
    assert results["unknownStatus"] == 404


def _value(parameters: dict[str, Any], name: str) -> Any:
    p = next(p for p in parameters["parameter"] if p["name"] == name)
    return next(v for k, v in p.items() if k.startswith("value"))
