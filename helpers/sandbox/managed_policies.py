"""AWS managed policies on demand.

moto only knows AWS managed policies when MOTO_IAM_LOAD_MANAGED_POLICIES is set, and then
loads all ~1,600 into every account. The sandbox adds one to an account the first time a
request names it (e.g. AttachRolePolicy with arn:aws:iam::aws:policy/AdministratorAccess).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, iam_backends

from .extensions import handler
from .request import Request

AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy"
ADMINISTRATOR_ACCESS = f"{AWS_POLICY_PREFIX}/AdministratorAccess"


@cache
def _catalogue() -> dict[str, tuple[str, dict[str, Any]]]:
    """Policy ARN -> (name, moto's data for it)."""
    return {
        f"{AWS_POLICY_PREFIX}{data['Path']}{name}": (name, data)
        for name, data in json.loads(aws_managed_policies_data).items()
    }


def ensure_aws_managed_policy(account_id: str, arn: str) -> None:
    """Make the AWS managed policy `arn` known in the account (no-op if unknown to moto)."""
    iam = iam_backends[account_id]["global"]
    if arn in iam.managed_policies or arn not in _catalogue():
        return
    name, data = _catalogue()[arn]
    policy = AWSManagedPolicy.from_data(name, account_id, iam.region_name, data)
    iam.aws_managed_policies.append(policy)
    iam.managed_policies[arn] = policy


def attach_administrator_access(account_id: str, role_name: str) -> None:
    """Attach AdministratorAccess to a role, as AWS does for OrganizationAccountAccessRole."""
    ensure_aws_managed_policy(account_id, ADMINISTRATOR_ACCESS)
    iam_backends[account_id]["global"].attach_role_policy(ADMINISTRATOR_ACCESS, role_name)


@handler("iam", "*")
def load_named_policy(request: Request) -> None:
    """Before moto answers, load the AWS managed policy a request's PolicyArn names."""
    arn = request.params.get("PolicyArn", "")
    if arn.startswith(AWS_POLICY_PREFIX + "/"):
        ensure_aws_managed_policy(request.account_id, arn)
