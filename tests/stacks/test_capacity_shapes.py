"""Both capacity shapes from the same settings: the templates differ only where the shape must, and nothing else.

`automode` is `default`, and `automode-scale` is `scale`, with capacity=automode (tests/conftest.py).
"""
from __future__ import annotations

import json
import re

import pytest

from tests.synth import kubernetes_manifests, resources

pytestmark = pytest.mark.xdist_group("shapes")

# What only managed nodegroups need: the nodegroups, cluster-autoscaler (its chart, identity and the node-template tags
# with the SDK-call function they run on), the device plugin, the Pod Identity agent and node monitoring agent add-ons.
ONLY_NODEGROUPS = {"AWS679f53fac002430cb0da5b7982bd2287", "AWS679f53fac002430cb0da5b7982bd2287LogGroup",
                   "AWS679f53fac002430cb0da5b7982bd2287ServiceRole", "AutoscalerChart",
                   "AutoscalerGpuNodeTemplateTagsFindAutoScalingGroup",
                   "AutoscalerGpuNodeTemplateTagsFindAutoScalingGroupCustomResourcePolicy",
                   "AutoscalerGpuNodeTemplateTagsTagAutoScalingGroup",
                   "AutoscalerGpuNodeTemplateTagsTagAutoScalingGroupCustomResourcePolicy", "AutoscalerIdentityAssociation",
                   "AutoscalerIdentityRoleDefaultPolicy", "AutoscalerIdentityRole", "GpuNodesLaunchTemplate", "GpuNodesNodegroup",
                   "GpuNodesNodegroupNodeGroupRole", "SystemNodesLaunchTemplate", "SystemNodesNodegroup",
                   "SystemNodesNodegroupNodeGroupRole", "WorkloadsDevicePluginManifest", "WorkloadsPodIdentityAgent",
                   "ObservabilityNodeMonitoringAgentAddon",
                   # GPU nodes counted as all nodes less the fixed system nodegroup: no fixed count in Auto Mode
                   "ObservabilityAlarmsGpuNodesWithoutGpus"}
# What only Auto Mode needs: its node role and the GPU NodePool.
ONLY_AUTOMODE = {"EksAutoModeNodeRole", "WorkloadsGpuNodePoolManifest"}
# In both, but not the same: the cluster (Auto Mode on) and its role (Auto Mode's policies); the add-ons' placement
# (the system pool) and their identities (no agent add-on to wait for); the GPU checks wait for the pool instead of the
# nodegroups and device plugin; the Lambda logs' key names each function's log group, and the node-template tags' function exists with nodegroups only.
CHANGED = {"EksCluster", "EksClusterRole", "WorkloadsExternalSecrets", "WorkloadsExternalSecretsIdentityAssociation",
           "WorkloadsGpuChecksManifest", "LogEncryptionFunctionLogsKey",
           # Container Insights waits for the pool and needs no agent add-on; the dashboard's alarm widget lists one alarm
           # fewer (no GPU-count alarm in Auto Mode).
           "ObservabilityContainerInsightsAddon", "ObservabilityContainerInsightsIdentityAssociation", "ObservabilityDashboard"}
CHANGED_WITH_KEDA = CHANGED | {"WorkloadsKeda", "WorkloadsKedaIdentityAssociation", "WorkloadsEcrRefreshIdentityAssociation"}


def _unhashed(logical_id: str) -> str:
    return re.sub(r"[0-9A-F]{8}$", "", logical_id)


def _by_name(template: dict) -> dict[str, dict]:
    return {_unhashed(key): value for key, value in template["Resources"].items()}


@pytest.mark.parametrize(("nodegroups_config", "automode_config", "changed"), [("default", "automode", CHANGED),
                                                                               ("scale", "automode_scale", CHANGED_WITH_KEDA)])
def test_the_shapes_differ_only_where_they_must(request, nodegroups_config, automode_config, changed):
    ng, am = _by_name(request.getfixturevalue(nodegroups_config)), _by_name(request.getfixturevalue(automode_config))
    assert set(ng) - set(am) == ONLY_NODEGROUPS
    assert set(am) - set(ng) == ONLY_AUTOMODE
    assert {key for key in set(ng) & set(am) if ng[key] != am[key]} == changed


def test_outputs_name_the_nodegroup_or_the_node_pool(default, automode):
    assert set(default["Outputs"]) ^ set(automode["Outputs"]) == {"GpuNodegroupName", "GpuNodePoolName"}
    assert all(default["Outputs"][key] == automode["Outputs"][key] for key in set(default["Outputs"]) & set(automode["Outputs"]))


def test_the_cluster_turns_on_auto_mode_with_the_documented_node_role(automode):
    cluster = _by_name(automode)["EksCluster"]["Properties"]
    assert cluster["ComputeConfig"]["Enabled"] is True
    assert cluster["ComputeConfig"]["NodePools"] == ["system", "general-purpose"]
    assert cluster["ComputeConfig"]["NodeRoleArn"]["Fn::GetAtt"][0].startswith("EksAutoModeNodeRole")
    role = _by_name(automode)["EksAutoModeNodeRole"]["Properties"]
    policies = {json.dumps(arn) for arn in role["ManagedPolicyArns"]}
    # latest/ug/automode/cloudformation/compute_node_role.yaml: these two, nothing more
    assert len(policies) == 2 and all(("AmazonEKSWorkerNodeMinimalPolicy" in p) ^ ("AmazonEC2ContainerRegistryPullOnly" in p)
                                      for p in policies)


def test_add_ons_run_on_the_system_pool_and_tolerate_it(automode_scale):
    charts = {_unhashed(key): json.loads(res["Properties"]["Values"])
              for key, res in resources(automode_scale, "Custom::AWSCDK-EKS-HelmChart").items()}
    system, toleration = {"karpenter.sh/nodepool": "system"}, [{"key": "CriticalAddonsOnly", "operator": "Exists"}]
    keda, eso = charts["WorkloadsKeda"], charts["WorkloadsExternalSecrets"]
    assert (keda["nodeSelector"], keda["tolerations"]) == (system, toleration)
    for component in (eso, eso["webhook"], eso["certController"]):
        assert (component["nodeSelector"], component["tolerations"]) == (system, toleration)


def test_the_runner_is_the_same_in_both_shapes(default, automode):
    def runner(template):
        objects = next(objs for key, objs in kubernetes_manifests(template).items() if key.startswith("WorkloadsRunnerManifest"))
        return {(o["kind"], o["metadata"]["name"]): o for o in objects}
    ng, am = runner(default), runner(automode)
    # Its disk limit is set on the node when it starts (charts/runner_command.py), not from the shape's disk size.
    assert set(ng) == set(am)
    assert [key for key in ng if ng[key] != am[key]] == []


def test_the_gpu_node_pool_is_applied_first_and_the_checks_wait_for_it(synthesized):
    files = sorted(path.name for path in synthesized("automode").manifests_dir.glob("*.k8s.yaml"))
    assert files[0] == "00-gpu-node-pool.k8s.yaml"
    assert not any("device-plugin" in name for name in files)
