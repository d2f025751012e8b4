"""The iam check: every policy of a user, group or role (inline, customer and AWS managed)
judged by cloudsplaining; AWS's roles and the kit's own left out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache

from cloudsplaining.scan.policy_document import PolicyDocument
from policy_sentry.querying.all import get_all_service_prefixes

from helpers.review.model import Finding, Settings
from helpers.review.scope import Scope, tagged_by_kit
from helpers.targets import KitSession

AWS_ROLE_PATHS = ("/aws-service-role/", "/aws-reserved/")  # service-linked, Identity Center
PRINCIPALS = (  # GetAccountAuthorizationDetails: (kind, list key, inline policies key)
    ("user", "UserDetailList", "UserPolicyList"),
    ("group", "GroupDetailList", "GroupPolicyList"),
    ("role", "RoleDetailList", "RolePolicyList"),
)
IAM_FIXES = {
    "user": "people sign in through Identity Center (step 03) and tools assume roles: move "
    "whoever uses this user there and delete it; until then, give it a policy naming only "
    "the actions and resources it needs",
    "group": "give the group a policy naming only the actions and resources its members need, "
    "or better, give those people an Identity Center permission set",
    "role": "give the role a policy naming only the actions and resources it uses: IAM Access "
    "Analyzer can generate one from the role's activity in the organization trail",
}


def _some(items: list[str], shown: int = 3) -> str:
    """The first `shown` items, then how many more."""
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")


@cache
def risks(document: str) -> tuple[str, ...]:
    """What a policy document (JSON) allows beyond least privilege, in cloudsplaining's terms:
    every action of a service, and privilege escalation, permissions management, credentials
    exposure or data exfiltration on any resource."""
    policy = PolicyDocument(json.loads(document))
    services = policy.service_wildcard
    if set(get_all_service_prefixes()) <= set(services):
        return ("every action of every service, on every resource",)
    found = [f"every action of {', '.join(services)}"] if services else []
    escalations = [e["type"] for e in policy.allows_privilege_escalation]
    for label, actions in (
        ("privilege escalation", escalations),
        (
            "permissions management on any resource",
            policy.permissions_management_without_constraints,
        ),
        ("credentials exposure", policy.credentials_exposure),
        ("data exfiltration", policy.allows_data_exfiltration_actions),
    ):
        if actions:
            found.append(f"{label} ({_some(sorted(actions))})")
    return tuple(found)


def _authorization_details(session: KitSession) -> dict[str, list]:
    """Every user, group, role and managed policy of the account, in one paginated read.
    Its pages hold four lists at once: botocore's full result merges them (helpers.aws's
    paginate follows one list, and four reads would cost four times the calls)."""
    iam = session.client("iam")
    return iam.get_paginator("get_account_authorization_details").paginate().build_full_result()


def _document(value: dict | str) -> str:
    return json.dumps(json.loads(value) if isinstance(value, str) else value, sort_keys=True)


def check_iam(scope: Scope, settings: Settings) -> Iterator[Finding]:
    details = _authorization_details(scope.session)
    managed = {
        p["Arn"]: next(v["Document"] for v in p["PolicyVersionList"] if v["IsDefaultVersion"])
        for p in details.get("Policies", [])
    }
    for kind, key, inline in PRINCIPALS:
        for entry in details.get(key, []):
            name = entry[f"{kind.capitalize()}Name"]
            if kind == "role" and (
                entry["Path"].startswith(AWS_ROLE_PATHS)
                or name in scope.kit_roles
                or tagged_by_kit(entry.get("Tags", []))
            ):
                continue
            policies = [
                (f"inline policy {p['PolicyName']}", p["PolicyDocument"]) for p in entry[inline]
            ]
            for attached in entry.get("AttachedManagedPolicies", []):
                arn = attached["PolicyArn"]
                owner = "AWS managed policy" if ":aws:policy/" in arn else "managed policy"
                policies.append((f"{owner} {attached['PolicyName']}", managed[arn]))
            for label, document in policies:
                found = risks(_document(document))
                if found:
                    what = f"{label} allows " + "; ".join(found)
                    yield scope.finding("iam", f"{kind} {name}", what, IAM_FIXES[kind])
