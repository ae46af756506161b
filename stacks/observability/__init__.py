"""The cluster's dashboard and alarms, from CloudWatch metrics of SQS and Container Insights."""
