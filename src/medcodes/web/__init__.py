"""The website and JSON API: a thin interface over CodeService (``create_app`` in ``medcodes.web.app``)."""
