"""The stack alarms on what a single source's throttle cannot see: guessing spread over many
sources, of session codes and of staff passwords."""

from __future__ import annotations

import pytest

from infra.constructs.alarms import FAILED_REDEMPTIONS_PER_5_MINUTES, FAILED_SIGN_INS_PER_5_MINUTES
from tests.infra.conftest import Resource, Synthesized


def alarm_on(synthesized: Synthesized, metric_name: str) -> Resource:
    found: list[Resource] = [
        alarm["Properties"]
        for alarm in synthesized.of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == metric_name
    ]
    assert len(found) == 1, metric_name
    return found[0]


@pytest.mark.parametrize(
    ("metric_name", "service", "threshold"),
    [
        ("FailedCodeRedemptions", "codes", FAILED_REDEMPTIONS_PER_5_MINUTES),
        ("FailedLogins", "auth", FAILED_SIGN_INS_PER_5_MINUTES),
    ],
)
def test_failures_in_total_over_five_minutes_raise_an_alarm(
    synthesized: Synthesized, metric_name: str, service: str, threshold: int
) -> None:
    alarm = alarm_on(synthesized, metric_name)
    assert alarm["Namespace"] == "Deskless"
    assert alarm["Dimensions"] == [{"Name": "service", "Value": service}]  # the function that counts them
    assert (alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"]) == ("Sum", 300, 1)
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", threshold)
    assert alarm["TreatMissingData"] == "notBreaching"  # no failures, no data
