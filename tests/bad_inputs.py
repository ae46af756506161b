"""The bad-input corpus: each entry is a mistaken or hostile input and the setting its one error line must name.

`{files}` in a value is the folder of test files (tests/test_bad_input_corpus.py makes it: a FIFO, a huge
file, a truncated key, ...); `{home}` is a HOME whose ~/.aws files are good. An entry is
(setting named in the error, context, environment).
"""
from __future__ import annotations

from typing import Any

Entry = tuple[str, dict[str, Any], dict[str, str]]

UUID = "12345678-1234-1234-1234-123456789012"
CONNECTION = f"arn:aws:codeconnections:us-west-2:123456789012:connection/{UUID}"
PIPELINE = {"pipeline": "true", "account": "123456789012", "pipelineRepository": "my-org/gpu", "pipelineConnectionArn": CONNECTION}
KEY = "{files}/id_ed25519.pub"
SSH = {"sshPublicKey": KEY, "sshAllowedCidrs": "203.0.113.0/24"}
FILE_MODE = {"sqsCredentials": "file"}
HOME = {"HOME": "{home}"}


def values(setting: str, bad: list[Any], **also: Any) -> list[Entry]:
    """Each bad value of one setting, alone (with `also` beside it)."""
    return [(setting, {setting: value, **also}, {}) for value in bad]


CORPUS: list[Entry] = [
    # --- names, and every place they end up ------------------------------------------------------------
    *values("clusterName", ["", "my cluster", "my_cluster", "-lead", "a" * 101, "a" * 10_000, "ünïcode", "name;rm -rf /",
                            "name\nnext", "a.b", "${AWS::Region}", "x/y", ["a", "b"], {"k": "v"}, "UPPER_lower"]),
    ("clusterName", {"clusterName": "a" * 57}, {}),  # its -system nodegroup would be 64 characters
    ("clusterName", {"clusterName": "a" * 64, "systemNodes": "0", "autoscaling": "false"}, {}),  # the GPU nodegroup takes its name
    ("clusterName", {}, {"AWS_CLUSTER_NAME": "bad name"}),
    ("clusterName", {}, {"AWS_CLUSTER_NAME": "under_score"}),
    *values("nodegroupName", ["", "my group", "-x", "a" * 64, "gpu.nodes", "näme", "x/y", "test-eks-system"]),
    *values("namespace", ["kube-system", "kube-public", "kube-node-lease", "external-secrets", "keda", "amazon-cloudwatch", "Studio", "studio_ml",
                          "-studio", "a" * 64, "", "stüdio", "my ns", "studio.ml"]),
    *values("sqsSecretName", ["has space", "", "a" * 513, "runner-abcdef", "näme", "name;rm", "name*"]),
    *values("pipelineRepository", ["noslash", "a/b/c", "-owner/name", "owner/..", "owner/na me", "o" * 101 + "/x", "owner/" + "n" * 101,
                                   "", "owner/"]),
    *values("pipelineBranch", ["", "a..b", "feature/", "-x", "has space", "x.lock", "a~b", "a^b", "a:b", "a?b", "a*b", "a[b", "a\\b",
                               "@", "a@{b", ".hidden", "a//b", "brånch", "x" * 256, "refs/../x", "tab\tbranch"]),

    # --- where the cluster lives ---------------------------------------------------------------------------
    *values("region", ["mars-1", "us-west-9", "US-WEST-2", "uswest2", "", "aws-global", "aws-cn-global", "us-west-2a", "eu-west",
                       "cn-north-9", "us-gov-west-9", 12, "us-west-2;", "ｕｓ-west-2"]),
    ("region", {}, {"AWS_DEFAULT_REGION": "mars-1"}),
    ("region", {}, {"CDK_DEFAULT_REGION": "nowhere-1"}),
    ("region", {}, {"AWS_DEFAULT_REGION": "us-west-2a", "CDK_DEFAULT_REGION": "us-east-1"}),
    *values("account", ["12345", "1234567890123", "12345678901a", "١٢٣٤٥٦٧٨٩٠١٢", "１２３４５６７８９０１２", "123 456 789 012", "-12345678901",
                        "arn:aws:iam::123456789012:root", ""]),
    ("account", {}, {"CDK_DEFAULT_ACCOUNT": "12345"}),
    ("account", {}, {"CDK_DEFAULT_ACCOUNT": "١٢٣٤٥٦٧٨٩٠١٢"}),
    *values("kubernetesVersion", ["1.20", "1.33", "1.37", "latest", "v1.36", "1.36.0", "", "1,36", 1.30]),
    *values("natGateways", ["0", "3", "-1", "1.5", "two", "99999999999999999999", "true", True, 2.0]),

    # --- who reaches the cluster -----------------------------------------------------------------------
    *values("endpointPublicCidrs", ["", " , ", [], "10.0.0.0/8", "192.168.1.0/24", "172.16.0.0/12", "100.64.0.0/10", "127.0.0.1/32",
                                    "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "10.0.0.0/255.0.0.0", "203.0.113.0/255.255.255.0",
                                    "203.0.113.7", "203.0.113.0/33", "203.0.113.1/24", "::/0", "2001:db8::/32",
                                    "203.0.113.0/24,203.0.113.0/24", ",".join(f"198.51.{i}.0/24" for i in range(41)), "0.0.0.0",
                                    "300.1.1.1/32", "٢٠٣.0.113.0/24", [["203.0.113.0/24"]], "203.0.113.0/24;"]),
    *values("adminPrincipalArns", ["arn:aws:iam::123:role/Admin", "arn:aws:iam::123456789012:group/Admins",
                                   "arn:aws:iam::123456789012:root", "arn:aws:sts::123456789012:assumed-role/A/b",
                                   "arn:aws-mars:iam::123456789012:role/A", "arn:aws-cn:iam::123456789012:role/A",
                                   "arn:aws:iam::123456789012:role/A,arn:aws:iam::123456789012:role/A",
                                   "arn:aws:iam::123456789012:role/" + "a" * 65, "role/Admin", "arn:aws:iam::123456789012:role/Ad min",
                                   "arn:aws:iam:us-west-2:123456789012:role/A", "arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/A"]),
    ("adminPrincipalArns", {"adminPrincipalArns": "arn:aws:iam::123456789012:role/A", "region": "cn-north-1"}, {}),
    *values("sshAllowedCidrs", ["0.0.0.0/0", "10.0.0.1/8", "10.0.0.0/8,10.0.0.0/8", "::/0", "everyone", "0.0.0.0/1,128.0.0.0/1",
                                "0.0.0.0/2,64.0.0.0/2,128.0.0.0/1"], sshPublicKey=KEY),
    ("sshAllowedCidrs", {"sshAllowedCidrs": "10.0.0.0/8"}, {}),
    ("sshAllowedCidrs", {"sshPublicKey": KEY}, {}),

    # --- the GPU nodes ------------------------------------------------------------------------------------
    *values("nodeType", ["", "m5.large", "p2.xlarge", "inf2.xlarge", "g5g.xlarge", "g5.xlarge,g5g.xlarge", "g5.3xlarge",
                         "g5.xlarge,g5.xlarge", "G5.XLARGE", "g5.xlarge;rm", "trn1.2xlarge", "g4ad.xlarge", "f1.2xlarge", "dl1.24xlarge",
                         "g5", "xlarge", {"x": 1}, [["g5.xlarge"]]]),
    ("nodeType", {"gpuAmiType": "BOTTLEROCKET_ARM_64_NVIDIA"}, {}),
    *values("nodes", ["-1", "abc", "1.5", "5", "0", "1e3", "", "true", "٣", "0x10", "+2", [1], {"a": 1}, 1.5, True]),
    ("nodes", {"nodes": "451", "nodesMax": "450"}, {}),
    ("nodes", {"nodes": "0", "nodesMin": "0", "autoscaling": "false"}, {}),  # zero GPU nodes, nothing to add one, a runner that wants one
    *values("nodesMin", ["4", "-1", "x", "500"]),
    *values("nodesMax", ["451", "three", "99999", "1000000000000", "0"], nodesMin="0", nodes="0"),
    *values("capacityType", ["CHEAP", "", "spot_instance", "RESERVED"]),
    *values("gpuAmiType", ["AL2_x86_64_GPU", "AL2_x86_64", "WINDOWS", "AL2023_x86_64_STANDARD", "", "al2023_x86_64_nvidia"]),
    *values("nodeVolumeSize", ["5", "49", "16385", "100000", "-1", "big", "100GiB"]),
    ("sshPublicKey", {**SSH, "gpuAmiType": "BOTTLEROCKET_x86_64_NVIDIA"}, {}),
    *[("sshPublicKey", {**SSH, "sshPublicKey": path}, {}) for path in (
        "{files}/missing.pub", "{files}", "{files}/fifo", "/dev/zero", "/dev/null", "{files}/huge.pub", "{files}/id_ed25519",
        "{files}/notes.txt", "{files}/truncated.pub", "{files}/dsa.pub", "{files}/binary.pub", "{files}/zero-link.pub",
        "{files}/two-keys.pub")],
    *values("systemNodes", ["-1", "451", "x"]),
    *values("systemNodeType", ["large", "t3.huge", "T3.LARGE", "m5.superlarge", "", "t3.large;id", "t3.large,m5.large"]),
    ("systemNodeType", {"systemNodeType": "t3.small", "queues": "sqs_a"}, {}),  # 12 system pods, 11 slots on the node left
    # --- capacity: a shape, and the nodegroup settings Auto Mode has no place for ---------------------------------------
    *values("capacity", ["fargate", "", "auto", "nodegroup", ["automode"], "automode;id"]),
    *[(setting, {"capacity": "automode", setting: value}, {}) for setting, value in (
        ("gpuAmiType", "AL2023_x86_64_NVIDIA"), ("systemNodes", "0"), ("systemNodeType", "t4g.small"), ("sshPublicKey", KEY),
        ("sshAllowedCidrs", "10.0.0.0/8"), ("nodeVolumeSize", "200"), ("nodes", "1"), ("devicePluginVersion", "v0.19.0"))],
    ("runnerScratchSize", {"capacity": "automode", "runnerScratchSize": "90Gi"}, {}),
    *values("devicePluginVersion", ["latest", "0.20.0", "v0.20", "v0.20.0-rc1", "", "v99999.0.0"]),
    *values("gpuSmokeTest", ["yes", "1", "maybe", ""]),
    *values("gpuTestPods", ["no", "2"]),
    ("verifyGpuOnDeploy", {"verifyGpuOnDeploy": "true", "gpuSmokeTest": "false"}, {}),
    ("verifyGpuOnDeploy", {"verifyGpuOnDeploy": "si"}, {}),

    # --- the runner -------------------------------------------------------------------------------------------
    *values("runnerImage", ["quay.io/leafai/studio-go-runner", "quay.io/leafai/studio-go-runner:latest",
                            "quay.io/LeafAI/studio-go-runner:0.14.3", "quay.io/leafai/studio-go-runner:", "runner@sha256:abc",
                            "runner@md5:" + "a" * 32, "runner@sha256:" + "A" * 64, "quay.io/leafai/runner:0.14.3; rm -rf /",
                            "$(whoami):1", "runner:0.14.3 --privileged", "", "runner:" + "a" * 129,
                            "123456789012.dkr.ecr.mars-1.amazonaws.com/runner:1", "quay.io//runner:1", "quay.io/leafai/runner:`id`",
                            "a" * 256 + ":1", "quay.io/leafai/runner:0.14.3\n--privileged",
                            # a port above 65535; repository names ECR refuses; an ECR host of the wrong partition for its
                            # region; another partition's ECR for a cluster in us-west-2 (its nodes cannot pull it)
                            "registry.example.com:70000/runner:1", "123456789012.dkr.ecr.us-west-2.amazonaws.com/a__b:1",
                            "123456789012.dkr.ecr.us-west-2.amazonaws.com/r:1", "123456789012.dkr.ecr.us-west-2.amazonaws.com/a--b:1",
                            "123456789012.dkr.ecr.us-west-2.amazonaws.com.cn/runner:1",
                            "123456789012.dkr.ecr.cn-north-1.amazonaws.com/runner:1",
                            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/runner:1"]),
    *values("runnerReplicas", ["-1", "x", "4", "1000"]),
    ("runnerReplicas", {"runnerReplicas": "2", "autoscaling": "false"}, {}),
    *values("runnerGpus", ["0", "2", "-1", "x"]),
    *values("runnerCpu", ["0", "100m", "4", "2 cores", "-1", "1e3", "99999999999", "١", ""]),
    *values("runnerMemory", ["1", "512Mi", "1Ki", "100Gi", "lots", "0", "9" * 20 + "Gi", "12 Gi", "12gi"]),
    *values("runnerScratchSize", ["100Gi", "1Pi", "huge", "0"]),
    ("cacheSize", {"runnerScratchSize": "5Gi"}, {}),
    ("runnerCpu", {"runnerCpu": "999m"}, {}),  # the runner counts whole cores (MAX_CORES)
    ("runnerMemory", {"runnerMemory": "1536Mi"}, {}),  # less than its own margin leaves tasks nothing
    ("nodeType", {"nodeType": "g5g.xlarge", "gpuAmiType": "AL2023_ARM_64_NVIDIA", "runnerMemory": "5Gi"}, {}),  # x86_64-only image
    *values("queueMatch", ["(", "(?=sqs)", "(?!x)", "(a)\\1", "(?<=a)b", "x{1001}", "\\C", "[", "a" * 1001, "(?P<n>a)(?P=n)", "*",
                           "\\p{Foo}", "(?i", "a{2,1}",
                           # RE2 takes these, the runner's Go 1.16 does not (domain/queue_match.py)
                           "(?<q>sqs)_.*", "^sqs_\\p{Vithkuqi}+$"]),
    # A nested quantifier against a long name that does not match: Python's engine backtracks for ever, RE2 answers at once.
    ("queues", {"queueMatch": "^(a+)+$", "queues": "a" * 79 + "_"}, {}),
    ("queues", {"queueMatch": "^(a|aa)+$", "queues": "a" * 79 + "-"}, {}),
    *values("cacheSize", ["10", "10GiB", "500Mib", "0Gib", "100Gib", "lots"]),
    *values("clearTextMessages", ["nope", "2"]),

    # --- credentials ------------------------------------------------------------------------------------------
    *values("sqsCredentials", ["plaintext", "", "FILE", "env"]),
    *values("ecrCredentialRefresh", ["maybe", "true", ""]),
    ("sqsCredentialsFile", {**FILE_MODE, "sqsCredentialsFile": "{files}/missing"}, HOME),
    *[("sqsCredentialsFile", {**FILE_MODE, "sqsCredentialsFile": path}, HOME) for path in (
        "{files}", "{files}/fifo", "/dev/zero", "/dev/null", "{files}/huge.pub", "{files}/empty", "{files}/credentials-no-default",
        "{files}/credentials-short-id", "{files}/credentials-short-secret", "{files}/credentials-temporary", "{files}/binary.pub",
        "{files}/credentials-id-only", "{files}/zero-link.pub", "{files}/credentials-not-ini")],
    *[("sqsConfigFile", {**FILE_MODE, "sqsConfigFile": path}, HOME) for path in (
        "{files}/missing", "{files}/config-mars", "{files}/config-no-region", "{files}/config-other-first", "{files}/fifo",
        "{files}/huge.pub", "{files}/empty", "/dev/zero", "{files}/config-az")],

    # --- scaling ------------------------------------------------------------------------------------------------
    *values("autoscaling", ["yes", "0"]),
    ("autoscaling", {"autoscaling": "true", "nodesMin": "3", "nodes": "3"}, {}),
    ("autoscaling", {"systemNodes": "0"}, {}),
    *values("queues", ["jobs", "sqs bad", "sqs_a.fifo", "sqs_a,sqs_a", "sqs_" + "a" * 77, "ｓｑｓ_a", 5, "sqs_a;sqs_b"]),
    ("queues", {"queues": "sqs_" + "a" * 73, "createQueues": "true"}, {}),
    ("queues", {"queues": ",".join(f"sqs_{n}" for n in range(51))}, {}),
    ("queues", {"queues": "a,dlq_a", "queueMatch": "a", "createQueues": "true"}, {}),
    *values("createQueues", ["true", "perhaps"]),
    *values("runnerMaxReplicas", ["0", "4", "-1", "x", "1000"], queues="sqs_a"),
    *values("queueLengthPerRunner", ["0", "100001", "x", "-5"]),
    *values("fastImagePull", ["yes", "2"]),
    ("fastImagePull", {"fastImagePull": "true", "gpuAmiType": "BOTTLEROCKET_x86_64_NVIDIA"}, {}),
    ("fastImagePull", {"fastImagePull": "false", "capacity": "automode"}, {}),
    *values("warmHours", ["Mon-Fry 08:00-18:00 UTC", "Mon-Fri 8:00-18:00 UTC", "Mon-Fri 18:00-08:00 UTC",
                          "Mon-Fri 08:00-18:00 Mars/Olympus", "Mon-Fri 08:00-18:00 ../../etc/passwd", "Mon-Fri",
                          "Fri-Mon 08:00-18:00 UTC"], queues="sqs_a"),
    ("warmHours", {"warmHours": "Mon-Fri 08:00-18:00 UTC"}, {}),  # no queues: no KEDA to keep the runners
    *values("warmRunners", ["0", "4", "x"], queues="sqs_a", warmHours="Mon-Fri 08:00-18:00 UTC"),
    ("sqsCredentials", {"sqsCredentials": "managed", "queueMatch": ".*"}, {}),
    # a top-level | starts some matches elsewhere: the managed user, limited to one prefix, would be refused on them
    ("sqsCredentials", {"sqsCredentials": "managed", "queueMatch": "^sqs_a|^rmq_.*"}, {}),

    # --- settings another setting leaves unused (settings/unused.py) --------------------------------------------------
    ("devicePluginVersion", {"gpuAmiType": "BOTTLEROCKET_x86_64_NVIDIA", "devicePluginVersion": "v0.19.0"}, {}),
    ("sqsSecretName", {"sqsCredentials": "none", "sqsSecretName": "team/sqs"}, {}),
    ("sqsCredentialsFile", {"sqsCredentialsFile": "~/.aws/credentials"}, {}),
    ("sqsConfigFile", {"sqsCredentials": "secretsmanager", "sqsConfigFile": "~/.aws/config"}, {}),
    ("runnerMaxReplicas", {"runnerMaxReplicas": "2"}, {}),
    ("queueLengthPerRunner", {"queues": "sqs_a", "autoscaling": "false", "nodes": "1", "queueLengthPerRunner": "2"}, {}),
    ("maxMessageAgeMinutes", {"maxMessageAgeMinutes": "5"}, {}),
    *[(name, {name: value}, {}) for name, value in (("pipelineBranch", "dev"), ("pipelineRepository", "o/n"),
                                                     ("pipelineTargets", "prod=123456789012/us-west-2"))],

    # --- delivery ---------------------------------------------------------------------------------------------------
    ("pipeline", {"pipeline": "yes"}, {}),
    ("pipeline", {"pipeline": 1}, {}),
    ("pipelineRepository", {"pipeline": "true", "account": "123456789012", "pipelineConnectionArn": CONNECTION}, {}),
    ("pipelineConnectionArn", {"pipeline": "true", "account": "123456789012", "pipelineRepository": "my-org/gpu"}, {}),
    ("account", {**PIPELINE, "account": None}, {}),
    ("gpuSmokeTest", {**PIPELINE, "gpuSmokeTest": "false"}, {}),
    ("sqsCredentials", {**PIPELINE, "sqsCredentials": "file"}, {}),
    ("pipelineConnectionArn", {**PIPELINE, "pipelineConnectionArn": CONNECTION.replace("arn:aws:", "arn:aws-cn:")}, {}),
    *values("pipelineConnectionArn", ["arn:aws:codeconnections:us-west-2:123:connection/x",
                                      f"arn:aws:codeconnections:mars-1:123456789012:connection/{UUID}",
                                      f"arn:aws-mars:codeconnections:us-west-2:123456789012:connection/{UUID}",
                                      "arn:aws:s3:::bucket", ""]),
    *values("pipelineTargets", ["prod", "prod=123/us-west-2", "prod=123456789012/mars-1",
                                "prod=123456789012/us-west-2,prod=111111111111/eu-west-1",
                                "a=123456789012/us-west-2,b=123456789012/us-west-2", "1prod=123456789012/us-west-2",
                                "pr od=123456789012/us-west-2", "prod=123456789012", "prod=123456789012/us-west-2/x"]),
    ("pipelineTargets", {**PIPELINE, "pipelineTargets": "prod=123456789012/cn-north-1"}, {}),
    ("adminPrincipalArns", {**PIPELINE, "adminPrincipalArns": "arn:aws:iam::123456789012:role/A",
                            "pipelineTargets": "cn=123456789012/cn-north-1"}, {}),

    # --- GPU health and observability ---------------------------------------------------------------------------------
    *values("nodeMonitoringAgent", ["yes", "1", "", ["true"]]),
    *values("containerInsights", ["on", "0", "maybe"]),
    *values("alarmEmail", ["ops", "ops@", "@example.com", "ops@example", "a@example.com,b@example.com", "a@example.com; b@example.com",
                           "Ops <ops@example.com>", "ops@exa mple.com", "ops@" + "a" * 5000 + ".com", ["ops@example.com"],
                           {"to": "ops@example.com"}]),
    *values("maxMessageAgeMinutes", ["0", "-5", "20161", "1e3", "an hour", "60m", "99999999999999999999", True]),
    ("alarmEmailz", {"alarmEmailz": "ops@example.com"}, {}),

    # --- settings in another spelling, and keys that are no setting --------------------------------------------------
    *[(key, {key: "g5.xlarge"}, {}) for key in ("nodeTyp", "NodeType", "node_type", "node-type", "NODE_TYPE", "node type", "nodetype")],
    *[(key, {key: "x"}, {}) for key in ("Region", "cluster-name", "clustername", "runner_image", "zzz", "nodesmax", "SystemNodes",
                                        "gpu-ami-type", "queue_match", "verify_gpu_on_deploy", "sshpublickey", "endpointPublicCidr",
                                        "queuesMatch", "Namespace", "PIPELINE")],
]
