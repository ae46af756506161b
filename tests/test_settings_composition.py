"""Settings by composition (settings/model.py): groups that never read each other, and one place for the checks that relate them.

Each group checks only its own values and names only its own settings; each check in settings/cross_checks.py names, in
its refusal, one of the settings it says it relates. Hypothesis draws combinations of plausible values nobody listed.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from settings import SETTING_NAMES, SettingError, load_settings
from settings import cross_checks
from settings.cross_checks import CROSS_CHECKS, CrossCheck
from settings.model import GROUP_OF, GROUPS
from stacks.addons.external_secrets import EXTERNAL_SECRETS
from tests.bad_inputs import CORPUS

SETTINGS_DIR = Path(__file__).parent.parent / "settings"
GROUP_MODULES = {"cluster", "nodes", "runner", "credentials", "scaling", "delivery", "observability"}
CONNECTION = "arn:aws:codeconnections:us-west-2:123456789012:connection/12345678-1234-1234-1234-123456789012"

# Plausible values, each good on its own; together they reach every group's checks and every cross check.
PLAUSIBLE: dict[str, list[Any]] = {
    "clusterName": ["gpu-a", "a" * 57, "a" * 60], "region": ["us-east-1", "eu-west-1", "cn-north-1"], "account": ["123456789012"],
    "kubernetesVersion": ["1.34", "1.36"], "capacity": ["automode", "nodegroups"], "nodegroupName": ["gpus", "gpu-a-system"],
    "nodeType": ["g5.xlarge", "p3.2xlarge", "g4dn.12xlarge", "g5g.xlarge", "g4dn.xlarge,g5.xlarge", "g3s.xlarge"],
    "nodes": ["0", "2", "5"], "nodesMin": ["0", "2", "4"], "nodesMax": ["1", "2", "10"], "gpuAmiType": ["BOTTLEROCKET_x86_64_NVIDIA",
    "AL2023_ARM_64_NVIDIA"], "nodeVolumeSize": ["60", "200"], "fastImagePull": ["true"], "systemNodes": ["0", "1", "3"],
    "systemNodeType": ["t4g.medium", "t4g.small", "m7g.large", "c5.large"], "gpuSmokeTest": ["false"], "verifyGpuOnDeploy": ["true"],
    "sshAllowedCidrs": ["203.0.113.0/24"], "runnerImage": ["123456789012.dkr.ecr.us-west-2.amazonaws.com/runner:1.0",
    "123456789012.dkr.ecr.mars-1.amazonaws.com/runner:1.0", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/runner:1.0"],
    "runnerReplicas": ["0", "2", "9"], "runnerGpus": ["2", "4"], "runnerCpu": ["1", "16", "500m"], "runnerMemory": ["4Gi", "60Gi"],
    "runnerScratchSize": ["20Gi", "90Gi"], "queueMatch": ["^.*$", "^rmq_.*$", "^sqs_a$"], "cacheSize": ["2Gib", "30Gib"],
    "sqsCredentials": ["managed", "none", "file"], "ecrCredentialRefresh": ["true", "false"], "autoscaling": ["true", "false"],
    "queues": ["sqs_a", "sqs_a,sqs_b", "rmq_x", "sqs_a,dlq-sqs_a"], "createQueues": ["true"], "runnerMaxReplicas": ["0", "2", "50"],
    "warmHours": ["Mon-Fri 08:00-18:00 Europe/Berlin"], "warmRunners": ["2", "9"], "pipeline": ["true"],
    "pipelineRepository": ["my-org/gpu"], "pipelineConnectionArn": [CONNECTION, CONNECTION.replace(":aws:", ":aws-cn:")],
    "pipelineTargets": ["prod=123456789012/us-west-2", "a=123456789012/eu-west-1,b=210987654321/cn-north-1"],
    "adminPrincipalArns": ["arn:aws:iam::123456789012:role/admin", "arn:aws-cn:iam::123456789012:role/admin"],
    "nodeMonitoringAgent": ["false"], "containerInsights": ["false"],
}
DRAWN = hypothesis_settings(max_examples=600, deadline=None, derandomize=True, database=None,
                            suppress_health_check=[HealthCheck.too_slow])
contexts = st.dictionaries(st.sampled_from(sorted(PLAUSIBLE)), st.none(), min_size=1, max_size=6).flatmap(
    lambda keys: st.fixed_dictionaries({key: st.sampled_from(PLAUSIBLE[key]) for key in keys}))


class Refusals:
    """Which check refused a context, and each refusal that named a setting outside what its check may name. (An assert inside
    a check would not do: pydantic turns an AssertionError in a validator into a validation error, and so into a refusal.)"""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.by: str | None = None
        self.wrong: list[str] = []
        monkeypatch.setattr(cross_checks, "CROSS_CHECKS", [self._watched(check) for check in CROSS_CHECKS])
        for name, group in GROUPS.items():
            monkeypatch.setattr(group, "check", self._watched_group(name, group.check))

    def _watched(self, check: CrossCheck) -> CrossCheck:
        def run(settings: Any) -> None:
            try:
                check.run(settings)
            except SettingError as err:
                self.by = check.run.__name__
                if err.setting not in check.relates:
                    self.wrong.append(f"{self.by} relates {check.relates}, but refused with: {err.line}")
                raise
        return CrossCheck(check.relates, run)

    def _watched_group(self, name: str, check: Any) -> Any:
        def watched(group: Any) -> None:
            try:
                check(group)
            except SettingError as err:
                self.by = f"group {name}"
                if GROUP_OF.get(err.setting) != name:
                    self.wrong.append(f"group {name} refused with another group's setting: {err.line}")
                raise
        return watched

    def of(self, context: dict[str, Any]) -> str | None:
        """The check that refused `context`, or None when it was accepted (or refused before any check ran)."""
        self.by = None
        try:
            load_settings(context, {})
        except SettingError:
            return self.by
        return None


@pytest.fixture
def refusals(monkeypatch: pytest.MonkeyPatch) -> Refusals:
    return Refusals(monkeypatch)


def test_every_check_relates_real_settings_and_has_a_name_of_its_own():
    assert all(name in SETTING_NAMES for check in CROSS_CHECKS for name in check.relates)
    assert len({check.run.__name__ for check in CROSS_CHECKS}) == len(CROSS_CHECKS)


def _group_imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("settings."):
            yield node.module.split(".")[1]


@pytest.mark.parametrize("group", sorted(GROUP_MODULES))
def test_no_group_reads_another(group: str):
    """A group that needs another's value is a cross check: it belongs in settings/cross_checks.py, not in the group."""
    assert sorted(set(_group_imports(SETTINGS_DIR / f"{group}.py")) & (GROUP_MODULES - {group})) == []


def test_the_corpus_is_refused_by_checks_that_name_what_they_relate(monkeypatch: pytest.MonkeyPatch):
    watched = Refusals(monkeypatch)
    reached = {watched.of(context) for _, context, environ in CORPUS
               if not environ and not any("{" in str(value) for value in context.values())}  # those that need no files or HOME
    assert watched.wrong == []
    assert {"group node", "group runner", "group scaling", "group delivery"} <= reached


@DRAWN
@given(context=contexts)
def test_drawn_combinations_are_refused_by_checks_that_name_what_they_relate(context: dict[str, Any]):
    with pytest.MonkeyPatch.context() as monkeypatch:
        watched = Refusals(monkeypatch)
        watched.of(context)
    assert watched.wrong == []


# One context per cross check that only that check refuses: each is reachable, and runs where the table puts it.
REACHED_BY = {
    "runner_image_runs_on_the_nodes": {"nodeType": "g5g.xlarge", "gpuAmiType": "AL2023_ARM_64_NVIDIA", "runnerMemory": "5Gi"},
    "nodegroup_names_fit": {"clusterName": "a" * 57},
    "runner_fits_each_node_type": {"runnerGpus": "2"},
    "scratch_fits_the_node_disk": {"capacity": "automode", "runnerScratchSize": "80Gi"},
    "ecr_image_is_reachable": {"runnerImage": "123456789012.dkr.ecr.mars-1.amazonaws.com/runner:1.0"},
    "no_keys_on_a_build_machine": {"sqsCredentials": "file", "pipeline": "true", "account": "123456789012",
                                   "pipelineRepository": "my-org/gpu", "pipelineConnectionArn": CONNECTION},
    "runner_serves_the_queues": {"queues": "rmq_x"},
    "something_to_scale_and_somewhere_to_run": {"autoscaling": "true", "nodesMax": "1"},
    "runners_fit_the_gpus": {"runnerReplicas": "4"},
    "warm_hours_have_runners_to_keep": {"warmHours": "Mon-Fri 08:00-18:00 Europe/Berlin"},
    "admins_live_in_each_target_partition": {"adminPrincipalArns": "arn:aws-cn:iam::123456789012:role/admin"},
    "pipeline_can_deliver": {"pipeline": "true", "pipelineRepository": "my-org/gpu", "pipelineConnectionArn": CONNECTION},
    "system_nodes_hold_the_system_pods": {"systemNodeType": "t3.small"},
}


def test_every_cross_check_has_a_context_that_reaches_it():
    assert sorted(REACHED_BY) == sorted(c.run.__name__ for c in CROSS_CHECKS if c.run.__name__ != "components_support_the_version")


@pytest.mark.parametrize("check", sorted(REACHED_BY))
def test_each_cross_check_is_reached(check: str, refusals: Refusals):
    assert refusals.of(REACHED_BY[check]) == check and refusals.wrong == []


def test_the_version_check_is_reached_when_an_installed_pin_leaves_out_the_minor(refusals: Refusals, monkeypatch: pytest.MonkeyPatch):
    """Every pinned release supports every listed minor today, so the check is reached with a pin that does not."""
    monkeypatch.setitem(EXTERNAL_SECRETS, "1.35", EXTERNAL_SECRETS["1.36"])
    assert refusals.of({"kubernetesVersion": "1.35"}) == "components_support_the_version"
