"""Pages of the indicator store: the external results (``external``)."""

from .external import external_import, external_index, external_province, external_template

__all__ = ["external_import", "external_index", "external_province", "external_template"]
