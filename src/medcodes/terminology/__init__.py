"""Terminology operations in FHIR's terms, over the loaded systems and over resources supplied with a request.

Value sets (compose: includes, excludes, filters, other value sets) are evaluated here, codes are looked up,
validated, tested for subsumption and translated; nothing here knows HTTP or JSON. ``web/fhir`` turns FHIR
JSON into these value objects and back.
"""
