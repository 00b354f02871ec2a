"""Context values are validated before anything is built, and a bad one is named in the error."""

from __future__ import annotations

import pytest

from infra.app import build_app
from infra.settings import ContextError, DeploymentSettings
from tests.infra.conftest import cdk_json_context


def test_cdk_json_defaults_describe_a_deployable_stack():
    settings = DeploymentSettings.from_context(cdk_json_context())
    assert settings.public_url == f"https://{settings.domain}"
    assert settings.support_addresses


def test_values_given_with_dash_c_arrive_as_strings_and_are_understood():
    context = cdk_json_context() | {
        "deskless:support_addresses": "help@support.example.com, billing@support.example.com",
        "deskless:api_rate_limit": "25",
        "deskless:waf": "false",
        "deskless:waf_rate_limit": "500",
    }
    settings = DeploymentSettings.from_context(context)
    assert settings.support_addresses == ("help@support.example.com", "billing@support.example.com")
    assert settings.api_rate_limit == 25
    assert (settings.waf, settings.waf_rate_limit) == (False, 500)


def test_the_web_acl_is_on_by_default_with_2000_requests_per_client_in_5_minutes():
    settings = DeploymentSettings.from_context(cdk_json_context())
    assert (settings.waf, settings.waf_rate_limit) == (True, 2000)


def test_missing_value_stops_the_app_and_names_the_key():
    context = cdk_json_context()
    del context["deskless:certificate_arn"]
    with pytest.raises(ContextError, match=r"deskless:certificate_arn is missing"):
        build_app(context)


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("deskless:certificate_arn", "arn:aws:acm:eu-west-1:123456789012:certificate/x", "deskless:certificate_arn"),
        ("deskless:domain", "not a domain", "deskless:domain"),
        ("deskless:mail_from", "help@elsewhere.example.org", "not an address at the mail domain"),
        ("deskless:log_level", "LOUD", "deskless:log_level"),
        ("deskless:waf", "maybe", "deskless:waf"),
        ("deskless:waf_rate_limit", "5", "deskless:waf_rate_limit"),  # below AWS WAF's least
        ("deskless:domian", "typo.example.com", "deskless:domian is not a Deskless setting"),
    ],
)
def test_invalid_value_is_refused_with_a_clear_message(key: str, value: str, says: str):
    with pytest.raises(ContextError, match=says) as refused:
        DeploymentSettings.from_context(cdk_json_context() | {key: value})
    assert "-c deskless:<name>=<value>" in str(refused.value)


def test_attachment_limits_are_ten_and_twenty_five_megabytes_unless_the_deployment_says():
    default = DeploymentSettings.from_context(cdk_json_context())
    chosen = DeploymentSettings.from_context(
        cdk_json_context() | {"deskless:attachment_max_mb": "20", "deskless:ticket_attachments_max_mb": "100"}
    )
    assert (default.attachment_max_mb, default.ticket_attachments_max_mb) == (10, 25)
    assert (chosen.attachment_max_mb, chosen.ticket_attachments_max_mb) == (20, 100)
    with pytest.raises(ContextError, match="deskless:attachment_max_mb"):
        DeploymentSettings.from_context(cdk_json_context() | {"deskless:attachment_max_mb": "0"})
