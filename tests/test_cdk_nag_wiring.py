"""cdk-nag runs on every synth: an unacknowledged finding stops `app.main` with one line and exit 1."""
from __future__ import annotations

from aws_cdk import aws_sqs as sqs

import app
from tests.synth import CDK_JSON_CONTEXT


def test_unacknowledged_finding_fails_the_synth(tmp_path, capsys, monkeypatch):
    original_build = app.build

    def build_with_an_unencrypted_queue(cdk_app, environ):
        clusters = original_build(cdk_app, environ)
        sqs.CfnQueue(clusters[0], "PlainQueue")  # no dead-letter queue, no TLS-only policy: SQS3, SQS4
        return clusters

    monkeypatch.setattr(app, "build", build_with_an_unencrypted_queue)
    assert app.main(context=CDK_JSON_CONTEXT, outdir=str(tmp_path / "out"), environ={}, manifests_dir=None) == 1
    target, *err = capsys.readouterr().err.strip().splitlines()
    assert target.startswith("note: target: ")
    err = [line for line in err if not line.startswith("note: ")]
    assert err[0].startswith("error: cdk-nag: 2 finding(s) are not acknowledged.")
    assert err[1:] == ["  AwsSolutions-SQS3 at prod/GpuCluster-test-eks/PlainQueue", "  AwsSolutions-SQS4 at prod/GpuCluster-test-eks/PlainQueue"]
    report = (tmp_path / "out" / "validation-report.json").read_text()
    assert "PlainQueue" in report and "AwsSolutions-SQS" in report
