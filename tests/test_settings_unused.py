"""Settings another setting leaves unused are refused, each in one exact line (settings/unused.py), and used ones are not."""
from __future__ import annotations

import pytest

from settings import SettingError, load_settings
from settings.unused import UNUSED
from tests.setting_errors import error_line, setting_values

PIPELINE = {"pipeline": "true", "account": "123456789012", "pipelineRepository": "my-org/gpu",
            "pipelineConnectionArn": "arn:aws:codeconnections:us-west-2:123456789012:connection/12345678-1234-1234-1234-123456789012"}


@pytest.mark.parametrize("context, line", [
    # Bottlerocket's Kubernetes NVIDIA variants run nvidia-k8s-device-plugin on the host (bottlerocket.dev,
    # os/1.54.x/api/settings/kubelet-device-plugins); EKS Auto Mode runs its own (EKS user guide, auto-accelerated).
    ({"gpuAmiType": "BOTTLEROCKET_x86_64_NVIDIA", "devicePluginVersion": "v0.19.0"},
     "error: devicePluginVersion: is not used with a Bottlerocket gpuAmiType: its NVIDIA variants run their own device plugin. "
     "Leave devicePluginVersion unset."),
    ({"sqsCredentials": "none", "sqsSecretName": "team/sqs"},
     "error: sqsSecretName: is not used with sqsCredentials=file or none: only secretsmanager reads the secret and only managed "
     "writes it. Leave sqsSecretName unset."),
    ({"sqsCredentialsFile": "~/.aws/credentials-team"},
     "error: sqsCredentialsFile: is not used unless sqsCredentials=file: only file mode reads it at synth. Leave sqsCredentialsFile "
     "unset, or set sqsCredentials=file."),
    ({"sqsCredentials": "managed", "queueMatch": "^sqs_", "sqsConfigFile": "~/.aws/config-team"},
     "error: sqsConfigFile: is not used unless sqsCredentials=file: only file mode reads it at synth. Leave sqsConfigFile unset, "
     "or set sqsCredentials=file."),
    ({"runnerMaxReplicas": "2"},
     "error: runnerMaxReplicas: is not used without queues and autoscaling: it bounds KEDA, which scales the runner only on the "
     "queues listed. Set queues, or leave runnerMaxReplicas unset."),
    ({"queues": "sqs_a", "autoscaling": "false", "nodes": "1", "queueLengthPerRunner": "3"},
     "error: queueLengthPerRunner: is not used without queues and autoscaling: it bounds KEDA, which scales the runner only on the "
     "queues listed. Set queues, or leave queueLengthPerRunner unset."),
    ({"maxMessageAgeMinutes": "30"},
     "error: maxMessageAgeMinutes: is not used without queues: its alarm watches the oldest message of each queue listed. "
     "Set queues, or leave maxMessageAgeMinutes unset."),
    ({"pipelineBranch": "release"},
     "error: pipelineBranch: is not used without pipeline=true: only the pipeline stack reads it. Set pipeline=true, or leave "
     "pipelineBranch unset."),
    ({"pipeline": "false", "pipelineTargets": "prod=123456789012/us-west-2"},
     "error: pipelineTargets: is not used without pipeline=true: only the pipeline stack reads it. Set pipeline=true, or leave "
     "pipelineTargets unset."),
    ({"capacity": "automode", "nodes": "2"},
     "error: nodes: is not used with capacity=automode: Auto Mode has no desired node count: it starts a GPU node for each runner "
     "pod that waits. Leave nodes unset; nodesMin and nodesMax bound the runners."),
])
def test_a_setting_left_unused_is_refused_by_name(context, line):
    assert error_line(context) == line


@pytest.mark.parametrize("context, taken", [
    ({"gpuAmiType": "AL2023_x86_64_NVIDIA", "devicePluginVersion": "v0.19.0"}, {"devicePluginVersion": "v0.19.0"}),
    ({"sqsCredentials": "managed", "queueMatch": "^sqs_", "sqsSecretName": "team/sqs"}, {"sqsSecretName": "team/sqs"}),
    ({"queues": "sqs_a", "runnerMaxReplicas": "2", "queueLengthPerRunner": "3", "maxMessageAgeMinutes": "30"},
     {"runnerMaxReplicas": 2, "queueLengthPerRunner": 3, "maxMessageAgeMinutes": 30}),
    ({**PIPELINE, "pipelineBranch": "release"}, {"pipelineBranch": "release"}),
])
def test_the_same_settings_are_taken_where_they_are_used(context, taken):
    values = setting_values(load_settings(context, {}))
    assert {name: values[name] for name in taken} == taken


def test_a_condition_that_is_not_a_boolean_is_left_to_its_own_check():
    assert error_line({"pipeline": "perhaps", "pipelineBranch": "release"}).startswith("error: pipeline: ")


def test_every_rule_names_a_real_setting_and_fires():
    # A rule for a misspelt setting would never fire; each one here is reached by some context.
    names = {rule.setting for rule in UNUSED}
    for name in names:
        assert any(line.startswith(f"error: {name}: is not used ") for line in _lines_for(name)), name


def _lines_for(name: str) -> list[str]:
    """The refusals `name` gets under each rule's condition, with a value the setting itself takes."""
    value = {"gpuAmiType": "AL2023_x86_64_NVIDIA", "systemNodes": "2", "systemNodeType": "t4g.medium",
             "sshPublicKey": "~/.ssh/id.pub", "sshAllowedCidrs": "203.0.113.0/24", "nodeVolumeSize": "100",
             "nodeMonitoringAgent": "true", "nodes": "1", "fastImagePull": "true", "devicePluginVersion": "v0.19.0", "sqsSecretName": "team/sqs",
             "sqsCredentialsFile": "~/.aws/c", "sqsConfigFile": "~/.aws/c", "runnerMaxReplicas": "2", "queueLengthPerRunner": "2",
             "maxMessageAgeMinutes": "30", "pipelineRepository": "o/n", "pipelineBranch": "main",
             "pipelineConnectionArn": PIPELINE["pipelineConnectionArn"], "pipelineTargets": "prod=123456789012/us-west-2"}[name]
    conditions = [{"capacity": "automode"}, {"gpuAmiType": "BOTTLEROCKET_x86_64_NVIDIA"}, {"sqsCredentials": "none"}, {}]
    lines = []
    for condition in conditions:
        try:
            load_settings({**condition, name: value}, {})
        except SettingError as err:
            lines.append(err.line)
    return lines
