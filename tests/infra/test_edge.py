"""The CDN in front of everything: aliases and certificate from context, the portal host passed
to the API origin, the origin secret on every API request, static files through origin access
control; and the static-files bucket filled from web/ when the repository has one."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from aws_cdk import App, Aspects, Stack
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks

from deskless.edge import ORIGIN_VERIFY_HEADER, PORTAL_HOST_HEADER, VIEWER_IP_HEADER, portal_label
from infra.constructs.access_logs import AccessLogs
from infra.constructs.web_assets import WebAssets
from local.gateway import as_cdn
from tests.infra.conftest import Resource, Synthesized, cdk_json_context, logical_id_of, mentions

ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


@pytest.fixture(scope="module")
def distribution(synthesized: Synthesized) -> Resource:
    config: Resource = synthesized.resources[synthesized.only("AWS::CloudFront::Distribution")]["Properties"][
        "DistributionConfig"
    ]
    return config


def origin(distribution: Resource, origin_id: str) -> Resource:
    found: list[Resource] = [candidate for candidate in distribution["Origins"] if candidate["Id"] == origin_id]
    assert len(found) == 1, origin_id
    return found[0]


def test_aliases_and_certificate_come_from_context(distribution: Resource):
    context = cdk_json_context()
    domain = context["deskless:domain"]
    assert distribution["Aliases"] == [domain, f"*.{domain}"]
    assert distribution["ViewerCertificate"] == {
        "AcmCertificateArn": context["deskless:certificate_arn"],
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }


def test_default_behaviour_forwards_everything_but_host_to_the_api_uncached(
    synthesized: Synthesized, distribution: Resource
):
    behaviour = distribution["DefaultCacheBehavior"]
    assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert set(behaviour["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    api = origin(distribution, behaviour["TargetOriginId"])
    assert mentions(api["DomainName"], synthesized.api("HTTP"))
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_api_origin_sends_the_origin_secret_by_dynamic_reference(synthesized: Synthesized, distribution: Resource):
    api = origin(distribution, distribution["DefaultCacheBehavior"]["TargetOriginId"])
    (header,) = api["OriginCustomHeaders"]
    assert header["HeaderName"] == ORIGIN_VERIFY_HEADER
    parts = header["HeaderValue"]["Fn::Join"][1]
    assert parts[0] == "{{resolve:secretsmanager:"
    assert parts[-1].endswith("}}")
    _, function = synthesized.function("meta")
    # The functions compare the header with the very secret the reference reads.
    assert parts[1] == function["Properties"]["Environment"]["Variables"]["DESKLESS_ORIGIN_SECRET_ID"]


@dataclass(frozen=True)
class ViewerRequest:
    """A viewer's request as CloudFront gets it, and the portal the functions should resolve from it."""

    host: str
    viewer_ip: str
    portal: str | None
    sent: tuple[tuple[str, str], ...] = ()  # headers the viewer added (a forger's, in some cases)


SUPPORT_DOMAIN = "support.example.com"
VIEWER_REQUESTS = {
    "portal": ViewerRequest("acme.support.example.com", "198.51.100.7", "acme"),
    "console on the apex": ViewerRequest("support.example.com", "198.51.100.7", None),
    "upper case": ViewerRequest("ACME.Support.Example.COM", "203.0.113.9", "acme"),
    "explicit port": ViewerRequest("acme.support.example.com:443", "203.0.113.9", "acme"),
    "nested label": ViewerRequest("a.acme.support.example.com", "203.0.113.9", None),
    "another domain": ViewerRequest("acme.example.net", "203.0.113.9", None),
    "ipv6 viewer": ViewerRequest("globex.support.example.com", "2001:db8::1", "globex"),
    "forged portal and address": ViewerRequest(
        "acme.support.example.com",
        "198.51.100.7",
        "acme",
        sent=((PORTAL_HOST_HEADER, "victim.support.example.com"), (VIEWER_IP_HEADER, "10.0.0.1")),
    ),
}


def cloudfront_function_output(code: str, requests: dict[str, ViewerRequest]) -> dict[str, dict[str, str]]:
    """Run the viewer-request function under node as CloudFront would, on each request; the
    headers it hands on, by case (CloudFront gives header names in lower case)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    events = {
        case: {
            "viewer": {"ip": request.viewer_ip},
            "request": {
                "method": "GET",
                "uri": "/",
                "headers": {
                    "host": {"value": request.host},
                    **{name.lower(): {"value": value} for name, value in request.sent},
                },
            },
        }
        for case, request in requests.items()
    }
    script = (
        f"{code}\nconst events = {json.dumps(events)};\nconst out = {{}};\n"
        "for (const [name, event] of Object.entries(events)) {\n"
        "  const headers = handler(event).headers; out[name] = {};\n"
        "  for (const [key, entry] of Object.entries(headers)) out[name][key] = entry.value;\n"
        "}\nprocess.stdout.write(JSON.stringify(out));"
    )
    output: dict[str, dict[str, str]] = json.loads(
        subprocess.run([node, "-e", script], check=True, capture_output=True, text=True).stdout
    )
    return output


def test_the_cloudfront_function_and_the_local_gateway_hand_the_functions_the_same_portal(
    synthesized: Synthesized, distribution: Resource
):
    # Given the viewer-request function as deployed on the default behaviour
    (association,) = distribution["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function = synthesized.resources[logical_id_of(association["FunctionARN"])]["Properties"]
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    # When each viewer request goes through it, and through the local gateway's emulation
    deployed = cloudfront_function_output(function["FunctionCode"], VIEWER_REQUESTS)
    for case, request in VIEWER_REQUESTS.items():
        viewer_headers = [("host", request.host), *request.sent]
        local = dict(as_cdn(viewer_headers, viewer_ip=request.viewer_ip, origin_secret="secret"))
        # Then both pass the host and the viewer's own address on, whatever the viewer claimed,
        for header in (PORTAL_HOST_HEADER, VIEWER_IP_HEADER):
            assert deployed[case][header] == local[header], (case, header)
        assert deployed[case][VIEWER_IP_HEADER] == request.viewer_ip, case
        # and the functions resolve the same portal (or none) from what they get
        assert portal_label(deployed[case][PORTAL_HOST_HEADER], SUPPORT_DOMAIN) == request.portal, case
        assert portal_label(local[PORTAL_HOST_HEADER], SUPPORT_DOMAIN) == request.portal, case
        # locally the secret header is the origin's, as CloudFront's custom origin header would be
        assert local[ORIGIN_VERIFY_HEADER] == "secret"


def test_static_files_come_from_the_private_bucket_through_origin_access_control(
    synthesized: Synthesized, distribution: Resource
):
    (behaviour,) = [b for b in distribution["CacheBehaviors"] if b["PathPattern"] == "/static/*"]
    assets = origin(distribution, behaviour["TargetOriginId"])
    oac = synthesized.only("AWS::CloudFront::OriginAccessControl")
    assert assets["OriginAccessControlId"] == {"Fn::GetAtt": [oac, "Id"]}
    assert assets["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    bucket = next(key for key in synthesized.of_type("AWS::S3::Bucket") if mentions(assets["DomainName"], key))
    assert synthesized.resources[bucket]["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    (policy,) = [
        value["Properties"]["PolicyDocument"]["Statement"]
        for value in synthesized.of_type("AWS::S3::BucketPolicy").values()
        if logical_id_of(value["Properties"]["Bucket"]) == bucket
    ]
    distribution_id = synthesized.only("AWS::CloudFront::Distribution")
    assert any(
        s["Principal"] == {"Service": "cloudfront.amazonaws.com"} and mentions(s["Condition"], distribution_id)
        for s in policy
    )


def test_distribution_logs_to_the_access_log_bucket(distribution: Resource):
    assert distribution["Logging"]["Prefix"] == "cloudfront/"


def test_web_folder_is_deployed_under_static_and_passes_cdk_nag(tmp_path: Path):
    # Given a web/ folder (the repository does not have one yet)
    web = tmp_path / "web"
    web.mkdir()
    (web / "console.js").write_text("console.log('deskless');\n")
    app = App(outdir=str(tmp_path / "cdk.out"), context=cdk_json_context())
    stack = Stack(app, "WebOnly")
    WebAssets(stack, "Web", source=web, access_logs=AccessLogs(stack, "AccessLogs").bucket)
    Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    # When it is synthesized
    template = Template.from_stack(stack)
    # Then the files land under static/, and CDK's deployment function is suppressed with reasons
    template.has_resource_properties("Custom::CDKBucketDeployment", {"DestinationBucketKeyPrefix": "static/"})
    assert Annotations.from_stack(stack).find_error("*", Match.string_like_regexp("AwsSolutions-.*")) == []
