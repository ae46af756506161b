"""GPU health and observability: the node monitoring agent, Container Insights, and the alarms (stacks/observability/)."""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from settings.fields import SettingsBase, setting
from settings.types import Count, Flag, Text, at_least, at_most, quoted

# SQS's longest retention: no message can be older, so no alarm threshold above it means anything.
MAX_MESSAGE_RETENTION_MINUTES = 14 * 24 * 60
# One plain address: an SNS email subscription takes exactly one.
EMAIL_ADDRESS = re.compile(r"[^@\s,;<>]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", re.ASCII)


def _email_address(value: str) -> str:
    if not EMAIL_ADDRESS.fullmatch(value):
        raise ValueError(f"{quoted(value)} is not an email address. Give one address, like ops@example.com")
    return value


EmailAddress = Annotated[Text, AfterValidator(_email_address)]


class ObservabilitySettings(SettingsBase):
    node_monitoring_agent: Flag = setting(True, meaning="EKS node monitoring agent: GPU health conditions that node auto repair "
                                          "acts on; it owns DCGM on the GPU nodes")
    container_insights: Flag = setting(True, meaning="CloudWatch Container Insights (amazon-cloudwatch-observability add-on): node, "
                                       "pod and GPU metrics and container logs; GPU utilization only with `nodeMonitoringAgent=false`")
    alarm_email: EmailAddress | None = setting(None, meaning="address the alarms mail through an encrypted SNS topic "
                                               "(confirm the first mail)")
    max_message_age_minutes: Annotated[Count, at_least(1, "every waiting message would alarm"),
                                       at_most(MAX_MESSAGE_RETENTION_MINUTES, "as SQS keeps a message at most 14 days")] = setting(
        60, meaning="alarm when a queue's oldest message is older than this: work is stuck")
