"""bench/context_args.py: `-c KEY=VALUE` as make cost, make latency and make day take it."""
from __future__ import annotations

import pytest

from bench.context_args import BadContext, context_of, parser


def test_each_item_is_a_setting_and_the_value_keeps_its_own_equals_signs():
    assert context_of(["nodes=2", " queues =sqs_a", "warmHours=Mon-Fri 08:00-18:00 UTC", "x=a=b"]) == {
        "nodes": "2", "queues": "sqs_a", "warmHours": "Mon-Fri 08:00-18:00 UTC", "x": "a=b"}
    assert parser("d", prog="bench/x.py").parse_args(["-c", "a=1", "-c", "b=2"]).context == ["a=1", "b=2"]


@pytest.mark.parametrize("item", ["nodes", "=2", " =2"])
def test_an_item_without_a_key_or_equals_sign_is_one_line(item: str):
    with pytest.raises(BadContext) as raised:
        context_of([item])
    assert raised.value.line == f"error: -c {item}: is not KEY=VALUE. Write it like -c nodes=2"
