"""Every setting of the app in one typed model: name, default, meaning, check and message.

Values come from CDK context (`-c key=value` or `cdk.json`), else the environment
variable named in ENV_FALLBACKS, else the default here. Context values given with
`-c` arrive as strings, so numbers, booleans and comma lists are coerced here;
everything past this module receives typed values.

A bad value raises SettingError, which the app prints as one line:
`error: <setting>: <what is wrong>. <what to do>.`
"""
from __future__ import annotations

import difflib
import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Mapping

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo, field_validator,
                      model_validator)
from pydantic.alias_generators import to_camel

from domain.component_versions import DEVICE_PLUGIN, KUBERNETES_VERSIONS, first_unsupported
from domain.runner_sizing import RunnerLimits, SizingError, runner_limits
from domain.instance_types import GpuInstanceType, InstanceTypeError, cpu_architecture, gpu_instance_type
from domain.quantities import GIB, QuantityError, cpu_cores, gib, memory_bytes, runner_cache_bytes
from domain.credential_files import SqsCredentialFiles, SqsCredentialsError, read_sqs_credential_files

SUPPORTED_KUBERNETES_VERSIONS = KUBERNETES_VERSIONS

NVIDIA_AMI_TYPES = {
    "AL2023_x86_64_NVIDIA": "x86_64",
    "AL2023_ARM_64_NVIDIA": "arm64",
    "BOTTLEROCKET_x86_64_NVIDIA": "x86_64",
    "BOTTLEROCKET_ARM_64_NVIDIA": "arm64",
}
END_OF_LIFE_AMI_TYPES = {"AL2_x86_64_GPU", "AL2_x86_64", "AL2_ARM_64"}

MIN_NODE_VOLUME_GIB = 50

# The last studio-go-runner release (git tags 0.14.0-0.14.2; 0.14.3 exists only as 0.14.3-main-...
# pre-release tags, and no plain 0.14.3 image was built); pinned, never `latest`.
DEFAULT_RUNNER_IMAGE = "quay.io/leafai/studio-go-runner:0.14.2"
# The upstream image holds only x86_64 binaries (cmd/runner/Dockerfile.stock at 0.14.2: an amd64 CUDA
# base, /runner/runner-linux-amd64 and -amd64-cpu), so it cannot start on an arm64 node.
UPSTREAM_RUNNER_REPOSITORY = "quay.io/leafai/studio-go-runner"

# What a GPU node keeps for itself (kubelet, container runtime, VPC CNI, kube-proxy, device plugin,
# Pod Identity agent) before the runner can have the rest: 0.5 vCPU, and 1 GiB plus 10% of memory.
NODE_RESERVED_CPU = 0.5
NODE_RESERVED_MEMORY_FIXED = 1 * GIB
NODE_RESERVED_MEMORY_SHARE = 0.10
MIN_CACHE_BYTES = 10**9  # the runner refuses a cache below 1 GB

SQS_CREDENTIAL_MODES = ("secretsmanager", "file", "none", "managed")
ECR_REFRESH_CHOICES = ("auto", "true", "false")
PRIVATE_ECR_IMAGE = re.compile(r"(?P<registry>\d{12}\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?)/.+")

# Settings fall back to these environment variables, in order, before their default.
ENV_FALLBACKS: dict[str, tuple[str, ...]] = {
    "clusterName": ("AWS_CLUSTER_NAME",),
    "region": ("AWS_DEFAULT_REGION", "CDK_DEFAULT_REGION"),
    "account": ("CDK_DEFAULT_ACCOUNT",),
}


class SettingError(ValueError):
    """One bad setting: which one, what is wrong and what to do, in one line."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message

    @property
    def line(self) -> str:
        """What the user sees: `error: <setting>: <what is wrong>. <what to do>.`"""
        end = "" if self.message.endswith((".", "?")) else "."
        return f"error: {self.setting}: {self.message}{end}"


# --- coercion of context strings -------------------------------------------------------------

def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number. Give a count such as 1")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        number = int(value)
    else:
        raise ValueError(f"{value!r} is not a whole number. Give a count such as 1")
    if number < 0:
        raise ValueError(f"{number} is negative. Give 0 or more")
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"{value!r} is not a boolean. Use true or false")


def _comma_list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise ValueError(f"{value!r} is not a single value. Give a string")
    return str(value).strip()


Count = Annotated[int, BeforeValidator(_whole_number)]
Flag = Annotated[bool, BeforeValidator(_boolean)]
CommaList = Annotated[list[str], BeforeValidator(_comma_list)]
Text = Annotated[str, BeforeValidator(_text)]


@dataclass(frozen=True)
class PipelineTarget:
    """One stage of the pipeline: a name and the environment the cluster stack deploys to."""
    name: str
    account: str
    region: str


@dataclass(frozen=True)
class SshPublicKey:
    path: Path
    material: str


def _setting(default: Any = None, *, meaning: str, runbook: str = "", default_text: str | None = None) -> Any:
    """A field with the documentation the README table is generated from."""
    return Field(default=default, description=meaning,
                 json_schema_extra={"runbook": runbook, "default_text": default_text if default_text is not None else _shown(default)})


def _shown(default: Any) -> str:
    if default is None or default == []:
        return "unset"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, list):
        return f"`{','.join(default)}`"
    return f"`{default}`"



class Settings(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=False, extra="forbid", frozen=True)

    # --- the cluster --------------------------------------------------------------------
    cluster_name: Text = _setting("test-eks", meaning="EKS cluster name", runbook="`--name`",
                                  default_text="`$AWS_CLUSTER_NAME`, else `test-eks`")
    region: Text = _setting("us-west-2", meaning="AWS region", runbook="`--region`",
                            default_text="`$AWS_DEFAULT_REGION`, else `$CDK_DEFAULT_REGION`, else `us-west-2`")
    account: Text | None = _setting(None, meaning="AWS account id (12 digits); unset = environment-agnostic template",
                                    default_text="`$CDK_DEFAULT_ACCOUNT`, else unset")
    kubernetes_version: Text = _setting("1.36", meaning=f"Kubernetes version: {', '.join(SUPPORTED_KUBERNETES_VERSIONS)}; "
                                        "the kubectl layer always matches it, and every add-on installed must support it "
                                        "(`domain/component_versions.py`)", runbook="`--version`")
    nat_gateways: Count = _setting(1, meaning="NAT gateways of the new VPC (1 or 2; nodes live in private subnets)",
                                   runbook="eksctl's VPC")
    endpoint_public_cidrs: CommaList = _setting(["0.0.0.0/0"], meaning="who may reach the public API endpoint (comma list of CIDRs)",
                                                runbook="eksctl default `publicAccess=true`")
    admin_principal_arns: CommaList = _setting([], meaning="IAM roles/users given cluster admin through EKS access entries (comma list)",
                                               runbook="`kops get secrets` / kubeconfig hand-over", default_text="unset")

    # --- the GPU nodegroup ----------------------------------------------------------------
    nodegroup_name: Text | None = _setting(None, meaning="GPU managed nodegroup name", runbook="`--nodegroup-name`",
                                           default_text="the cluster name")
    node_type: CommaList = _setting(["g4dn.xlarge"], meaning="GPU instance type; a comma list is allowed (one architecture)",
                                    runbook="`--node-type p2.xlarge`")
    nodes: Count = _setting(1, meaning="desired GPU nodes", runbook="`--nodes`")
    nodes_min: Count = _setting(1, meaning="minimum GPU nodes", runbook="`--nodes-min`")
    nodes_max: Count = _setting(3, meaning="maximum GPU nodes", runbook="`--nodes-max`")
    capacity_type: Text = _setting("ON_DEMAND", meaning="`ON_DEMAND` or `SPOT`", runbook="eksctl default on-demand")
    gpu_ami_type: Text = _setting("AL2023_x86_64_NVIDIA", meaning="NVIDIA AMI type: " + ", ".join(f"`{t}`" for t in NVIDIA_AMI_TYPES),
                                  runbook="marketplace GPU AMI subscription")
    node_volume_size: Count = _setting(100, meaning=f"GiB of disk per GPU node (at least {MIN_NODE_VOLUME_GIB})",
                                       runbook="eksctl default volume")
    ssh_public_key: Text | None = _setting(None, meaning="path to an OpenSSH public key (RSA or ED25519) for the GPU nodes",
                                           runbook="`--ssh-access --ssh-public-key`")
    ssh_allowed_cidrs: CommaList = _setting([], meaning="required with `sshPublicKey`: who may reach port 22 (comma list of CIDRs)",
                                            runbook="eksctl opened 22 to all", default_text="unset")

    # --- the system nodegroup -------------------------------------------------------------
    system_nodes: Count = _setting(2, meaning="CPU nodes for system pods; `0` = none, and then GPU nodes are not tainted",
                                   runbook="(none: system pods ran on the GPU node)")
    system_node_type: Text = _setting("t3.large", meaning="instance type of the system nodes", runbook="")

    # --- GPU checks -----------------------------------------------------------------------
    device_plugin_version: Text = _setting(DEVICE_PLUGIN.version, meaning="NVIDIA device plugin release (not used on Bottlerocket, which ships its own)",
                                           runbook="`kubectl create -f nvidia-device-plugin.yml` (1.0.0-beta4)")
    gpu_smoke_test: Flag = _setting(True, meaning="a Job that runs `nvidia-smi` on a GPU node after each deploy",
                                    runbook="\"GPU Testing\" by hand")
    gpu_test_pods: Flag = _setting(False, meaning="also create the runbook's `tf-gpu` and `nvidia-smi` pods (each with a deadline)",
                                   runbook="the `tf-gpu` and `nvidia-smi` pods")
    verify_gpu_on_deploy: Flag = _setting(False, meaning="the deploy waits for the smoke test and fails if it never succeeds",
                                          runbook="`kubectl exec -it tf-gpu nvidia-smi`")

    # --- the runner -------------------------------------------------------------------------
    namespace: Text = _setting("studioml", meaning="namespace of the runner's objects, created with Pod Security labels; "
                               "`default` (the runbook's) is neither created nor labelled", runbook="`default`")
    runner_image: Text = _setting(DEFAULT_RUNNER_IMAGE, meaning="runner image, pinned to a version tag or digest (never `latest`)",
                                  runbook="`image:` in `examples/aws/deployment.yaml`")
    runner_replicas: Count = _setting(1, meaning="runner pods", runbook="`replicas:` in the example Deployment")
    runner_gpus: Count = _setting(1, meaning="GPUs per runner pod (requests = limits)", runbook="`nvidia.com/gpu: 1`")
    runner_cpu: Text = _setting("2", meaning="CPU per runner pod (requests = limits)", runbook="`cpu: 2`")
    runner_memory: Text = _setting("12Gi", meaning="memory per runner pod (requests = limits); must fit every `nodeType`",
                                   runbook="`memory: 32Gi` (sized for p2.xlarge)")
    runner_scratch_size: Text = _setting("50Gi", meaning="size limit of the runner's `/tmp` (holds the cache); below `nodeVolumeSize`",
                                         runbook="unbounded `/tmp`")
    queue_match: Text = _setting("^sqs_.*$", meaning="`QUEUE_MATCH`: regular expression on the queue names the runner serves",
                                 runbook="`QUEUE_MATCH` in `studioml-env`")
    cache_size: Text = _setting("10Gib", meaning="`CACHE_SIZE` (at least 1 GB; below `runnerScratchSize`)",
                                runbook="`CACHE_SIZE` in `studioml-env`")
    clear_text_messages: Flag = _setting(True, meaning="`CLEAR_TEXT_MESSAGES`: accept unencrypted requests",
                                         runbook="`CLEAR_TEXT_MESSAGES` in `studioml-env`")

    # --- SQS credentials and image pulls ----------------------------------------------------
    sqs_credentials: Text = _setting("secretsmanager", meaning="`secretsmanager` (synced by External Secrets, nothing in the template), "
                                     "`file` (read `~/.aws` at synth: values land in the template) or `none`",
                                     runbook="`kubectl apply` of Secret `studioml-runner-aws-sqs`")
    sqs_secret_name: Text = _setting("studioml-runner/aws-sqs", meaning="Secrets Manager secret read in `secretsmanager` mode "
                                     "(JSON keys `credentials` and `config`; `make sqs-secret` writes it)")
    sqs_credentials_file: Text = _setting("~/.aws/credentials", meaning="read in `file` mode only", runbook="`cat ~/.aws/credentials | base64`")
    sqs_config_file: Text = _setting("~/.aws/config", meaning="read in `file` mode only", runbook="`cat ~/.aws/config | base64`")
    ecr_credential_refresh: Text = _setting("auto", meaning="`true`, `false`, or `auto` = on when `runnerImage` is a private ECR image",
                                            runbook="CronJob `studioml-go-runner-ecr-cred` with pasted keys")

    # --- scaling with the queue --------------------------------------------------------------
    autoscaling: Flag | None = _setting(None, meaning="node autoscaling (cluster-autoscaler) and, with `queues`, runner autoscaling (KEDA)",
                                        runbook="`--nodes-min`/`--nodes-max` (which scaled nothing)",
                                        default_text="`true` when `nodesMax` > `nodesMin`")
    queues: CommaList = _setting([], meaning="SQS queue names the runner serves and KEDA scales on (comma list; each matches `queueMatch`)",
                                 default_text="unset")
    create_queues: Flag = _setting(False, meaning="create those queues in the stack (encrypted, with a dead-letter queue)")
    runner_max_replicas: Count | None = _setting(None, meaning="upper bound of runner pods for KEDA",
                                                 default_text="GPUs of `nodesMax` nodes / `runnerGpus`")
    queue_length_per_runner: Count = _setting(1, meaning="visible messages per runner pod before KEDA adds one")

    # --- continuous delivery -----------------------------------------------------------------
    pipeline: Flag = _setting(False, meaning="synthesize the CDK Pipelines stack instead of the cluster stack")
    pipeline_repository: Text | None = _setting(None, meaning="`owner/name` of the source repository (required with `pipeline`)")
    pipeline_branch: Text = _setting("main", meaning="branch whose pushes run the pipeline")
    pipeline_connection_arn: Text | None = _setting(None, meaning="CodeConnections (CodeStar connection) ARN (required with `pipeline`)")
    pipeline_targets: CommaList = _setting([], meaning="where the pipeline deploys, in order: comma list of `name=account/region`",
                                           default_text="one target `prod` in the pipeline's own account and region")

    _ssh_key: SshPublicKey | None = PrivateAttr(default=None)
    _sqs_files: SqsCredentialFiles | None = PrivateAttr(default=None)

    # --- checks of single values ----------------------------------------------------------
    @field_validator("cluster_name")
    @classmethod
    def _cluster_name(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9A-Za-z][A-Za-z0-9_-]{0,99}", value):
            raise ValueError(f"{value!r} is not a valid EKS cluster name. Use 1 to 100 letters, digits, '-' or '_', "
                             "starting with a letter or digit")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d", value):
            raise ValueError(f"{value!r} is not an AWS region. Use a region name such as us-west-2")
        return value

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{12}", value):
            raise ValueError(f"{value!r} is not an AWS account id. Give the 12-digit account id, or leave it unset")
        return value

    @field_validator("kubernetes_version")
    @classmethod
    def _kubernetes_version(cls, value: str) -> str:
        if value not in SUPPORTED_KUBERNETES_VERSIONS:
            raise ValueError(f"{value} is not supported. Use one of {', '.join(SUPPORTED_KUBERNETES_VERSIONS)}")
        return value

    @field_validator("nat_gateways")
    @classmethod
    def _nat_gateways(cls, value: int) -> int:
        if not 1 <= value <= 2:
            raise ValueError(f"{value} is out of range: nodes in private subnets need a NAT gateway, and the VPC spans 2 zones. Use 1 or 2")
        return value

    @field_validator("endpoint_public_cidrs", "ssh_allowed_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.IPv4Network(cidr, strict=True)
            except ValueError:
                raise ValueError(f"{cidr!r} is not an IPv4 CIDR block. Write it like 203.0.113.0/24") from None
            if "/" not in cidr:
                raise ValueError(f"{cidr!r} has no prefix length. Write it like {cidr}/32")
        return value

    @field_validator("admin_principal_arns")
    @classmethod
    def _principal_arns(cls, value: list[str]) -> list[str]:
        for arn in value:
            if not re.fullmatch(r"arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)/[\w+=,.@/-]+", arn):
                raise ValueError(f"{arn!r} is not an IAM role or user ARN. Write it like arn:aws:iam::123456789012:role/Admin")
        return value

    @field_validator("node_type")
    @classmethod
    def _node_types(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("no instance type is given. Give a GPU instance type such as g4dn.xlarge")
        for name in value:
            try:
                gpu_instance_type(name)
            except InstanceTypeError as err:
                raise ValueError(str(err)) from None
        architectures = {gpu_instance_type(name).architecture for name in value}
        if len(architectures) > 1:
            raise ValueError(f"{','.join(value)} mixes x86_64 and arm64 types. One nodegroup runs one AMI: list types of one architecture")
        return value

    @field_validator("nodes_max")
    @classmethod
    def _nodes_max(cls, value: int) -> int:
        if value == 0:
            raise ValueError("0 leaves no room for any GPU node. Give 1 or more")
        return value

    @field_validator("capacity_type")
    @classmethod
    def _capacity_type(cls, value: str) -> str:
        if value.upper() not in ("ON_DEMAND", "SPOT"):
            raise ValueError(f"{value!r} is not a capacity type. Use ON_DEMAND or SPOT")
        return value.upper()

    @field_validator("gpu_ami_type")
    @classmethod
    def _gpu_ami_type(cls, value: str) -> str:
        if value in END_OF_LIFE_AMI_TYPES:
            raise ValueError(f"{value} is end of life (AL2 AMIs lost support on 2025-11-26). Use AL2023_x86_64_NVIDIA "
                             "or another of " + ", ".join(NVIDIA_AMI_TYPES))
        if value not in NVIDIA_AMI_TYPES:
            raise ValueError(f"{value!r} is not an NVIDIA AMI type. Use one of {', '.join(NVIDIA_AMI_TYPES)}")
        return value

    @field_validator("node_volume_size")
    @classmethod
    def _node_volume_size(cls, value: int) -> int:
        if value < MIN_NODE_VOLUME_GIB:
            raise ValueError(f"{value} GiB is too small for the NVIDIA AMI plus CUDA images. Give at least {MIN_NODE_VOLUME_GIB}")
        return value

    @field_validator("system_node_type")
    @classmethod
    def _system_node_type(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9-]*\.[a-z0-9]+", value):
            raise ValueError(f"{value!r} is not an EC2 instance type. Write it like t3.large")
        return value

    @field_validator("device_plugin_version")
    @classmethod
    def _device_plugin_version(cls, value: str) -> str:
        if not re.fullmatch(r"v\d+\.\d+\.\d+", value):
            raise ValueError(f"{value!r} is not a release tag. Pin a release such as v0.20.0")
        return value

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", value):
            raise ValueError(f"{value!r} is not a Kubernetes namespace name. Use lower-case letters, digits and '-', "
                             "at most 63, starting and ending with a letter or digit")
        if value.startswith("kube-"):  # labelling kube-system for Pod Security would break the cluster's own pods
            raise ValueError(f"{value} belongs to Kubernetes itself. Use studioml (the default) or a namespace of your own")
        return value

    @field_validator("runner_image")
    @classmethod
    def _runner_image(cls, value: str) -> str:
        if "@sha256:" in value:
            return value
        name, _, tag = value.rpartition(":")
        if not name or "/" in tag:
            raise ValueError(f"{value!r} has no tag. Pin a release, such as {DEFAULT_RUNNER_IMAGE}")
        if tag == "latest":
            raise ValueError(f"{value!r} is not pinned: latest changes under a running cluster. Pin a release, such as {DEFAULT_RUNNER_IMAGE}")
        return value

    @field_validator("runner_gpus")
    @classmethod
    def _runner_gpus(cls, value: int) -> int:
        if value == 0:
            raise ValueError("0 GPUs leaves the runner nothing to run on. Give 1 or more")
        return value

    @field_validator("runner_cpu")
    @classmethod
    def _runner_cpu(cls, value: str) -> str:
        try:
            cpu_cores(value)
        except QuantityError as err:
            raise ValueError(str(err)) from None
        return value

    @field_validator("runner_memory", "runner_scratch_size")
    @classmethod
    def _memory(cls, value: str) -> str:
        try:
            memory_bytes(value)
        except QuantityError as err:
            raise ValueError(str(err)) from None
        return value

    @field_validator("queue_match")
    @classmethod
    def _queue_match(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"{value!r} is not a regular expression ({err}). Give one such as ^sqs_.*$") from None
        return value

    @field_validator("cache_size")
    @classmethod
    def _cache_size(cls, value: str) -> str:
        try:
            size = runner_cache_bytes(value)
        except QuantityError as err:
            raise ValueError(str(err)) from None
        if size < MIN_CACHE_BYTES:
            raise ValueError(f"{value} is below the runner's 1 GB minimum. Give 1Gib or more")
        return value

    @field_validator("sqs_credentials")
    @classmethod
    def _sqs_credentials(cls, value: str) -> str:
        if value not in SQS_CREDENTIAL_MODES:
            raise ValueError(f"{value!r} is not a credentials mode. Use one of {', '.join(SQS_CREDENTIAL_MODES)}")
        return value

    @field_validator("sqs_secret_name")
    @classmethod
    def _sqs_secret_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9/_+=.@-]{1,512}", value):
            raise ValueError(f"{value!r} is not a Secrets Manager secret name. Use letters, digits and /_+=.@-")
        return value

    @field_validator("queues")
    @classmethod
    def _queues(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,80}", name):
                raise ValueError(f"{name!r} is not an SQS queue name. Use up to 80 letters, digits, '-' or '_' (FIFO queues are not served)")
        return value

    @field_validator("queue_length_per_runner")
    @classmethod
    def _queue_length_per_runner(cls, value: int) -> int:
        if value == 0:
            raise ValueError("0 would ask for a runner per nothing. Give 1 or more messages per runner")
        return value

    @field_validator("pipeline_repository")
    @classmethod
    def _pipeline_repository(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", value):
            raise ValueError(f"{value!r} is not a repository. Write it as owner/name, like my-org/studio-gpu-cluster")
        return value

    @field_validator("pipeline_connection_arn")
    @classmethod
    def _pipeline_connection_arn(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(
                r"arn:aws(-[a-z]+)*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[0-9a-f-]{36}", value):
            raise ValueError(f"{value!r} is not a CodeConnections ARN. Copy it from the console's connection page: "
                             "arn:aws:codeconnections:<region>:<account>:connection/<id>")
        return value

    @field_validator("pipeline_targets")
    @classmethod
    def _pipeline_targets(cls, value: list[str]) -> list[str]:
        names = set()
        for target in value:
            match = re.fullmatch(r"([A-Za-z][A-Za-z0-9-]*)=(\d{12})/([a-z]{2}(-gov)?-[a-z]+-\d)", target)
            if not match:
                raise ValueError(f"{target!r} is not a target. Write each as name=account/region, like prod=123456789012/us-west-2")
            if match.group(1) in names:
                raise ValueError(f"{match.group(1)} is named twice. Give each target its own name")
            names.add(match.group(1))
        return value

    @field_validator("ecr_credential_refresh")
    @classmethod
    def _ecr_credential_refresh(cls, value: str) -> str:
        if value.lower() not in ECR_REFRESH_CHOICES:
            raise ValueError(f"{value!r} is not one of {', '.join(ECR_REFRESH_CHOICES)}. Use auto unless you know better")
        return value.lower()

    # --- checks across settings -----------------------------------------------------------
    @model_validator(mode="after")
    def _across(self) -> "Settings":
        if self.nodes_min > self.nodes_max:
            raise SettingError("nodesMin", f"{self.nodes_min} is above nodesMax ({self.nodes_max}). Lower nodesMin or raise nodesMax")
        if not self.nodes_min <= self.nodes <= self.nodes_max:
            raise SettingError("nodes", f"{self.nodes} is outside nodesMin..nodesMax ({self.nodes_min}..{self.nodes_max}). "
                               "Give a count in that range")
        ami_architecture = NVIDIA_AMI_TYPES[self.gpu_ami_type]
        wrong = [name for name in self.node_type if gpu_instance_type(name).architecture != ami_architecture]
        if wrong:
            other = next(t for t, arch in NVIDIA_AMI_TYPES.items() if arch != ami_architecture and t.split("_")[0] == self.gpu_ami_type.split("_")[0])
            raise SettingError("nodeType", f"{wrong[0]} is {gpu_instance_type(wrong[0]).architecture} but gpuAmiType "
                               f"{self.gpu_ami_type} is {ami_architecture}. Set gpuAmiType={other} or pick {ami_architecture} node types")
        if self.ssh_public_key is not None and not self.ssh_allowed_cidrs:
            raise SettingError("sshAllowedCidrs", "is required with sshPublicKey. List who may reach port 22, like 203.0.113.0/24")
        if self.ssh_public_key is not None and self.gpu_ami_type.startswith("BOTTLEROCKET"):
            raise SettingError("sshPublicKey", f"{self.gpu_ami_type} nodes run no SSH server. Reach them with Session Manager "
                               "(every node has SSM access), or choose an AL2023 gpuAmiType")
        if self.ssh_allowed_cidrs and self.ssh_public_key is None:
            raise SettingError("sshAllowedCidrs", "is set but sshPublicKey is not. Set sshPublicKey too, or drop sshAllowedCidrs")
        if self.gpu_architecture == "arm64" and self.runner_repository == UPSTREAM_RUNNER_REPOSITORY:
            raise SettingError("nodeType", f"{self.node_type[0]} is arm64, but {self.runner_image} holds only x86_64 runner "
                               "binaries. Pick x86_64 node types, or build an arm64 runner image and set runnerImage")
        self._check_runner_fits()
        self._check_component_versions()
        if self.verify_gpu_on_deploy and not self.gpu_smoke_test:
            raise SettingError("verifyGpuOnDeploy", "waits for the smoke test, but gpuSmokeTest is false. Set gpuSmokeTest=true too")
        if self.ecr_credential_refresh == "true" and self.ecr_registry is None:
            raise SettingError("ecrCredentialRefresh", f"is true but runnerImage {self.runner_image} is not a private ECR image. "
                               "Set it to auto or false")
        self._check_scaling()
        if self.pipeline:
            self._check_pipeline()
        return self

    def _check_pipeline(self) -> None:
        for setting, value, example in (("pipelineRepository", self.pipeline_repository, "my-org/studio-gpu-cluster"),
                                        ("pipelineConnectionArn", self.pipeline_connection_arn,
                                         "arn:aws:codeconnections:us-west-2:123456789012:connection/<id>")):
            if value is None:
                raise SettingError(setting, f"is required with pipeline=true. Set it in cdk.json's context, like {example}")
        if self.account is None:
            raise SettingError("account", "is required with pipeline=true: the pipeline stack needs a concrete environment. "
                               "Set account=<12 digits> (or run with credentials for the pipeline's account)")
        if self.sqs_credentials == "file":
            raise SettingError("sqsCredentials", "file is refused with pipeline=true: no build machine may hold the runner's keys. "
                               "Use secretsmanager (make sqs-secret) or managed")
        if not self.gpu_smoke_test:
            raise SettingError("gpuSmokeTest", "false is refused with pipeline=true: the check after each deploy waits for the "
                               "smoke test. Set gpuSmokeTest=true")

    def _check_scaling(self) -> None:
        pattern = re.compile(self.queue_match)
        for name in self.queues:
            if not pattern.search(name):
                raise SettingError("queues", f"{name} does not match queueMatch ({self.queue_match}), so the runner would never serve it. "
                                   "Rename the queue or widen queueMatch")
        if self.create_queues and not self.queues:
            raise SettingError("createQueues", "is true but no queues are listed. Set queues=sqs_name1,sqs_name2")
        too_long = [name for name in self.queues if len(name) > 76]
        if self.create_queues and too_long:
            raise SettingError("queues", f"{too_long[0]} is too long to create with its dead-letter queue dlq_{too_long[0]}. "
                               "Use at most 76 characters")
        if self.sqs_credentials == "managed" and not self.queue_prefix:
            raise SettingError("sqsCredentials", f"managed needs a fixed start in queueMatch ({self.queue_match}) to limit the "
                               "runner's SQS access to those queues. Start queueMatch with one, like ^sqs_")
        if self.autoscaling and self.nodes_max == self.nodes_min:
            raise SettingError("autoscaling", f"is true but nodesMin and nodesMax are both {self.nodes_max}: there is nothing to scale. "
                               "Raise nodesMax above nodesMin")
        if self.autoscaling_enabled and self.system_nodes == 0:
            raise SettingError("autoscaling", "needs system nodes: the autoscaler must not run on the GPU nodes it removes. "
                               "Set systemNodes=1 or more, or autoscaling=false")
        capacity = self.runner_capacity
        if self.runner_max_replicas is not None and self.runner_max_replicas > capacity:
            raise SettingError("runnerMaxReplicas", f"{self.runner_max_replicas} runners do not fit on nodesMax={self.nodes_max} "
                               f"nodes ({capacity} at runnerGpus={self.runner_gpus}). Give {capacity} or less, or raise nodesMax")
        if self.runner_max_replicas == 0:
            raise SettingError("runnerMaxReplicas", "0 leaves no runner to scale up to. Give 1 or more, or leave it unset")

    def _check_component_versions(self) -> None:
        """Every component this configuration installs must list kubernetesVersion (domain/component_versions.py)."""
        component = first_unsupported(self.kubernetes_version, keda=self.queue_autoscaling, cluster_autoscaler=self.autoscaling_enabled,
                                      external_secrets=self.sqs_credentials in ("secretsmanager", "managed"),
                                      device_plugin=self.device_plugin_needed)
        if component is not None:
            without = {"KEDA": "leave queues unset", "External Secrets": "set sqsCredentials=file or none"}.get(component.name)
            raise SettingError("kubernetesVersion", f"{self.kubernetes_version} is not among the Kubernetes versions {component.name} "
                               f"{component.version} supports ({component.minors_text}). Use kubernetesVersion="
                               f"{component.kubernetes_minors[-1]}" + (f", or {without}" if without else ""))

    def _check_runner_fits(self) -> None:
        """The runner's requests must fit one node of every nodeType, less the node's own reserve."""
        cpu, memory = cpu_cores(self.runner_cpu), memory_bytes(self.runner_memory)
        for node in self.gpu_instance_types:
            free_cpu = node.vcpus - NODE_RESERVED_CPU
            free_memory = node.memory_gib * GIB * (1 - NODE_RESERVED_MEMORY_SHARE) - NODE_RESERVED_MEMORY_FIXED
            if self.runner_gpus > node.gpus:
                raise SettingError("runnerGpus", f"{self.runner_gpus} does not fit one {node.name} ({node.gpus} GPU). "
                                   f"Give {node.gpus} or less, or a nodeType with more GPUs")
            if cpu > free_cpu:
                raise SettingError("runnerCpu", f"{self.runner_cpu} does not fit one {node.name} ({node.vcpus} vCPUs, "
                                   f"{NODE_RESERVED_CPU:g} kept for the node). Give {free_cpu:g} or less, or a larger nodeType")
            if memory > free_memory:
                fits = f"{int(free_memory / GIB * 10) / 10:g}Gi"
                raise SettingError("runnerMemory", f"{self.runner_memory} does not fit one {node.name} ({node.memory_gib:g} GiB, "
                                   f"{gib(node.memory_gib * GIB - free_memory)} kept for the node). Give {fits} or less, or a larger nodeType")
        scratch = memory_bytes(self.runner_scratch_size)
        if scratch >= self.node_volume_size * GIB:
            raise SettingError("runnerScratchSize", f"{self.runner_scratch_size} is not below nodeVolumeSize ({self.node_volume_size} GiB), "
                               f"which also holds the AMI and images. Give at most {self.node_volume_size // 2}Gi, or raise nodeVolumeSize")
        if runner_cache_bytes(self.cache_size) >= scratch:
            raise SettingError("cacheSize", f"{self.cache_size} does not fit in runnerScratchSize ({self.runner_scratch_size}), "
                               "where the cache lives. Lower cacheSize or raise runnerScratchSize")
        try:
            self.runner_limits  # MAX_CORES, MAX_MEM and MAX_DISK must leave the runner a budget
        except SizingError as err:
            raise SettingError(err.setting, err.message) from None

    @model_validator(mode="after")
    def _read_files(self, info: ValidationInfo) -> "Settings":
        """Reads the files settings point at, now, so a bad one stops the app before anything is synthesized."""
        home = Path((info.context or {}).get("home") or Path.home())
        if self.ssh_public_key is not None:
            object.__setattr__(self, "_ssh_key", _read_ssh_public_key(_expand(self.ssh_public_key, home)))
        if self.sqs_credentials == "file":
            try:
                files = read_sqs_credential_files(_expand(self.sqs_credentials_file, home), _expand(self.sqs_config_file, home))
            except SqsCredentialsError as err:
                raise SettingError(err.setting, err.message) from None
            object.__setattr__(self, "_sqs_files", files)
        return self

    # --- derived values -------------------------------------------------------------------
    @property
    def runner_repository(self) -> str:
        """runnerImage without its tag or digest."""
        repository = self.runner_image.split("@")[0]
        name, _, tag = repository.rpartition(":")
        return name if name and "/" not in tag else repository

    @property
    def runner_limits(self) -> RunnerLimits:
        """What the runner may give tasks, from its pod's requests and scratch (domain/runner_sizing.py)."""
        return runner_limits(cpu=self.runner_cpu, memory=self.runner_memory, scratch_size=self.runner_scratch_size,
                             cache_size=self.cache_size, node_volume_gib=self.node_volume_size)

    @property
    def gpu_nodegroup_name(self) -> str:
        return self.nodegroup_name or self.cluster_name

    @property
    def gpu_instance_types(self) -> list[GpuInstanceType]:
        return [gpu_instance_type(name) for name in self.node_type]

    @property
    def gpu_architecture(self) -> str:
        return NVIDIA_AMI_TYPES[self.gpu_ami_type]

    @property
    def taint_gpu_nodes(self) -> bool:
        """GPU nodes are tainted only when system nodes exist to run everything else."""
        return self.system_nodes > 0

    @property
    def system_architecture(self) -> str:
        return cpu_architecture(self.system_node_type)

    @property
    def ssh_key(self) -> SshPublicKey | None:
        return self._ssh_key

    @property
    def sqs_files(self) -> SqsCredentialFiles | None:
        """The checked credential files, in `file` mode only."""
        return self._sqs_files

    @property
    def device_plugin_needed(self) -> bool:
        """Bottlerocket NVIDIA AMIs run their own device plugin; AL2023 ones do not."""
        return not self.gpu_ami_type.startswith("BOTTLEROCKET")

    @property
    def targets(self) -> list[PipelineTarget]:
        """The pipeline's stages, in deploy order; by default one `prod` in the pipeline's own account and region."""
        if not self.pipeline_targets:
            return [PipelineTarget("prod", self.account or "", self.region)]
        return [PipelineTarget(name, *where.split("/")) for name, where in (t.split("=") for t in self.pipeline_targets)]

    def for_target(self, target: PipelineTarget) -> "Settings":
        """The same settings, deployed to one target's account and region."""
        return self.model_copy(update={"account": target.account, "region": target.region})

    @property
    def gpu_accelerator(self) -> str:
        """Value of the k8s.amazonaws.com/accelerator label: the GPU model when every nodeType shares it."""
        models = {node.gpu_model for node in self.gpu_instance_types}
        return models.pop().lower().replace(" ", "-") if len(models) == 1 else "nvidia"

    @property
    def gpus_per_node(self) -> int:
        """GPUs of the smallest listed type: what the autoscaler may count on for any new node."""
        return min(node.gpus for node in self.gpu_instance_types)

    @property
    def queue_prefix(self) -> str:
        """The literal start of queueMatch (`^sqs_.*$` -> `sqs_`): the managed runner user may read only those queues."""
        match = re.match(r"\^([A-Za-z0-9_-]*)", self.queue_match)
        return match.group(1) if match else ""

    @property
    def autoscaling_enabled(self) -> bool:
        """Explicit setting, else on whenever there is room between nodesMin and nodesMax."""
        return self.autoscaling if self.autoscaling is not None else self.nodes_max > self.nodes_min

    @property
    def runner_capacity(self) -> int:
        """Runner pods that fit on nodesMax nodes of the smallest listed type."""
        per_node = min(node.gpus // self.runner_gpus for node in self.gpu_instance_types)
        return per_node * self.nodes_max

    @property
    def queue_autoscaling(self) -> bool:
        """KEDA owns the runner's replica count when autoscaling is on and there are queues to watch."""
        return self.autoscaling_enabled and bool(self.queues)

    @property
    def runner_replica_bounds(self) -> tuple[int, int]:
        """(min, max) runner pods for KEDA: none when no GPU node must stay up, else what the always-on nodes hold."""
        maximum = self.runner_max_replicas or self.runner_capacity
        per_node = self.runner_capacity // self.nodes_max
        return min(self.nodes_min * per_node, maximum), maximum

    @property
    def ecr_registry(self) -> str | None:
        """`<account>.dkr.ecr.<region>.amazonaws.com` when runnerImage is a private ECR image."""
        match = PRIVATE_ECR_IMAGE.fullmatch(self.runner_image)
        return match.group("registry") if match else None

    @property
    def ecr_refresh(self) -> bool:
        if self.ecr_credential_refresh == "auto":
            return self.ecr_registry is not None
        return self.ecr_credential_refresh == "true"


def _expand(path_text: str, home: Path) -> Path:
    """`~` is the HOME the app was given, so tests and CI never read the real one."""
    return home / path_text[2:] if path_text == "~" or path_text.startswith("~/") else Path(path_text)


def _read_ssh_public_key(path: Path) -> SshPublicKey:
    try:
        material = path.read_text().strip()
    except FileNotFoundError:
        raise SettingError("sshPublicKey", f"{path} does not exist. Give the path of an OpenSSH public key, such as ~/.ssh/id_ed25519.pub") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SettingError("sshPublicKey", f"{path} cannot be read ({err.__class__.__name__}). Give a readable OpenSSH public key file") from None
    if "PRIVATE KEY" in material:
        raise SettingError("sshPublicKey", f"{path} is a private key, which must never leave your machine. Give the .pub file beside it")
    if not re.fullmatch(r"(ssh-rsa|ssh-ed25519) [A-Za-z0-9+/=]+( .*)?", material):
        raise SettingError("sshPublicKey", f"{path} is not an OpenSSH RSA or ED25519 public key (EC2 imports only those). "
                           "Give a file that starts with ssh-ed25519 or ssh-rsa")
    return SshPublicKey(path=path, material=material)


# --- loading -----------------------------------------------------------------------------------

SETTING_NAMES: tuple[str, ...] = tuple(to_camel(name) for name in Settings.model_fields)


def is_setting_like(key: str) -> bool:
    """CDK's own context keys (feature flags, lookups, `aws:cdk:...`) carry ':' or '/' or '@'; settings are camelCase words."""
    return re.fullmatch(r"[a-z][A-Za-z0-9]*", key) is not None


def load_settings(context: Mapping[str, Any], environ: Mapping[str, str]) -> Settings:
    """Settings from CDK context, then environment fallbacks, then defaults; SettingError on the first bad value."""
    for key in context:
        if is_setting_like(key) and key not in SETTING_NAMES:
            close = difflib.get_close_matches(key, SETTING_NAMES, n=1)
            hint = f"did you mean {close[0]}?" if close else "see the settings table in README.md"
            raise SettingError(key, f"unknown setting; {hint}")
    raw: dict[str, Any] = {}
    for name in SETTING_NAMES:
        if context.get(name) is not None:
            raw[name] = context[name]
            continue
        for variable in ENV_FALLBACKS.get(name, ()):
            if environ.get(variable):
                raw[name] = environ[variable]
                break
    try:
        return Settings.model_validate(raw, context={"home": environ.get("HOME")})
    except ValidationError as err:
        raise _first_error(err) from None


def _first_error(err: ValidationError) -> SettingError:
    first = err.errors(include_url=False)[0]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, SettingError):
        return cause
    setting = str(first["loc"][0]) if first["loc"] else "settings"
    message = str(cause) if cause is not None else first["msg"]
    return SettingError(setting, message)


def user_notes(settings: Settings) -> list[str]:
    """What the synth tells the user about choices the settings made for them, one line each (printed to stderr)."""
    notes = []
    if not settings.device_plugin_needed:
        notes.append(f"note: no NVIDIA device plugin DaemonSet: {settings.gpu_ami_type} nodes run their own")
    if settings.sqs_credentials == "file":
        notes.append("warning: sqsCredentials=file stores your SQS access keys in plaintext in the CloudFormation template, "
                     "in cdk.out and in the kubectl handler's logs; use sqsCredentials=secretsmanager beyond a trial")
    if settings.autoscaling_enabled and settings.nodes_min == 0 and not settings.queues and settings.runner_replicas > 0:
        notes.append(f"note: nodesMin=0 but {settings.runner_replicas} runner pod(s) always want a GPU, so GPU nodes never "
                     "reach zero; list queues= so KEDA can scale the runner to zero")
    if settings.queue_autoscaling:
        minimum, maximum = settings.runner_replica_bounds
        notes.append(f"note: runnerReplicas ({settings.runner_replicas}) is not applied: KEDA sets the runner's replicas "
                     f"from the queues ({minimum} to {maximum})")
    return notes


def settings_table() -> str:
    """The README's settings table, generated from the model so the two cannot drift."""
    rows = ["| setting | default | meaning | runbook equivalent |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra or {}
        rows.append(f"| `{to_camel(name)}` | {extra['default_text']} | {field.description} | {extra['runbook']} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
