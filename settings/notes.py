"""What the synth tells the user about the settings, one line each on stderr: where it deploys, and why."""
from __future__ import annotations

from settings.load import CONTEXT
from settings.model import Settings
from stacks.addons import node_monitoring_agent


def target_line(settings: Settings) -> str:
    """One line naming where the synth deploys and where each of account and region came from."""
    def origin(name: str) -> str:
        source = settings.sources.get(name)
        if source is None:
            return "default"
        if source == "$CDK_DEFAULT_REGION":
            return "$CDK_DEFAULT_REGION, set by the CDK CLI from your AWS profile, else us-east-1"
        return "-c or cdk.json" if source == CONTEXT else source
    account = (f"account {settings.cluster.account} ({origin('account')})" if settings.cluster.account
               else "account unset (an environment-agnostic template)")
    line = f"note: target: {account}, region {settings.cluster.region} ({origin('region')})"
    if settings.delivery.pipeline:
        line += "; the pipeline deploys to " + ", ".join(f"{t.name}={t.account or 'its account'}/{t.region}" for t in settings.targets)
    return line


def user_notes(settings: Settings) -> list[str]:
    """What the synth tells the user about choices the settings made for them, one line each (printed to stderr)."""
    notes = []
    if settings.node.automode:
        notes.append("note: capacity=automode: EKS Auto Mode runs the NVIDIA device plugin, and starts and stops GPU nodes "
                     "for the runner's pods; no device plugin DaemonSet, no cluster-autoscaler")
    elif settings.system_fit is not None:  # every system node type is one the fit check knows (settings/capacity.py)
        notes.append(f"note: system nodes: {settings.system_fit.line()}")
    if not settings.node.automode and not settings.node.device_plugin_needed:
        notes.append(f"note: no NVIDIA device plugin DaemonSet: {settings.node.gpu_ami_type} nodes run their own")
    if settings.credentials.sqs_credentials == "file":
        notes.append("warning: sqsCredentials=file stores your SQS access keys in plaintext in the CloudFormation template, "
                     "in cdk.out and in the kubectl handler's logs; use sqsCredentials=secretsmanager beyond a trial")
    runner_replicas = settings.runner.runner_replicas
    if settings.autoscaling_enabled and settings.node.nodes_min == 0 and not settings.scaling.queues and runner_replicas > 0:
        notes.append(f"note: nodesMin=0 but {runner_replicas} runner pod(s) always want a GPU, so GPU nodes never "
                     "reach zero; list queues= so KEDA can scale the runner to zero")
    if settings.queue_autoscaling:
        minimum, maximum = settings.runner_replica_bounds
        notes.append(f"note: runnerReplicas ({runner_replicas}) is not applied: KEDA sets the runner's replicas "
                     f"from the queues ({minimum} to {maximum})")
    notes += _observability_notes(settings)
    return notes


def _observability_notes(settings: Settings) -> list[str]:
    notes = []
    if not settings.observability.node_monitoring_agent:
        notes.append("note: nodeMonitoringAgent=false: nothing watches GPU health, so node auto repair never replaces a node whose "
                     "GPU failed" + ("; Container Insights' DCGM exporter owns DCGM and graphs GPU utilization"
                                     if settings.observability.container_insights else ""))
    elif settings.install_plan.installs(node_monitoring_agent.ADD_ON) and settings.node.gpu_architecture == "arm64":
        notes.append("note: the node monitoring agent checks no NVIDIA GPU on arm64 nodes (agent v1.7.0, whose dcgm-server runs "
                     "on amd64 only): GPU faults there are not repaired, and make verify does not require AcceleratedHardwareReady")
    if settings.observability.alarm_email:
        notes.append(f"note: alarmEmail: confirm the subscription mail AWS sends to {settings.observability.alarm_email} after the deploy, "
                     "or no alarm reaches you")
    return notes
