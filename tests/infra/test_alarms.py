"""The stack alarms on what a single source's throttle cannot see: guessing spread over many sources."""

from __future__ import annotations

from tests.infra.conftest import Synthesized


def test_failed_code_redemptions_in_total_raise_an_alarm(synthesized: Synthesized) -> None:
    alarm = next(iter(synthesized.of_type("AWS::CloudWatch::Alarm").values()))["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("Deskless", "FailedCodeRedemptions")
    assert alarm["Dimensions"] == [{"Name": "service", "Value": "codes"}]
    assert alarm["Statistic"] == "Sum"
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
