"""cluster-autoscaler as its own construct, in a bare stack: its release per Kubernetes minor, its tags, what it waits for."""
from __future__ import annotations

import json

import pytest
from aws_cdk import aws_eks_v2 as eks

from stacks.addons.cluster_autoscaler.construct import ClusterAutoscaler
from stacks.capacity import NodeTaint
from tests.stacks.addons.bare_stack import CLUSTER_NAME, assert_release_waits_for_its_association_and_nodes, of_type, one, synth_bare

LABELS = {"nvidia.com/gpu.present": "true"}
TAINT = NodeTaint("nvidia.com/gpu", "true", "NoSchedule")


def _bare(outdir, *, taints, kubernetes_version="1.35"):
    def build(stack, cluster, nodes):
        gpu = eks.Nodegroup.from_nodegroup_name(stack, "Gpu", "studio-gpu")
        return ClusterAutoscaler(stack, "Autoscaler", cluster=cluster, agent=None, cluster_name=CLUSTER_NAME, region="us-west-2",
                                 kubernetes_version=kubernetes_version, gpu_nodegroup=gpu, gpus_per_node=4,
                                 gpu_node_labels=LABELS, gpu_taints=taints, system_nodes=nodes)
    return synth_bare(outdir, build)


@pytest.fixture(scope="module")
def tainted(tmp_path_factory):
    return _bare(tmp_path_factory.mktemp("ca"), taints=[TAINT])


def _tags(template):
    tag_call = next(res for res in of_type(template, "Custom::AWS").values() if "createOrUpdateTags" in json.dumps(res))
    create = tag_call["Properties"]["Create"]
    text = "".join(part if isinstance(part, str) else "ASG" for part in create["Fn::Join"][1])
    return {tag["Key"]: tag["Value"] for tag in json.loads(text)["parameters"]["Tags"]}


def test_release_pins_the_chart_and_image_of_the_clusters_minor(tainted):
    _, release = one(tainted[2], "Custom::AWSCDK-EKS-HelmChart")
    props = release["Properties"]
    # Chart 9.59.0 for every minor; the image of the newest 1.35 patch, kubernetes/autoscaler tag cluster-autoscaler-1.35.2.
    assert (props["Chart"], props["Version"], props["Namespace"], props["Wait"]) == ("cluster-autoscaler", "9.59.0", "kube-system", True)
    assert json.loads(props["Values"])["image"]["tag"] == "v1.35.2"


def test_release_waits_for_its_association_and_the_system_nodes(tainted):
    stack, autoscaler, template = tainted
    assert_release_waits_for_its_association_and_nodes(stack, template, autoscaler.chart)


def test_gpu_group_is_described_with_its_gpus_labels_and_taints(tainted):
    assert _tags(tainted[2]) == {
        "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "4",
        "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.present": "true",
        "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
    }


def test_untainted_gpu_nodes_get_no_taint_tag(tmp_path):
    _, _, template = _bare(tmp_path, taints=[])
    assert not any(key.startswith("k8s.io/cluster-autoscaler/node-template/taint/") for key in _tags(template))
