"""Every setting of the app, one flat set for users, checked by concern: each value has a type, each group its checks.

Values come from CDK context (`-c key=value` or `cdk.json`), else the environment variable named in
ENV_FALLBACKS, else the default. Everything past this package receives typed values.
A bad value raises SettingError, which the app prints as one line:
`error: <setting>: <what is wrong>. <what to do>.`

    types.py        reusable value types (Region, Cidr lists, IAM ARNs, names, pinned images, RE2 patterns)
    the groups, each with its fields and its own checks:
    cluster.py      the cluster and its network        nodes.py       GPU and system nodegroups, GPU checks
    runner.py       the runner and its budget          credentials.py SQS keys and ECR pulls
    scaling.py      autoscaling and the queues         delivery.py    CDK Pipelines
    observability.py GPU health, Container Insights, alarms
    model.py        Settings: the groups as fields, and what follows from more than one
    unused.py       settings another setting leaves unused (refused first)
    cross_checks.py the checks that relate groups      local_files.py the SSH key and SQS files settings name
    capacity.py     nodegroups or Auto Mode; system-node sizing
    load.py         context, environment, defaults     notes.py       what each synth tells the user
    table.py        the README's settings table
"""
from domain.images import DEFAULT_RUNNER_IMAGE, UPSTREAM_RUNNER_REPOSITORY
from settings.cluster import SUPPORTED_KUBERNETES_VERSIONS
from settings.delivery import PipelineTarget
from settings.errors import SettingError
from settings.load import ENV_FALLBACKS, SETTING_NAMES, load_settings
from settings.model import Settings
from settings.local_files import SshPublicKey
from settings.nodes import NVIDIA_AMI_TYPES
from settings.notes import target_line, user_notes
from settings.table import settings_table

__all__ = ["DEFAULT_RUNNER_IMAGE", "ENV_FALLBACKS", "NVIDIA_AMI_TYPES", "SETTING_NAMES", "SUPPORTED_KUBERNETES_VERSIONS", "PipelineTarget",
           "SettingError", "Settings", "SshPublicKey", "UPSTREAM_RUNNER_REPOSITORY", "load_settings", "settings_table", "target_line",
           "user_notes"]
