"""The web console in the cloud: a private bucket read by CloudFront alone (origin access control), one
distribution that answers HTTPS only with the console's security headers and content security policy,
and sends every declared API route, uncached and with `Authorization`, to the HTTP API on the same
origin; the upload buckets' CORS names the distribution's origin exactly; the built console copied in."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

import pytest

from infra.domains import DOMAINS
from infra.web import UPLOAD_ORIGINS, api_path_patterns
from infra.web_policy import CONSOLE_PATHS, PERMISSIONS_POLICY, STRICT_TRANSPORT_SECONDS, content_security_policy
from tests.conftest import REPO, skip_or_fail
from tests.infra.template import Synthesised

pytestmark = pytest.mark.infra

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CloudFront's managed policies, by their fixed ids
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def distribution_config(platform: Synthesised) -> dict[str, Any]:
    (distribution,) = platform.of_type("AWS::CloudFront::Distribution").values()
    config: dict[str, Any] = distribution["Properties"]["DistributionConfig"]
    return config


def origin(config: dict[str, Any], origin_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(entry for entry in config["Origins"] if entry["Id"] == origin_id)
    return found


def test_the_console_comes_from_a_private_bucket_only_cloudfront_reads(platform: Synthesised) -> None:
    config = distribution_config(platform)
    default = config["DefaultCacheBehavior"]
    bucket_id = platform.id_of(platform.stack.web.bucket)
    s3_origin = origin(config, default["TargetOriginId"])
    assert s3_origin["DomainName"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}
    assert "OriginAccessControlId" in s3_origin
    (control,) = platform.of_type("AWS::CloudFront::OriginAccessControl").values()
    assert control["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    bucket = platform.resources[bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    policies = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in platform.of_type("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    (statements,) = policies
    readers = [statement for statement in statements if statement["Effect"] == "Allow"]
    assert [statement["Principal"] for statement in readers] == [{"Service": "cloudfront.amazonaws.com"}]
    assert readers[0]["Action"] == "s3:GetObject"
    assert "AWS:SourceArn" in json.dumps(readers[0]["Condition"])  # this distribution alone
    assert default["AllowedMethods"] == ["GET", "HEAD"]
    assert default["CachePolicyId"] == CACHING_OPTIMIZED
    assert config["DefaultRootObject"] == "index.html"


def test_every_behaviour_is_https_only_with_the_security_headers(platform: Synthesised) -> None:
    config = distribution_config(platform)
    headers_id = platform.id_of(platform.stack.web.headers)
    for behaviour in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behaviour["ViewerProtocolPolicy"] == "https-only"
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": headers_id}
    for entry in config["Origins"]:
        if "CustomOriginConfig" in entry:
            assert entry["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
            assert entry["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    policy = platform.resources[headers_id]["Properties"]["ResponseHeadersPolicyConfig"]
    security = policy["SecurityHeadersConfig"]
    csp = platform.stack.resolve(content_security_policy(UPLOAD_ORIGINS))
    assert security["ContentSecurityPolicy"] == {"ContentSecurityPolicy": csp, "Override": True}
    text = json.dumps(csp)
    for directive in ("default-src 'none'", "script-src 'self';", "style-src 'self';", "frame-ancestors 'none'"):
        assert directive in text
    assert "unsafe" not in text
    assert security["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": STRICT_TRANSPORT_SECONDS,
        "IncludeSubdomains": True,
        "Override": True,
    }
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["ReferrerPolicy"] == {"ReferrerPolicy": "no-referrer", "Override": True}
    custom = {header["Header"]: header["Value"] for header in policy["CustomHeadersConfig"]["Items"]}
    assert custom == {"Permissions-Policy": PERMISSIONS_POLICY, "Cross-Origin-Opener-Policy": "same-origin"}


def test_every_declared_route_reaches_the_api_on_the_same_origin_and_no_console_path_does(
    platform: Synthesised,
) -> None:
    config = distribution_config(platform)
    behaviours = {behaviour["PathPattern"]: behaviour for behaviour in config["CacheBehaviors"]}
    assert sorted(behaviours) == api_path_patterns(DOMAINS)
    api_id = platform.id_of(platform.stack.api.http_api)
    for behaviour in behaviours.values():
        api = origin(config, behaviour["TargetOriginId"])
        assert api["DomainName"] == {"Fn::Select": [2, {"Fn::Split": ["/", {"Fn::GetAtt": [api_id, "ApiEndpoint"]}]}]}
        assert behaviour["CachePolicyId"] == CACHING_DISABLED  # so Authorization may be forwarded, never cached
        assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
        assert set(behaviour["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    for domain in DOMAINS:
        for route in domain.routes:
            concrete = route.path.replace("{", "").replace("}", "")
            assert any(fnmatchcase(concrete, pattern) for pattern in behaviours), route.route_key
    for path in CONSOLE_PATHS:
        assert not any(fnmatchcase(path.replace("*", "app.js"), pattern) for pattern in behaviours), path


def test_the_upload_buckets_let_browsers_on_the_distributions_origin_put_parts(platform: Synthesised) -> None:
    distribution_id = platform.id_of(platform.stack.web.distribution)
    origin_value = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]}
    cors_buckets = [
        bucket["Properties"]["CorsConfiguration"]["CorsRules"]
        for bucket in platform.of_type("AWS::S3::Bucket").values()
        if "CorsConfiguration" in bucket["Properties"]
    ]
    assert cors_buckets, "the files domain's bucket takes uploads from browsers"
    for rules in cors_buckets:
        assert [rule["AllowedOrigins"] for rule in rules] == [[origin_value]]
        assert all("PUT" in rule["AllowedMethods"] and rule["ExposedHeaders"] == ["ETag"] for rule in rules)


def test_the_built_console_is_copied_into_its_bucket(platform: Synthesised) -> None:
    if not (REPO / "web" / "dist" / "index.html").is_file():
        skip_or_fail("the web console is not built: run `make web`")
    deployments = platform.of_type("Custom::CDKBucketDeployment")
    bucket_id = platform.id_of(platform.stack.web.bucket)
    assert len(deployments) == 2
    for deployment in deployments.values():
        assert deployment["Properties"]["DestinationBucketName"] == {"Ref": bucket_id}
        assert deployment["Properties"]["Prune"] is False
    invalidating = [d for d in deployments.values() if "DistributionId" in d["Properties"]]
    assert [d["Properties"]["DistributionPaths"] for d in invalidating] == [["/", "/index.html"]]
