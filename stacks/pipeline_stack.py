"""Continuous delivery: a push to the branch tests, synthesizes and deploys the cluster stack to each target, then proves the GPUs."""
from __future__ import annotations

from typing import Any, Sequence, cast

from aws_cdk import Duration, Stack, aws_codebuild as codebuild, aws_iam as iam, pipelines
from constructs import Construct

from settings import Settings
from stacks.gpu_verifier import verifier_role_name
from stacks.pipeline_nag import acknowledge_pipeline_findings
from stacks.stage import GpuClusterStage

# CodeBuild image and runtimes of every step: Python 3.11 for the venvs; Node.js 24, the major package.json pins. The steps with
# the checkout run the CDK CLI, jsii and the diff engine on package.json's own Node.js (make; scripts/update_plan.py); the
# image's runs npm, and the CDK CLI of self-mutation and cdk-assets of asset publishing, which CDK Pipelines installs
# globally without a checkout. Node.js 24 on this image: CodeBuild user guide, "Runtime versions" (`nodejs: 24`), and
# aws/aws-codebuild-docker-images ubuntu/standard/7.0/runtimes.yml (nodejs 24, Node.js 24.14.0, since 2026-04-07).
BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0
RUNTIMES = {"python": "3.11", "nodejs": "24"}

# The synth step runs exactly what a developer runs: the Makefile installs the pinned dependencies.
SYNTH_COMMANDS = ["make test", 'make synth CDK_ARGS="-c pipeline=true"']
# kubectl for the GPU check, matching the cluster's minor version; verified against its published checksum.
KUBECTL_URL = "https://dl.k8s.io/release/v{version}.0/bin/linux/amd64/kubectl"
# The CDK bootstrap's read-only lookup role of a target (default qualifier; ReadOnlyAccess, so cloudformation:GetTemplate),
# which `cdk bootstrap --trust PIPELINE_ACCOUNT` lets the pipeline's account assume: the plan check reads the deployed
# template with it.
LOOKUP_ROLE = "cdk-hnb659fds-lookup-role-{account}-{region}"
# cdk-assets, which asset publishing installs globally (it has no checkout): pinned like the CLI rather than CDK Pipelines'
# default `latest` (aws-cdk-lib 2.275.0 aws_cdk/pipelines/__init__.py, CodePipelineProps.cdk_assets_cli_version, "Default:
# - Latest version"), so a release cannot change a deploy unseen. aws-cdk-lib recommends latest, as cdk-assets stays
# backwards compatible: raise this with aws-cdk-lib, as the CLI. 4.7.3: the release npm tags latest today; engines node >= 18.
CDK_ASSETS_VERSION = "4.7.3"
# Only what the plan needs: the project's Python packages and the CDK diff engine, not the checkov venv of `make install`.
PLAN_INSTALL = "make .venv/.installed node_modules/.installed"


class PipelineStack(Stack):
    """CodePipeline (CDK Pipelines) from a CodeConnections source; one stage per target, in order, each followed by the GPU check."""

    def __init__(self, scope: Construct, id: str, *, settings: Settings, stages: Sequence[GpuClusterStage], cdk_cli_version: str,
                 **kwargs: Any) -> None:
        """`stages`: one per target, in deploy order (built beside this stack, so their paths match direct mode's)."""
        delivery = settings.delivery
        super().__init__(scope, id, description=f"Delivers EKS GPU cluster {settings.cluster.cluster_name} from {delivery.pipeline_repository}",
                         **kwargs)
        # Both are required settings with pipeline=true.
        source = pipelines.CodePipelineSource.connection(cast(str, delivery.pipeline_repository), delivery.pipeline_branch,
                                                         connection_arn=cast(str, delivery.pipeline_connection_arn))
        build_spec = codebuild.BuildSpec.from_object({"phases": {"install": {"runtime-versions": RUNTIMES}}})
        self.synth_step = pipelines.CodeBuildStep("Synth", input=source, commands=SYNTH_COMMANDS, primary_output_directory="cdk.out",
                                                  build_environment=codebuild.BuildEnvironment(build_image=BUILD_IMAGE),
                                                  partial_build_spec=build_spec, timeout=Duration.minutes(30))
        targets = settings.targets
        self.pipeline = pipelines.CodePipeline(
            self, "Pipeline",
            synth=self.synth_step,
            self_mutation=True,
            cli_version=cdk_cli_version,  # the same CLI as package.json, for self-mutation
            cdk_assets_cli_version=CDK_ASSETS_VERSION,
            # A customer-managed, rotating KMS key for artifacts and every CodeBuild project (cdk-nag CB4),
            # and the one that lets a stage in another account read them.
            cross_account_keys=True,
            enable_key_rotation=True,
            code_build_defaults=pipelines.CodeBuildOptions(build_environment=codebuild.BuildEnvironment(build_image=BUILD_IMAGE),
                                                           partial_build_spec=build_spec),
        )
        self.stages = list(stages)
        self.checks: list[pipelines.CodeBuildStep] = []
        self.plan_checks: list[pipelines.CodeBuildStep] = []
        for stage, target in zip(self.stages, targets, strict=True):  # each stage starts only after the previous one, and its GPU check, succeeded
            plan = self._plan_check(stage, source, target.name, target.account, target.region)
            check = self._gpu_check(stage, source, settings, target.account, target.region)
            self.pipeline.add_stage(stage, pre=[plan], post=[check])
            self.plan_checks.append(plan)
            self.checks.append(check)
        self.pipeline.build_pipeline()  # now, not at synth: the generated policies must exist to be reviewed
        acknowledge_pipeline_findings(self.pipeline)

    def _plan_check(self, stage: GpuClusterStage, source: pipelines.CodePipelineSource, target: str, account: str,
                    region: str) -> pipelines.CodeBuildStep:
        """`make plan` against the template the target runs now: the deploy stops before it would be refused or lose data."""
        stack = stage.cluster_stack.stack_name
        role_arn = f"arn:{self.partition}:iam::{account}:role/{LOOKUP_ROLE.format(account=account, region=region)}"
        return pipelines.CodeBuildStep(
            "PlanCheck",
            input=source,
            additional_inputs={"synth-out": self.synth_step},
            commands=[PLAN_INSTALL,
                      f".venv/bin/python scripts/plan.py --deployed {stack} --region {region} --role-arn {role_arn} "
                      f"--next synth-out/assembly-{target}"],
            role_policy_statements=[iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[role_arn])],
            timeout=Duration.minutes(20),
        )

    def _gpu_check(self, stage: GpuClusterStage, source: pipelines.CodePipelineSource, settings: Settings,
                   account: str, region: str) -> pipelines.CodeBuildStep:
        role_arn = f"arn:{self.partition}:iam::{account}:role/{verifier_role_name(settings.cluster.cluster_name, region)}"
        kubectl = KUBECTL_URL.format(version=settings.cluster.kubernetes_version)
        return pipelines.CodeBuildStep(
            "VerifyGpus",
            input=source,
            install_commands=[
                f"curl -fsSLo /usr/local/bin/kubectl {kubectl}",
                f'echo "$(curl -fsSL {kubectl}.sha256)  /usr/local/bin/kubectl" | sha256sum --check',
                "chmod +x /usr/local/bin/kubectl",
            ],
            commands=["make verify"],
            env_from_cfn_outputs=stage.cluster_stack.check_outputs,
            # Only this: assume the cluster's read-only verifier role (its access entry reads nodes and jobs, no more).
            role_policy_statements=[iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[role_arn])],
            timeout=Duration.minutes(45),
        )
