"""A second seeded set for the checker, written after round 2 landed and not used while building it
(issue #13's "harder held-out flows"): one realistic mistake per case in a flow that uses a
choice, a parallel step, an http step and typed inputs. Each case lists every finding it must
give: the mistake itself, plus the true consequences of the edit (an input the edit left unread
is an unused-input warning; a duplicated id leaves the old id's references dangling). Nothing
else may be reported, so a new false finding or a cascade fails here."""

from __future__ import annotations

import pytest

from tests.rules.harness import check_text

BASE = '''name: Held-out base
inputs:
  topic: {type: string, required: true}
  mood: {type: string, enum: [calm, epic], default: calm}
  length: {type: integer, minimum: 5, maximum: 10, default: 5}
  narrate: {type: boolean, default: true}
  stability: {type: number, minimum: 0, maximum: 1, default: 0.5}
steps:
  - id: still
    model: nano-banana-pro
    with: {prompt: "{{inputs.topic}}, {{inputs.mood}} light", aspect_ratio: "16:9"}
  - id: clip
    model: kling-2-1-image-to-video
    with: {image_url: "{{still.primary}}", prompt: "slow pan", duration: "{{inputs.length}}"}
  - id: voice
    if: $.inputs.narrate == true
    then:
      - id: speak
        model: elevenlabs-tts
        with: {text: "A story about {{inputs.topic}}", stability: "{{inputs.stability}}"}
    else:
      - {id: silent, pass: {audio: null}}
  - id: both
    parallel:
      - name: Big
        steps:
          - id: big
            model: topaz-upscale-video
            with: {video: "{{clip.primary}}", scale: 2}
      - name: Poster
        steps:
          - id: poster
            model: topaz-upscale-image
            with: {image_url: "{{still.primary}}"}
  - id: report
    http: POST https://hooks.example.com/done
    body: {video: "{{big.primary}}", poster: "{{poster.primary}}"}
    timeout: 30s
outputs:
  video: "{{big.primary}}"
  poster: "{{poster.primary}}"
'''

# (name, text replaced, replacement, every (rule, line) expected)
SEEDS = [
    ('media-type', 'with: {image_url: "{{still.primary}}"}',
     'with: {image_url: "{{clip.primary}}"}',
     [('media-type', 34)]),
    ('typo-ref', 'image_url: "{{still.primary}}", prompt',
     'image_url: "{{stil.primary}}", prompt',
     [('undefined-reference', 14)]),
    ('sibling', 'with: {image_url: "{{still.primary}}"}',
     'with: {image_url: "{{big.primary}}"}',
     [('media-type', 34), ('parallel-sibling-reference', 34)]),
    ('forward', '{{inputs.topic}}, {{inputs.mood}} light',
     '{{inputs.topic}}, {{clip.primary}} light',
     [('forward-reference', 11), ('unused-input', 4)]),
    ('conditional', 'poster: "{{poster.primary}}"\n',
     'poster: "{{poster.primary}}"\n  audio: "{{speak.primary}}"\n',
     [('conditional-reference', 42)]),
    ('range', 'stability: "{{inputs.stability}}"',
     'stability: 1.5',
     [('param-value', 20), ('unused-input', 7)]),
    ('type', 'duration: "{{inputs.length}}"',
     'duration: "five"',
     [('param-type', 14), ('unused-input', 5)]),
    ('model-typo', 'model: kling-2-1-image-to-video',
     'model: kling-2-1-image-to-vide',
     [('unknown-model', 13)]),
    ('missing', 'with: {text: "A story about {{inputs.topic}}", stability',
     'with: {stability',
     [('missing-param', 19)]),
    ('cond-type', '$.inputs.narrate == true',
     '$.inputs.length > "five"',
     [('condition-operator', 16), ('unused-input', 6)]),
    ('cond-undef', '$.inputs.narrate == true',
     '$.inputs.narate == true',
     [('undefined-reference', 16), ('unused-input', 6)]),
    ('cond-enum', '$.inputs.narrate == true',
     '$.inputs.mood == "happy"',
     [('condition-operator', 16), ('unused-input', 6)]),
    ('unquoted', 'image_url: "{{still.primary}}", prompt',
     'image_url: {{still.primary}}, prompt',
     [('schema', 14)]),
    ('dollar', 'prompt: "{{inputs.topic}}, {{inputs.mood}} light"',
     'prompt: "$.inputs.topic"',
     [('dollar-in-template', 11), ('unused-input', 4)]),
    ('timeout', 'timeout: 30s',
     'timeout: 2s',
     [('limit', 38)]),
    ('secret', '    timeout: 30s\n',
     '    timeout: 30s\n    headers: {Authorization: "Bearer sk_live_9f8a7b6c5d4e3f2a1b0c"}\n',
     [('hardcoded-secret', 39)]),
    ('dup', '- id: poster',
     '- id: still',
     [('duplicate-id', 32), ('undefined-reference', 37), ('undefined-reference', 41)]),
    ('tmpl-syntax', '{{inputs.topic}}, {{inputs.mood}} light',
     '{{inputs.topic}, {{inputs.mood}} light',
     [('template-syntax', 11), ('unused-input', 4)]),
    ('field-of-string', 'video: "{{big.primary}}"\n  poster',
     'video: "{{clip.output.url}}"\n  poster',
     [('reference-type', 40)]),
    ('kind-typo', '        model: elevenlabs-tts',
     '        modle: elevenlabs-tts',
     [('schema', 19)]),
    ('input-default', 'maximum: 10, default: 5}',
     'maximum: 10, default: five}',
     [('schema', 5)]),
    ('str-into-int', 'prompt: "slow pan", duration: "{{inputs.length}}"',
     'prompt: "slow pan", duration: "{{inputs.mood}}"',
     [('reference-type', 14), ('unused-input', 5)]),
    ('ratio-num', 'aspect_ratio: "16:9"',
     'aspect_ratio: 16:9',
     [('schema', 11)]),
]


def _findings(text: str) -> set[tuple[str, int]]:
    return {(d.rule, d.span.line) for d in check_text(text)}


def test_base_is_clean() -> None:
    assert _findings(BASE) == set()


@pytest.mark.parametrize("name,old,new,expected", SEEDS, ids=[s[0] for s in SEEDS])
def test_held_out_mistake_is_found(name: str, old: str, new: str,
                                   expected: list[tuple[str, int]]) -> None:
    assert old in BASE
    assert _findings(BASE.replace(old, new, 1)) == set(expected)
