"""`make adopt-queues`: bring the queues a stack once made, and kept when it or a change dropped them, back under the stack.

    python scripts/adopt_queues.py --cdk-out cdk.out --stack GpuCluster-test-eks --stack-path 'prod/GpuCluster-test-eks' \
        --region us-west-2 [--dry-run]

The queues the stack creates (`createQueues`) and their dead-letter queues have DeletionPolicy Retain: `make destroy`, or
taking a queue out of `queues`, leaves them and their messages in the account. They keep their names, so a later deploy
that creates them again fails on "already exists". CloudFormation's automatic import (`--import-existing-resources`) does
not take SQS queues: their primary identifier, QueueUrl, is read-only (CloudFormation user guide,
import-resources-automatically). So this finds, for every retained queue of the synthesized stack that the deployed stack
lacks, the queue of that name in the account, and imports it with `cdk import --resource-mapping`. Then `make deploy`.
Exit 0 when there was nothing to adopt or the import ran; 1 when AWS or the import failed; 2 on bad input.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

ROOT = Path(__file__).resolve().parent.parent
CDK = ROOT / "node_modules" / ".bin" / "cdk"
KEPT = ("Retain", "RetainExceptOnCreate")


def stack_template(cdk_out: Path, stack_name: str) -> dict[str, Any]:
    """The synthesized template of stack `stack_name`, found through the cloud assembly's manifests."""
    for manifest in sorted(cdk_out.rglob("manifest.json")):
        artifacts = json.loads(manifest.read_text()).get("artifacts", {})
        for artifact in artifacts.values():
            properties = artifact.get("properties", {})
            if artifact.get("type") == "aws:cloudformation:stack" and properties.get("stackName") == stack_name:
                template = json.loads((manifest.parent / properties["templateFile"]).read_text())
                if not isinstance(template, dict):
                    raise ValueError(f"{manifest.parent / properties['templateFile']} is no CloudFormation template")
                return template
    raise ValueError(f"{cdk_out} holds no stack {stack_name}: run make synth with the same CDK_ARGS first")


def retained_queues(template: Mapping[str, Any]) -> dict[str, str]:
    """Logical id -> queue name, for every queue the template keeps when it goes (its name spelt out)."""
    return {logical_id: resource["Properties"]["QueueName"] for logical_id, resource in template.get("Resources", {}).items()
            if resource["Type"] == "AWS::SQS::Queue" and resource.get("DeletionPolicy") in KEPT
            and isinstance(resource.get("Properties", {}).get("QueueName"), str)}


def resource_mapping(queues: Mapping[str, str], in_stack: set[str], queue_url: Callable[[str], str | None]) -> dict[str, dict[str, str]]:
    """What `cdk import --resource-mapping` takes: each retained queue the stack lacks and the account has, by its URL."""
    mapping = {}
    for logical_id, name in queues.items():
        if logical_id in in_stack:
            continue
        url = queue_url(name)
        if url:
            mapping[logical_id] = {"QueueUrl": url}
    return mapping


def _aws(region: str) -> tuple[Callable[[str], set[str]], Callable[[str], str | None]]:
    import boto3  # only when talking to AWS: the tests give their own functions
    cloudformation, sqs = boto3.client("cloudformation", region_name=region), boto3.client("sqs", region_name=region)

    def in_stack(stack: str) -> set[str]:
        try:
            pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack)
            return {r["LogicalResourceId"] for page in pages for r in page["StackResourceSummaries"]}
        except cloudformation.exceptions.ClientError as err:
            if "does not exist" in str(err):
                return set()
            raise

    def queue_url(name: str) -> str | None:
        try:
            return sqs.get_queue_url(QueueName=name)["QueueUrl"]
        except sqs.exceptions.QueueDoesNotExist:
            return None

    return in_stack, queue_url


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    dry_run = "--dry-run" in args
    args = [a for a in args if a != "--dry-run"]
    options = dict(zip(args[::2], args[1::2], strict=False))  # an odd count is refused below
    if len(args) % 2 or set(options) != {"--cdk-out", "--stack", "--stack-path", "--region"}:
        print("error: adopt-queues: usage: adopt_queues.py --cdk-out DIR --stack NAME --stack-path PATH --region REGION [--dry-run]",
              file=sys.stderr)
        return 2
    try:
        queues = retained_queues(stack_template(Path(options["--cdk-out"]), options["--stack"]))
    except (OSError, ValueError) as err:
        print(f"error: adopt-queues: {err}", file=sys.stderr)
        return 2
    if not queues:
        print(f"adopt-queues: {options['--stack']} creates no queues (createQueues): nothing to adopt")
        return 0
    try:
        in_stack, queue_url = _aws(options["--region"])
        mapping = resource_mapping(queues, in_stack(options["--stack"]), queue_url)
    except Exception as err:  # botocore's errors: no credentials, no network, access denied
        print(f"error: adopt-queues: cannot read the stack or the queues in {options['--region']}: {err}", file=sys.stderr)
        return 1
    if not mapping:
        print(f"adopt-queues: every queue of {options['--stack']} is in the stack already, or not in the account: nothing to adopt")
        return 0
    for logical_id, identifier in mapping.items():
        print(f"adopt-queues: {queues[logical_id]} -> {logical_id} ({identifier['QueueUrl']})")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(mapping, handle)
    command = [str(CDK), "import", options["--stack-path"], "--app", options["--cdk-out"], "--resource-mapping", handle.name]
    print(f"adopt-queues: {' '.join(command)}")
    if dry_run:
        return 0
    return 0 if subprocess.run(command, check=False).returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
