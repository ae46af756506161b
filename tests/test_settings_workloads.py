"""The workload settings (settings/nodes.py, runner.py, credentials.py): GPU checks, runner, SQS credentials and ECR refresh settings."""
from __future__ import annotations

from pathlib import Path

import pytest

from settings import SettingError, load_settings
from tests.conftest import CANARY_CREDENTIALS, CANARY_SECRET, write_canary_home
from tests.setting_errors import error_line


def test_defaults():
    s = load_settings({}, {})
    assert (s.node.device_plugin_version, s.node.gpu_smoke_test, s.node.gpu_test_pods, s.node.verify_gpu_on_deploy) == ("v0.20.0", True, False, False)
    assert (s.runner.namespace, s.runner.runner_image, s.runner.runner_replicas) == ("studioml", "quay.io/leafai/studio-go-runner:0.14.2", 1)
    assert (s.runner.runner_gpus, s.runner.runner_cpu, s.runner.runner_memory, s.runner.runner_scratch_size) == (1, "2", "12Gi", "50Gi")
    assert (s.runner.queue_match, s.runner.cache_size, s.runner.clear_text_messages) == ("^sqs_.*$", "10Gib", True)
    assert (s.credentials.sqs_credentials, s.credentials.sqs_secret_name, s.credentials.ecr_credential_refresh) == ("secretsmanager", "studioml-runner/aws-sqs", "auto")
    assert s.files.sqs_files is None and not s.ecr_refresh and s.node.device_plugin_needed


def test_ecr_refresh_auto_follows_the_image():
    s = load_settings({"runnerImage": "123456789012.dkr.ecr.us-west-2.amazonaws.com/runner:0.14.3"}, {})
    assert s.ecr_refresh and s.ecr_registry == "123456789012.dkr.ecr.us-west-2.amazonaws.com"
    assert not load_settings({"runnerImage": "123456789012.dkr.ecr.us-west-2.amazonaws.com/runner:0.14.3",
                              "ecrCredentialRefresh": "false"}, {}).ecr_refresh


def test_file_mode_reads_the_files_from_home(tmp_path):
    s = load_settings({"sqsCredentials": "file"}, {"HOME": str(write_canary_home(tmp_path))})
    assert CANARY_SECRET in s.files.sqs_files.credentials and "region" in s.files.sqs_files.config


def test_file_mode_errors_never_show_the_secret(tmp_path):
    home = write_canary_home(tmp_path)
    (home / ".aws" / "config").write_text("[default]\noutput = json\n")
    message = error_line({"sqsCredentials": "file"}, home=home)
    assert message.startswith("error: sqsConfigFile: ")
    assert CANARY_SECRET not in message


def _file_mode_error(tmp_path: Path, credentials: str | None, config: str | None) -> str:
    home = write_canary_home(tmp_path)
    for name, text in (("credentials", credentials), ("config", config)):
        path = home / ".aws" / name
        if text is None:
            path.unlink()
        else:
            path.write_text(text)
    return error_line({"sqsCredentials": "file"}, home=home)


@pytest.mark.parametrize(("credentials", "config", "starts"), [
    (None, "[default]\nregion = us-west-2\n", "error: sqsCredentialsFile: "),
    ("", "[default]\nregion = us-west-2\n", "error: sqsCredentialsFile: "),
    ("[other]\naws_access_key_id = A\naws_secret_access_key = B\n", "[default]\nregion = us-west-2\n", "error: sqsCredentialsFile: "),
    ("[default]\naws_access_key_id = A\n", "[default]\nregion = us-west-2\n", "error: sqsCredentialsFile: "),
    (CANARY_CREDENTIALS, "[default]\noutput = json\n", "error: sqsConfigFile: "),
], ids=["missing", "empty", "no-default", "no-secret-key", "no-region"])
def test_file_mode_bad_files_name_the_setting(tmp_path, credentials, config, starts):
    line = _file_mode_error(tmp_path, credentials, config)
    assert line.startswith(starts) and line.count("\n") == 0


def test_file_mode_missing_file_exact(tmp_path):
    home = write_canary_home(tmp_path)
    (home / ".aws" / "credentials").unlink()
    from domain.credential_files import read_sqs_credential_files, SqsCredentialsError
    with pytest.raises(SqsCredentialsError) as expected:
        read_sqs_credential_files(home / ".aws" / "credentials", home / ".aws" / "config")
    assert error_line({"sqsCredentials": "file"}, home=home) == f"error: sqsCredentialsFile: {expected.value.message}" + (
        "" if expected.value.message.endswith(".") else ".")


def test_files_are_not_read_outside_file_mode(tmp_path):
    # Refused as unused (settings/unused.py) before anything reads the path: the line is about the setting, not the file.
    with pytest.raises(SettingError) as raised:
        load_settings({"sqsCredentials": "secretsmanager", "sqsCredentialsFile": str(tmp_path / "missing")}, {"HOME": str(tmp_path)})
    assert "does not exist" not in raised.value.line and raised.value.line.startswith("error: sqsCredentialsFile: is not used ")


BAD_INPUT = [
    ({"runnerMemory": "64Gi"}, "error: runnerMemory: 64Gi does not fit one g4dn.xlarge (16 GiB, 2.6Gi kept for the node). "
                               "Give 13.4Gi or less, or a larger nodeType."),
    ({"runnerGpus": "2"}, "error: runnerGpus: 2 does not fit one g4dn.xlarge (1 GPU). Give 1 or less, or a nodeType with more GPUs."),
    ({"runnerCpu": "4"}, "error: runnerCpu: 4 does not fit one g4dn.xlarge (4 vCPUs, 0.5 kept for the node). Give 3.5 or less, or a larger nodeType."),
    ({"nodeType": "g5.xlarge,g5g.xlarge", "runnerMemory": "1Gi"}, "error: nodeType: g5.xlarge,g5g.xlarge mixes x86_64 and arm64 types. "
                                                                  "One nodegroup runs one AMI: list types of one architecture."),
    ({"nodeType": "g6e.xlarge,g4dn.xlarge", "runnerMemory": "20Gi"},
     "error: runnerMemory: 20Gi does not fit one g4dn.xlarge (16 GiB, 2.6Gi kept for the node). Give 13.4Gi or less, or a larger nodeType."),
    ({"runnerMemory": "lots"}, "error: runnerMemory: 'lots' is not a memory quantity. Write it like 12Gi or 12288Mi."),
    ({"runnerCpu": "two"}, "error: runnerCpu: 'two' is not a CPU quantity. Write cores like 2 or millicores like 1500m."),
    ({"runnerImage": "quay.io/leafai/studio-go-runner:latest"},
     "error: runnerImage: 'quay.io/leafai/studio-go-runner:latest' is not pinned: latest changes under a running cluster. "
     "Pin a release, such as quay.io/leafai/studio-go-runner:0.14.2."),
    ({"runnerImage": "quay.io/leafai/studio-go-runner"},
     "error: runnerImage: 'quay.io/leafai/studio-go-runner' has no tag. Pin a release, such as quay.io/leafai/studio-go-runner:0.14.2."),
    ({"runnerImage": "localhost:5000/runner"},
     "error: runnerImage: 'localhost:5000/runner' has no tag. Pin a release, such as quay.io/leafai/studio-go-runner:0.14.2."),
    ({"runnerReplicas": "-1"}, "error: runnerReplicas: -1 is negative. Give 0 or more."),
    ({"runnerGpus": "0"}, "error: runnerGpus: 0 GPUs leaves the runner nothing to run on. Give 1 or more."),
    ({"queueMatch": "("}, "error: queueMatch: '(' is not an RE2 regular expression, as the runner's Go regexp needs "
                          "(missing ): (). Give one such as ^sqs_.*$."),
    ({"runnerScratchSize": "100Gi"}, "error: runnerScratchSize: 100Gi is not below nodeVolumeSize (100 GiB), which also holds the AMI "
                                     "and images. Give at most 50Gi, or raise nodeVolumeSize."),
    ({"cacheSize": "60Gib"}, "error: cacheSize: 60Gib does not fit in runnerScratchSize (50Gi), where the cache lives. "
                             "Lower cacheSize or raise runnerScratchSize."),
    ({"cacheSize": "100Mib"}, "error: cacheSize: 100Mib is below the runner's 1 GB minimum. Give 1Gib or more."),
    ({"cacheSize": "10 gigs"}, "error: cacheSize: '10 gigs' is not a cache size. Write it like 10Gib."),
    ({"devicePluginVersion": "latest"}, "error: devicePluginVersion: 'latest' is not a release tag. Write it like v0.20.0."),
    ({"namespace": "Bad_NS"}, "error: namespace: 'Bad_NS' is not a Kubernetes namespace name. Use lower-case letters, digits and '-', "
                              "at most 63, starting and ending with a letter or digit."),
    ({"namespace": "kube-system"}, "error: namespace: kube-system belongs to Kubernetes itself. Use studioml (the default) or a "
                                   "namespace of your own."),
    ({"sqsCredentials": "vault"}, "error: sqsCredentials: 'vault' is not a credentials mode. Use one of secretsmanager, file, none, managed."),
    ({"sqsSecretName": "has space"}, "error: sqsSecretName: 'has space' is not a Secrets Manager secret name. Use 1 to 512 letters, digits and /_+=.@-."),
    ({"ecrCredentialRefresh": "sometimes"}, "error: ecrCredentialRefresh: 'sometimes' is not one of auto, true, false. Use auto unless you know better."),
    ({"ecrCredentialRefresh": "true"}, "error: ecrCredentialRefresh: is true but runnerImage quay.io/leafai/studio-go-runner:0.14.2 is not "
                                       "a private ECR image. Set it to auto or false."),
    ({"verifyGpuOnDeploy": "true", "gpuSmokeTest": "false"},
     "error: verifyGpuOnDeploy: waits for the smoke test, but gpuSmokeTest is false. Set gpuSmokeTest=true too."),
    ({"gpuTestPods": "yes"}, "error: gpuTestPods: 'yes' is not a boolean. Use true or false."),
]


@pytest.mark.parametrize(("context", "line"), BAD_INPUT, ids=[f"{k}={str(v)[:16]}" for c, _ in BAD_INPUT for k, v in [next(iter(c.items()))]])
def test_bad_input_has_one_exact_line(context, line):
    assert error_line(context) == line


def test_larger_node_types_take_larger_runners():
    s = load_settings({"nodeType": "g5.12xlarge", "runnerGpus": "4", "runnerCpu": "40", "runnerMemory": "160Gi"}, {})
    assert s.runner.runner_gpus == 4


# --- warm hours: a KEDA cron trigger keeps warmRunners up -------------------------------------------------------------

def test_warm_hours_are_kept_in_one_spelling_with_their_window():
    settings = load_settings({"queues": "sqs_a", "warmHours": " Mon-Fri   08:00-18:00  Europe/Berlin "}, {})
    assert settings.scaling.warm_hours == "Mon-Fri 08:00-18:00 Europe/Berlin"
    assert (settings.scaling.warm_window.cron_start, settings.scaling.warm_runners) == ("0 8 * * 1,2,3,4,5", 1)
    assert load_settings({}, {}).scaling.warm_window is None


@pytest.mark.parametrize("context, line", [
    ({"warmHours": "Mon-Fri 08:00-18:00 UTC"},
     "error: warmHours: needs runner autoscaling: KEDA's cron trigger keeps the runners up, and KEDA runs only with queues "
     "and autoscaling. Set queues=sqs_name (and keep nodesMax above nodesMin), or drop warmHours."),
    ({"queues": "sqs_a", "warmHours": "Mon-Fri 08:00-18:00 Europe/Berln"},
     "error: warmHours: 'Europe/Berln' is not an IANA time zone. Use a name like Europe/Berlin, America/New_York or UTC."),
    ({"queues": "sqs_a", "warmHours": "Mon-Fri 08:00-18:00 UTC", "warmRunners": "4"},
     "error: warmRunners: 4 is more than the 3 runners KEDA may run (runnerMaxReplicas). Give 3 or less, or raise nodesMax."),
    ({"queues": "sqs_a", "warmRunners": "0"},
     "error: warmRunners: 0 is below 1: KEDA's cron trigger refuses 0 desiredReplicas. Give 1 or more."),
])
def test_bad_warm_hours_get_one_line(context: dict, line: str):
    assert error_line(context) == line


@pytest.mark.parametrize("context, line", [
    ({"fastImagePull": "true", "gpuAmiType": "BOTTLEROCKET_x86_64_NVIDIA"},
     "error: fastImagePull: is nodeadm's FastImagePull, which only AL2023 AMIs run; BOTTLEROCKET_x86_64_NVIDIA configures its "
     "SOCI snapshotter otherwise. Use an AL2023 gpuAmiType, or drop fastImagePull."),
    ({"fastImagePull": "true", "capacity": "automode"},
     "error: fastImagePull: is not used with capacity=automode: it configures nodeadm on managed nodegroup nodes, and Auto "
     "Mode's nodes take no user data. Leave fastImagePull unset."),
])
def test_fast_image_pull_is_for_al2023_nodegroups(context: dict, line: str):
    assert error_line(context) == line
