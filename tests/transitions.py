"""The day-two matrix: every setting of the README table changed, one at a time, from a deployed stack, and what the deploy does.

Each transition is a pair of app configurations (context dicts). tests/test_transitions.py synthesizes both, hands the
pair of templates to `make plan`'s engine (scripts/update_plan.py) and holds that CloudFormation accepts the update and no
resource that holds data is replaced or removed, except where that is the setting's job. The README's "What a change
does" table is generated from the same results (`python -m tests.transitions` prints it after a synth of every pair).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scripts.update_plan import ResourceChange

FIXTURES = Path(__file__).parent / "fixtures"

# Deployed configurations the transitions start from: the default, and the ones a setting only means something in.
QUEUES = {"queues": "sqs_train"}
CREATED_QUEUES = {"queues": "sqs_train,sqs_eval", "createQueues": "true"}
FILE_CREDENTIALS = {"sqsCredentials": "file"}
PRIVATE_ECR_IMAGE = "123456789012.dkr.ecr.us-west-2.amazonaws.com/studio-go-runner:0.14.2"


@dataclass(frozen=True)
class Transition:
    setting: str  # the README table's name of the setting changed
    to: dict[str, str]  # the context after the change (with `start`)
    start: dict[str, str] = field(default_factory=dict)  # the deployed configuration's context
    its_job: str = ""  # why replacing or removing what holds data, or a refused update, is what this change is for
    label: str = ""  # tells two transitions of one setting apart

    @property
    def name(self) -> str:
        return f"{self.setting}{'-' + self.label if self.label else ''}"


def _t(setting: str, value: str, **kwargs) -> Transition:
    return Transition(setting, {setting: value}, **kwargs)


TRANSITIONS: tuple[Transition, ...] = (
    _t("clusterName", "gpu-lab", its_job="a new cluster name is a new cluster (and stack); make plan stops it"),
    _t("region", "eu-west-1", its_job="a stack in another region is a new stack there; the old one stays"),
    _t("account", "123456789012"),
    Transition("kubernetesVersion", {"kubernetesVersion": "1.35"}, start={"kubernetesVersion": "1.34"}, label="1.34-1.35"),
    Transition("kubernetesVersion", {"kubernetesVersion": "1.36"}, start={"kubernetesVersion": "1.35"}, label="1.35-1.36"),
    _t("natGateways", "2"),
    _t("endpointPublicCidrs", "203.0.113.0/24"),
    _t("adminPrincipalArns", "arn:aws:iam::123456789012:role/PlatformAdmin"),
    _t("capacity", "automode"),
    Transition("capacity", {"capacity": "nodegroups"}, start={"capacity": "automode"}, label="back"),
    _t("nodegroupName", "gpus"),
    _t("nodeType", "g5.xlarge"),
    _t("nodes", "2"),
    _t("nodesMin", "0"),
    _t("nodesMax", "5"),
    _t("capacityType", "SPOT"),
    _t("gpuAmiType", "BOTTLEROCKET_x86_64_NVIDIA"),
    _t("nodeVolumeSize", "200"),
    _t("fastImagePull", "true"),
    Transition("sshPublicKey", {"sshPublicKey": str(FIXTURES / "id_ed25519.pub"), "sshAllowedCidrs": "10.20.0.0/16"}),
    Transition("sshAllowedCidrs", {"sshAllowedCidrs": "10.30.0.0/16"},
               start={"sshPublicKey": str(FIXTURES / "id_ed25519.pub"), "sshAllowedCidrs": "10.20.0.0/16"}),
    _t("systemNodes", "3"),
    _t("systemNodeType", "t4g.large"),
    _t("devicePluginVersion", "v0.19.0"),
    _t("gpuSmokeTest", "false"),
    _t("gpuTestPods", "true"),
    _t("verifyGpuOnDeploy", "true"),
    _t("namespace", "ml-runners"),
    _t("runnerImage", "quay.io/leafai/studio-go-runner:0.14.1"),
    _t("runnerReplicas", "2"),
    Transition("runnerGpus", {"runnerGpus": "2", "nodeType": "g4dn.12xlarge"}),
    _t("runnerCpu", "3"),
    _t("runnerMemory", "10Gi"),
    _t("runnerScratchSize", "40Gi"),
    _t("queueMatch", "^sqs_train.*$"),
    _t("cacheSize", "20Gib"),
    _t("clearTextMessages", "false"),
    _t("sqsCredentials", "file"),
    _t("sqsSecretName", "team/sqs-credentials"),
    Transition("sqsCredentialsFile", {"sqsCredentialsFile": "~/.aws/credentials-team"}, start=FILE_CREDENTIALS),
    Transition("sqsConfigFile", {"sqsConfigFile": "~/.aws/config-team"}, start=FILE_CREDENTIALS),
    Transition("ecrCredentialRefresh", {"ecrCredentialRefresh": "false"}, start={"runnerImage": PRIVATE_ECR_IMAGE}),
    _t("autoscaling", "false"),
    _t("queues", "sqs_train"),
    Transition("queues", {"queues": "sqs_train"}, start=CREATED_QUEUES, label="one-fewer"),
    Transition("createQueues", {"createQueues": "true"}, start=QUEUES),
    Transition("runnerMaxReplicas", {"runnerMaxReplicas": "2"}, start=QUEUES),
    Transition("queueLengthPerRunner", {"queueLengthPerRunner": "3"}, start=QUEUES),
    Transition("warmHours", {"warmHours": "Mon-Fri 08:00-18:00 Europe/Berlin"}, start=QUEUES),
    # starts where the warmHours row ends: one synth fewer
    Transition("warmRunners", {"warmRunners": "2"}, start={**QUEUES, "warmHours": "Mon-Fri 08:00-18:00 Europe/Berlin"}),
    _t("nodeMonitoringAgent", "false"),
    _t("containerInsights", "false"),
    _t("alarmEmail", "gpu-ops@example.com"),
    Transition("maxMessageAgeMinutes", {"maxMessageAgeMinutes": "30"}, start=QUEUES),
)

# Settings of the table no transition of the cluster stack covers, and why.
NOT_CLUSTER_SETTINGS = {
    "pipeline": "synthesizes the pipeline stack; its stages deploy the same cluster template (tests/stacks/test_pipeline_stack.py)",
    "pipelineRepository": "a property of the pipeline stack only",
    "pipelineBranch": "a property of the pipeline stack only",
    "pipelineConnectionArn": "a property of the pipeline stack only",
    "pipelineTargets": "where the pipeline deploys: each target is its own stack",
}


def contexts(transition: Transition) -> tuple[dict[str, str], dict[str, str]]:
    """The deployed configuration's context and the changed one's."""
    return dict(transition.start), {**transition.start, **transition.to}


def _what(change: ResourceChange) -> str:
    """`GpuNodesNodegroup` from `GpuNodesNodegroup23F56272`: the construct path a user can find in the code."""
    logical_id = change.logical_id
    return logical_id[:-8] if len(logical_id) > 8 and all(c in "0123456789ABCDEF" for c in logical_id[-8:]) else logical_id


def summary(changes: list[ResourceChange]) -> str:
    """What the deploy does, in a table cell: replacements and removals by name, the rest counted."""
    if not changes:
        return "nothing"
    parts = []
    for action, words in (("replace", "replaces"), ("delete", "deletes"), ("keep", "keeps in the account, out of the stack")):
        named = sorted({_what(c) for c in changes if c.action == action})
        if named:
            parts.append(f"{words} {', '.join(named)}")
    for action, words in (("create", "creates"), ("update", "updates in place")):
        count = sum(c.action == action for c in changes)
        if count:
            parts.append(f"{words} {count}")
    return "; ".join(parts)


def verdict(transition: Transition, changes: list[ResourceChange]) -> str:
    stopping = [c for c in changes if c.stops]
    if not stopping:
        return "deploys, nothing that holds data replaced or removed"
    return f"stopped by make plan: {transition.its_job}" if transition.its_job else "FAILS"


def _shown(setting: str, value: str) -> str:
    """The value as the README shows it: a fixture file by its name, not this checkout's path."""
    return Path(value).name if setting == "sshPublicKey" else value


def what_a_change_does(results: dict[str, list[ResourceChange]]) -> str:
    """The README's table, from the plan of every transition."""
    rows = ["| setting | change | what the deploy does | verdict |", "|---|---|---|---|"]
    for transition in TRANSITIONS:
        start, end = contexts(transition)
        before = ", ".join(f"{k}={_shown(k, v)}" for k, v in start.items() if k not in transition.to)
        change = " ".join(f"`{k}={_shown(k, v)}`" for k, v in transition.to.items())
        rows.append(f"| `{transition.setting}` | {change}{f' (from {before})' if before else ''} | "
                    f"{summary(results[transition.name])} | {verdict(transition, results[transition.name])} |")
    return "\n".join(rows)


def plan_all(root: Path, home: Path) -> dict[str, list[ResourceChange]]:
    """Synthesizes both sides of every transition (each configuration once) and plans every pair."""
    from scripts.update_plan import plan
    from tests.synth import template_of
    environ = {"HOME": str(home)}
    pairs = [tuple(template_of(context, root, environ) for context in contexts(t)) for t in TRANSITIONS]
    return {t.name: changes for t, changes in zip(TRANSITIONS, plan(pairs), strict=True)}


if __name__ == "__main__":  # python -m tests.transitions: the README's table
    import os
    import sys
    import tempfile

    from tests.conftest import write_canary_home
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    with tempfile.TemporaryDirectory() as work, open(os.devnull, "w") as quiet:
        stderr, sys.stderr = sys.stderr, quiet  # each synth's notes
        try:
            table = what_a_change_does(plan_all(Path(work), write_canary_home(Path(work) / "home")))
        finally:
            sys.stderr = stderr
    print(table)
