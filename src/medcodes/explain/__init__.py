"""Plain-language explainers: the official structure in words (``facts``) and generated text with provenance.

``facts`` needs no model. ``generate`` asks any OpenAI-compatible chat-completions server (``llm``) with a
prompt grounded in the official facts (``prompt``), checks every answer (``validate``) and keeps explainers
in their own database (``store``), which outlives rebuilds of the main one; ``pack`` moves them between
deployments. ``CodeService`` is the façade: interfaces call its ``explain_*`` and ``*explainer*`` methods.
"""
