"""The API's slug shape, shared by the client (to look a workflow up by name) and the emulator
(to generate slugs as the API does)."""

from __future__ import annotations

import re
import unicodedata


def slugify(name: str) -> str:
    """Lowercase ASCII words joined by single hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "workflow"
