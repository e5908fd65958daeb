"""FHIR's error body: an OperationOutcome with one issue, answered with the HTTP status the problem calls for."""

from __future__ import annotations

from typing import Any

from medcodes.errors import Issue

FHIR_JSON = "application/fhir+json"
FHIR_PREFIX = "/fhir"
TX_ISSUE_TYPE = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type"
MESSAGE_ID = "http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id"


def is_fhir(path: str) -> bool:
    return path == FHIR_PREFIX or path.startswith(FHIR_PREFIX + "/")


def issue_json(issue: Issue) -> dict[str, Any]:
    out: dict[str, Any] = {"severity": issue.severity, "code": issue.code}
    details: dict[str, Any] = {"text": issue.text}
    if issue.tx_code:
        details = {"coding": [{"system": TX_ISSUE_TYPE, "code": issue.tx_code}], "text": issue.text}
    out["details"] = details
    if issue.expression:
        # R4 keeps the deprecated `location` beside `expression`; validators read either.
        out["location"] = list(issue.expression)
        out["expression"] = list(issue.expression)
    return out


def operation_outcome(issues: list[Issue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [issue_json(i) for i in issues]}
