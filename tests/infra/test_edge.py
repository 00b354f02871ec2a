"""The CDN in front of everything: aliases and certificate from context, the portal host passed
to the API origin, the origin secret on every API request, static files and the API's description
through origin access control, deskless.edge's HSTS on every answer; and the static-files bucket
filled from web/ when the repository has one, and with the API's description from docs/."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Aspects, Stack
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks

from deskless.edge import (
    API_REFERENCE,
    ORIGIN_VERIFY_HEADER,
    PORTAL_HOST_HEADER,
    STRICT_TRANSPORT_SECURITY,
    VIEWER_IP_HEADER,
    portal_label,
    static_file_headers,
)
from infra.constructs.access_logs import AccessLogs
from infra.constructs.web_assets import WebAssets
from local.gateway import as_cdn
from local.static import StaticFiles
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


def test_every_behaviour_adds_deskless_edge_hsts_to_every_answer(synthesized: Synthesized, distribution: Resource):
    # Given every cache behaviour: the API and portals (default) and the static files
    behaviours = [distribution["DefaultCacheBehavior"], *distribution["CacheBehaviors"]]
    for behaviour in behaviours:
        # Then its response headers policy adds deskless.edge's HSTS, replacing any the origin sent
        policy = synthesized.resources[logical_id_of(behaviour["ResponseHeadersPolicyId"])]["Properties"]
        hsts = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["StrictTransportSecurity"]
        assert hsts == {
            "AccessControlMaxAgeSec": STRICT_TRANSPORT_SECURITY.max_age_s,
            "IncludeSubdomains": STRICT_TRANSPORT_SECURITY.include_subdomains,
            "Preload": STRICT_TRANSPORT_SECURITY.preload,
            "Override": True,
        }, behaviour.get("PathPattern", "default")
    # a year at least, portals (subdomains) included, not preloaded
    assert STRICT_TRANSPORT_SECURITY.max_age_s >= 365 * 24 * 60 * 60
    assert (STRICT_TRANSPORT_SECURITY.include_subdomains, STRICT_TRANSPORT_SECURITY.preload) == (True, False)


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


# --- the console's static files ------------------------------------------------------------------


def static_behaviour(distribution: Resource) -> Resource:
    behaviours: list[Resource] = [b for b in distribution["CacheBehaviors"] if b["PathPattern"] == "/static/*"]
    assert len(behaviours) == 1
    return behaviours[0]


def resolved(value: Any, references: dict[str, str]) -> str:
    """A template string value with its Refs (by logical id or pseudo parameter) filled in."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return references[value["Ref"]]
    if "Fn::GetAtt" in value:
        return references[".".join(value["Fn::GetAtt"])]
    separator, parts = value["Fn::Join"]
    return str(separator).join(resolved(part, references) for part in parts)


def test_static_files_carry_the_same_headers_as_the_local_gateway_gives_them(
    synthesized: Synthesized, distribution: Resource
):
    # Given the response headers policy of the /static/* behaviour
    behaviour = static_behaviour(distribution)
    policy = synthesized.resources[logical_id_of(behaviour["ResponseHeadersPolicyId"])]["Properties"]
    config = policy["ResponseHeadersPolicyConfig"]
    security, custom = config["SecurityHeadersConfig"], config["CustomHeadersConfig"]["Items"]
    # When its placeholders take a deployment's values
    websocket_api = synthesized.api("WEBSOCKET")
    bucket = f"{synthesized.attachments_bucket()}.RegionalDomainName"
    references = {
        websocket_api: "abc123",
        "AWS::Region": "eu-west-1",
        "AWS::URLSuffix": "amazonaws.com",
        bucket: "files.s3.eu-west-1.amazonaws.com",
    }
    # Then they are deskless.edge's headers for that deployment's WebSocket API and attachments
    # bucket, replacing the assets bucket's
    expected = static_file_headers(
        "wss://abc123.execute-api.eu-west-1.amazonaws.com/live", "https://files.s3.eu-west-1.amazonaws.com"
    )
    csp = security["ContentSecurityPolicy"]
    assert resolved(csp["ContentSecurityPolicy"], references) == expected.content_security_policy
    assert security["ContentTypeOptions"] == {"Override": True}  # X-Content-Type-Options: nosniff
    assert security["ReferrerPolicy"] == {"ReferrerPolicy": expected.referrer_policy, "Override": True}
    assert custom == [
        {"Header": "cache-control", "Value": expected.cache_control, "Override": True},
        {"Header": "permissions-policy", "Value": expected.permissions_policy, "Override": True},
    ]
    assert csp["Override"] is True


def test_static_files_are_deployed_to_be_revalidated(tmp_path: Path):
    web = tmp_path / "web"
    web.mkdir()
    (web / "app.js").write_text("console.log('deskless');\n")
    app = App(outdir=str(tmp_path / "cdk.out"), context=cdk_json_context())
    stack = Stack(app, "WebOnly")
    WebAssets(stack, "Web", source=web, access_logs=AccessLogs(stack, "AccessLogs").bucket)

    Template.from_stack(stack).has_resource_properties(
        "Custom::CDKBucketDeployment", {"SystemMetadata": {"cache-control": "no-cache"}}
    )


STATIC_FILES = ("index.html", "console/index.html", "console/app.js", "console/icons/phone.svg")
STATIC_PATHS = (
    "/static/console/",
    "/static/console",
    "/static/console/app.js",
    "/static/console/icons/phone.svg",
    "/static/",
    "/static/console/missing.js",
)


def viewer_request_outcomes(code: str, uris: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Run a viewer-request function under node on requests for each URI; what it returned."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = (
        f"{code}\nconst uris = {json.dumps(list(uris))};\nconst out = {{}};\n"
        "for (const uri of uris) {\n"
        "  out[uri] = handler({viewer: {ip: '198.51.100.7'}, request: {method: 'GET', uri: uri, headers: {}}});\n"
        "}\nprocess.stdout.write(JSON.stringify(out));"
    )
    output: dict[str, dict[str, Any]] = json.loads(
        subprocess.run([node, "-e", script], check=True, capture_output=True, text=True).stdout
    )
    return output


def test_the_static_folder_function_and_the_local_gateway_serve_the_same_files(
    synthesized: Synthesized, distribution: Resource, tmp_path: Path
):
    # Given the viewer-request function of the /static/* behaviour
    (association,) = static_behaviour(distribution)["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function = synthesized.resources[logical_id_of(association["FunctionARN"])]["Properties"]
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    # and a web root whose files each hold their own path
    web = tmp_path / "web"
    for name in STATIC_FILES:
        (web / name).parent.mkdir(parents=True, exist_ok=True)
        (web / name).write_text(name)
    local = StaticFiles(web, static_file_headers("ws://localhost:8000/ws"))
    # When each path is asked for, of CloudFront (then of the bucket) and of the local gateway
    deployed = viewer_request_outcomes(function["FunctionCode"], STATIC_PATHS)
    for path in STATIC_PATHS:
        outcome, answer = deployed[path], local.answer("GET", path, path)
        # Then both redirect to the same place, or serve the same file (or both find none)
        if "statusCode" in outcome:
            assert (outcome["statusCode"], answer.status) == (301, 301), path
            assert outcome["headers"]["location"]["value"] == answer.headers["location"], path
            continue
        key = outcome["uri"].removeprefix("/static/")
        if key in STATIC_FILES:
            assert (answer.status, answer.body.decode()) == (200, key), path
        else:
            assert answer.status == 404, path


# --- the API's description -----------------------------------------------------------------------


def test_the_apis_description_comes_from_the_assets_bucket_with_the_static_files_headers(distribution: Resource):
    # Given the static files' behaviour
    static = static_behaviour(distribution)
    for path in API_REFERENCE:
        # Then each path of the API's description has a behaviour of its own, to the same bucket, with the same headers
        (behaviour,) = [b for b in distribution["CacheBehaviors"] if b["PathPattern"] == path]
        assert behaviour["TargetOriginId"] == static["TargetOriginId"], path
        assert behaviour["ResponseHeadersPolicyId"] == static["ResponseHeadersPolicyId"], path
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https", path
    assert len(distribution["Origins"]) == 2  # the API and the one bucket


def test_the_apis_description_is_deployed_from_docs_and_the_cdn_and_the_gateway_serve_the_same_files(
    synthesized: Synthesized, distribution: Resource
):
    # Given the viewer-request function of the description's behaviours, and its deployment
    (behaviour, *others) = [b for b in distribution["CacheBehaviors"] if b["PathPattern"] in API_REFERENCE]
    (association,) = behaviour["FunctionAssociations"]
    assert all(other["FunctionAssociations"] == [association] for other in others)
    function = synthesized.resources[logical_id_of(association["FunctionARN"])]["Properties"]
    synthesized.template.has_resource_properties(
        "Custom::CDKBucketDeployment", {"DestinationBucketKeyPrefix": "reference/"}
    )
    # When each path is asked for, of CloudFront and of the local gateway
    deployed = viewer_request_outcomes(function["FunctionCode"], tuple(API_REFERENCE))
    local = StaticFiles(Path("unused"), static_file_headers("ws://localhost:8000/ws"))
    for path, name in API_REFERENCE.items():
        # Then CloudFront asks the bucket for the file of docs/ that the gateway serves
        assert deployed[path]["uri"] == f"/reference/{name}", path
        assert local.files[path].name == name, path
