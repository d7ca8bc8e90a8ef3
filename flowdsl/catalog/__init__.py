"""Model catalog: what flowdsl knows about each::labs models.

    from flowdsl.catalog import load_catalog
    catalog = load_catalog(project_dir)          # bundled < cache, + flowdsl.lock check
    spec = catalog.get("flux-2-max")             # ModelSpec | None
    catalog.resolve_alias("Flux Max")            # "flux-2-max"
    catalog.lock_mismatches()                    # [(slug, expected_sha256, actual|None)]

Modules: ``model`` (ModelSpec, Catalog protocol), ``bundled`` (the shipped snapshot,
``api_models``), ``cache`` (local cache + lock files), ``convert`` (API JSON <-> ModelSpec,
media heuristics), ``names`` (alias resolution), ``layered`` (the catalog itself).
"""

from __future__ import annotations

from flowdsl.catalog.bundled import api_models, bundled_slugs, bundled_spec
from flowdsl.catalog.convert import api_to_spec, infer_output_media, infer_param_media, spec_to_api
from flowdsl.catalog.layered import (
    LayeredCatalog,
    bundled_catalog,
    clear_cache_complete,
    load_catalog,
    mark_cache_complete,
)
from flowdsl.catalog.model import Catalog, Media, ModelSpec, OutputType
from flowdsl.catalog.names import normalize_name

__all__ = [
    "Catalog",
    "LayeredCatalog",
    "Media",
    "ModelSpec",
    "OutputType",
    "api_models",
    "api_to_spec",
    "bundled_catalog",
    "bundled_slugs",
    "bundled_spec",
    "clear_cache_complete",
    "infer_output_media",
    "infer_param_media",
    "load_catalog",
    "mark_cache_complete",
    "normalize_name",
    "spec_to_api",
]
