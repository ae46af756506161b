"""The checks that relate settings of different groups, in one place and in the order they run; each names what it relates.

A group's own checks live beside its fields (`check` in settings/<group>.py). These run after every group's own,
on the whole Settings, so each reads plain attributes of the groups it relates. `relates` lists the settings a check
reads, by the names users write; the line it raises names one of them (tests/test_settings_cross_checks.py holds that).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from domain import names
from domain.images import PRIVATE_ECR_IMAGE, UPSTREAM_RUNNER_REPOSITORY
from domain.quantities import GIB, cpu_cores, gib, memory_bytes
from domain.queue_match import queue_matches
from domain.regions import is_region, partition_of
from settings.capacity import check_system_nodes
from settings.errors import SettingError
from settings.runner import NODE_RESERVED_CPU, NODE_RESERVED_MEMORY_FIXED, NODE_RESERVED_MEMORY_SHARE
from settings.types import iam_principal_partition, quoted

if TYPE_CHECKING:
    from settings.model import Settings

Check = Callable[["Settings"], None]


@dataclass(frozen=True)
class CrossCheck:
    relates: tuple[str, ...]
    run: Check


CROSS_CHECKS: list[CrossCheck] = []


def relating(*settings: str) -> Callable[[Check], Check]:
    """Registers a check, after those above it, with the settings it relates."""
    def register(check: Check) -> Check:
        CROSS_CHECKS.append(CrossCheck(settings, check))
        return check
    return register


def run_cross_checks(settings: "Settings") -> None:
    """Every check in order; the first that fails raises its SettingError."""
    for check in CROSS_CHECKS:
        check.run(settings)


# --- the cluster and what it installs ---------------------------------------------------------------
@relating("kubernetesVersion")
def components_support_the_version(s: "Settings") -> None:
    """Every release this configuration installs must list kubernetesVersion (the install plan's, stacks/install_plan.py)."""
    unsupported = s.install_plan.first_unsupported()
    if unsupported is not None:
        component, add_on = unsupported
        without = add_on.without if add_on else None
        raise SettingError("kubernetesVersion", f"{s.cluster.kubernetes_version} is not among the Kubernetes versions "
                           f"{component.name} {component.version} supports ({component.minors_text}). Use kubernetesVersion="
                           f"{component.kubernetes_minors[-1]}" + (f", or {without}" if without else ""))


# --- the nodes -----------------------------------------------------------------------------------------
@relating("nodeType", "gpuAmiType", "runnerImage")
def runner_image_runs_on_the_nodes(s: "Settings") -> None:
    if s.node.gpu_architecture == "arm64" and s.runner.runner_repository == UPSTREAM_RUNNER_REPOSITORY:
        raise SettingError("nodeType", f"{s.node.node_type[0]} is arm64, but {s.runner.runner_image} holds only x86_64 runner "
                           "binaries. Pick x86_64 node types, or build an arm64 runner image and set runnerImage")


@relating("clusterName", "nodegroupName", "systemNodes")
def nodegroup_names_fit(s: "Settings") -> None:
    """Nodegroup names are at most 63 characters, `<prefix>-<8 hex digits>` (domain/names.py): the GPU prefix defaults to
    the cluster name, the system one adds `-system`."""
    cluster_name, longest = s.cluster.cluster_name, names.NODEGROUP_PREFIX_MAX
    if s.node.nodegroup_name is None and len(cluster_name) > longest:
        raise SettingError("clusterName", f"{cluster_name[:20]}... is {len(cluster_name)} characters, and the GPU nodegroup's name "
                           f"starts with it; EKS allows {names.NODEGROUP_NAME_MAX}, {longest} before the digest. "
                           "Shorten it or set nodegroupName")
    if s.node.system_nodes > 0 and len(s.system_nodegroup_name) > longest:
        raise SettingError("clusterName", f"{cluster_name[:20]}... is {len(cluster_name)} characters, so the system nodegroup's "
                           f"name (<clusterName>{names.SYSTEM_NODEGROUP_SUFFIX}-<digest>) is over EKS's {names.NODEGROUP_NAME_MAX}. "
                           f"Use at most {longest - len(names.SYSTEM_NODEGROUP_SUFFIX)} characters")
    if s.node.system_nodes > 0 and s.gpu_nodegroup_name == s.system_nodegroup_name:
        raise SettingError("nodegroupName", f"{s.system_nodegroup_name} is the system nodegroup's name. Give the GPU nodegroup another")


# --- the runner on its node ----------------------------------------------------------------------------
@relating("runnerGpus", "runnerCpu", "runnerMemory", "nodeType")
def runner_fits_each_node_type(s: "Settings") -> None:
    """The runner's requests must fit one node of every nodeType, less the node's own reserve."""
    runner = s.runner
    cpu, memory = cpu_cores(runner.runner_cpu), memory_bytes(runner.runner_memory)
    for node in s.node.gpu_instance_types:
        free_cpu = node.vcpus - NODE_RESERVED_CPU
        free_memory = node.memory_gib * GIB * (1 - NODE_RESERVED_MEMORY_SHARE) - NODE_RESERVED_MEMORY_FIXED
        if runner.runner_gpus > node.gpus:
            raise SettingError("runnerGpus", f"{runner.runner_gpus} does not fit one {node.name} ({node.gpus} GPU). "
                               f"Give {node.gpus} or less, or a nodeType with more GPUs")
        if cpu > free_cpu:
            raise SettingError("runnerCpu", f"{runner.runner_cpu} does not fit one {node.name} ({node.vcpus} vCPUs, "
                               f"{NODE_RESERVED_CPU:g} kept for the node). Give {free_cpu:g} or less, or a larger nodeType")
        if memory > free_memory:
            fits = f"{int(free_memory / GIB * 10) / 10:g}Gi"
            raise SettingError("runnerMemory", f"{runner.runner_memory} does not fit one {node.name} ({node.memory_gib:g} GiB, "
                               f"{gib(node.memory_gib * GIB - free_memory)} kept for the node). Give {fits} or less, or a larger nodeType")


@relating("runnerScratchSize", "nodeVolumeSize", "capacity")
def scratch_fits_the_node_disk(s: "Settings") -> None:
    scratch, size, volume, disk = (memory_bytes(s.runner.runner_scratch_size), s.runner.runner_scratch_size,
                                   s.node.node_volume_size, s.gpu_node_disk_gib)
    if scratch >= disk * GIB and s.node.automode:
        raise SettingError("runnerScratchSize", f"{size} is not below the {disk} GiB disk of an Auto Mode node, which also holds "
                           f"the images. Give at most {disk // 2}Gi")
    if scratch >= volume * GIB:
        raise SettingError("runnerScratchSize", f"{size} is not below nodeVolumeSize ({volume} GiB), which also holds the AMI and "
                           f"images. Give at most {volume // 2}Gi, or raise nodeVolumeSize")


# --- credentials for the runner's image and queues -----------------------------------------------------
@relating("runnerImage", "region", "ecrCredentialRefresh")
def ecr_image_is_reachable(s: "Settings") -> None:
    image = s.runner.runner_image
    match = PRIVATE_ECR_IMAGE.fullmatch(image)
    if match and not is_region(match.group("region")):
        raise SettingError("runnerImage", f"{quoted(image)} names ECR in region {match.group('region')}, which does not exist. "
                           "Copy the image URI from the ECR console")
    if match:
        _check_ecr_partition(image, match.group("region"), match.group("registry"), s.cluster.region)
    if s.credentials.ecr_credential_refresh == "true" and s.ecr_registry is None:
        raise SettingError("ecrCredentialRefresh", f"is true but runnerImage {image} is not a private ECR image. Set it to auto or false")


def _check_ecr_partition(image: str, ecr_region: str, registry: str, cluster_region: str) -> None:
    """ECR's host ends in .amazonaws.com.cn in the China partition only, and nodes pull with the IAM of their own
    partition: an image in another partition's ECR cannot be pulled."""
    partition = partition_of(ecr_region)
    if registry.endswith(".cn") != (partition == "aws-cn"):
        suffix = ".amazonaws.com.cn" if partition == "aws-cn" else ".amazonaws.com"
        raise SettingError("runnerImage", f"{quoted(image)} names ECR in {ecr_region} (partition {partition}), whose host ends "
                           f"in {suffix}. Copy the image URI from the ECR console")
    if partition != partition_of(cluster_region):
        raise SettingError("runnerImage", f"{quoted(image)} is in ECR of partition {partition}, but region {cluster_region} is "
                           f"in {partition_of(cluster_region)}: its nodes cannot pull it. Copy the image into ECR of {cluster_region}")


@relating("sqsCredentials", "pipeline")
def no_keys_on_a_build_machine(s: "Settings") -> None:
    if s.credentials.sqs_credentials == "file" and s.delivery.pipeline:
        raise SettingError("sqsCredentials", "file is refused with pipeline=true: no build machine may hold the runner's keys. "
                           "Use secretsmanager (make sqs-secret) or managed")


# --- scaling with the queues ---------------------------------------------------------------------------
@relating("queues", "queueMatch", "sqsCredentials")
def runner_serves_the_queues(s: "Settings") -> None:
    queue_match = s.runner.queue_match
    for name in s.scaling.queues:
        if not queue_matches(queue_match, name):
            raise SettingError("queues", f"{name} does not match queueMatch ({queue_match}), so the runner would never serve it. "
                               "Rename the queue or widen queueMatch")
    if s.credentials.sqs_credentials == "managed" and not s.runner.queue_prefix:
        raise SettingError("sqsCredentials", f"managed needs a fixed start in queueMatch ({queue_match}) to limit the "
                           "runner's SQS access to those queues. Start queueMatch with one, like ^sqs_")


@relating("autoscaling", "nodesMin", "nodesMax", "systemNodes")
def something_to_scale_and_somewhere_to_run(s: "Settings") -> None:
    nodes_min, nodes_max = s.node.nodes_min, s.node.nodes_max
    if s.scaling.autoscaling and nodes_max == nodes_min:
        raise SettingError("autoscaling", f"is true but nodesMin and nodesMax are both {nodes_max}: there is nothing to scale. "
                           "Raise nodesMax above nodesMin")
    if s.installs_cluster_autoscaler and s.node.system_nodes == 0:
        raise SettingError("autoscaling", "needs system nodes: the autoscaler must not run on the GPU nodes it removes. "
                           "Set systemNodes=1 or more, or autoscaling=false")


@relating("runnerMaxReplicas", "runnerReplicas", "nodes", "nodesMax", "runnerGpus")
def runners_fit_the_gpus(s: "Settings") -> None:
    """Runner pods beyond what the GPUs can hold stay Pending for good."""
    nodes, nodes_max, most = s.node.nodes, s.node.nodes_max, s.scaling.runner_max_replicas
    replicas, runner_gpus, capacity = s.runner.runner_replicas, s.runner.runner_gpus, s.runner_capacity
    if most is not None and most > capacity:
        raise SettingError("runnerMaxReplicas", f"{most} runners do not fit on nodesMax={nodes_max} nodes ({capacity} at "
                           f"runnerGpus={runner_gpus}). Give {capacity} or less, or raise nodesMax")
    if most == 0:
        raise SettingError("runnerMaxReplicas", "0 leaves no runner to scale up to. Give 1 or more, or leave it unset")
    if s.queue_autoscaling:
        return  # KEDA sets the replicas, within runnerMaxReplicas
    if not s.autoscaling_enabled and nodes == 0 and replicas > 0:
        raise SettingError("nodes", f"0 GPU nodes with autoscaling off: the runner's {replicas} pod(s) would wait for a GPU "
                           "forever. Give nodes=1 or more, turn autoscaling on, or set runnerReplicas=0")
    held = s.runners_per_node * (nodes_max if s.autoscaling_enabled else nodes)
    if replicas > held:
        where = f"nodesMax={nodes_max} nodes" if s.autoscaling_enabled else f"nodes={nodes} nodes with autoscaling off"
        raise SettingError("runnerReplicas", f"{replicas} runners do not fit on {where} ({held} at runnerGpus={runner_gpus}). "
                           f"Give {held} or less, or add nodes")


@relating("warmHours", "warmRunners", "queues", "autoscaling")
def warm_hours_have_runners_to_keep(s: "Settings") -> None:
    if s.scaling.warm_hours is None:
        return
    if not s.queue_autoscaling:
        raise SettingError("warmHours", "needs runner autoscaling: KEDA's cron trigger keeps the runners up, and KEDA "
                           "runs only with queues and autoscaling. Set queues=sqs_name (and keep nodesMax above "
                           "nodesMin), or drop warmHours")
    maximum = s.runner_replica_bounds[1]
    if s.scaling.warm_runners > maximum:
        raise SettingError("warmRunners", f"{s.scaling.warm_runners} is more than the {maximum} runners KEDA may run "
                           f"(runnerMaxReplicas). Give {maximum} or less, or raise nodesMax")


# --- where the clusters are delivered ------------------------------------------------------------------
@relating("adminPrincipalArns", "region", "pipelineTargets")
def admins_live_in_each_target_partition(s: "Settings") -> None:
    """Every cluster, the pipeline's own included, gets the same admins: each must be in the partition of its region."""
    for target in s.targets:
        partition = partition_of(target.region)
        for arn in s.cluster.admin_principal_arns:
            if iam_principal_partition(arn) != partition:
                raise SettingError("adminPrincipalArns", f"{arn} is in partition {iam_principal_partition(arn)}, but region "
                                   f"{target.region} is in {partition}. Give principals of partition {partition}")


@relating("pipeline", "account", "gpuSmokeTest", "pipelineConnectionArn", "pipelineTargets", "region")
def pipeline_can_deliver(s: "Settings") -> None:
    if not s.delivery.pipeline:
        return
    region = s.cluster.region
    if s.cluster.account is None:
        raise SettingError("account", "is required with pipeline=true: the pipeline stack needs a concrete environment. "
                           "Set account=<12 digits> (or run with credentials for the pipeline's account)")
    if not s.node.gpu_smoke_test:
        raise SettingError("gpuSmokeTest", "false is refused with pipeline=true: the check after each deploy waits for the "
                           "smoke test. Set gpuSmokeTest=true")
    connection_partition = (s.delivery.pipeline_connection_arn or "").split(":")[1]
    if connection_partition != partition_of(region):
        raise SettingError("pipelineConnectionArn", f"is in partition {connection_partition}, but the pipeline's region {region} "
                           f"is in {partition_of(region)}. Create the connection in the pipeline's partition")
    for target in s.targets:
        if partition_of(target.region) != partition_of(region):
            raise SettingError("pipelineTargets", f"{target.name} deploys to {target.region} in partition "
                               f"{partition_of(target.region)}; a pipeline in {region} reaches only {partition_of(region)}. "
                               "Give a pipeline per partition")


# --- last: sizing the system nodes needs every add-on the settings above install -----------------------
@relating("systemNodes", "systemNodeType")
def system_nodes_hold_the_system_pods(s: "Settings") -> None:
    if not s.node.automode:
        check_system_nodes(s.node.system_nodes, s.node.system_node_type, s.install_plan.system_pods)
