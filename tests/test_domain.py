"""domain/: the facts settings, stacks and charts share, each held against the source it comes from."""
from __future__ import annotations

import pytest

from charts.device_plugin import NAMESPACE as DEVICE_PLUGIN_NAMESPACE
from domain import botocore_data, names
from domain.images import pin_problem
from domain.instance_types import GPU_INSTANCE_TYPES, is_ec2_instance_type
from domain.queue_match import QueueMatchError, compile_queue_match, literal_prefix, queue_matches
from domain.regions import is_region, partition_of, partitions
from stacks.gpu_cluster_stack import stack_name
from stacks.install_plan import add_on_namespaces
from stacks.runner_queues import DEAD_LETTER_PREFIX


def test_every_namespace_this_project_installs_into_is_refused_for_the_runner():
    refused = set(names.KUBERNETES_NAMESPACES) | set(add_on_namespaces())
    # cluster-autoscaler's chart values (kube-system, as the autoscaler's AWS docs install it), KEDA's and External Secrets'
    # own namespaces, the CloudWatch user guide's ("Quick start with the Amazon CloudWatch Observability EKS add-on":
    # amazon-cloudwatch), and EKS's for its add-ons and NVIDIA's static manifest (kube-system).
    assert {"kube-system", "keda", "external-secrets", "amazon-cloudwatch", DEVICE_PLUGIN_NAMESPACE} <= refused
    assert "default" not in refused  # the runbook's namespace stays allowed


def test_stacks_take_their_names_and_limits_from_domain():
    assert stack_name("lab") == names.cluster_stack_name("lab") == "GpuCluster-lab"
    assert names.pipeline_stack_name("lab") == "GpuCluster-lab-pipeline"
    assert DEAD_LETTER_PREFIX == names.DEAD_LETTER_PREFIX
    assert names.CREATED_QUEUE_NAME_MAX == 76


def test_regions_and_partitions_come_from_botocore_data():
    """botocore/data/partitions.json: regions per partition; `*-global` entries are endpoints, not regions."""
    assert {"aws", "aws-cn", "aws-us-gov"} <= set(partitions())
    assert (partition_of("us-west-2"), partition_of("cn-north-1"), partition_of("us-gov-west-1")) == ("aws", "aws-cn", "aws-us-gov")
    assert not is_region("aws-global") and not is_region("aws-cn-global") and not is_region("us-west-2a")


def test_botocore_data_is_what_botocores_own_loader_reads():
    """domain/botocore_data.py reads botocore's data files without importing botocore: it must pick the same files
    botocore's Loader does (botocore/loaders.py at the pinned 1.44.8: `load_data`, and `load_service_model` with
    the newest API version), or the region and instance-type checks drift when botocore is upgraded."""
    from botocore.loaders import Loader  # here only: the app itself must not pay for importing botocore
    loader = Loader(extra_search_paths=[], include_default_search_paths=False)
    loader.search_paths.append(str(botocore_data._data_dir()))  # botocore's own copy, not ~/.aws/models
    assert botocore_data.partitions() == loader.load_data("partitions")
    assert botocore_data.service_model("ec2") == loader.load_service_model("ec2", "service-2")


def test_every_gpu_type_this_project_knows_exists_in_ec2():
    """The EC2 API model's InstanceType enum (botocore/data/ec2/*/service-2.json) has every GPU type listed here."""
    assert all(is_ec2_instance_type(name) for name in GPU_INSTANCE_TYPES)
    assert is_ec2_instance_type("t3.large") and not is_ec2_instance_type("t3.huge")


@pytest.mark.parametrize("image", [
    "quay.io/leafai/studio-go-runner:0.14.3",
    "123456789012.dkr.ecr.us-west-2.amazonaws.com/studio-go-runner:0.14.3",
    "localhost:5000/team/runner:v1.2.3-rc.1",
    "runner@sha256:" + "0" * 64,
    "quay.io/leafai/studio-go-runner:0.14.3@sha256:" + "a" * 64,
    "registry.example.com/a__b/c-d.e:x_Y.z",
])
def test_pinned_references_the_oci_grammar_accepts(image):
    """github.com/distribution/reference, regexp.go: name components, optional host[:port], tag or digest."""
    assert pin_problem(image) is None


def test_queue_match_is_go_regexp_matched_anywhere_in_the_name():
    """studio-go-runner 0.14.3 cmd/runner/queues.go compiles QUEUE_MATCH with Go's regexp.Compile, and
    internal/runner matches queue names with MatchString: RE2 syntax, unanchored."""
    assert queue_matches("sqs_", "my_sqs_queue") and not queue_matches("^sqs_", "my_sqs_queue")
    for refused in ("(?=x)", "(a)\\1", "\\C"):
        with pytest.raises(QueueMatchError):
            compile_queue_match(refused)


@pytest.mark.parametrize("branch", ["main", "release/1.2", "feature/x-y_z", "v1.0"])
def test_branch_names_git_accepts(branch):
    assert names.branch_name_problem(branch) is None


@pytest.mark.parametrize("pattern, reason", [
    # Go 1.22 release notes, regexp/syntax: "(?<name>...)" accepted from 1.22 on; the runner 0.14.2 is built with Go
    # 1.16.5 (Dockerfile_standalone, go.mod `go 1.16`) and compiles QUEUE_MATCH with regexp.Compile (cmd/runner/main.go).
    ("(?<q>sqs)_.*", "names a group (?<name>...), which the runner's Go (1.16) refuses. Write (?P<name>...)"),
    # Go 1.16 release notes: its unicode tables are Unicode 13.0.0; Vithkuqi came with Unicode 14.0.
    ("^sqs_\\p{Vithkuqi}+$", "uses script Vithkuqi, newer than the Unicode 13.0 of the runner's Go (1.16), which refuses it"),
])
def test_queue_match_takes_only_what_the_runners_go_takes(pattern, reason):
    with pytest.raises(QueueMatchError) as raised:
        compile_queue_match(pattern)
    assert str(raised.value) == reason
    assert queue_matches("(?P<q>sqs)_.*", "sqs_train")  # the spelling Go 1.16 takes


@pytest.mark.parametrize("pattern, prefix", [
    ("^sqs_.*$", "sqs_"), ("^sqs_train$", "sqs_train"), ("^sqs_?x", "sqs"), ("^sqs_*", "sqs"), ("^sqs_{0,1}", "sqs"),
    ("^sqs_a|^rmq_", ""), ("^sqs_(a|b)", "sqs_"), ("^sqs_[|]", "sqs_"), ("sqs_.*", ""), ("^(sqs)_", ""),
])
def test_the_literal_prefix_is_what_every_match_starts_with(pattern, prefix):
    # The managed runner user may read `<prefix>*` queues only (stacks/managed_runner_credentials.py): every name the
    # runner's pattern matches must start with it, or the runner gets AccessDenied on the rest.
    assert literal_prefix(pattern) == prefix
    if prefix:
        for name in ("sqsx", "sqs_a", "rmq_a", "sqs_trainx"):
            assert not queue_matches(pattern, name) or name.startswith(prefix), (pattern, name)
