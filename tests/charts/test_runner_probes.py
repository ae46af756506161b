"""The runner's liveness decision, pinned with its source, and how its image is pulled.

Runner 0.14.2 (leaf-ai/studio-go-runner): cmd/runner/main.go starts the Prometheus exporter
(`server.StartPrometheusExporter`, flag prom-address ":9090") beside the SQS and RabbitMQ work loops;
vendor/github.com/leaf-ai/go-service/pkg/server/prometheus.go serves only /metrics (promhttp.Handler) from
its own goroutine and http.Server, independent of the work loops, and merely logs a failed ListenAndServe.
So /metrics answers while the work loops are wedged (a liveness probe would never fire for that), and a
runner whose port failed to bind would be killed while healthy. The container's command `exec`s the runner
(charts/runner.py, RUNNER_COMMAND), so a runner that exits ends the container, which the kubelet restarts
without any probe.
Decision: no liveness (or readiness) probe on 9090.
"""
from __future__ import annotations

import pytest

from tests.kube import find
from tests.synth import kubernetes_manifests

pytestmark = pytest.mark.xdist_group("synth")


def _runner_container(template):
    objects = [o for objs in kubernetes_manifests(template).values() for o in objs]
    deployment = find(objects, "Deployment", "studioml-go-runner-deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def test_no_probe_on_the_metrics_port(default, scale):
    for template in (default, scale):
        container = _runner_container(template)
        assert {"livenessProbe", "readinessProbe", "startupProbe"}.isdisjoint(container)


def test_the_image_is_pulled_with_the_pods_own_credentials_on_every_start(default, scale):
    for template in (default, scale):
        assert _runner_container(template)["imagePullPolicy"] == "Always"
