"""Names of the objects the charts create that the scripts look up on a running cluster.

Kept apart from the charts, which import cdk8s (and so start jsii): `make status`, `make verify` and `make timeline`
read a cluster, and need only these names.
"""
from __future__ import annotations

# The runner's Deployment and the label its pods carry (the runner's own examples/aws/deployment.yaml).
DEPLOYMENT_NAME = "studioml-go-runner-deployment"
APP_LABEL: dict[str, str] = {"app": "studioml-go-runner"}
# KEDA's ScaledObject for the runner (charts/queue_scaling.py).
SCALED_OBJECT_NAME = "studioml-go-runner"
# The GPU smoke test (charts/gpu_checks.py).
SMOKE_TEST_JOB_NAME = "gpu-smoke-test"
# Scale-up from zero (autoscaler reaction ~1 min, GPU instance launch and join 3-5 min, driver and
# device plugin start ~1 min) plus the image pull and retries after a capacity shortage: 30 minutes.
SMOKE_TEST_DEADLINE_SECONDS = 1800
