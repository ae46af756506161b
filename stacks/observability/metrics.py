"""The CloudWatch metrics the dashboard and alarms read, each described as what it is.

- AWS/SQS, dimension QueueName: ApproximateNumberOfMessagesVisible, ApproximateAgeOfOldestMessage (seconds);
  SQS sends them every minute while a queue is active (SQS developer guide, "Available CloudWatch metrics for
  Amazon SQS").
- ContainerInsights, dimension ClusterName, from the CloudWatch agent's awscontainerinsightreceiver
  (amazon-contributing/opentelemetry-collector-contrib, receiver/awscontainerinsightreceiver/internal/stores/podstore.go
  decorateNode, nodeinfo.go; dimensions from aws/amazon-cloudwatch-agent translator/translate/otel/exporter/awsemf/
  kubernetes.go). Each node reports once a minute, so a one-minute Sum of a node metric is the cluster's total and its
  SampleCount the number of nodes that reported it:
  - cluster_node_count: every node of the cluster, system and GPU alike (internal/k8sapiserver, from the leader);
  - node_gpu_limit: the node's nvidia.com/gpu *capacity* (not allocatable), sent only while that capacity is not 0, so
    a node whose device plugin never registered sends nothing and a GPU that fails later (allocatable drops, capacity
    stays) changes nothing;
  - node_gpu_usage_total: nvidia.com/gpu limits of the node's running pods (not device utilization);
  - node_gpu_utilization, node_gpu_memory_utilization: from the add-on's DCGM exporter ("NVIDIA GPU metrics");
  - with dimensions ClusterName, Namespace, PodName: replicas_desired, replicas_ready. Not pod_status_succeeded or
    pod_status_failed for a Job: stores/podstore.go Decorate adds a pod's phase only to the cAdvisor metrics of a pod
    that still has a container (cadvisor/container_info_processor.go processPod), and the API-server path
    (k8sapiserver.go getPendingPodStatusMetrics) reports Pending pods only; a finished Job pod has neither, so both
    read 0 while it runs and nothing after (fork branch aws-cwa-dev, commit 8e059f14).
"""
from __future__ import annotations

from aws_cdk import Duration, aws_cloudwatch as cloudwatch

SQS_NAMESPACE = "AWS/SQS"
VISIBLE_MESSAGES = "ApproximateNumberOfMessagesVisible"
OLDEST_MESSAGE_AGE = "ApproximateAgeOfOldestMessage"

CONTAINER_INSIGHTS_NAMESPACE = "ContainerInsights"
CLUSTER_NODES = "cluster_node_count"
NODE_GPUS = "node_gpu_limit"
NODE_GPUS_IN_USE = "node_gpu_usage_total"
GPU_UTILIZATION = "node_gpu_utilization"
GPU_MEMORY_UTILIZATION = "node_gpu_memory_utilization"
REPLICAS_DESIRED = "replicas_desired"
REPLICAS_READY = "replicas_ready"

SQS_PERIOD = Duration.minutes(5)
NODE_PERIOD = Duration.minutes(1)


def queue_metric(queue_name: str, metric_name: str, label: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(namespace=SQS_NAMESPACE, metric_name=metric_name, dimensions_map={"QueueName": queue_name},
                             statistic="Maximum", period=SQS_PERIOD, label=label)


def cluster_metric(cluster_name: str, metric_name: str, statistic: str, label: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(namespace=CONTAINER_INSIGHTS_NAMESPACE, metric_name=metric_name,
                             dimensions_map={"ClusterName": cluster_name}, statistic=statistic, period=NODE_PERIOD, label=label)


def workload_metric(cluster_name: str, namespace: str, pod_name: str, metric_name: str, statistic: str, label: str) -> cloudwatch.Metric:
    """`pod_name`: Container Insights' PodName is the owning workload's name (Deployment, Job), not the pod's
    (aws/amazon-cloudwatch-agent, plugins/processors/awsentity/internal/entityattributes/entityattributes.go)."""
    return cloudwatch.Metric(namespace=CONTAINER_INSIGHTS_NAMESPACE, metric_name=metric_name,
                             dimensions_map={"ClusterName": cluster_name, "Namespace": namespace, "PodName": pod_name},
                             statistic=statistic, period=NODE_PERIOD, label=label)


def gpu_node_count(cluster_name: str, system_nodes: int) -> cloudwatch.MathExpression:
    """Nodes of the cluster less the fixed-size system nodegroup: the GPU nodes, whether their GPUs show or not.
    Only where the system nodes are a fixed count (managed nodegroups): Auto Mode's system and general-purpose pools vary."""
    return cloudwatch.MathExpression(
        expression=f"nodes - {system_nodes}", label="GPU nodes", period=NODE_PERIOD,
        using_metrics={"nodes": cluster_metric(cluster_name, CLUSTER_NODES, "Maximum", "nodes")})


def gpu_capacity(cluster_name: str) -> cloudwatch.Metric:
    return cluster_metric(cluster_name, NODE_GPUS, "Sum", "GPU capacity (nvidia.com/gpu the nodes report)")


def nodes_reporting_gpus(cluster_name: str) -> cloudwatch.Metric:
    """GPU nodes whose device plugin registered their GPUs: those that send node_gpu_limit at all."""
    return cluster_metric(cluster_name, NODE_GPUS, "SampleCount", "GPU nodes reporting GPUs")
