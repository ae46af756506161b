"""Scaling and pipeline settings (settings/scaling.py, delivery.py): derived values and every bad input with its exact line."""
from __future__ import annotations

import pytest

from settings import PipelineTarget, load_settings
from tests.conftest import CONNECTION_ARN
from tests.setting_errors import error_line

PIPELINE = {"pipeline": "true", "account": "123456789012", "pipelineRepository": "my-org/gpu", "pipelineConnectionArn": CONNECTION_ARN}


def test_autoscaling_follows_room_between_min_and_max():
    assert load_settings({}, {}).autoscaling_enabled  # 1..3
    assert not load_settings({"nodesMax": "1"}, {}).autoscaling_enabled
    assert not load_settings({"autoscaling": "false"}, {}).autoscaling_enabled


def test_runner_bounds_default_to_what_nodes_max_nodes_hold():
    s = load_settings({"nodeType": "g5.12xlarge", "nodesMin": "0", "nodes": "0", "nodesMax": "2", "runnerGpus": "2",
                       "runnerCpu": "20", "runnerMemory": "80Gi", "queues": "sqs_a"}, {})
    assert (s.runner_capacity, s.runner_replica_bounds, s.queue_autoscaling) == (4, (0, 4), True)
    s = load_settings({"nodesMin": "1", "queues": "sqs_a", "runnerMaxReplicas": "2"}, {})
    assert s.runner_replica_bounds == (1, 2)


def test_queue_prefix_and_accelerator():
    s = load_settings({}, {})
    assert (s.runner.queue_prefix, s.node.gpu_accelerator, s.node.gpus_per_node) == ("sqs_", "nvidia-t4", 1)
    assert load_settings({"nodeType": "g5.xlarge,g6.xlarge"}, {}).node.gpu_accelerator == "nvidia"


def test_pipeline_targets_default_and_order():
    assert load_settings(PIPELINE, {}).targets == [PipelineTarget("prod", "123456789012", "us-west-2")]
    s = load_settings({**PIPELINE, "pipelineTargets": "staging=111111111111/eu-west-1,prod=123456789012/us-west-2"}, {})
    assert [t.name for t in s.targets] == ["staging", "prod"]
    assert s.for_target(s.targets[0]).cluster.region == "eu-west-1" and s.for_target(s.targets[0]).cluster.account == "111111111111"


BAD_INPUT = [
    ({"queues": "jobs"}, "error: queues: jobs does not match queueMatch (^sqs_.*$), so the runner would never serve it. "
                         "Rename the queue or widen queueMatch."),
    ({"queues": "sqs bad"}, "error: queues: 'sqs bad' is not an SQS queue name. Use up to 80 letters, digits, '-' or '_' "
                            "(FIFO queues are not served)."),
    ({"createQueues": "true"}, "error: createQueues: is true but no queues are listed. Set queues=sqs_name1,sqs_name2."),
    ({"queues": "sqs_a", "runnerMaxReplicas": "4"}, "error: runnerMaxReplicas: 4 runners do not fit on nodesMax=3 nodes (3 at runnerGpus=1). "
                                 "Give 3 or less, or raise nodesMax."),
    ({"autoscaling": "true", "nodesMax": "1"}, "error: autoscaling: is true but nodesMin and nodesMax are both 1: there is nothing "
                                               "to scale. Raise nodesMax above nodesMin."),
    ({"systemNodes": "0"}, "error: autoscaling: needs system nodes: the autoscaler must not run on the GPU nodes it removes. "
                           "Set systemNodes=1 or more, or autoscaling=false."),
    ({"queues": "sqs_a", "queueLengthPerRunner": "0"}, "error: queueLengthPerRunner: 0 is below 1: KEDA would ask for a runner per nothing. Give 1 or more."),
    ({"sqsCredentials": "managed", "queueMatch": ".*"}, "error: sqsCredentials: managed needs a fixed start in queueMatch (.*) to limit "
                                                        "the runner's SQS access to those queues. Start queueMatch with one, like ^sqs_."),
    ({"pipeline": "true"}, "error: pipelineRepository: is required with pipeline=true. Set it in cdk.json's context, "
                           "like my-org/studio-gpu-cluster."),
    ({"pipeline": "true", "pipelineRepository": "my-org/gpu"},
     "error: pipelineConnectionArn: is required with pipeline=true. Set it in cdk.json's context, "
     "like arn:aws:codeconnections:us-west-2:123456789012:connection/<id>."),
    ({**PIPELINE, "account": None}, "error: account: is required with pipeline=true: the pipeline stack needs a concrete environment. "
                                    "Set account=<12 digits> (or run with credentials for the pipeline's account)."),
    ({**PIPELINE, "pipelineRepository": "gpu"}, "error: pipelineRepository: 'gpu' is not a repository. Write it as owner/name, like "
                                    "my-org/studio-gpu-cluster."),
    ({**PIPELINE, "pipelineConnectionArn": "arn:aws:codestar:us-west-2:123:connection/x"},
     "error: pipelineConnectionArn: 'arn:aws:codestar:us-west-2:123:connection/x' is not a CodeConnections ARN. Copy it from the "
     "console's connection page: arn:aws:codeconnections:<region>:<account>:connection/<id>."),
    ({**PIPELINE, "pipelineTargets": "prod=12/us-west-2"}, "error: pipelineTargets: 'prod=12/us-west-2' is not a target. Write each as "
                                               "name=account/region, like prod=123456789012/us-west-2."),
    ({**PIPELINE, "pipelineTargets": "prod"}, "error: pipelineTargets: 'prod' is not a target. Write each as name=account/region, like "
                                  "prod=123456789012/us-west-2."),
    ({**PIPELINE, "pipelineTargets": "prod=123456789012/us-west-2,prod=111111111111/eu-west-1"},
     "error: pipelineTargets: prod is named twice. Give each target its own name."),
    ({**PIPELINE, "gpuSmokeTest": "false"}, "error: gpuSmokeTest: false is refused with pipeline=true: the check after each deploy "
                                            "waits for the smoke test. Set gpuSmokeTest=true."),
    ({**PIPELINE, "sqsCredentials": "file"}, "error: sqsCredentials: file is refused with pipeline=true: no build machine may hold "
                                             "the runner's keys. Use secretsmanager (make sqs-secret) or managed."),
]


@pytest.mark.parametrize(("context", "line"), BAD_INPUT, ids=[f"{k}={str(v)[:16]}" for c, _ in BAD_INPUT for k, v in [list(c.items())[-1]]])
def test_bad_input_has_one_exact_line(context, line):
    assert error_line({k: v for k, v in context.items() if v is not None}) == line
