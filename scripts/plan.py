"""`make plan`: what deploying this synth over a deployed one would do to each resource, offline; non-zero when it must not go.

    python scripts/plan.py --base BASE --next cdk.out     # BASE: an earlier cdk.out folder, or one template file
    python scripts/plan.py --deployed GpuCluster-test-eks --region us-west-2 [--role-arn ARN] --next cdk.out/assembly-prod

The second form (the pipeline's step before each target) reads the deployed template from CloudFormation instead.
Exit 0 when the deploy may go ahead; 1 when CloudFormation would refuse it (a custom-named resource replaced) or it would
replace or delete a resource that holds data (the cluster, a queue, a key, a secret); 2 on bad input.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Sequence

if __package__ in (None, ""):  # run as a script: make the project's top-level modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.update_plan import ResourceChange, Template, plan  # noqa: E402

# What a replacement or a removal of the stack's resources does, in one word a line starts with.
VERB = {"create": "create", "update": "update", "replace": "REPLACE", "delete": "DELETE", "keep": "keep"}


USAGE = "usage: plan.py --base BASE --next CDK_OUT | --deployed STACK --region REGION [--role-arn ARN] --next DIR"
# A stack whose name changed: CloudFormation deploys it as a new stack beside the old one.
RENAMED = "renamed stack"


class PlanInputError(Exception):
    """Bad input to the plan: one line, exit 2."""


def templates_in(path: Path) -> dict[str, Path]:
    """Stack templates of a cloud assembly folder by `<stage>/<stack name>` (from the assemblies' manifests), or the one file."""
    if path.is_file():
        return {path.name: path}
    if not path.is_dir():
        raise PlanInputError(f"{path} is neither a cdk.out folder nor a template file")
    found = {}
    for manifest in sorted(path.rglob("manifest.json")):
        try:
            artifacts = json.loads(manifest.read_text()).get("artifacts", {})
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise PlanInputError(f"{manifest} is not a cloud assembly manifest") from None
        for artifact in artifacts.values():
            properties = artifact.get("properties", {})
            if artifact.get("type") == "aws:cloudformation:stack" and "templateFile" in properties:
                stage = manifest.parent.name.removeprefix("assembly-") if manifest.parent != path else ""
                found[f"{stage + '/' if stage else ''}{properties.get('stackName')}"] = manifest.parent / properties["templateFile"]
    if not found:
        raise PlanInputError(f"{path} holds no stack templates: give the cdk.out folder of a synth, or a template file")
    return found


def load(path: Path) -> Template:
    try:
        template = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PlanInputError(f"{path} is not a readable JSON template ({err.__class__.__name__})") from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise PlanInputError(f"{path} is not a CloudFormation template (no Resources)")
    return template


def pair_up(base: Path, next_: Path) -> list[tuple[str, Template, Template]]:
    """(stack, deployed, next) for every stack of the synth; a stack BASE lacks is compared with an empty template.

    A stack's template is named after the stack, and the cluster stack's name after `clusterName`: when one assembly folder
    has lost one template and gained another, the two are the same stack renamed, compared as one (and refused in `run`).
    """
    base_templates, next_templates = templates_in(base), templates_in(next_)
    if base.is_file():
        clusters = {k: v for k, v in next_templates.items() if not k.endswith("-pipeline")}
        if len(clusters) != 1:
            raise PlanInputError(f"BASE {base} is one template but the synth has {len(clusters)} cluster stacks "
                                 f"({', '.join(clusters)}): give BASE as the cdk.out folder of the earlier synth")
        (name, path), = clusters.items()
        return [(name, load(base), load(path))]
    pairs = []
    for name, path in next_templates.items():
        if name in base_templates:
            pairs.append((name, load(base_templates[name]), load(path)))
            continue
        folder = str(Path(name).parent)
        gone = [b for b in base_templates if b not in next_templates and str(Path(b).parent) == folder]
        new = [n for n in next_templates if n not in base_templates and str(Path(n).parent) == folder]
        if len(gone) == 1 and len(new) == 1:
            pairs.append((f"{RENAMED} {gone[0]} -> {name}", load(base_templates[gone[0]]), load(path)))
        else:
            pairs.append((name, {"Resources": {}}, load(path)))
    return pairs


def report(stack: str, changes: Sequence[ResourceChange]) -> list[str]:
    counts = {action: sum(c.action == action for c in changes) for action in VERB}
    lines = [f"{stack}: " + ", ".join(f"{n} {'to ' if a != 'keep' else ''}{a}" for a, n in counts.items() if n) if changes
             else f"{stack}: no change"]
    lines += [f"  {'!' if c.stops else ' '} {VERB[c.action]:<7} {c.sentence()}" for c in changes]
    return lines


def run(pairs: Sequence[tuple[str, Template, Template]]) -> int:
    results = plan([(old, new) for _, old, new in pairs])
    stopping: list[ResourceChange] = []
    for (stack, _, _), changes in zip(pairs, results, strict=True):
        print("\n".join(report(stack, changes)))
        stopping += [c for c in changes if c.stops]
    renamed = [stack for stack, _, _ in pairs if stack.startswith(RENAMED)]
    if renamed:
        cluster = next((c for changes in results for c in changes if c.type == "AWS::EKS::Cluster"), None)
        names = f" (cluster {cluster.name_change})" if cluster and cluster.name_change else ""
        print(f"error: plan: the deploy must not go ahead as it is: {renamed[0].removeprefix(RENAMED + ' ')}{names}: the stack's name "
              "follows clusterName, so CloudFormation would create a second cluster in a new stack and leave the old one running. "
              "Keep clusterName, or make destroy the old stack first", file=sys.stderr)
        return 1
    if stopping:
        first = stopping[0]
        why = ("CloudFormation would refuse it" if first.fails else
               f"{first.holds} would stay behind with the old one" if first.old_kept else f"{first.holds} would be lost")
        print(f"error: plan: the deploy must not go ahead as it is: {first.logical_id} ({first.type}"
              f"{' ' + first.name_change if first.name_change else ''}): {why}"
              f"{f' (and {len(stopping) - 1} more, marked !)' if len(stopping) > 1 else ''}", file=sys.stderr)
        return 1
    print("plan: the deploy may go ahead")
    return 0


def deployed_template(stack: str, region: str, role_arn: str | None) -> Template | None:
    """The template CloudFormation holds for `stack` (None if there is no such stack), read as `role_arn` if given."""
    import boto3  # only on this path: the offline plan needs no AWS SDK
    session = boto3.Session(region_name=region)
    if role_arn:
        creds = session.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="plan")["Credentials"]
        session = boto3.Session(region_name=region, aws_access_key_id=creds["AccessKeyId"],
                                aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    client = session.client("cloudformation")
    try:
        body: Any = client.get_template(StackName=stack, TemplateStage="Original")["TemplateBody"]
    except client.exceptions.ClientError as err:
        if "does not exist" in str(err):
            return None
        raise
    return body if isinstance(body, dict) else json.loads(body)


def _args(argv: Sequence[str]) -> dict[str, str]:
    known = {"--base", "--next", "--deployed", "--region", "--role-arn"}
    if len(argv) % 2 or any(flag not in known for flag in argv[::2]):
        raise PlanInputError(USAGE)
    args = dict(zip(argv[::2], argv[1::2], strict=True))  # an odd count was refused above
    if "--next" not in args or ("--base" in args) == ("--deployed" in args) or ("--deployed" in args and "--region" not in args):
        raise PlanInputError(USAGE)
    if not args.get("--base", "x").strip():
        raise PlanInputError("BASE is not set: give the cdk.out folder of the deployed synth, or its template file "
                             "(make plan BASE=path/to/cdk.out)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _args(list(sys.argv[1:] if argv is None else argv))
        if "--base" in args:
            return run(pair_up(Path(args["--base"]).expanduser(), Path(args["--next"])))
        stack, next_dir = args["--deployed"], Path(args["--next"])
        candidates = [p for name, p in templates_in(next_dir).items() if name.split("/")[-1] == stack]
        if len(candidates) != 1:
            raise PlanInputError(f"{next_dir} holds {len(candidates)} templates of stack {stack}: give the stage's assembly folder")
        try:
            deployed = deployed_template(stack, args["--region"], args.get("--role-arn"))
        except Exception as err:  # botocore's errors: no credentials, no network, access denied
            print(f"error: plan: cannot read the deployed template of {stack} in {args['--region']}: {err}", file=sys.stderr)
            return 1
        if deployed is None:
            print(f"plan: {stack} is not deployed in {args['--region']} yet: the deploy creates everything")
            return 0
        return run([(stack, deployed, load(candidates[0]))])
    except PlanInputError as err:
        print(f"error: plan: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:  # the diff engine is missing or failed
        print(f"error: plan: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
