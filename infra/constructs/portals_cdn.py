"""The one CloudFront distribution in front of everything: the console and API at <domain>, each
company's portal at <label>.<domain>, static files under /static/.

A viewer-request CloudFront Function copies the viewer's Host into PORTAL_HOST_HEADER (the
origin request policy forwards every viewer header but Host, which must name the API), and the
API origin gets ORIGIN_VERIFY_HEADER with the origin secret, so the functions refuse calls that
bypass CloudFront (deskless.edge).

Static files carry the headers of deskless.edge.static_file_headers (a response headers policy:
CloudFront's security headers, and its custom headers for Cache-Control and Permissions-Policy),
and their own viewer-request function maps a folder to its index.html, as the local gateway
does (local/static.py). The API's description is served from the same bucket with the same
headers, each of deskless.edge.API_REFERENCE's paths by a behaviour of its own, whose
viewer-request function names the file's key. Every response, static or not, carries
deskless.edge.EDGE_HEADERS (HSTS).

The web ACL, when the deployment has one, comes from the companion stack in us-east-1
(infra/edge.py): CloudFront takes a web ACL only from there."""

from __future__ import annotations

import json

from aws_cdk import Duration, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from deskless.edge import (
    API_REFERENCE,
    INDEX_FILE,
    ORIGIN_VERIFY_HEADER,
    PORTAL_HOST_HEADER,
    REFERENCE_PREFIX,
    STRICT_TRANSPORT_SECURITY,
    VIEWER_IP_HEADER,
    StaticFileHeaders,
    static_file_headers,
)
from infra.constructs.web_assets import STATIC_PREFIX
from infra.nag import suppress


def portal_host_code() -> str:
    """The viewer-request function (cloudfront-js-2.0); header names are lower case there."""
    host, viewer = json.dumps(PORTAL_HOST_HEADER.lower()), json.dumps(VIEWER_IP_HEADER.lower())
    return (
        "function handler(event) {\n"
        "  var request = event.request;\n"
        f"  request.headers[{host}] = {{ value: request.headers.host.value }};\n"
        f"  request.headers[{viewer}] = {{ value: event.viewer.ip }};\n"
        "  return request;\n"
        "}\n"
    )


def static_index_code() -> str:
    """The static files' viewer-request function (cloudfront-js-2.0): a URI ending in "/" asks for
    that folder's index file; one whose last segment has no dot names a folder without its slash
    (the bucket has no folders to look into) and is redirected to it."""
    index = json.dumps(INDEX_FILE)
    return (
        "function handler(event) {\n"
        "  var request = event.request;\n"
        "  var uri = request.uri;\n"
        "  if (uri.endsWith('/')) {\n"
        f"    request.uri = uri + {index};\n"
        "    return request;\n"
        "  }\n"
        "  if (uri.substring(uri.lastIndexOf('/') + 1).indexOf('.') === -1) {\n"
        "    return { statusCode: 301, statusDescription: 'Moved Permanently',\n"
        "             headers: { location: { value: uri + '/' } } };\n"
        "  }\n"
        "  return request;\n"
        "}\n"
    )


def reference_code() -> str:
    """The API description's viewer-request function (cloudfront-js-2.0): the key of the file each
    of its paths serves (its behaviours match those paths alone)."""
    keys = json.dumps({path: f"/{REFERENCE_PREFIX}{name}" for path, name in API_REFERENCE.items()}, sort_keys=True)
    return (
        "function handler(event) {\n"
        "  var request = event.request;\n"
        f"  request.uri = {keys}[request.uri];\n"
        "  return request;\n"
        "}\n"
    )


def viewer_request(scope: Construct, construct_id: str, comment: str, code: str) -> cloudfront.Function:
    return cloudfront.Function(
        scope,
        construct_id,
        comment=comment,
        code=cloudfront.FunctionCode.from_inline(code),
        runtime=cloudfront.FunctionRuntime.JS_2_0,
    )


def strict_transport_security() -> cloudfront.ResponseHeadersStrictTransportSecurity:
    """deskless.edge's HSTS, replacing any the origin sent."""
    hsts = STRICT_TRANSPORT_SECURITY
    return cloudfront.ResponseHeadersStrictTransportSecurity(
        access_control_max_age=Duration.seconds(hsts.max_age_s),
        include_subdomains=hsts.include_subdomains,
        preload=hsts.preload,
        override=True,
    )


def edge_headers_policy(scope: Construct, construct_id: str) -> cloudfront.ResponseHeadersPolicy:
    """deskless.edge.EDGE_HEADERS on what the API and the portals answer; the functions set the rest."""
    return cloudfront.ResponseHeadersPolicy(
        scope,
        construct_id,
        comment="HSTS on every answer of the API and the portals",
        security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
            strict_transport_security=strict_transport_security()
        ),
    )


def static_headers_policy(
    scope: Construct, construct_id: str, headers: StaticFileHeaders
) -> cloudfront.ResponseHeadersPolicy:
    """deskless.edge's static file headers and EDGE_HEADERS as CloudFront adds them, replacing any the bucket has."""
    referrer = cloudfront.HeadersReferrerPolicy[headers.referrer_policy.upper().replace("-", "_")]
    return cloudfront.ResponseHeadersPolicy(
        scope,
        construct_id,
        comment="Security headers and revalidation of the console's static files",
        security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
            content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                content_security_policy=headers.content_security_policy, override=True
            ),
            content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),  # nosniff
            referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(referrer_policy=referrer, override=True),
            strict_transport_security=strict_transport_security(),
        ),
        custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
            custom_headers=[
                cloudfront.ResponseCustomHeader(header="cache-control", value=headers.cache_control, override=True),
                cloudfront.ResponseCustomHeader(
                    header="permissions-policy", value=headers.permissions_policy, override=True
                ),
            ]
        ),
    )


class PortalsCdn(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain: str,
        certificate_arn: str,
        api: apigwv2.HttpApi,
        websocket_url: str,
        attachments_origin: str,
        assets: s3.IBucket,
        origin_secret: secretsmanager.ISecret,
        access_logs: s3.IBucket,
        web_acl_arn: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        api_origin = origins.HttpOrigin(
            f"{api.api_id}.execute-api.{stack.region}.{stack.url_suffix}",
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            # A dynamic reference: CloudFormation resolves it at deploy time, the template never holds it.
            custom_headers={ORIGIN_VERIFY_HEADER: origin_secret.secret_value.unsafe_unwrap()},
        )
        portal_host = viewer_request(self, "PortalHost", "Pass the portal's host to the origin", portal_host_code())
        static_index = viewer_request(self, "StaticIndex", "A static folder's index.html", static_index_code())
        reference_keys = viewer_request(self, "ReferenceKeys", "The key of the API's description", reference_code())
        assets_origin = origins.S3BucketOrigin.with_origin_access_control(assets)
        static_headers = static_headers_policy(
            self, "StaticHeaders", static_file_headers(websocket_url, attachments_origin)
        )

        def from_assets(keys: cloudfront.Function) -> cloudfront.BehaviorOptions:
            return cloudfront.BehaviorOptions(
                origin=assets_origin,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                compress=True,
                response_headers_policy=static_headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=keys, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            )

        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Deskless console, API and portals",
            domain_names=[domain, f"*.{domain}"],
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn),
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            default_behavior=cloudfront.BehaviorOptions(
                origin=api_origin,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=edge_headers_policy(self, "EdgeHeaders"),
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=portal_host, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={
                f"/{STATIC_PREFIX}/*": from_assets(static_index),
                **{path: from_assets(reference_keys) for path in API_REFERENCE},
            },
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="cloudfront/",
            web_acl_id=web_acl_arn,
        )
        suppress(
            self.distribution,
            "CFR1",
            "Customers and technicians connect from anywhere; the product serves no region-restricted content.",
        )
        if web_acl_arn is None:
            suppress(
                self.distribution,
                "CFR2",
                "The deployment turned its web ACL off (deskless:waf=false); the API still throttles per stage "
                "and the functions refuse calls that bypass CloudFront.",
            )
