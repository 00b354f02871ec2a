"""What one deployment chooses: read from CDK context and validated once, before any construct.

Each field is the context key `deskless:<field>`. cdk.json holds example defaults so `cdk synth`
works out of the box; a deployment overrides them there or with `-c deskless:<field>=<value>`
(values given with -c arrive as strings: lists are comma-separated).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

CONTEXT_PREFIX = "deskless:"

Hostname = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=253,
        pattern=r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$",
    ),
]
MailAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9.-]+$")
]


class ContextError(ValueError):
    """The CDK context does not describe a deployable Deskless; the message says what to fix."""


class DeploymentSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    domain: Hostname = Field(
        description="The support domain: the console at https://<domain>, portals at https://<label>.<domain>."
    )
    certificate_arn: str = Field(
        pattern=r"^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/[0-9a-f-]{36}$",
        description="An ACM certificate in us-east-1 (CloudFront's region) covering <domain> and *.<domain>.",
    )
    mail_domain: Hostname = Field(description="The SES identity mail is sent from and received at.")
    mail_from: MailAddress = Field(description="The sender of Deskless' email, an address at <mail_domain>.")
    support_addresses: tuple[MailAddress, ...] = Field(
        min_length=1, description="Addresses at <mail_domain> whose mail becomes tickets (the SES receipt rule)."
    )
    alarm_emails: tuple[MailAddress, ...] = Field(
        default=(),
        description="Addresses told when any alarm goes off or clears (SNS asks each to confirm first).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    api_rate_limit: int = Field(default=100, gt=0, description="Steady requests per second, per API stage.")
    api_burst_limit: int = Field(default=200, gt=0, description="Burst of requests, per API stage.")
    inbound_mail_days: int = Field(default=90, gt=0, description="How long received messages are kept in S3.")
    attachment_max_mb: int = Field(default=10, gt=0, le=5000, description="How large one attached file may be (MB).")
    ticket_attachments_max_mb: int = Field(
        default=25, gt=0, le=50_000, description="How large one ticket's attached files may be together (MB)."
    )
    waf: bool = Field(
        default=True, description="A WAF web ACL on the CloudFront distribution (a companion stack in us-east-1)."
    )
    waf_rate_limit: int = Field(
        default=2000,
        ge=10,  # AWS WAF's bounds for a rate-based rule
        le=2_000_000_000,
        description="Requests per client IP address in any 5 minutes, above which the web ACL refuses that address.",
    )

    @field_validator("support_addresses", "alarm_emails", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return [part for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _addresses_at_mail_domain(self) -> Self:
        for address in (self.mail_from, *self.support_addresses):
            if address.rsplit("@", 1)[1] != self.mail_domain:
                raise ValueError(f"{address} is not an address at the mail domain {self.mail_domain}")
        return self

    @property
    def public_url(self) -> str:
        return f"https://{self.domain}"

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> DeploymentSettings:
        """The settings named `deskless:<field>` in this context, or a ContextError listing every problem."""
        values = {
            key.removeprefix(CONTEXT_PREFIX): value for key, value in context.items() if key.startswith(CONTEXT_PREFIX)
        }
        try:
            return cls.model_validate(values)
        except ValidationError as invalid:
            problems = [_problem(error) for error in invalid.errors()]
            raise ContextError(
                "The CDK context does not describe a deployable Deskless:\n"
                + "\n".join(f"  - {problem}" for problem in problems)
                + f'\nSet it in cdk.json ("context") or pass -c {CONTEXT_PREFIX}<name>=<value>.'
            ) from None


def _problem(error: Mapping[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ())]
    if not location:  # a check across fields
        return str(error["msg"]).removeprefix("Value error, ")
    key = CONTEXT_PREFIX + location[0] + "".join(f"[{part}]" for part in location[1:])
    if error["type"] == "missing":
        return f"{key} is missing"
    if error["type"] == "extra_forbidden":
        return f"{key} is not a Deskless setting (known: {', '.join(DeploymentSettings.model_fields)})"
    return f"{key}: {error['msg']} (got {error.get('input')!r})"
