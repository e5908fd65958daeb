"""Every FHIR route, in one list, mounted at /fhir by the app (operations before the reads they resemble)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from medcodes.web.fhir.operations import Fhir

_BOTH = ["GET", "POST"]


def fhir_routes(fhir: Fhir) -> list[BaseRoute]:
    return [
        Route("/metadata", fhir.metadata, methods=["GET"]),
        Route("/$versions", fhir.versions, methods=["GET"]),
        Route("/CodeSystem", fhir.code_systems, methods=["GET"]),
        Route("/CodeSystem/$lookup", fhir.lookup, methods=_BOTH),
        Route("/CodeSystem/$validate-code", fhir.validate_in_code_system, methods=_BOTH),
        Route("/CodeSystem/$subsumes", fhir.subsumes, methods=_BOTH),
        Route("/CodeSystem/{id}", fhir.code_system, methods=["GET"]),
        Route("/CodeSystem/{id}/$lookup", fhir.lookup, methods=_BOTH),
        Route("/CodeSystem/{id}/$validate-code", fhir.validate_in_code_system, methods=_BOTH),
        Route("/CodeSystem/{id}/$subsumes", fhir.subsumes, methods=_BOTH),
        Route("/ValueSet", fhir.value_sets, methods=["GET"]),
        Route("/ValueSet/$expand", fhir.expand, methods=_BOTH),
        Route("/ValueSet/$validate-code", fhir.validate_in_value_set, methods=_BOTH),
        Route("/ValueSet/{id}", fhir.value_set, methods=["GET"]),
        Route("/ValueSet/{id}/$expand", fhir.expand, methods=_BOTH),
        Route("/ValueSet/{id}/$validate-code", fhir.validate_in_value_set, methods=_BOTH),
        Route("/ConceptMap/$translate", fhir.translate, methods=_BOTH),
    ]
