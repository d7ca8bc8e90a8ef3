"""Tests for flowdsl/rules/missing_param.py: fixture cases in cases/missing-param/."""

from __future__ import annotations


from tests.rules.harness import check_text

RULE = "missing-param"


def test_rename_hint_for_a_near_miss() -> None:
    text = ("name: x\nsteps:\n  - id: up\n    model: topaz-upscale-image\n"
            "    with: {image: x.png}\n")
    [d] = [d for d in check_text(text) if d.rule == RULE]
    assert d.hint == 'rename "image" to "image_url"'
