"""Tests for flowdsl/rules/missing_param.py: fixture cases in cases/missing-param/."""

from __future__ import annotations


from tests.rules.harness import check_text

RULE = "missing-param"


def test_a_misspelt_required_param_is_one_finding_at_the_key() -> None:
    text = ("name: x\nsteps:\n  - id: up\n    model: topaz-upscale-image\n"
            "    with: {image: x.png}\n")
    [d] = check_text(text)
    assert (d.rule, d.span.line, d.span.column) == ("unknown-param", 5, 12)
    assert d.hint == 'did you mean "image_url"? (a required parameter, not given)'


def test_did_you_mean_skips_a_param_already_given() -> None:
    # face_image_url is not image_url (given already) but face_url (required, missing).
    text = ("name: x\nsteps:\n  - id: swap\n    model: kling-face-swap\n"
            "    with: {image_url: a.png, face_image_url: b.png}\n")
    [d] = check_text(text)
    assert d.rule == "unknown-param" and (d.hint or "").startswith('did you mean "face_url"?')


def test_rename_hint_where_the_param_list_is_partial() -> None:
    # topaz-upscale-video's schema is partial: unknown-param stays silent, so missing-param
    # is the one finding and names the rename.
    text = ("name: x\nsteps:\n  - id: up\n    model: topaz-upscale-video\n"
            "    with: {vido: x.mp4}\n")
    found = [(d.rule, d.hint) for d in check_text(text)]
    assert found in ([], [(RULE, 'rename "vido" to "video"')]), found
