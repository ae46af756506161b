# Every command a developer, CI and the pipeline's synth step run. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Node.js that package.json pins runs the CDK CLI, and jsii under the app, the tests and the scripts: both find `node`
# on PATH. The system's Node only runs npm, which installs it; npm runs with the PATH it was given, not the pinned one it replaces.
SYSTEM_PATH := $(PATH)
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

PYTHON ?= python3
# pip installs without compiling (--no-compile): of aws-cdk-lib's 183 MB of Python, a synth imports a third. Python then
# compiles a module the first time it is imported and keeps the bytecode, which it may only do with this variable unset.
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
PY := $(VENV)/bin/python
# checkov lives in its own venv: it pins older boto3, networkx and packaging than the project (requirements-scan.txt).
SCAN_VENV := .venv-scan
CDK := node_modules/.bin/cdk
# Extra CDK arguments, e.g. make synth CDK_ARGS="-c nodeType=g5.xlarge"
CDK_ARGS ?=
# The cluster stack sits in a stage (prod/GpuCluster-<clusterName>), the same as in the pipeline: select it by path.
STACKS ?= '**'
# make verify: which deployed cluster stack to check
STACK ?= GpuCluster-test-eks

# make sqs-secret: which Secrets Manager secret and region (match the sqsSecretName and region settings).
# The region defaults the way the CDK CLI picks the deploy region: the environment, else your AWS profile, else us-east-1.
SQS_SECRET_NAME ?= studioml-runner/aws-sqs
REGION ?= $(or $(AWS_DEFAULT_REGION),$(shell $(PY) -c 'import boto3; print(boto3.Session().region_name or "")' 2>/dev/null),us-east-1)

.PHONY: help install installed synth scan lint test deploy diff plan plan-deployed adopt-queues destroy deploy-pipeline verify status timeline sqs-secret bench cost latency day constraints constraints-scan clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-compile --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

$(SCAN_VENV)/.installed: requirements-scan.txt constraints-scan.txt
	test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --no-compile --disable-pip-version-check -r requirements-scan.txt -c constraints-scan.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	PATH='$(SYSTEM_PATH)' npm ci --loglevel=error
	touch $@

# The three at once: each waits on downloads or the disk for part of its time.
install: ## create .venv, .venv-scan and node_modules with the pinned versions
	@$(MAKE) --no-print-directory -j3 --output-sync=line installed

installed: $(VENV)/.installed $(SCAN_VENV)/.installed node_modules/.installed
	@:

# Synthesis needs no AWS access: skip the EC2 metadata service (an account-specific synth takes -c account=...).
synth: install ## synthesize the stack into cdk.out/ (runs cdk-nag)
	AWS_EC2_METADATA_DISABLED=true $(CDK) synth --quiet --no-notices $(CDK_ARGS)
	@echo "CloudFormation: cdk.out/assembly-*/*.template.json; Kubernetes manifests: dist/*.k8s.yaml"

# checkov offline (--skip-download: its built-in policies only, nothing fetched) on what `make synth` wrote.
scan: synth ## checkov on the synthesized template and dist/ manifests; fails below the README's bar
	$(PY) scripts/security_scan.py --checkov $(SCAN_VENV)/bin/checkov --cdk-out cdk.out --manifests dist

# mypy reads aws-cdk-lib's root module from $(MYPY_PATH) (pyproject.toml): the installed one without its list of every
# submodule, so a first run (no .mypy_cache) reads only the part of aws-cdk-lib we use: 15 s and 1 GB, not 46 s and 3.4 GB.
# Later runs read .mypy_cache: a second.
MYPY_PATH := $(VENV)/mypy-path
$(MYPY_PATH)/aws_cdk/__init__.py: $(VENV)/.installed scripts/mypy_aws_cdk.py
	$(PY) scripts/mypy_aws_cdk.py $@

lint: $(VENV)/.installed $(MYPY_PATH)/aws_cdk/__init__.py ## ruff, then mypy (strict) on the project's Python (both configured in pyproject.toml)
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/mypy

# The lint starts as soon as .venv is there, while .venv-scan and node_modules are still being installed.
test: ## the lint, then the whole offline test suite
	@$(MAKE) --no-print-directory -j3 --output-sync=line lint installed
	AWS_EC2_METADATA_DISABLED=true $(PY) -m pytest -n 2 --dist loadgroup

deploy: install ## deploy to the account and region of your AWS credentials
	$(CDK) deploy $(STACKS) $(CDK_ARGS)

diff: install ## show what a deploy would change
	$(CDK) diff $(STACKS) $(CDK_ARGS)

# make plan: where this synth goes; BASE: what is deployed (an earlier cdk.out folder or a template file).
PLAN_OUT := .plan/cdk.out
BASE ?=

plan: install ## offline: what deploying this synth (CDK_ARGS) over BASE=<cdk.out folder or template> replaces, deletes, or refuses
	@test -n "$(BASE)" || { echo "error: plan: BASE is not set: give the cdk.out folder of the deployed synth, or its template file (make plan BASE=path)" >&2; exit 2; }
	@rm -rf $(PLAN_OUT)
	@AWS_EC2_METADATA_DISABLED=true $(CDK) synth --quiet --no-notices -o $(PLAN_OUT) $(CDK_ARGS) > /dev/null
	$(PY) scripts/plan.py --base "$(BASE)" --next $(PLAN_OUT)

plan-deployed: install ## the same check against the template CloudFormation holds for STACK (AWS credentials)
	@rm -rf $(PLAN_OUT)
	@AWS_EC2_METADATA_DISABLED=true $(CDK) synth --quiet --no-notices -o $(PLAN_OUT) $(CDK_ARGS) > /dev/null
	$(PY) scripts/plan.py --deployed "$(STACK)" --region "$(REGION)" --next $(PLAN_OUT)

adopt-queues: install ## import the kept queues of an earlier deploy back into STACK (after make destroy, or a queue taken out and back)
	AWS_EC2_METADATA_DISABLED=true $(CDK) synth --quiet --no-notices $(CDK_ARGS) > /dev/null
	$(PY) scripts/adopt_queues.py --cdk-out cdk.out --stack "$(STACK)" --stack-path "prod/$(STACK)" --region "$(REGION)"

destroy: install ## delete the stack; the queues it created stay (README, "What a change or make destroy does")
	$(CDK) destroy $(STACKS) $(CDK_ARGS)

deploy-pipeline: install ## deploy the CDK Pipelines stack once; from then on, pushes deliver
	$(CDK) deploy -c pipeline=true 'GpuCluster-*-pipeline' $(CDK_ARGS)

# The pipeline's post-deploy step runs this with the stack's outputs in its environment.
verify: install ## prove the GPUs of a deployed cluster (smoke test succeeded, nodes advertise nvidia.com/gpu)
	$(PY) scripts/verify_gpus.py $(if $(VERIFIER_ROLE_ARN),,--stack $(STACK) --region $(REGION))

status: install ## one screen on a deployed cluster: GPU nodes and health, runner pods, queue depths, last smoke test
	$(PY) scripts/status.py $(if $(VERIFIER_ROLE_ARN),,--stack $(STACK) --region $(REGION))

timeline: install ## the newest runner pod's start on a deployed cluster, step by step (KEDA, autoscaler, node, pull, running), to hold against make latency
	$(PY) scripts/scale_up_timeline.py $(if $(VERIFIER_ROLE_ARN),,--stack $(STACK) --region $(REGION))

sqs-secret: install ## check ~/.aws/credentials and ~/.aws/config, store them in Secrets Manager for the runner
	$(PY) scripts/store_sqs_secret.py --secret-name "$(SQS_SECRET_NAME)" --region "$(REGION)"

bench: install ## synth time and size against a bare EKS baseline
	$(PY) bench/synth_bench.py

cost: install ## monthly cost, idle and at full scale: the default, scale to zero, spot and Auto Mode; one configuration with CDK_ARGS="-c ..."
	$(PY) bench/cost.py $(if $(strip $(CDK_ARGS)),$(CDK_ARGS),--compare)

latency: install ## time from a message to a working runner (from zero, warm node, warm hours) and the idle GPU tail; CDK_ARGS="-c ..." for one configuration
	$(PY) bench/latency.py $(CDK_ARGS)

day: install ## bench/day_trace.csv replayed for the configuration and each scaling knob: time to first task, GPU hours paid and used
	$(PY) bench/day.py $(CDK_ARGS)

constraints: ## re-pin every package after changing requirements*.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	{ sed -n '1,2p' constraints.txt; $(PY) -m pip freeze | sed '/^-e /d'; } > constraints.new && mv constraints.new constraints.txt

constraints-scan: ## re-pin the checkov venv after changing requirements-scan.txt
	$(SCAN_VENV)/bin/python -m pip install --quiet -r requirements-scan.txt
	{ sed -n '1,2p' constraints-scan.txt; $(SCAN_VENV)/bin/python -m pip freeze | sed '/^-e /d'; } > constraints-scan.new && mv constraints-scan.new constraints-scan.txt

clean: ## remove generated files (not .venv or node_modules)
	rm -rf cdk.out dist bench/out .pytest_cache .mypy_cache .plan
