"""The stack: wires network, cluster, capacity, add-ons and the runner's workloads together, and prints how to reach the result."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from aws_cdk import CfnOutput, Duration, Fn, Stack, aws_eks_v2 as eks
from constructs import Construct, IConstruct

from charts.runner_namespace import RunnerNamespaceChart
from domain.names import cluster_stack_name
from settings import Settings
from stacks.addons import container_insights, external_secrets, keda
from stacks.addons.node_monitoring_agent import ACCELERATED_HARDWARE_CONDITION
from stacks.capacity import Capacity
from stacks.capacity.automode_capacity import BUILT_IN_NODE_POOLS, AutoModeCapacity, GpuNodePool
from stacks.capacity.nodegroup_capacity import GpuNodes, NodegroupCapacity, SystemNodes
from stacks.capacity.nodegroups import SshAccess
from stacks.cluster_interface import cluster_interface
from stacks.cluster_network import ClusterNetwork
from stacks.eks_cluster import GpuEksCluster
from stacks.gpu_verifier import GpuVerifierAccess
from stacks.install_plan import Site
from stacks.log_encryption import LogEncryption
from stacks.manifests import ManifestApplier
from stacks.node_repair import gpu_repair_overrides
from stacks.workloads import OUR_POD_APPS, GpuChecks, GpuWorkloads, QueueScaling, Runner, SqsCredentials

if TYPE_CHECKING:  # imported where it is built: observability pulls in CloudWatch modules (make bench)
    from stacks.observability.cluster_observability import ClusterObservability

# The runbook's check that GPUs are allocatable on every node.
GPU_ALLOCATABLE_COMMAND = 'kubectl get nodes "-o=custom-columns=NAME:.metadata.name,GPU:.status.allocatable.nvidia\\.com/gpu"'

VPC_ZONES = 2

# Default visibility of created queues, for receivers that set none. The runner sets its own and keeps
# extending it while it works, so this is only a ceiling for a receiver that dies without handing back.
QUEUE_VISIBILITY_TIMEOUT = Duration.minutes(15)


def stack_name(cluster_name: str) -> str:
    return cluster_stack_name(cluster_name)


def flow_log_group_name(cluster_name: str) -> str:
    return f"/aws/vpc/{cluster_name}/flow-logs"


class GpuClusterStack(Stack):
    """An EKS cluster with a GPU nodegroup for the studio-go-runner, from one settings object."""

    def __init__(self, scope: Construct, id: str, *, settings: Settings, verifier_trusted_account: str | None = None,
                 **kwargs: Any) -> None:
        """`verifier_trusted_account`: who may assume the GPU check's role; this stack's own account unless a pipeline says."""
        super().__init__(scope, id, description=f"EKS GPU cluster {settings.cluster.cluster_name} for the studio-go-runner", **kwargs)
        self.settings = settings
        self.plan = settings.install_plan
        self.log_encryption = LogEncryption(self, "LogEncryption", cluster_name=settings.cluster.cluster_name)
        network = ClusterNetwork(self, "Network", nat_gateways=settings.cluster.nat_gateways,
                                 flow_log_group_name=flow_log_group_name(settings.cluster.cluster_name))
        self.eks = GpuEksCluster(
            self, "Eks",
            cluster_name=settings.cluster.cluster_name,
            kubernetes_version=settings.cluster.kubernetes_version,
            vpc=network.vpc,
            endpoint_public_cidrs=settings.cluster.endpoint_public_cidrs,
            admin_principal_arns=settings.cluster.admin_principal_arns,
            auto_mode_node_pools=BUILT_IN_NODE_POOLS if settings.node.automode else None,
        )
        cluster = self.eks.cluster
        # Everything CloudFormation applies inside the cluster goes through (and lives under) this one applier.
        self.manifests = ManifestApplier(self, "Workloads", cluster=cluster_interface(cluster))
        self.capacity = self._capacity(settings, cluster)
        # Imported only when used: each pulls in a large aws-cdk-lib module, and synth time is measured (make bench).
        self.queues = None
        if settings.scaling.create_queues:
            from stacks.runner_queues import RunnerQueues
            self.queues = RunnerQueues(self, "Queues", names=settings.scaling.queues, visibility_timeout=QUEUE_VISIBILITY_TIMEOUT)
        self.runner_credentials = None
        if settings.credentials.sqs_credentials == "managed":
            from stacks.managed_runner_credentials import ManagedRunnerCredentials
            self.runner_credentials = ManagedRunnerCredentials(self, "RunnerCredentials", secret_name=settings.credentials.sqs_secret_name,
                                                               region=settings.cluster.region, queue_prefix=settings.runner.queue_prefix,
                                                               queues=settings.scaling.queues)
        # The runner's namespace is the first chart after the capacity's (dist/ numbers charts in apply order).
        namespace = self.manifests.apply("runner-namespace", RunnerNamespaceChart(
            self.manifests.k8s_app, "runner-namespace", namespace=settings.runner.namespace, pod_apps=OUR_POD_APPS))
        self.observability = self._observability(settings)
        # Every add-on of the install plan, each by its own unit, in the plan's order; the runner's charts ask it what they wait for.
        self.add_ons = self.plan.install(Site(stack=self, settings=settings, plan=self.plan, cluster=cluster_interface(cluster),
                                              manifests=self.manifests,
                                              capacity=self.capacity, observability=self.observability,
                                              runner_credentials=self.runner_credentials))
        self.workloads = self._workloads(settings, namespace)
        self.verifier = GpuVerifierAccess(self, "GpuVerifier", cluster=cluster, cluster_name=settings.cluster.cluster_name,
                                          trusted_account=verifier_trusted_account or self.account)
        self._outputs(settings)
        self._status_access(settings)
        self.log_encryption.encrypt_log_groups()  # last: every log group of the stack exists now

    def _capacity(self, settings: Settings, cluster: eks.Cluster) -> Capacity:
        if settings.node.automode:
            pool = GpuNodePool(name=settings.gpu_nodegroup_name, instance_types=settings.node.node_type,
                               capacity_type=settings.node.capacity_type, max_gpus=settings.node.nodes_max * settings.node.gpus_per_node)
            return AutoModeCapacity(manifests=self.manifests, gpu=pool)
        node, key = settings.node, settings.files.ssh_key
        gpu = GpuNodes(name_prefix=settings.gpu_nodegroup_name, instance_types=node.node_type, ami_type=node.gpu_ami_type,
                       capacity_type=node.capacity_type, desired=node.nodes, minimum=node.nodes_min, maximum=node.nodes_max,
                       volume_gib=node.node_volume_size, accelerator=node.gpu_accelerator, gpus_per_node=node.gpus_per_node,
                       ssh=SshAccess(key.material, node.ssh_allowed_cidrs) if key else None, fast_image_pull=node.fast_image_pull,
                       # GPU fault repair actions act on the node monitoring agent's conditions: only with the agent.
                       repair_overrides=gpu_repair_overrides() if settings.observability.node_monitoring_agent else ())
        system = None
        if node.system_nodes > 0:
            # Set (or chosen) whenever there are system nodes.
            system = SystemNodes(name_prefix=settings.system_nodegroup_name, instance_type=cast(str, settings.system_instance_type),
                                 architecture=settings.system_architecture, count=node.system_nodes)
        # Nodes join with the managed VPC CNI, network policy agent on, already in place.
        return NodegroupCapacity(self, cluster=cluster, kubernetes_version=settings.cluster.kubernetes_version, manifests=self.manifests,
                                 gpu=gpu, system=system, join_after=[self.eks.vpc_cni])

    def _workloads(self, settings: Settings, namespace: IConstruct) -> GpuWorkloads:
        """The runner's charts, after its namespace and the add-ons that name them (the install plan's)."""
        manifests = self.manifests
        sqs_credentials, sqs_credentials_after = None, []
        if settings.credentials.sqs_credentials == "file":
            sqs_credentials = SqsCredentials(files=settings.files.sqs_files)
        elif self.plan.installs(external_secrets.ADD_ON):  # the Secret comes from Secrets Manager through External Secrets
            sqs_credentials = SqsCredentials(secrets_manager_secret_name=settings.credentials.sqs_secret_name)
            sqs_credentials_after = [self.runner_credentials.secret if self.runner_credentials else None]
        queue_scaling, queue_scaling_after = None, []
        if self.plan.installs(keda.ADD_ON):  # the runner's replicas follow its queues' depth
            minimum, maximum = settings.runner_replica_bounds
            scaling = settings.scaling
            queue_scaling = QueueScaling(queue_urls=self._queue_urls(settings), min_replicas=minimum, max_replicas=maximum,
                                         messages_per_replica=scaling.queue_length_per_runner, warm_hours=scaling.warm_window,
                                         warm_runners=scaling.warm_runners)
            queue_scaling_after = [self.queues]
        given = settings.runner
        runner = Runner(image=given.runner_image, replicas=None if settings.queue_autoscaling else given.runner_replicas,
                        gpus=given.runner_gpus, cpu=given.runner_cpu, memory=given.runner_memory, scratch_size=given.runner_scratch_size,
                        queue_match=settings.runner_queue_match, cache_size=given.cache_size,
                        clear_text_messages=given.clear_text_messages, sqs_secret_optional=settings.credentials.sqs_credentials == "none",
                        limits_env=given.runner_limits.env())
        # Id `Default` under the applier: the runner's resources keep the logical ids they were deployed with.
        node = settings.node
        return GpuWorkloads(
            manifests, "Default", manifests=manifests, agent=self.capacity.pod_identity_agent, namespace=given.namespace,
            namespace_ready=namespace, region=settings.cluster.region, nodes=self.capacity.ready,
            add_ons=self.add_ons,
            gpu_checks=GpuChecks(smoke_test=node.gpu_smoke_test, test_pods=node.gpu_test_pods,
                                 wait_for_smoke_test=node.verify_gpu_on_deploy),
            runner=runner, sqs_credentials=sqs_credentials, sqs_credentials_after=sqs_credentials_after,
            ecr_registry=settings.ecr_registry if settings.ecr_refresh else None,
            queue_scaling=queue_scaling, queue_scaling_after=queue_scaling_after)

    def _queue_urls(self, settings: Settings) -> list[str]:
        """URLs of the queues KEDA watches, created here or not: SQS URLs follow from region, account and name."""
        region, account = settings.cluster.region, settings.cluster.account or self.account
        domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        return [f"https://sqs.{region}.{domain}/{account}/{name}" for name in settings.scaling.queues]

    @property
    def availability_zones(self) -> list[str]:
        # Zones resolved by CloudFormation at deploy time: an account-specific stack would otherwise look them up at synth.
        return [Fn.select(index, Fn.get_azs()) for index in range(VPC_ZONES)]

    def _outputs(self, settings: Settings) -> None:
        cluster_name = CfnOutput(self, "ClusterName", value=self.eks.cluster.cluster_name, description="EKS cluster name")
        region = CfnOutput(self, "Region", value=self.region, description="AWS region of the cluster")
        if isinstance(self.capacity, NodegroupCapacity):
            CfnOutput(self, "GpuNodegroupName", value=self.capacity.gpu_nodes.nodegroup_name, description="GPU managed nodegroup")
        else:
            CfnOutput(self, "GpuNodePoolName", value=settings.gpu_nodegroup_name, description="GPU NodePool of EKS Auto Mode")
        CfnOutput(self, "UpdateKubeconfigCommand",
                  value=f"aws eks update-kubeconfig --name {settings.cluster.cluster_name} --region {self.region}",
                  description="Adds this cluster to your kubeconfig")
        CfnOutput(self, "GpuAllocatableCommand", value=GPU_ALLOCATABLE_COMMAND,
                  description="Shows allocatable nvidia.com/gpu per node (1 or more once the device plugin runs)")
        # What scripts/verify_gpus.py reads, by its environment variable names.
        self.check_outputs = {
            "CLUSTER_NAME": cluster_name,
            "CLUSTER_REGION": region,
            "RUNNER_NAMESPACE": CfnOutput(self, "RunnerNamespace", value=settings.runner.namespace,
                                          description="Namespace of the runner and the smoke test"),
            "VERIFIER_ROLE_ARN": CfnOutput(self, "GpuVerifierRoleArn", value=self.verifier.role.role_arn,
                                           description="Read-only role for scripts/verify_gpus.py (make verify, the pipeline's check)"),
        }

    def _observability(self, settings: Settings) -> "ClusterObservability":
        """The dashboard and alarms; the GPU health and observability add-ons are built under it by the install plan."""
        from charts.object_names import DEPLOYMENT_NAME, SMOKE_TEST_JOB_NAME
        from stacks.observability.alarms import FleetShape
        from stacks.observability.cluster_observability import ClusterObservability
        from stacks.runner_queues import dead_letter_queue_name
        queues, watched = settings.scaling.queues, settings.observability
        return ClusterObservability(
            self, "Observability", cluster_name=settings.cluster.cluster_name,
            container_insights=self.plan.installs(container_insights.ADD_ON),
            gpu_utilization=container_insights.dcgm_exporter(self.plan.choices),
            queues=queues, dead_letter_queues={q: dead_letter_queue_name(q) for q in queues} if self.queues else {},
            namespace=settings.runner.namespace, deployment=DEPLOYMENT_NAME,
            smoke_test_job=SMOKE_TEST_JOB_NAME if settings.node.gpu_smoke_test else None,
            fleet=FleetShape(system_nodes=self.capacity.fixed_system_nodes, nodes_max=settings.node.nodes_max,
                             gpus_per_node=settings.node.gpus_per_node),
            max_message_age=Duration.minutes(watched.max_message_age_minutes), alarm_email=watched.alarm_email)

    def _status_access(self, settings: Settings) -> None:
        """What `make status` and `make verify` read beyond the cluster: queue depths, and which node condition means GPU health."""
        from aws_cdk import ArnFormat, aws_iam as iam
        # The agent skips NVIDIA checks on arm64 (eks-node-monitoring-agent v1.7.0, monitors/nvidia/monitor.go).
        watched = settings.observability.node_monitoring_agent and settings.node.gpu_architecture == "x86_64"
        self.check_outputs["GPU_HEALTH_CONDITION"] = CfnOutput(
            self, "GpuHealthCondition", value=ACCELERATED_HARDWARE_CONDITION if watched else "none",
            description="Node condition every GPU node must report True (make verify); none = not watched")
        if not settings.scaling.queues:
            return
        CfnOutput(self, "RunnerQueueUrls", value=",".join(self._queue_urls(settings)), description="Queues the runner serves (make status)")
        self.verifier.role.add_to_policy(iam.PolicyStatement(actions=["sqs:GetQueueAttributes"], resources=[
            self.format_arn(service="sqs", resource=name, arn_format=ArnFormat.NO_RESOURCE_NAME) for name in settings.scaling.queues]))
