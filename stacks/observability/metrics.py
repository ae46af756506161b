"""The CloudWatch metrics the dashboard and alarms read, by the names and namespaces AWS documents.

- AWS/SQS, dimension QueueName: ApproximateNumberOfMessagesVisible, ApproximateAgeOfOldestMessage (seconds);
  SQS sends them every minute while a queue is active (SQS developer guide, "Available CloudWatch metrics for
  Amazon SQS").
- ContainerInsights, dimension ClusterName (CloudWatch user guide, "Amazon EKS and Kubernetes Container Insights
  with enhanced observability metrics"): cluster_node_count; node_gpu_limit (GPUs available on a node) and
  node_gpu_usage_total (GPUs used by running pods), which come from Kubernetes, not DCGM; node_gpu_utilization
  and node_gpu_memory_utilization, from the add-on's DCGM exporter ("NVIDIA GPU metrics"); with dimensions
  ClusterName, Namespace, PodName: replicas_desired, replicas_ready, pod_status_succeeded, pod_status_failed.
  Each node reports once a minute under ClusterName, so a one-minute Sum of a node metric is the cluster's total.
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
POD_SUCCEEDED = "pod_status_succeeded"
POD_FAILED = "pod_status_failed"

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
    """Nodes of the cluster less the fixed-size system nodegroup: the GPU nodes, whether their GPUs show or not."""
    return cloudwatch.MathExpression(
        expression=f"nodes - {system_nodes}", label="GPU nodes", period=NODE_PERIOD,
        using_metrics={"nodes": cluster_metric(cluster_name, CLUSTER_NODES, "Maximum", "nodes")})


def allocatable_gpus(cluster_name: str) -> cloudwatch.Metric:
    return cluster_metric(cluster_name, NODE_GPUS, "Sum", "GPUs allocatable")
