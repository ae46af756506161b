"""The operator scripts against arguments and environments nobody listed: every failure is one line and a non-zero status.

`make verify`, `make status`, `make sqs-secret` and `make cost` run these on a workstation whose environment holds
anything: botocore's own settings (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, AWS_ENDPOINT_URL, a profile that does not exist,
a config file that is a directory), a HOME that is gone, `~user` paths. Hypothesis draws them; no example may end in
a traceback or in more than one line on stderr. No AWS credentials are ever in the environment, so botocore stops
before the network.
"""
from __future__ import annotations

import contextlib
import io
import os
from typing import Callable
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bench import cost
from scripts import status, store_sqs_secret, verify_gpus
from tests.conftest import write_canary_home

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

hostile_value = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
    st.sampled_from(["", " ", "abc", "-1", "0", "99999999999999999999", "legacy", "zzz", "::bad", "http://", "http://[::1",
                     "https://example.invalid", "/nonexistent", "/", "/dev/null", "~nobody-here/x", "~", "us-west-2",
                     "cn-north-1", "../../etc", "nosuch-profile"]),
)
# botocore's configuration from the environment (botocore configprovider.py), and what the scripts read themselves.
# HOME is each example's own empty folder: a drawn HOME such as `/` would let a library write its cache there.
VARIABLES = ["AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDFORMATION", "AWS_PROFILE",
             "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CA_BUNDLE",
             "AWS_STS_REGIONAL_ENDPOINTS", "AWS_USE_FIPS_ENDPOINT", "AWS_DEFAULTS_MODE", "KUBECONFIG",
             "CLUSTER_NAME", "CLUSTER_REGION", "RUNNER_NAMESPACE", "VERIFIER_ROLE_ARN", "RUNNER_QUEUE_URLS"]
environments = st.dictionaries(st.sampled_from(VARIABLES), hostile_value, max_size=4)
argument = st.one_of(hostile_value, st.sampled_from(["--stack", "--region", "--secret-name", "--credentials-file",
                                                     "--config-file", "-c", "--compare", "--help-me", "-c nodes=x"]))
arguments = st.lists(argument, max_size=5)


def _run(main: Callable[[list[str]], int], argv: list[str], environ: dict[str, str], home: str) -> tuple[int, str]:
    env = {"PATH": os.environ["PATH"], "HOME": home, "AWS_EC2_METADATA_DISABLED": "true", **environ}
    err = io.StringIO()
    with mock.patch.dict(os.environ, env, clear=True), contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status_code = main(argv)
        except SystemExit as exit_:  # argparse's --help exits 0; anything else must come back as a status
            status_code = exit_.code if isinstance(exit_.code, int) else 1
    return status_code, err.getvalue()


def _holds_the_contract(status_code: int, output: str) -> None:
    if status_code == 0:
        return
    assert output.endswith("\n") and output.count("\n") == 1, repr(output[:400])
    assert output.startswith("error: "), repr(output[:400])


MAINS = {
    "verify_gpus": lambda argv: verify_gpus.main(argv),
    "status": lambda argv: status.main(argv),
    "store_sqs_secret": lambda argv: store_sqs_secret.main(argv),
    "cost": lambda argv: cost.main(argv, os.environ),
}


@pytest.mark.parametrize("script", sorted(MAINS))
@FUZZ
@given(argv=arguments, environ=environments)
def test_any_arguments_and_environment_give_a_result_or_one_line(tmp_path, script, argv, environ):
    _holds_the_contract(*_run(MAINS[script], argv, environ, str(tmp_path)))


@pytest.mark.parametrize("script, argv", [("verify_gpus", ["--stack", "GpuCluster-x", "--region", "us-west-2"]),
                                          ("status", ["--stack", "GpuCluster-x", "--region", "us-west-2"]),
                                          ("store_sqs_secret", ["--region", "us-west-2"])])
@pytest.mark.parametrize("environ", [{"AWS_MAX_ATTEMPTS": "abc"}, {"AWS_RETRY_MODE": "zzz"}, {"AWS_ENDPOINT_URL": "::bad"},
                                     {"AWS_PROFILE": "nosuch"}, {"AWS_CONFIG_FILE": "/"}])
def test_botocores_own_configuration_errors_are_one_line(tmp_path, script, argv, environ):
    # The examples the campaign found, kept whatever Hypothesis draws: each reached botocore and ended in one line.
    if script == "store_sqs_secret":
        write_canary_home(tmp_path)
    status_code, output = _run(MAINS[script], argv, environ, str(tmp_path))
    assert status_code != 0
    _holds_the_contract(status_code, output)


def test_a_bad_cost_argument_is_one_line():
    status_code, output = _run(MAINS["cost"], ["--bogus"], {}, "/tmp")
    assert (status_code, output) == (2, "error: unrecognized arguments: --bogus. See python bench/cost.py --help\n")
