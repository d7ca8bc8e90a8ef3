"""The fault run: 30% of requests fail (500), drop the connection before or after being
processed, or stall. Deploying 20 flows twice converges with no duplicate workflow and no
partial version; so does a second round of changes with --lock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flowdsl.remote.flowfile import comparable
from tests.remote.conftest import write_flow

N = 20


def check_converged(emu: Any, flows: list[Path], expected_versions: list[str], locked: bool) -> None:
    wfs = list(emu.store.snapshot()["workflows"].values())
    names = [w["name"] for w in wfs]
    assert len(wfs) == N and len(set(names)) == N, "duplicate workflows"
    by_name = {w["name"]: w for w in wfs}
    for f in flows:
        doc = json.loads(f.read_text())
        wf = by_name[doc["name"]]
        assert list(wf["versions"]) == expected_versions, (doc["name"], list(wf["versions"]))
        latest = wf["versions"][expected_versions[-1]]
        # no partial version: the whole definition, labelled with its version id, flags set
        assert latest["definition"] is not None
        assert comparable(latest["definition"]) == comparable(doc["definition"])
        assert latest["definition"]["version"] == expected_versions[-1]
        assert latest["locked"] is locked


def test_deploy_twice_under_faults_converges(make_emulator: Any, project: Path, run: Any) -> None:
    emu = make_emulator(fault_rate=0.3, seed=2024)
    flows = [write_flow(project / "flows", i) for i in range(N)]
    for _ in range(2):
        r = run("deploy", *map(str, flows), "--api-url", emu.base_url)
        assert r.exit_code == 0, r.output
    check_converged(emu, flows, ["v1"], locked=False)

    flows = [write_flow(project / "flows", i, seed=1) for i in range(N)]
    for _ in range(2):
        r = run("deploy", *map(str, flows), "--lock", "--api-url", emu.base_url)
        assert r.exit_code == 0, r.output
    check_converged(emu, flows, ["v1", "v2"], locked=True)

    counts = emu.faults.counts
    assert all(counts[k] > 0 for k in ("error", "drop_before", "drop_after", "slow")), counts
    faulted = sum(counts.values()) / emu.stats.requests
    assert 0.2 < faulted < 0.4
