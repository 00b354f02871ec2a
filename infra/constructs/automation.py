"""Time-based automation rules on EventBridge Scheduler: the schedule group the automation
function keeps its one-time schedules in, and the role Scheduler assumes to invoke the automation
function, which may do nothing else (but park a moment it could not deliver in the moments'
failure queue, with an alarm, after Scheduler's retries). The function may create, change, read
and delete only the schedules of that group, and hand Scheduler only that role."""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from infra.constructs.failures import failure_queue
from infra.nag import suppress

GROUP_NAME = "deskless-automation"  # deskless.settings.Settings.automation_schedule_group's default
SCHEDULE_ACTIONS = (
    "scheduler:CreateSchedule",
    "scheduler:UpdateSchedule",
    "scheduler:DeleteSchedule",
    "scheduler:GetSchedule",
)


class AutomationSchedules(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.group = scheduler.CfnScheduleGroup(self, "Group", name=GROUP_NAME)
        account = Stack.of(self).account
        self.role = iam.Role(
            self,
            "InvokeRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": account}}
            ),
            description="EventBridge Scheduler invokes the Deskless automation function at a rule's moment",
        )
        self.failures = failure_queue(
            self,
            "moments-failures",
            holds="the time-based rules' moments EventBridge Scheduler could not deliver after its retries",
        )
        self.failures.grant_send_messages(self.role)

    @property
    def schedules_arn(self) -> str:
        """Every schedule of the group (their names are made at run time: t<number>-<rule id>)."""
        return Stack.of(self).format_arn(
            service="scheduler",
            resource="schedule",
            resource_name=f"{GROUP_NAME}/*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )

    def invokes(self, function: lambda_.IFunction) -> None:
        """The role may invoke the automation function, and nothing else."""
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
        )

    def grant_scheduling(self, grantee: iam.IGrantable, role: iam.IRole) -> None:
        """What the automation function needs to keep its schedules: the group's schedules only, and
        passing the invoke role to Scheduler only."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(SCHEDULE_ACTIONS), resources=[self.schedules_arn])
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
            )
        )
        suppress(
            role,
            "IAM5",
            "Keeps the automation group's one-time schedules, whose names (t<number>-<rule id>) are made at run time.",
            applies_to=[
                f"Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/{GROUP_NAME}/*"
            ],
        )
