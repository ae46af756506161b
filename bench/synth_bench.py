"""`make bench`: synth time of this app against a bare EKS baseline, alternating runs, plus output size.

Times whole `python <app>` runs (interpreter, jsii start-up and synthesis), as a user feels
`cdk synth`. The ratio is taken within one run of this script, so machine speed cancels out.
Target: median ratio at most 1.3.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = {"app": [sys.executable, str(ROOT / "app.py")], "baseline": [sys.executable, str(ROOT / "bench" / "baseline_app.py")]}
TARGET_RATIO = 1.3


def synth(name: str, outdir: Path, context: dict[str, str]) -> float:
    env = {**os.environ, "CDK_OUTDIR": str(outdir), "CDK_CONTEXT_JSON": json.dumps(context)}
    env.pop("CDK_DEFAULT_ACCOUNT", None)
    workdir = outdir.with_name(f"{outdir.name}-cwd")  # the app writes dist/ where it runs: never into the repository's
    workdir.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run(APPS[name], cwd=workdir, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(outdir: Path) -> dict[str, int]:
    # The app's cluster stack sits in a stage (a nested assembly): count templates at every level.
    templates = [json.loads(p.read_text()) for p in outdir.rglob("*.template.json")]
    resources = [r for t in templates for r in t.get("Resources", {}).values()]
    assets = [p for p in outdir.rglob("asset.*") if p.parent == outdir or p.parent.name.startswith("assembly-")]
    return {
        "template bytes": sum(p.stat().st_size for p in outdir.rglob("*.template.json")),
        "resources": len(resources),
        "Lambda functions": sum(r["Type"] == "AWS::Lambda::Function" for r in resources),
        "custom resources": sum(r["Type"].startswith("Custom::") or r["Type"] == "AWS::CloudFormation::CustomResource" for r in resources),
        "asset bytes": sum(f.stat().st_size for a in assets for f in ([a] if a.is_file() else a.rglob("*")) if f.is_file()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="synths of each app (default 5)")
    parser.add_argument("-c", dest="context", action="append", default=[], metavar="KEY=VALUE", help="setting for the app, as with cdk -c")
    args = parser.parse_args()
    context = dict(item.split("=", 1) for item in args.context)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    times: dict[str, list[float]] = {name: [] for name in APPS}
    try:
        for run in range(args.runs):
            for name in (APPS if run % 2 == 0 else reversed(list(APPS))):  # alternate the order to spread drift evenly
                outdir = work / f"{name}-{run}"
                times[name].append(synth(name, outdir, context if name == "app" else {}))
        medians = {name: statistics.median(values) for name, values in times.items()}
        sizes = {name: measure(work / f"{name}-0") for name in APPS}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = medians["app"] / medians["baseline"]
    print(f"{'':18}{'app':>14}{'baseline':>14}")
    print(f"{'median synth s':18}{medians['app']:14.2f}{medians['baseline']:14.2f}")
    for key in sizes["app"]:
        print(f"{key:18}{sizes['app'][key]:14,}{sizes['baseline'][key]:14,}")
    print(f"ratio {ratio:.2f} over {args.runs} alternating runs (target <= {TARGET_RATIO})")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
