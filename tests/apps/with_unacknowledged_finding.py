"""The real app plus one resource cdk-nag must reject: `cdk synth --app` on it must fail (tests/test_cdk_cli.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from aws_cdk import aws_sqs as sqs  # noqa: E402

import app  # noqa: E402

original_build = app.build


def build_with_an_unencrypted_queue(cdk_app, environ):
    clusters = original_build(cdk_app, environ)
    sqs.CfnQueue(clusters[0], "PlainQueue")  # no dead-letter queue, no TLS-only policy: two findings
    return clusters


app.build = build_with_an_unencrypted_queue
sys.exit(app.main(manifests_dir=None))
