"""settings/observability.py: defaults, and one exact line for each bad value (more in tests/bad_inputs.py)."""
from __future__ import annotations

import pytest

from settings import load_settings
from tests.setting_errors import error_line


def test_defaults():
    s = load_settings({}, {})
    assert (s.observability.node_monitoring_agent, s.observability.container_insights, s.observability.alarm_email, s.observability.max_message_age_minutes) == (True, True, None, 60)


def test_values_from_context_strings():
    s = load_settings({"nodeMonitoringAgent": "false", "containerInsights": "false", "alarmEmail": "gpu-ops@example.com",
                       "queues": "sqs_a", "maxMessageAgeMinutes": "20160"}, {})
    assert (s.observability.node_monitoring_agent, s.observability.container_insights, s.observability.alarm_email, s.observability.max_message_age_minutes) == (
        False, False, "gpu-ops@example.com", 20160)


@pytest.mark.parametrize(("context", "line"), [
    ({"alarmEmail": "ops"}, "error: alarmEmail: 'ops' is not an email address. Give one address, like ops@example.com."),
    ({"alarmEmail": "a@example.com,b@example.com"},
     "error: alarmEmail: 'a@example.com,b@example.com' is not an email address. Give one address, like ops@example.com."),
    ({"queues": "sqs_a", "maxMessageAgeMinutes": "0"}, "error: maxMessageAgeMinutes: 0 is below 1: every waiting message would alarm. Give 1 or more."),
    ({"queues": "sqs_a", "maxMessageAgeMinutes": "20161"},
     "error: maxMessageAgeMinutes: 20161 is above 20160, as SQS keeps a message at most 14 days. Give 20160 or less."),
    ({"queues": "sqs_a", "maxMessageAgeMinutes": "an hour"},
     "error: maxMessageAgeMinutes: 'an hour' is not a whole number. Give a count such as 1."),
    ({"containerInsights": "yes"}, "error: containerInsights: 'yes' is not a boolean. Use true or false."),
    ({"nodeMonitoringAgent": "1"}, "error: nodeMonitoringAgent: '1' is not a boolean. Use true or false."),
])
def test_bad_values_are_one_line(context, line):
    assert error_line(context) == line

