"""The stack alarms on what a single source's throttle cannot see: guessing spread over many
sources, of session codes and of staff passwords; and every alarm tells the deployment's
addresses, through one topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.constructs.alarms import (
    FAILED_CUSTOMER_SIGN_INS_PER_5_MINUTES,
    FAILED_REDEMPTIONS_PER_5_MINUTES,
    FAILED_SIGN_INS_PER_5_MINUTES,
)
from tests.infra.conftest import Resource, Synthesized, cdk_json_context, synthesize


def alarm_on(synthesized: Synthesized, metric_name: str, service: str) -> Resource:
    found: list[Resource] = [
        alarm["Properties"]
        for alarm in synthesized.of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == metric_name
        and alarm["Properties"].get("Dimensions") == [{"Name": "service", "Value": service}]
    ]
    assert len(found) == 1, (metric_name, service)
    return found[0]


@pytest.mark.parametrize(
    ("metric_name", "service", "threshold"),
    [
        ("FailedCodeRedemptions", "codes", FAILED_REDEMPTIONS_PER_5_MINUTES),
        ("FailedLogins", "auth", FAILED_SIGN_INS_PER_5_MINUTES),
        ("FailedLogins", "portals", FAILED_CUSTOMER_SIGN_INS_PER_5_MINUTES),
    ],
)
def test_failures_in_total_over_five_minutes_raise_an_alarm(
    synthesized: Synthesized, metric_name: str, service: str, threshold: int
) -> None:
    alarm = alarm_on(synthesized, metric_name, service)
    assert alarm["Namespace"] == "Deskless"
    assert alarm["Dimensions"] == [{"Name": "service", "Value": service}]  # the function that counts them
    assert (alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"]) == ("Sum", 300, 1)
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", threshold)
    assert alarm["TreatMissingData"] == "notBreaching"  # no failures, no data


def test_every_alarm_notifies_the_alarm_topic_when_it_goes_off_and_when_it_clears(synthesized: Synthesized) -> None:
    topic = synthesized.only("AWS::SNS::Topic")
    alarms = synthesized.of_type("AWS::CloudWatch::Alarm")

    assert len(alarms) >= 4  # the two above and the failure queues' (stream, inbound mail)
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}], name
        assert alarm["Properties"]["OKActions"] == [{"Ref": topic}], name


def test_the_alarm_topic_refuses_publishers_without_tls(synthesized: Synthesized) -> None:
    topic = synthesized.only("AWS::SNS::Topic")
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in synthesized.of_type("AWS::SNS::TopicPolicy").values()
        if {"Ref": topic} in p["Properties"]["Topics"]
    ]

    assert {
        "Effect": "Deny",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }.items() <= policy[0].items()


def test_no_one_is_subscribed_unless_the_deployment_names_them(synthesized: Synthesized) -> None:
    assert synthesized.of_type("AWS::SNS::Subscription") == {}


def test_each_address_the_deployment_names_is_subscribed_by_email(tmp_path: Path) -> None:
    context = cdk_json_context() | {"deskless:alarm_emails": "ops@example.com,oncall@example.org"}
    stack, _ = synthesize(tmp_path, context | {"deskless:waf": False})
    topic = stack.only("AWS::SNS::Topic")

    subscribed = {
        (s["Properties"]["Protocol"], s["Properties"]["Endpoint"])
        for s in stack.of_type("AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] == {"Ref": topic}
    }

    assert subscribed == {("email", "ops@example.com"), ("email", "oncall@example.org")}
