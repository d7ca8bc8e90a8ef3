"""Generate the benchmark corpus: N flows x 20 steps each (every step kind, nested parallel and
choice), valid against the bundled catalog so that a full check finds nothing to report.

    python bench/gen_corpus.py [--flows 1000] [--out bench/.corpus]

Writes OUT/flows/flow_XXXX.flow.yaml. Deterministic (fixed seed).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

IMAGE_MODELS = ["flux-2-pro", "flux-2-max", "seedream-v4-5", "kling-text-to-image"]
VIDEO_FROM_IMAGE = ["kling-2-1-image-to-video", "wan-v2-6-image-to-video"]


class Flow:
    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.n = 0
        self.lines: list[str] = []
        self.done_images: list[str] = []  # ids of image steps that have certainly run

    def sid(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def emit(self, indent: int, text: str) -> None:
        self.lines.append("  " * indent + text)

    def model(self, indent: int, top: bool) -> None:
        sid = self.sid("img")
        model = self.rnd.choice(IMAGE_MODELS)
        self.emit(indent, f"- id: {sid}")
        self.emit(indent + 1, f"model: {model}")
        self.emit(indent + 1, 'with: {prompt: "{{inputs.prompt}}, variation %d", aspect_ratio: "16:9"}' % self.n)
        if self.rnd.random() < 0.3:
            self.emit(indent + 1, 'fallback: {model: flux-2-pro, with: {prompt: "{{inputs.prompt}}"}}')
        if top:
            self.done_images.append(sid)

    def video(self, indent: int) -> None:
        sid = self.sid("vid")
        src = self.rnd.choice(self.done_images)
        self.emit(indent, f"- id: {sid}")
        self.emit(indent + 1, f"model: {self.rnd.choice(VIDEO_FROM_IMAGE)}")
        self.emit(indent + 1, 'with: {image_url: "{{%s.primary}}", duration: 5}' % src)
        self.emit(indent + 1, "timeout: 10m")

    def http(self, indent: int) -> None:
        sid = self.sid("hook")
        src = self.rnd.choice(self.done_images) if self.done_images else None
        self.emit(indent, f"- id: {sid}")
        self.emit(indent + 1, "http: POST https://hooks.example.com/flow")
        body = '{{%s.primary}}' % src if src else "{{inputs.prompt}}"
        self.emit(indent + 1, f'body: {{asset: "{body}", n: "{{{{inputs.n}}}}"}}')
        self.emit(indent + 1, 'auth: {bearer: "{{inputs.token}}"}')
        self.emit(indent + 1, "timeout: 30s")
        self.emit(indent + 1, "retry: {attempts: 3, backoff: 2, delay: 1s}")

    def python(self, indent: int) -> None:
        sid = self.sid("py")
        self.emit(indent, f"- id: {sid}")
        self.emit(indent + 1, "python: |")
        self.emit(indent + 2, "words = inputs['text'].split()")
        self.emit(indent + 2, "result = {'count': len(words), 'first': words[0] if words else None}")
        self.emit(indent + 1, 'with: {text: "{{inputs.prompt}}"}')

    def pass_(self, indent: int) -> None:
        sid = self.sid("cfg")
        self.emit(indent, f"- id: {sid}")
        self.emit(indent + 1, "pass: {style: cinematic, n: 3}")

    def parallel(self, indent: int) -> int:
        sid = self.sid("par")
        self.emit(indent, f"- id: {sid}")
        self.emit(indent + 1, "parallel:")
        for b in range(2):
            self.emit(indent + 2, f"- name: branch {b}")
            self.emit(indent + 3, "steps:")
            self.model(indent + 4, top=False)
            self.pass_(indent + 4)
        return 5

    def choice(self, indent: int) -> int:
        sid = self.sid("route")
        self.emit(indent, f"- id: {sid}")
        self.emit(indent + 1, 'if: $.inputs.flag == true and ($.inputs.n >= 2 or $.inputs.prompt matches "video")')
        self.emit(indent + 1, "then:")
        self.model(indent + 2, top=False)
        self.emit(indent + 1, "else:")
        self.pass_(indent + 2)
        return 3

    def build(self, index: int, steps: int = 20) -> str:
        self.emit(0, f"name: Bench flow {index}")
        self.emit(0, "description: Generated for the flowdsl benchmarks.")
        self.emit(0, "inputs:")
        self.emit(1, "prompt: {type: string, required: true}")
        self.emit(1, "n: {type: integer, minimum: 1, maximum: 4, default: 2}")
        self.emit(1, "flag: {type: boolean, default: true}")
        self.emit(1, "token: {type: string, required: true}")
        self.emit(0, "defaults: {timeout: 14m, retry: {attempts: 2}}")
        self.emit(0, "steps:")
        count = 0
        self.model(1, top=True)
        count += 1
        while count < steps:
            left = steps - count
            kind = self.rnd.choice(["model", "video", "http", "python", "pass", "parallel", "choice"])
            if kind == "parallel" and left >= 5:
                count += self.parallel(1)
            elif kind == "choice" and left >= 3:
                count += self.choice(1)
            elif kind == "video":
                self.video(1)
                count += 1
            elif kind == "http":
                self.http(1)
                count += 1
            elif kind == "python":
                self.python(1)
                count += 1
            elif kind == "pass":
                self.pass_(1)
                count += 1
            else:
                self.model(1, top=True)
                count += 1
        self.emit(0, "outputs:")
        self.emit(1, 'image: "{{%s.primary}}"' % self.done_images[-1])
        # Every declared input is read somewhere, so the corpus checks clean.
        self.emit(1, 'settings: "{{inputs.n}} {{inputs.flag}} {{inputs.token}}"')
        return "\n".join(self.lines) + "\n"


def generate(out: Path, flows: int, seed: int = 7) -> list[Path]:
    rnd = random.Random(seed)
    target = out / "flows"
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(flows):
        p = target / f"flow_{i:04d}.flow.yaml"
        p.write_text(Flow(rnd).build(i), encoding="utf-8")
        paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--flows", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / ".corpus")
    args = ap.parse_args()
    paths = generate(args.out, args.flows)
    print(f"wrote {len(paths)} flows to {args.out / 'flows'}")


if __name__ == "__main__":
    main()
