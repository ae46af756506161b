"""Session-wide fixtures: each named app configuration is synthesized once per worker that needs it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# jsii and the CDK CLI run the `node` they find on PATH: the pinned one (package.json), as under make, also when pytest is run
# by hand. Before tests.synth imports aws_cdk, which starts jsii.
os.environ["PATH"] = f"{Path(__file__).parent.parent / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}"
# jsii unpacks aws-cdk-lib, cdk8s and cdk-nag once into a cache under HOME (its default root, named here). A CLI run in a
# HOME of its own (tests/test_cdk_cli.py) shares it instead of unpacking them again: 5 s of CPU per run.
os.environ.setdefault("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(Path.home() / ".cache" / "aws" / "jsii" / "package-cache"))

from tests.synth import Synthesized, synthesize  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"

# Configurations that together exercise every cluster setting away from its default.
CONFIGURATIONS: dict[str, dict[str, str]] = {
    "default": {},
    "custom": {
        "clusterName": "gpu-lab",
        "region": "eu-west-1",
        "account": "123456789012",
        "kubernetesVersion": "1.34",
        "natGateways": "2",
        "endpointPublicCidrs": "203.0.113.0/24,198.51.100.7/32",
        "adminPrincipalArns": "arn:aws:iam::123456789012:role/PlatformAdmin,arn:aws:iam::123456789012:user/ops",
        "nodegroupName": "gpus",
        "nodeType": "g5.xlarge,g6.xlarge",
        "nodes": "2",  # autoscaling is off: the two runner pods need two GPU nodes up
        "nodesMin": "0",
        "nodesMax": "4",
        "capacityType": "SPOT",
        "nodeVolumeSize": "200",
        "sshPublicKey": str(FIXTURES / "id_ed25519.pub"),
        "sshAllowedCidrs": "10.20.0.0/16",
        "systemNodes": "0",
        "autoscaling": "false",  # no system nodes for the autoscaler to live on
        "namespace": "studioml",
        "gpuTestPods": "true",
        "verifyGpuOnDeploy": "true",
        "runnerImage": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/studio-go-runner:0.14.2",
        "runnerReplicas": "2",
        "runnerCpu": "3",
        "runnerMemory": "10Gi",
        "sqsCredentials": "none",
        "clearTextMessages": "false",
        "nodeMonitoringAgent": "false",  # Container Insights' DCGM exporter owns DCGM instead
        "alarmEmail": "gpu-ops@example.com",
    },
    "arm": {
        "kubernetesVersion": "1.35",
        # The upstream image is x86_64 only (settings.UPSTREAM_RUNNER_REPOSITORY): arm64 needs an own build.
        "runnerImage": "registry.example.com/studio-go-runner-arm64:0.14.2",
        "nodeType": "g5g.xlarge",
        "gpuAmiType": "BOTTLEROCKET_ARM_64_NVIDIA",
        "systemNodes": "3",
        "systemNodeType": "m7g.large",
        "runnerMemory": "5Gi",
        "sqsCredentials": "file",
        "gpuSmokeTest": "false",
        "namespace": "default",  # the runbook's place: neither created nor labelled
        "containerInsights": "false",
    },
    # Also the all-features configuration (checkov's bar, tests/test_security_scan.py): every optional object on.
    "scale": {
        "account": "123456789012",
        "region": "us-east-1",
        "gpuTestPods": "true",
        "verifyGpuOnDeploy": "true",
        "runnerImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/studio-go-runner:0.14.2",
        "nodeType": "g5.xlarge,g6.xlarge",
        "nodes": "0",
        "nodesMin": "0",
        "nodesMax": "4",
        "capacityType": "SPOT",
        "queues": "sqs_train,sqs_eval",
        "createQueues": "true",
        "sqsCredentials": "managed",
        "runnerMaxReplicas": "3",
        "queueLengthPerRunner": "2",
        "warmHours": "Mon-Fri 08:00-18:00 Europe/Berlin",
        "warmRunners": "2",
        "maxMessageAgeMinutes": "30",
    },
}
# EKS Auto Mode: the default and the scale configuration with capacity=automode and nothing else changed (`nodes` has
# no meaning there), so tests/stacks/test_capacity_shapes.py can assert the templates differ only where they must.
CONFIGURATIONS["automode"] = {"capacity": "automode"}
CONFIGURATIONS["automode-scale"] = {**{k: v for k, v in CONFIGURATIONS["scale"].items() if k != "nodes"}, "capacity": "automode"}

# Pipeline mode: the pipeline stack and a stage per target. `direct-prod` is direct mode with the
# settings and environment of the pipeline's `prod` target, to compare the two cluster templates.
CONNECTION_ARN = "arn:aws:codeconnections:us-west-2:123456789012:connection/12345678-1234-1234-1234-123456789012"
PIPELINE_CONFIGURATIONS: dict[str, dict[str, str]] = {
    "pipeline": {
        "pipeline": "true",
        "account": "123456789012",
        "pipelineRepository": "my-org/studio-gpu-cluster",
        "pipelineConnectionArn": CONNECTION_ARN,
        "pipelineTargets": "prod=123456789012/us-west-2,dr=111111111111/eu-west-1",
    },
    "direct-prod": {"account": "123456789012"},
}

# Kubernetes version of each configuration, for schema validation.
KUBERNETES_VERSIONS = {name: context.get("kubernetesVersion", "1.36") for name, context in CONFIGURATIONS.items()}

# Fake SQS credentials in a throw-away HOME: every synth reads `~` from there, and the leak test
# looks for these exact strings in what the synth writes.
CANARY_KEY_ID = "CANARYKEYIDNOTREAL00"
CANARY_SECRET = "canary/secret/access/key/must/not/leak00"
# Another profile and unrelated lines: the runner never reads them, so no synth may carry them (tests/test_leaks.py).
UNREAD_CANARIES = ("OTHER-PROFILE-KEY-ID-NOT-REAL", "other-profile-secret-must-not-leak", "unrelated-config-line-must-not-leak")
CANARY_CREDENTIALS = (f"[default]\naws_access_key_id = {CANARY_KEY_ID}\naws_secret_access_key = {CANARY_SECRET}\n\n"
                      f"[other-team]\naws_access_key_id = {UNREAD_CANARIES[0]}\naws_secret_access_key = {UNREAD_CANARIES[1]}\n")
CANARY_CONFIG = f"[default]\nregion = us-west-2\ncli_pager = {UNREAD_CANARIES[2]}\n\n[profile other-team]\nregion = eu-north-1\n"


def write_canary_home(home: Path) -> Path:
    """`~/.aws` with the canaries, under the default names and under other names (tests/transitions.py moves to those)."""
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-team"):
        (home / ".aws" / f"credentials{suffix}").write_text(CANARY_CREDENTIALS)
        (home / ".aws" / f"config{suffix}").write_text(CANARY_CONFIG)
    return home


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cdk-out")


@pytest.fixture(scope="session")
def canary_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_canary_home(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="session")
def synthesized(synth_root: Path, canary_home: Path):
    """`synthesized("custom")` -> the synthesized cloud assembly (and dist/ manifests) of that configuration."""
    def get(name: str) -> Synthesized:
        context = CONFIGURATIONS[name] if name in CONFIGURATIONS else PIPELINE_CONFIGURATIONS[name]
        return synthesize(name, context, synth_root, environ={"HOME": str(canary_home)})
    return get


# The synthesized template of each configuration, for the stack tests that assert on it.
@pytest.fixture(scope="session")
def default(synthesized):
    return synthesized("default").template()


@pytest.fixture(scope="session")
def custom(synthesized):
    return synthesized("custom").template()


@pytest.fixture(scope="session")
def arm(synthesized):
    return synthesized("arm").template()


@pytest.fixture(scope="session")
def scale(synthesized):
    return synthesized("scale").template()


@pytest.fixture(scope="session")
def automode(synthesized):
    return synthesized("automode").template()


@pytest.fixture(scope="session")
def automode_scale(synthesized):
    return synthesized("automode-scale").template()
