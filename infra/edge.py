"""The companion stack in us-east-1: what CloudFront takes only from that region, which today is
the web ACL (infra/constructs/firewall.py). Deskless' own stack may be in any region.

The distribution reads the web ACL's ARN with CloudFormation's Fn::GetStackOutput, which reads
another stack's output in another region when the stack using it is deployed: no custom
resource, no parameter copied by hand, and Deskless' stack keeps no region of its own at synth.
That stack depends on this one, so `cdk deploy` deploys this one first. The web ACL's rules
change in place, so its ARN, once read, stays right.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Environment, Fn, Stack
from constructs import Construct

from infra.constructs.firewall import Firewall

REGION = "us-east-1"  # where AWS keeps every web ACL, certificate and function that CloudFront uses


class DesklessEdgeStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, waf_rate_limit: int, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            description="Deskless: the web ACL of its CloudFront distribution (CloudFront's region)",
            env=Environment(region=REGION),
            **kwargs,
        )
        firewall = Firewall(self, "Firewall", rate_limit=waf_rate_limit)
        self._web_acl_arn = CfnOutput(self, "WebAclArn", value=firewall.web_acl.attr_arn)

    def web_acl_arn(self) -> str:
        """The web ACL's ARN, as another stack (in any region) reads it from this one's output."""
        return Fn.get_stack_output(self.stack_name, self.resolve(self._web_acl_arn.logical_id), REGION)
