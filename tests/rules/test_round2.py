"""Issue #13 (checker, round 2): the message and hint text of the new findings."""

from __future__ import annotations

from flowdsl.diagnostics import Diagnostic
from tests.rules.harness import check_text


def findings(text: str, complete: bool = False) -> list[Diagnostic]:
    return check_text(text, complete=complete)


def only(text: str, rule: str, complete: bool = False) -> Diagnostic:
    found = findings(text, complete)
    assert [d.rule for d in found] == [rule], [(d.rule, d.message) for d in found]
    return found[0]


def test_http_method_without_url() -> None:
    d = only("steps:\n  - id: call\n    http: POST\n", "schema")
    assert (d.span.line, d.span.column) == (3, 11)
    assert d.message == 'http "POST" has no URL: write "POST https://..."'


def test_input_type_did_you_mean_and_default_outside_enum() -> None:
    base = "steps:\n  - id: p\n    pass: {a: \"{{inputs.n}}\"}\noutputs:\n  r: \"{{p.output}}\"\n"
    d = only("inputs:\n  n: {type: int}\n" + base, "schema")
    assert (d.span.line, d.span.column) == (2, 13)
    assert 'did you mean "integer"?' in d.message
    d = only("inputs:\n  n: {type: string, enum: [a, b], default: c}\n" + base, "schema")
    assert d.message == 'default "c" of input "n" is not one of its own enum a, b'
    d = only("inputs:\n  n: {type: integer, maximum: 10, default: 20}\n" + base, "schema")
    assert d.message == 'default 20 of input "n" is above its own maximum 10'


def test_implicit_branch_id_duplicate_says_where_it_comes_from() -> None:
    text = ("inputs:\n  hd: boolean\nsteps:\n  - id: pick\n    if: $.inputs.hd == true\n"
            "    then: [{id: big, pass: big}]\n  - id: pick_condition_met\n    pass: {}\n"
            "outputs:\n  a: \"{{pick_condition_met.output}}\"\n")
    d = only(text, "duplicate-id")
    assert (d.span.line, d.span.column) == (7, 9)
    assert "implicit branch" in d.message and "<id>_condition_met" in (d.hint or "")


def test_inputs_attribute_access_says_use_a_subscript() -> None:
    text = ("steps:\n  - id: s\n    python: |\n      result = inputs.text\n    with: {text: hi}\n"
            "outputs:\n  a: \"{{s.output}}\"\n")
    d = only(text, "python-undefined-input")
    assert (d.span.line, d.span.column) == (4, 16) and d.hint == "write inputs['text']"


def test_unquoted_ratio_and_template_are_one_finding_each_with_the_fix() -> None:
    text = ("steps:\n  - id: gen\n    model: flux-2-pro\n    with: {prompt: a, aspect_ratio: 16:9}\n"
            "outputs:\n  a: \"{{gen.primary}}\"\n")
    d = only(text, "schema")
    assert d.message == "YAML reads 16:9 as the number 969: quote it"
    text = ("inputs:\n  image: string\nsteps:\n  - id: up\n    model: topaz-upscale-image\n"
            "    with:\n      image_url: {{inputs.image}}\noutputs:\n  a: \"{{up.primary}}\"\n")
    d = only(text, "schema")
    assert "quote the template" in d.message and d.hint == 'write "{{inputs.image}}"'


def test_kind_typo_is_one_finding_with_did_you_mean_and_no_cascade() -> None:
    text = ("inputs:\n  prompt: string\nsteps:\n  - id: fan\n    paralel:\n      - steps:\n"
            "          - {id: a, model: flux-2-pro, with: {prompt: \"{{inputs.prompt}}\"}}\n"
            "outputs:\n  a: \"{{a.primary}}\"\n  f: \"{{fan.output}}\"\n")
    d = only(text, "schema")
    assert (d.span.line, d.span.column) == (5, 5)
    assert 'did you mean "parallel"?' in d.message


def test_in_without_a_list_and_template_in_condition_say_the_fix() -> None:
    head = "inputs:\n  f: string\nsteps:\n  - id: c\n    if: "
    tail = "\n    then: [{id: a, pass: 1}]\noutputs:\n  o: \"{{inputs.f}}\"\n"
    d = only(head + '$.inputs.f in "video"' + tail, "condition-operator")
    assert d.message == '`in` needs a list: in ["video"]'
    d = only(head + '"{{inputs.f}} == v"' + tail, "condition-syntax")
    assert "$.inputs.f" in d.message and d.hint == "write: $.inputs.f == v"


def test_field_of_a_url_output_says_use_the_output_itself() -> None:
    text = ("steps:\n  - id: up\n    model: topaz-upscale-image\n    with: {image_url: x}\n"
            "outputs:\n  a: \"{{up.output.url}}\"\n")
    d = only(text, "reference-type")
    assert (d.span.line, d.span.column) == (6, 7) and d.hint == "use {{up.output}}: it is the URL itself"


def test_input_range_wider_than_the_param() -> None:
    text = ("inputs:\n  s: {type: integer, minimum: 3, maximum: 20}\nsteps:\n  - id: clip\n"
            "    model: veo-3\n    with: {prompt: a, duration: \"{{inputs.s}}\"}\n"
            "outputs:\n  a: \"{{clip.primary}}\"\n")
    d = only(text, "reference-type")
    assert d.message == 'model "veo-3": "duration" takes 5..15, but {{inputs.s}} allows 3..20'


def test_an_input_read_only_by_a_condition_that_does_not_parse_is_not_unused() -> None:
    text = ("inputs:\n  f: string\nsteps:\n  - id: c\n    if: $.inputs.f in \"video\"\n"
            "    then: [{id: a, pass: 1}]\noutputs:\n  o: \"{{c.output}}\"\n")
    only(text, "condition-operator")


def test_timeout_in_milliseconds_hints_at_units() -> None:
    text = ("steps:\n  - id: call\n    http: https://example.com/x\n    timeout: 30000\n"
            "outputs:\n  a: \"{{call.output}}\"\n")
    d = only(text, "limit")
    assert (d.span.line, d.span.column) == (4, 14)
    assert d.hint is not None and d.hint.startswith("durations are seconds unless written 30s/500ms")


def test_conditional_reference_says_the_engine_fails_the_execution() -> None:
    text = ("inputs:\n  up: boolean\nsteps:\n  - id: c\n    if: $.inputs.up == true\n"
            "    then: [{id: a, pass: 1}]\noutputs:\n  o: \"{{a.output}}\"\n")
    d = only(text, "conditional-reference")
    assert "fails the execution" in d.message
