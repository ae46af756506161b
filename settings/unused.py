"""Settings that another setting's choice leaves unused: given explicitly, each is refused in one line, from this table.

A setting that is silently ignored is a setting the user believes in: `nodes=4` with Auto Mode, a secret name with
`sqsCredentials=file`, KEDA's bounds without queues. The rules read the raw context, before any other check, so the
line names the setting that is not used rather than what it would have broken. A condition that cannot be read yet
(a flag that is not a boolean) decides nothing here: that setting's own check reports it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from settings.errors import SettingError

Raw = Mapping[str, Any]

# Disk of an Auto Mode node from the built-in `default` NodeClass (EKS user guide, create-node-class.adoc,
# "Node Class Specification": ephemeralStorage.size 80Gi); nodeVolumeSize would need an own NodeClass.
AUTOMODE_NODE_DISK_GIB = 80


def _text(raw: Raw, name: str, default: str) -> str:
    value = raw.get(name)
    return default if value is None else str(value).strip().lower()


def _flag(raw: Raw, name: str, default: bool) -> bool | None:
    """The flag as settings/types.py reads it; None when it is not a boolean (its own check says so)."""
    value = raw.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return text == "true" if text in ("true", "false") else None


def _has_queues(raw: Raw) -> bool:
    value = raw.get("queues")
    if isinstance(value, (list, tuple)):
        return any(str(item).strip() for item in value)
    return value is not None and any(part.strip() for part in str(value).split(","))


def _automode(raw: Raw) -> bool:
    return _text(raw, "capacity", "nodegroups") == "automode"


def _no_queue_scaling(raw: Raw) -> bool:
    return not _has_queues(raw) or _flag(raw, "autoscaling", True) is False


@dataclass(frozen=True)
class Unused:
    setting: str
    when: str  # the condition, as the line says it: "with capacity=automode"
    why: str  # and what to do
    applies: Callable[[Raw], bool]

    def refusal(self) -> SettingError:
        return SettingError(self.setting, f"is not used {self.when}: {self.why}")


def _automode_rule(setting: str, why: str) -> Unused:
    return Unused(setting, "with capacity=automode", why, _automode)


UNUSED: tuple[Unused, ...] = (
    # Auto Mode has no managed nodegroup for these to shape.
    _automode_rule("gpuAmiType", "Auto Mode picks and patches the GPU AMI itself (its own NVIDIA driver and device plugin). "
                   "Leave gpuAmiType unset"),
    _automode_rule("systemNodes", "Auto Mode runs add-ons on its built-in system node pool, sized to what runs there. "
                   "Leave systemNodes unset"),
    _automode_rule("systemNodeType", "Auto Mode picks the system node pool's instances itself. Leave systemNodeType unset"),
    _automode_rule("sshPublicKey", "Auto Mode nodes allow no SSH or SSM access (EKS user guide, automode-learn-instances). "
                   "Leave sshPublicKey unset"),
    _automode_rule("sshAllowedCidrs", "Auto Mode nodes allow no SSH access. Leave sshAllowedCidrs unset"),
    _automode_rule("nodeVolumeSize", f"Auto Mode nodes take their disk from the built-in NodeClass ({AUTOMODE_NODE_DISK_GIB} GiB). "
                   "Leave nodeVolumeSize unset, or use capacity=nodegroups"),
    _automode_rule("nodeMonitoringAgent", "Auto Mode runs the node monitoring agent and node auto repair on every node itself "
                   "(EKS user guide, node-health). Leave nodeMonitoringAgent unset"),
    _automode_rule("nodes", "Auto Mode has no desired node count: it starts a GPU node for each runner pod that waits. "
                   "Leave nodes unset; nodesMin and nodesMax bound the runners"),
    _automode_rule("devicePluginVersion", "Auto Mode runs its own NVIDIA device plugin on GPU nodes (EKS user guide, "
                   "auto-accelerated). Leave devicePluginVersion unset"),
    _automode_rule("fastImagePull", "it configures nodeadm on managed nodegroup nodes, and Auto Mode's nodes take no user data. "
                   "Leave fastImagePull unset"),
    # Bottlerocket's Kubernetes NVIDIA variants run nvidia-k8s-device-plugin on the host, configured through
    # settings.kubelet-device-plugins.nvidia (bottlerocket.dev, os/1.54.x/api/settings/kubelet-device-plugins).
    Unused("devicePluginVersion", "with a Bottlerocket gpuAmiType", "its NVIDIA variants run their own device plugin. "
           "Leave devicePluginVersion unset", lambda raw: _text(raw, "gpuAmiType", "").startswith("bottlerocket")),
    # Where the runner's SQS credentials come from.
    Unused("sqsSecretName", "with sqsCredentials=file or none", "only secretsmanager reads the secret and only managed writes it. "
           "Leave sqsSecretName unset", lambda raw: _text(raw, "sqsCredentials", "secretsmanager") in ("file", "none")),
    *(Unused(name, "unless sqsCredentials=file", f"only file mode reads it at synth. Leave {name} unset, or set sqsCredentials=file",
             lambda raw: _text(raw, "sqsCredentials", "secretsmanager") != "file")
      for name in ("sqsCredentialsFile", "sqsConfigFile")),
    # KEDA scales the runner only on listed queues with autoscaling on (settings/scaling.py queue_autoscaling).
    *(Unused(name, "without queues and autoscaling", f"it bounds KEDA, which scales the runner only on the queues listed. "
             f"Set queues, or leave {name} unset", _no_queue_scaling)
      for name in ("runnerMaxReplicas", "queueLengthPerRunner")),
    Unused("maxMessageAgeMinutes", "without queues", "its alarm watches the oldest message of each queue listed. "
           "Set queues, or leave maxMessageAgeMinutes unset", lambda raw: not _has_queues(raw)),
    # The pipeline stack's own settings.
    *(Unused(name, "without pipeline=true", f"only the pipeline stack reads it. Set pipeline=true, or leave {name} unset",
             lambda raw: _flag(raw, "pipeline", False) is False)
      for name in ("pipelineRepository", "pipelineBranch", "pipelineConnectionArn", "pipelineTargets")),
)


def unused_settings(raw: Raw) -> frozenset[str]:
    """The settings given in `raw` that its other settings leave unused (what refuse_unused would refuse, all of them)."""
    return frozenset(rule.setting for rule in UNUSED if raw.get(rule.setting) is not None and rule.applies(raw))


def refuse_unused(raw: Raw) -> None:
    """The first rule whose setting is given explicitly and not used: SettingError naming it."""
    for rule in UNUSED:
        if raw.get(rule.setting) is not None and rule.applies(raw):
            raise rule.refusal()
