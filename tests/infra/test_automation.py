"""Time-based automation rules in the synthesized template: the schedule group, the role Scheduler
assumes (it may invoke the automation function and nothing else), and the automation function's
least privilege over schedules (its group's only) and roles (that one, passed to Scheduler only)."""

from __future__ import annotations

from typing import Any

from infra.constructs.automation import GROUP_NAME, SCHEDULE_ACTIONS
from tests.infra.conftest import Synthesized, actions_of, logical_id_of, mentions


def invoke_role(synthesized: Synthesized) -> str:
    (found,) = [
        logical_id
        for logical_id, value in synthesized.of_type("AWS::IAM::Role").items()
        if value["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"].get("Service")
        == "scheduler.amazonaws.com"
    ]
    return found


def statements_of_role(synthesized: Synthesized, role: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_the_schedule_group_is_the_one_the_functions_are_told(synthesized: Synthesized):
    group = synthesized.only("AWS::Scheduler::ScheduleGroup")
    assert synthesized.resources[group]["Properties"]["Name"] == GROUP_NAME
    _, function = synthesized.function("automation")
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["DESKLESS_AUTOMATION_SCHEDULE_GROUP"] == {"Ref": group}
    assert logical_id_of(variables["DESKLESS_AUTOMATION_SCHEDULER_ROLE_ARN"]) == invoke_role(synthesized)


def test_schedulers_role_may_only_invoke_the_automation_function(synthesized: Synthesized):
    role = invoke_role(synthesized)
    trust = synthesized.resources[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert not synthesized.resources[role]["Properties"].get("ManagedPolicyArns")
    invokes, parks = sorted(statements_of_role(synthesized, role), key=lambda s: actions_of(s)[0])
    automation, _ = synthesized.function("automation")
    assert actions_of(invokes) == ["lambda:InvokeFunction"]
    assert invokes["Resource"] == {"Fn::GetAtt": [automation, "Arn"]}
    # what it could not deliver after its retries it parks in the moments' failure queue, and nowhere else
    assert [a for a in actions_of(parks) if not a.startswith("sqs:")] == []
    queue = logical_id_of(parks["Resource"])
    _, function = synthesized.function("automation")
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["DESKLESS_AUTOMATION_MOMENTS_FAILURES_ARN"] == {"Fn::GetAtt": [queue, "Arn"]}
    alarms = [a for a in synthesized.of_type("AWS::CloudWatch::Alarm").values() if mentions(a["Properties"], queue)]
    assert len(alarms) == 1


def test_the_automation_function_keeps_only_its_groups_schedules_and_passes_only_that_role(synthesized: Synthesized):
    statements = synthesized.role_statements("automation")
    (schedules,) = [s for s in statements if any(a.startswith("scheduler:") for a in actions_of(s))]
    assert sorted(actions_of(schedules)) == sorted(SCHEDULE_ACTIONS)
    assert f":schedule/{GROUP_NAME}/*" in str(schedules["Resource"])
    (passes,) = [s for s in statements if "iam:PassRole" in actions_of(s)]
    assert mentions(passes["Resource"], invoke_role(synthesized))
    assert passes["Condition"] == {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}
    # no other function may schedule or pass roles
    for name in ("events", "tickets", "helpdesk"):
        others = synthesized.role_statements(name)
        assert not [s for s in others if any(a.startswith("scheduler:") or a == "iam:PassRole" for a in actions_of(s))]


def test_the_automation_function_sends_mail_pushes_to_consoles_and_reads_the_signing_key(synthesized: Synthesized):
    actions = {action for s in synthesized.role_statements("automation") for action in actions_of(s)}
    assert {"ses:SendRawEmail", "execute-api:ManageConnections", "secretsmanager:GetSecretValue"} <= actions
    assert "dynamodb:PutItem" in actions
    assert "dynamodb:GetRecords" in actions  # it reads the stream
