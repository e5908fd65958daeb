"""A FHIR R4 terminology server under /fhir: CodeSystem, ValueSet and ConceptMap operations over the loaded
systems, and over code systems, value sets and concept maps a request supplies (``tx-resource``).

``parameters`` reads an operation's input, ``definitions`` turns supplied resources into terminology
value objects, ``resources`` builds the JSON answers, ``operations`` holds the endpoints, ``routes`` lists them.
"""
