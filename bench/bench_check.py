"""Checker benchmark: a full ``flowdsl check`` of 1,000 flows x 20 steps, beside

  (a) libyaml composing the same files (the floor: any YAML tool reads at least this much),
  (b) check-jsonschema validating the compiled JSON definitions against
      flowdsl/schemas/definition.schema.json (schema only, no references, no models),

measured in the same run, plus ``flowdsl --version`` against ``python -c "import yaml"`` and
the wall time of checking one flow.

    python bench/bench_check.py [--flows 1000] [--repeat 3] [--root TREE]

``--root`` benchmarks another checkout of flowdsl (e.g. the base commit, extracted with
``git archive``) with this script, for before/after numbers from the same run conditions.
Issue 16 rows (printed after the above): the JSON corpus in one process, the median of
``flowdsl check one.flow.yaml`` and ``flowdsl --help``, a flow of 20,000 plain top-level
steps, and the CLI's peak RSS against the number of files.

check-jsonschema is a benchmark-only tool (``pip install check-jsonschema``); without it
that row is skipped. Every tool runs as a fresh process, as a user would run it; the
in-process times of the checker (one and all CPUs) are printed too. Targets (issue 3):
full check <= 1.0x check-jsonschema and <= 4x compose; --version <= 2.5x import yaml;
one-flow check <= 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
from bench.gen_corpus import generate  # noqa: E402

# --root: the flowdsl tree under test (read before anything imports flowdsl).
ROOT = Path(sys.argv[sys.argv.index("--root") + 1]).resolve() if "--root" in sys.argv else HERE
sys.path.insert(0, str(ROOT))

SCHEMA = ROOT / "flowdsl" / "schemas" / "definition.schema.json"
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
       "NO_COLOR": "1"}
# What `flowdsl check DIR --format json` does once it runs files through check_files
# (parallel): the CLI command itself belongs to the core; this row shows the checker's cost.
PARALLEL_CHECK = """
import sys
from pathlib import Path
from flowdsl.catalog import load_catalog
from flowdsl.check.run import Project, check_files
from flowdsl import report
files = sorted(Path(sys.argv[1]).rglob("*.flow.yaml"))
results = check_files(files, Project(catalog=load_catalog(Path(sys.argv[1]))))
diags = [d for r in results for d in r.diagnostics]
sys.stdout.write(report.render("json", diags, {r.file: r.source for r in results}))
"""
COMPOSE = """
import sys, yaml
L = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
for p in sys.argv[1:]:
    with open(p, encoding="utf-8") as f:
        yaml.compose(f, Loader=L)
"""


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run(cmd: list[str], ok: tuple[int, ...] = (0,)) -> Callable[[], None]:
    def go() -> None:
        proc = subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd[:4])}... exited {proc.returncode}: "
                             f"{proc.stderr.decode()[-400:]}")
    return go


def median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def peak_rss_mb(cmd: list[str]) -> float | None:
    # Through GNU time: the rusage of a child forked straight from this (large) process
    # counts the pages it shared with us before exec, so it reads the same for any command.
    if not os.path.exists("/usr/bin/time"):
        return None
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], env=ENV, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    return int(proc.stderr.strip().splitlines()[-1]) / 1024


def compile_all(flows: list[Path], out: Path) -> list[Path]:
    from flowdsl.emit.compiler import compile_definition, dumps
    from flowdsl.frontend.source import load_workflow

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for f in flows:
        loaded = load_workflow(f)
        assert loaded.workflow is not None, f
        target = out / (f.name.removesuffix(".flow.yaml") + ".json")
        target.write_text(dumps(compile_definition(loaded.workflow)), encoding="utf-8")
        written.append(target)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flows", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--root", default=str(HERE), help="the flowdsl tree to benchmark")
    args = ap.parse_args()
    ENV["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    print(f"flowdsl under test: {ROOT}")

    corpus = HERE / "bench" / ".corpus"
    flows = generate(corpus, args.flows)
    jsons = compile_all(flows, corpus / "json")
    flow_dir = str(corpus / "flows")
    py = sys.executable
    size = sum(p.stat().st_size for p in flows) / 1e6
    print(f"corpus: {len(flows)} flows x 20 steps ({size:.1f} MB YAML) in {flow_dir}")
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}\n")

    rows: list[tuple[str, float]] = []
    t_compose = best(run([py, "-c", COMPOSE, *map(str, flows)]), args.repeat)
    rows.append(("(a) libyaml compose, 1 process", t_compose))
    t_schema = None
    tool = shutil.which("check-jsonschema")
    if tool:
        t_schema = best(run([tool, "--schemafile", str(SCHEMA), *map(str, jsons)]), args.repeat)
        rows.append(("(b) check-jsonschema on the compiled JSON", t_schema))
    t_cli = best(run([py, "-m", "flowdsl", "check", flow_dir, "--format", "json"], ok=(0, 1)),
                 args.repeat)
    rows.append(("flowdsl check DIR (CLI, full check)", t_cli))
    t_par_proc = best(run([py, "-c", PARALLEL_CHECK, flow_dir]), args.repeat)
    rows.append((f"check_files, fresh process, {os.cpu_count()} workers", t_par_proc))

    from flowdsl.catalog import load_catalog
    from flowdsl.check.perf import tune_gc
    from flowdsl.check.run import Project, check_files

    tune_gc()  # as the CLI does; without it the in-process rows measure the default collector

    t_seq = best(lambda: check_files(flows, Project(catalog=load_catalog()), jobs=1), args.repeat)
    rows.append(("check_files in-process, 1 process", t_seq))
    t_par = best(lambda: check_files(flows, Project(catalog=load_catalog())), args.repeat)
    rows.append((f"check_files in-process, {os.cpu_count()} processes", t_par))

    for label, t in rows:
        print(f"{label:<46} {t:7.3f} s")
    print()
    print(f"full check / compose:            {t_cli / t_compose:5.2f}x CLI, "
          f"{t_par_proc / t_compose:5.2f}x check_files   (target <= 4x)")
    if t_schema:
        print(f"full check / check-jsonschema:   {t_cli / t_schema:5.2f}x CLI, "
              f"{t_par_proc / t_schema:5.2f}x check_files   (target <= 1.0x)")
    else:
        print("full check / check-jsonschema:   n/a (pip install check-jsonschema)")

    reps = max(args.repeat, 5) * 2
    t_version = best(run([py, "-m", "flowdsl", "--version"]), reps)
    t_yaml = best(run([py, "-c", "import yaml"]), reps)
    print(f"flowdsl --version {t_version * 1000:6.0f} ms, python -c 'import yaml' "
          f"{t_yaml * 1000:6.0f} ms: {t_version / t_yaml:4.2f}x   (target <= 2.5x)")
    t_one = best(run([py, "-m", "flowdsl", "check", str(flows[0])], ok=(0, 1)), reps)
    print(f"one-flow check (CLI wall time):  {t_one:5.3f} s   (target <= 0.3 s)")

    # issue 16 -------------------------------------------------------------------------
    print()
    t_json = best(lambda: check_files(jsons, Project(catalog=load_catalog()), jobs=1), args.repeat)
    t_compose_json = best(run([py, "-c", COMPOSE, *map(str, jsons)]), args.repeat)
    print(f"JSON corpus, check_files 1 process {t_json:7.3f} s; libyaml compose {t_compose_json:6.3f} s: "
          f"{t_json / t_compose_json:4.2f}x   (target <= 3x)")
    print(f"YAML corpus, check_files 1 process {t_seq:7.3f} s; libyaml compose {t_compose:6.3f} s: "
          f"{t_seq / t_compose:4.2f}x   (target <= 3x)")
    # The same as a user runs it, like the floor: a fresh process, start-up included.
    for label, corpus_files, floor in (("YAML", flows, t_compose), ("JSON", jsons, t_compose_json)):
        try:
            t_j1 = best(run([py, "-m", "flowdsl", "check", "-j", "1", str(corpus_files[0].parent)],
                            ok=(0, 1)), args.repeat)
        except SystemExit:  # a tree without -j (an older checkout under --root)
            print(f"{label} corpus, flowdsl check -j 1: n/a in this tree")
            continue
        print(f"{label} corpus, flowdsl check -j 1 {t_j1:7.3f} s (fresh process): "
              f"{t_j1 / floor:4.2f}x the compose floor   (target <= 3x)")
    t_cli = dict(rows)["flowdsl check DIR (CLI, full check)"]
    print(f"default CLI, {os.cpu_count()} CPUs          {t_cli:7.3f} s: {t_cli / t_compose:4.2f}x the compose "
          f"floor   (target <= 2.5x with two free cores)")
    t_one_med = median(run([py, "-m", "flowdsl", "check", str(flows[0])], ok=(0, 1)), reps)
    t_help = median(run([py, "-m", "flowdsl", "--help"]), reps)
    print(f"check one.flow.yaml median {t_one_med:5.3f} s (target <= 0.12 s); "
          f"--help median {t_help:5.3f} s (target <= 0.1 s)")
    big = corpus / "big" / "steps20k.flow.yaml"
    big.parent.mkdir(parents=True, exist_ok=True)
    big.write_text("name: big\nsteps:\n" + "".join(f"  - {{id: s{i}, pass: {{}}}}\n" for i in range(20_000)),
                   encoding="utf-8")
    t_big = best(run([py, "-m", "flowdsl", "check", str(big)], ok=(0, 1)), 1)
    print(f"20,000-step flow ({big.stat().st_size / 1e6:.2f} MB), CLI check {t_big:6.2f} s   (target <= 2 s)")
    for n in (10, 100, len(flows)):
        sub = corpus / f"n{n}"
        if not sub.exists():
            sub.mkdir(parents=True)
            for f in flows[:n]:
                (sub / f.name).write_bytes(f.read_bytes())
        rss = peak_rss_mb([py, "-m", "flowdsl", "check", str(sub), "--format", "json"])
        print(f"peak RSS, flowdsl check of {n:5} files: "
              + (f"{rss:7.1f} MB (main process)" if rss is not None else "n/a (no /usr/bin/time)"))


if __name__ == "__main__":
    main()
