"""The request context: condition keys looked up case-insensitively, and the requested region."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

#: Services whose API AWS serves from us-east-1 whatever region a client is set to, so a
#: request to them carries ``aws:RequestedRegion = us-east-1``. Like AWS's own example of a
#: region-deny SCP, this list may be incomplete.
GLOBAL_SERVICES = frozenset(
    {
        "account",
        "aws-portal",
        "billing",
        "budgets",
        "ce",
        "cloudfront",
        "cur",
        "health",
        "iam",
        "organizations",
        "route53",
        "route53domains",
        "shield",
        "support",
        "trustedadvisor",
        "waf",
    }
)

#: The services whose actions RCPs apply to (action prefixes), from "List of AWS services
#: that support RCPs" in the AWS Organizations User Guide: S3, STS, SQS, KMS and Secrets
#: Manager when RCPs were launched, about sixty services by late 2026.
RCP_SERVICES = frozenset(
    """
    aoss appconfig appstream autoscaling autoscaling-plans budgets clouddirectory cloudfront
    cloudsearch cloudtrail-data codeartifact codebuild codecommit codepipeline cognito-identity
    cognito-idp comprehend comprehendmedical compute-optimizer cost-optimization-hub dax dsql
    dynamodb ecr ecr-public events firehose fis fms gamelift health inspector-scan kendra kms
    kinesisvideo logs memorydb networkmonitor notifications opensearch pca-connector-ad
    personalize polly pricing resource-groups rolesanywhere s3 secretsmanager servicediscovery
    signin sqs sts support swf textract timestream-influxdb transcribe transfer translate
    wafv2 workspaces xray
    """.split()
)


def requested_region(action: str, region: str, *, sts_global: bool = True) -> str:
    """The region AWS puts in ``aws:RequestedRegion`` for `action` called from `region`.

    Global services (IAM, Organizations, Route 53, CloudFront, Support, billing, ...) are
    requested in us-east-1; so is STS on its global endpoint (``sts_global=False`` for a
    regional STS endpoint).
    """
    service = action.split(":", 1)[0].lower()
    if service in GLOBAL_SERVICES or (service == "sts" and sts_global):
        return "us-east-1"
    return region


def _text(value: Any) -> str:
    """A context or policy value as the string IAM compares (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def values_of(value: Any) -> list[str]:
    """A scalar or list value as a list of strings."""
    if isinstance(value, list | tuple | set | frozenset):
        return [_text(v) for v in value]
    return [_text(value)]


class Context:
    """Condition keys of one request; names are case-insensitive, values keep their case."""

    def __init__(self, items: Mapping[str, Any]) -> None:
        self._values = {key.lower(): values_of(v) for key, v in items.items() if v is not None}

    def get(self, key: str) -> list[str] | None:
        """The key's values, or None when the request does not carry it."""
        return self._values.get(key.lower())

    def single(self, key: str) -> str | None:
        """The key's one value (None when absent or multivalued), as policy variables use."""
        values = self.get(key)
        return values[0] if values is not None and len(values) == 1 else None

    def with_defaults(self, defaults: Mapping[str, Any]) -> Context:
        """A copy where each default fills a key the request does not carry."""
        merged = Context(defaults)
        merged._values.update(self._values)
        return merged
