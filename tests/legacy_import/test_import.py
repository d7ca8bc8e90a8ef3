"""``flowdsl import`` (issues #13, #14): legacy console exports become flows that check,
compile and simulate; references take what the console really passed on; the export's own
model spec checks the params; output a team would keep (golden files); ``check`` on a raw
export says "run flowdsl import" once.

The 54 exports are in tests/data/legacy-console (see tests/data/README.md); the hand-made
cases in cases/ are described where they are used.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from flowdsl.catalog import bundled_catalog
from flowdsl.check.run import Project, analyze
from flowdsl.cli.main import cli
from flowdsl.emit.compiler import compile_definition
from flowdsl.emit.format import format_text
from flowdsl.emit.printer import print_flow
from flowdsl.frontend.importers import import_file
from flowdsl.frontend.legacy import clean_name
from flowdsl.frontend.source import load_source
from flowdsl.simulate.engine import Simulator
from flowdsl.simulate.inputs import prepare

HERE = Path(__file__).parent
LEGACY = sorted((HERE.parents[1] / "tests" / "data" / "legacy-console").glob("*.json"))
GOLDEN = HERE / "golden"
CASES = HERE / "cases"


def comment_above(text: str, line: str) -> str:
    """The comment lines right above ``line`` (stripped), joined as one text."""
    lines = text.splitlines()
    i = next(n for n, ln in enumerate(lines) if ln.strip() == line)
    above: list[str] = []
    while i > 0 and lines[i - 1].lstrip().startswith("#"):
        i -= 1
        above.insert(0, lines[i].strip().removeprefix("# "))
    return " ".join(above)


def imported_text(path: Path) -> str:
    r = import_file(path)
    assert r.workflow is not None
    return print_flow(r.workflow, None, r.notes)


# -- the corpus: all 54 exports ------------------------------------------------------------------
def test_corpus_present() -> None:
    assert len(LEGACY) == 54


@pytest.mark.parametrize("path", LEGACY, ids=lambda p: p.stem)
def test_export_imports_checks_compiles_and_simulates(path: Path) -> None:
    r = import_file(path)
    assert r.workflow is not None and not r.has_errors, [d.message for d in r.diagnostics]
    text = print_flow(r.workflow, None, r.notes)
    checked = analyze(text, Project.bundled(), file=f"{path.stem}.flow.yaml")
    errors = [(d.rule, d.span.line, d.message) for d in checked.diagnostics if d.severity.value == "error"]
    assert errors == []
    wf = checked.workflow
    assert wf is not None
    assert compile_definition(wf) == compile_definition(r.workflow)
    # plausible inputs: every console input has a default (a sample URL or text)
    values = prepare(wf, {})
    assert set(values) == {i.name for i in wf.inputs}
    trace = Simulator(wf, bundled_catalog(), None).run(values, seed=0).trace()
    assert trace["status"] == "completed", trace.get("error")
    # a reference rewritten to .primary hands the next model one URL, not a list
    for step in wf.steps:
        for k, v in (step.params.to_python() if getattr(step, "params", None) else {}).items():  # type: ignore[union-attr]
            if isinstance(v, str) and re.fullmatch(r"\{\{\w+\.primary\}\}", v):
                assert isinstance(trace["steps"][step.id]["params"][k], str), (step.id, k)
    # what import writes is already canonical for fmt
    assert format_text(text) == text


def test_array_outputs_become_primary_with_a_comment() -> None:
    """photomaker returns a list; the console (flow_output_type: image) passed the first file."""
    text = imported_text(next(p for p in LEGACY if p.stem == "linkedin-headshot-ai-image-geneariton-workflow"))
    assert '"{{step2.output}}"' not in text
    assert comment_above(text, 'input_image: "{{step2.primary}}"') == (
        "import: {{step2.output}} -> {{step2.primary}}: photomaker returns a list; the console passed "
        "its first image")
    assert max(map(len, text.splitlines())) <= 100


def test_output_object_key_becomes_a_field() -> None:
    text = imported_text(next(p for p in LEGACY if p.stem == "change-clothes-with-kolors-api"))
    assert comment_above(text, 'image: "{{step1.output.output}}"') == (
        'import: {{step1.output}} -> {{step1.output.output}}: the console passed the "output" field of '
        "kolors-vto's result")


def test_output_object_key_kept_where_the_catalog_types_the_output_as_the_value() -> None:
    """incredibly-fast-whisper: the console read output.text; the catalog types the output as
    that text, so {{step.output}} stays (a .text field would resolve to nothing)."""
    text = imported_text(next(p for p in LEGACY if p.stem == "ai-dubbing-with-lip-sync"))
    assert 'prompt: "{{step2.output}}"' in text and "step2.output.text" not in text
    assert comment_above(text, 'prompt: "{{step2.output}}"') == (
        'import: kept {{step2.output}}: the console passed the "text" field of incredibly-fast-whisper\'s '
        "result, which the catalog types as the whole output (string)")


# -- golden files ------------------------------------------------------------------------------------
GOLDEN_SOURCES = {
    "mood-ai-headshot-generation-workflow": HERE.parents[1] / "tests/data/legacy-console/mood-ai-headshot-generation-workflow.json",
    "change-clothes-with-kolors-api": HERE.parents[1] / "tests/data/legacy-console/change-clothes-with-kolors-api.json",
    "yearbook-style-generation-ai-workflow": HERE.parents[1] / "tests/data/legacy-console/yearbook-style-generation-ai-workflow.json",
    "engine-version-request": CASES / "engine-version-request.json",
}


@pytest.mark.parametrize("name", sorted(GOLDEN_SOURCES))
def test_golden_import(name: str) -> None:
    want = (GOLDEN / f"{name}.flow.yaml").read_text()
    assert imported_text(GOLDEN_SOURCES[name]) == want
    assert format_text(want) == want  # fmt leaves import output as it is


def test_golden_files_show_what_they_are_about() -> None:
    mood = (GOLDEN / "mood-ai-headshot-generation-workflow.flow.yaml").read_text()
    assert "negative_prompt: >-\n" in mood  # a long one-line prompt, folded
    assert comment_above(mood, "name: Playground-v2.5 - Realistic Image Generation") == (
        'import: was "Playground-v2.5 - Playground-v2.5 - Playground-v2.5 - Realistic Image Generation"')
    assert mood.startswith("# flowdsl import of the each::labs console export "
                           "mood-ai-headshot-generation-workflow.json\n")
    engine = (GOLDEN / "engine-version-request.flow.yaml").read_text()
    assert 'outputs:\n  image: "{{edit.primary}}"' in engine  # output_mapping beside the definition
    # required params first, then the schema's order
    assert re.search(r"with:\n\s+prompt: >-\n(.|\n)*aspect_ratio: \"16:9\"\n\s+seed: 7", engine)
    assert 'with: {image_url: "{{gen.primary}}", prompt: make it night, seed: 1}' in engine


# -- the export's own spec ----------------------------------------------------------------------------
EXPECTED_SPEC_FINDINGS = [
    # (rule, line, column, message end, hint)
    ("param-value", 21, 17, '"task" is one of convert_input_to_mp4, convert_input_to_gif, '
     'extract_video_audio_as_mp3, reverse_video; got "extract_audio"', 'did you mean "extract_video_audio_as_mp3"?'),
    ("param-type", 22, 16, '"fps" takes integer, got string "thirty"', "write an integer such as 0"),
    ("unknown-param", 23, 9, 'no parameter "fsp"', 'did you mean "fps"?'),
    ("param-value", 24, 20, '"quality" takes 1..10, got 20', None),
    ("missing-param", 18, 21, 'the required parameter "input_file" is not set', "add input_file under params"),
]


def test_params_are_checked_against_the_exports_spec() -> None:
    """cases/spec-mistakes.json: a hand-made export (toolkit's console spec, shortened) whose
    params break that spec in five ways."""
    r = import_file(CASES / "spec-mistakes.json")
    got = [(str(d.rule), d.span.line, d.span.column, d.message, d.hint) for d in r.diagnostics]
    want = [(rule, line, col, f'model "toolkit" (the export\'s spec): {msg}', hint)
            for rule, line, col, msg, hint in EXPECTED_SPEC_FINDINGS]
    assert got == want
    assert all(d.step == "step1" for d in r.diagnostics)


def test_cli_import_writes_the_flow_and_exits_1_on_errors(tmp_path: Path) -> None:
    out = tmp_path / "spec.flow.yaml"
    res = CliRunner().invoke(cli, ["import", str(CASES / "spec-mistakes.json"), "-o", str(out)])
    assert res.exit_code == 1
    assert "[unknown-param]" in res.stderr and "5 errors" in res.stderr
    assert "fsp: 12" in out.read_text()
    ok = CliRunner().invoke(cli, ["import", str(LEGACY[0]), "-o", str(tmp_path / "ok.flow.yaml")])
    assert ok.exit_code == 0 and ok.stderr == ""


# -- check on a raw export -------------------------------------------------------------------------------
def test_check_on_a_raw_export_is_one_finding() -> None:
    path = next(p for p in LEGACY if p.stem == "ai-dubbing-with-lip-sync")
    found = analyze(path, Project.bundled()).diagnostics
    assert [(str(d.rule), d.span.line, d.span.column) for d in found] == [("legacy-export", 2, 1)]  # the file starts with a blank line, then {
    assert found[0].message == ("this is an export of the older each::labs console, not a workflow: run "
                                "`flowdsl import ai-dubbing-with-lip-sync.json -o ai-dubbing-with-lip-sync.flow.yaml`")
    assert "{{workflow.parameters.x}}" in (found[0].hint or "")


def test_check_cli_on_every_raw_export(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["check", "--format", "json", *map(str, LEGACY)])
    assert res.exit_code == 1
    found = json.loads(res.stdout)
    assert len(found) == 54 and {f["rule"] for f in found} == {"legacy-export"}


def test_a_flow_that_mentions_the_export_keys_is_not_an_export(tmp_path: Path) -> None:
    """No false positive: a flow whose prompt mentions "nodes_json" is an ordinary flow, for
    check and for import."""
    text = 'steps:\n  - id: a\n    pass: \'"nodes_json" and "model_slug"\'\n'
    assert [d.rule for d in analyze(text, Project.bundled(), file="a.flow.yaml").diagnostics] == []
    f = tmp_path / "a.flow.yaml"
    f.write_text(text)
    r = import_file(f)
    assert r.workflow is not None and not r.diagnostics and not r.notes


# -- names ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw,clean", [
    ("Face Analyzer by Each AI by Each AI by Each AI", "Face Analyzer by Each AI"),
    ("Photomaker - Photomaker - Photomaker - Image Generation", "Photomaker - Image Generation"),
    ("Face Analyzer", "Face Analyzer"),
    ("Go Go Gadget", "Go Go Gadget"),  # one repeated word may be meant
    ("Flux Dev", "Flux Dev"),
])
def test_clean_name(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


words = st.lists(st.sampled_from(["Flux", "Dev", "by", "Each", "AI", "-", "Photo", "Maker"]), min_size=1, max_size=6)


@given(words, words, st.integers(2, 5), words)
def test_clean_name_collapses_repeats(head: list[str], phrase: list[str], times: int, tail: list[str]) -> None:
    name = " ".join(head + phrase * times + tail)
    once = clean_name(name)
    assert clean_name(once) == once  # idempotent
    assert len(once) <= len(name)
    w = once.split(" ")
    # no phrase of two or more words is repeated back to back any more
    assert not any(w[i:i + n] == w[i + n:i + 2 * n] for n in range(2, len(w) // 2 + 1)
                   for i in range(len(w) - 2 * n + 1))


# -- robustness: a damaged export is findings, never a traceback --------------------------------------
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=8),
                      st.just("{{step1.output}}"), st.just("{{workflow.parameters.x}}"), st.just("[]"))
json_value = st.recursive(json_leaf, lambda c: st.one_of(st.lists(c, max_size=3),
                                                         st.dictionaries(st.text(max_size=6), c, max_size=3)),
                          max_leaves=8)


def _paths(obj: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, path + (i,))
    return out


SMALL = json.loads((HERE.parents[1] / "tests/data/legacy-console/change-clothes-with-kolors-api.json").read_text())
SMALL_PATHS = [p for p in _paths(SMALL) if p]


@given(st.lists(st.tuples(st.sampled_from(SMALL_PATHS), json_value), min_size=1, max_size=4),
       st.booleans())
def test_damaged_exports_import_without_a_traceback(edits: list[tuple[tuple[Any, ...], Any]], nodes_as_json: bool) -> None:
    import copy
    import tempfile
    doc = copy.deepcopy(SMALL)
    if nodes_as_json:  # damage inside nodes_json too
        doc["nodes_json"] = json.loads(doc["nodes_json"])
    for path, value in edits:
        target: Any = doc
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    if nodes_as_json and not isinstance(doc.get("nodes_json"), str):
        doc["nodes_json"] = json.dumps(doc.get("nodes_json"))
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "damaged.json"
        f.write_text(json.dumps(doc))
        r = import_file(f)  # must not raise
        if r.workflow is not None:
            print_flow(r.workflow, None, r.notes)
        res = CliRunner().invoke(cli, ["import", str(f)])
        assert res.exit_code in (0, 1), res.output


def test_a_flow_with_a_misspelt_model_key_is_not_called_an_export() -> None:
    text = "steps:\n  - id: a\n    model_slug: flux-2-pro\n    params: {prompt: a cat}\n"
    rules = {str(d.rule) for d in analyze(text, Project.bundled(), file="a.flow.yaml").diagnostics}
    assert "legacy-export" not in rules and "schema" in rules
